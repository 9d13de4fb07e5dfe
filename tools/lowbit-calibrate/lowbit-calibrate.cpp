//===- lowbit-calibrate.cpp - collect activation statistics ---------------===//
//
// lowbit-calibrate MODEL.mlir -o OUT.mlir
//     (MODEL.onnx / .onnxtxt is imported first: [--input-shape=NAME:DIMS])
//     (--images=FILE.idx[.gz] [--scale=S] [--mean=M] [--std=D] [--pad=P]
//      | --raw-f32=FILE | --text=FILE --vocab=VOCAB.json) [--count=N]
//     [--bins=B] [--per-channel] [--write-json=STATS.json] [--function=NAME]
// lowbit-calibrate MODEL.mlir --apply-json=STATS.json -o OUT.mlir
// lowbit-calibrate MODEL.mlir --layer-stats (samples as above) -o OUT.mlir
//
// Inserts observers (lowbit-insert-observers), runs the model in process over
// the calibration samples, and writes the model with `lowbit.stats` on every
// observed activation (and the statistics as JSON, to read, edit, or apply
// to the model later with --apply-json). With --layer-stats it collects the
// input statistics of every layer with a constant weight instead (H and mean
// |x|, the `lowbit.layer_stats` module attribute that lowbit-gptq,
// lowbit-awq and lowbit-mixed-precision read).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Calibration/Calibrate.h"
#include "lowbit/Calibration/LayerStatistics.h"
#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Pipelines/Pipelines.h"
#include "lowbit/Target/Model.h"
#include "lowbit/Tools/ModelInput.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("lowbit-calibrate options");
// The import is the one lowbitc runs on the same file (function @main), so
// statistics written here with --write-json apply to lowbitc's module.
static lowbit::ModelInputCLOptions modelInput(category);
static cl::opt<std::string> outputFilename(
    "o", cl::desc("The model with lowbit.stats (default: stdout)"),
    cl::value_desc("file"), cl::init("-"), cl::cat(category));
static cl::opt<std::string>
    imagesPath("images", cl::desc("Calibration images: IDX unsigned bytes "
                                  "(MNIST), plain or gzip-ed"),
               cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    rawPath("raw-f32", cl::desc("Calibration samples: raw little-endian f32, "
                                "one model input after another"),
            cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    textPath("text",
             cl::desc("Calibration text for a language model taking "
                      "token ids: back-to-back windows of the input "
                      "length"),
             cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    vocabPath("vocab",
              cl::desc("Text: the vocabulary, {\"id_to_byte\": "
                       "[...], \"unk_id\": N}"),
              cl::value_desc("file.json"), cl::cat(category));
static cl::opt<bool> layerStats(
    "layer-stats",
    cl::desc("Collect layer input statistics (lowbit.layer_stats: H and "
             "mean |x| per weight) for lowbit-gptq / lowbit-awq / "
             "lowbit-mixed-precision instead of activation ranges"),
    cl::init(false), cl::cat(category));
static cl::opt<double> scale("scale",
                             cl::desc("Images: multiply each byte by this "
                                      "(e.g. 0.00392156862745098 = 1/255)"),
                             cl::init(1.0), cl::cat(category));
static cl::opt<double> mean("mean", cl::desc("Images: then subtract this"),
                            cl::init(0.0), cl::cat(category));
static cl::opt<double> stddev("std", cl::desc("Images: then divide by this"),
                              cl::init(1.0), cl::cat(category));
static cl::opt<int64_t> pad("pad",
                            cl::desc("Images: then pad each side with this "
                                     "many zeros"),
                            cl::init(0), cl::cat(category));
static cl::opt<int64_t> count("count",
                              cl::desc("Use the first N samples (0 = all)"),
                              cl::init(0), cl::cat(category));
static cl::opt<unsigned> bins("bins",
                              cl::desc("Histogram bins (even, 2 to 65536)"),
                              cl::init(2048), cl::cat(category));
static cl::opt<bool>
    perChannel("per-channel",
               cl::desc("Also collect per-channel min/max (axis 1)"),
               cl::init(false), cl::cat(category));
static cl::opt<std::string>
    statsJson("write-json", cl::desc("Also write the statistics as JSON"),
              cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    applyJson("apply-json",
              cl::desc("Do not run: attach the statistics of this JSON file"),
              cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    functionName("function", cl::desc("The function to calibrate (default: "
                                      "the only public one)"),
                 cl::cat(category));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  lowbit::registerLowbitPasses();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv, "lowbit-calibrate: collect activation statistics\n");
  auto fail = [](const Twine &message) {
    llvm::errs() << "lowbit-calibrate: error: " << message << "\n";
    return 1;
  };
  lowbit::ModelToolContext tool;

  std::string error;
  OwningOpRef<ModuleOp> module = tool.readModel(modelInput.getInputFilename(),
                                                modelInput.getOptions(), error);
  if (!module)
    return error.empty() ? 1 : fail(error);

  // The samples, for the function calibration will run.
  auto openModelSamples =
      [&]() -> FailureOr<std::unique_ptr<lowbit::SampleSource>> {
    func::FuncOp function;
    for (auto f : module->getOps<func::FuncOp>())
      if (!f.isExternal() && f.isPublic() &&
          (functionName.empty() || f.getSymName() == functionName))
        function = f;
    if (!function || function.getNumArguments() != 1) {
      fail("calibration needs a public function with one tensor argument" +
           (functionName.empty() ? std::string() : " named @" + functionName));
      return failure();
    }
    auto inputType =
        dyn_cast<RankedTensorType>(function.getArgumentTypes()[0]);
    if (!inputType || !inputType.hasStaticShape()) {
      fail("the model input must be a static tensor");
      return failure();
    }
    lowbit::SampleOptions sampleOptions;
    sampleOptions.idxPath = imagesPath;
    sampleOptions.rawF32Path = rawPath;
    sampleOptions.textPath = textPath;
    sampleOptions.vocabPath = vocabPath;
    sampleOptions.scale = scale;
    sampleOptions.mean = mean;
    sampleOptions.stddev = stddev;
    sampleOptions.pad = pad;
    sampleOptions.count = count;
    auto samples =
        lowbit::openSamples(sampleOptions, inputType.getShape(), error);
    if (failed(samples))
      fail(error);
    return samples;
  };
  auto writeModel = [&]() {
    auto output = openOutputFile(outputFilename, &error);
    if (!output)
      return fail(error);
    module->print(output->os());
    output->keep();
    return 0;
  };

  if (layerStats) {
    if (!applyJson.empty() || !statsJson.empty() || perChannel)
      return fail("--layer-stats takes samples, not --apply-json, "
                  "--write-json or --per-channel");
    auto samples = openModelSamples();
    if (failed(samples))
      return 1;
    lowbit::CalibrationOptions options;
    options.function = functionName;
    std::vector<std::string> skipped;
    auto collected = lowbit::collectLayerStatistics(*module, **samples, options,
                                                    skipped, error);
    if (failed(collected))
      return fail(error);
    for (const std::string &why : skipped)
      llvm::errs() << "lowbit-calibrate: note: no statistics for " << why
                   << "\n";
    lowbit::attachLayerStatistics(*module, *collected);
    llvm::errs() << "lowbit-calibrate: " << (*samples)->size()
                 << " samples, statistics of " << collected->size()
                 << " weights\n";
    return writeModel();
  }

  PassManager pm(&tool.getContext());
  lowbit::LowbitInsertObserversOptions observe;
  observe.perChannel = perChannel;
  pm.addPass(lowbit::createLowbitInsertObservers(observe));
  if (failed(pm.run(*module)))
    return 1;

  std::vector<lowbit::ObservedStatistics> statistics;
  if (!applyJson.empty()) {
    std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(applyJson, &error);
    if (!file)
      return fail(error);
    auto parsed = lowbit::statisticsFromJson(file->getBuffer(), error);
    if (failed(parsed))
      return fail(applyJson + ": " + error);
    statistics = std::move(*parsed);
  } else {
    auto samples = openModelSamples();
    if (failed(samples))
      return 1;
    lowbit::CalibrationOptions options;
    options.function = functionName;
    options.bins = bins;
    auto collected =
        lowbit::runCalibration(*module, **samples, options, error);
    if (failed(collected))
      return fail(error);
    statistics = std::move(*collected);
    llvm::errs() << "lowbit-calibrate: " << (*samples)->size()
                 << " samples, " << statistics.size() << " observers\n";
  }

  if (!statsJson.empty()) {
    auto file = openOutputFile(statsJson, &error);
    if (!file)
      return fail(error);
    file->os() << lowbit::statisticsToJson(statistics);
    file->keep();
  }
  if (failed(lowbit::attachStatistics(*module, statistics)))
    return 1;
  return writeModel();
}

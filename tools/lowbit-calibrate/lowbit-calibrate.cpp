//===- lowbit-calibrate.cpp - collect activation statistics ---------------===//
//
// lowbit-calibrate MODEL.mlir -o OUT.mlir
//     (--images=FILE.idx[.gz] [--scale=S] [--mean=M] [--std=D] [--pad=P]
//      | --raw-f32=FILE) [--count=N] [--bins=B] [--per-channel]
//     [--write-json=STATS.json] [--function=NAME]
// lowbit-calibrate MODEL.mlir --apply-json=STATS.json -o OUT.mlir
//
// Inserts observers (lowbit-insert-observers), runs the model in process over
// the calibration samples, and writes the model with `lowbit.stats` on every
// observed activation (and the statistics as JSON, to read, edit, or apply
// to the model later with --apply-json).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Calibration/Calibrate.h"
#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Pipelines/Pipelines.h"
#include "lowbit/Target/Model.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("lowbit-calibrate options");
static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<model.mlir|model.mlirbc>"),
                                          cl::Required, cl::cat(category));
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
  DialectRegistry registry;
  lowbit::registerModelDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  std::string error;
  OwningOpRef<ModuleOp> module =
      lowbit::parseModelFile(inputFilename, context, sourceMgr, error);
  if (!module)
    return error.empty() ? 1 : fail(error);

  PassManager pm(&context);
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
    // The input shape comes from the function calibration will run.
    func::FuncOp function;
    for (auto f : module->getOps<func::FuncOp>())
      if (!f.isExternal() && f.isPublic() &&
          (functionName.empty() || f.getSymName() == functionName))
        function = f;
    if (!function || function.getNumArguments() != 1)
      return fail("calibration needs a public function with one tensor "
                  "argument" +
                  (functionName.empty() ? std::string()
                                        : " named @" + functionName));
    auto inputType =
        dyn_cast<RankedTensorType>(function.getArgumentTypes()[0]);
    if (!inputType || !inputType.hasStaticShape())
      return fail("the model input must be a static tensor");
    lowbit::SampleOptions sampleOptions;
    sampleOptions.idxPath = imagesPath;
    sampleOptions.rawF32Path = rawPath;
    sampleOptions.scale = scale;
    sampleOptions.mean = mean;
    sampleOptions.stddev = stddev;
    sampleOptions.pad = pad;
    sampleOptions.count = count;
    auto samples =
        lowbit::openSamples(sampleOptions, inputType.getShape(), error);
    if (failed(samples))
      return fail(error);
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
  auto output = openOutputFile(outputFilename, &error);
  if (!output)
    return fail(error);
  module->print(output->os());
  output->keep();
  return 0;
}

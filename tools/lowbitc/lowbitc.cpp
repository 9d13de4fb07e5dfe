//===- lowbitc.cpp - the lowbit compile driver ----------------------------===//
//
// lowbitc MODEL.mlir -o OUT.o [--target=TRIPLE] [--mcpu=CPU|native]
//         [--mattr=+f,-g] [--quantize=PRESET|OPTIONS]
//         [--emit=obj|asm|llvm|mlir]
//         [--header=OUT.h] [--calibration=STATS.json] [--threading=omp|none]
//         [--weights=embedded|external [--weights-file=OUT.weights]]
//         [--calibration-text=TEXT --vocab=VOCAB.json |
//          --calibration-images=IDX [--image-scale=S ...] |
//          --calibration-raw-f32=FILE]
//
// Parses a model (text or bytecode; ONNX `.onnx` / `.onnxtxt` through the
// importer, see docs/Import.md), quantizes it with the lowbit-quantize
// pipeline, lowers it to LLVM with plain C entry points, and emits an object
// file (or assembly / LLVM IR) for the requested target, in process. Methods
// that need layer input statistics (method=gptq|awq, budget-bits=B) get them
// from the model's lowbit.layer_stats, or by running the model on the
// calibration samples first.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Calibration/Calibrate.h"
#include "lowbit/Calibration/LayerStatistics.h"
#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Dialect/Lowbit/Transforms/WeightAnalysis.h"
#include "lowbit/Dialect/Lowbit/Transforms/WeightOptions.h"
#include "lowbit/Pipelines/Pipelines.h"
#include "lowbit/Target/Model.h"
#include "lowbit/Target/Target.h"
#include "lowbit/Tools/ModelInput.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("lowbitc options");

static lowbit::ModelInputCLOptions modelInput(category);
#ifdef LOWBIT_HAVE_ONNX
static cl::list<std::string> onnxConstantInputs(
    "constant-input",
    cl::desc("ONNX models: give a graph input compile-time values (no "
             "argument), NAME:V0,V1,..."),
    cl::value_desc("NAME:VALUES"), cl::cat(category));
static cl::opt<std::string> onnxFunctionName(
    "onnx-function",
    cl::desc("ONNX models: the entry point's name (lowbit_<name>)"),
    cl::init("main"), cl::cat(category));
#endif
static cl::opt<std::string>
    outputFilename("o", cl::desc("Output file (default: the model's name with "
                                 "the emitted kind's extension)"),
                   cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    targetTriple("target", cl::desc("Target triple: x86_64-linux-gnu or "
                                    "aarch64-linux-gnu (any LLVM triple)"),
                 cl::init("x86_64-linux-gnu"), cl::cat(category));
static cl::opt<std::string>
    targetCpu("mcpu",
              cl::desc("Target CPU (e.g. x86-64-v3, znver4, cortex-a76), or "
                       "native; default: the triple's baseline"),
              cl::cat(category));
static cl::opt<std::string>
    targetFeatures("mattr", cl::desc("Target features to add or remove, e.g. "
                                     "+avx512vnni,-avx512f"),
                   cl::cat(category));
// Built from the preset table, so the help lists every preset.
static const std::string quantizeHelp =
    "Quantization: fp32 or a preset (" +
    llvm::join(lowbit::getWeightPresetNames(), ", ") +
    ") or lowbit-quantize options such as 'preset=w8 clipping=mse'";
static cl::opt<std::string> quantize("quantize", cl::desc(quantizeHelp),
                                     cl::init("fp32"), cl::cat(category));
static cl::opt<std::string>
    emitKind("emit",
             cl::desc("What to write: obj (default), asm, llvm (LLVM IR), or "
                      "mlir (the quantized model before lowering)"),
             cl::init("obj"), cl::cat(category));
static cl::opt<std::string>
    headerFilename("header", cl::desc("Also write a C header declaring the "
                                      "entry points"),
                   cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string> calibrationFile(
    "calibration",
    cl::desc("Attach the activation statistics of this JSON file (from "
             "lowbit-calibrate --write-json) before quantizing, for w8a8"),
    cl::value_desc("stats.json"), cl::cat(category));
static cl::opt<std::string> calibrationText(
    "calibration-text",
    cl::desc("Calibration text for method=gptq|awq and budget-bits (a model "
             "taking token ids; windows of its input length)"),
    cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    vocabFile("vocab", cl::desc("--calibration-text: the vocabulary JSON"),
              cl::value_desc("file.json"), cl::cat(category));
static cl::opt<std::string> calibrationImages(
    "calibration-images",
    cl::desc("Calibration images (IDX, gzip-ed or not) for method=gptq|awq "
             "and budget-bits, preprocessed as (byte * image-scale - "
             "image-mean) / image-std, padded by image-pad"),
    cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string> calibrationRaw(
    "calibration-raw-f32",
    cl::desc("Calibration samples as raw f32 for method=gptq|awq and "
             "budget-bits"),
    cl::value_desc("file"), cl::cat(category));
static cl::opt<double> imageScale("image-scale", cl::init(1.0),
                                  cl::desc("--calibration-images: scale"),
                                  cl::cat(category));
static cl::opt<double> imageMean("image-mean", cl::init(0.0),
                                 cl::desc("--calibration-images: mean"),
                                 cl::cat(category));
static cl::opt<double> imageStd("image-std", cl::init(1.0),
                                cl::desc("--calibration-images: std"),
                                cl::cat(category));
static cl::opt<int64_t> imagePad("image-pad", cl::init(0),
                                 cl::desc("--calibration-images: padding"),
                                 cl::cat(category));
static cl::opt<bool>
    quiet("quiet", cl::desc("Do not print the workspace and weight sizes"),
          cl::init(false), cl::cat(category));
// (libLLVM already registers a --threads option.)
static cl::opt<std::string> threading(
    "threading",
    cl::desc("omp (default): large kernels run on the threads of LLVM's "
             "OpenMP runtime (link the object with -lomp; OMP_NUM_THREADS "
             "chooses how many); none: serial code without OpenMP calls"),
    cl::init("omp"), cl::cat(category));
static cl::opt<std::string> weightsMode(
    "weights",
    cl::desc("embedded (default): the constants are in the object's data; "
             "external: they go to a weights file that the caller loads "
             "(64-byte aligned) and passes to every entry point"),
    cl::init("embedded"), cl::cat(category));
static cl::opt<std::string> weightsFilename(
    "weights-file",
    cl::desc("--weights=external: the weights file (default: the output's "
             "name with .weights)"),
    cl::value_desc("file"), cl::cat(category));
static cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimization level 0-3"),
                                  cl::init(3), cl::Prefix, cl::cat(category));

/// Runs `build`'s passes on `module`; diagnostics go to the handler.
static LogicalResult
runPipeline(ModuleOp module,
            function_ref<LogicalResult(OpPassManager &)> build) {
  PassManager pm(module.getContext());
  if (failed(build(pm)) || failed(pm.run(module)))
    return failure();
  return success();
}

static std::string defaultOutput(StringRef input, StringRef kind) {
  StringRef extension = llvm::StringSwitch<StringRef>(kind)
                            .Case("asm", ".s")
                            .Case("llvm", ".ll")
                            .Case("mlir", ".lowbit.mlir")
                            .Default(".o");
  SmallString<128> path(llvm::sys::path::filename(input));
  llvm::sys::path::replace_extension(path, "");
  return (path + extension).str();
}

/// The weights file to write for --weights=external (nullptr with embedded
/// weights), opened before compiling so that an unwritable path fails
/// early; fails with a message for inconsistent options.
static FailureOr<std::unique_ptr<llvm::ToolOutputFile>>
openWeightsFile(StringRef outputPath, StringRef kind, std::string &error) {
  if (weightsMode != "embedded" && weightsMode != "external") {
    error =
        "unknown --weights=" + weightsMode + " (expected embedded or external)";
    return failure();
  }
  if (weightsMode == "embedded") {
    if (!weightsFilename.empty()) {
      error = "--weights-file=" + weightsFilename + " needs --weights=external";
      return failure();
    }
    return std::unique_ptr<llvm::ToolOutputFile>();
  }
  if (kind == "mlir") {
    error = "--weights=external applies to the lowered model: use --emit=obj, "
            "asm or llvm";
    return failure();
  }
  SmallString<128> path(weightsFilename);
  if (path.empty()) {
    path = outputPath;
    llvm::sys::path::replace_extension(path, "weights");
  }
  std::string openError;
  std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(path, &openError);
  if (!file) {
    error = "cannot write the weights file: " + openError;
    return failure();
  }
  return file;
}

/// Writes the lowered module's weights file and says how large it is.
static LogicalResult writeWeights(ModuleOp module, llvm::ToolOutputFile &file) {
  if (failed(lowbit::writeWeightsFile(module, file.os())))
    return failure();
  file.os().flush();
  if (file.os().has_error()) {
    llvm::errs() << "lowbitc: error: cannot write the weights file "
                 << file.getFilename() << ": " << file.os().error().message()
                 << "\n";
    file.os().clear_error();
    return failure();
  }
  file.keep();
  if (!quiet)
    llvm::errs() << "lowbitc: weights file " << file.getFilename() << ": "
                 << lowbit::getExternalWeightsSize(module).value_or(0)
                 << " bytes\n";
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAllPasses();
  lowbit::registerLowbitPasses();
  lowbit::registerLowbitConversionPasses();
  lowbit::registerLowbitPipelines();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "lowbitc: compile a model to an object file\n");

  lowbit::ModelToolContext tool;
  auto fail = [](const Twine &message) {
    llvm::errs() << "lowbitc: error: " << message << "\n";
    return 1;
  };

  if (emitKind != "obj" && emitKind != "asm" && emitKind != "llvm" &&
      emitKind != "mlir")
    return fail("unknown --emit=" + emitKind +
                " (expected obj, asm, llvm or mlir)");

  std::optional<lowbit::LowerToLLVMOptions::Threads> threadRuntime =
      lowbit::parseThreads(threading);
  if (!threadRuntime)
    return fail("unknown --threading=" + threading + " (expected omp or none)");

  if (optLevel > 3)
    return fail("unknown optimization level -O" + std::to_string(optLevel) +
                " (expected 0-3)");

  // Check the target before doing any work.
  lowbit::TargetOptions targetOptions;
  targetOptions.triple = targetTriple;
  targetOptions.cpu = targetCpu;
  targetOptions.features = targetFeatures;
  targetOptions.optLevel = optLevel;
  std::string targetError;
  std::unique_ptr<llvm::TargetMachine> machine =
      lowbit::createTargetMachine(targetOptions, targetError);
  if (!machine)
    return fail(targetError);

  std::string errorMessage;
  StringRef inputFilename = modelInput.getInputFilename();
  lowbit::ModelInputOptions inputOptions = modelInput.getOptions();
#ifdef LOWBIT_HAVE_ONNX
  inputOptions.onnxConstantInputs = onnxConstantInputs;
  inputOptions.onnxFunctionName = onnxFunctionName;
#endif
  OwningOpRef<ModuleOp> module =
      tool.readModel(inputFilename, inputOptions, errorMessage);
  if (!module)
    return errorMessage.empty() ? 1 : fail(errorMessage);

  // The object's entry points are the public functions: without one, it
  // would export nothing a caller could use.
  if (llvm::none_of(module->getOps<func::FuncOp>(), [](func::FuncOp func) {
        return func.isPublic() && !func.isExternal();
      })) {
    emitError(module->getLoc())
        << "no public function to export: lowbitc compiles each public "
           "func.func into a C entry point, and this module has "
        << (module->getBody()->empty() ? "no functions"
                                       : "only private or external ones");
    return 1;
  }

  // Calibration statistics from a file: observers, then their statistics.
  if (!calibrationFile.empty()) {
    std::unique_ptr<llvm::MemoryBuffer> file =
        openInputFile(calibrationFile, &errorMessage);
    if (!file)
      return fail(errorMessage);
    auto statistics =
        lowbit::statisticsFromJson(file->getBuffer(), errorMessage);
    if (failed(statistics))
      return fail(calibrationFile + ": " + errorMessage);
    // Observers as lowbit-calibrate placed them (per channel if it was).
    lowbit::LowbitInsertObserversOptions observe;
    observe.perChannel = llvm::any_of(
        *statistics, [](const lowbit::ObservedStatistics &stats) {
          return stats.axis.has_value();
        });
    if (failed(runPipeline(*module, [&](OpPassManager &pm) {
          pm.addPass(lowbit::createLowbitInsertObservers(observe));
          return success();
        })) ||
        failed(lowbit::attachStatistics(*module, *statistics)))
      return 1;
  }

  // Quantize.
  std::string quantizeOptions = quantize;
  if (StringRef(quantizeOptions).find('=') == StringRef::npos)
    quantizeOptions = "preset=" + quantizeOptions;
  lowbit::QuantizePipelineOptions options;
  if (failed(options.parseFromString(quantizeOptions)))
    return 1;

  // Layer input statistics for the methods that need them, from samples
  // when the model carries none.
  bool samplesGiven = !calibrationText.empty() || !calibrationImages.empty() ||
                      !calibrationRaw.empty();
  bool needsStatistics =
      options.preset != "fp32" &&
      (options.method != "rtn" || options.budgetBits.hasValue());
  if (samplesGiven && !needsStatistics)
    return fail("calibration samples are used by method=gptq, method=awq and "
                "budget-bits only");
  if (needsStatistics && samplesGiven &&
      !(*module)->hasAttr(lowbit::kLayerStatsAttrName)) {
    func::FuncOp function;
    for (auto f : module->getOps<func::FuncOp>())
      if (f.isPublic() && !f.isExternal())
        function = function ? func::FuncOp() : f;
    auto inputType =
        function && function.getNumArguments() == 1
            ? dyn_cast<RankedTensorType>(function.getArgumentTypes()[0])
            : RankedTensorType();
    if (!inputType || !inputType.hasStaticShape())
      return fail("calibration runs the model's only public function, which "
                  "must take one static tensor");
    lowbit::SampleOptions sampleOptions;
    sampleOptions.textPath = calibrationText;
    sampleOptions.vocabPath = vocabFile;
    sampleOptions.idxPath = calibrationImages;
    sampleOptions.rawF32Path = calibrationRaw;
    sampleOptions.scale = imageScale;
    sampleOptions.mean = imageMean;
    sampleOptions.stddev = imageStd;
    sampleOptions.pad = imagePad;
    sampleOptions.count = options.calibrationSamples;
    auto samples =
        lowbit::openSamples(sampleOptions, inputType.getShape(), errorMessage);
    if (failed(samples))
      return fail(errorMessage);
    lowbit::CalibrationOptions calibration;
    std::vector<std::string> skipped;
    auto statistics = lowbit::collectLayerStatistics(
        *module, **samples, calibration, skipped, errorMessage);
    if (failed(statistics))
      return fail(errorMessage);
    lowbit::attachLayerStatistics(*module, *statistics);
    if (!quiet)
      llvm::errs() << "lowbitc: layer input statistics of "
                   << statistics->size() << " weights from "
                   << (*samples)->size() << " samples\n";
  }

  if (failed(runPipeline(*module, [&](OpPassManager &pm) {
        return lowbit::buildQuantizePipeline(
            pm, options, [](const Twine &message) {
              llvm::errs() << "lowbitc: error: " << message << "\n";
              return failure();
            });
      })))
    return 1;
  if (!quiet) {
    lowbit::PackedWeightSize size = lowbit::getPackedWeightSize(*module);
    if (size.weights > 0)
      llvm::errs() << "lowbitc: packed weights: " << size.weights
                   << " weights in " << size.bytes << " bytes ("
                   << llvm::format("%.3f", size.getBitsPerWeight())
                   << " bits per weight)\n";
  }

  std::string outputPath = outputFilename.empty()
                               ? defaultOutput(inputFilename, emitKind)
                               : outputFilename;
  FailureOr<std::vector<lowbit::CEntryPoint>> entryPoints =
      lowbit::getCEntryPoints(*module, "lowbit_");
  if (!headerFilename.empty() && failed(entryPoints))
    return 1;
  // The header is written once the object is: a failed compilation leaves
  // neither behind.
  auto writeHeader = [&]() -> LogicalResult {
    if (headerFilename.empty())
      return success();
    std::unique_ptr<llvm::ToolOutputFile> header =
        openOutputFile(headerFilename, &errorMessage);
    if (!header) {
      fail(errorMessage);
      return failure();
    }
    std::string guard = llvm::sys::path::stem(headerFilename).str();
    for (char &c : guard)
      c = llvm::isAlnum(c) ? llvm::toUpper(c) : '_';
    lowbit::emitCHeader(*entryPoints, "LOWBIT_" + guard + "_H", header->os());
    header->keep();
    return success();
  };

  FailureOr<std::unique_ptr<llvm::ToolOutputFile>> weightsFile =
      openWeightsFile(outputPath, emitKind, errorMessage);
  if (failed(weightsFile))
    return fail(errorMessage);
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputPath, &errorMessage);
  if (!output)
    return fail(errorMessage);
  if (emitKind == "mlir") {
    module->print(output->os());
    if (failed(writeHeader()))
      return 1;
    output->keep();
    return 0;
  }

  // Integer dot products only where the CPU has them.
  lowbit::LowerToLLVMOptions lowerOptions =
      lowbit::getLowerToLLVMOptions(*machine);
  lowerOptions.threads = *threadRuntime;
  lowerOptions.externalWeights = *weightsFile != nullptr;
  // Integer matmuls (dynamic or static int8 activations) on a CPU without
  // the dot-product instructions their fast kernels use: say what they get.
  bool integerMatmuls = false, floatMatmuls = false, bf16Matmuls = false;
  module->walk([&](Operation *op) {
    if (op->hasAttr("activation_type"))
      bf16Matmuls = true;
    if (op->hasAttr("dynamic_int8_activations") ||
        op->getName().getStringRef() == "lowbit.integer_matmul")
      integerMatmuls = true;
    else if (op->getName().getStringRef() == "lowbit.matmul")
      floatMatmuls = true;
  });
  // Float activations times packed codes: without AVX2 each code costs
  // 128-bit unpack, convert and multiply-add steps, more than an f32 weight
  // costs fp32 code when the layer stays in cache (LeNet's, measured in
  // docs/Lowering.md).
  StringRef int8Dot = lowerOptions.int8Dot;
  if (!quiet && floatMatmuls && (int8Dot == "sse2" || int8Dot == "ssse3"))
    llvm::errs() << "lowbitc: note: " << machine->getTargetCPU()
                 << " has no AVX2: packed weights with float activations are "
                    "decoded 4 codes per 128-bit step, which can be slower "
                    "than fp32 on layers that fit in cache; the "
                    "int8-activation presets (w8a8-dynamic, w4a8-dynamic) "
                    "are the fastest here\n";
  // bf16 activations without vdpbf16ps: the same numerics (activations
  // rounded once per call), f32 multiply-adds.
  if (!quiet && bf16Matmuls && lowerOptions.bf16Dot == "none")
    llvm::errs() << "lowbitc: note: " << machine->getTargetCPU()
                 << " has no AVX512-BF16 (vdpbf16ps) nor AArch64 BF16 "
                    "(bfdot): bf16 activations are rounded once per call and "
                    "multiplied in f32 multiply-adds\n";
  if (!quiet && integerMatmuls) {
    StringRef cpu = machine->getTargetCPU();
    StringRef dot = lowerOptions.int8Dot;
    if (dot == "sse2")
      llvm::errs() << "lowbitc: note: " << cpu
                   << " has no integer dot-product instructions "
                      "(SSSE3/AVX2/VNNI); int8 activations use SSE2 pmaddwd "
                      "on bytes widened to 16 bits\n";
    else if (dot == "ssse3")
      llvm::errs() << "lowbitc: note: " << cpu
                   << " has no AVX2/VNNI dot products; int8 activations use "
                      "128-bit SSSE3 pmaddubsw\n";
    else if (dot == "generic")
      llvm::errs() << "lowbitc: note: " << cpu
                   << " has no integer dot-product instructions; int8 "
                      "activations use portable widening code\n";
  }
  if (failed(runPipeline(*module, [&](OpPassManager &pm) {
        return lowbit::buildLowerToLLVMPipeline(pm, lowerOptions);
      })))
    return 1;
  // Whatever the lowering could not turn into LLVM has no code path: name
  // each such op at its source location.
  bool unsupported = false;
  module->walk([&](Operation *op) {
    // Casts left around an unconverted op are its consequence, not news.
    if (isa<ModuleOp, UnrealizedConversionCastOp>(op) ||
        op->getDialect() == tool.getContext().getLoadedDialect("llvm"))
      return;
    StringRef dialect = op->getName().getDialectNamespace();
    if (dialect == "arm_neon" || dialect == "omp")
      return; // translated by the ArmNeon and OpenMP LLVM IR translations
    op->emitError() << "'" << op->getName()
                    << "' cannot be compiled: lowbitc has no lowering for it";
    unsupported = true;
  });
  if (unsupported)
    return 1;
  lowbit::EmitKind kind = emitKind == "asm"    ? lowbit::EmitKind::Assembly
                          : emitKind == "llvm" ? lowbit::EmitKind::LLVMIR
                                               : lowbit::EmitKind::Object;
  uint64_t weightBytes = lowbit::getConstantBytes(*module);
  // Whether parallel kernels remained (small models stay serial).
  bool callsOpenMP = false;
  module->walk([&](Operation *op) {
    if (op->getName().getDialectNamespace() == "omp")
      callsOpenMP = true;
  });
  if (succeeded(entryPoints)) {
    lowbit::setWorkspaceSizes(*module, *entryPoints);
    lowbit::setWeightsSizes(*module, *entryPoints);
  }
  if (failed(lowbit::emitModule(*module, *machine, kind, optLevel,
                                output->os())))
    return 1;
  if (*weightsFile && failed(writeWeights(*module, **weightsFile)))
    return 1;
  if (succeeded(entryPoints) && failed(writeHeader()))
    return 1;
  output->keep();
  if (!quiet && succeeded(entryPoints))
    for (const lowbit::CEntryPoint &entry : *entryPoints)
      llvm::errs() << "lowbitc: " << entry.name << ": workspace "
                   << entry.workspaceBytes.value_or(0) << " bytes, weights "
                   << (entry.weightsBytes ? *entry.weightsBytes : weightBytes)
                   << " bytes" << (entry.weightsBytes ? " (external)" : "")
                   << ", " << machine->getTargetCPU() << " ("
                   << lowerOptions.int8Dot << " int8 dot products), "
                   << (callsOpenMP ? "OpenMP threads (link with -lomp)"
                                   : "serial")
                   << "\n";
  return 0;
}

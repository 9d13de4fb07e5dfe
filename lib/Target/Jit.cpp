//===- Jit.cpp - compile lowbit kernels in process for the host -----------===//

#include "lowbit/Target/Jit.h"

#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Numerics/SuperblockRadix.h"
#include "lowbit/Pipelines/Pipelines.h"
#include "lowbit/Target/Model.h"
#include "lowbit/Target/Target.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <functional>
#include <mutex>

using namespace mlir;
using namespace lowbit;

JitModule::JitModule(std::unique_ptr<ExecutionEngine> engine)
    : engine(std::move(engine)) {}

JitModule::~JitModule() = default;

void *JitModule::lookup(llvm::StringRef name) const {
  llvm::Expected<void *> address = engine->lookup(name);
  if (!address) {
    llvm::consumeError(address.takeError());
    return nullptr;
  }
  return *address;
}

void lowbit::registerJitDialects(DialectRegistry &registry) {
  registerModelDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
}

/// The passes the textual lowering pipeline names, registered once per
/// process (as lowbitc registers them).
static void registerJitPasses() {
  static std::once_flag once;
  std::call_once(once, [] {
    registerAllPasses();
    registerLowbitPasses();
    registerLowbitConversionPasses();
  });
}

namespace {
/// Collects the diagnostics of a context as text while it lives, for the
/// error message of a failed compilation.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext &context)
      : stream(text), handler(&context, [this](Diagnostic &diagnostic) {
          stream << diagnostic.getLocation() << ": " << diagnostic << "\n";
          for (const Diagnostic &note : diagnostic.getNotes())
            stream << "  note: " << note << "\n";
          return success();
        }) {}

  /// Sets `error` to `message` followed by the diagnostics; fails.
  LogicalResult fail(std::string &error, const llvm::Twine &message) {
    error = (message + (text.empty() ? "" : ":\n") + text).str();
    return failure();
  }

private:
  std::string text;
  llvm::raw_string_ostream stream;
  ScopedDiagnosticHandler handler;
};

void appendJitDialects(MLIRContext &context) {
  registerJitPasses();
  DialectRegistry registry;
  registerJitDialects(registry);
  context.appendDialectRegistry(registry);
}
} // namespace

llvm::StringRef lowbit::getJitOpenMPRuntime() {
#ifdef LOWBIT_OPENMP_RUNTIME
  return LOWBIT_OPENMP_RUNTIME;
#else
  return "";
#endif
}

FailureOr<std::unique_ptr<JitModule>>
lowbit::compileForHost(MLIRContext &context, llvm::StringRef mlirSource,
                       std::string &error, const JitOptions &options) {
  appendJitDialects(context);
  OwningOpRef<ModuleOp> module;
  {
    DiagnosticCollector diagnostics(context);
    module = parseSourceString<ModuleOp>(mlirSource, ParserConfig(&context),
                                         "jit-input");
    if (!module)
      return diagnostics.fail(error, "cannot parse the module");
  }
  return compileForHost(std::move(module), error, options);
}

FailureOr<std::unique_ptr<JitModule>>
lowbit::compileForHost(OwningOpRef<ModuleOp> module, std::string &error,
                       const JitOptions &options) {
  MLIRContext &context = *module->getContext();
  appendJitDialects(context);
  DiagnosticCollector diagnostics(context);
  auto fail = [&](const llvm::Twine &message) {
    return diagnostics.fail(error, message);
  };

  // One TargetMachine drives the LLVM IR optimizer (cost models, legal
  // vector widths); the engine takes ownership of a second, identical one for
  // code generation.
  TargetOptions targetOptions;
  targetOptions.triple = llvm::sys::getProcessTriple();
  targetOptions.cpu = options.cpu;
  targetOptions.features = options.features;
  targetOptions.optLevel = options.optLevel;
  std::string targetError;
  std::unique_ptr<llvm::TargetMachine> optimizerMachine =
      createTargetMachine(targetOptions, targetError);
  std::unique_ptr<llvm::TargetMachine> codegenMachine =
      optimizerMachine ? createTargetMachine(targetOptions, targetError)
                       : nullptr;
  if (!optimizerMachine || !codegenMachine)
    return fail(targetError);
  // The engine's memory manager maps code and constants separately, at
  // times more than 2 GiB apart (always under AddressSanitizer): the small
  // code model's 32-bit relocations would then be truncated and the code
  // read constants from a wrong address. The large one reaches anywhere.
  codegenMachine->setCodeModel(llvm::CodeModel::Large);

  PassManager pm(&context);
  LowerToLLVMOptions lowerOptions = getLowerToLLVMOptions(*optimizerMachine);
  if (options.int8Dot != "host")
    lowerOptions.int8Dot = options.int8Dot;
  if (options.bf16Dot != "host")
    lowerOptions.bf16Dot = options.bf16Dot;
  llvm::StringRef openmpRuntime = getJitOpenMPRuntime();
  bool threads = options.threads && !openmpRuntime.empty();
  lowerOptions.threads = threads ? LowerToLLVMOptions::Threads::OpenMP
                                 : LowerToLLVMOptions::Threads::None;
  lowerOptions.externalWeights = options.externalWeights != nullptr;
  if (failed(buildLowerToLLVMPipeline(pm, lowerOptions)))
    return fail("cannot build the lowbit-lower-to-llvm pipeline");
  if (failed(pm.run(*module)))
    return fail("lowbit-lower-to-llvm failed");
  if (options.externalWeights) {
    options.externalWeights->clear();
    llvm::raw_string_ostream os(*options.externalWeights);
    if (failed(writeWeightsFile(*module, os)))
      return fail("cannot write the external weights");
  }

  // Every function the module declares must come from this process: the
  // engine would otherwise fail only when the entry point is looked up, with
  // the cause printed apart from the caller's error.
  // The OpenMP runtime counts as part of the process (the engine loads it).
  // This process's own symbols (libc's malloc, memcpy, ...) must be
  // searchable even when no library is loaded for OpenMP.
  std::string loadError;
  if (llvm::sys::DynamicLibrary::LoadLibraryPermanently(nullptr, &loadError))
    return fail("cannot search this process's symbols: " + loadError);
  if (threads && llvm::sys::DynamicLibrary::LoadLibraryPermanently(
                     openmpRuntime.str().c_str(), &loadError))
    return fail("cannot load the OpenMP runtime " + openmpRuntime + ": " +
                loadError);
  std::string missing;
  module->walk([&](LLVM::LLVMFuncOp function) {
    if (!function.isExternal() || function.getName().starts_with("llvm.") ||
        llvm::sys::DynamicLibrary::SearchForAddressOfSymbol(
            function.getName().str()))
      return;
    missing += (missing.empty() ? "" : ", ") + function.getName().str();
  });
  if (!missing.empty())
    return fail("the compiled module needs symbols this process does not "
                "define: " +
                missing);

  // ExecutionEngineOptions::transformer is a function_ref: the callable must
  // outlive ExecutionEngine::create, which runs it.
  std::function<llvm::Error(llvm::Module *)> transformer =
      makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0,
                                optimizerMachine.get());
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  engineOptions.enableGDBNotificationListener = false;
  engineOptions.enablePerfNotificationListener = options.enablePerfListener;
  // The __kmpc_* calls of parallel loops resolve in LLVM's OpenMP runtime.
  SmallVector<StringRef, 1> sharedLibraries;
  if (threads)
    sharedLibraries.push_back(openmpRuntime);
  engineOptions.sharedLibPaths = sharedLibraries;
  llvm::Expected<std::unique_ptr<ExecutionEngine>> engine =
      ExecutionEngine::create(*module, engineOptions,
                              std::move(codegenMachine));
  if (!engine)
    return fail("cannot JIT-compile the module: " +
                llvm::toString(engine.takeError()));
  return std::make_unique<JitModule>(std::move(*engine));
}

//===----------------------------------------------------------------------===//
// Kernel sources
//===----------------------------------------------------------------------===//

std::string lowbit::getMatmulKernelSource(MLIRContext &context,
                                          const MatmulKernelSpec &spec) {
  context.loadDialect<LowbitDialect>();
  SchemeAttr scheme = getSchemeAttr(&context, spec.scheme, spec.granularity);
  LayoutAttr layout = getLayoutAttr(&context, spec.format);
  if (!scheme || !layout)
    return {};
  auto tensorType = [](ArrayRef<int64_t> shape, StringRef element) {
    std::string text = "tensor<";
    for (int64_t dim : shape)
      text += std::to_string(dim) + "x";
    return text + element.str() + ">";
  };
  std::string params =
      spec.scheme.paramStorage == numerics::ParamStorage::F16 ? "f16" : "f32";
  std::string x = tensorType({spec.m, spec.k}, "f32");
  std::string packed = tensorType(layout.getStorageShape({spec.n, spec.k}),
                                  layout.getUnitBits() == 32 ? "i32" : "i8");
  SmallVector<int64_t> paramShape = scheme.getParamShape({spec.n, spec.k});
  std::string scales = tensorType(paramShape, params);
  // Radix superblocks: one row of parameter bytes per output (no mins).
  bool superblock = spec.format.kind == numerics::PackKind::RadixSuperblock;
  if (superblock)
    scales = tensorType(
        {spec.n, numerics::superblockParamBytesPerRow(
                     numerics::getSuperblockFormat(spec.format), spec.k)},
        "i8");
  std::string zeroPoints = tensorType(paramShape, "i32");
  std::string bias = tensorType({spec.n}, "f32");
  std::string result = tensorType({spec.m, spec.n}, "f32");
  bool affine = scheme.getForm() == ParamForm::Affine;
  bool minScale = scheme.getForm() == ParamForm::MinScale && !superblock;

  std::string text;
  llvm::raw_string_ostream os(text);
  os << "func.func @" << spec.name << "(%x: " << x << ", %p: " << packed
     << ", %s: " << scales;
  if (affine)
    os << ", %z: " << zeroPoints;
  if (minScale)
    os << ", %mn: " << scales;
  if (spec.bias)
    os << ", %b: " << bias;
  os << ") -> " << result << " {\n";
  os << "  %y = lowbit.matmul %x, %p scales(%s : " << scales << ")";
  if (affine)
    os << " zero_points(%z : " << zeroPoints << ")";
  if (minScale)
    os << " mins(%mn : " << scales << ")";
  if (spec.bias)
    os << " bias(%b : " << bias << ")";
  os << " {scheme = " << scheme << ", layout = " << layout
     << (spec.dynamicInt8Activations ? ", dynamic_int8_activations" : "")
     << (spec.bf16Activations ? ", activation_type = bf16" : "") << "} : " << x
     << ", " << packed << " -> " << result << "\n";
  os << "  return %y : " << result << "\n}\n";
  return text;
}

//===- TargetMachine.cpp - LLVM target machines and code emission ---------===//

#include "lowbit/Target/Target.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Target/LLVMIR/Dialect/ArmNeon/ArmNeonToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace lowbit;

static void initializeTargets() {
  static bool initialized = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)initialized;
}

std::unique_ptr<llvm::TargetMachine>
lowbit::createTargetMachine(const TargetOptions &options, std::string &error) {
  initializeTargets();
  llvm::Triple triple(llvm::Triple::normalize(options.triple));
  std::string lookupError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, lookupError);
  if (!target) {
    error = "unknown target '" + options.triple + "': " + lookupError;
    return nullptr;
  }

  std::string cpu = options.cpu;
  std::string features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features += (features.empty() ? "" : ",") +
                  std::string(feature.second ? "+" : "-") +
                  feature.first().str();
  }
  if (cpu.empty())
    cpu = triple.isX86() ? "x86-64" : "generic";
  if (!options.features.empty())
    features += (features.empty() ? "" : ",") + options.features;

  // Check the CPU and every requested feature against the target's tables,
  // so a typo is an error rather than a warning and a silent default.
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      target->createMCSubtargetInfo(triple, "", ""));
  if (!info || !info->isCPUStringValid(cpu)) {
    error = "unknown CPU '" + cpu + "' for " + triple.str();
    return nullptr;
  }
  if (!options.features.empty()) {
    llvm::SmallVector<llvm::StringRef> requested;
    llvm::StringRef(options.features).split(requested, ',', -1, false);
    for (llvm::StringRef feature : requested) {
      feature = feature.trim();
      if (!feature.consume_front("+") && !feature.consume_front("-")) {
        error = "feature '" + feature.str() +
                "' must start with '+' (enable) or '-' (disable)";
        return nullptr;
      }
      bool known = llvm::any_of(
          info->getAllProcessorFeatures(),
          [&](const llvm::SubtargetFeatureKV &kv) { return feature == kv.Key; });
      if (!known) {
        error = "unknown feature '" + feature.str() + "' for " + triple.str();
        return nullptr;
      }
    }
  }

  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      options.optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : options.optLevel == 0 ? llvm::CodeGenOptLevel::None
                              : llvm::CodeGenOptLevel::Default));
  if (!machine)
    error = "cannot create a target machine for " + triple.str();
  return machine;
}

LogicalResult lowbit::emitModule(ModuleOp module, llvm::TargetMachine &machine,
                                 EmitKind kind, unsigned optLevel,
                                 llvm::raw_pwrite_stream &os) {
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerArmNeonDialectTranslation(registry);
  // Parallel loops: omp ops become __kmpc_* calls of LLVM's OpenMP runtime.
  registerOpenMPDialectTranslation(registry);
  module->getContext()->appendDialectRegistry(registry);

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return module.emitError("cannot translate the lowered module to LLVM IR");
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());

  if (optLevel > 0) {
    llvm::LoopAnalysisManager loops;
    llvm::FunctionAnalysisManager functions;
    llvm::CGSCCAnalysisManager cgscc;
    llvm::ModuleAnalysisManager modules;
    llvm::PassBuilder builder(&machine);
    builder.registerModuleAnalyses(modules);
    builder.registerCGSCCAnalyses(cgscc);
    builder.registerFunctionAnalyses(functions);
    builder.registerLoopAnalyses(loops);
    builder.crossRegisterProxies(loops, functions, cgscc, modules);
    llvm::OptimizationLevel level = optLevel >= 3   ? llvm::OptimizationLevel::O3
                                    : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                    : llvm::OptimizationLevel::O1;
    builder.buildPerModuleDefaultPipeline(level).run(*llvmModule, modules);
  }

  if (kind == EmitKind::LLVMIR) {
    llvmModule->print(os, nullptr);
    return success();
  }
  llvm::legacy::PassManager codegen;
  if (machine.addPassesToEmitFile(codegen, os, nullptr,
                                  kind == EmitKind::Object
                                      ? llvm::CodeGenFileType::ObjectFile
                                      : llvm::CodeGenFileType::AssemblyFile))
    return module.emitError("the target cannot emit this file type");
  codegen.run(*llvmModule);
  return success();
}

uint64_t lowbit::getConstantBytes(ModuleOp module) {
  uint64_t bytes = 0;
  module.walk([&](LLVM::GlobalOp global) {
    auto value = dyn_cast_or_null<ElementsAttr>(global.getValueOrNull());
    if (!global.getConstant() || !value)
      return;
    Type element = value.getElementType();
    if (element.isIntOrFloat())
      bytes += value.getNumElements() *
               llvm::divideCeil(element.getIntOrFloatBitWidth(), 8);
  });
  return bytes;
}

lowbit::LowerToLLVMOptions
lowbit::getLowerToLLVMOptions(const llvm::TargetMachine &machine) {
  LowerToLLVMOptions options;
  const llvm::MCSubtargetInfo *subtarget = machine.getMCSubtargetInfo();
  const llvm::Triple &triple = machine.getTargetTriple();
  if (triple.isX86() && subtarget->checkFeatures("+avx512vnni,+avx512vl"))
    options.int8Dot = "avx512-vnni";
  else if (triple.isX86() && subtarget->checkFeatures("+avxvnni"))
    options.int8Dot = "avx-vnni";
  else if (triple.isX86() && subtarget->checkFeatures("+avx2"))
    options.int8Dot = "avx2";
  else if (triple.isX86() && subtarget->checkFeatures("+ssse3"))
    options.int8Dot = "ssse3";
  else if (triple.isX86())
    options.int8Dot = "sse2";
  else if (triple.isAArch64() && subtarget->checkFeatures("+dotprod"))
    options.int8Dot = "arm-dotprod";
  // x86 below AVX-512 has 16 vector registers of 128 (SSE) or 256 (AVX)
  // bits. AArch64 keeps the wide kernels: NEON has 32 registers.
  if (triple.isX86() && !subtarget->checkFeatures("+avx512f"))
    options.vectorBits = subtarget->checkFeatures("+avx") ? 256 : 128;
  options.i8mm = triple.isAArch64() && subtarget->checkFeatures("+i8mm");
  options.vbmi =
      triple.isX86() && subtarget->checkFeatures("+avx512vbmi,+avx512bw");
  // bf16 dot products: vdpbf16ps on 512-bit vectors.
  if (triple.isX86() && subtarget->checkFeatures("+avx512bf16,+avx512f"))
    options.bf16Dot = "avx512-bf16";
  // AArch64 +bf16: bfdot on 128-bit vectors.
  if (triple.isAArch64() && subtarget->checkFeatures("+bf16"))
    options.bf16Dot = "arm-bf16";
  // Byte table lookups: vpshufb as wide as the CPU has it (and vpermi2b for
  // 128-byte tables), or tbl.
  if (options.vbmi)
    options.byteLookup = "avx512vbmi";
  else if (triple.isX86() && subtarget->checkFeatures("+avx512bw"))
    options.byteLookup = "avx512bw";
  else if (triple.isX86() && subtarget->checkFeatures("+avx2"))
    options.byteLookup = "avx2";
  else if (triple.isX86() && subtarget->checkFeatures("+ssse3"))
    options.byteLookup = "ssse3";
  else if (triple.isAArch64() && subtarget->checkFeatures("+neon"))
    options.byteLookup = "neon";
  options.expandRounding =
      triple.isX86() && !subtarget->checkFeatures("+sse4.1");
  options.expandBF16 =
      triple.isX86() && !subtarget->checkFeatures("+avx512bf16");
  return options;
}

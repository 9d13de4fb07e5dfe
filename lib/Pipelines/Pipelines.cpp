//===- Pipelines.cpp - named lowbit pass pipelines ------------------------===//

#include "lowbit/Pipelines/Pipelines.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Dialect/Lowbit/Transforms/WeightOptions.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;
using namespace lowbit;

LogicalResult lowbit::buildQuantizePipeline(
    OpPassManager &pm, const QuantizePipelineOptions &options,
    function_ref<LogicalResult(const Twine &)> errorHandler) {
  FailureOr<WeightSchemeOptions> preset = getWeightPreset(options.preset);
  if (failed(preset) && options.preset != "fp32") {
    std::string names = "fp32";
    for (StringRef name : getWeightPresetNames())
      names += ", " + name.str();
    return errorHandler("unknown preset '" + options.preset +
                        "' (expected one of " + names + ")");
  }
  // Upstream quant casts (QAT models) become lowbit ops before any pass can
  // fold a quant.qcast / quant.dcast pair away; at every preset, fp32
  // included, the quantization they describe is kept.
  // Imported weights (the quantize of a constant folds to codes) are packed
  // in the layout their own scheme prefers, whatever the preset's, and fused
  // with float activations: the model already says how its activations are
  // quantized. The preset then quantizes only the weights still in float.
  LowbitImportQuantOptions importQuant;
  importQuant.requirePairedStorageCasts = true;
  pm.addPass(createLowbitImportQuant(importQuant));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLowbitPackWeights());
  pm.addPass(createLowbitFuseMatmul());
  pm.addPass(createLowbitFuseMatmulEpilogue());
  if (options.preset == "fp32")
    return success();
  WeightSchemeOptions scheme = *preset;
  if (options.bits.hasValue())
    scheme.bits = options.bits;
  if (options.symmetric.hasValue())
    scheme.symmetric = options.symmetric;
  if (options.asymmetricForm.hasValue())
    scheme.asymmetricForm = options.asymmetricForm;
  if (options.granularity.hasValue())
    scheme.granularity = options.granularity;
  if (options.groupSize.hasValue())
    scheme.groupSize = options.groupSize;
  if (options.rounding.hasValue())
    scheme.rounding = options.rounding;
  if (options.codebook.hasValue())
    scheme.codebook = options.codebook;
  if (options.paramType.hasValue())
    scheme.paramType = options.paramType;
  if (options.dynamicInt8Activations.hasValue())
    scheme.dynamicInt8Activations = options.dynamicInt8Activations;

  // TOSA models become linalg first (a no-op on linalg models).
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(tosa::createTosaToLinalgNamed());
  funcPm.addPass(tosa::createTosaToLinalg());
  funcPm.addPass(createTosaToArithPass());
  funcPm.addPass(createTosaToTensorPass());
  if (scheme.staticInt8Activations) {
    // Batch norm into the weights, then calibrated activation ranges into
    // quantize/dequantize pairs, before the weights are quantized.
    funcPm.addPass(createLowbitFoldBatchNorm());
    LowbitFoldCalibrationOptions calibration;
    calibration.method = options.calibration;
    calibration.percentile = options.percentile;
    calibration.requireStatistics = true;
    funcPm.addPass(createLowbitFoldCalibration(calibration));
  }

  // The scheme and selection fields every weight quantization pass shares.
  auto fill = [&](auto &pass) {
    pass.bits = scheme.bits;
    pass.symmetric = scheme.symmetric;
    pass.asymmetricForm = scheme.asymmetricForm;
    pass.narrowRange = scheme.narrowRange;
    pass.granularity = scheme.granularity;
    pass.groupSize = scheme.groupSize;
    pass.rounding = scheme.rounding;
    pass.codebook = scheme.codebook;
    pass.paramType = scheme.paramType;
    pass.clipping = options.clipping;
    pass.minElements = options.minElements;
    pass.report = options.report;
  };
  bool mixed = options.budgetBits.hasValue();
  if (mixed) {
    if (options.method == "awq")
      return errorHandler("budget-bits takes method=rtn or method=gptq");
    LowbitMixedPrecisionOptions mixedPrecision;
    mixedPrecision.budgetBits = options.budgetBits;
    mixedPrecision.menu.assign(options.menu.begin(), options.menu.end());
    mixedPrecision.method = options.method;
    mixedPrecision.dampening = options.dampening;
    mixedPrecision.minElements = options.minElements;
    mixedPrecision.report = options.report;
    pm.addPass(createLowbitMixedPrecision(mixedPrecision));
  } else if (options.method == "gptq") {
    LowbitGptqOptions gptq;
    fill(gptq);
    gptq.dampening = options.dampening;
    gptq.actOrder = options.actOrder;
    pm.addPass(createLowbitGptq(gptq));
  } else if (options.method == "awq") {
    LowbitAwqOptions awq;
    fill(awq);
    pm.addPass(createLowbitAwq(awq));
  } else if (options.method == "rtn") {
    LowbitQuantizeWeightsOptions quantize;
    fill(quantize);
    pm.addPass(createLowbitQuantizeWeights(quantize));
  } else {
    return errorHandler("unknown method '" + options.method +
                        "' (expected rtn, gptq or awq)");
  }
  pm.addPass(createCanonicalizerPass());
  if (scheme.staticInt8Activations) {
    pm.addNestedPass<func::FuncOp>(createLowbitIntegerize());
    pm.addPass(createCanonicalizerPass());
  }

  LowbitPackWeightsOptions pack;
  // Mixed precision packs every weight in the layout of its own scheme.
  pack.layout = options.layout.hasValue() ? options.layout.getValue()
                : mixed                   ? std::string("auto")
                                          : scheme.layout;
  pack.report = options.report;
  pack.dynamicInt8Activations = scheme.dynamicInt8Activations;
  pack.panelMinRows = options.panelMinRows;
  pm.addPass(createLowbitPackWeights(pack));

  LowbitFuseMatmulOptions fuse;
  fuse.dynamicInt8Activations = scheme.dynamicInt8Activations;
  fuse.bf16Activations = scheme.bf16Activations;
  pm.addPass(createLowbitFuseMatmul(fuse));
  // Activations and residual additions after the matmuls into their
  // epilogues (the kernels apply them to their outputs while in cache).
  pm.addPass(createLowbitFuseMatmulEpilogue());
  return success();
}

/// The upstream part of the lowering, as text so that it reads like the
/// mlir-opt command line it is equivalent to.
static constexpr llvm::StringLiteral kLowerToLLVM =
    "lowbit-fuse-matmul,lowbit-fuse-matmul-epilogue,"
    "lowbit-vectorize-matmul{int8-dot=INT8_DOT i8mm=I8MM vbmi=VBMI "
    "parallel=PARALLEL vector-bits=VECTOR_BITS bf16-dot=BF16_DOT},"
    "lowbit-vectorize-integer-matmul{int8-dot=INT8_DOT i8mm=I8MM "
    "parallel=PARALLEL},"
    "convert-lowbit-to-linalg,"
    "func.func(lowbit-vectorize-linalg{parallel=PARALLEL}),"
    "lowbit-export-c-interface,inline,symbol-dce,canonicalize,"
    "func.func(convert-elementwise-to-linalg),eliminate-empty-tensors,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    // Bufferization names constant globals in an unspecified function order.
    "lowbit-order-constant-globals,"
    // Tiled ops copy subviews onto identical subviews: CSE merges them and
    // the self-copies fold away.
    "cse,canonicalize,"
    // Functions that are not inlined must not return buffers: under the
    // bare-pointer convention a returned memref loses its allocated pointer.
    "buffer-results-to-out-params{hoist-static-allocs=true},"
    // --weights=external: constants become views of the caller's weights,
    // an argument every form of the entry points then takes.
    "EXTERNALIZE_CONSTANTS"
    "lowbit-plan-workspace,"
    "buffer-deallocation-pipeline,convert-bufferization-to-memref,"
    // No copy may become a call of MLIR's runtime library (memrefCopy).
    "lowbit-lower-strided-copies,"
    "lowbit-lower-dot-i8{isa=INT8_DOT},lowbit-lower-dot-bf16{isa=BF16_DOT},"
    "lowbit-lower-lookup-bytes{isa=BYTE_LOOKUP},"
    "lowbit-lower-multishift-bytes{vbmi=VBMI},"
    "func.func(lower-vector-multi-reduction,"
    "convert-vector-to-scf{full-unroll=true target-rank=1},"
    "convert-linalg-to-loops,"
    // Every math op, vector or scalar (the loops above make scalar ones),
    // into arith/vector code: the object needs no libm.
    "lowbit-approximate-math{expand-rounding=EXPAND_ROUNDING}),"
    // Parallel loops (scf.forall after bufferization) to OpenMP; canonicalize
    // inlines the loop bodies' memref.alloca_scope (allocas move to the
    // parallel region: one per thread), which cf blocks would invalidate.
    "scf-forall-to-parallel,SCF_TO_OPENMP"
    // f32 <-> bf16 as integer arithmetic where the CPU has no conversion
    // instruction (LLVM would call the compiler runtime's __truncsfbf2).
    "EXPAND_BF16"
    "lower-affine,convert-scf-to-cf,"
    "convert-vector-to-llvm{vector-contract-lowering=outerproduct "
    "enable-x86vector=X86VECTOR},"
    "convert-math-to-llvm,expand-strided-metadata,lower-affine,"
    "finalize-memref-to-llvm,"
    "convert-arith-to-llvm,convert-ub-to-llvm,"
    "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
    // After the functions: its patterns would convert them too, without the
    // bare-pointer convention.
    "convert-openmp-to-llvm,"
    "convert-cf-to-llvm,reconcile-unrealized-casts";

LogicalResult
lowbit::buildLowerToLLVMPipeline(OpPassManager &pm,
                                 const LowerToLLVMOptions &options) {
  std::string pipeline = kLowerToLLVM.str();
  auto fill = [&](StringRef slotName, StringRef value) {
    for (size_t slot; (slot = pipeline.find(slotName)) != std::string::npos;)
      pipeline.replace(slot, slotName.size(), value.str());
  };
  auto flag = [](bool value) { return value ? "true" : "false"; };
  bool openmp = options.threads == lowbit::LowerToLLVMOptions::Threads::OpenMP;
  fill("INT8_DOT", options.int8Dot);
  fill("VECTOR_BITS", std::to_string(options.vectorBits));
  fill("I8MM", flag(options.i8mm));
  fill("VBMI", flag(options.vbmi));
  fill("BF16_DOT", options.bf16Dot);
  fill("BYTE_LOOKUP", options.byteLookup);
  fill("X86VECTOR", flag(options.bf16Dot == "avx512-bf16"));
  fill("EXPAND_ROUNDING", flag(options.expandRounding));
  fill("PARALLEL", flag(openmp));
  fill("SCF_TO_OPENMP", openmp ? "convert-scf-to-openmp,canonicalize," : "");
  fill("EXTERNALIZE_CONSTANTS",
       options.externalWeights ? "lowbit-externalize-constants," : "");
  fill("EXPAND_BF16",
       options.expandBF16 ? "arith-expand{include-bf16=true}," : "");
  // The pass list without a builtin.module(...) wrapper: parsing a wrapped
  // pipeline into an existing manager would nest it a level too deep.
  return parsePassPipeline(pipeline, pm);
}

std::optional<lowbit::LowerToLLVMOptions::Threads>
lowbit::parseThreads(StringRef name) {
  if (name == "omp")
    return lowbit::LowerToLLVMOptions::Threads::OpenMP;
  if (name == "none")
    return lowbit::LowerToLLVMOptions::Threads::None;
  return std::nullopt;
}

std::string
lowbit::detail::formatChoices(ArrayRef<llvm::StringLiteral> choices) {
  std::string text;
  for (auto [i, choice] : llvm::enumerate(choices)) {
    if (i > 0)
      text += i + 1 == choices.size() ? " or " : ", ";
    text += choice.str();
  }
  return text;
}

lowbit::LowerToLLVMOptions
LowerToLLVMPipelineOptions::getLowerToLLVMOptions() const {
  lowbit::LowerToLLVMOptions options;
  options.int8Dot = int8Dot;
  options.vectorBits = vectorBits;
  options.i8mm = i8mm;
  options.vbmi = vbmi;
  options.bf16Dot = bf16Dot;
  options.byteLookup = byteLookup;
  options.expandRounding = expandRounding;
  options.expandBF16 = expandBF16;
  options.threads = *parseThreads(threads);
  options.externalWeights = weights == "external";
  return options;
}

void lowbit::registerLowbitPipelines() {
  PassPipelineRegistration<LowerToLLVMPipelineOptions>(
      "lowbit-lower-to-llvm",
      "Lower a tensor-level model to the LLVM dialect with C entry points "
      "(int lowbit_NAME(const T *in0, ..., T *out0))",
      [](OpPassManager &pm, const LowerToLLVMPipelineOptions &options) {
        // The options are checked when parsed: the pipeline text they fill
        // in always parses.
        if (failed(
                buildLowerToLLVMPipeline(pm, options.getLowerToLLVMOptions())))
          llvm::report_fatal_error("lowbit-lower-to-llvm: invalid pipeline");
      });
  registerPassPipeline(
      "lowbit-quantize",
      "Quantize and pack the weights of a model: upstream quant casts to "
      "lowbit (lowbit-import-quant), TOSA to linalg, "
      "lowbit-quantize-weights (method=rtn), lowbit-gptq (method=gptq), "
      "lowbit-awq (method=awq) or lowbit-mixed-precision (budget-bits=B), "
      "canonicalize (constant folding), lowbit-pack-weights, "
      "lowbit-fuse-matmul, lowbit-fuse-matmul-epilogue",
      [](OpPassManager &pm, StringRef optionsText,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        QuantizePipelineOptions options;
        if (failed(options.parseFromString(optionsText)))
          return failure();
        return buildQuantizePipeline(pm, options, errorHandler);
      },
      [](function_ref<void(const mlir::detail::PassOptions &)> optionHandler) {
        optionHandler(QuantizePipelineOptions());
      });
}

PackedWeightSize lowbit::getPackedWeightSize(ModuleOp module) {
  PackedWeightSize size;
  module.walk([&](PackedWeightOp op) {
    size.weights += op.getShape()[0] * op.getShape()[1];
    for (Value result : op->getResults()) {
      auto type = cast<ShapedType>(result.getType());
      size.bytes += type.getNumElements() * type.getElementTypeBitWidth() / 8;
    }
  });
  return size;
}

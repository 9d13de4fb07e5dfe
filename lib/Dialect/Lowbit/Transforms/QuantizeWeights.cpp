//===- QuantizeWeights.cpp - quantize constant weights --------------------===//
//
// Finds constant weights of contractions and convolutions, brings each into
// the canonical [N, K] form (output dimensions, then reduction dimensions),
// quantizes it with the numerics library (round to nearest) and feeds the
// codes and parameters to `lowbit.dequantize`, followed by the reshape /
// transpose back to the original layout (WeightAnalysis.h).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Dialect/Lowbit/Transforms/WeightAnalysis.h"
#include "lowbit/Dialect/Lowbit/Transforms/WeightOptions.h"
#include "lowbit/Numerics/ErrorMetrics.h"

#include "llvm/Support/Format.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITQUANTIZEWEIGHTS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

struct LowbitQuantizeWeightsPass
    : public WeightQuantizationPass<
          lowbit::impl::LowbitQuantizeWeightsBase<LowbitQuantizeWeightsPass>> {
  using WeightQuantizationPass::WeightQuantizationPass;

  void runOnOperation() override;

private:
  /// Quantizes one weight; a null value when it is left in float.
  FailureOr<Value> quantizeWeight(const WeightUse &weight,
                                  const ResolvedWeightScheme &resolved);
  /// The same in superblocks (param-type=superblock).
  FailureOr<Value>
  quantizeSuperblockWeight(const WeightUse &weight,
                           const ResolvedWeightScheme &resolved,
                           llvm::ArrayRef<float> canonical);
  /// The report remark of one weight.
  void remarkWeight(const WeightUse &weight, SchemeAttr scheme,
                    ArrayRef<float> canonical, ArrayRef<float> dequantized,
                    int64_t bytesAfter);
};

} // namespace

FailureOr<Value> LowbitQuantizeWeightsPass::quantizeWeight(
    const WeightUse &weight, const ResolvedWeightScheme &resolved) {
  SchemeAttr scheme = resolved.scheme;
  Type paramType = resolved.paramType;
  arith::ConstantOp constant = weight.constant;
  std::string name = getWeightName(constant);
  FailureOr<std::vector<float>> canonical = readCanonicalWeight(weight);
  if (failed(canonical))
    return failure();
  if (canonical->empty()) // Unreadable: left in float, with a remark.
    return Value();
  int64_t n = weight.getN(), k = weight.getK();

  if (isSuperblockParams(paramType))
    return quantizeSuperblockWeight(weight, resolved, *canonical);
  numerics::Scheme numericScheme = scheme.getNumericsScheme(paramType);
  numerics::Granularity granularity = scheme.getNumericsGranularity();
  numerics::ExecOptions exec;
  exec.numThreads = numThreads;
  auto quantized = numerics::quantizeTensor(
      *canonical, {n, k}, numericScheme, granularity, resolved.clipping, exec);
  if (!quantized)
    return constant.emitError() << "cannot quantize weight '" << name
                                << "': " << quantized.error().message;

  Value result = buildQuantizedWeight(weight, scheme, paramType, *quantized);
  bool zeroPoints = scheme.getForm() == ParamForm::Affine;
  bool mins = scheme.getForm() == ParamForm::MinScale;

  if (report) {
    auto dequantized = numerics::dequantizeTensor(*quantized, numericScheme,
                                                  granularity, exec);
    int64_t paramBytes = int64_t(quantized->scales.size()) *
                         (paramType.getIntOrFloatBitWidth() / 8);
    if (zeroPoints)
      paramBytes += int64_t(quantized->zeroPoints.size()) * 4;
    if (mins)
      paramBytes += paramBytes;
    remarkWeight(weight, scheme, *canonical, *dequantized,
                 llvm::divideCeil(n * k * scheme.getBits(), 8) + paramBytes);
  }
  return result;
}

FailureOr<Value> LowbitQuantizeWeightsPass::quantizeSuperblockWeight(
    const WeightUse &weight, const ResolvedWeightScheme &resolved,
    ArrayRef<float> canonical) {
  SchemeAttr scheme = resolved.scheme;
  int64_t n = weight.getN(), k = weight.getK();
  numerics::SuperblockFormat format = getSuperblockFormat(scheme);
  numerics::Scheme numericScheme = scheme.getNumericsScheme();
  auto quantized = numerics::quantizeSuperblockTensor(
      canonical, n, k, numericScheme, format, resolved.clipping);
  arith::ConstantOp constant = weight.constant;
  if (!quantized)
    return constant.emitError()
           << "cannot quantize weight '" << getWeightName(constant)
           << "' in superblocks: " << quantized.error().message;
  Value result = buildSuperblockWeight(weight, scheme, *quantized);
  if (report) {
    auto dequantized = numerics::dequantizeSuperblockTensor(
        quantized->words, quantized->params, n, k, numericScheme, format);
    remarkWeight(weight, scheme, canonical, *dequantized,
                 int64_t(quantized->words.size()) * 4 +
                     int64_t(quantized->params.size()));
  }
  return result;
}

void LowbitQuantizeWeightsPass::remarkWeight(const WeightUse &weight,
                                             SchemeAttr scheme,
                                             ArrayRef<float> canonical,
                                             ArrayRef<float> dequantized,
                                             int64_t bytesAfter) {
  arith::ConstantOp constant = weight.constant;
  auto type = cast<RankedTensorType>(constant.getType());
  numerics::ErrorStats stats =
      numerics::computeErrorStats(canonical, dequantized);
  int64_t before = type.getNumElements() * type.getElementTypeBitWidth() / 8;
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "quantized weight '" << getWeightName(constant) << "' ";
  llvm::interleave(type.getShape(), os, "x");
  os << " as [" << weight.getN() << ", " << weight.getK() << "] under "
     << scheme << ": " << before << " -> " << bytesAfter << " bytes ("
     << llvm::format("%.2f", double(before) / double(bytesAfter)) << "x), mse "
     << llvm::format("%.3e", stats.mse) << ", max abs error "
     << llvm::format("%.3e", stats.maxAbs) << ", SQNR "
     << llvm::format("%.2f", stats.sqnrDb) << " dB";
  constant.emitRemark() << text;
}

void LowbitQuantizeWeightsPass::runOnOperation() {
  ModuleOp module = getOperation();
  FailureOr<ResolvedWeightScheme> resolved =
      resolveScheme(/*allowSuperblock=*/true);
  if (failed(resolved))
    return signalPassFailure();
  if (failed(quantizeEachWeight(module, getSelection(), report,
                                "lowbit-quantize-weights",
                                [&](const WeightUse &weight) {
                                  return quantizeWeight(weight, *resolved);
                                })))
    return signalPassFailure();
}

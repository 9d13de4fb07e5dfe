//===- Integerize.cpp - statically quantized layers in integer arithmetic -===//

#include "LayerPatterns.h"
#include "lowbit/Dialect/Lowbit/IR/ConstantData.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Numerics/Calibration.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace lowbit {
#define GEN_PASS_DEF_LOWBITINTEGERIZE
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// Activation codes `x = (codes - zeroPoint) * scale`, one scale per tensor.
struct ActivationCodes {
  Value codes;
  float scale;
  int32_t zeroPoint;
};

/// Constant weight codes `w = codes * scales[c]` with c the index along axis
/// 0 (signed 8-bit, symmetric).
struct WeightCodes {
  SmallVector<int64_t> shape;
  std::vector<int64_t> codes;
  std::vector<float> scales; ///< one per index of dim 0
};

std::optional<std::vector<int64_t>> getConstantIntegers(Value value,
                                                        bool zeroExtend) {
  ElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)) ||
      !fitsConstantLimit(cast<ShapedType>(attr.getType())))
    return std::nullopt;
  FailureOr<std::vector<int64_t>> values = readIntegers(attr, zeroExtend);
  if (failed(values))
    return std::nullopt;
  return *values;
}

std::optional<ActivationCodes> matchActivationCodes(Value value) {
  auto dequantize = value.getDefiningOp<DequantizeOp>();
  if (!dequantize || dequantize.getMins())
    return std::nullopt;
  SchemeAttr scheme = dequantize.getScheme();
  if (scheme.getBits() != 8 || !scheme.getIsSigned() || scheme.getCodebook() ||
      scheme.getGranularity() != GranularityKind::PerTensor ||
      scheme.getForm() == ParamForm::MinScale ||
      !dequantize.getInput().getType().getElementType().isInteger(8))
    return std::nullopt;
  std::optional<std::vector<float>> scales =
      getConstantFloats(dequantize.getScales());
  if (!scales || scales->size() != 1)
    return std::nullopt;
  int32_t zeroPoint = 0;
  if (Value z = dequantize.getZeroPoints()) {
    std::optional<std::vector<int64_t>> zeroPoints =
        getConstantIntegers(z, /*zeroExtend=*/false);
    if (!zeroPoints || zeroPoints->size() != 1)
      return std::nullopt;
    zeroPoint = int32_t((*zeroPoints)[0]);
  }
  return ActivationCodes{dequantize.getInput(), (*scales)[0], zeroPoint};
}

std::optional<WeightCodes> matchWeightCodes(Value value) {
  auto dequantize = value.getDefiningOp<DequantizeOp>();
  if (!dequantize)
    return std::nullopt;
  SchemeAttr scheme = dequantize.getScheme();
  if (scheme.getBits() != 8 || !scheme.getIsSigned() || scheme.getCodebook() ||
      scheme.getForm() != ParamForm::Symmetric)
    return std::nullopt;
  bool perTensor = scheme.getGranularity() == GranularityKind::PerTensor;
  if (!perTensor && !(scheme.getGranularity() == GranularityKind::PerChannel &&
                      scheme.getAxis() == 0))
    return std::nullopt;
  auto type = dequantize.getInput().getType();
  if (!type.hasStaticShape())
    return std::nullopt;
  std::optional<std::vector<int64_t>> codes =
      getConstantIntegers(dequantize.getInput(), /*zeroExtend=*/false);
  std::optional<std::vector<float>> scales =
      getConstantFloats(dequantize.getScales());
  if (!codes || !scales)
    return std::nullopt;
  WeightCodes weights;
  weights.shape.assign(type.getShape().begin(), type.getShape().end());
  weights.codes = std::move(*codes);
  int64_t channels = weights.shape[0];
  weights.scales =
      perTensor ? std::vector<float>(channels, (*scales)[0]) : *scales;
  if (int64_t(weights.scales.size()) != channels)
    return std::nullopt;
  return weights;
}

/// How a layer's float result continues: through an optional ReLU into a
/// per-tensor int8 quantize (then the layer can end in requantize), or
/// anywhere else.
struct LayerOutput {
  Value preActivation; ///< the layer result before the ReLU
  bool relu = false;
  QuantizeOp quantize; ///< null when the output stays in float
  float scale = 1.0f;
  int32_t zeroPoint = 0;
  int64_t qmin = -128, qmax = 127; ///< the quantize's code range
  SmallVector<int32_t> multipliers, shifts; ///< per channel, with quantize
};

LayerOutput followOutput(Value value) {
  LayerOutput out;
  out.preActivation = value;
  if (value.hasOneUse())
    if (auto generic = dyn_cast<linalg::GenericOp>(*value.getUsers().begin());
        generic && isRelu(generic)) {
      out.relu = true;
      value = generic->getResult(0);
    }
  if (!value.hasOneUse())
    return out;
  auto quantize = dyn_cast<QuantizeOp>(*value.getUsers().begin());
  if (!quantize || quantize.getMins())
    return out;
  SchemeAttr scheme = quantize.getScheme();
  // Requantize rounds half up: the same as nearest-even or nearest-away but
  // on ties; toward-zero differs on every other value.
  if (scheme.getBits() != 8 || !scheme.getIsSigned() || scheme.getCodebook() ||
      scheme.getGranularity() != GranularityKind::PerTensor ||
      scheme.getRounding() == RoundingMode::TowardZero ||
      !quantize.getType().getElementType().isInteger(8))
    return out;
  std::optional<std::vector<float>> scales =
      getConstantFloats(quantize.getScales());
  if (!scales || scales->size() != 1)
    return out;
  int32_t zeroPoint = 0;
  if (Value z = quantize.getZeroPoints()) {
    auto zeroPoints = getConstantIntegers(z, /*zeroExtend=*/false);
    if (!zeroPoints || zeroPoints->size() != 1)
      return out;
    zeroPoint = int32_t((*zeroPoints)[0]);
  }
  out.quantize = quantize;
  out.qmin = scheme.getQmin();
  out.qmax = scheme.getQmax();
  out.scale = (*scales)[0];
  out.zeroPoint = zeroPoint;
  return out;
}

/// The i32 bias of a layer: round(bias[c] / (s_x s_w[c])) - z_x sum(W[c]).
FailureOr<SmallVector<int32_t>>
quantizeBias(ArrayRef<float> bias, const ActivationCodes &x,
             const WeightCodes &w, std::string &why) {
  int64_t channels = w.shape[0];
  int64_t perChannel = int64_t(w.codes.size()) / channels;
  SmallVector<int32_t> result;
  for (int64_t c = 0; c < channels; ++c) {
    int64_t sum = 0;
    for (int64_t i = 0; i < perChannel; ++i)
      sum += w.codes[c * perChannel + i];
    double scale = double(x.scale) * double(w.scales[c]);
    double real = bias.empty() ? 0.0 : double(bias[c]);
    double q = scale > 0.0 ? std::nearbyint(real / scale) : 0.0;
    double value = q - double(x.zeroPoint) * double(sum);
    if (!std::isfinite(value) || std::fabs(value) >= 2147483647.0) {
      why = "the quantized bias of channel " + std::to_string(c) +
            " does not fit in i32";
      return failure();
    }
    result.push_back(int32_t(value));
  }
  return result;
}

/// The fixed-point rescale s_x s_w[c] / s_y of each channel into the
/// following quantize.
LogicalResult computeRequantization(const ActivationCodes &x,
                                    const WeightCodes &w, LayerOutput &out,
                                    std::string &why) {
  if (!out.quantize)
    return success();
  for (int64_t c = 0, e = w.shape[0]; c < e; ++c) {
    int32_t multiplier = 0, shift = 0;
    double real = double(x.scale) * double(w.scales[c]) / double(out.scale);
    if (!numerics::computeRescale(real, multiplier, shift)) {
      why = "the rescale of channel " + std::to_string(c) + " is out of range";
      return failure();
    }
    out.multipliers.push_back(multiplier);
    out.shifts.push_back(shift);
  }
  return success();
}

/// Finishes an integer layer whose i32 accumulator is `acc` (channels along
/// `axis`): requantize into the following quantize, or dequantize to f32 in
/// place of the float result.
void finishLayer(PatternRewriter &b, Location loc, Value acc, int64_t axis,
                 const ActivationCodes &x, const WeightCodes &w,
                 LayerOutput out) {
  int64_t channels = w.shape[0];
  auto accType = cast<RankedTensorType>(acc.getType());
  if (out.quantize) {
    // The quantize's code range (narrow or not); a ReLU clamps at the code of
    // 0, the zero point.
    int64_t lowest = out.relu ? std::max<int64_t>(out.zeroPoint, out.qmin)
                              : out.qmin;
    IntegerAttr clampMin, clampMax;
    if (lowest > -128)
      clampMin = b.getI32IntegerAttr(int32_t(lowest));
    if (out.qmax < 127)
      clampMax = b.getI32IntegerAttr(int32_t(out.qmax));
    auto requantize = RequantizeOp::create(
        b, loc, out.quantize.getType(), acc,
        b.getDenseI32ArrayAttr(out.multipliers),
        b.getDenseI32ArrayAttr(out.shifts),
        b.getI64IntegerAttr(axis), b.getI32IntegerAttr(0),
        b.getI32IntegerAttr(out.zeroPoint), clampMin, clampMax);
    b.replaceOp(out.quantize, requantize.getResult());
    return;
  }
  // acc * (s_x * s_w[c]) as f32.
  SmallVector<float> scales;
  for (int64_t c = 0; c < channels; ++c)
    scales.push_back(float(double(x.scale) * double(w.scales[c])));
  auto scaleType = RankedTensorType::get({channels}, b.getF32Type());
  Value scaleValues = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(scaleType, ArrayRef(scales)));
  auto resultType = RankedTensorType::get(accType.getShape(), b.getF32Type());
  Value empty = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                        b.getF32Type());
  int64_t rank = accType.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap channel =
      AffineMap::get(rank, 0, {b.getAffineDimExpr(axis)}, b.getContext());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value result =
      linalg::GenericOp::create(
          b, loc, TypeRange{resultType}, ValueRange{acc, scaleValues},
          ValueRange{empty}, ArrayRef<AffineMap>{identity, channel, identity},
          iterators,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value f = arith::SIToFPOp::create(nb, l, nb.getF32Type(), args[0]);
            linalg::YieldOp::create(nb, l,
                                    Value(arith::MulFOp::create(nb, l, f, args[1])));
          })
          .getResult(0);
  b.replaceAllUsesWith(out.preActivation, result);
}

Value makeI8Constant(PatternRewriter &b, Location loc, ArrayRef<int64_t> shape,
                     ArrayRef<int64_t> codes) {
  SmallVector<int8_t> bytes(codes.begin(), codes.end());
  auto type = RankedTensorType::get(shape, b.getI8Type());
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, ArrayRef(bytes)));
}

Value makeI32Constant(PatternRewriter &b, Location loc,
                      ArrayRef<int32_t> values) {
  auto type = RankedTensorType::get({int64_t(values.size())}, b.getI32Type());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, values));
}

/// linalg.matmul(dequantize(xq), transpose(dequantize(W))) [+ bias] [ReLU]
/// -> lowbit.integer_matmul [-> lowbit.requantize].
struct IntegerizeMatmul : public OpRewritePattern<linalg::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &b) const override {
    if (op.hasUserDefinedMaps() || !isZeroFilled(op.getDpsInits()[0]) ||
        !isa<RankedTensorType>(op.getResult(0).getType()))
      return failure();
    std::optional<ActivationCodes> x = matchActivationCodes(op.getInputs()[0]);
    if (!x)
      return b.notifyMatchFailure(op, "activation is not per-tensor int8");
    // Weights as [N, K]: the transpose of [N, K] codes, or [K, N] codes with
    // one scale per column.
    auto transpose = op.getInputs()[1].getDefiningOp<linalg::TransposeOp>();
    std::optional<WeightCodes> w;
    if (transpose && transpose.getPermutation() == ArrayRef<int64_t>{1, 0})
      w = matchWeightCodes(transpose.getInput());
    if (!w)
      return b.notifyMatchFailure(op, "weights are not per-channel int8 codes");
    auto accumulatorType = cast<RankedTensorType>(op.getResult(0).getType());
    int64_t m = accumulatorType.getDimSize(0), n = w->shape[0],
            k = w->shape[1];
    if (!accumulatorType.hasStaticShape())
      return b.notifyMatchFailure(op, "dynamic shapes");

    Value result = op.getResult(0);
    std::vector<float> bias;
    Operation *biasOp = nullptr;
    if (result.hasOneUse())
      if (auto generic = dyn_cast<linalg::GenericOp>(*result.getUsers().begin()))
        if (Value biasVector = matchBiasAdd(generic, result))
          if (auto values = getConstantFloats(biasVector)) {
            bias = *values;
            biasOp = generic;
            result = generic->getResult(0);
          }
    std::string why;
    FailureOr<SmallVector<int32_t>> biasCodes = quantizeBias(bias, *x, *w, why);
    if (failed(biasCodes))
      return b.notifyMatchFailure(op, why);
    LayerOutput out = followOutput(result);
    if (failed(computeRequantization(*x, *w, out, why)))
      return b.notifyMatchFailure(op, why);

    Location loc = op.getLoc();
    b.setInsertionPointAfter(biasOp ? biasOp : op.getOperation());
    Value weights = makeI8Constant(b, loc, {n, k}, w->codes);
    auto accType = RankedTensorType::get({m, n}, b.getI32Type());
    Value acc = IntegerMatmulOp::create(b, loc, accType, x->codes, weights,
                                        makeI32Constant(b, loc, *biasCodes),
                                        b.getI32IntegerAttr(0));
    if (out.quantize)
      b.setInsertionPoint(out.quantize);
    finishLayer(b, loc, acc, /*axis=*/1, *x, *w, out);
    return success();
  }
};

/// linalg.conv_2d_nchw_fchw(dequantize(xq), dequantize(W)) onto a broadcast
/// bias [ReLU] -> the same convolution on int8 codes into i32 [->
/// lowbit.requantize].
struct IntegerizeConv : public OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp op,
                                PatternRewriter &b) const override {
    auto resultType = dyn_cast<RankedTensorType>(op.getResult(0).getType());
    if (!resultType || !resultType.hasStaticShape() ||
        !resultType.getElementType().isF32())
      return failure();
    std::optional<ActivationCodes> x = matchActivationCodes(op.getInputs()[0]);
    if (!x)
      return b.notifyMatchFailure(op, "activation is not per-tensor int8");
    // quantize-weights leaves [F, C*KH*KW] codes reshaped to [F, C, KH, KW].
    Value weight = op.getInputs()[1];
    auto expand = weight.getDefiningOp<tensor::ExpandShapeOp>();
    std::optional<WeightCodes> w =
        matchWeightCodes(expand ? expand.getSrc() : weight);
    if (w && expand) {
      ArrayRef<int64_t> shape = expand.getResultType().getShape();
      if (shape.empty() || shape[0] != w->shape[0])
        w.reset();
      else
        w->shape.assign(shape.begin(), shape.end());
    }
    if (!w)
      return b.notifyMatchFailure(op, "weights are not per-channel int8 codes");
    std::vector<float> bias;
    Value init = op.getDpsInits()[0];
    if (auto broadcast = init.getDefiningOp<linalg::BroadcastOp>()) {
      auto values = getConstantFloats(broadcast.getInput());
      if (!values || broadcast.getDimensions() != ArrayRef<int64_t>{0, 2, 3})
        return b.notifyMatchFailure(op, "bias is not a constant per channel");
      bias = *values;
    } else if (!isZeroFilled(init)) {
      return b.notifyMatchFailure(op, "accumulator is neither bias nor zero");
    }
    std::string why;
    FailureOr<SmallVector<int32_t>> biasCodes = quantizeBias(bias, *x, *w, why);
    if (failed(biasCodes))
      return b.notifyMatchFailure(op, why);
    LayerOutput out = followOutput(op.getResult(0));
    if (failed(computeRequantization(*x, *w, out, why)))
      return b.notifyMatchFailure(op, why);

    Location loc = op.getLoc();
    b.setInsertionPointAfter(op);
    Value weights = makeI8Constant(b, loc, w->shape, w->codes);
    auto accType = RankedTensorType::get(resultType.getShape(), b.getI32Type());
    Value empty = tensor::EmptyOp::create(b, loc, accType.getShape(),
                                          b.getI32Type());
    Value biasInit =
        linalg::BroadcastOp::create(b, loc, makeI32Constant(b, loc, *biasCodes),
                                    empty, ArrayRef<int64_t>{0, 2, 3})
            .getResult()[0];
    auto conv = linalg::Conv2DNchwFchwOp::create(
        b, loc, TypeRange{accType}, ValueRange{x->codes, weights},
        ValueRange{biasInit}, op.getStrides(), op.getDilations());
    if (out.quantize)
      b.setInsertionPoint(out.quantize);
    finishLayer(b, loc, conv.getResult(0), /*axis=*/1, *x, *w, out);
    return success();
  }
};

struct LowbitIntegerizePass
    : public lowbit::impl::LowbitIntegerizeBase<LowbitIntegerizePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<IntegerizeMatmul, IntegerizeConv>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

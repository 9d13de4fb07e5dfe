//===- FoldBatchNorm.cpp - inference batch norm into layer weights --------===//

#include "LayerPatterns.h"
#include "lowbit/Dialect/Lowbit/IR/ConstantData.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITFOLDBATCHNORM
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// A per-channel affine map y = x * scale[c] + shift[c] read off a
/// linalg.generic over `x` (channels along dim 1).
struct ChannelAffine {
  std::vector<float> scale, shift;
};

/// Matches `x * a + b`, `(x - m) * a + b` (operands in either order) with a,
/// b, m constant vectors indexed by dim 1.
std::optional<ChannelAffine> matchChannelAffine(linalg::GenericOp op, Value x,
                                                int64_t channels) {
  if (!isElementwise(op) || op.getNumDpsInputs() < 3)
    return std::nullopt;
  int64_t rank = op.getNumLoops();
  AffineMap channelMap =
      AffineMap::get(rank, 0, {getAffineDimExpr(1, op.getContext())},
                     op.getContext());
  Block &body = op.getRegion().front();
  // Block argument -> constant vector (or the activation).
  DenseMap<Value, std::vector<float>> vectors;
  Value xArg;
  for (auto [i, input] : llvm::enumerate(op.getDpsInputs())) {
    AffineMap map = op.getIndexingMapsArray()[i];
    if (input == x && map.isIdentity()) {
      xArg = body.getArgument(i);
      continue;
    }
    std::optional<std::vector<float>> values = getConstantFloats(input);
    if (map != channelMap || !values || int64_t(values->size()) != channels)
      return std::nullopt;
    vectors[body.getArgument(i)] = *values;
  }
  if (!xArg)
    return std::nullopt;
  auto isVector = [&](Value v) { return vectors.count(v) != 0; };
  Value result = cast<linalg::YieldOp>(body.getTerminator()).getValues()[0];
  auto add = result.getDefiningOp<arith::AddFOp>();
  if (!add)
    return std::nullopt;
  Value product = add.getLhs(), shiftArg = add.getRhs();
  if (isVector(product))
    std::swap(product, shiftArg);
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (!mul || !isVector(shiftArg))
    return std::nullopt;
  Value centred = mul.getLhs(), scaleArg = mul.getRhs();
  if (isVector(centred))
    std::swap(centred, scaleArg);
  if (!isVector(scaleArg))
    return std::nullopt;
  ChannelAffine affine{vectors[scaleArg], vectors[shiftArg]};
  if (centred != xArg) {
    auto sub = centred.getDefiningOp<arith::SubFOp>();
    if (!sub || sub.getLhs() != xArg || !isVector(sub.getRhs()))
      return std::nullopt;
    const std::vector<float> &mean = vectors[sub.getRhs()];
    for (int64_t c = 0; c < channels; ++c)
      affine.shift[c] = affine.shift[c] - mean[c] * affine.scale[c];
  }
  // The body must hold nothing else.
  if (body.getOperations().size() != (centred == xArg ? 3u : 4u))
    return std::nullopt;
  return affine;
}

Value floatConstant(PatternRewriter &b, Location loc, ArrayRef<int64_t> shape,
                    ArrayRef<float> values) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, values));
}

/// conv_2d_nchw_fchw(x, W) onto a per-channel bias (or zero), then a
/// per-channel affine map: scale the weights and bias instead.
struct FoldIntoConv : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &b) const override {
    for (Value input : op.getDpsInputs()) {
      auto conv = input.getDefiningOp<linalg::Conv2DNchwFchwOp>();
      if (!conv || !conv->hasOneUse())
        continue;
      auto type = dyn_cast<RankedTensorType>(conv.getResult(0).getType());
      std::optional<std::vector<float>> weights =
          getConstantFloats(conv.getInputs()[1]);
      if (!type || !type.getElementType().isF32() || !weights)
        continue;
      int64_t channels = type.getDimSize(1);
      std::optional<ChannelAffine> affine =
          matchChannelAffine(op, input, channels);
      if (!affine)
        continue;
      std::vector<float> bias(channels, 0.0f);
      Value init = conv.getDpsInits()[0];
      if (auto broadcast = init.getDefiningOp<linalg::BroadcastOp>()) {
        auto values = getConstantFloats(broadcast.getInput());
        if (!values || broadcast.getDimensions() != ArrayRef<int64_t>{0, 2, 3})
          continue;
        bias = *values;
      } else if (!isZeroFilled(init)) {
        continue;
      }
      int64_t perChannel = int64_t(weights->size()) / channels;
      for (int64_t c = 0; c < channels; ++c) {
        for (int64_t i = 0; i < perChannel; ++i)
          (*weights)[c * perChannel + i] *= affine->scale[c];
        bias[c] = bias[c] * affine->scale[c] + affine->shift[c];
      }
      Location loc = conv.getLoc();
      b.setInsertionPoint(op);
      auto weightType =
          cast<RankedTensorType>(conv.getInputs()[1].getType());
      Value newWeights =
          floatConstant(b, loc, weightType.getShape(), *weights);
      Value empty = tensor::EmptyOp::create(b, loc, type.getShape(),
                                            b.getF32Type());
      Value newInit =
          linalg::BroadcastOp::create(b, loc,
                                      floatConstant(b, loc, {channels}, bias),
                                      empty, ArrayRef<int64_t>{0, 2, 3})
              .getResult()[0];
      auto folded = linalg::Conv2DNchwFchwOp::create(
          b, loc, TypeRange{type}, ValueRange{conv.getInputs()[0], newWeights},
          ValueRange{newInit}, conv.getStrides(), conv.getDilations());
      b.replaceOp(op, folded.getResult(0));
      return success();
    }
    return failure();
  }
};

/// matmul(x, transpose(W)) [+ bias] then a per-channel affine map: scale the
/// rows of W and the bias instead.
struct FoldIntoMatmul : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &b) const override {
    for (Value input : op.getDpsInputs()) {
      if (!input.hasOneUse())
        continue;
      // Optional bias addition between the matmul and the normalization.
      Value product = input;
      std::optional<std::vector<float>> bias;
      if (auto add = input.getDefiningOp<linalg::GenericOp>()) {
        for (Value operand : add.getDpsInputs())
          if (Value vector = matchBiasAdd(add, operand)) {
            bias = getConstantFloats(vector);
            product = operand;
            break;
          }
        if (!bias)
          continue;
      }
      auto matmul = product.getDefiningOp<linalg::MatmulOp>();
      if (!matmul || !product.hasOneUse() || matmul.hasUserDefinedMaps() ||
          !isZeroFilled(matmul.getDpsInits()[0]))
        continue;
      auto transpose = matmul.getInputs()[1].getDefiningOp<linalg::TransposeOp>();
      if (!transpose || transpose.getPermutation() != ArrayRef<int64_t>{1, 0})
        continue;
      std::optional<std::vector<float>> weights =
          getConstantFloats(transpose.getInput());
      auto type = cast<RankedTensorType>(product.getType());
      if (!weights || !type.hasStaticShape())
        continue;
      int64_t n = type.getDimSize(1);
      std::optional<ChannelAffine> affine = matchChannelAffine(op, input, n);
      if (!affine)
        continue;
      std::vector<float> newBias = bias ? *bias : std::vector<float>(n, 0.0f);
      int64_t k = int64_t(weights->size()) / n;
      for (int64_t c = 0; c < n; ++c) {
        for (int64_t i = 0; i < k; ++i)
          (*weights)[c * k + i] *= affine->scale[c];
        newBias[c] = newBias[c] * affine->scale[c] + affine->shift[c];
      }
      Location loc = matmul.getLoc();
      b.setInsertionPoint(op);
      Value newWeights = floatConstant(b, loc, {n, k}, *weights);
      Value transposed =
          linalg::TransposeOp::create(b, loc, newWeights, transpose.getInit(),
                                      ArrayRef<int64_t>{1, 0})
              .getResult()[0];
      Value zero = matmul.getDpsInits()[0];
      Value folded = linalg::MatmulOp::create(
                         b, loc, TypeRange{type},
                         ValueRange{matmul.getInputs()[0], transposed},
                         ValueRange{zero})
                         .getResult(0);
      // + bias'[n], broadcast along rows.
      MLIRContext *context = b.getContext();
      AffineMap identity = b.getMultiDimIdentityMap(2);
      AffineMap row = AffineMap::get(2, 0, {b.getAffineDimExpr(1)}, context);
      Value empty = tensor::EmptyOp::create(b, loc, type.getShape(),
                                            b.getF32Type());
      Value result =
          linalg::GenericOp::create(
              b, loc, TypeRange{type},
              ValueRange{folded, floatConstant(b, loc, {n}, newBias)},
              ValueRange{empty}, ArrayRef<AffineMap>{identity, row, identity},
              ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                            utils::IteratorType::parallel},
              [&](OpBuilder &nb, Location l, ValueRange args) {
                linalg::YieldOp::create(
                    nb, l, Value(arith::AddFOp::create(nb, l, args[0], args[1])));
              })
              .getResult(0);
      b.replaceOp(op, result);
      return success();
    }
    return failure();
  }
};

struct LowbitFoldBatchNormPass
    : public lowbit::impl::LowbitFoldBatchNormBase<LowbitFoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoConv, FoldIntoMatmul>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

//===- Normalization.cpp - Softmax, BatchNorm, LayerNorm, InstanceNorm ----===//
//
// Row statistics are reductions (Builders.cpp) kept as size-1 axes, and
// the normalization one broadcasting generic: the form of the softmax and
// layer norm in ../shared/models/tinylm.
//
//===----------------------------------------------------------------------===//

#include "Converters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

Value reduceSum(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes) {
  return buildReduction(b, loc, x, axes, 0.0,
                        [](OpBuilder &nb, Location nl, Value e, Value acc) {
                          return arith::AddFOp::create(nb, nl, e, acc);
                        });
}

/// Mean over `axes`, in keepdims form.
Value mean(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= type.getDimSize(axis);
  Value sum =
      keepDims(b, loc, reduceSum(b, loc, x, axes), type.getShape(), axes);
  return buildElementwise(b, loc, sum, cast<RankedTensorType>(sum.getType()),
                          [&](OpBuilder &nb, Location nl, ValueRange a) {
                            return arith::DivFOp::create(
                                nb, nl, a[0],
                                scalarConstant(nb, nl, a[0].getType(), count));
                          });
}

template <bool isLog> LogicalResult convertSoftmax(NodeContext &ctx) {
  Value input;
  RankedTensorType inputType, type;
  if (failed(ctx.unaryOperands(input, inputType, type)))
    return failure();
  int64_t rank = type.getRank();
  std::optional<int64_t> axis =
      normalizeAxis(ctx, ctx.intAttr("axis", ctx.opset < 13 ? 1 : -1), rank);
  if (!axis)
    return failure();
  // Before opset 13 the input is coerced to 2-D at `axis`: the softmax runs
  // over every axis from `axis` on.
  SmallVector<int64_t> axes{*axis};
  if (ctx.opset < 13)
    for (int64_t d = *axis + 1; d < rank; ++d)
      axes.push_back(d);
  OpBuilder &b = ctx.b;
  Location loc = ctx.loc;
  Value max = keepDims(
      b, loc,
      buildReduction(b, loc, input, axes,
                     -std::numeric_limits<double>::infinity(),
                     [](OpBuilder &nb, Location nl, Value e, Value acc) {
                       return arith::MaximumFOp::create(nb, nl, e, acc);
                     }),
      type.getShape(), axes);
  Value exp = buildElementwise(
      b, loc, {input, max}, type, [](OpBuilder &nb, Location nl, ValueRange a) {
        return math::ExpOp::create(nb, nl,
                                   arith::SubFOp::create(nb, nl, a[0], a[1]));
      });
  Value sum =
      keepDims(b, loc, reduceSum(b, loc, exp, axes), type.getShape(), axes);
  Value result;
  if (isLog)
    result = buildElementwise(
        b, loc, {input, max, sum}, type,
        [](OpBuilder &nb, Location nl, ValueRange a) {
          Value shifted = arith::SubFOp::create(nb, nl, a[0], a[1]);
          return arith::SubFOp::create(nb, nl, shifted,
                                       math::LogOp::create(nb, nl, a[2]));
        });
  else
    result = buildElementwise(
        b, loc, {exp, sum}, type, [](OpBuilder &nb, Location nl, ValueRange a) {
          return arith::DivFOp::create(nb, nl, a[0], a[1]);
        });
  ctx.setOutput(0, result);
  return success();
}

/// A per-channel [C] parameter as [C, 1, ..., 1], which broadcasts along
/// axis 1 of a rank-`rank` tensor.
Value channelParam(OpBuilder &b, Location loc, Value param, int64_t rank) {
  auto type = cast<RankedTensorType>(param.getType());
  SmallVector<int64_t> shape{type.getNumElements()};
  shape.append(rank - 2, 1);
  return reshapeTo(b, loc, param,
                   RankedTensorType::get(shape, type.getElementType()));
}

LogicalResult convertBatchNorm(NodeContext &ctx) {
  RankedTensorType type = ctx.outputType(0);
  if (!type)
    return failure();
  float epsilon = ctx.floatAttr("epsilon", 1e-5f);
  ctx.floatAttr("momentum", 0.9f);
  ctx.intAttr("spatial", 1);
  // Opset 6 says inference with is_test = 1.
  if (ctx.intAttr("training_mode", 0) ||
      (ctx.opset < 7 && !ctx.intAttr("is_test", 0)) || ctx.numOutputs() > 1)
    return ctx.emitUnsupported()
           << "BatchNormalization in training mode is not supported";
  SmallVector<Value> operands;
  for (unsigned i = 0; i < 5; ++i) {
    Value v = ctx.input(i);
    if (!v)
      return failure();
    operands.push_back(
        i == 0 ? v : channelParam(ctx.b, ctx.loc, v, type.getRank()));
  }
  // y = (x - mean) * scale / sqrt(var + eps) + bias
  ctx.setOutput(
      0, buildElementwise(
             ctx.b, ctx.loc, operands, type,
             [&](OpBuilder &b, Location loc, ValueRange a) {
               Value eps = scalarConstant(b, loc, a[0].getType(), epsilon);
               Value inv = math::RsqrtOp::create(
                   b, loc, arith::AddFOp::create(b, loc, a[4], eps));
               Value centered = arith::SubFOp::create(b, loc, a[0], a[3]);
               Value scaled = arith::MulFOp::create(
                   b, loc, centered, arith::MulFOp::create(b, loc, a[1], inv));
               return arith::AddFOp::create(b, loc, scaled, a[2]);
             }));
  return success();
}

/// (x - mean) / sqrt(var + eps) over `axes`, then * scale + bias; returns
/// the keepdims mean and 1/sqrt(var + eps) through the out parameters.
Value normalize(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes,
                float epsilon, Value scale, Value bias, Value &mean_,
                Value &invStd) {
  auto type = cast<RankedTensorType>(x.getType());
  mean_ = mean(b, loc, x, axes);
  Value centered = buildElementwise(
      b, loc, {x, mean_}, type, [](OpBuilder &nb, Location nl, ValueRange a) {
        return arith::SubFOp::create(nb, nl, a[0], a[1]);
      });
  Value squared = buildElementwise(
      b, loc, centered, type, [](OpBuilder &nb, Location nl, ValueRange a) {
        return arith::MulFOp::create(nb, nl, a[0], a[0]);
      });
  Value variance = mean(b, loc, squared, axes);
  invStd = buildElementwise(
      b, loc, variance, cast<RankedTensorType>(variance.getType()),
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value eps = scalarConstant(nb, nl, a[0].getType(), epsilon);
        return math::RsqrtOp::create(nb, nl,
                                     arith::AddFOp::create(nb, nl, a[0], eps));
      });
  SmallVector<Value> operands{centered, invStd, scale};
  if (bias)
    operands.push_back(bias);
  return buildElementwise(
      b, loc, operands, type, [](OpBuilder &nb, Location nl, ValueRange a) {
        Value y = arith::MulFOp::create(
            nb, nl, arith::MulFOp::create(nb, nl, a[0], a[1]), a[2]);
        if (a.size() > 3)
          y = arith::AddFOp::create(nb, nl, y, a[3]);
        return y;
      });
}

LogicalResult convertLayerNorm(NodeContext &ctx) {
  Value x = ctx.input(0), scale = ctx.input(1);
  RankedTensorType type = ctx.outputType(0);
  if (!x || !scale || !type)
    return failure();
  Value bias;
  if (ctx.hasInput(2) && !(bias = ctx.input(2)))
    return failure();
  int64_t rank = type.getRank();
  std::optional<int64_t> axis =
      normalizeAxis(ctx, ctx.intAttr("axis", -1), rank);
  if (!axis)
    return failure();
  if (ctx.intAttr("stash_type", 1) != 1)
    return ctx.emitUnsupported() << "LayerNormalization stash_type other than "
                                    "float is not supported";
  SmallVector<int64_t> axes;
  for (int64_t d = *axis; d < rank; ++d)
    axes.push_back(d);
  Value meanValue, invStd;
  ctx.setOutput(0, normalize(ctx.b, ctx.loc, x, axes,
                             ctx.floatAttr("epsilon", 1e-5f), scale, bias,
                             meanValue, invStd));
  ctx.setOutput(1, meanValue);
  ctx.setOutput(2, invStd);
  return success();
}

LogicalResult convertInstanceNorm(NodeContext &ctx) {
  Value x = ctx.input(0), scale = ctx.input(1), bias = ctx.input(2);
  RankedTensorType type = ctx.outputType(0);
  if (!x || !scale || !bias || !type)
    return failure();
  int64_t rank = type.getRank();
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  Value meanValue, invStd;
  ctx.setOutput(0, normalize(ctx.b, ctx.loc, x, axes,
                             ctx.floatAttr("epsilon", 1e-5f),
                             channelParam(ctx.b, ctx.loc, scale, rank),
                             channelParam(ctx.b, ctx.loc, bias, rank),
                             meanValue, invStd));
  return success();
}

constexpr int64_t kMaxOpset = 17;

const OpConverter kConverters[] = {
    {"Softmax", 1, kMaxOpset, convertSoftmax<false>},
    {"LogSoftmax", 1, kMaxOpset, convertSoftmax<true>},
    {"BatchNormalization", 6, kMaxOpset, convertBatchNorm},
    {"LayerNormalization", 17, kMaxOpset, convertLayerNorm},
    {"InstanceNormalization", 6, kMaxOpset, convertInstanceNorm},
};
} // namespace

ArrayRef<OpConverter> lowbit::onnx_import::getNormalizationConverters() {
  return kConverters;
}

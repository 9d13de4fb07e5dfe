//===- Convolution.cpp - Conv, ConvTranspose, MaxPool, AveragePool
//---------===//
//
// 2-D convolutions without groups and 2-D pools use the named linalg ops
// (the forms of lenet.mlir, which the quantizer and the vectorizer know);
// grouped, 1-D and 3-D ones one linalg.generic over [N, G, C/G, ...].
// Padding is an explicit tensor.pad. ConvTranspose is the convolution of
// the stride-upsampled input with the flipped kernel.
//
//===----------------------------------------------------------------------===//

#include "Converters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

/// Window geometry per spatial axis.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, padBegin, padEnd;
};

/// Reads kernel_shape / strides / dilations / pads / auto_pad for `spatial`
/// axes of `inputShape` ([N, C, ...]) and `outputShape`.
FailureOr<Window> readWindow(NodeContext &ctx, ArrayRef<int64_t> inputShape,
                             ArrayRef<int64_t> kernel,
                             bool hasDilations = true) {
  size_t spatial = inputShape.size() - 2;
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  SmallVector<int64_t> attrKernel = ctx.intsAttr("kernel_shape");
  if (!attrKernel.empty())
    w.kernel = attrKernel;
  w.strides = ctx.intsAttr("strides");
  if (w.strides.empty())
    w.strides.assign(spatial, 1);
  if (hasDilations)
    w.dilations = ctx.intsAttr("dilations");
  if (w.dilations.empty())
    w.dilations.assign(spatial, 1);
  SmallVector<int64_t> pads = ctx.intsAttr("pads");
  std::string autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  if (w.kernel.size() != spatial || w.strides.size() != spatial ||
      w.dilations.size() != spatial ||
      (!pads.empty() && pads.size() != 2 * spatial)) {
    ctx.emitError() << "window attributes do not match " << spatial
                    << " spatial dimensions";
    return failure();
  }
  auto below = [](ArrayRef<int64_t> values, int64_t least) {
    return llvm::any_of(values, [&](int64_t v) { return v < least; });
  };
  // Bounded so that the window arithmetic below cannot overflow.
  auto huge = [](ArrayRef<int64_t> values) {
    return llvm::any_of(values, [](int64_t v) { return v > (1 << 30); });
  };
  if (below(w.kernel, 1) || below(w.strides, 1) || below(w.dilations, 1) ||
      below(pads, 0) || huge(w.kernel) || huge(w.strides) ||
      huge(w.dilations) || huge(pads)) {
    ctx.emitError() << "kernel sizes, strides and dilations must be in [1, "
                       "2^30] and pads in [0, 2^30]";
    return failure();
  }
  w.padBegin.assign(spatial, 0);
  w.padEnd.assign(spatial, 0);
  if (autoPad == "NOTSET") {
    for (size_t i = 0; i < spatial && !pads.empty(); ++i) {
      w.padBegin[i] = pads[i];
      w.padEnd[i] = pads[i + spatial];
    }
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = inputShape[i + 2], s = w.strides[i];
      int64_t out = (in + s - 1) / s;
      int64_t total = std::max<int64_t>(
          0, (out - 1) * s + (w.kernel[i] - 1) * w.dilations[i] + 1 - in);
      int64_t small = total / 2;
      w.padBegin[i] = autoPad == "SAME_UPPER" ? small : total - small;
      w.padEnd[i] = total - w.padBegin[i];
    }
  } else if (autoPad != "VALID") {
    ctx.emitUnsupported() << "unsupported auto_pad '" << autoPad << "'";
    return failure();
  }
  return w;
}

DenseIntElementsAttr i64Vector(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(
      VectorType::get({(int64_t)values.size()}, b.getI64Type()), values);
}

/// Pads the spatial axes of [N, C, ...] `value` with `padValue`.
Value padSpatial(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, double padValue) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> lowAll{0, 0}, highAll{0, 0}, shape;
  llvm::append_range(lowAll, low);
  llvm::append_range(highAll, high);
  for (int64_t d = 0; d < type.getRank(); ++d)
    shape.push_back(type.getDimSize(d) + lowAll[d] + highAll[d]);
  auto padded = RankedTensorType::get(shape, type.getElementType());
  Value scalar = scalarConstant(b, loc, type.getElementType(), padValue);
  return tensor::PadOp::create(
      b, loc, padded, value, getAsIndexOpFoldResult(b.getContext(), lowAll),
      getAsIndexOpFoldResult(b.getContext(), highAll), scalar);
}

/// out[n, g, f, o...] = init + sum_{c, k...} in[n, g, c, o*s + k*d] *
/// w[g, f, c, k...] on `input` [N, C, ...] and `weight` [F, C/G, k...],
/// returning [N, F, O...].
Value groupedConv(OpBuilder &b, Location loc, Value input, Value weight,
                  Value init, int64_t groups, const Window &w) {
  auto inType = cast<RankedTensorType>(input.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  auto outType = cast<RankedTensorType>(init.getType());
  int64_t spatial = inType.getRank() - 2;
  int64_t n = inType.getDimSize(0), c = wType.getDimSize(1);
  int64_t f = wType.getDimSize(0) / groups;
  Type element = outType.getElementType();
  auto shaped = [&](std::initializer_list<int64_t> head,
                    ArrayRef<int64_t> tail) {
    SmallVector<int64_t> shape(head);
    llvm::append_range(shape, tail);
    return shape;
  };
  Value in =
      reshapeTo(b, loc, input,
                RankedTensorType::get(
                    shaped({n, groups, c}, inType.getShape().drop_front(2)),
                    inType.getElementType()));
  Value wt =
      reshapeTo(b, loc, weight,
                RankedTensorType::get(
                    shaped({groups, f, c}, wType.getShape().drop_front(2)),
                    wType.getElementType()));
  auto accType = RankedTensorType::get(
      shaped({n, groups, f}, outType.getShape().drop_front(2)), element);
  Value acc = reshapeTo(b, loc, init, accType);
  // Loops: n, g, f, o_1..o_r, c, k_1..k_r.
  int64_t loops = 4 + 2 * spatial;
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> inExprs{d(0), d(1), d(3 + spatial)};
  SmallVector<AffineExpr> wExprs{d(1), d(2), d(3 + spatial)};
  SmallVector<AffineExpr> outExprs{d(0), d(1), d(2)};
  for (int64_t i = 0; i < spatial; ++i) {
    inExprs.push_back(d(3 + i) * w.strides[i] +
                      d(4 + spatial + i) * w.dilations[i]);
    wExprs.push_back(d(4 + spatial + i));
    outExprs.push_back(d(3 + i));
  }
  SmallVector<AffineMap> maps{
      AffineMap::get(loops, 0, inExprs, b.getContext()),
      AffineMap::get(loops, 0, wExprs, b.getContext()),
      AffineMap::get(loops, 0, outExprs, b.getContext())};
  SmallVector<utils::IteratorType> iterators(3 + spatial,
                                             utils::IteratorType::parallel);
  iterators.append(1 + spatial, utils::IteratorType::reduction);
  bool isFloat = isa<FloatType>(element);
  Value result =
      linalg::GenericOp::create(
          b, loc, accType, ValueRange{in, wt}, acc, maps, iterators,
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value x = castScalar(nb, nl, a[0], element, false, false);
            Value y = castScalar(nb, nl, a[1], element, false, false);
            Value sum =
                isFloat
                    ? (Value)arith::AddFOp::create(
                          nb, nl, a[2], arith::MulFOp::create(nb, nl, x, y))
                    : (Value)arith::AddIOp::create(
                          nb, nl, a[2], arith::MulIOp::create(nb, nl, x, y));
            linalg::YieldOp::create(nb, nl, sum);
          })
          .getResult(0);
  return reshapeTo(b, loc, result, outType);
}

/// The accumulator of a convolution: the bias broadcast along axis 1 (as
/// lenet.mlir's linalg.broadcast), or zeros.
Value convInit(OpBuilder &b, Location loc, RankedTensorType type, Value bias) {
  if (!bias)
    return filledTensor(b, loc, type, 0);
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  SmallVector<int64_t> dims{0};
  for (int64_t d = 2; d < type.getRank(); ++d)
    dims.push_back(d);
  return linalg::BroadcastOp::create(b, loc, bias, init, dims).getResult()[0];
}

/// The convolution proper, on an already padded input.
Value convolve(OpBuilder &b, Location loc, Value input, Value weight,
               Value init, int64_t groups, const Window &w) {
  auto inType = cast<RankedTensorType>(input.getType());
  auto type = cast<RankedTensorType>(init.getType());
  if (inType.getRank() == 4 && groups == 1 &&
      inType.getElementType() == type.getElementType())
    return linalg::Conv2DNchwFchwOp::create(
               b, loc, TypeRange{type}, ValueRange{input, weight}, init,
               i64Vector(b, w.strides), i64Vector(b, w.dilations))
        .getResult(0);
  return groupedConv(b, loc, input, weight, init, groups, w);
}

/// X, W, the optional bias B and the output type of Conv / ConvTranspose.
LogicalResult convOperands(NodeContext &ctx, Value &x, Value &weight,
                           Value &bias, RankedTensorType &type) {
  x = ctx.input(0);
  weight = ctx.input(1);
  type = ctx.outputType(0);
  if (!x || !weight || !type)
    return failure();
  if (ctx.hasInput(2) && !(bias = ctx.input(2)))
    return failure();
  return success();
}

/// The window and group count of a convolution of `xType` [N, C, D...] by
/// `wType` ([F, C/G, k...], or [C, F/G, k...] when transposed), checked
/// against each other and, unless transposed, against the inferred
/// `outType` [N, F, O...]: the converters index and divide by these.
FailureOr<std::pair<Window, int64_t>>
convGeometry(NodeContext &ctx, RankedTensorType xType, RankedTensorType wType,
             RankedTensorType outType, bool transposed) {
  int64_t rank = xType.getRank();
  if (rank < 3)
    return ctx.emitError() << ctx.node.op_type()
                           << " needs at least one spatial dimension",
           failure();
  if (wType.getRank() != rank || outType.getRank() != rank)
    return ctx.emitError() << ctx.node.op_type() << " of " << xType << " by "
                           << wType << " cannot give " << outType,
           failure();
  int64_t groups = ctx.intAttr("group", 1);
  int64_t c = xType.getDimSize(1);
  int64_t wIn =
      wType.getDimSize(transposed ? 0 : 1) * (transposed ? 1 : groups);
  int64_t f = wType.getDimSize(transposed ? 1 : 0) * (transposed ? groups : 1);
  if (groups < 1 || groups > c || c % groups || wIn != c || f % groups ||
      outType.getDimSize(1) != f ||
      outType.getDimSize(0) != xType.getDimSize(0))
    return ctx.emitError() << ctx.node.op_type() << " with group " << groups
                           << " of " << xType << " by " << wType
                           << " cannot give " << outType,
           failure();
  FailureOr<Window> w =
      readWindow(ctx, xType.getShape(), wType.getShape().drop_front(2));
  if (failed(w))
    return failure();
  for (int64_t i = 0; i + 2 < rank; ++i) {
    if (w->kernel[i] != wType.getDimSize(i + 2))
      return ctx.emitError() << "kernel_shape does not match " << wType,
             failure();
    if (transposed)
      continue;
    int64_t extent = xType.getDimSize(i + 2) + w->padBegin[i] + w->padEnd[i] -
                     (w->kernel[i] - 1) * w->dilations[i] - 1;
    if (extent < 0 || extent / w->strides[i] + 1 != outType.getDimSize(i + 2))
      return ctx.emitError() << ctx.node.op_type() << "'s window does not fit "
                             << xType << " to give " << outType,
             failure();
  }
  return std::make_pair(*w, groups);
}

LogicalResult convertConv(NodeContext &ctx) {
  Value x, weight, bias;
  RankedTensorType type;
  if (failed(convOperands(ctx, x, weight, bias, type)))
    return failure();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  auto geometry = convGeometry(ctx, xType, wType, type, false);
  if (failed(geometry))
    return failure();
  auto &[window, groups] = *geometry;
  Window *w = &window;
  Value padded = padSpatial(ctx.b, ctx.loc, x, w->padBegin, w->padEnd, 0);
  Value init = convInit(ctx.b, ctx.loc, type, bias);
  ctx.setOutput(0, convolve(ctx.b, ctx.loc, padded, weight, init, groups, *w));
  return success();
}

LogicalResult convertConvTranspose(NodeContext &ctx) {
  Value x, weight, bias;
  RankedTensorType type;
  if (failed(convOperands(ctx, x, weight, bias, type)))
    return failure();
  OpBuilder &b = ctx.b;
  Location loc = ctx.loc;
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  int64_t rank = xType.getRank(), spatial = rank - 2;
  auto geometry = convGeometry(ctx, xType, wType, type, true);
  if (failed(geometry))
    return failure();
  auto &[window, groups] = *geometry;
  Window *w = &window;
  SmallVector<int64_t> outputPadding = ctx.intsAttr("output_padding");
  if (outputPadding.empty())
    outputPadding.assign(spatial, 0);
  if ((int64_t)outputPadding.size() != spatial ||
      llvm::any_of(outputPadding,
                   [](int64_t v) { return v < 0 || v > (1 << 30); }))
    return ctx.emitError() << "output_padding must be " << spatial
                           << " values in [0, 2^30]";
  ctx.intsAttr("output_shape");
  std::string autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  // The pads follow from the output size shape inference computed (which
  // applied output_shape / auto_pad); the begin side is what the
  // attributes say, or the SAME_* split.
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t full = w->strides[i] * (xType.getDimSize(i + 2) - 1) +
                   outputPadding[i] + (w->kernel[i] - 1) * w->dilations[i] + 1;
    int64_t total = full - type.getDimSize(i + 2);
    // Floor division, as ONNX's reference: a larger output_shape than the
    // full result (total < 0) extends the end.
    int64_t half = llvm::divideFloorSigned(total, 2);
    if (autoPad == "SAME_UPPER")
      w->padBegin[i] = half;
    else if (autoPad == "SAME_LOWER" || ctx.hasAttr("output_shape"))
      w->padBegin[i] = total - half;
    w->padEnd[i] = total - w->padBegin[i];
  }
  // 1. Upsample: x at every stride-th position of a zero tensor.
  SmallVector<int64_t> upShape(xType.getShape().take_front(2));
  for (int64_t i = 0; i < spatial; ++i)
    upShape.push_back((xType.getDimSize(i + 2) - 1) * w->strides[i] + 1);
  Value up = filledTensor(
      b, loc, RankedTensorType::get(upShape, xType.getElementType()), 0);
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes, strides;
  for (int64_t d = 0; d < rank; ++d) {
    sizes.push_back(b.getIndexAttr(xType.getDimSize(d)));
    strides.push_back(b.getIndexAttr(d < 2 ? 1 : w->strides[d - 2]));
  }
  up = tensor::InsertSliceOp::create(b, loc, x, up, offsets, sizes, strides);
  // 2. Pad by (k - 1) * d - pad, cropping where that is negative.
  SmallVector<int64_t> low, high, cropLow, cropHigh;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t reach = (w->kernel[i] - 1) * w->dilations[i];
    int64_t l = reach - w->padBegin[i];
    int64_t h = reach - w->padEnd[i] + outputPadding[i];
    low.push_back(std::max<int64_t>(l, 0));
    high.push_back(std::max<int64_t>(h, 0));
    cropLow.push_back(std::max<int64_t>(-l, 0));
    cropHigh.push_back(std::max<int64_t>(-h, 0));
  }
  if (llvm::any_of(cropLow, [](int64_t v) { return v; }) ||
      llvm::any_of(cropHigh, [](int64_t v) { return v; })) {
    SmallVector<OpFoldResult> o(rank, b.getIndexAttr(0)), s,
        one(rank, b.getIndexAttr(1));
    SmallVector<int64_t> shape(upShape);
    for (int64_t i = 0; i < spatial; ++i) {
      o[i + 2] = b.getIndexAttr(cropLow[i]);
      shape[i + 2] -= cropLow[i] + cropHigh[i];
      if (shape[i + 2] < 1)
        return ctx.emitError() << "ConvTranspose's pads crop all of " << xType
                               << " to give " << type;
    }
    for (int64_t dsize : shape)
      s.push_back(b.getIndexAttr(dsize));
    up = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get(shape, xType.getElementType()), up, o, s,
        one);
  }
  up = padSpatial(b, loc, up, low, high, 0);
  // 3. The kernel [C, F/G, k...] as [F, C/G, k...] (per group), flipped.
  int64_t c = wType.getDimSize(0) / groups, f = wType.getDimSize(1);
  SmallVector<int64_t> kernel(wType.getShape().drop_front(2));
  SmallVector<int64_t> gcf{groups, c, f}, gfc{groups, f, c};
  llvm::append_range(gcf, kernel);
  llvm::append_range(gfc, kernel);
  Value grouped = reshapeTo(b, loc, weight,
                            RankedTensorType::get(gcf, wType.getElementType()));
  SmallVector<int64_t> perm{0, 2, 1}, kernelDims;
  for (int64_t i = 0; i < spatial; ++i) {
    perm.push_back(3 + i);
    kernelDims.push_back(3 + i);
  }
  Value permuted =
      linalg::TransposeOp::create(
          b, loc, grouped,
          tensor::EmptyOp::create(b, loc, gfc, wType.getElementType()), perm)
          .getResult()[0];
  Value flipped = reverseDims(b, loc, permuted, kernelDims);
  SmallVector<int64_t> fcShape{groups * f, c};
  llvm::append_range(fcShape, kernel);
  Value newWeight = reshapeTo(
      b, loc, flipped, RankedTensorType::get(fcShape, wType.getElementType()));
  Window unit = *w;
  unit.strides.assign(spatial, 1);
  Value init = convInit(b, loc, type, bias);
  ctx.setOutput(0, convolve(b, loc, up, newWeight, init, groups, unit));
  return success();
}

/// ConvInteger / QLinearConv: zero-point-corrected i32 operands convolved
/// exactly in i32 (the generic form); QLinearConv then adds its i32 bias
/// and requantizes by s_x s_w / s_y.
template <bool qlinear> LogicalResult convertIntegerConv(NodeContext &ctx) {
  // ConvInteger: x, w, x_zp, w_zp. QLinearConv: x, x_s, x_zp, w, w_s, w_zp,
  // y_s, y_zp, B.
  unsigned wIndex = qlinear ? 3 : 1;
  unsigned xZp = qlinear ? 2 : 2, wZp = qlinear ? 5 : 3;
  RankedTensorType type = ctx.outputType(0);
  Value x = zeroPointCentered(ctx, 0, xZp, -1);
  // The weight's zero point is per output channel (axis 0) or a scalar.
  Value weight = zeroPointCentered(ctx, wIndex, wZp, 0);
  if (!type || !x || !weight)
    return failure();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  auto geometry = convGeometry(ctx, xType, wType, type, false);
  if (failed(geometry))
    return failure();
  auto &[window, groups] = *geometry;
  Window *w = &window;
  OpBuilder &b = ctx.b;
  Location loc = ctx.loc;
  Value padded = padSpatial(b, loc, x, w->padBegin, w->padEnd, 0);
  auto accType = RankedTensorType::get(type.getShape(), b.getI32Type());
  Value bias;
  if (qlinear && ctx.hasInput(8) && !(bias = ctx.input(8)))
    return failure();
  Value acc = groupedConv(b, loc, padded, weight,
                          convInit(b, loc, accType, bias), groups, *w);
  if (!qlinear) {
    ctx.setOutput(0, acc);
    return success();
  }
  Value xs = ctx.input(1), ws = ctx.input(4), ys = ctx.input(6),
        yzp = ctx.input(7);
  if (!xs || !ws || !ys || !yzp)
    return failure();
  int64_t rank = type.getRank();
  auto wsType = cast<RankedTensorType>(ws.getType());
  if (wsType.getRank() == 1) {
    SmallVector<int64_t> shape(rank - 1, 1);
    shape[0] = wsType.getNumElements();
    ws = reshapeTo(b, loc, ws, wsType.clone(shape));
  }
  bool isUnsigned = ctx.isUnsignedInput(7);
  ctx.setOutput(
      0, buildElementwise(
             b, loc, {acc, xs, ws, ys, yzp}, type,
             [&](OpBuilder &nb, Location nl, ValueRange v) {
               Type f32 = nb.getF32Type();
               Value real = arith::SIToFPOp::create(nb, nl, f32, v[0]);
               Value factor = arith::DivFOp::create(
                   nb, nl, arith::MulFOp::create(nb, nl, v[1], v[2]), v[3]);
               return quantizeScalar(
                   nb, nl, arith::MulFOp::create(nb, nl, real, factor),
                   scalarConstant(nb, nl, f32, 1), v[4], isUnsigned);
             }));
  return success();
}

/// out[n, c, o...] = combine over k... of in[n, c, o*s + k*d]; 2-D through
/// the named pooling ops, other ranks through a generic with a window
/// operand that gives the reduction loops their extents.
template <bool isMax>
Value pool(OpBuilder &b, Location loc, Value input, RankedTensorType type,
           const Window &w) {
  Type element = type.getElementType();
  int64_t spatial = type.getRank() - 2;
  double inf = std::numeric_limits<double>::infinity();
  Value init = filledTensor(b, loc, type, isMax ? -inf : 0.0);
  Value window = tensor::EmptyOp::create(b, loc, w.kernel, element);
  if (spatial == 2) {
    if (isMax)
      return linalg::PoolingNchwMaxOp::create(
                 b, loc, TypeRange{type}, ValueRange{input, window}, init,
                 i64Vector(b, w.strides), i64Vector(b, w.dilations))
          .getResult(0);
    return linalg::PoolingNchwSumOp::create(
               b, loc, TypeRange{type}, ValueRange{input, window}, init,
               i64Vector(b, w.strides), i64Vector(b, w.dilations))
        .getResult(0);
  }
  int64_t loops = 2 + 2 * spatial;
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> inExprs{d(0), d(1)}, winExprs, outExprs{d(0), d(1)};
  for (int64_t i = 0; i < spatial; ++i) {
    inExprs.push_back(d(2 + i) * w.strides[i] +
                      d(2 + spatial + i) * w.dilations[i]);
    winExprs.push_back(d(2 + spatial + i));
    outExprs.push_back(d(2 + i));
  }
  SmallVector<utils::IteratorType> iterators(2 + spatial,
                                             utils::IteratorType::parallel);
  iterators.append(spatial, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{input, window}, init,
             SmallVector<AffineMap>{
                 AffineMap::get(loops, 0, inExprs, b.getContext()),
                 AffineMap::get(loops, 0, winExprs, b.getContext()),
                 AffineMap::get(loops, 0, outExprs, b.getContext())},
             iterators,
             [](OpBuilder &nb, Location nl, ValueRange a) {
               Value r =
                   isMax ? (Value)arith::MaximumFOp::create(nb, nl, a[0], a[2])
                         : (Value)arith::AddFOp::create(nb, nl, a[0], a[2]);
               linalg::YieldOp::create(nb, nl, r);
             })
      .getResult(0);
}

template <bool isMax> LogicalResult convertPool(NodeContext &ctx) {
  Value x;
  RankedTensorType xType, type;
  if (failed(ctx.unaryOperands(x, xType, type)))
    return failure();
  if (ctx.hasOutput(1))
    return ctx.emitUnsupported() << "MaxPool's Indices output is not supported";
  if (!isa<FloatType>(xType.getElementType()))
    return ctx.emitUnsupported()
           << ctx.node.op_type() << " on " << xType.getElementType()
           << " is not supported";
  if (xType.getRank() < 3)
    return ctx.emitError() << ctx.node.op_type()
                           << " needs at least one spatial dimension";
  ctx.intAttr("ceil_mode", 0);
  ctx.intAttr("storage_order", 0);
  bool includePad = ctx.intAttr("count_include_pad", 0);
  FailureOr<Window> w = readWindow(ctx, xType.getShape(), {}, isMax);
  if (failed(w))
    return failure();
  OpBuilder &b = ctx.b;
  Location loc = ctx.loc;
  int64_t spatial = xType.getRank() - 2;
  // ceil_mode: the last windows reach past the explicit padding.
  SmallVector<int64_t> extra;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t needed = (type.getDimSize(i + 2) - 1) * w->strides[i] +
                     (w->kernel[i] - 1) * w->dilations[i] + 1;
    int64_t have = xType.getDimSize(i + 2) + w->padBegin[i] + w->padEnd[i];
    extra.push_back(std::max<int64_t>(0, needed - have));
  }
  SmallVector<int64_t> high(w->padEnd);
  for (int64_t i = 0; i < spatial; ++i)
    high[i] += extra[i];
  double inf = std::numeric_limits<double>::infinity();
  Value padded = padSpatial(b, loc, x, w->padBegin, high, isMax ? -inf : 0.0);
  Value result = pool<isMax>(b, loc, padded, type, *w);
  if (isMax) {
    ctx.setOutput(0, result);
    return success();
  }
  // The divisor: how many window elements count, from a mask pooled the
  // same way (a constant the pipeline folds); the kernel size without pads.
  bool anyPad = llvm::any_of(w->padBegin, [](int64_t v) { return v; }) ||
                llvm::any_of(high, [](int64_t v) { return v; });
  int64_t windowSize = 1;
  for (int64_t k : w->kernel)
    windowSize *= k;
  Value divisor;
  if (anyPad) {
    SmallVector<int64_t> maskShape{1, 1};
    llvm::append_range(maskShape, xType.getShape().drop_front(2));
    Value mask = filledTensor(
        b, loc, RankedTensorType::get(maskShape, xType.getElementType()), 1);
    mask = padSpatial(b, loc, mask, w->padBegin, w->padEnd,
                      includePad ? 1.0 : 0.0);
    SmallVector<int64_t> zero(spatial, 0);
    mask = padSpatial(b, loc, mask, zero, extra, 0);
    SmallVector<int64_t> countShape{1, 1};
    llvm::append_range(countShape, type.getShape().drop_front(2));
    divisor = pool<false>(
        b, loc, mask, RankedTensorType::get(countShape, type.getElementType()),
        *w);
  }
  ctx.setOutput(
      0, buildElementwise(
             b, loc, divisor ? ValueRange{result, divisor} : ValueRange{result},
             type, [&](OpBuilder &nb, Location nl, ValueRange a) {
               Value count =
                   a.size() > 1
                       ? a[1]
                       : scalarConstant(nb, nl, a[0].getType(), windowSize);
               return arith::DivFOp::create(nb, nl, a[0], count);
             }));
  return success();
}

constexpr int64_t kMaxOpset = 17;

const OpConverter kConverters[] = {
    {"Conv", 1, kMaxOpset, convertConv},
    {"ConvTranspose", 1, kMaxOpset, convertConvTranspose},
    {"MaxPool", 1, kMaxOpset, convertPool<true>},
    {"AveragePool", 1, kMaxOpset, convertPool<false>},
    {"ConvInteger", 10, kMaxOpset, convertIntegerConv<false>},
    {"QLinearConv", 10, kMaxOpset, convertIntegerConv<true>},
};
} // namespace

ArrayRef<OpConverter> lowbit::onnx_import::getConvolutionConverters() {
  return kConverters;
}

//===- Shape.cpp - shape and data movement ops ----------------------------===//
//
// Reshape-like ops use the static output type shape inference gave; index
// operands (Slice starts, Gather on shapes, Reshape targets) must be known
// at compile time. Small integer results computed at compile time (Shape,
// Gather/Concat/Slice of shapes) are recorded for later shape operands.
//
//===----------------------------------------------------------------------===//

#include "Converters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <limits>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

/// An i64 constant tensor of `values` with `shape`.
Value intConstant(OpBuilder &b, Location loc, ArrayRef<int64_t> values,
                  ArrayRef<int64_t> shape, Type elementType) {
  auto type = RankedTensorType::get(shape, elementType);
  SmallVector<APInt> ints;
  for (int64_t v : values)
    ints.push_back(APInt(elementType.getIntOrFloatBitWidth(), v, true));
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, ints));
}

/// For an integer output whose values are known at compile time: a
/// constant, so that no shape arithmetic runs at run time.
bool emitKnown(NodeContext &ctx, RankedTensorType type,
               ArrayRef<int64_t> values) {
  if (isa<FloatType>(type.getElementType()) ||
      type.getNumElements() != (int64_t)values.size())
    return false;
  ctx.setOutput(0, intConstant(ctx.b, ctx.loc, values, type.getShape(),
                               type.getElementType()));
  ctx.setOutputInts(0, values);
  return true;
}

/// Records the output's compile-time values when the input's are known and
/// the op only rearranges them (in row-major order).
void forwardInts(NodeContext &ctx) {
  if (std::optional<SmallVector<int64_t>> ints = ctx.inputInts(0))
    ctx.setOutputInts(0, *ints);
}

/// Reshape, Flatten, Squeeze, Unsqueeze: the data in row-major order under
/// the output's static shape. Their shape operands and attributes are read
/// for validation only: shape inference already applied them.
LogicalResult convertReshapeLike(NodeContext &ctx) {
  Value input;
  RankedTensorType inputType, type;
  if (failed(ctx.unaryOperands(input, inputType, type)))
    return failure();
  ctx.intAttr("allowzero", 0);
  ctx.intAttr("axis", 1);
  ctx.intsAttr("axes");
  // ONNX 1.12's inference can give a shape of another size (a shape
  // operand computed wrongly): reshapeTo needs the same element count.
  if (inputType.getNumElements() != type.getNumElements() ||
      inputType.getElementType() != type.getElementType())
    return ctx.emitError() << ctx.node.op_type() << " of " << inputType
                           << " cannot give " << type;
  ctx.setOutput(0, reshapeTo(ctx.b, ctx.loc, input, type));
  forwardInts(ctx);
  return success();
}

LogicalResult convertTranspose(NodeContext &ctx) {
  Value input;
  RankedTensorType inputType, type;
  if (failed(ctx.unaryOperands(input, inputType, type)))
    return failure();
  int64_t rank = type.getRank();
  SmallVector<int64_t> perm = ctx.intsAttr("perm");
  if (perm.empty())
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  Value init = tensor::EmptyOp::create(ctx.b, ctx.loc, type.getShape(),
                                       type.getElementType());
  ctx.setOutput(0,
                linalg::TransposeOp::create(ctx.b, ctx.loc, input, init, perm)
                    .getResult()[0]);
  return success();
}

LogicalResult convertConcat(NodeContext &ctx) {
  RankedTensorType type = ctx.outputType(0);
  if (!type)
    return failure();
  std::optional<int64_t> axis =
      normalizeAxis(ctx, ctx.intAttr("axis", 0), type.getRank());
  if (!axis)
    return failure();
  if (type.getRank() == 1) {
    SmallVector<int64_t> known;
    bool allKnown = true;
    for (unsigned i = 0; i < ctx.numInputs() && allKnown; ++i) {
      std::optional<SmallVector<int64_t>> ints = ctx.inputInts(i);
      if (ints)
        llvm::append_range(known, *ints);
      allKnown = ints.has_value();
    }
    if (allKnown && emitKnown(ctx, type, known))
      return success();
  }
  Value result = tensor::EmptyOp::create(ctx.b, ctx.loc, type.getShape(),
                                         type.getElementType());
  int64_t offset = 0;
  for (unsigned i = 0; i < ctx.numInputs(); ++i) {
    Value input = ctx.input(i);
    if (!input)
      return failure();
    auto inputType = cast<RankedTensorType>(input.getType());
    SmallVector<OpFoldResult> offsets(type.getRank(), ctx.b.getIndexAttr(0));
    offsets[*axis] = ctx.b.getIndexAttr(offset);
    SmallVector<OpFoldResult> sizes,
        strides(type.getRank(), ctx.b.getIndexAttr(1));
    for (int64_t d : inputType.getShape())
      sizes.push_back(ctx.b.getIndexAttr(d));
    result = tensor::InsertSliceOp::create(ctx.b, ctx.loc, input, result,
                                           offsets, sizes, strides);
    offset += inputType.getDimSize(*axis);
  }
  ctx.setOutput(0, result);
  return success();
}

LogicalResult convertSplit(NodeContext &ctx) {
  Value input = ctx.input(0);
  if (!input)
    return failure();
  auto inputType = cast<RankedTensorType>(input.getType());
  std::optional<int64_t> axis =
      normalizeAxis(ctx, ctx.intAttr("axis", 0), inputType.getRank());
  if (!axis)
    return failure();
  ctx.intsAttr("split");
  int64_t offset = 0;
  for (unsigned i = 0; i < ctx.numOutputs(); ++i) {
    RankedTensorType type = ctx.outputType(i);
    if (!type)
      return failure();
    SmallVector<OpFoldResult> offsets(type.getRank(), ctx.b.getIndexAttr(0));
    offsets[*axis] = ctx.b.getIndexAttr(offset);
    SmallVector<OpFoldResult> sizes,
        strides(type.getRank(), ctx.b.getIndexAttr(1));
    for (int64_t d : type.getShape())
      sizes.push_back(ctx.b.getIndexAttr(d));
    ctx.setOutput(i, tensor::ExtractSliceOp::create(ctx.b, ctx.loc, type, input,
                                                    offsets, sizes, strides));
    offset += type.getDimSize(*axis);
  }
  return success();
}

LogicalResult convertSlice(NodeContext &ctx) {
  Value input;
  RankedTensorType inputType, type;
  if (failed(ctx.unaryOperands(input, inputType, type)))
    return failure();
  int64_t rank = inputType.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (ctx.opset < 10) {
    starts = ctx.intsAttr("starts");
    ends = ctx.intsAttr("ends");
    axes = ctx.intsAttr("axes");
  } else {
    std::optional<SmallVector<int64_t>> s = ctx.inputInts(1),
                                        e = ctx.inputInts(2);
    std::optional<SmallVector<int64_t>> a, st;
    if (ctx.hasInput(3) && !(a = ctx.inputInts(3)))
      return ctx.emitUnsupported() << "Slice needs constant axes";
    if (ctx.hasInput(4) && !(st = ctx.inputInts(4)))
      return ctx.emitUnsupported() << "Slice needs constant steps";
    if (!s || !e)
      return ctx.emitUnsupported() << "Slice needs constant starts and ends";
    starts = *s;
    ends = *e;
    if (a)
      axes = *a;
    if (st)
      steps = *st;
  }
  if (axes.empty())
    for (int64_t i = 0; i < (int64_t)starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  SmallVector<int64_t> offsets(rank, 0), sizes(inputType.getShape()),
      strides(rank, 1);
  SmallVector<int64_t> reversed;
  for (auto [i, axisValue] : llvm::enumerate(axes)) {
    std::optional<int64_t> axis = normalizeAxis(ctx, axisValue, rank);
    if (!axis)
      return failure();
    int64_t dim = inputType.getDimSize(*axis);
    int64_t step = steps[i];
    if (step == 0)
      return ctx.emitError() << "Slice step 0";
    auto clampIndex = [&](int64_t v, int64_t lo, int64_t hi) {
      if (v < 0)
        v = v < std::numeric_limits<int64_t>::min() / 2 ? lo : v + dim;
      return std::clamp(v, lo, hi);
    };
    int64_t start, end;
    if (step > 0) {
      start = clampIndex(starts[i], 0, dim);
      end = clampIndex(ends[i], 0, dim);
    } else {
      start = clampIndex(starts[i], -1, dim - 1);
      end = clampIndex(ends[i], -1, dim - 1);
    }
    int64_t count =
        step > 0 ? std::max<int64_t>(0, (end - start + step - 1) / step)
                 : std::max<int64_t>(0, (start - end - step - 1) / -step);
    if (count != type.getDimSize(*axis))
      return ctx.emitError()
             << "Slice computes " << count << " elements on axis " << *axis
             << ", shape inference " << type.getDimSize(*axis);
    sizes[*axis] = count;
    if (step > 0) {
      offsets[*axis] = start;
      strides[*axis] = step;
    } else {
      // The same elements in forward order, reversed after.
      offsets[*axis] = count ? start + (count - 1) * step : 0;
      strides[*axis] = -step;
      reversed.push_back(*axis);
    }
  }
  auto indexAttrs = [&](ArrayRef<int64_t> values) {
    return llvm::to_vector(llvm::map_range(values, [&](int64_t v) {
      return OpFoldResult(ctx.b.getIndexAttr(v));
    }));
  };
  Value result = tensor::ExtractSliceOp::create(
      ctx.b, ctx.loc, type, input, indexAttrs(offsets), indexAttrs(sizes),
      indexAttrs(strides));
  result = reverseDims(ctx.b, ctx.loc, result, reversed);
  ctx.setOutput(0, result);
  if (std::optional<SmallVector<int64_t>> ints = ctx.inputInts(0))
    if (rank == 1 && reversed.empty()) {
      SmallVector<int64_t> values;
      for (int64_t i = 0; i < sizes[0]; ++i)
        values.push_back((*ints)[offsets[0] + i * strides[0]]);
      ctx.setOutputInts(0, values);
    }
  return success();
}

LogicalResult convertGather(NodeContext &ctx) {
  Value data = ctx.input(0), indices = ctx.input(1);
  RankedTensorType type = ctx.outputType(0);
  if (!data || !indices || !type)
    return failure();
  auto dataType = cast<RankedTensorType>(data.getType());
  auto indicesType = cast<RankedTensorType>(indices.getType());
  std::optional<int64_t> axis =
      normalizeAxis(ctx, ctx.intAttr("axis", 0), dataType.getRank());
  if (!axis)
    return failure();
  int64_t rank = type.getRank(), indicesRank = indicesType.getRank();
  int64_t axisSize = dataType.getDimSize(*axis);

  std::optional<SmallVector<int64_t>> knownData = ctx.inputInts(0);
  std::optional<SmallVector<int64_t>> knownIndices = ctx.inputInts(1);
  if (knownData && knownIndices && dataType.getRank() == 1) {
    SmallVector<int64_t> values;
    for (int64_t i : *knownIndices)
      values.push_back((*knownData)[i < 0 ? i + axisSize : i]);
    if (emitKnown(ctx, type, values))
      return success();
  }

  // out[pre..., idx..., post...] = data[pre..., indices[idx...], post...]
  SmallVector<AffineExpr> indexExprs;
  for (int64_t d = 0; d < indicesRank; ++d)
    indexExprs.push_back(ctx.b.getAffineDimExpr(*axis + d));
  SmallVector<AffineMap> maps{
      AffineMap::get(rank, 0, indexExprs, ctx.b.getContext()),
      ctx.b.getMultiDimIdentityMap(rank)};
  Value init = tensor::EmptyOp::create(ctx.b, ctx.loc, type.getShape(),
                                       type.getElementType());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  int64_t axisValue = *axis;
  auto generic = linalg::GenericOp::create(
      ctx.b, ctx.loc, type, indices, init, maps, iterators,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Value index = args[0];
        Value size = scalarConstant(b, loc, index.getType(), axisSize);
        Value zero = scalarConstant(b, loc, index.getType(), 0);
        Value negative = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::slt, index, zero);
        index = arith::SelectOp::create(
            b, loc, negative, arith::AddIOp::create(b, loc, index, size),
            index);
        SmallVector<Value> coordinates;
        for (int64_t d = 0; d < axisValue; ++d)
          coordinates.push_back(linalg::IndexOp::create(b, loc, d));
        coordinates.push_back(
            arith::IndexCastOp::create(b, loc, b.getIndexType(), index));
        for (int64_t d = axisValue + 1; d < dataType.getRank(); ++d)
          coordinates.push_back(
              linalg::IndexOp::create(b, loc, d - 1 + indicesRank));
        Value element = tensor::ExtractOp::create(b, loc, data, coordinates);
        linalg::YieldOp::create(b, loc, element);
      });
  ctx.setOutput(0, generic.getResult(0));
  return success();
}

LogicalResult convertExpand(NodeContext &ctx) {
  Value input;
  RankedTensorType inputType, type;
  if (failed(ctx.unaryOperands(input, inputType, type)))
    return failure();
  ctx.setOutput(0, buildElementwise(ctx.b, ctx.loc, input, type,
                                    [](OpBuilder &, Location, ValueRange a) {
                                      return a[0];
                                    }));
  return success();
}

LogicalResult convertTile(NodeContext &ctx) {
  Value input;
  RankedTensorType inputType, type;
  if (failed(ctx.unaryOperands(input, inputType, type)))
    return failure();
  int64_t rank = type.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    exprs.push_back(ctx.b.getAffineDimExpr(d) % inputType.getDimSize(d));
  SmallVector<AffineMap> maps{
      AffineMap::get(rank, 0, exprs, ctx.b.getContext()),
      ctx.b.getMultiDimIdentityMap(rank)};
  Value init = tensor::EmptyOp::create(ctx.b, ctx.loc, type.getShape(),
                                       type.getElementType());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  ctx.setOutput(0, linalg::GenericOp::create(
                       ctx.b, ctx.loc, type, input, init, maps, iterators,
                       [](OpBuilder &b, Location loc, ValueRange args) {
                         linalg::YieldOp::create(b, loc, args[0]);
                       })
                       .getResult(0));
  return success();
}

LogicalResult convertShape(NodeContext &ctx) {
  RankedTensorType inputType = ctx.inputType(0);
  RankedTensorType type = ctx.outputType(0);
  if (!inputType || !type)
    return failure();
  int64_t rank = inputType.getRank();
  int64_t start = ctx.intAttr("start", 0), end = ctx.intAttr("end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  SmallVector<int64_t> dims(inputType.getShape().slice(start, end - start));
  ctx.setOutput(0, intConstant(ctx.b, ctx.loc, dims, {(int64_t)dims.size()},
                               type.getElementType()));
  ctx.setOutputInts(0, dims);
  return success();
}

LogicalResult convertSize(NodeContext &ctx) {
  RankedTensorType inputType = ctx.inputType(0);
  RankedTensorType type = ctx.outputType(0);
  if (!inputType || !type)
    return failure();
  int64_t size = inputType.getNumElements();
  ctx.setOutput(0,
                intConstant(ctx.b, ctx.loc, size, {}, type.getElementType()));
  ctx.setOutputInts(0, size);
  return success();
}

LogicalResult convertConstantOfShape(NodeContext &ctx) {
  RankedTensorType type = ctx.outputType(0);
  if (!type)
    return failure();
  double value = 0;
  if (const onnx::AttributeProto *attr = ctx.attr("value")) {
    const onnx::TensorProto &t = attr->t();
    if (t.float_data_size())
      value = t.float_data(0);
    else if (t.int64_data_size())
      value = t.int64_data(0);
    else if (t.int32_data_size())
      value = t.int32_data(0);
    else if (t.double_data_size())
      value = t.double_data(0);
    else if (t.has_raw_data()) {
      Type element = convertElementType(ctx.b.getContext(), t.data_type());
      if (!element || t.raw_data().size() * 8 < element.getIntOrFloatBitWidth())
        return ctx.emitError() << "ConstantOfShape value is malformed";
      const std::string &raw = t.raw_data();
      if (element.isF32()) {
        float f;
        memcpy(&f, raw.data(), 4);
        value = f;
      } else if (element.isF64()) {
        memcpy(&value, raw.data(), 8);
      } else if (element.isInteger(64)) {
        int64_t i;
        memcpy(&i, raw.data(), 8);
        value = i;
      } else if (element.isInteger(32)) {
        int32_t i;
        memcpy(&i, raw.data(), 4);
        value = i;
      } else if (element.isInteger(8) || element.isInteger(1)) {
        value = (int8_t)raw[0];
      } else {
        return ctx.emitUnsupported() << "ConstantOfShape value of type "
                                     << element << " is not supported";
      }
    }
  }
  if (!isa<FloatType>(type.getElementType()) && type.getNumElements() <= 64)
    ctx.setOutputInts(
        0, SmallVector<int64_t>(type.getNumElements(), (int64_t)value));
  ctx.setOutput(0, filledTensor(ctx.b, ctx.loc, type, value));
  return success();
}

LogicalResult convertRange(NodeContext &ctx) {
  RankedTensorType type = ctx.outputType(0);
  if (!type)
    return failure();
  std::optional<SmallVector<double>> start = ctx.inputFloats(0),
                                     limit = ctx.inputFloats(1),
                                     delta = ctx.inputFloats(2);
  (void)limit;
  if (!start || !delta || start->size() != 1 || delta->size() != 1)
    return ctx.emitUnsupported()
           << "Range needs constant start, limit and delta";
  // out[i] = start + i * delta, computed per element from the index.
  Type element = type.getElementType();
  double s = (*start)[0], d = (*delta)[0];
  Value init =
      tensor::EmptyOp::create(ctx.b, ctx.loc, type.getShape(), element);
  SmallVector<AffineMap> maps{ctx.b.getMultiDimIdentityMap(1)};
  auto generic = linalg::GenericOp::create(
      ctx.b, ctx.loc, type, ValueRange{}, init, maps,
      SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
      [&](OpBuilder &b, Location loc, ValueRange) {
        Value i = linalg::IndexOp::create(b, loc, 0);
        Value iv = arith::IndexCastOp::create(b, loc, b.getI64Type(), i);
        Value v;
        if (isa<FloatType>(element)) {
          Value fi = arith::SIToFPOp::create(b, loc, element, iv);
          v = arith::AddFOp::create(
              b, loc, scalarConstant(b, loc, element, s),
              arith::MulFOp::create(b, loc, fi,
                                    scalarConstant(b, loc, element, d)));
        } else {
          Value ii = castScalar(b, loc, iv, element, false, false);
          v = arith::AddIOp::create(
              b, loc, scalarConstant(b, loc, element, s),
              arith::MulIOp::create(b, loc, ii,
                                    scalarConstant(b, loc, element, d)));
        }
        linalg::YieldOp::create(b, loc, v);
      });
  ctx.setOutput(0, generic.getResult(0));
  return success();
}

/// Pad: constant mode as tensor.pad (negative pads crop first); reflect
/// and edge as a generic reading input[mapped index] with tensor.extract.
LogicalResult convertPad(NodeContext &ctx) {
  Value input;
  RankedTensorType inputType, type;
  if (failed(ctx.unaryOperands(input, inputType, type)))
    return failure();
  int64_t rank = inputType.getRank();
  std::string mode = ctx.stringAttr("mode", "constant");
  SmallVector<int64_t> pads;
  double value = 0;
  if (ctx.opset < 11) {
    pads = ctx.intsAttr("pads");
    value = ctx.floatAttr("value", 0.0f);
  } else {
    std::optional<SmallVector<int64_t>> known = ctx.inputInts(1);
    if (!known)
      return ctx.emitUnsupported() << "Pad needs constant pads";
    pads = *known;
    if (ctx.hasInput(2)) {
      std::optional<SmallVector<double>> v = ctx.inputFloats(2);
      if (!v || v->size() != 1)
        return ctx.emitUnsupported() << "Pad needs a constant constant_value";
      value = (*v)[0];
    }
  }
  SmallVector<int64_t> axes;
  if (ctx.hasInput(3)) {
    std::optional<SmallVector<int64_t>> known = ctx.inputInts(3);
    if (!known)
      return ctx.emitUnsupported() << "Pad needs constant axes";
    for (int64_t a : *known) {
      std::optional<int64_t> axis = normalizeAxis(ctx, a, rank);
      if (!axis)
        return failure();
      axes.push_back(*axis);
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  if (pads.size() != 2 * axes.size())
    return ctx.emitError() << "Pad has " << pads.size() << " pads for "
                           << axes.size() << " axes";
  SmallVector<int64_t> low(rank, 0), high(rank, 0);
  for (auto [i, axis] : llvm::enumerate(axes)) {
    low[axis] = pads[i];
    high[axis] = pads[i + axes.size()];
  }
  OpBuilder &b = ctx.b;
  Location loc = ctx.loc;
  if (mode == "constant") {
    // Negative pads remove elements.
    SmallVector<OpFoldResult> offsets, sizes, strides(rank, b.getIndexAttr(1));
    SmallVector<int64_t> cropped;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t begin = std::max<int64_t>(0, -low[d]);
      int64_t size =
          inputType.getDimSize(d) - begin - std::max<int64_t>(0, -high[d]);
      offsets.push_back(b.getIndexAttr(begin));
      sizes.push_back(b.getIndexAttr(size));
      cropped.push_back(size);
      low[d] = std::max<int64_t>(0, low[d]);
      high[d] = std::max<int64_t>(0, high[d]);
    }
    Value source = input;
    if (cropped != SmallVector<int64_t>(inputType.getShape()))
      source = tensor::ExtractSliceOp::create(b, loc, inputType.clone(cropped),
                                              input, offsets, sizes, strides);
    Value scalar = scalarConstant(b, loc, type.getElementType(), value);
    ctx.setOutput(0, tensor::PadOp::create(
                         b, loc, type, source,
                         getAsIndexOpFoldResult(b.getContext(), low),
                         getAsIndexOpFoldResult(b.getContext(), high), scalar));
    return success();
  }
  if (mode != "reflect" && mode != "edge")
    return ctx.emitUnsupported() << "unsupported Pad mode '" << mode << "'";
  bool reflect = mode == "reflect";
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  auto generic = linalg::GenericOp::create(
      b, loc, type, ValueRange{}, init,
      SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank)},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange) {
        SmallVector<Value> indices;
        for (int64_t d = 0; d < rank; ++d) {
          int64_t n = inputType.getDimSize(d);
          Value i = arith::SubIOp::create(
              nb, nl, linalg::IndexOp::create(nb, nl, d),
              arith::ConstantIndexOp::create(nb, nl, low[d]));
          Value zero = arith::ConstantIndexOp::create(nb, nl, 0);
          Value last = arith::ConstantIndexOp::create(nb, nl, n - 1);
          if (reflect) {
            // -i before the start, 2(n - 1) - i after the end.
            Value neg = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt,
                                              i, zero);
            i = arith::SelectOp::create(
                nb, nl, neg, arith::SubIOp::create(nb, nl, zero, i), i);
            Value over = arith::CmpIOp::create(
                nb, nl, arith::CmpIPredicate::sgt, i, last);
            Value twice = arith::ConstantIndexOp::create(nb, nl, 2 * (n - 1));
            i = arith::SelectOp::create(
                nb, nl, over, arith::SubIOp::create(nb, nl, twice, i), i);
          }
          i = arith::MaxSIOp::create(nb, nl, i, zero);
          i = arith::MinSIOp::create(nb, nl, i, last);
          indices.push_back(i);
        }
        linalg::YieldOp::create(
            nb, nl,
            ValueRange{tensor::ExtractOp::create(nb, nl, input, indices)});
      });
  ctx.setOutput(0, generic.getResult(0));
  return success();
}

/// Trilu: keeps the elements on and above (upper) or on and below the
/// k-th diagonal of the last two axes, zero elsewhere.
LogicalResult convertTrilu(NodeContext &ctx) {
  Value input;
  RankedTensorType inputType, type;
  if (failed(ctx.unaryOperands(input, inputType, type)))
    return failure();
  bool upper = ctx.intAttr("upper", 1);
  // k: a scalar, possibly computed at run time (then a generic operand).
  SmallVector<Value> operands{input};
  if (ctx.hasInput(1)) {
    Value k = ctx.input(1);
    if (!k)
      return failure();
    auto kType = cast<RankedTensorType>(k.getType());
    if (kType.getNumElements() != 1 || !kType.getElementType().isInteger(64))
      return ctx.emitError() << "Trilu's k must be one int64, got " << kType;
    operands.push_back(
        kType.getRank() ? reshapeTo(ctx.b, ctx.loc, k, kType.clone({})) : k);
  }
  int64_t rank = type.getRank();
  if (rank < 2 || inputType != type)
    return ctx.emitError() << "Trilu needs a matrix (or a batch of them) and "
                              "gives its type, got "
                           << inputType << " -> " << type;
  ctx.setOutput(
      0,
      buildElementwise(
          ctx.b, ctx.loc, operands, type,
          [&](OpBuilder &b, Location loc, ValueRange a) {
            // keep when col - row >= k (upper) or <= k (lower).
            Value row = linalg::IndexOp::create(b, loc, rank - 2);
            Value col = linalg::IndexOp::create(b, loc, rank - 1);
            Value diff = arith::IndexCastOp::create(
                b, loc, b.getI64Type(),
                arith::SubIOp::create(b, loc, col, row));
            Value kv =
                a.size() > 1 ? a[1] : scalarConstant(b, loc, b.getI64Type(), 0);
            Value keep = arith::CmpIOp::create(
                b, loc,
                upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
                diff, kv);
            return arith::SelectOp::create(
                b, loc, keep, a[0], scalarConstant(b, loc, a[0].getType(), 0));
          }));
  return success();
}

/// DepthToSpace / SpaceToDepth: a reshape, a transpose and a reshape.
template <bool toSpace> LogicalResult convertDepthSpace(NodeContext &ctx) {
  Value input;
  RankedTensorType inputType, type;
  if (failed(ctx.unaryOperands(input, inputType, type)))
    return failure();
  if (inputType.getRank() != 4)
    return ctx.emitError() << ctx.node.op_type() << " needs a 4-D input";
  int64_t bs = ctx.intAttr("blocksize", 0);
  std::string mode = toSpace ? ctx.stringAttr("mode", "DCR") : "DCR";
  if (bs <= 0 || (mode != "DCR" && mode != "CRD"))
    return ctx.emitUnsupported()
           << "unsupported blocksize " << bs << " / mode '" << mode << "'";
  int64_t n = inputType.getDimSize(0), c = inputType.getDimSize(1),
          h = inputType.getDimSize(2), w = inputType.getDimSize(3);
  SmallVector<int64_t> shape, perm;
  if (toSpace && mode == "DCR") {
    shape = {n, bs, bs, c / (bs * bs), h, w};
    perm = {0, 3, 4, 1, 5, 2};
  } else if (toSpace) {
    shape = {n, c / (bs * bs), bs, bs, h, w};
    perm = {0, 1, 4, 2, 5, 3};
  } else {
    shape = {n, c, h / bs, bs, w / bs, bs};
    perm = {0, 3, 5, 1, 2, 4};
  }
  Type element = type.getElementType();
  Value split =
      reshapeTo(ctx.b, ctx.loc, input, RankedTensorType::get(shape, element));
  SmallVector<int64_t> permuted;
  for (int64_t p : perm)
    permuted.push_back(shape[p]);
  Value init = tensor::EmptyOp::create(ctx.b, ctx.loc, permuted, element);
  Value transposed =
      linalg::TransposeOp::create(ctx.b, ctx.loc, split, init, perm)
          .getResult()[0];
  ctx.setOutput(0, reshapeTo(ctx.b, ctx.loc, transposed, type));
  return success();
}

constexpr int64_t kMaxOpset = 17;

const OpConverter kConverters[] = {
    {"Reshape", 5, kMaxOpset, convertReshapeLike},
    {"Flatten", 1, kMaxOpset, convertReshapeLike},
    {"Squeeze", 1, kMaxOpset, convertReshapeLike},
    {"Unsqueeze", 1, kMaxOpset, convertReshapeLike},
    {"Transpose", 1, kMaxOpset, convertTranspose},
    {"Concat", 4, kMaxOpset, convertConcat},
    {"Split", 2, kMaxOpset, convertSplit},
    {"Slice", 1, kMaxOpset, convertSlice},
    {"Gather", 1, kMaxOpset, convertGather},
    {"Expand", 8, kMaxOpset, convertExpand},
    {"Tile", 6, kMaxOpset, convertTile},
    {"Shape", 1, kMaxOpset, convertShape},
    {"Size", 1, kMaxOpset, convertSize},
    {"ConstantOfShape", 9, kMaxOpset, convertConstantOfShape},
    {"Range", 11, kMaxOpset, convertRange},
    {"Pad", 2, kMaxOpset, convertPad},
    {"Trilu", 14, kMaxOpset, convertTrilu},
    {"DepthToSpace", 1, kMaxOpset, convertDepthSpace<true>},
    {"SpaceToDepth", 1, kMaxOpset, convertDepthSpace<false>},
};
} // namespace

ArrayRef<OpConverter> lowbit::onnx_import::getShapeConverters() {
  return kConverters;
}

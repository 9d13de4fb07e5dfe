//===- Builders.cpp - IR building blocks shared by the converters ---------===//

#include "Converters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

using namespace mlir;
using namespace lowbit::onnx_import;

LogicalResult lowbit::onnx_import::checkBroadcast(NodeContext &ctx,
                                                  ValueRange inputs,
                                                  RankedTensorType resultType) {
  for (Value input : inputs) {
    auto type = cast<RankedTensorType>(input.getType());
    int64_t offset = resultType.getRank() - type.getRank();
    bool fits = offset >= 0;
    for (int64_t d = 0; fits && d < type.getRank(); ++d)
      fits = type.getDimSize(d) == 1 ||
             type.getDimSize(d) == resultType.getDimSize(d + offset);
    // Shape inference guarantees this for models that keep the type
    // constraints; models imported without type checks may not.
    if (!fits)
      return ctx.emitError()
             << "operand of type " << type
             << " does not broadcast to the result " << resultType;
  }
  return success();
}

Value lowbit::onnx_import::buildElementwise(OpBuilder &b, Location loc,
                                            ValueRange inputs,
                                            RankedTensorType resultType,
                                            ScalarBuilder body) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps;
  for (Value input : inputs) {
    auto type = cast<RankedTensorType>(input.getType());
    // Numpy broadcasting: align to the right, size-1 dims read index 0.
    SmallVector<AffineExpr> exprs;
    int64_t offset = rank - type.getRank();
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (type.getDimSize(d) == 1 && resultType.getDimSize(d + offset) != 1)
        exprs.push_back(b.getAffineConstantExpr(0));
      else
        exprs.push_back(b.getAffineDimExpr(d + offset));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, b.getContext()));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, init, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value lowbit::onnx_import::buildReduction(OpBuilder &b, Location loc,
                                          Value input, ArrayRef<int64_t> dims,
                                          double initValue, Combiner combine) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> outputExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(dims, d)) {
      iterators.push_back(utils::IteratorType::reduction);
      continue;
    }
    iterators.push_back(utils::IteratorType::parallel);
    shape.push_back(type.getDimSize(d));
    outputExprs.push_back(b.getAffineDimExpr(d));
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  Value init = filledTensor(b, loc, resultType, initValue);
  SmallVector<AffineMap> maps{
      b.getMultiDimIdentityMap(rank),
      AffineMap::get(rank, 0, outputExprs, b.getContext())};
  return linalg::GenericOp::create(
             b, loc, resultType, input, init, maps, iterators,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl,
                                       combine(nb, nl, args[0], args[1]));
             })
      .getResult(0);
}

Value lowbit::onnx_import::keepDims(OpBuilder &b, Location loc, Value value,
                                    ArrayRef<int64_t> inputShape,
                                    ArrayRef<int64_t> dims) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(inputShape);
  for (int64_t d : dims)
    shape[d] = 1;
  return reshapeTo(b, loc, value,
                   RankedTensorType::get(shape, type.getElementType()));
}

LogicalResult
lowbit::onnx_import::presentInputs(NodeContext &ctx,
                                   SmallVectorImpl<Value> &inputs) {
  for (unsigned i = 0; i < ctx.numInputs(); ++i) {
    if (!ctx.hasInput(i))
      continue;
    Value input = ctx.input(i);
    if (!input)
      return failure();
    inputs.push_back(input);
  }
  return success();
}

Value lowbit::onnx_import::scalarConstant(OpBuilder &b, Location loc, Type type,
                                          double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(b, loc,
                                   b.getIntegerAttr(type, (int64_t)value));
}

Value lowbit::onnx_import::filledTensor(OpBuilder &b, Location loc,
                                        RankedTensorType type, double value) {
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  Value scalar = scalarConstant(b, loc, type.getElementType(), value);
  return linalg::FillOp::create(b, loc, scalar, init).getResult(0);
}

Value lowbit::onnx_import::castScalar(OpBuilder &b, Location loc, Value value,
                                      Type to, bool fromUnsigned,
                                      bool toUnsigned) {
  Type from = value.getType();
  if (from == to)
    return value;
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (to.isInteger(1)) {
    Value zero = scalarConstant(b, loc, from, 0);
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value, zero);
  }
  if (fromFloat && toFloat) {
    // bf16 <-> f16: the same width, so through f32 (exact, then rounded).
    if (fromFloat.getWidth() == toFloat.getWidth())
      value = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
    else if (fromFloat.getWidth() < toFloat.getWidth())
      return arith::ExtFOp::create(b, loc, to, value);
    return arith::TruncFOp::create(b, loc, to, value);
  }
  if (fromFloat) {
    if (toUnsigned)
      return arith::FPToUIOp::create(b, loc, to, value);
    return arith::FPToSIOp::create(b, loc, to, value);
  }
  if (toFloat) {
    if (fromUnsigned || from.isInteger(1))
      return arith::UIToFPOp::create(b, loc, to, value);
    return arith::SIToFPOp::create(b, loc, to, value);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, to, value);
  if (fromUnsigned || from.isInteger(1))
    return arith::ExtUIOp::create(b, loc, to, value);
  return arith::ExtSIOp::create(b, loc, to, value);
}

Value lowbit::onnx_import::reshapeTo(OpBuilder &b, Location loc, Value value,
                                     RankedTensorType type) {
  auto from = cast<RankedTensorType>(value.getType());
  if (from.getShape() == type.getShape())
    return value;
  if (from.getRank() > type.getRank()) {
    if (std::optional<SmallVector<ReassociationIndices>> groups =
            getReassociationIndicesForCollapse(from.getShape(),
                                               type.getShape()))
      return tensor::CollapseShapeOp::create(b, loc, type, value, *groups);
  } else if (from.getRank() < type.getRank()) {
    if (std::optional<SmallVector<ReassociationIndices>> groups =
            getReassociationIndicesForCollapse(type.getShape(),
                                               from.getShape()))
      return tensor::ExpandShapeOp::create(b, loc, type, value, *groups);
  }
  // Another element count is a converter's bug or a model shape inference
  // did not check: tensor.reshape's verifier then reports it at the node
  // (collapsing through 1-D would recurse without end).
  if (from.getNumElements() != type.getNumElements()) {
    auto shapeType = RankedTensorType::get({type.getRank()}, b.getIndexType());
    SmallVector<APInt> dims;
    for (int64_t d : type.getShape())
      dims.push_back(APInt(64, d));
    Value shape = arith::ConstantOp::create(
        b, loc, DenseIntElementsAttr::get(shapeType, dims));
    return tensor::ReshapeOp::create(b, loc, type, value, shape);
  }
  // Neither a collapse nor an expand (e.g. 2x3 -> 3x2): through 1-D.
  auto flat =
      RankedTensorType::get({from.getNumElements()}, from.getElementType());
  Value collapsed = reshapeTo(b, loc, value, flat);
  return reshapeTo(b, loc, collapsed, type);
}

Value lowbit::onnx_import::reverseDims(OpBuilder &b, Location loc, Value value,
                                       ArrayRef<int64_t> dims) {
  if (dims.empty())
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank();
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{}, init,
             SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank)},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nl, ValueRange) {
               SmallVector<Value> indices;
               for (int64_t d = 0; d < rank; ++d) {
                 Value i = linalg::IndexOp::create(nb, nl, d);
                 if (llvm::is_contained(dims, d))
                   i = arith::SubIOp::create(
                       nb, nl,
                       arith::ConstantIndexOp::create(nb, nl,
                                                      type.getDimSize(d) - 1),
                       i);
                 indices.push_back(i);
               }
               linalg::YieldOp::create(nb, nl,
                                       ValueRange{tensor::ExtractOp::create(
                                           nb, nl, value, indices)});
             })
      .getResult(0);
}

std::optional<int64_t> lowbit::onnx_import::normalizeAxis(NodeContext &ctx,
                                                          int64_t axis,
                                                          int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) {
    ctx.emitError() << "axis " << axis << " of " << ctx.node.op_type()
                    << " is out of range for rank " << rank;
    return std::nullopt;
  }
  return axis < 0 ? axis + rank : axis;
}

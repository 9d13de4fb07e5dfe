//===- LinearAlgebra.cpp - MatMul and Gemm --------------------------------===//
//
// Emitted in the forms lowbit-quantize recognizes in the models under
// ../shared/models: linalg.matmul on a [K, N] (or transposed [N, K]) weight
// with a zero-filled accumulator, the bias added by a broadcasting generic
// after it; activations with batch dimensions and a 2-D weight are
// collapsed into rows so the weight stays one matmul operand.
//
//===----------------------------------------------------------------------===//

#include "Converters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

Value transpose2d(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  auto resultType = RankedTensorType::get(
      {type.getDimSize(1), type.getDimSize(0)}, type.getElementType());
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  return linalg::TransposeOp::create(b, loc, value, init,
                                     ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

/// [M, K] x [K, N] -> [M, N] into a zero accumulator of `elementType`.
Value matmul2d(OpBuilder &b, Location loc, Value lhs, Value rhs,
               Type elementType) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  auto type = RankedTensorType::get(
      {lhsType.getDimSize(0), rhsType.getDimSize(1)}, elementType);
  Value acc = filledTensor(b, loc, type, 0);
  return linalg::MatmulOp::create(b, loc, TypeRange{type}, ValueRange{lhs, rhs},
                                  ValueRange{acc})
      .getResult(0);
}

/// `value` broadcast (numpy, to the right) to `shape`.
Value broadcastTo(OpBuilder &b, Location loc, Value value,
                  ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  return buildElementwise(
      b, loc, value, RankedTensorType::get(shape, type.getElementType()),
      [](OpBuilder &, Location, ValueRange a) { return a[0]; });
}

LogicalResult convertMatMul(NodeContext &ctx) {
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  RankedTensorType resultType = ctx.outputType(0);
  if (!lhs || !rhs || !resultType)
    return failure();
  Value product = buildNumpyMatmul(ctx, lhs, rhs, resultType);
  if (!product)
    return failure();
  ctx.setOutput(0, product);
  return success();
}

LogicalResult convertGemm(NodeContext &ctx) {
  Value a = ctx.input(0), bMatrix = ctx.input(1);
  RankedTensorType resultType = ctx.outputType(0);
  if (!a || !bMatrix || !resultType)
    return failure();
  auto aType = cast<RankedTensorType>(a.getType());
  auto bType = cast<RankedTensorType>(bMatrix.getType());
  if (aType.getRank() != 2 || bType.getRank() != 2 || resultType.getRank() != 2)
    return ctx.emitError() << "Gemm of " << aType << " and " << bType << " to "
                           << resultType << ": all must be matrices";
  OpBuilder &b = ctx.b;
  Location loc = ctx.loc;
  ctx.intAttr("broadcast", 1); // opset 6: C broadcasts either way
  float alpha = ctx.floatAttr("alpha", 1.0f);
  float beta = ctx.floatAttr("beta", 1.0f);
  if (ctx.intAttr("transA", 0))
    a = transpose2d(b, loc, a);
  // transB = 1 is the [N, K] weight of torch's Linear: transposed here as in
  // lenet.mlir, a constant transpose the pipeline folds.
  if (ctx.intAttr("transB", 0))
    bMatrix = transpose2d(b, loc, bMatrix);
  Value product = matmul2d(b, loc, a, bMatrix, resultType.getElementType());
  bool hasBias = ctx.hasInput(2) && beta != 0.0f;
  if (!hasBias && alpha == 1.0f) {
    ctx.setOutput(0, product);
    return success();
  }
  SmallVector<Value> inputs{product};
  if (hasBias) {
    Value c = ctx.input(2);
    if (!c)
      return failure();
    inputs.push_back(c);
  }
  bool isFloat = isa<FloatType>(resultType.getElementType());
  ctx.setOutput(
      0, buildElementwise(
             b, loc, inputs, resultType,
             [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
               Value y = args[0];
               auto scale = [&](Value v, float factor) -> Value {
                 if (factor == 1.0f)
                   return v;
                 Value f = scalarConstant(nb, nl, v.getType(), factor);
                 return isFloat ? (Value)arith::MulFOp::create(nb, nl, v, f)
                                : (Value)arith::MulIOp::create(nb, nl, v, f);
               };
               y = scale(y, alpha);
               if (args.size() > 1) {
                 Value c = scale(args[1], beta);
                 y = isFloat ? (Value)arith::AddFOp::create(nb, nl, y, c)
                             : (Value)arith::AddIOp::create(nb, nl, y, c);
               }
               return y;
             }));
  return success();
}

const OpConverter kConverters[] = {
    {"MatMul", 1, 17, convertMatMul},
    {"Gemm", 6, 17, convertGemm},
};
} // namespace

Value lowbit::onnx_import::buildNumpyMatmul(NodeContext &ctx, Value lhs,
                                            Value rhs,
                                            RankedTensorType resultType) {
  OpBuilder &b = ctx.b;
  Location loc = ctx.loc;
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  Type elementType = resultType.getElementType();
  if (lhsType.getElementType() != rhsType.getElementType())
    return ctx.emitError() << ctx.node.op_type() << " of " << lhsType << " and "
                           << rhsType,
           Value();
  // ONNX's inference leaves a scalar operand's result untyped, but a model
  // may state one.
  if (lhsType.getRank() == 0 || rhsType.getRank() == 0)
    return ctx.emitError() << ctx.node.op_type() << " of " << lhsType << " and "
                           << rhsType << ": operands need rank 1 or more",
           Value();

  // Vectors become matrices: [K] -> [1, K] on the left, [K, 1] on the right.
  if (lhsType.getRank() == 1)
    lhs = reshapeTo(b, loc, lhs,
                    RankedTensorType::get({1, lhsType.getDimSize(0)},
                                          lhsType.getElementType()));
  if (rhsType.getRank() == 1)
    rhs = reshapeTo(b, loc, rhs,
                    RankedTensorType::get({rhsType.getDimSize(0), 1},
                                          rhsType.getElementType()));
  lhsType = cast<RankedTensorType>(lhs.getType());
  rhsType = cast<RankedTensorType>(rhs.getType());
  int64_t m = lhsType.getDimSize(lhsType.getRank() - 2);
  int64_t k = lhsType.getDimSize(lhsType.getRank() - 1);
  int64_t n = rhsType.getDimSize(rhsType.getRank() - 1);
  if (rhsType.getDimSize(rhsType.getRank() - 2) != k)
    return ctx.emitError() << ctx.node.op_type() << " contracts " << k
                           << " with "
                           << rhsType.getDimSize(rhsType.getRank() - 2),
           Value();

  Value product;
  if (rhsType.getRank() == 2) {
    // [..., M, K] x [K, N]: every row against one weight.
    int64_t rows = lhsType.getNumElements() / k;
    Value flat =
        reshapeTo(b, loc, lhs,
                  RankedTensorType::get({rows, k}, lhsType.getElementType()));
    product = matmul2d(b, loc, flat, rhs, elementType);
  } else {
    // Broadcast the batch dimensions, collapse them into one.
    ArrayRef<int64_t> lhsBatch = lhsType.getShape().drop_back(2);
    ArrayRef<int64_t> rhsBatch = rhsType.getShape().drop_back(2);
    size_t rank = std::max(lhsBatch.size(), rhsBatch.size());
    SmallVector<int64_t> batch(rank, 1);
    for (size_t i = 0; i < rank; ++i) {
      int64_t l = i + lhsBatch.size() >= rank
                      ? lhsBatch[i + lhsBatch.size() - rank]
                      : 1;
      int64_t r = i + rhsBatch.size() >= rank
                      ? rhsBatch[i + rhsBatch.size() - rank]
                      : 1;
      if (l != r && l != 1 && r != 1)
        return ctx.emitError() << ctx.node.op_type() << " batch dimensions "
                               << l << " and " << r << " do not broadcast",
               Value();
      batch[i] = std::max(l, r);
    }
    int64_t batchSize = 1;
    for (int64_t d : batch)
      batchSize *= d;
    auto full = [&](int64_t rows, int64_t cols) {
      SmallVector<int64_t> shape(batch);
      shape.push_back(rows);
      shape.push_back(cols);
      return shape;
    };
    lhs = broadcastTo(b, loc, lhs, full(m, k));
    rhs = broadcastTo(b, loc, rhs, full(k, n));
    lhs = reshapeTo(
        b, loc, lhs,
        RankedTensorType::get({batchSize, m, k}, lhsType.getElementType()));
    rhs = reshapeTo(
        b, loc, rhs,
        RankedTensorType::get({batchSize, k, n}, rhsType.getElementType()));
    auto type = RankedTensorType::get({batchSize, m, n}, elementType);
    Value acc = filledTensor(b, loc, type, 0);
    product =
        linalg::BatchMatmulOp::create(b, loc, TypeRange{type},
                                      ValueRange{lhs, rhs}, ValueRange{acc})
            .getResult(0);
  }
  return reshapeTo(b, loc, product, resultType);
}

ArrayRef<OpConverter> lowbit::onnx_import::getLinearAlgebraConverters() {
  return kConverters;
}

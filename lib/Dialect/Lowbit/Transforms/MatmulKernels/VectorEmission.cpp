//===- VectorEmission.cpp - one-line emission helpers of the kernels ------===//
//
// The helpers every matmul kernel builder shares (VectorEmission.h).
//
//===----------------------------------------------------------------------===//

#include "VectorEmission.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

Value VectorEmission::index(int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value VectorEmission::add(Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}

Value VectorEmission::add(Value x, int64_t y) { return add(x, index(y)); }

Value VectorEmission::mul(Value x, int64_t y) {
  return arith::MulIOp::create(b, loc, x, index(y));
}

Value VectorEmission::intConstant(Type type, int64_t value) {
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

Value VectorEmission::f32Constant(float value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

VectorType VectorEmission::vectorOf(int64_t lanes, Type element) {
  return VectorType::get({lanes}, element);
}

Value VectorEmission::splat(Value scalar, int64_t lanes) {
  return vector::BroadcastOp::create(b, loc, vectorOf(lanes, scalar.getType()),
                                     scalar);
}

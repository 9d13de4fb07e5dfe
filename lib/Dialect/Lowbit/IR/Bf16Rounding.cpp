//===- Bf16Rounding.cpp - activations rounded to bf16, in IR --------------===//
//
// numerics::floatToBf16Bits as arith ops on f32 scalars or vectors, so that
// the vector kernels and the generic lowering round activations identically
// on every target (LLVM's own f32 -> bf16 conversion keeps denormals without
// AVX512-BF16 and flushes them with it).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

Value lowbit::buildRoundToBf16Bits(OpBuilder &b, Location loc, Value x) {
  Type i32 = b.getI32Type();
  Type bitsType = i32;
  if (auto vector = dyn_cast<VectorType>(x.getType()))
    bitsType = VectorType::get(vector.getShape(), i32);
  auto constant = [&](uint32_t value) -> Value {
    TypedAttr attr = b.getI32IntegerAttr(int32_t(value));
    if (auto vector = dyn_cast<VectorType>(bitsType))
      attr = DenseElementsAttr::get(vector, attr);
    return arith::ConstantOp::create(b, loc, bitsType, attr);
  };
  Value bits = arith::BitcastOp::create(b, loc, bitsType, x);
  Value sign = arith::AndIOp::create(b, loc, bits, constant(0x80000000u));
  Value magnitude = arith::AndIOp::create(b, loc, bits, constant(0x7FFFFFFFu));
  // Nearest even on the 16 dropped bits; a carry into the exponent (up to
  // infinity) is the correct rounding.
  Value odd = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, constant(16)), constant(1));
  Value rounded = arith::AddIOp::create(
      b, loc, bits, arith::AddIOp::create(b, loc, odd, constant(0x7FFFu)));
  rounded = arith::AndIOp::create(b, loc, rounded, constant(0xFFFF0000u));
  Value isNaN = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt,
                                      magnitude, constant(0x7F800000u));
  Value quietNaN = arith::OrIOp::create(b, loc, sign, constant(0x7FC00000u));
  Value isTiny = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                       magnitude, constant(0x00800000u));
  Value result = arith::SelectOp::create(b, loc, isNaN, quietNaN, rounded);
  return arith::SelectOp::create(b, loc, isTiny, sign, result);
}

Value lowbit::buildRoundToBf16(OpBuilder &b, Location loc, Value x) {
  return arith::BitcastOp::create(b, loc, x.getType(),
                                  buildRoundToBf16Bits(b, loc, x));
}

//===- Int8Dot.cpp - the target's int8 dot products for the kernels -------===//

#include "Int8Dot.h"

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace lowbit;

FailureOr<Int8Dot> lowbit::parseInt8Dot(Operation *op, StringRef option,
                                        StringRef value) {
  std::optional<Int8Dot> dot = llvm::StringSwitch<std::optional<Int8Dot>>(value)
                                   .Case("generic", Int8Dot::Generic)
                                   .Case("avx512-vnni", Int8Dot::X86Vnni)
                                   .Case("avx-vnni", Int8Dot::X86AvxVnni)
                                   .Case("avx2", Int8Dot::X86Avx2)
                                   .Case("ssse3", Int8Dot::X86Ssse3)
                                   .Case("sse2", Int8Dot::X86Sse2)
                                   .Case("arm-dotprod", Int8Dot::ArmDotprod)
                                   .Default(std::nullopt);
  if (!dot) {
    op->emitError() << "unknown " << option << " '" << value
                    << "' (expected generic, avx512-vnni, avx-vnni, avx2, "
                       "ssse3, sse2 or arm-dotprod)";
    return failure();
  }
  return *dot;
}

Value lowbit::buildSignedInt8Dot(OpBuilder &b, Location loc, Value a, Value w,
                                 Int8Dot dot) {
  auto bytesType = cast<VectorType>(a.getType());
  int64_t bytes = bytesType.getNumElements();
  auto accType = VectorType::get({bytes / 4}, b.getI32Type());
  Value zero = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(accType, b.getI32IntegerAttr(0)));
  if (!isVpdpbusd(dot))
    return DotI8Op::create(b, loc, zero, a, w, /*unsigned_lhs=*/false);
  Value offset = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(bytesType, b.getI8IntegerAttr(int8_t(0x80))));
  Value unsignedA = arith::XOrIOp::create(b, loc, a, offset);
  Value biased = DotI8Op::create(b, loc, zero, unsignedA, w, true);
  Value correction = DotI8Op::create(b, loc, zero, offset, w, true);
  return arith::SubIOp::create(b, loc, biased, correction);
}

Value lowbit::buildAbsMaxStep(OpBuilder &b, Location loc, Value acc, Value x) {
  auto type = cast<VectorType>(acc.getType());
  Value bits = vector::BitCastOp::create(b, loc, type, x);
  Value magnitude = arith::AndIOp::create(
      b, loc, bits,
      arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(type, b.getI32IntegerAttr(0x7fffffff))));
  return arith::MaxSIOp::create(b, loc, acc, magnitude);
}

Value lowbit::buildAbsMaxResult(OpBuilder &b, Location loc, Value acc) {
  Value maximum =
      vector::ReductionOp::create(b, loc, vector::CombiningKind::MAXSI, acc);
  return arith::BitcastOp::create(b, loc, b.getF32Type(), maximum);
}

Value lowbit::buildInt8RowScale(OpBuilder &b, Location loc, Value maxAbs) {
  auto f32 = [&](float v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  };
  Value positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                         maxAbs, f32(0.0f));
  return arith::SelectOp::create(
      b, loc, positive, arith::DivFOp::create(b, loc, maxAbs, f32(127.0f)),
      f32(1.0f));
}

Value lowbit::buildQuantizeInt8(OpBuilder &b, Location loc, Value x,
                                Value scale) {
  auto type = cast<VectorType>(x.getType());
  auto splat = [&](float v) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getF32FloatAttr(v)));
  };
  Value y = arith::DivFOp::create(
      b, loc, x, vector::BroadcastOp::create(b, loc, type, scale));
  y = arith::MaximumFOp::create(b, loc, y, splat(-127.0f));
  y = arith::MinimumFOp::create(b, loc, y, splat(127.0f));
  // Round half to even without a libm call: for |y| <= 127,
  // (y + 1.5 * 2^23) - 1.5 * 2^23 rounds y in the FPU's default
  // nearest-even mode.
  Value magic = splat(12582912.0f);
  Value rounded = arith::SubFOp::create(
      b, loc, arith::AddFOp::create(b, loc, y, magic), magic);
  return arith::FPToSIOp::create(
      b, loc, VectorType::get(type.getShape(), b.getI8Type()), rounded);
}

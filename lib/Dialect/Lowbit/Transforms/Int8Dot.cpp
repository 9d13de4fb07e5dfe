//===- Int8Dot.cpp - the target's int8 dot products for the kernels -------===//

#include "Int8Dot.h"

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
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

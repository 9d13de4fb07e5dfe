//===- IndexMath.h - index arithmetic for layout lowerings ------*- C++ -*-===//
//
// Small emission helpers shared by the layout lowerings (PanelLayouts.cpp,
// RadixPanelLayout.cpp, SuperblockLayouts.cpp): index / i32 arithmetic at one location and a
// generic that computes every element from its indices.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_INDEXMATH_H
#define LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_INDEXMATH_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace lowbit::layout_lowering {

using namespace mlir;

/// Index and i32 arithmetic at one location.
struct IndexMath {
  OpBuilder &b;
  Location loc;

  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value i32(int64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, int64_t y) {
    return arith::MulIOp::create(b, loc, x, c(y));
  }
  Value div(Value x, int64_t y) {
    return arith::DivUIOp::create(b, loc, x, c(y));
  }
  Value rem(Value x, int64_t y) {
    return arith::RemUIOp::create(b, loc, x, c(y));
  }
  Value divu(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value remu(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value andi(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value ori(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value xori(Value x, Value y) { return arith::XOrIOp::create(b, loc, x, y); }
  Value shl(Value x, Value y) { return arith::ShLIOp::create(b, loc, x, y); }
  Value shru(Value x, Value y) { return arith::ShRUIOp::create(b, loc, x, y); }
  Value ult(Value x, int64_t y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, c(y));
  }
  Value eq(Value x, int64_t y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, c(y));
  }
  Value select(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, loc, cond, x, y);
  }
  Value toI32(Value v) {
    Type type = v.getType();
    if (type.isIndex())
      return arith::IndexCastUIOp::create(b, loc, b.getI32Type(), v);
    if (type.getIntOrFloatBitWidth() < 32)
      return arith::ExtUIOp::create(b, loc, b.getI32Type(), v);
    if (type.getIntOrFloatBitWidth() > 32)
      return arith::TruncIOp::create(b, loc, b.getI32Type(), v);
    return v;
  }
  /// An i32 as a (zero-extended) index.
  Value toIndex(Value i32) {
    return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), i32);
  }
  /// An i32 to `type`, sign- or zero-extended when wider.
  Value fromI32(Value v, Type type, bool isSigned) {
    unsigned width = type.getIntOrFloatBitWidth();
    if (width < 32)
      return arith::TruncIOp::create(b, loc, type, v);
    if (width == 32)
      return v;
    if (isSigned)
      return arith::ExtSIOp::create(b, loc, type, v);
    return arith::ExtUIOp::create(b, loc, type, v);
  }
};

/// A generic writing every element of `init` from its indices alone.
inline Value buildFromIndices(
    OpBuilder &b, Location loc, RankedTensorType type,
    function_ref<Value(OpBuilder &, Location, ArrayRef<Value>)> body) {
  int64_t rank = type.getRank();
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  MLIRContext *ctx = b.getContext();
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{}, ValueRange{init},
             ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx)},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange) {
               SmallVector<Value> ivs;
               for (int64_t d = 0; d < rank; ++d)
                 ivs.push_back(linalg::IndexOp::create(nb, l, d));
               linalg::YieldOp::create(nb, l, body(nb, l, ivs));
             })
      .getResult(0);
}

} // namespace lowbit::layout_lowering

#endif // LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_INDEXMATH_H

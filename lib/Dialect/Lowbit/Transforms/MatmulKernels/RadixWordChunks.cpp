//===- RadixWordChunks.cpp - 16-bit chunks of radix words in lanes --------===//

#include "RadixWordChunks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

Value RadixWordChunks::splat(Value scalar, int64_t lanes) {
  return vector::BroadcastOp::create(b, loc, vectorOf(lanes, scalar.getType()),
                                     scalar);
}

Value RadixWordChunks::constant(uint32_t value) {
  return splat(arith::ConstantOp::create(
                   b, loc, b.getIntegerAttr(b.getI32Type(), int32_t(value))),
               lanes);
}

/// x `OpT` splat(y), e.g. with<arith::ShRUIOp>(x, 16) = x >> 16.
template <typename OpT> Value RadixWordChunks::with(Value x, uint32_t y) {
  return OpT::create(b, loc, x, constant(y));
}

Value RadixWordChunks::mask(Value x, uint32_t y) {
  return with<arith::AndIOp>(x, y);
}

Value RadixWordChunks::unite(Value x, Value y) {
  return arith::OrIOp::create(b, loc, x, y);
}

Value RadixWordChunks::toBytes(Value x) {
  return vector::BitCastOp::create(b, loc, vectorOf(4 * lanes, b.getI8Type()),
                                   x);
}

void RadixWordChunks::split(Value words) {
  lanes = cast<VectorType>(words.getType()).getNumElements();
  Value u4 = with<arith::MulIOp>(words, decode.headPower);
  Value u5 = with<arith::MulIOp>(words, decode.tailPower);
  // u + ((r < T) << 16): the fraction h = (u >> 16) + (r < T) in the high
  // half (a compare into a mask and a masked add on AVX-512; no shift).
  auto carried = [&](Value u, Value r, uint32_t threshold) {
    Value below = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, r,
                                        constant(threshold));
    return arith::SelectOp::create(b, loc, below,
                                   with<arith::AddIOp>(u, 1u << 16), u);
  };
  Value head = carried(words, u4, decode.headThreshold);
  // Digit 4 in byte 2; byte 0 holds the low half's product (< R), which
  // meets zero activations.
  middle = halves(carried(u4, u5, decode.digitThreshold), decode.radix,
                  /*high=*/true);
  // The tail's remainder is below T_4 for every encoded word.
  Value tail = with<arith::AddIOp>(with<arith::ShRUIOp>(u5, 16), 1);
  fractions = unite(mask(head, 0xFFFF0000), tail);
}

Value RadixWordChunks::halves(Value x, uint32_t factor, bool high) {
  VectorType i16s = vectorOf(2 * lanes, b.getI16Type());
  Value pairs = vector::BitCastOp::create(b, loc, i16s, x);
  Value factors =
      splat(arith::ConstantOp::create(
                b, loc, b.getIntegerAttr(b.getI16Type(), int16_t(factor))),
            2 * lanes);
  Value product;
  if (high)
    product = arith::MulUIExtendedOp::create(b, loc, pairs, factors).getHigh();
  else
    product = arith::MulIOp::create(b, loc, pairs, factors);
  return vector::BitCastOp::create(b, loc, x.getType(), product);
}

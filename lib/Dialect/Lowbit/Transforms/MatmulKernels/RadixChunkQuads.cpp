//===- RadixChunkQuads.cpp - nine-digit radix words as int8 quads ---------===//
//
// The dot-product operands of dynamic int8 activations on radix words whose
// radix has the chunked decode of lowbit/Numerics/RadixChunks.h (base 10
// and 11): the head (digits 0..3) and tail (5..8) become 16-bit fractions
// packed in one 32-bit lane per word, so each step of their digit chains
// is one 16-bit multiply-high and one multiply-low for both; digit 4 is a
// multiply-high plus the carry the 32-bit product u_5 shows. Per word:
// four 32-bit low multiplies and eleven 16-bit multiplies, against
// eighteen 32 x 32 -> 64-bit multiplies (and their masks) of the 32-bit
// chains, and no 64-bit lane at all.
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"

#include "lowbit/Numerics/RadixChunks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

namespace {

class RadixChunkQuads : public KernelEmitter {
public:
  RadixChunkQuads(const KernelEmitter &emitter,
                  const numerics::RadixChunkDecode &decode)
      : KernelEmitter(emitter), decode(decode) {}

  /// Operand p holds digits 4p .. 4p + 3 of each word in its lane's bytes.
  SmallVector<Value> decodeQuads(Value words) {
    lanes = cast<VectorType>(words.getType()).getNumElements();
    uint32_t radix = decode.radix;
    // Head: D = (g * R^4 + mulhi16(l, R^4)) >> 16 and its fraction.
    Value lowProduct =
        mask(halves(words, decode.headPower, /*high=*/true), 0xFFFF);
    Value head =
        shr(arith::AddIOp::create(b, loc, mul(shr(words, 16), decode.headPower),
                                  lowProduct),
            16);
    Value headFraction = add(shr(mul(head, decode.reciprocal),
                                 numerics::RadixChunkDecode::kReciprocalShift),
                             1);
    // Tail: (u_5 >> 16) + 1 in the high half of the same lanes.
    Value u4 = mul(words, decode.headPower);
    Value u5 = mul(words, decode.tailPower);
    Value fractions = arith::OrIOp::create(
        b, loc, headFraction,
        arith::ShLIOp::create(b, loc, add(shr(u5, 16), 1), constant(16)));
    // Step j: digit j in the low half, digit 5 + j in the high half.
    SmallVector<Value> steps;
    for (unsigned j = 0; j < numerics::RadixChunkDecode::kHeadDigits; ++j) {
      steps.push_back(halves(fractions, radix, /*high=*/true));
      if (j + 1 < numerics::RadixChunkDecode::kHeadDigits)
        fractions = halves(fractions, radix, /*high=*/false);
    }
    // Digit 4: mulhi16(a, R) + the carry into it (u_5 < mullo16 pairs).
    Value carry = arith::ExtUIOp::create(
        b, loc, words.getType(),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, u5,
                              halves(u4, radix, /*high=*/false)));
    Value middle = arith::AddIOp::create(
        b, loc, shr(halves(u4, radix, /*high=*/true), 16), carry);
    // F = [d0 d1 d5 d6], G = [d2 d3 d7 d8] (bytes, lowest first).
    Value f = arith::OrIOp::create(b, loc, steps[0], shl(steps[1], 8));
    Value g = arith::OrIOp::create(b, loc, steps[2], shl(steps[3], 8));
    Value quad0 = arith::OrIOp::create(b, loc, mask(f, 0xFFFF), shl(g, 16));
    Value quad1 = arith::OrIOp::create(
        b, loc, middle,
        arith::OrIOp::create(b, loc, mask(shr(f, 8), 0x00FFFF00),
                             mask(shl(g, 8), 0xFF000000)));
    Value quad2 = shr(g, 24);
    SmallVector<Value> operands;
    for (Value quad : {quad0, quad1, quad2})
      operands.push_back(vector::BitCastOp::create(
          b, loc, vectorOf(4 * lanes, b.getI8Type()), quad));
    return operands;
  }

private:
  Value constant(uint32_t value) {
    return splat(arith::ConstantOp::create(
                     b, loc, b.getIntegerAttr(b.getI32Type(), int32_t(value))),
                 lanes);
  }
  /// x `OpT` splat(y), e.g. with<arith::ShRUIOp>(x, 16) = x >> 16.
  template <typename OpT> Value with(Value x, uint32_t y) {
    return OpT::create(b, loc, x, constant(y));
  }
  Value add(Value x, uint32_t y) { return with<arith::AddIOp>(x, y); }
  Value mul(Value x, uint32_t y) { return with<arith::MulIOp>(x, y); }
  Value mask(Value x, uint32_t y) { return with<arith::AndIOp>(x, y); }
  Value shr(Value x, uint32_t y) { return with<arith::ShRUIOp>(x, y); }
  Value shl(Value x, uint32_t y) { return with<arith::ShLIOp>(x, y); }

  /// Both 16-bit halves of every lane of `x` times `factor` (< 2^16): the
  /// high or the low halves of the 32-bit products.
  Value halves(Value x, uint32_t factor, bool high) {
    VectorType i16s = vectorOf(2 * lanes, b.getI16Type());
    Value pairs = vector::BitCastOp::create(b, loc, i16s, x);
    Value factors =
        splat(arith::ConstantOp::create(
                  b, loc, b.getIntegerAttr(b.getI16Type(), int16_t(factor))),
              2 * lanes);
    Value product;
    if (high)
      product =
          arith::MulUIExtendedOp::create(b, loc, pairs, factors).getHigh();
    else
      product = arith::MulIOp::create(b, loc, pairs, factors);
    return vector::BitCastOp::create(b, loc, x.getType(), product);
  }

  numerics::RadixChunkDecode decode;
  int64_t lanes = 0;
};

} // namespace

std::optional<SmallVector<Value>>
lowbit::decodeRadixChunkQuads(const KernelEmitter &emitter, Value words) {
  const KernelPlan &plan = emitter.getPlan();
  auto type = cast<VectorType>(words.getType());
  if (plan.kind != LayoutKind::Radix || !type.getElementType().isInteger(32))
    return std::nullopt;
  std::optional<numerics::RadixChunkDecode> decode =
      numerics::getRadixChunkDecode(plan.radix);
  if (!decode)
    return std::nullopt;
  return RadixChunkQuads(emitter, *decode).decodeQuads(words);
}

//===- RadixChunkQuads.cpp - nine-digit radix words as int8 quads ---------===//
//
// The dot-product operands of dynamic int8 activations on radix words whose
// radix has the chunked decode of lowbit/Numerics/RadixChunks.h (base 10
// and 11): the head (digits 0..3) and tail (5..8) become 16-bit fractions
// packed in one 32-bit lane per word, so each step of their digit chains
// is one 16-bit multiply-high and one multiply-low for both; digit 4 is one
// multiply-high of its own 16-bit fraction. Per 16 words: two 32-bit low
// multiplies and eight 16-bit ones, against eighteen 32 x 32 -> 64-bit
// multiplies (and their masks) of the 32-bit chains. The quads take the
// digits in the order the chains give them ([d0 d1 d5 d6], [d2 d3 d7 d8],
// [d4]); the quantized activations are arranged to match.
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

  /// Operand p holds digits getRadixChunkQuadSlot(p, 0..3) of each word in
  /// its lane's bytes.
  SmallVector<Value> decodeQuads(Value words) {
    lanes = cast<VectorType>(words.getType()).getNumElements();
    uint32_t radix = decode.radix;
    Value u4 = mul(words, decode.headPower);
    Value u5 = mul(words, decode.tailPower);
    // h = (u >> 16) + (r < T) (on znver4: a compare into a mask, vpmovm2d
    // and a subtract).
    auto fraction = [&](Value u, Value r, uint32_t threshold) {
      Value below = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, r,
                                          constant(threshold));
      Value high = shr(u, 16);
      return arith::SelectOp::create(b, loc, below, add(high, 1), high);
    };
    Value head = fraction(words, u4, decode.headThreshold);
    Value middle = halves(fraction(u4, u5, decode.digitThreshold), radix,
                          /*high=*/true);
    // The tail's remainder is below T_4 for every encoded word.
    Value fractions =
        arith::OrIOp::create(b, loc, head, shl(add(shr(u5, 16), 1), 16));
    // Step j: digit j in the low half, digit 5 + j in the high half. Odd
    // steps come shifted into their half's high byte: mulhi16(h, 256 R) =
    // floor(h R / 2^8) = 256 e_j + ((h R mod 2^16) >> 8), masked to 256 e_j
    // (an and instead of a shift, folded with the or into one ternary op).
    SmallVector<Value> steps;
    for (unsigned j = 0; j < numerics::RadixChunkDecode::kHeadDigits; ++j) {
      if (j % 2)
        steps.push_back(
            mask(halves(fractions, radix << 8, /*high=*/true), 0xFF00FF00));
      else
        steps.push_back(halves(fractions, radix, /*high=*/true));
      if (j + 1 < numerics::RadixChunkDecode::kHeadDigits)
        fractions = halves(fractions, radix, /*high=*/false);
    }
    // Bytes [d0 d1 d5 d6] and [d2 d3 d7 d8]; digit 4 alone.
    SmallVector<Value> operands;
    for (Value quad :
         {Value(arith::OrIOp::create(b, loc, steps[0], steps[1])),
          Value(arith::OrIOp::create(b, loc, steps[2], steps[3])), middle})
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
  Value shr(Value x, uint32_t y) { return with<arith::ShRUIOp>(x, y); }
  Value shl(Value x, uint32_t y) { return with<arith::ShLIOp>(x, y); }
  Value mask(Value x, uint32_t y) { return with<arith::AndIOp>(x, y); }

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

int64_t lowbit::getRadixChunkQuadSlot(int64_t quad, int64_t byte) {
  static const int64_t kQuadSlots[3][4] = {
      {0, 1, 5, 6}, {2, 3, 7, 8}, {4, -1, -1, -1}};
  return kQuadSlots[quad][byte];
}

bool lowbit::hasRadixChunkQuads(const KernelPlan &plan) {
  return plan.kind == LayoutKind::Radix &&
         numerics::getRadixChunkDecode(plan.radix).has_value();
}

std::optional<SmallVector<Value>>
lowbit::decodeRadixChunkQuads(const KernelEmitter &emitter, Value words) {
  const KernelPlan &plan = emitter.getPlan();
  auto type = cast<VectorType>(words.getType());
  if (!hasRadixChunkQuads(plan) || !type.getElementType().isInteger(32))
    return std::nullopt;
  return RadixChunkQuads(emitter, *numerics::getRadixChunkDecode(plan.radix))
      .decodeQuads(words);
}

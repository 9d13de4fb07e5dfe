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
// digits in the order the chains give them ([d5 d6 d0 d1], [d7 d8 d2 d3],
// [- - d4 -]); the quantized activations are arranged to match.
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"
#include "RadixWordChunks.h"

using namespace mlir;
using namespace lowbit;

namespace {

class RadixChunkQuads : public RadixWordChunks {
public:
  using RadixWordChunks::RadixWordChunks;

  /// Operand p holds digits getRadixChunkQuadSlot(p, 0..3) of each word in
  /// its lane's bytes.
  SmallVector<Value> decodeQuads(Value words) {
    split(words);
    uint32_t radix = decode.radix;
    // Step j: digit 5 + j in the low half, digit j in the high half. Odd
    // steps come shifted into their half's high byte: mulhi16(h, 256 R) =
    // floor(h R / 2^8) = 256 e_j + ((h R mod 2^16) >> 8), masked to 256 e_j
    // (an and instead of a shift, folded with the or into one ternary op).
    SmallVector<Value> steps;
    Value rest = fractions;
    for (unsigned j = 0; j < numerics::RadixChunkDecode::kHeadDigits; ++j) {
      if (j % 2)
        steps.push_back(
            mask(halves(rest, radix << 8, /*high=*/true), 0xFF00FF00));
      else
        steps.push_back(halves(rest, radix, /*high=*/true));
      if (j + 1 < numerics::RadixChunkDecode::kHeadDigits)
        rest = halves(rest, radix, /*high=*/false);
    }
    // Bytes [d5 d6 d0 d1] and [d7 d8 d2 d3]; digit 4 alone (byte 2).
    return {toBytes(unite(steps[0], steps[1])),
            toBytes(unite(steps[2], steps[3])), toBytes(middle)};
  }
};

} // namespace

int64_t lowbit::getRadixChunkQuadSlot(int64_t quad, int64_t byte) {
  static const int64_t kQuadSlots[3][4] = {
      {5, 6, 0, 1}, {7, 8, 2, 3}, {-1, -1, 4, -1}};
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
  return decodeRadixChunkQuads(emitter.getBuilder(), emitter.getLoc(),
                               plan.radix, words);
}

SmallVector<Value> lowbit::decodeRadixChunkQuads(OpBuilder &b, Location loc,
                                                 unsigned radix, Value words) {
  return RadixChunkQuads(b, loc, *numerics::getRadixChunkDecode(radix))
      .decodeQuads(words);
}

//===- RadixPairs.cpp - 9-digit radix words as digit pairs ----------------===//

#include "lowbit/Numerics/RadixPairs.h"

#include <cassert>

using namespace lowbit::numerics;

std::optional<RadixPairDecode>
lowbit::numerics::getRadixPairDecode(unsigned radix) {
  std::optional<RadixChunkDecode> chunks = getRadixChunkDecode(radix);
  if (!chunks || radix * radix > RadixPairDecode::kTableBytes)
    return std::nullopt;
  RadixPairDecode decode{*chunks, radix * radix, {}, {}};
  for (unsigned p = 0; p < radix * radix; ++p) {
    decode.high[p] = uint8_t(p / radix);
    decode.low[p] = uint8_t(p % radix);
  }
  return decode;
}

uint16_t lowbit::numerics::getRadixPairBytes(uint32_t h, uint32_t pairRadix) {
  assert(h <= 0xFFFF && 256 * pairRadix <= 0xFFFF);
  uint32_t first = (h * pairRadix) >> 16;
  uint32_t rest = (h * pairRadix) & 0xFFFF;
  uint32_t second = ((rest * (256 * pairRadix)) >> 16) & 0xFF00;
  return uint16_t(first | second);
}

void lowbit::numerics::decodeRadixWordByPairs(
    uint32_t word, const RadixPairDecode &decode,
    llvm::MutableArrayRef<uint8_t> digits) {
  assert(digits.size() >= RadixChunkDecode::kDigits);
  RadixChunkFractions h = getRadixChunkFractions(word, decode.chunks);
  // The index bytes of the table lookups (vpermi2b reads their low 7 bits).
  auto lookUp = [&](uint32_t fraction, uint8_t *out) {
    uint16_t pairs = getRadixPairBytes(fraction, decode.pairRadix);
    uint8_t first = pairs & 0x7F, second = (pairs >> 8) & 0x7F;
    out[0] = decode.high[first];
    out[1] = decode.low[first];
    out[2] = decode.high[second];
    out[3] = decode.low[second];
  };
  lookUp(h.head, &digits[0]);
  digits[4] = uint8_t((h.middle * decode.chunks.radix) >> 16);
  lookUp(h.tail, &digits[5]);
}

//===- RadixChunks.cpp - 9-digit radix words in 16-bit chunks -------------===//

#include "lowbit/Numerics/RadixChunks.h"

#include "lowbit/Numerics/Packing.h"

#include <cassert>

using namespace lowbit::numerics;

std::optional<RadixChunkDecode>
lowbit::numerics::getRadixChunkDecode(unsigned radix) {
  if (radix < 2 || radix > 256 ||
      digitsPerWord(radix) != RadixChunkDecode::kDigits)
    return std::nullopt;
  uint64_t head = 1;
  for (unsigned i = 0; i < RadixChunkDecode::kHeadDigits; ++i)
    head *= radix;
  uint64_t modulus = radixWordModulus(radix);
  uint64_t headThreshold = (uint64_t(1) << 32) - (head << 16);
  if (2 * head > (1u << 16) || modulus > headThreshold)
    return std::nullopt;
  return RadixChunkDecode{
      radix, uint32_t(head), uint32_t(head * radix), uint32_t(headThreshold),
      uint32_t((uint64_t(1) << 32) - (uint64_t(radix) << 16))};
}

namespace {

/// The digits of the 16-bit fraction h, most significant first.
void fractionDigits(uint32_t h, unsigned radix, uint8_t *digits) {
  for (unsigned j = 0; j < RadixChunkDecode::kHeadDigits; ++j) {
    uint32_t product = h * radix;
    digits[j] = uint8_t(product >> 16);
    h = product & 0xFFFF;
  }
}

} // namespace

RadixChunkFractions
lowbit::numerics::getRadixChunkFractions(uint32_t word,
                                         const RadixChunkDecode &decode) {
  uint32_t u4 = word * decode.headPower, u5 = word * decode.tailPower;
  uint32_t head = (word >> 16) + (u4 < decode.headThreshold ? 1 : 0);
  uint32_t middle = (u4 >> 16) + (u5 < decode.digitThreshold ? 1 : 0);
  // Two 16-bit lanes, as the kernels pack them: the tail's carry out of bit
  // 16 (only for words no encoder writes) is lost.
  uint32_t tail = ((u5 >> 16) + 1) & 0xFFFF;
  return {head, middle, tail};
}

void lowbit::numerics::decodeRadixWordByChunks(
    uint32_t word, const RadixChunkDecode &decode,
    llvm::MutableArrayRef<uint8_t> digits) {
  assert(digits.size() >= RadixChunkDecode::kDigits);
  RadixChunkFractions h = getRadixChunkFractions(word, decode);
  fractionDigits(h.head, decode.radix, &digits[0]);
  digits[4] = uint8_t((h.middle * decode.radix) >> 16);
  fractionDigits(h.tail, decode.radix, &digits[5]);
}

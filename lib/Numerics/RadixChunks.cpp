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
  if (head >= (1u << 16) || modulus + (head << 16) > (uint64_t(1) << 32))
    return std::nullopt;
  unsigned shift = RadixChunkDecode::kReciprocalShift;
  uint64_t reciprocal = ((uint64_t(1) << (16 + shift)) + head - 1) / head;
  // h = ((D * C) >> shift) + 1 must be a 16-bit fraction in
  // [D / R^4, (D + 1) / R^4) for every head value D.
  for (uint64_t d = 0; d < head; ++d) {
    uint64_t product = d * reciprocal;
    uint64_t h = (product >> shift) + 1;
    if (product >= (uint64_t(1) << 32) || h >= (1u << 16) ||
        h * head < (d << 16) || h * head >= ((d + 1) << 16))
      return std::nullopt;
  }
  return RadixChunkDecode{radix, uint32_t(head), uint32_t(head * radix),
                          uint32_t(reciprocal)};
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

void lowbit::numerics::decodeRadixWordByChunks(
    uint32_t word, const RadixChunkDecode &decode,
    llvm::MutableArrayRef<uint8_t> digits) {
  assert(digits.size() >= RadixChunkDecode::kDigits);
  uint32_t radix = decode.radix;
  uint32_t g = word >> 16, l = word & 0xFFFF;
  uint32_t head = (g * decode.headPower + ((l * decode.headPower) >> 16)) >> 16;
  uint32_t hHead =
      ((head * decode.reciprocal) >> RadixChunkDecode::kReciprocalShift) + 1;
  uint32_t u4 = word * decode.headPower, u5 = word * decode.tailPower;
  // Two 16-bit lanes, as the kernels pack them: hTail's carry out of bit
  // 16 (only for words no encoder writes) is lost.
  uint32_t hTail = ((u5 >> 16) + 1) & 0xFFFF;
  fractionDigits(hHead, radix, &digits[0]);
  fractionDigits(hTail, radix, &digits[5]);
  uint32_t a = u4 >> 16, b = u4 & 0xFFFF;
  uint32_t low = ((a * radix) & 0xFFFF) << 16 | ((b * radix) & 0xFFFF);
  digits[4] = uint8_t(((a * radix) >> 16) + (u5 < low ? 1 : 0));
}

//===- RadixFields.cpp - the kernels' decode of radix_fields words --------===//

#include "lowbit/Numerics/RadixFields.h"
#include "lowbit/Numerics/Packing.h"

#include <cassert>

using namespace lowbit::numerics;

/// floor(x / P) as mulhi16(x, M) >> s for every field value x < r^4.
static bool isPairDivisionExact(unsigned radix, uint32_t multiplier,
                                unsigned shift) {
  uint32_t pairRadix = radix * radix, fields = pairRadix * pairRadix;
  for (uint32_t x = 0; x < fields; ++x)
    if (((x * multiplier) >> (16 + shift)) != x / pairRadix)
      return false;
  return true;
}

/// The decode of `radix` (2..11), its constants searched and checked
/// exhaustively (about 10^5 steps).
static std::optional<RadixFieldDecode> computeRadixFieldDecode(unsigned radix) {
  RadixFieldDecode decode{radix, radix * radix, 0, 0, 0, 0, 0, {}, {}};
  for (unsigned shift = 9; shift-- > 0;) {
    uint32_t multiplier =
        ((uint32_t(1) << (16 + shift)) + decode.pairRadix - 1) /
        decode.pairRadix;
    if (multiplier <= 0xFFFF && isPairDivisionExact(radix, multiplier, shift)) {
      decode.pairMultiplier = multiplier;
      decode.pairShift = shift;
      break;
    }
  }
  if (!decode.pairMultiplier)
    return std::nullopt;
  decode.digitMultiplier = ((uint32_t(1) << 16) + radix - 1) / radix;
  for (uint32_t p = 0; p < decode.pairRadix; ++p)
    if (((p * decode.digitMultiplier) >> 16) != p / radix)
      return std::nullopt;
  uint32_t cube = radix * radix * radix;
  for (unsigned shift = 9; shift-- > 0 && !decode.topDigitMultiplier;) {
    uint32_t multiplier =
        uint32_t(((uint64_t(1) << (24 + shift)) + cube - 1) / cube);
    bool exact = multiplier <= 0xFFFF;
    for (uint32_t x = 0; exact && x < decode.pairRadix * decode.pairRadix; ++x)
      exact = ((((x * multiplier) >> 16) >> shift) & 0xFF00) == (x / cube) << 8;
    if (exact) {
      decode.topDigitMultiplier = multiplier;
      decode.topDigitShift = shift;
    }
  }
  for (unsigned p = 0; p < decode.pairRadix; ++p) {
    decode.high[p] = uint8_t(p / radix);
    decode.low[p] = uint8_t(p % radix);
  }
  return decode;
}

std::optional<RadixFieldDecode>
lowbit::numerics::getRadixFieldDecode(unsigned radix) {
  if (radix < 2 || radix > 11)
    return std::nullopt;
  // The kernels ask once per decoded segment: compute each radix once.
  static const auto decodes = [] {
    std::array<std::optional<RadixFieldDecode>, 12> all;
    for (unsigned r = 2; r <= 11; ++r)
      all[r] = computeRadixFieldDecode(r);
    return all;
  }();
  return decodes[radix];
}

uint16_t
lowbit::numerics::getRadixFieldPairBytes(uint32_t field,
                                         const RadixFieldDecode &decode) {
  assert(field < (1u << kRadixFieldBits));
  uint32_t quotient =
      ((field * decode.pairMultiplier) >> 16) >> decode.pairShift;
  return uint16_t(field + (256 - decode.pairRadix) * quotient);
}

RadixFieldDigits
lowbit::numerics::getRadixFieldDigits(uint32_t field,
                                      const RadixFieldDecode &decode) {
  assert(field < (1u << kRadixFieldBits) && decode.topDigitMultiplier);
  uint32_t pairs = getRadixFieldPairBytes(field, decode);
  uint32_t first = ((pairs & 0xFF) * decode.digitMultiplier) >> 16;
  uint32_t top =
      (((field * decode.topDigitMultiplier) >> 16) >> decode.topDigitShift) &
      0xFF00;
  uint32_t odd = first | top;
  return {uint16_t(pairs - decode.radix * odd), uint16_t(odd)};
}

void lowbit::numerics::decodeRadixFieldWordByPairs(
    uint32_t word, const RadixFieldDecode &decode,
    llvm::MutableArrayRef<uint8_t> codes, bool tables) {
  assert(codes.size() >= kRadixFieldCodes);
  uint32_t mask = (1u << kRadixFieldBits) - 1;
  for (unsigned f = 0; f < 2; ++f) {
    uint16_t pairs =
        getRadixFieldPairBytes((word >> (kRadixFieldBits * f)) & mask, decode);
    uint8_t low = pairs & 0xFF, high = pairs >> 8;
    if (!tables) {
      RadixFieldDigits digits =
          getRadixFieldDigits((word >> (kRadixFieldBits * f)) & mask, decode);
      codes[4 * f + 0] = uint8_t(digits.even);
      codes[4 * f + 1] = uint8_t(digits.odd);
      codes[4 * f + 2] = uint8_t(digits.even >> 8);
      codes[4 * f + 3] = uint8_t(digits.odd >> 8);
      continue;
    }
    // The table lookups read the index bytes' low 7 bits (vpermi2b).
    low &= 0x7F;
    high &= 0x7F;
    codes[4 * f + 0] = decode.low[low];
    codes[4 * f + 1] = decode.high[low];
    codes[4 * f + 2] = decode.low[high];
    codes[4 * f + 3] = decode.high[high];
  }
  codes[8] = uint8_t(word >> (2 * kRadixFieldBits));
}

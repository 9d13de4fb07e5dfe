//===- RadixFields.h - Decode of radix_fields words -------------*- C++ -*-===//
//
// The int8-activation kernels' decode of PackKind::RadixFields words
// (Packing.h), as a scalar model they mirror lane by lane. A word's two
// 14-bit fields become the two 16-bit halves of its lane; one 16-bit
// multiply-high per half splits a field x = c_0 + c_1 r + c_2 r^2 + c_3 r^3
// into the base-P pairs (P = r^2) x mod P = c_0 + c_1 r and x / P = c_2 +
// c_3 r, and two 128-byte tables turn each pair p < P into its digits
// (p mod r, p / r). Code 8 is the word's top nibble.
//
// Exactness. x / P is computed as mulhi16(x, M) >> s with M = ceil(2^(16+s)
// / P) < 2^16 and the largest such s <= 8; getRadixFieldDecode checks it
// against division for every x < r^4 (r = 11: M = 34664, s = 6). With q =
// x / P, the half's bytes [x mod P, q] are x + (256 - P) q = (x - P q) +
// 256 q (one multiply-low and one add; x mod P < P <= 121 fits a byte).
// Without the tables (x86 without VBMI: no byte multiply), the digits come
// in 16-bit lanes too: c_1 = mulhi16(x mod P, D) with D = ceil(2^16 / r),
// c_3 already in the high byte as (mulhi16(x, E) >> k) & 0xFF00 with E =
// ceil(2^(24+k) / r^3) < 2^16 (the largest such k <= 8; radix 7 to 11),
// and [c_0, c_2] = [x mod P, x / P] - r [c_1, c_3] (both checked for every
// x < r^4).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_RADIXFIELDS_H
#define LOWBIT_NUMERICS_RADIXFIELDS_H

#include "llvm/ADT/ArrayRef.h"

#include <array>
#include <cstdint>
#include <optional>

namespace lowbit::numerics {

/// The constants of the pair decode of radix_fields words of one radix.
struct RadixFieldDecode {
  static constexpr unsigned kTableBytes = 128;
  unsigned radix;
  uint32_t pairRadix;      ///< P = r^2
  uint32_t pairMultiplier; ///< M
  unsigned pairShift;      ///< s
  uint32_t digitMultiplier; ///< D
  /// E and k; E = 0 when no k fits (radix < 7).
  uint32_t topDigitMultiplier;
  unsigned topDigitShift;
  /// Entry p < P: p / r (high) and p mod r (low); zero past P.
  std::array<uint8_t, kTableBytes> high;
  std::array<uint8_t, kTableBytes> low;
};

/// The decode of `radix` (2..11), or std::nullopt for any other radix.
std::optional<RadixFieldDecode> getRadixFieldDecode(unsigned radix);

/// The pair bytes of one 14-bit field as the kernels compute them in a
/// 16-bit lane: x mod P in the low byte, x / P in the high byte.
uint16_t getRadixFieldPairBytes(uint32_t field, const RadixFieldDecode &decode);

/// The digits of one field as the kernels without tables compute them in
/// 16-bit lanes (decode.topDigitMultiplier != 0): bytes [c_0, c_2] and
/// [c_1, c_3].
struct RadixFieldDigits {
  uint16_t even;
  uint16_t odd;
};
RadixFieldDigits getRadixFieldDigits(uint32_t field,
                                     const RadixFieldDecode &decode);

/// The nine codes of `word` (codes.size() >= 9), computed as the kernels
/// compute them: pair bytes of both fields, then table lookups (or, with
/// `tables` false, getRadixFieldDigits).
void decodeRadixFieldWordByPairs(uint32_t word, const RadixFieldDecode &decode,
                                 llvm::MutableArrayRef<uint8_t> codes,
                                 bool tables = true);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_RADIXFIELDS_H

//===- RadixChunks.h - 9-digit radix words in 16-bit chunks -----*- C++ -*-===//
//
// The base-R word decode of the int8-activation kernels, as a scalar model
// the kernels mirror lane by lane. decodeRadixWordByMultiply needs a
// 32 x 32 -> 64-bit multiply per digit; here all nine digits of a word
// come from 32-bit low multiplies and 16 x 16-bit multiply-highs, whose
// lanes are half as wide (two words' chunks share one 32-bit lane).
//
// A word q holds digits d0..d8 (d0 the most significant), u_i = q * R^i mod
// 2^32 and d_i = floor(u_i * R / 2^32) (Packing.h). The decode splits them:
//
//   Head d0..d3 = the base-R digits of D = floor(q * R^4 / 2^32), since
//     q * R^4 = (sum_{i<4} d_i R^(3-i)) * 2^32 + u_4. With q = g * 2^16 + l,
//     D = (g * R^4 + floor(l * R^4 / 2^16)) >> 16 (floor of a floor), all in
//     32 bits when R^4 < 2^16; floor(l * R^4 / 2^16) is a 16-bit
//     multiply-high. D becomes a 16-bit fraction h = ((D * C) >> 13) + 1,
//     C = ceil(2^29 / R^4); the 16-bit chain e_j = (h * R) >> 16,
//     h <- h * R mod 2^16 yields the digits of floor(h * R^4 / 2^16), which
//     is D iff D * 2^16 <= h * R^4 < (D + 1) * 2^16: checked for every D by
//     getRadixChunkDecode.
//   Middle d4 = floor(u_4 * R / 2^32), with u_4 = a * 2^16 + b: u_4 * R =
//     (R a) 2^16 + R b, so d4 = mulhi16(a, R) + carry, where the carry of
//     adding mulhi16(b, R) to mullo16(a, R) shows as u_5 < P (unsigned),
//     P = mullo16(a, R) * 2^16 + mullo16(b, R) and u_5 = q * R^5 mod 2^32.
//   Tail d5..d8 from h' = (u_5 >> 16) + 1 by the same 16-bit chain: the
//     32-bit chain from u_5 gives the digits of T = floor(u_5 R^4 / 2^32);
//     h'/2^16 lies in (u_5/2^32, u_5/2^32 + 2^-16], which stays below
//     (T + 1)/R^4 iff the final remainder e = u_5 R^4 mod 2^32 = q N mod
//     2^32 (N = R^9) is below 2^32 - R^4 * 2^16. Every word encodeRadixWord
//     writes has e < N (Packing.h), and N <= 2^32 - R^4 * 2^16 is checked:
//     the decode is exact for every encoded word (for R = 11: N =
//     2357947691 <= 3335651328). Words no encoder writes may decode
//     differently from decodeRadixWordByMultiply (digits stay in 0..R-1).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_RADIXCHUNKS_H
#define LOWBIT_NUMERICS_RADIXCHUNKS_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>

namespace lowbit::numerics {

/// The constants of the chunked decode of one radix.
struct RadixChunkDecode {
  static constexpr unsigned kDigits = 9;
  static constexpr unsigned kHeadDigits = 4;
  static constexpr unsigned kReciprocalShift = 13;
  unsigned radix;
  uint32_t headPower;  ///< R^4 (< 2^16)
  uint32_t tailPower;  ///< R^5
  uint32_t reciprocal; ///< ceil(2^29 / R^4)
};

/// The chunked decode of `radix`, or std::nullopt unless a word holds nine
/// digits and every condition of the exactness proof above holds (radix 10
/// and 11).
std::optional<RadixChunkDecode> getRadixChunkDecode(unsigned radix);

/// The nine digits of `word` (digits.size() >= 9), computed as the kernels
/// compute them.
void decodeRadixWordByChunks(uint32_t word, const RadixChunkDecode &decode,
                             llvm::MutableArrayRef<uint8_t> digits);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_RADIXCHUNKS_H

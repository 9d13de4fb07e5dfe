//===- RadixChunks.h - 9-digit radix words in 16-bit chunks -----*- C++ -*-===//
//
// The base-R word decode of the int8-activation kernels, as a scalar model
// the kernels mirror lane by lane. decodeRadixWordByMultiply needs a
// 32 x 32 -> 64-bit multiply per digit; here all nine digits of a word
// come from 32-bit low multiplies and 16 x 16-bit multiply-highs, whose
// lanes are half as wide (two words' chunks share one 32-bit lane).
//
// A word q holds digits d0..d8 (d0 the most significant), u_i = q * R^i mod
// 2^32 and d_i = floor(u_i * R / 2^32) (Packing.h).
//
// Rounding a fraction to 16 bits. Let x = u / 2^32 hold k digits before
// a remainder: u * R^k = D * 2^32 + r (D the k digits, r < 2^32). The
// 16-bit chain e_j = (h * R) >> 16, h <- h * R mod 2^16 yields the digits
// of floor(h * R^k / 2^16), which is D iff h / 2^16 lies in
// [D / R^k, (D + 1) / R^k). With x = (D + r / 2^32) / R^k and
// h = (u >> 16) + c:
//   c = 1: h / 2^16 in (x, x + 2^-16], so h R^k / 2^16 in
//          (D, D + r / 2^32 + R^k / 2^16]: below D + 1 iff r < T_k;
//   c = 0: h / 2^16 in (x - 2^-16, x], so h R^k / 2^16 in
//          (D + r / 2^32 - R^k / 2^16, D + r / 2^32]: at least D when
//          r >= T_k if 2 R^k <= 2^16,
// where T_k = 2^32 - R^k * 2^16. So h = (u >> 16) + (r < T_k) is exact for
// every u, and never exceeds 0xFFFF (u >> 16 = 0xFFFF forces r >= T_k).
//
// The decode, with R^4 <= 2^15:
//   Head d0..d3: h = (q >> 16) + (u_4 < T_4) (r = u_4).
//   Middle d4:   h = (u_4 >> 16) + (u_5 < T_1) (k = 1, r = u_5), d4 =
//                (h * R) >> 16.
//   Tail d5..d8: h = (u_5 >> 16) + 1, whose remainder r = u_9 = q * N mod
//                2^32 (N = R^9). Every word encodeRadixWord writes has
//                u_9 < N (Packing.h), and N <= T_4 is checked: exact for
//                every encoded word (R = 11: N = 2357947691 <= T_4 =
//                3335454720) without computing u_9. Words no encoder
//                writes may decode differently from
//                decodeRadixWordByMultiply (digits stay in 0..R-1).
// The head and tail fractions share a 32-bit lane (head low, tail high):
// one 16-bit multiply-high per step gives a head and a tail digit.
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
  unsigned radix;
  uint32_t headPower;      ///< R^4 (<= 2^15)
  uint32_t tailPower;      ///< R^5
  uint32_t headThreshold;  ///< T_4 = 2^32 - R^4 * 2^16
  uint32_t digitThreshold; ///< T_1 = 2^32 - R * 2^16
};

/// The chunked decode of `radix`, or std::nullopt unless a word holds nine
/// digits and every condition of the exactness proof above holds (radix 10
/// and 11).
std::optional<RadixChunkDecode> getRadixChunkDecode(unsigned radix);

/// The 16-bit fractions of one word: the head (digits 0..3), digit 4 and the
/// tail (digits 5..8), each below 2^16 (the tail's carry out of bit 16,
/// only for words no encoder writes, is lost as in the kernels' lanes).
struct RadixChunkFractions {
  uint32_t head;
  uint32_t middle;
  uint32_t tail;
};
RadixChunkFractions getRadixChunkFractions(uint32_t word,
                                           const RadixChunkDecode &decode);

/// The nine digits of `word` (digits.size() >= 9), computed as the kernels
/// compute them.
void decodeRadixWordByChunks(uint32_t word, const RadixChunkDecode &decode,
                             llvm::MutableArrayRef<uint8_t> digits);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_RADIXCHUNKS_H

//===- RadixPairs.h - 9-digit radix words as digit pairs --------*- C++ -*-===//
//
// A cheaper form of the chunked decode (RadixChunks.h) for CPUs with a
// 128-entry byte permute (x86 AVX512-VBMI vpermi2b): the head and tail
// fractions yield base-R^2 "pairs" (R d_i + d_{i+1}, below R^2 <= 128) in
// two 16-bit multiply steps instead of four, and two byte tables turn each
// pair into its digits (high: p / R, low: p mod R).
//
// Exactness. For a 16-bit fraction h of the chunked decode, floor(h R^4 /
// 2^16) = D, the four digits' value (RadixChunks.h). With P = R^2, e_0 =
// floor(h P / 2^16) and h_1 = h P mod 2^16: h P^2 / 2^16 = e_0 P + h_1 P /
// 2^16, so floor(h P^2 / 2^16) = e_0 P + e_1 with e_1 = floor(h_1 P / 2^16)
// < P; hence (e_0, e_1) are D's base-P digits: (R d0 + d1, R d2 + d3). The
// second step is taken as mulhi16(h_1, 256 P) = floor(h_1 P / 2^8) = 256
// e_1 + ((h_1 P mod 2^16) >> 8) (256 P < 2^16), masked to 256 e_1: the pair
// lands in the high byte of its 16-bit half, next to e_0 in the low byte
// (e_0 < P < 256), so one or makes the bytes [e_0, e_1] of each half.
// RadixPairsTest checks both steps for every h and every radix that has
// the form, and whole words against division.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_RADIXPAIRS_H
#define LOWBIT_NUMERICS_RADIXPAIRS_H

#include "lowbit/Numerics/RadixChunks.h"

#include <array>

namespace lowbit::numerics {

/// The byte tables of the pair decode of one radix: entry p < R^2 holds
/// p / R (high) and p mod R (low); entries past R^2 are zero.
struct RadixPairDecode {
  static constexpr unsigned kTableBytes = 128;
  RadixChunkDecode chunks;
  uint32_t pairRadix; ///< P = R^2
  std::array<uint8_t, kTableBytes> high;
  std::array<uint8_t, kTableBytes> low;
};

/// The pair decode of `radix`, or std::nullopt unless it has the chunked
/// decode and R^2 <= 128 (radix 10 and 11).
std::optional<RadixPairDecode> getRadixPairDecode(unsigned radix);

/// The two pair steps of one 16-bit fraction h, as the kernels compute them
/// in a 16-bit lane: e_0 in the low byte, e_1 in the high byte.
uint16_t getRadixPairBytes(uint32_t h, uint32_t pairRadix);

/// The nine digits of `word` (digits.size() >= 9), computed as the kernels
/// compute them: pairs of the head and tail fractions, then table lookups.
void decodeRadixWordByPairs(uint32_t word, const RadixPairDecode &decode,
                            llvm::MutableArrayRef<uint8_t> digits);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_RADIXPAIRS_H

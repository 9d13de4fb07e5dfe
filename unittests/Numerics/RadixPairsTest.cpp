//===- RadixPairsTest.cpp - The digit-pair radix decode of the kernels ----===//

#include "lowbit/Numerics/RadixPairs.h"

#include "lowbit/Numerics/Packing.h"

#include "RadixDigitCases.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <random>

using namespace lowbit::numerics;

TEST(RadixPairsTest, AppliesToRadicesWithSmallSquares) {
  for (unsigned radix : {10u, 11u}) {
    std::optional<RadixPairDecode> decode = getRadixPairDecode(radix);
    ASSERT_TRUE(decode) << radix;
    EXPECT_EQ(decode->pairRadix, radix * radix);
    for (unsigned p = 0; p < RadixPairDecode::kTableBytes; ++p) {
      bool pair = p < radix * radix;
      EXPECT_EQ(decode->high[p], pair ? p / radix : 0) << p;
      EXPECT_EQ(decode->low[p], pair ? p % radix : 0) << p;
    }
  }
  // No chunked decode (3, 7, 12, 16), or no word of nine digits.
  for (unsigned radix : {1u, 2u, 3u, 7u, 12u, 16u, 257u})
    EXPECT_FALSE(getRadixPairDecode(radix).has_value()) << radix;
}

// Every 16-bit fraction: the two steps give the base-R^2 digits of
// floor(h R^4 / 2^16), the value of the four digits the chunked decode
// reads from h.
TEST(RadixPairsTest, EveryFraction) {
  for (unsigned radix : {10u, 11u}) {
    uint32_t pairRadix = radix * radix;
    for (uint32_t h = 0; h <= 0xFFFF; ++h) {
      uint32_t value = uint32_t((uint64_t(h) * pairRadix * pairRadix) >> 16);
      uint16_t bytes = getRadixPairBytes(h, pairRadix);
      ASSERT_EQ(bytes & 0xFF, value / pairRadix) << radix << " h " << h;
      ASSERT_EQ(bytes >> 8, value % pairRadix) << radix << " h " << h;
    }
  }
}

namespace {

/// Encodes `digits`; the pair decode against division, the first mismatch
/// as a failure.
::testing::AssertionResult roundTrips(const uint8_t (&digits)[9],
                                      const RadixPairDecode &decode) {
  uint32_t word = encodeRadixWord(digits, decode.chunks.radix);
  uint8_t pairs[9], division[9];
  decodeRadixWordByPairs(word, decode, pairs);
  decodeRadixWordByDivision(word, decode.chunks.radix, division);
  for (unsigned i = 0; i < 9; ++i)
    if (pairs[i] != division[i] || division[i] != digits[i])
      return ::testing::AssertionFailure()
             << "word " << word << " digit " << i << ": pairs " << int(pairs[i])
             << ", division " << int(division[i]) << ", encoded "
             << int(digits[i]);
  return ::testing::AssertionSuccess();
}

} // namespace

// Every head and tail value (all four-digit chunks, so every pair and table
// entry), on zero, maximal and random other digits, d4 at both extremes.
TEST(RadixPairsTest, EveryHeadAndTail) {
  for (unsigned radix : {10u, 11u}) {
    std::optional<RadixPairDecode> decode = getRadixPairDecode(radix);
    ASSERT_TRUE(decode);
    EXPECT_TRUE(
        test::forEveryHeadAndTail(radix, [&](const uint8_t(&digits)[9]) {
          return roundTrips(digits, *decode);
        }));
  }
}

TEST(RadixPairsTest, RandomWords) {
  std::optional<RadixPairDecode> decode = getRadixPairDecode(11);
  ASSERT_TRUE(decode);
  std::mt19937 rng(121);
  std::uniform_int_distribution<unsigned> digit(0, 10);
  for (int i = 0; i < 1000000; ++i) {
    uint8_t digits[9];
    for (uint8_t &d : digits)
      d = uint8_t(digit(rng));
    ASSERT_TRUE(roundTrips(digits, *decode));
  }
}

// Any 32-bit word, encoded or not: the same digits as the chunked decode.
TEST(RadixPairsTest, AnyWordAsChunks) {
  std::optional<RadixPairDecode> decode = getRadixPairDecode(11);
  ASSERT_TRUE(decode);
  for (uint64_t word = 0; word < (uint64_t(1) << 32); word += 4093) {
    uint8_t pairs[9], chunks[9];
    decodeRadixWordByPairs(uint32_t(word), *decode, pairs);
    decodeRadixWordByChunks(uint32_t(word), decode->chunks, chunks);
    for (unsigned i = 0; i < 9; ++i)
      ASSERT_EQ(pairs[i], chunks[i]) << word << " digit " << i;
  }
}

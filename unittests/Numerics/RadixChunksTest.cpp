//===- RadixChunksTest.cpp - The chunked radix decode of the kernels ------===//

#include "lowbit/Numerics/RadixChunks.h"

#include "lowbit/Numerics/Packing.h"

#include "RadixDigitCases.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <random>

using namespace lowbit::numerics;

namespace {

/// Encodes `digits`, decodes by chunks and by division; the first mismatch
/// as a failure naming the digits.
::testing::AssertionResult roundTrips(const uint8_t (&digits)[9],
                                      const RadixChunkDecode &decode) {
  uint32_t word = encodeRadixWord(digits, decode.radix);
  uint8_t chunks[9], division[9];
  decodeRadixWordByChunks(word, decode, chunks);
  decodeRadixWordByDivision(word, decode.radix, division);
  for (unsigned i = 0; i < 9; ++i)
    if (chunks[i] != division[i] || division[i] != digits[i])
      return ::testing::AssertionFailure()
             << "word " << word << " digit " << i << ": chunks "
             << int(chunks[i]) << ", division " << int(division[i])
             << ", encoded " << int(digits[i]);
  return ::testing::AssertionSuccess();
}

} // namespace

TEST(RadixChunksTest, AppliesToNineDigitWords) {
  for (unsigned radix : {10u, 11u})
    EXPECT_TRUE(getRadixChunkDecode(radix).has_value()) << radix;
  // 3: 20 digits per word; 7: 11; 12: 8; 1 and 257 are no radix.
  for (unsigned radix : {1u, 2u, 3u, 7u, 12u, 16u, 257u})
    EXPECT_FALSE(getRadixChunkDecode(radix).has_value()) << radix;
  std::optional<RadixChunkDecode> decode = getRadixChunkDecode(11);
  ASSERT_TRUE(decode);
  EXPECT_EQ(decode->headPower, 14641u);
  EXPECT_EQ(decode->tailPower, 161051u);
  EXPECT_EQ(decode->headThreshold, 3335454720u);  // 2^32 - 14641 * 2^16
  EXPECT_EQ(decode->digitThreshold, 4294246400u); // 2^32 - 11 * 2^16
}

// Every head (d0..d3) and every tail (d5..d8) against backgrounds of zero,
// maximal and random digits, with d4 at its extremes.
TEST(RadixChunksTest, EveryHeadAndTail) {
  for (unsigned radix : {10u, 11u}) {
    std::optional<RadixChunkDecode> decode = getRadixChunkDecode(radix);
    ASSERT_TRUE(decode);
    EXPECT_TRUE(
        test::forEveryHeadAndTail(radix, [&](const uint8_t(&digits)[9]) {
          return roundTrips(digits, *decode);
        }));
  }
}

TEST(RadixChunksTest, RandomWords) {
  std::optional<RadixChunkDecode> decode = getRadixChunkDecode(11);
  ASSERT_TRUE(decode);
  std::mt19937 rng(11);
  std::uniform_int_distribution<unsigned> digit(0, 10);
  for (int i = 0; i < 2000000; ++i) {
    uint8_t digits[9];
    for (uint8_t &d : digits)
      d = uint8_t(digit(rng));
    ASSERT_TRUE(roundTrips(digits, *decode));
  }
}

// Any 32-bit word: the head and middle digits are exact (no encoder
// assumption), the tail digits stay in range.
TEST(RadixChunksTest, AnyWord) {
  std::optional<RadixChunkDecode> decode = getRadixChunkDecode(11);
  ASSERT_TRUE(decode);
  for (uint64_t word = 0; word < (uint64_t(1) << 32); word += 4093) {
    uint8_t digits[9], exact[9];
    decodeRadixWordByChunks(uint32_t(word), *decode, digits);
    decodeRadixWordByDivision(uint32_t(word), 11, exact);
    for (unsigned i = 0; i < 9; ++i) {
      ASSERT_LE(digits[i], 10) << word;
      if (i < 5)
        ASSERT_EQ(digits[i], exact[i]) << word << " digit " << i;
    }
  }
}

//===- RadixFieldsTest.cpp - The kernels' decode of radix_fields words ----===//

#include "lowbit/Numerics/RadixFields.h"

#include "lowbit/Numerics/Packing.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cstdint>
#include <random>

using namespace lowbit::numerics;

TEST(RadixFieldsTest, ConstantsAndTables) {
  std::optional<RadixFieldDecode> eleven = getRadixFieldDecode(11);
  ASSERT_TRUE(eleven);
  // ceil(2^22 / 121): the largest shift whose multiplier fits 16 bits.
  EXPECT_EQ(eleven->pairRadix, 121u);
  EXPECT_EQ(eleven->pairMultiplier, 34664u);
  EXPECT_EQ(eleven->pairShift, 6u);
  EXPECT_EQ(eleven->digitMultiplier, 5958u); // ceil(2^16 / 11)
  // ceil(2^26 / 1331), the largest shift whose multiplier fits 16 bits.
  EXPECT_EQ(eleven->topDigitMultiplier, 50420u);
  EXPECT_EQ(eleven->topDigitShift, 2u);
  for (unsigned radix = 7; radix <= 11; ++radix)
    EXPECT_NE(getRadixFieldDecode(radix)->topDigitMultiplier, 0u) << radix;
  for (unsigned radix = 2; radix <= 11; ++radix) {
    std::optional<RadixFieldDecode> decode = getRadixFieldDecode(radix);
    ASSERT_TRUE(decode) << radix;
    EXPECT_LE(decode->pairMultiplier, 0xFFFFu);
    EXPECT_LE(decode->pairShift, 8u);
    for (unsigned p = 0; p < RadixFieldDecode::kTableBytes; ++p) {
      bool pair = p < radix * radix;
      EXPECT_EQ(decode->high[p], pair ? p / radix : 0) << p;
      EXPECT_EQ(decode->low[p], pair ? p % radix : 0) << p;
    }
  }
  for (unsigned radix : {0u, 1u, 12u, 16u, 256u})
    EXPECT_FALSE(getRadixFieldDecode(radix).has_value()) << radix;
}

// Every field value of every radix: the pair bytes are x mod r^2 and
// x / r^2, and its digits without tables (radix 7 to 11), computed by
// division here.
TEST(RadixFieldsTest, EveryField) {
  for (unsigned radix = 2; radix <= 11; ++radix) {
    RadixFieldDecode decode = *getRadixFieldDecode(radix);
    uint32_t pair = radix * radix;
    for (uint32_t x = 0; x < pair * pair; ++x) {
      uint16_t bytes = getRadixFieldPairBytes(x, decode);
      ASSERT_EQ(bytes & 0xFF, x % pair) << radix << " " << x;
      ASSERT_EQ(bytes >> 8, x / pair) << radix << " " << x;
    }
    for (uint32_t x = 0; decode.topDigitMultiplier && x < pair * pair; ++x) {
      RadixFieldDigits digits = getRadixFieldDigits(x, decode);
      uint32_t c[4] = {x % radix, x / radix % radix, x / pair % radix,
                       x / pair / radix};
      ASSERT_EQ(digits.even, c[0] | c[2] << 8) << radix << " " << x;
      ASSERT_EQ(digits.odd, c[1] | c[3] << 8) << radix << " " << x;
    }
  }
}

// Whole words: the kernels' decode of every encoded word gives its codes.
TEST(RadixFieldsTest, EncodedWords) {
  std::mt19937 rng(7);
  for (unsigned radix = 2; radix <= 11; ++radix) {
    RadixFieldDecode decode = *getRadixFieldDecode(radix);
    std::uniform_int_distribution<unsigned> digit(0, radix - 1);
    for (int trial = 0; trial < 20000; ++trial) {
      uint8_t codes[9], pairs[9], noTables[9], divided[9];
      for (uint8_t &c : codes)
        c = uint8_t(trial == 0 ? radix - 1 : digit(rng));
      uint32_t word = encodeRadixFieldWord(codes, radix);
      decodeRadixFieldWordByPairs(word, decode, pairs);
      if (decode.topDigitMultiplier)
        decodeRadixFieldWordByPairs(word, decode, noTables, /*tables=*/false);
      else
        std::copy(codes, codes + 9, noTables);
      decodeRadixFieldWord(word, radix, divided);
      for (int i = 0; i < 9; ++i) {
        ASSERT_EQ(pairs[i], codes[i]) << radix << " " << trial << " " << i;
        ASSERT_EQ(noTables[i], codes[i]) << radix << " " << trial << " " << i;
        ASSERT_EQ(divided[i], codes[i]) << radix << " " << trial << " " << i;
      }
    }
  }
}

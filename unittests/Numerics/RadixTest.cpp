//===- RadixTest.cpp - Division-free base-N word decode -------------------===//

#include "lowbit/Numerics/Packing.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <random>
#include <vector>

using namespace lowbit::numerics;

namespace {

/// Checks that both decoders agree on `word` and yield the base-r digits of
/// radixWordValue(word); returns false on the first mismatch.
bool decodersAgree(uint32_t word, unsigned radix) {
  uint8_t a[32], b[32];
  decodeRadixWordByMultiply(word, radix, a);
  decodeRadixWordByDivision(word, radix, b);
  unsigned n = digitsPerWord(radix);
  for (unsigned i = 0; i < n; ++i)
    if (a[i] != b[i])
      return false;
  return true;
}

/// Boundary words of a radix: all-zero digits, all-max digits, every single
/// digit set to every value, each encoded word's neighbours q-1 and q+1, and
/// the extreme 32-bit words.
std::vector<uint32_t> boundaryWords(unsigned radix) {
  unsigned n = digitsPerWord(radix);
  std::vector<uint32_t> words = {0u, 1u, 2u, 0x7FFFFFFFu, 0x80000000u,
                                 0xFFFFFFFEu, 0xFFFFFFFFu};
  auto addEncoded = [&](const std::vector<uint8_t> &digits) {
    uint32_t q = encodeRadixWord(digits, radix);
    words.push_back(q);
    words.push_back(q - 1);
    words.push_back(q + 1);
  };
  addEncoded(std::vector<uint8_t>(n, 0));
  addEncoded(std::vector<uint8_t>(n, uint8_t(radix - 1)));
  for (unsigned pos = 0; pos < n; ++pos)
    for (unsigned d = 1; d < radix; ++d) {
      std::vector<uint8_t> digits(n, 0);
      digits[pos] = uint8_t(d);
      addEncoded(digits);
      // The same digit over a background of all-max digits.
      std::vector<uint8_t> high(n, uint8_t(radix - 1));
      high[pos] = uint8_t(d - 1);
      addEncoded(high);
    }
  return words;
}

} // namespace

TEST(RadixTest, EncodeDecodeSpecificWords) {
  std::vector<uint8_t> digits(9);
  EXPECT_EQ(encodeRadixWord(std::vector<uint8_t>(9, 0), 11), 0u);
  decodeRadixWordByMultiply(0, 11, digits);
  EXPECT_EQ(digits, std::vector<uint8_t>(9, 0));
  uint32_t allTen = encodeRadixWord(std::vector<uint8_t>(9, 10), 11);
  decodeRadixWordByMultiply(allTen, 11, digits);
  EXPECT_EQ(digits, std::vector<uint8_t>(9, 10));
  EXPECT_EQ(radixWordValue(allTen, 11), 2357947690ull);
}

TEST(RadixTest, Radix11MultiplyIsExactOnBoundaryWords) {
  EXPECT_TRUE(isRadixMultiplyDecodeExact(11));
  for (uint32_t w : boundaryWords(11))
    ASSERT_TRUE(decodersAgree(w, 11)) << "word " << w;
  // Every single digit set: the decode returns exactly that digit pattern.
  for (unsigned pos = 0; pos < 9; ++pos)
    for (unsigned d = 0; d < 11; ++d) {
      std::vector<uint8_t> digits(9, 0), back(9);
      digits[pos] = uint8_t(d);
      decodeRadixWordByMultiply(encodeRadixWord(digits, 11), 11, back);
      ASSERT_EQ(back, digits) << pos << " " << d;
    }
}

// 10^7 random 32-bit words (not only encoded ones): the multiply decode equals
// the division decode.
TEST(RadixTest, Radix11MultiplyMatchesDivisionOnRandomWords) {
  std::mt19937_64 rng(11);
  const int64_t kWords = 10'000'000;
  int64_t mismatches = 0;
  for (int64_t i = 0; i < kWords; i += 2) {
    uint64_t r = rng();
    mismatches += !decodersAgree(uint32_t(r), 11);
    mismatches += !decodersAgree(uint32_t(r >> 32), 11);
  }
  EXPECT_EQ(mismatches, 0);
}

// Random digit strings survive encode -> multiply decode.
TEST(RadixTest, Radix11RandomDigitRoundTrip) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> digit(0, 10);
  std::vector<uint8_t> digits(9), back(9);
  for (int i = 0; i < 200000; ++i) {
    for (auto &d : digits)
      d = uint8_t(digit(rng));
    uint32_t q = encodeRadixWord(digits, 11);
    decodeRadixWordByMultiply(q, 11, back);
    ASSERT_EQ(back, digits);
  }
}

TEST(RadixTest, Radix3MultiplyIsExact) {
  EXPECT_TRUE(isRadixMultiplyDecodeExact(3));
  for (uint32_t w : boundaryWords(3))
    ASSERT_TRUE(decodersAgree(w, 3)) << "word " << w;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 1'000'000; ++i)
    ASSERT_TRUE(decodersAgree(uint32_t(rng()), 3));
}

TEST(RadixTest, EveryRadixMultiplyIsExact) {
  std::mt19937_64 rng(42);
  for (unsigned radix = 2; radix <= 256; ++radix) {
    EXPECT_TRUE(isRadixMultiplyDecodeExact(radix)) << radix;
    for (uint32_t w : boundaryWords(radix))
      ASSERT_TRUE(decodersAgree(w, radix)) << "radix " << radix << " word " << w;
    for (int i = 0; i < 20000; ++i)
      ASSERT_TRUE(decodersAgree(uint32_t(rng()), radix)) << radix;
  }
}

// Stored words are the documented ceil(v * 2^32 / N) and decode back to v.
TEST(RadixTest, EncodedWordIsCeiling) {
  std::mt19937_64 rng(5);
  for (unsigned radix : {3u, 5u, 7u, 11u, 13u, 100u, 255u}) {
    unsigned n = digitsPerWord(radix);
    uint64_t mod = radixWordModulus(radix);
    std::vector<uint8_t> digits(n);
    for (int i = 0; i < 10000; ++i) {
      uint64_t v = 0;
      for (auto &d : digits) {
        d = uint8_t(rng() % radix);
        v = v * radix + d;
      }
      uint32_t q = encodeRadixWord(digits, radix);
      unsigned __int128 lhs = (unsigned __int128)q * mod;
      unsigned __int128 target = (unsigned __int128)v << 32;
      ASSERT_GE(lhs, target);
      ASSERT_LT(lhs - target, mod); // smallest such q
      ASSERT_EQ(radixWordValue(q, radix), v);
    }
  }
}

//===- Float16Test.cpp - fp16 conversions against the compiler's _Float16 -===//

#include "lowbit/Numerics/Float16.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace lowbit::numerics;

namespace {
uint32_t bitsOf(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
float fromBits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
uint16_t oracleHalf(float f) {
  _Float16 h = static_cast<_Float16>(f);
  uint16_t b;
  std::memcpy(&b, &h, 2);
  return b;
}
float oracleFloat(uint16_t b) {
  _Float16 h;
  std::memcpy(&h, &b, 2);
  return static_cast<float>(h);
}
bool sameHalf(uint16_t a, uint16_t b) {
  bool nanA = (a & 0x7C00) == 0x7C00 && (a & 0x3FF);
  bool nanB = (b & 0x7C00) == 0x7C00 && (b & 0x3FF);
  if (nanA || nanB)
    return nanA && nanB;
  return a == b;
}
} // namespace

TEST(Float16Test, Constants) {
  EXPECT_EQ(floatToHalfBits(1.0f), 0x3C00);
  EXPECT_EQ(floatToHalfBits(-2.0f), 0xC000);
  EXPECT_EQ(floatToHalfBits(65504.0f), 0x7BFF);
  EXPECT_EQ(floatToHalfBits(65519.99f), 0x7BFF);
  EXPECT_EQ(floatToHalfBits(65520.0f), 0x7C00); // ties to even -> inf
  EXPECT_EQ(floatToHalfBits(kHalfMinSubnormal), 0x0001);
  EXPECT_EQ(floatToHalfBits(kHalfMinSubnormal / 2), 0x0000); // tie -> even 0
  EXPECT_EQ(floatToHalfBits(std::nextafter(kHalfMinSubnormal / 2, 1.0f)),
            0x0001);
  EXPECT_EQ(floatToHalfBits(-0.0f), 0x8000);
  EXPECT_EQ(floatToHalfBits(INFINITY), 0x7C00);
  EXPECT_EQ(floatToHalfBits(-INFINITY), 0xFC00);
  EXPECT_TRUE(std::isnan(halfBitsToFloat(floatToHalfBits(NAN))));
  EXPECT_EQ(roundToHalf(0.1f), 0.0999755859375f);
  EXPECT_EQ(kHalfMax, halfBitsToFloat(0x7BFF));
  EXPECT_EQ(kHalfMinSubnormal, halfBitsToFloat(0x0001));
}

// Every half widens exactly and converts back to itself.
TEST(Float16Test, AllHalvesRoundTrip) {
  for (uint32_t b = 0; b < 65536; ++b) {
    float f = halfBitsToFloat(uint16_t(b));
    float o = oracleFloat(uint16_t(b));
    ASSERT_TRUE(bitsOf(f) == bitsOf(o) || (std::isnan(f) && std::isnan(o))) << b;
    ASSERT_TRUE(sameHalf(floatToHalfBits(f), uint16_t(b))) << b;
  }
}

// Exact ties between consecutive halves, their float neighbours, and a
// strided sweep over all float bit patterns agree with _Float16 rounding.
TEST(Float16Test, RoundingMatchesCompiler) {
  for (uint32_t b = 0; b < 0x7C00; ++b) {
    float lo = halfBitsToFloat(uint16_t(b));
    float hi = halfBitsToFloat(uint16_t(b + 1));
    float mid = lo + (hi - lo) / 2; // exact in float
    for (float x : {mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 1e9f)})
      for (float s : {x, -x})
        ASSERT_EQ(floatToHalfBits(s), oracleHalf(s)) << s;
  }
  for (uint64_t b = 0; b < (1ull << 32); b += 4093) {
    float x = fromBits(uint32_t(b));
    ASSERT_TRUE(sameHalf(floatToHalfBits(x), oracleHalf(x))) << b;
  }
}

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

//===----------------------------------------------------------------------===//
// bf16 (activations of lowbit.matmul's activation_type = bf16)
//===----------------------------------------------------------------------===//

namespace {
/// The nearest bf16 to a finite normal f32 by distances in double (ties to
/// the even one): an oracle independent of the bit trick under test (the
/// compiler's __bf16 conversion needs __truncsfbf2, which libgcc 12 lacks).
uint16_t oracleBf16(float f) {
  uint32_t truncated = bitsOf(f) >> 16;
  double below = bf16BitsToFloat(uint16_t(truncated));
  double above = (truncated & 0x7FFF) == 0x7F7F
                     ? std::ldexp(f < 0 ? -1.0 : 1.0, 128) // past the largest
                     : double(bf16BitsToFloat(uint16_t(truncated + 1)));
  double dBelow = std::fabs(double(f) - below);
  double dAbove = std::fabs(double(f) - above);
  if (dBelow < dAbove || (dBelow == dAbove && !(truncated & 1)))
    return uint16_t(truncated);
  return uint16_t(truncated + 1); // 0x7F7F + 1 is infinity
}
bool isBf16NaN(uint16_t b) { return (b & 0x7F80) == 0x7F80 && (b & 0x7F); }
} // namespace

TEST(Bf16Test, EveryBf16RoundTrips) {
  for (uint32_t b = 0; b < 0x10000; ++b) {
    float x = bf16BitsToFloat(uint16_t(b));
    ASSERT_EQ(bitsOf(x), b << 16);
    if (isBf16NaN(uint16_t(b)))
      ASSERT_TRUE(isBf16NaN(floatToBf16Bits(x))) << b;
    else if ((b & 0x7F80) == 0) // denormals flush
      ASSERT_EQ(floatToBf16Bits(x), b & 0x8000) << b;
    else
      ASSERT_EQ(floatToBf16Bits(x), b) << b;
  }
}

TEST(Bf16Test, RoundingMatchesNearestInDouble) {
  // Ties and their neighbours between consecutive normal bf16 values, then
  // a stride through all floats.
  for (uint32_t b = 0x80; b < 0x7F7F; ++b) {
    float lo = bf16BitsToFloat(uint16_t(b));
    float hi = bf16BitsToFloat(uint16_t(b + 1));
    float mid = lo + (hi - lo) / 2; // exact in float
    for (float x : {mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 1e30f)})
      for (float s : {x, -x})
        ASSERT_EQ(floatToBf16Bits(s), oracleBf16(s)) << s;
  }
  for (uint64_t b = 0; b < (1ull << 32); b += 4093) {
    float x = fromBits(uint32_t(b));
    uint16_t got = floatToBf16Bits(x);
    if (std::isnan(x))
      ASSERT_TRUE(isBf16NaN(got)) << b;
    else if (std::fabs(x) < 0x1p-126f)
      ASSERT_EQ(got, (b >> 16) & 0x8000) << b; // signed zero
    else if (std::isinf(x))
      ASSERT_EQ(got, b >> 16) << b;
    else
      ASSERT_EQ(got, oracleBf16(x)) << b;
  }
}

TEST(Bf16Test, SpecialValues) {
  EXPECT_EQ(floatToBf16Bits(INFINITY), 0x7F80);
  EXPECT_EQ(floatToBf16Bits(-INFINITY), 0xFF80);
  EXPECT_EQ(floatToBf16Bits(std::nanf("")) & 0x7FC0, 0x7FC0);
  EXPECT_EQ(floatToBf16Bits(-std::nanf("")), 0xFFC0);
  // The largest float rounds past the largest bf16 (0x7F7F): infinity.
  EXPECT_EQ(floatToBf16Bits(3.4028235e38f), 0x7F80);
  EXPECT_EQ(floatToBf16Bits(0x1p-127f), 0x0000);
  EXPECT_EQ(floatToBf16Bits(-0x1p-127f), 0x8000);
  EXPECT_EQ(roundToBf16(1.0f + 0x1p-8f), 1.0f);               // tie to even
  EXPECT_EQ(roundToBf16(1.0f + 3 * 0x1p-8f), 1.0f + 0x1p-6f); // tie up
  // Integer weight codes are exact.
  for (int q = -256; q <= 256; ++q)
    EXPECT_EQ(roundToBf16(float(q)), float(q)) << q;
}

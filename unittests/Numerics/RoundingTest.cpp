//===- RoundingTest.cpp - Rounding modes and saturation -------------------===//

#include "lowbit/Numerics/Quantize.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

using namespace lowbit::numerics;

TEST(RoundingTest, Ties) {
  const Rounding E = Rounding::NearestEven, A = Rounding::NearestAway,
                 Z = Rounding::TowardZero;
  EXPECT_EQ(roundToInt(0.5, E), 0);
  EXPECT_EQ(roundToInt(1.5, E), 2);
  EXPECT_EQ(roundToInt(2.5, E), 2);
  EXPECT_EQ(roundToInt(-0.5, E), 0);
  EXPECT_EQ(roundToInt(-1.5, E), -2);
  EXPECT_EQ(roundToInt(-2.5, E), -2);

  EXPECT_EQ(roundToInt(0.5, A), 1);
  EXPECT_EQ(roundToInt(1.5, A), 2);
  EXPECT_EQ(roundToInt(2.5, A), 3);
  EXPECT_EQ(roundToInt(-0.5, A), -1);
  EXPECT_EQ(roundToInt(-1.5, A), -2);
  EXPECT_EQ(roundToInt(-2.5, A), -3);

  EXPECT_EQ(roundToInt(0.5, Z), 0);
  EXPECT_EQ(roundToInt(1.5, Z), 1);
  EXPECT_EQ(roundToInt(-0.5, Z), 0);
  EXPECT_EQ(roundToInt(-2.5, Z), -2);
  EXPECT_EQ(roundToInt(-2.9, Z), -2);
  EXPECT_EQ(roundToInt(2.9, Z), 2);
}

TEST(RoundingTest, NonTies) {
  for (Rounding m : {Rounding::NearestEven, Rounding::NearestAway}) {
    EXPECT_EQ(roundToInt(0.49999999999999994, m), 0);
    EXPECT_EQ(roundToInt(0.5000000000000001, m), 1);
    EXPECT_EQ(roundToInt(-0.5000000000000001, m), -1);
    EXPECT_EQ(roundToInt(2.4, m), 2);
    EXPECT_EQ(roundToInt(-2.6, m), -3);
    EXPECT_EQ(roundToInt(0.49999997f, m), 0); // largest float below 0.5
  }
}

TEST(RoundingTest, SaturationAndSpecials) {
  for (Rounding m :
       {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero}) {
    EXPECT_EQ(roundToInt(1e300, m), std::numeric_limits<int64_t>::max());
    EXPECT_EQ(roundToInt(-1e300, m), std::numeric_limits<int64_t>::min());
    EXPECT_EQ(roundToInt(std::numeric_limits<double>::infinity(), m),
              std::numeric_limits<int64_t>::max());
    EXPECT_EQ(roundToInt(-std::numeric_limits<double>::infinity(), m),
              std::numeric_limits<int64_t>::min());
    EXPECT_EQ(roundToInt(std::nan(""), m), 0);
    EXPECT_EQ(roundToInt(9007199254740993.0, m), 9007199254740992LL);
    EXPECT_EQ(roundToInt(-0.0, m), 0);
  }
}

// Quantization saturates to [qmin, qmax] for every rounding mode, including
// infinities, and narrow range drops the lowest code.
TEST(RoundingTest, QuantizeSaturates) {
  for (Rounding m :
       {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero}) {
    Scheme s;
    s.bits = 4;
    s.rounding = m;
    QuantParams p; // scale 1
    EXPECT_EQ(quantizeValue(100.0f, p, s), 7);
    EXPECT_EQ(quantizeValue(-100.0f, p, s), -8);
    EXPECT_EQ(quantizeValue(std::numeric_limits<float>::infinity(), p, s), 7);
    EXPECT_EQ(quantizeValue(-std::numeric_limits<float>::infinity(), p, s), -8);
    EXPECT_EQ(quantizeValue(3e38f, p, s), 7);
    // NaN (rejected earlier by the tensor functions) gives the lowest code.
    EXPECT_EQ(quantizeValue(std::nanf(""), p, s), -8);
    s.narrowRange = true;
    EXPECT_EQ(quantizeValue(-100.0f, p, s), -7);
    EXPECT_EQ(quantizeValue(-7.5f, p, s), -7);
    s.narrowRange = false;
    s.isSigned = false;
    s.form = ParamForm::Affine;
    p.zeroPoint = 3;
    EXPECT_EQ(quantizeValue(-100.0f, p, s), 0);
    EXPECT_EQ(quantizeValue(100.0f, p, s), 15);
    EXPECT_EQ(quantizeValue(12.0f, p, s), 15);
    EXPECT_EQ(quantizeValue(11.0f, p, s), 14);
  }
}

// The vectorizable in-loop rounding equals roundToInt on quotients, including
// every half-integer tie in the code range.
TEST(RoundingTest, KernelRoundingMatchesDefinition) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-140.0f, 140.0f);
  std::vector<float> xs;
  for (int i = -300; i <= 300; ++i)
    xs.push_back(i * 0.5f); // exact ties and integers
  for (int i = 0; i < 100000; ++i)
    xs.push_back(dist(rng));
  for (float t : {0.5f, 1.5f, -0.5f, -2.5f, 126.5f, -127.5f, 127.5f, -128.5f}) {
    xs.push_back(std::nextafter(t, 1e9f));
    xs.push_back(std::nextafter(t, -1e9f));
  }
  for (Rounding m :
       {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero}) {
    Scheme s;
    s.bits = 8;
    s.rounding = m;
    Result<Quantizer> q = Quantizer::create(s);
    ASSERT_TRUE(q);
    QuantParams p;
    p.scale = 1.0f;
    std::vector<uint8_t> span(xs.size());
    q->quantizeSpan(xs, p, span);
    for (size_t i = 0; i < xs.size(); ++i) {
      int64_t expect = std::clamp<int64_t>(roundToInt(xs[i], m), -128, 127);
      ASSERT_EQ(q->quantize(xs[i], p), expect) << xs[i];
      ASSERT_EQ(q->fromPattern(span[i]), expect) << xs[i];
    }
  }
}

TEST(RoundingTest, TieExamplesThroughQuantize) {
  // Scale 1, int4 signed: the quotient is the value itself.
  Scheme s;
  s.bits = 4;
  QuantParams p;
  struct Case {
    float x;
    int even, away, zero;
  };
  for (Case c : {Case{0.5f, 0, 1, 0}, Case{1.5f, 2, 2, 1}, Case{-0.5f, 0, -1, 0},
                 Case{-2.5f, -2, -3, -2}, Case{2.5f, 2, 3, 2},
                 Case{-3.5f, -4, -4, -3}}) {
    s.rounding = Rounding::NearestEven;
    EXPECT_EQ(quantizeValue(c.x, p, s), c.even) << c.x;
    s.rounding = Rounding::NearestAway;
    EXPECT_EQ(quantizeValue(c.x, p, s), c.away) << c.x;
    s.rounding = Rounding::TowardZero;
    EXPECT_EQ(quantizeValue(c.x, p, s), c.zero) << c.x;
  }
}

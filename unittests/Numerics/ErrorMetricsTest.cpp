//===- ErrorMetricsTest.cpp -----------------------------------------------===//

#include "lowbit/Numerics/ErrorMetrics.h"

#include "gtest/gtest.h"

#include <cmath>
#include <vector>

using namespace lowbit::numerics;

TEST(ErrorMetricsTest, HandComputed) {
  std::vector<float> ref = {1, 2, 3}, test = {1, 2, 4};
  EXPECT_DOUBLE_EQ(meanSquaredError(ref, test), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(maxAbsError(ref, test), 1.0);
  EXPECT_DOUBLE_EQ(sqnrDb(ref, test), 10.0 * std::log10(14.0));
  ErrorStats s = computeErrorStats(ref, test);
  EXPECT_EQ(s.argMaxAbs, 2);
  std::vector<float> t2 = {0, 2, 2};
  EXPECT_EQ(computeErrorStats(ref, t2).argMaxAbs, 0); // first of the ties
}

TEST(ErrorMetricsTest, Extremes) {
  std::vector<float> ref = {1, -2, 3};
  EXPECT_EQ(meanSquaredError(ref, ref), 0.0);
  EXPECT_TRUE(std::isinf(sqnrDb(ref, ref)) && sqnrDb(ref, ref) > 0);
  std::vector<float> zero = {0, 0, 0};
  EXPECT_TRUE(std::isinf(sqnrDb(zero, ref)) && sqnrDb(zero, ref) < 0);
  std::vector<float> empty;
  EXPECT_EQ(meanSquaredError(empty, empty), 0.0);
  EXPECT_EQ(computeErrorStats(empty, empty).argMaxAbs, -1);
  // 1-bit of noise relative to a full-scale uniform signal is ~6 dB per bit.
  std::vector<float> sig, q;
  for (int i = 0; i < 4096; ++i) {
    float x = (i % 256) / 256.0f - 0.5f + 1.0f / 512;
    sig.push_back(x);
    q.push_back(std::round(x * 16.0f - 0.5f) / 16.0f + 1.0f / 32);
  }
  double db = sqnrDb(sig, q);
  EXPECT_GT(db, 23.0); // 4 bits: ~24 dB
  EXPECT_LT(db, 25.0);
}

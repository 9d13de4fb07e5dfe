//===- CalibrationTest.cpp - statistics, calibrators and rescaling --------===//

#include "lowbit/Numerics/Calibration.h"

#include "gtest/gtest.h"

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

using namespace lowbit::numerics;

namespace {

/// Deterministic standard normal samples (Box-Muller on a 64-bit LCG), so the
/// data do not depend on the standard library's distributions.
std::vector<float> gaussian(int64_t count, uint64_t seed) {
  std::vector<float> values;
  uint64_t state = seed;
  auto uniform = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (double(state >> 11) + 0.5) * 0x1.0p-53; // (0, 1)
  };
  while (int64_t(values.size()) < count) {
    double r = std::sqrt(-2.0 * std::log(uniform()));
    double theta = 2.0 * M_PI * uniform();
    values.push_back(float(r * std::cos(theta)));
    values.push_back(float(r * std::sin(theta)));
  }
  values.resize(count);
  return values;
}

Histogram histogramOf(llvm::ArrayRef<float> values, unsigned bins = 2048) {
  float lo = values[0], hi = values[0];
  for (float v : values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  Histogram h = Histogram::forRange(lo, hi, bins);
  h.add(values);
  return h;
}

CalibrationOptions method(CalibrationMethod m) {
  CalibrationOptions options;
  options.method = m;
  return options;
}

} // namespace

TEST(CalibrationTest, HistogramRanges) {
  Histogram positive = Histogram::forRange(0.5f, 4.0f, 8);
  EXPECT_EQ(positive.lo, 0.0f);
  EXPECT_EQ(positive.hi, 4.0f);
  Histogram negative = Histogram::forRange(-3.0f, -1.0f, 8);
  EXPECT_EQ(negative.lo, -3.0f);
  EXPECT_EQ(negative.hi, 0.0f);
  Histogram both = Histogram::forRange(-1.0f, 3.0f, 8);
  EXPECT_EQ(both.lo, -3.0f);
  EXPECT_EQ(both.hi, 3.0f);
  Histogram zero = Histogram::forRange(0.0f, 0.0f, 8);
  EXPECT_EQ(zero.lo, -1.0f);
  EXPECT_EQ(zero.hi, 1.0f);
  EXPECT_EQ(zero.counts.size(), 8u);
}

TEST(CalibrationTest, HistogramBinsAndMagnitudes) {
  // [-4, 4] in 8 bins of width 1; out-of-range values go to the edge bins,
  // non-finite ones nowhere.
  Histogram h = Histogram::forRange(-4.0f, 4.0f, 8);
  h.add({-4.0f, -3.5f, -0.5f, 0.0f, 0.25f, 3.99f, 4.0f, 100.0f, -100.0f,
         std::numeric_limits<float>::quiet_NaN(),
         std::numeric_limits<float>::infinity()});
  EXPECT_EQ(h.counts, (std::vector<int64_t>{3, 0, 0, 1, 2, 0, 0, 3}));
  EXPECT_EQ(h.total(), 9);
  // |x| in 4 bins of width 1: bin j collects bins 4 + j and 3 - j.
  EXPECT_EQ(h.magnitudes(), (std::vector<int64_t>{3, 0, 0, 6}));
  Histogram negative = Histogram::forRange(-2.0f, -1.0f, 2);
  negative.add({-1.9f, -0.1f, -0.2f});
  EXPECT_EQ(negative.magnitudes(), (std::vector<int64_t>{2, 1}));
}

TEST(CalibrationTest, ObserverStreamsMinMaxPerTensorAndChannel) {
  // Shape [1, 2, 3] with channels along axis 1.
  ActivationObserver observer({1, 2, 3}, /*channelAxis=*/1);
  observer.observeRange({1, 2, 3, -1, 0, 5});
  observer.observeRange(
      {0, 7, std::numeric_limits<float>::quiet_NaN(), -4, 2, 2});
  EXPECT_EQ(observer.getNumSamples(), 2);
  EXPECT_EQ(observer.getNumNonFinite(), 1);
  EXPECT_EQ(observer.getMin(), -4.0f);
  EXPECT_EQ(observer.getMax(), 7.0f);
  EXPECT_EQ(observer.getChannelMins(), (llvm::ArrayRef<float>{0.0f, -4.0f}));
  EXPECT_EQ(observer.getChannelMaxs(), (llvm::ArrayRef<float>{7.0f, 5.0f}));
  observer.startHistogram(4); // [-7, 7], width 3.5
  observer.observeHistogram({1, 2, 3, -1, 0, 5});
  ASSERT_TRUE(observer.getHistogram());
  EXPECT_EQ(observer.getHistogram()->counts,
            (std::vector<int64_t>{0, 1, 4, 1}));
}

TEST(CalibrationTest, ObserverWithoutFiniteValues) {
  ActivationObserver observer(llvm::ArrayRef<int64_t>{2});
  observer.observeRange({std::numeric_limits<float>::infinity(),
                         std::numeric_limits<float>::quiet_NaN()});
  observer.startHistogram();
  EXPECT_EQ(observer.getMin(), 0.0f);
  EXPECT_EQ(observer.getMax(), 0.0f);
  EXPECT_EQ(observer.getNumNonFinite(), 2);
  auto range = chooseRange(method(CalibrationMethod::Entropy), 0.0f, 0.0f,
                           &*observer.getHistogram());
  ASSERT_TRUE(range);
  EXPECT_EQ(range->first, 0.0f);
  EXPECT_EQ(range->second, 0.0f);
}

TEST(CalibrationTest, MinMaxWidensToZero) {
  auto r = chooseRange(method(CalibrationMethod::MinMax), 1.0f, 5.0f, nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, std::make_pair(0.0f, 5.0f));
  r = chooseRange(method(CalibrationMethod::MinMax), -2.0f, -1.0f, nullptr);
  EXPECT_EQ(*r, std::make_pair(-2.0f, 0.0f));
  // The other methods need a histogram.
  EXPECT_FALSE(
      chooseRange(method(CalibrationMethod::Percentile), -1, 1, nullptr));
}

TEST(CalibrationTest, PercentileExactOnKnownData) {
  // Values 0.5, 1.5, ..., 999.5: one per bin of [0, 1000].
  std::vector<float> values;
  for (int i = 0; i < 1000; ++i)
    values.push_back(float(i) + 0.5f);
  Histogram h = Histogram::forRange(0.0f, 1000.0f, 1000);
  h.add(values);
  CalibrationOptions options = method(CalibrationMethod::Percentile);
  options.percentile = 99.0;
  auto r = chooseRange(options, 0.5f, 999.5f, &h);
  ASSERT_TRUE(r);
  // 99% of the mass lies below the upper edge of bin 989.
  EXPECT_FLOAT_EQ(r->second, 990.0f);
  EXPECT_EQ(r->first, 0.0f);
  // Two-sided: -999.5 .. 999.5 symmetric; the 1st percentile is -980 (20 of
  // 2000 values below it).
  std::vector<float> both = values;
  for (float v : values)
    both.push_back(-v);
  Histogram hb = Histogram::forRange(-1000.0f, 1000.0f, 2000);
  hb.add(both);
  r = chooseRange(options, -999.5f, 999.5f, &hb);
  EXPECT_FLOAT_EQ(r->first, -980.0f);
  EXPECT_FLOAT_EQ(r->second, 980.0f);
}

TEST(CalibrationTest, UniformDataIsNotClipped) {
  std::vector<float> values;
  for (int i = 0; i < 100000; ++i)
    values.push_back(-1.0f + 2.0f * (float(i) + 0.5f) / 100000.0f);
  Histogram h = histogramOf(values);
  for (CalibrationMethod m :
       {CalibrationMethod::Percentile, CalibrationMethod::Entropy,
        CalibrationMethod::MSE}) {
    auto r = chooseRange(method(m), -1.0f, 1.0f, &h);
    ASSERT_TRUE(r) << stringifyCalibrationMethod(m);
    // Uniform data have no tail worth cutting: every method keeps >= 95%.
    EXPECT_LE(r->first, -0.95f) << stringifyCalibrationMethod(m);
    EXPECT_GE(r->second, 0.95f) << stringifyCalibrationMethod(m);
    EXPECT_GE(r->first, -1.0f);
    EXPECT_LE(r->second, 1.0f);
  }
}

TEST(CalibrationTest, GaussianOutliersAreClipped) {
  // 200,000 N(0, 1) values and ten outliers at +-100: min-max spends the
  // whole int8 range on the outliers (a step of 0.78, close to the bulk's
  // standard deviation); percentile and entropy clip below them.
  std::vector<float> values = gaussian(200000, 42);
  for (int i = 0; i < 5; ++i) {
    values.push_back(100.0f);
    values.push_back(-100.0f);
  }
  Histogram h = histogramOf(values);
  auto minmax = chooseRange(method(CalibrationMethod::MinMax), -100, 100, &h);
  EXPECT_EQ(minmax->second, 100.0f);
  for (CalibrationMethod m :
       {CalibrationMethod::Percentile, CalibrationMethod::Entropy}) {
    auto r = chooseRange(method(m), -100.0f, 100.0f, &h);
    ASSERT_TRUE(r) << stringifyCalibrationMethod(m);
    // Below the outliers, above the bulk (|x| < 3.3 holds 99.9%).
    EXPECT_LT(r->second, 20.0f) << stringifyCalibrationMethod(m);
    EXPECT_GT(r->second, 3.3f) << stringifyCalibrationMethod(m);
    EXPECT_GT(r->first, -20.0f) << stringifyCalibrationMethod(m);
    EXPECT_LT(r->first, -3.3f) << stringifyCalibrationMethod(m);
  }
  // Percentile 99.99 of N(0,1) is 3.72; the outliers (5 per side of 200k)
  // hold 0.0025%, inside the clipped tail.
  auto p = chooseRange(method(CalibrationMethod::Percentile), -100, 100, &h);
  EXPECT_NEAR(p->second, 3.72f, 0.2f);
  // Squared error counts the ten clipped outliers (96^2 each) against the
  // bulk's rounding error: MSE finds clipping them does not pay here, and
  // its range is never worse than min-max or the other methods'.
  auto mse = chooseRange(method(CalibrationMethod::MSE), -100, 100, &h);
  double mseError =
      histogramQuantizationError(h, getActivationParams(mse->first, mse->second));
  EXPECT_GT(mse->second, 50.0f);
  EXPECT_LE(mseError, histogramQuantizationError(h, getActivationParams(-100, 100)));
  EXPECT_LT(mseError,
            histogramQuantizationError(h, getActivationParams(p->first, p->second)));
}

TEST(CalibrationTest, MseClipsAHeavyTail) {
  // 400,000 Laplace(0, 1) values reach about +-12.2; for 8 bits the
  // MSE-optimal clip of a Laplace distribution lies near 9.9 (Banner et al.,
  // "ACIQ"), so MSE trims the tail and beats min-max on squared error.
  std::vector<float> values;
  uint64_t state = 3;
  for (int i = 0; i < 400000; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    double u = (double(state >> 11) + 0.5) * 0x1.0p-53 - 0.5;
    values.push_back(float((u < 0 ? 1.0 : -1.0) * std::log(1.0 - 2.0 * std::fabs(u))));
  }
  float lo = *std::min_element(values.begin(), values.end());
  float hi = *std::max_element(values.begin(), values.end());
  Histogram h = histogramOf(values);
  auto r = chooseRange(method(CalibrationMethod::MSE), lo, hi, &h);
  ASSERT_TRUE(r);
  EXPECT_LT(r->second, 0.95f * std::max(-lo, hi));
  EXPECT_GT(r->second, 6.0f);
  EXPECT_LT(histogramQuantizationError(h, getActivationParams(r->first, r->second)),
            histogramQuantizationError(h, getActivationParams(lo, hi)));
}

TEST(CalibrationTest, ActivationParams) {
  QuantParams p = getActivationParams(-1.0f, 3.0f);
  // 4 / 255 per step; -1 maps to -128.
  EXPECT_FLOAT_EQ(p.scale, 4.0f / 255.0f);
  EXPECT_EQ(p.zeroPoint, -128 + 64); // round(1 / (4/255)) = 64
  // Ranges are widened to contain 0: [2, 5] is [0, 5].
  QuantParams q = getActivationParams(2.0f, 5.0f);
  EXPECT_FLOAT_EQ(q.scale, 5.0f / 255.0f);
  EXPECT_EQ(q.zeroPoint, -128);
  // Degenerate ranges get a usable scale: never zero, NaN or infinite.
  for (auto [lo, hi] : {std::pair{0.0f, 0.0f}, std::pair{-1e-38f, 1e-38f},
                        std::pair{0.0f, std::numeric_limits<float>::infinity()}}) {
    QuantParams d = getActivationParams(lo, hi);
    EXPECT_GT(d.scale, 0.0f);
    EXPECT_TRUE(std::isfinite(d.scale));
    EXPECT_GE(d.zeroPoint, -128);
    EXPECT_LE(d.zeroPoint, 127);
  }
}

TEST(CalibrationTest, ComputeRescale) {
  int32_t m = 0, s = 0;
  ASSERT_TRUE(computeRescale(0.5, m, s));
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 31);
  ASSERT_TRUE(computeRescale(1.0, m, s));
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 30);
  EXPECT_FALSE(computeRescale(0.0, m, s));
  EXPECT_FALSE(computeRescale(std::ldexp(1.0, 31), m, s));
  EXPECT_FALSE(computeRescale(std::nan(""), m, s));
  // Relative error below 2^-31 across the range.
  for (double real = std::ldexp(1.0, -32); real < std::ldexp(1.0, 30);
       real *= 1.37) {
    ASSERT_TRUE(computeRescale(real, m, s)) << real;
    EXPECT_GE(m, 1 << 30);
    EXPECT_GE(s, 1);
    EXPECT_LE(s, 62);
    double back = std::ldexp(double(m), -s);
    EXPECT_LE(std::fabs(back - real) / real, std::ldexp(1.0, -31)) << real;
  }
}

TEST(CalibrationTest, RescaleRoundsHalfUpAndClamps) {
  int32_t m = 0, s = 0;
  ASSERT_TRUE(computeRescale(0.25, m, s));
  EXPECT_EQ(rescale(100, m, s, 0, 0, -128, 127), 25);
  EXPECT_EQ(rescale(2, m, s, 0, 0, -128, 127), 1);   // 0.5 -> 1
  EXPECT_EQ(rescale(-2, m, s, 0, 0, -128, 127), 0);  // -0.5 -> 0
  EXPECT_EQ(rescale(-6, m, s, 0, 0, -128, 127), -1); // -1.5 -> -1
  EXPECT_EQ(rescale(10, m, s, 2, -3, -128, 127), -1); // (10-2)/4 - 3
  EXPECT_EQ(rescale(100000, m, s, 0, 0, -128, 127), 127);
  EXPECT_EQ(rescale(-100, m, s, 0, 5, 5, 127), 5); // a fused ReLU
  // Within half a step of the real result everywhere.
  ASSERT_TRUE(computeRescale(0.0123, m, s));
  for (int32_t x = -200000; x <= 200000; x += 997) {
    double real = x * 0.0123;
    int32_t got = rescale(x, m, s, 0, 0, INT32_MIN, INT32_MAX);
    EXPECT_LE(std::fabs(double(got) - real), 0.5 + 1e-6) << x;
  }
}

TEST(CalibrationTest, EntropyUsesTheHistogramsOwnRange) {
  // A histogram over [10, 11] (edited statistics; forRange would have made
  // [0, 11]) with everything in its last bin: entropy must keep 11, not the
  // width of the range.
  Histogram h;
  h.lo = 10.0f;
  h.hi = 11.0f;
  h.counts.assign(256, 0);
  h.counts.back() = 1000;
  auto r = chooseRange(method(CalibrationMethod::Entropy), 10.0f, 11.0f, &h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 0.0f);
  EXPECT_GE(r->second, 10.9f);
  float width = 0.0f;
  std::vector<int64_t> m = h.magnitudes(&width);
  EXPECT_FLOAT_EQ(width, 11.0f / 256.0f);
  EXPECT_EQ(m.back(), 1000);
}

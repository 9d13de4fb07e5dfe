//===- GptqTest.cpp - GPTQ, AWQ, input statistics and bit allocation ------===//

#include "lowbit/Numerics/Gptq.h"
#include "lowbit/Numerics/Awq.h"
#include "lowbit/Numerics/BitAllocation.h"
#include "lowbit/Numerics/LayerStatistics.h"
#include "lowbit/Numerics/Presets.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace lowbit::numerics;

namespace {

Scheme intScheme(unsigned bits, ParamForm form = ParamForm::Symmetric,
                 ParamStorage storage = ParamStorage::F16) {
  Scheme s;
  s.bits = bits;
  s.isSigned = form != ParamForm::MinScale;
  s.form = form;
  s.paramStorage = storage;
  return s;
}
/// The 11-level codebook of the c11g128 preset (Presets.h).
Scheme c11Scheme() { return findWeightPreset("c11g128")->scheme; }
Granularity perChannel() { return {GranularityKind::PerChannel, 0, 0}; }
Granularity perGroup(int64_t size) {
  return {GranularityKind::PerGroup, 1, size};
}

struct NamedScheme {
  const char *name;
  Scheme scheme;
  Granularity granularity;
};
std::vector<NamedScheme> allSchemes() {
  return {{"w8", intScheme(8, ParamForm::Symmetric, ParamStorage::F32),
           perChannel()},
          {"w4g32", intScheme(4), perGroup(32)},
          {"w3g64", intScheme(3), perGroup(64)},
          {"w2g32", intScheme(2, ParamForm::MinScale), perGroup(32)},
          {"a4", intScheme(4, ParamForm::Affine), perChannel()},
          {"c11g128", c11Scheme(), perGroup(128)}};
}

/// Correlated inputs: rows of z A with z ~ N(0, 1) and a random mixing A,
/// plus a few inputs of larger magnitude (as in transformer activations).
std::vector<float> randomInputs(int64_t m, int64_t k, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> a(k * k), x(m * k, 0.0f);
  for (float &v : a)
    v = normal(rng) / std::sqrt(float(k));
  for (int64_t i = 0; i < k; ++i)
    a[i * k + i] += 1.0f;
  std::vector<float> z(k);
  for (int64_t r = 0; r < m; ++r) {
    for (float &v : z)
      v = normal(rng);
    for (int64_t j = 0; j < k; ++j) {
      float s = 0.0f;
      for (int64_t i = 0; i < k; ++i)
        s += z[i] * a[i * k + j];
      x[r * k + j] = j % 17 == 3 ? 8.0f * s : s;
    }
  }
  return x;
}
std::vector<float> randomWeights(int64_t n, int64_t k, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  std::vector<float> w(n * k);
  for (float &v : w)
    v = normal(rng);
  return w;
}
std::vector<double> hessianOf(llvm::ArrayRef<float> x, int64_t k) {
  InputStatistics stats(k);
  stats.addRows(x);
  return stats.getHessian();
}
std::vector<float> dequantized(const QuantizedTensor &t, const NamedScheme &s) {
  auto values = dequantizeTensor(t, s.scheme, s.granularity);
  EXPECT_TRUE(values.ok());
  return *values;
}
double rtnError(llvm::ArrayRef<float> w, int64_t n, int64_t k,
                llvm::ArrayRef<double> h, const NamedScheme &s) {
  auto rtn = quantizeTensor(w, {n, k}, s.scheme, s.granularity);
  EXPECT_TRUE(rtn.ok());
  return layerOutputError(w, dequantized(*rtn, s), n, k, h);
}

/// Plain GPTQ as first written (optimal brain quantization): no Cholesky, no
/// blocks; the explicit inverse is downdated after every column.
std::vector<uint8_t> referenceGptq(llvm::ArrayRef<float> w, int64_t n,
                                   int64_t k, llvm::ArrayRef<double> h,
                                   const NamedScheme &s, double dampening) {
  Quantizer q = *Quantizer::create(s.scheme);
  std::vector<double> a(h.begin(), h.end());
  double mean = 0.0;
  for (int64_t i = 0; i < k; ++i) {
    if (a[i * k + i] == 0.0)
      a[i * k + i] = 1.0;
    mean += a[i * k + i] / double(k);
  }
  for (int64_t i = 0; i < k; ++i)
    a[i * k + i] += dampening * mean;
  // Gauss-Jordan inverse.
  std::vector<double> inv(k * k, 0.0);
  for (int64_t i = 0; i < k; ++i)
    inv[i * k + i] = 1.0;
  for (int64_t c = 0; c < k; ++c) {
    double p = a[c * k + c];
    for (int64_t j = 0; j < k; ++j) {
      a[c * k + j] /= p;
      inv[c * k + j] /= p;
    }
    for (int64_t r = 0; r < k; ++r) {
      if (r == c)
        continue;
      double f = a[r * k + c];
      for (int64_t j = 0; j < k; ++j) {
        a[r * k + j] -= f * a[c * k + j];
        inv[r * k + j] -= f * inv[c * k + j];
      }
    }
  }
  std::vector<uint8_t> codes(n * k);
  bool groups = s.granularity.kind == GranularityKind::PerGroup;
  int64_t g = groups ? s.granularity.groupSize : k;
  for (int64_t r = 0; r < n; ++r) {
    std::vector<double> row(w.begin() + r * k, w.begin() + (r + 1) * k);
    std::vector<double> hinv = inv;
    QuantParams p = *q.paramsForValues(w.slice(r * k, k));
    for (int64_t i = 0; i < k; ++i) {
      if (groups && i % g == 0) {
        std::vector<float> values;
        for (int64_t j = i; j < std::min(k, i + g); ++j)
          values.push_back(float(row[j]));
        // The parameters of the current or the original values, whichever
        // loses less on the current values (see Gptq.cpp).
        llvm::ArrayRef<float> original = w.slice(r * k + i, values.size());
        QuantParams a = *q.paramsForValues(values),
                    b = *q.paramsForValues(original);
        auto loss = [&](const QuantParams &p) {
          double sum = 0.0;
          for (size_t j = 0; j < values.size(); ++j) {
            double e = (double(values[j]) -
                        double(q.dequantize(q.quantize(values[j], p), p))) /
                       std::sqrt(hinv[(i + j) * k + i + j]);
            sum += e * e;
          }
          return sum;
        };
        p = loss(b) < loss(a) ? b : a;
      }
      int32_t code = q.quantize(float(row[i]), p);
      codes[r * k + i] = q.toPattern(code);
      double e = (row[i] - double(q.dequantize(code, p))) / hinv[i * k + i];
      for (int64_t j = i + 1; j < k; ++j)
        row[j] -= e * hinv[i * k + j];
      // Remove input i from the inverse.
      std::vector<double> col(k);
      for (int64_t j = 0; j < k; ++j)
        col[j] = hinv[j * k + i];
      double d = hinv[i * k + i];
      for (int64_t x = 0; x < k; ++x)
        for (int64_t y = 0; y < k; ++y)
          hinv[x * k + y] -= col[x] * col[y] / d;
    }
  }
  return codes;
}

TEST(Cholesky, SmallMatrix) {
  // [[4, 2], [2, 5]] = L L^T with L = [[2, 0], [1, 2]].
  std::vector<double> a = {4, 2, 2, 5};
  ASSERT_TRUE(choleskyLower(a, 2));
  EXPECT_EQ(a, (std::vector<double>{2, 0, 1, 2}));
  std::vector<double> indefinite = {1, 2, 2, 1};
  EXPECT_FALSE(choleskyLower(indefinite, 2));
  std::vector<double> nan = {NAN, 0, 0, 1};
  EXPECT_FALSE(choleskyLower(nan, 2));
}

TEST(Cholesky, InverseUpperFactor) {
  std::vector<float> x = randomInputs(64, 9, 1);
  std::vector<double> h = hessianOf(x, 9);
  auto u = inverseUpperCholesky(h, 9);
  ASSERT_TRUE(u.has_value());
  // U^T U H = I, and U is upper triangular.
  for (int64_t i = 0; i < 9; ++i)
    for (int64_t j = 0; j < 9; ++j) {
      if (i > j)
        EXPECT_EQ((*u)[i * 9 + j], 0.0);
      double s = 0.0;
      for (int64_t p = 0; p < 9; ++p) {
        double inv = 0.0;
        for (int64_t q = 0; q < 9; ++q)
          inv += (*u)[q * 9 + i] * (*u)[q * 9 + p];
        s += inv * h[p * 9 + j];
      }
      EXPECT_NEAR(s, i == j ? 1.0 : 0.0, 1e-9) << i << "," << j;
    }
}

TEST(InputStatistics, MatchesDirectSums) {
  std::vector<float> x = {1, 2, -3, 0, 4, 5, NAN, 1, 1, -2, 0, 1};
  InputStatistics stats(3);
  stats.addRows(llvm::ArrayRef<float>(x).take_front(6));
  InputStatistics more(3);
  more.addRows(llvm::ArrayRef<float>(x).drop_front(6));
  stats.merge(more);
  EXPECT_EQ(stats.getNumRows(), 3);
  EXPECT_EQ(stats.getNumNonFiniteRows(), 1);
  // Rows (1, 2, -3), (0, 4, 5), (-2, 0, 1).
  std::vector<double> expected = {5, 2, -5, 2, 20, 14, -5, 14, 35};
  EXPECT_EQ(stats.getHessian(), expected);
  std::vector<float> mean = stats.getMeanAbs();
  EXPECT_FLOAT_EQ(mean[0], 1.0f);
  EXPECT_FLOAT_EQ(mean[1], 2.0f);
  EXPECT_FLOAT_EQ(mean[2], 3.0f);
}

TEST(InputStatistics, OutputErrorIsTheSumOverRows) {
  std::vector<float> x = randomInputs(40, 6, 3), w = randomWeights(5, 6, 4),
                     v = randomWeights(5, 6, 5);
  double direct = 0.0;
  for (int64_t r = 0; r < 40; ++r)
    for (int64_t n = 0; n < 5; ++n) {
      double d = 0.0;
      for (int64_t i = 0; i < 6; ++i)
        d += (double(w[n * 6 + i]) - double(v[n * 6 + i])) * x[r * 6 + i];
      direct += d * d;
    }
  EXPECT_NEAR(layerOutputError(w, v, 5, 6, hessianOf(x, 6)), direct,
              1e-9 * direct);
}

// A hand-checkable case: with dampening 0 and H = blockdiag(B, B),
// B = [[1.25, -0.5], [-0.5, 1]], the upper Cholesky factor of H^-1 is
// blockdiag([[1, 0.5], [0, 1]], ...). int4 per-channel scales are 1 (every
// row's max |w| is 7), so codes are rounded values:
//  row 0: columns 0, 1 exact/0; column 2: 0.45 -> 0, error 0.45 moves
//         column 3 to 0.7 - 0.45 * 0.5 = 0.475 -> 0 (round-to-nearest: 1);
//  row 1: 6.6 -> 7, error -0.4 moves column 1 to 0.4 + 0.2 = 0.6 -> 1
//         (round-to-nearest: 0).
TEST(Gptq, HandCheckedFourByFour) {
  std::vector<float> w = {7, 0.4f, 0.45f, 0.7f, 6.6f, 0.4f, -7, 0,
                          0, 0,    0,     7,    7,    7,    7,  7};
  std::vector<double> h = {1.25, -0.5, 0,    0,    -0.5, 1, 0,    0,
                           0,    0,    1.25, -0.5, 0,    0, -0.5, 1};
  NamedScheme s{"w4", intScheme(4, ParamForm::Symmetric, ParamStorage::F32),
                perChannel()};
  for (int64_t block : {1, 3, 128}) {
    GptqOptions options;
    options.dampening = 0.0;
    options.blockSize = block;
    auto result = gptqQuantize(w, 4, 4, h, s.scheme, s.granularity, options);
    ASSERT_TRUE(result.ok()) << result.error().message;
    // Row 3 is a constant group: scale 7, codes 1 (Quantize.h).
    std::vector<int32_t> expected = {7, 0, 0, 0, 7, 1, -7, 0,
                                     0, 0, 0, 7, 1, 1, 1,  1};
    EXPECT_EQ(result->codeValues(), expected) << "block " << block;
    EXPECT_EQ(result->scales, (std::vector<float>{1, 1, 1, 7}));
    // Row 0: round-to-nearest 0.16 + 0.4781, GPTQ 0.16 + 0.4281.
    double gptq = layerOutputError(w, dequantized(*result, s), 4, 4, h);
    EXPECT_LT(gptq, rtnError(w, 4, 4, h, s));
  }
}

TEST(Gptq, MatchesThePlainReference) {
  for (const NamedScheme &s : allSchemes())
    for (unsigned seed : {1u, 2u}) {
      int64_t n = 6, k = 80;
      std::vector<float> w = randomWeights(n, k, seed);
      std::vector<double> h = hessianOf(randomInputs(200, k, seed + 10), k);
      std::vector<uint8_t> expected = referenceGptq(w, n, k, h, s, 0.01);
      for (int64_t block : {1, 32, 128}) {
        GptqOptions options;
        options.blockSize = block;
        auto result =
            gptqQuantize(w, n, k, h, s.scheme, s.granularity, options);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(result->codes, expected)
            << s.name << " seed " << seed << " block " << block;
      }
    }
}

TEST(Gptq, NeverWorseThanRoundToNearest) {
  for (const NamedScheme &s : allSchemes())
    for (int64_t k : {96, 200})
      for (unsigned seed : {1u, 2u, 3u}) {
        int64_t n = 24;
        std::vector<float> w = randomWeights(n, k, seed);
        std::vector<double> h = hessianOf(randomInputs(4 * k, k, seed + 7), k);
        double rtn = rtnError(w, n, k, h, s);
        for (bool actOrder : {false, true}) {
          GptqOptions options;
          options.actOrder = actOrder;
          auto result =
              gptqQuantize(w, n, k, h, s.scheme, s.granularity, options);
          ASSERT_TRUE(result.ok()) << result.error().message;
          double gptq = layerOutputError(w, dequantized(*result, s), n, k, h);
          EXPECT_LE(gptq, rtn) << s.name << " K " << k << " seed " << seed
                               << " act-order " << actOrder;
        }
      }
}

TEST(Gptq, ActOrderKeepsRoundToNearestParameters) {
  NamedScheme s{"w3g64", intScheme(3), perGroup(64)};
  int64_t n = 8, k = 200;
  std::vector<float> w = randomWeights(n, k, 9);
  std::vector<double> h = hessianOf(randomInputs(400, k, 9), k);
  GptqOptions options;
  options.actOrder = true;
  auto result = gptqQuantize(w, n, k, h, s.scheme, s.granularity, options);
  auto rtn = quantizeTensor(w, {n, k}, s.scheme, s.granularity);
  ASSERT_TRUE(result.ok() && rtn.ok());
  EXPECT_EQ(result->scales, rtn->scales);
  EXPECT_EQ(result->paramShape, (std::vector<int64_t>{8, 4}));
}

TEST(Gptq, DeadInputsAndZeroStatistics) {
  NamedScheme s{"w4g32", intScheme(4), perGroup(32)};
  int64_t n = 4, k = 64;
  std::vector<float> w = randomWeights(n, k, 5);
  std::vector<float> x = randomInputs(200, k, 5);
  for (int64_t r = 0; r < 200; ++r)
    for (int64_t i = 10; i < 20; ++i)
      x[r * k + i] = 0.0f;
  std::vector<double> h = hessianOf(x, k);
  GptqReport report;
  auto result = gptqQuantize(w, n, k, h, s.scheme, s.granularity, {}, &report);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(report.deadInputs, 10);
  EXPECT_LE(layerOutputError(w, dequantized(*result, s), n, k, h),
            rtnError(w, n, k, h, s));
  // No statistics at all (every input dead): round-to-nearest exactly.
  std::vector<double> zero(k * k, 0.0);
  auto plain = gptqQuantize(w, n, k, zero, s.scheme, s.granularity);
  auto rtn = quantizeTensor(w, {n, k}, s.scheme, s.granularity);
  ASSERT_TRUE(plain.ok() && rtn.ok());
  EXPECT_EQ(plain->codes, rtn->codes);
}

TEST(Gptq, RejectsBadStatistics) {
  NamedScheme s{"w4g32", intScheme(4), perGroup(32)};
  std::vector<float> w = randomWeights(2, 32, 1);
  std::vector<double> h(32 * 32, 0.0);
  h[5 * 32 + 7] = NAN;
  auto result = gptqQuantize(w, 2, 32, h, s.scheme, s.granularity);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            "the input statistics hold a non-finite value at [5, 7]");
  auto wrongSize = gptqQuantize(w, 2, 32, llvm::ArrayRef<double>(h).drop_back(),
                                s.scheme, s.granularity);
  EXPECT_FALSE(wrongSize.ok());
  Granularity alongN{GranularityKind::PerGroup, 0, 2};
  EXPECT_FALSE(gptqQuantize(w, 2, 32, std::vector<double>(32 * 32, 0.0),
                            s.scheme, alongN)
                   .ok());
}

TEST(Awq, NeverWorseThanRoundToNearestAndUsesOutliers) {
  for (const NamedScheme &s : allSchemes()) {
    int64_t n = 16, k = 128;
    std::vector<float> w = randomWeights(n, k, 3), w2 = randomWeights(8, k, 4);
    std::vector<float> x = randomInputs(512, k, 3);
    InputStatistics stats(k);
    stats.addRows(x);
    std::vector<double> h = stats.getHessian();
    AwqLayer layers[] = {{w, n}, {w2, 8}};
    auto result =
        awqSearch(layers, k, h, stats.getMeanAbs(), s.scheme, s.granularity);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_LE(result->error, result->rtnError) << s.name;
    EXPECT_NEAR(result->rtnError,
                rtnError(w, n, k, h, s) + rtnError(w2, 8, k, h, s),
                1e-9 * result->rtnError);
    // Inputs 8x larger than the rest (every 17th): low-bit schemes gain from
    // protecting them.
    if (s.scheme.bits <= 3) {
      EXPECT_GT(result->alpha, 0.0) << s.name;
      EXPECT_LT(result->error, 0.95 * result->rtnError) << s.name;
      EXPECT_GT(result->scales[3], result->scales[4]) << s.name;
    }
  }
}

TEST(BitAllocation, ChoosesTheBestFit) {
  // Two layers of 100 weights; candidates (bits per weight, error).
  auto layer = [](std::vector<std::pair<double, double>> c) {
    AllocationLayer l;
    l.numWeights = 100;
    for (auto [bits, error] : c)
      l.candidates.push_back({bits * 100, error});
    return l;
  };
  std::vector<AllocationLayer> layers = {layer({{2, 10}, {3, 4}, {4, 1}}),
                                         layer({{2, 100}, {3, 20}, {4, 18}})};
  // 3 bits on average: (3, 3) = 24 beats (2, 4) = 28 and (4, 2) = 101.
  for (AllocationMethod m : {AllocationMethod::Dp, AllocationMethod::Greedy}) {
    auto choice = allocateBits(layers, 3.0, m);
    ASSERT_TRUE(choice.has_value());
    EXPECT_EQ(*choice, (std::vector<unsigned>{1, 1}));
    EXPECT_EQ(*allocateBits(layers, 4.0, m), (std::vector<unsigned>{2, 2}));
    EXPECT_EQ(*allocateBits(layers, 3.5, m), (std::vector<unsigned>{2, 1}));
    EXPECT_FALSE(allocateBits(layers, 1.9, m).has_value());
  }
}

} // namespace

namespace {

TEST(Awq, OutputAwareClippingNeverWorseThanMinMax) {
  for (const NamedScheme &s : allSchemes())
    for (unsigned seed : {1u, 2u}) {
      int64_t n = 16, k = 96;
      std::vector<float> w = randomWeights(n, k, seed);
      std::vector<double> h = hessianOf(randomInputs(300, k, seed), k);
      auto clipped =
          quantizeClippedToOutput(w, n, k, h, s.scheme, s.granularity);
      ASSERT_TRUE(clipped.ok()) << clipped.error().message;
      double error = layerOutputError(w, dequantized(*clipped, s), n, k, h);
      EXPECT_LE(error, rtnError(w, n, k, h, s)) << s.name << " seed " << seed;
    }
  // Scaling inputs by 1/s and weights by s keeps the output error (up to the
  // f32 rounding of w * s).
  std::vector<float> w = randomWeights(4, 8, 3), v = randomWeights(4, 8, 4);
  std::vector<double> h = hessianOf(randomInputs(50, 8, 3), 8);
  std::vector<float> s = {1, 2, 0.5f, 4, 1, 1, 0.25f, 3};
  EXPECT_NEAR(
      layerOutputError(scaleColumns(w, 4, 8, s), scaleColumns(v, 4, 8, s), 4, 8,
                       scaleHessian(h, 8, s)),
      layerOutputError(w, v, 4, 8, h), 1e-6 * layerOutputError(w, v, 4, 8, h));
}

} // namespace

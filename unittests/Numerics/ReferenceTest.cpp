//===- ReferenceTest.cpp - Reference kernels and requantization -----------===//

#include "lowbit/Numerics/Reference.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace lowbit::numerics;

TEST(ReferenceTest, MatmulHandComputed) {
  // x [2,3], W [2,3] (rows are output features), bias [2].
  std::vector<float> x = {1, 2, 3, -1, 0, 2};
  std::vector<float> w = {1, 0, 1, 2, 1, -1};
  std::vector<float> bias = {0.5f, -1};
  std::vector<float> out(4);
  for (Accumulation a : {Accumulation::Double, Accumulation::Float}) {
    referenceMatmul(x, w, bias, 2, 2, 3, out, a);
    EXPECT_EQ(out, (std::vector<float>{4.5f, 0.0f, 1.5f, -5.0f}));
    referenceMatmul(x, w, {}, 2, 2, 3, out, a);
    EXPECT_EQ(out, (std::vector<float>{4.0f, 1.0f, 1.0f, -4.0f}));
  }
}

TEST(ReferenceTest, AccumulationModesDiffer) {
  // 1e8 + 1 - 1e8: float loses the 1, double keeps it.
  std::vector<float> x = {1e8f, 1.0f, -1e8f};
  std::vector<float> w = {1.0f, 1.0f, 1.0f};
  std::vector<float> out(1);
  referenceMatmul(x, w, {}, 1, 1, 3, out, Accumulation::Double);
  EXPECT_EQ(out[0], 1.0f);
  referenceMatmul(x, w, {}, 1, 1, 3, out, Accumulation::Float);
  EXPECT_EQ(out[0], 0.0f);
}

TEST(ReferenceTest, Int8Matmul) {
  std::mt19937 rng(4);
  std::uniform_int_distribution<int> d(-128, 127);
  const int64_t M = 3, N = 5, K = 37;
  std::vector<int8_t> x(M * K), w(N * K);
  for (auto &v : x)
    v = int8_t(d(rng));
  for (auto &v : w)
    v = int8_t(d(rng));
  std::vector<int32_t> zw = {0, 1, -3, 127, -128}, bias = {1, 2, 3, 4, -5};
  std::vector<int32_t> out(M * N);
  referenceMatmulInt8(x, 5, w, zw, bias, M, N, K, out);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      int64_t acc = bias[n];
      for (int64_t k = 0; k < K; ++k)
        acc += (int64_t(x[m * K + k]) - 5) * (int64_t(w[n * K + k]) - zw[n]);
      EXPECT_EQ(out[m * N + n], acc);
    }
  EXPECT_EQ(dotInt8(std::vector<int8_t>{1, 2, 3}, std::vector<int8_t>{4, 5, 6}),
            32);
  EXPECT_EQ(dotInt8(std::vector<int8_t>{-128}, std::vector<int8_t>{-128}, 0, 0),
            16384);
  // Worst case at K = 2^15 with zero points stays in int32.
  std::vector<int8_t> a(32768, -128), b(32768, 127);
  EXPECT_EQ(dotInt8(a, b, 127, -128), int32_t(-255 * 255 * 32768));
}

TEST(ReferenceTest, FixedPointPrimitives) {
  EXPECT_EQ(roundingDivideByPowerOfTwo(5, 1), 3);   // 2.5 -> 3
  EXPECT_EQ(roundingDivideByPowerOfTwo(-5, 1), -3); // -2.5 -> -3
  EXPECT_EQ(roundingDivideByPowerOfTwo(4, 1), 2);
  EXPECT_EQ(roundingDivideByPowerOfTwo(7, 2), 2);   // 1.75
  EXPECT_EQ(roundingDivideByPowerOfTwo(-6, 2), -2); // -1.5 -> -2
  EXPECT_EQ(roundingDivideByPowerOfTwo(-5, 2), -1); // -1.25
  EXPECT_EQ(roundingDivideByPowerOfTwo(123, 0), 123);
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  const int32_t kMax = std::numeric_limits<int32_t>::max();
  EXPECT_EQ(saturatingRoundingDoublingHighMul(kMin, kMin), kMax);
  EXPECT_EQ(saturatingRoundingDoublingHighMul(1 << 30, 1 << 30), 1 << 29);
  EXPECT_EQ(saturatingRoundingDoublingHighMul(3, 1 << 30), 2);   // 1.5 -> 2
  // gemmlowp semantics: ties round toward +infinity.
  EXPECT_EQ(saturatingRoundingDoublingHighMul(-3, 1 << 30), -1); // -1.5 -> -1
  EXPECT_EQ(saturatingRoundingDoublingHighMul(-1, 1 << 30), 0);  // -0.5 -> 0
  EXPECT_EQ(saturatingRoundingDoublingHighMul(-5, 1 << 29), -1); // -1.25

  int32_t m, s;
  quantizeMultiplier(0.5, m, s);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 0);
  quantizeMultiplier(1.0, m, s);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 1);
  quantizeMultiplier(0.25, m, s);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, -1);
  quantizeMultiplier(0.0, m, s);
  EXPECT_EQ(m, 0);
  quantizeMultiplier(1e-12, m, s);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(s, 0);
  quantizeMultiplier(std::nextafter(1.0, 0.0), m, s); // rounds up to 2^31
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 1);
  quantizeMultiplier(0.5, m, s);
  EXPECT_EQ(multiplyByQuantizedMultiplier(3, m, s), 2);   // 1.5 -> 2
  EXPECT_EQ(multiplyByQuantizedMultiplier(-3, m, s), -1); // -1.5 -> -1
  quantizeMultiplier(0.25, m, s); // the tie is now decided by the shift
  EXPECT_EQ(multiplyByQuantizedMultiplier(-6, m, s), -2); // -1.5 -> -2
  EXPECT_EQ(multiplyByQuantizedMultiplier(6, m, s), 2);   // 1.5 -> 2
  quantizeMultiplier(3.0, m, s);
  EXPECT_EQ(multiplyByQuantizedMultiplier(7, m, s), 21);
}

// Requantization stays within one step of the real-valued result.
TEST(ReferenceTest, RequantizeCloseToReal) {
  std::mt19937 rng(8);
  std::uniform_int_distribution<int32_t> acc(-(1 << 20), 1 << 20);
  std::uniform_real_distribution<double> mult(1e-6, 0.9);
  for (int i = 0; i < 100000; ++i) {
    double real = mult(rng);
    int32_t m, s;
    quantizeMultiplier(real, m, s);
    int32_t a = acc(rng);
    double exact = a * real;
    int32_t r = requantize(a, m, s, 3, -128, 127);
    double expect = std::clamp(std::round(exact) + 3, -128.0, 127.0);
    ASSERT_LE(std::fabs(r - expect), 1.0) << a << " * " << real;
  }
}

// Hand-computed: max |x| = 2.54 -> s = 0.02; x / s = [127, -63.5, 0.5, 1.5]
// -> round half to even [127, -64, 0, 2]. (0.02 is not exact in f32, so the
// quotients are computed the same way here.)
TEST(DynamicInt8Test, QuantizeActivationRow) {
  std::vector<float> x = {2.54f, -1.27f, 0.01f, 0.03f};
  std::vector<int8_t> q(4);
  float s = lowbit::numerics::quantizeActivationRow(x, q);
  EXPECT_FLOAT_EQ(s, 2.54f / 127.0f);
  std::vector<int8_t> expected;
  for (float v : x) {
    float y = v / s;
    expected.push_back(static_cast<int8_t>(std::nearbyint(y)));
  }
  EXPECT_EQ(q, expected);
  EXPECT_EQ(q[0], 127);
  EXPECT_EQ(q[1], -64);
  // An all-zero row gets scale 1 and zero codes.
  std::vector<float> zeros(3, 0.0f);
  std::vector<int8_t> z(3, 5);
  EXPECT_EQ(lowbit::numerics::quantizeActivationRow(zeros, z), 1.0f);
  EXPECT_EQ(z, std::vector<int8_t>(3, 0));
}

// One row x = [127, 0, -127, 63.5] (s = 1, q = [127, 0, -127, 64]), two
// weight rows with groups of 2: out = s_x * sum_g s_w[g] * (q . w)_g.
TEST(DynamicInt8Test, MatmulByHand) {
  std::vector<float> x = {127.0f, 0.0f, -127.0f, 63.5f};
  std::vector<int32_t> w = {1, 2, 3, 4,     // row 0
                            -1, 0, 0, 1};   // row 1
  std::vector<float> scales = {0.5f, 0.25f, // row 0, groups 0 and 1
                               2.0f, 1.0f}; // row 1
  std::vector<float> bias = {1.0f, -1.0f};
  std::vector<float> out(2);
  lowbit::numerics::referenceMatmulDynamicInt8(x, w, scales, 2, bias, 1, 2, 4,
                                               out);
  // Row 0: 0.5 * (127 + 0) + 0.25 * (-381 + 256) = 63.5 - 31.25 = 32.25
  EXPECT_FLOAT_EQ(out[0], 32.25f + 1.0f);
  // Row 1: 2 * (-127) + 1 * (0 + 64) = -190
  EXPECT_FLOAT_EQ(out[1], -190.0f - 1.0f);
}

TEST(Bf16ActivationsTest, MatmulByHand) {
  // 1 + 2^-8 is a tie (rounds to 1), 1 + 3 * 2^-8 rounds up to 1 + 2^-6,
  // 2^-130 is a denormal (flushed), 3 is exact.
  std::vector<float> x = {1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, 0x1p-130f, 3.0f};
  std::vector<float> w = {1.0f, 2.0f, 1e30f, -0.5f, // row 0
                          0.0f, 1.0f, 0.0f,  1.0f}; // row 1
  std::vector<float> bias = {0.25f, 0.0f};
  std::vector<float> out(2);
  lowbit::numerics::referenceMatmulBf16Activations(x, w, bias, 1, 2, 4, out);
  EXPECT_EQ(out[0], 1.0f + 2.0f * (1.0f + 0x1p-6f) - 1.5f + 0.25f);
  EXPECT_EQ(out[1], 1.0f + 0x1p-6f + 3.0f);
}

// The dequantized-weight form on the same case: w^ = s_w * q per group gives
// the same outputs; a min/scale weight (w^ = q / 3 * 1.5 - 1 here: mins meet
// the row's sum of q) is checked by hand.
TEST(DynamicInt8Test, DequantizedMatmulByHand) {
  std::vector<float> x = {127.0f, 0.0f, -127.0f, 63.5f};
  std::vector<float> w = {0.5f,  1.0f, 0.75f, 1.0f, // s_w * q, row 0
                          -2.0f, 0.0f, 0.0f,  1.0f};
  std::vector<float> bias = {1.0f, -1.0f};
  std::vector<float> out(2);
  lowbit::numerics::referenceMatmulDynamicInt8Dequantized(x, w, bias, 1, 2, 4,
                                                          out);
  EXPECT_FLOAT_EQ(out[0], 32.25f + 1.0f);
  EXPECT_FLOAT_EQ(out[1], -190.0f - 1.0f);

  // 2-bit codes [3, 0, 1, 2] at scale 1.5, min -1: w^ = [0.5, -1, -0.5, 0];
  // q = [127, 0, -127, 64]: 63.5 + 0 + 63.5 + 0 = 127.
  std::vector<float> minScale = {0.5f, -1.0f, -0.5f, 0.0f};
  std::vector<float> one(1);
  lowbit::numerics::referenceMatmulDynamicInt8Dequantized(x, minScale, {}, 1, 1,
                                                          4, one);
  EXPECT_FLOAT_EQ(one[0], 127.0f);
}

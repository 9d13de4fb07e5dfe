//===- QuantizeParamsTest.cpp - Ranges, parameters, single values ---------===//

#include "lowbit/Numerics/Quantize.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <random>

using namespace lowbit::numerics;

namespace {
Scheme makeScheme(unsigned bits, bool isSigned, ParamForm form,
                  bool narrow = false) {
  Scheme s;
  s.bits = bits;
  s.isSigned = isSigned;
  s.form = form;
  s.narrowRange = narrow;
  return s;
}
Scheme codebookScheme(ParamForm form, std::vector<float> cb, unsigned bits = 4,
                      ParamStorage storage = ParamStorage::F32) {
  Scheme s;
  s.bits = bits;
  s.isSigned = false;
  s.form = form;
  s.codebook = std::move(cb);
  s.paramStorage = storage;
  return s;
}
QuantParams params(const Scheme &s, std::vector<float> values,
                   ClippingOptions c = {}) {
  std::optional<QuantParams> p = computeParams(s, values, c);
  EXPECT_TRUE(p.has_value());
  return p.value_or(QuantParams{});
}
} // namespace

TEST(QuantizeParamsTest, Ranges) {
  EXPECT_EQ(qmin(makeScheme(8, true, ParamForm::Symmetric)), -128);
  EXPECT_EQ(qmax(makeScheme(8, true, ParamForm::Symmetric)), 127);
  EXPECT_EQ(qmin(makeScheme(8, true, ParamForm::Symmetric, true)), -127);
  EXPECT_EQ(qmax(makeScheme(8, true, ParamForm::Symmetric, true)), 127);
  EXPECT_EQ(qmin(makeScheme(4, true, ParamForm::Symmetric)), -8);
  EXPECT_EQ(qmax(makeScheme(4, true, ParamForm::Symmetric)), 7);
  EXPECT_EQ(qmin(makeScheme(4, true, ParamForm::Symmetric, true)), -7);
  EXPECT_EQ(qmin(makeScheme(2, true, ParamForm::Symmetric)), -2);
  EXPECT_EQ(qmax(makeScheme(2, true, ParamForm::Symmetric)), 1);
  EXPECT_EQ(qmin(makeScheme(3, true, ParamForm::Symmetric)), -4);
  EXPECT_EQ(qmax(makeScheme(3, true, ParamForm::Symmetric)), 3);
  EXPECT_EQ(qmin(makeScheme(8, false, ParamForm::Affine)), 0);
  EXPECT_EQ(qmax(makeScheme(8, false, ParamForm::Affine)), 255);
  EXPECT_EQ(qmin(makeScheme(8, false, ParamForm::Affine, true)), 1);
  EXPECT_EQ(qmax(makeScheme(4, false, ParamForm::MinScale)), 15);
  Scheme cb = codebookScheme(ParamForm::MinScale, linspaceCodebook(-1, 1, 11));
  EXPECT_EQ(qmin(cb), 0);
  EXPECT_EQ(qmax(cb), 10);
}

TEST(QuantizeParamsTest, VerifyScheme) {
  EXPECT_FALSE(verifyScheme(Scheme{}));
  EXPECT_TRUE(verifyScheme(makeScheme(1, false, ParamForm::Affine)));
  EXPECT_TRUE(verifyScheme(makeScheme(9, true, ParamForm::Symmetric)));
  EXPECT_FALSE(verifyScheme(
      codebookScheme(ParamForm::MinScale, linspaceCodebook(-1, 1, 11))));
  EXPECT_TRUE(verifyScheme(
      codebookScheme(ParamForm::MinScale, linspaceCodebook(-1, 1, 17))));
  EXPECT_TRUE(verifyScheme(codebookScheme(ParamForm::Affine, {0, 1})));
  EXPECT_TRUE(verifyScheme(codebookScheme(ParamForm::Symmetric, {1, 0})));
  EXPECT_TRUE(verifyScheme(codebookScheme(ParamForm::Symmetric, {1})));
  EXPECT_TRUE(verifyScheme(codebookScheme(ParamForm::Symmetric, {0, NAN})));
  Scheme signedCb = codebookScheme(ParamForm::Symmetric, {-1, 1});
  signedCb.isSigned = true;
  EXPECT_TRUE(verifyScheme(signedCb));
  EXPECT_FALSE(Quantizer::create(makeScheme(1, true, ParamForm::Symmetric)));
  EXPECT_EQ(Quantizer::create(makeScheme(1, true, ParamForm::Symmetric))
                .error()
                .kind,
            QuantError::Kind::InvalidScheme);
}

TEST(QuantizeParamsTest, Linspace) {
  std::vector<float> cb = linspaceCodebook(-1.0f, 1.0f, 11);
  ASSERT_EQ(cb.size(), 11u);
  EXPECT_EQ(cb[0], -1.0f);
  EXPECT_EQ(cb[5], 0.0f);
  EXPECT_EQ(cb[10], 1.0f);
  EXPECT_EQ(cb[1], static_cast<float>(-0.8));
  EXPECT_EQ(cb[7], static_cast<float>(0.4));
}

// Symmetric, scale exactly 1: every code is the rounded value.
TEST(QuantizeParamsTest, SymmetricHandComputed) {
  Scheme s = makeScheme(4, true, ParamForm::Symmetric);
  QuantParams p = params(s, {7.0f, -3.5f, 2.5f, 0.5f, -0.5f, 1.5f});
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zeroPoint, 0);
  std::vector<int> expect = {7, -4, 2, 0, 0, 2};
  std::vector<float> xs = {7.0f, -3.5f, 2.5f, 0.5f, -0.5f, 1.5f};
  for (size_t i = 0; i < xs.size(); ++i) {
    EXPECT_EQ(quantizeValue(xs[i], p, s), expect[i]) << xs[i];
    EXPECT_EQ(dequantizeValue(expect[i], p, s), float(expect[i]));
  }
  // Generic scale: s = max|x| / qmax in float.
  Scheme s8 = makeScheme(8, true, ParamForm::Symmetric);
  QuantParams p8 = params(s8, {-0.3f, 1.0f, 0.25f});
  EXPECT_EQ(p8.scale, 1.0f / 127.0f);
  EXPECT_EQ(quantizeValue(1.0f, p8, s8), 127);
  EXPECT_EQ(quantizeValue(-1.0f, p8, s8), -127);
  EXPECT_EQ(quantizeValue(-0.3f, p8, s8), -38); // -38.1
  EXPECT_EQ(quantizeValue(0.25f, p8, s8), 32);  // 31.75
  // A negative maximum: -4 is representable (qmin = -8) but scale uses qmax.
  QuantParams pn = params(makeScheme(4, true, ParamForm::Symmetric), {-7, 1});
  EXPECT_EQ(pn.scale, 1.0f);
}

TEST(QuantizeParamsTest, NarrowRange) {
  Scheme s = makeScheme(8, true, ParamForm::Symmetric, /*narrow=*/true);
  QuantParams p = params(s, {-2.0f, 1.0f});
  EXPECT_EQ(p.scale, 2.0f / 127.0f);
  EXPECT_EQ(quantizeValue(-2.0f, p, s), -127);
  EXPECT_EQ(quantizeValue(-3.0f, p, s), -127); // never -128
}

TEST(QuantizeParamsTest, AffineHandComputed) {
  // uint8 over [-1, 3]: s = 4/255, z = 0 - round(-1/s) = 64.
  Scheme u8 = makeScheme(8, false, ParamForm::Affine);
  QuantParams p = params(u8, {-1.0f, 0.5f, 3.0f});
  EXPECT_EQ(p.scale, static_cast<float>(4.0 / 255.0));
  EXPECT_EQ(p.zeroPoint, 64);
  EXPECT_EQ(quantizeValue(-1.0f, p, u8), 0);
  EXPECT_EQ(quantizeValue(3.0f, p, u8), 255);
  EXPECT_EQ(quantizeValue(0.0f, p, u8), 64);
  EXPECT_EQ(dequantizeValue(64, p, u8), 0.0f); // zero is exact
  // int8 over the same range: z = -128 + 64.
  Scheme i8 = makeScheme(8, true, ParamForm::Affine);
  QuantParams pi = params(i8, {-1.0f, 3.0f});
  EXPECT_EQ(pi.zeroPoint, -64);
  EXPECT_EQ(quantizeValue(-1.0f, pi, i8), -128);
  EXPECT_EQ(quantizeValue(3.0f, pi, i8), 127);
  // All positive: the range is widened to include 0, so z = qmin.
  QuantParams pp = params(u8, {2.0f, 4.0f});
  EXPECT_EQ(pp.scale, static_cast<float>(4.0 / 255.0));
  EXPECT_EQ(pp.zeroPoint, 0);
  EXPECT_EQ(quantizeValue(4.0f, pp, u8), 255);
  // All negative: z = qmax.
  QuantParams pneg = params(u8, {-4.0f, -2.0f});
  EXPECT_EQ(pneg.zeroPoint, 255);
  EXPECT_EQ(quantizeValue(-4.0f, pneg, u8), 0);
  // 4-bit unsigned over [-1, 2]: s = 3/15 = 0.2, z = round(5) = 5.
  Scheme u4 = makeScheme(4, false, ParamForm::Affine);
  QuantParams p4 = params(u4, {-1.0f, 2.0f});
  EXPECT_EQ(p4.scale, static_cast<float>(3.0 / 15.0));
  EXPECT_EQ(p4.zeroPoint, 5);
  EXPECT_EQ(quantizeValue(2.0f, p4, u4), 15);
  EXPECT_EQ(quantizeValue(0.1f, p4, u4), 5);  // 0.5 -> 0 (ties to even)
  EXPECT_EQ(quantizeValue(0.3f, p4, u4), 7);  // 1.5 -> 2
}

TEST(QuantizeParamsTest, MinScaleUniformHandComputed) {
  Scheme s = makeScheme(4, false, ParamForm::MinScale);
  QuantParams p = params(s, {1.0f, 2.5f, 4.0f});
  EXPECT_EQ(p.min, 1.0f);
  EXPECT_EQ(p.scale, 3.0f);
  EXPECT_EQ(quantizeValue(1.0f, p, s), 0);
  EXPECT_EQ(quantizeValue(4.0f, p, s), 15);
  EXPECT_EQ(quantizeValue(2.5f, p, s), 8); // t = 0.5, 7.5 -> 8 (even)
  EXPECT_EQ(dequantizeValue(15, p, s), 4.0f);
  EXPECT_EQ(dequantizeValue(0, p, s), 1.0f);
  float t8 = 8.0f / 15.0f;
  float a = t8 * 3.0f;
  EXPECT_EQ(dequantizeValue(8, p, s), a + 1.0f);
  // Signed codes work the same way: code = qmin + k.
  Scheme ss = makeScheme(4, true, ParamForm::MinScale);
  EXPECT_EQ(quantizeValue(1.0f, p, ss), -8);
  EXPECT_EQ(quantizeValue(4.0f, p, ss), 7);
}

// The 11-level codebook in min/scale form is exactly the seed scheme
// x^ = ((c + 1) / 2) * scale + min, with min and scale in fp16.
TEST(QuantizeParamsTest, Codebook11MinScaleSeedScheme) {
  std::vector<float> cb = linspaceCodebook(-1.0f, 1.0f, 11);
  Scheme s = codebookScheme(ParamForm::MinScale, cb, 4, ParamStorage::F16);
  QuantParams p = params(s, {-2.0f, 0.0f, 3.0f});
  EXPECT_EQ(p.min, -2.0f);
  EXPECT_EQ(p.scale, 5.0f);
  EXPECT_EQ(quantizeValue(-2.0f, p, s), 0);
  EXPECT_EQ(quantizeValue(3.0f, p, s), 10);
  EXPECT_EQ(quantizeValue(0.0f, p, s), 4); // t = 0.4
  EXPECT_EQ(dequantizeValue(10, p, s), 3.0f);
  EXPECT_EQ(dequantizeValue(0, p, s), -2.0f);

  std::mt19937 rng(3);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (int g = 0; g < 200; ++g) {
    std::vector<float> group(128);
    for (float &x : group)
      x = dist(rng) * 0.37f + 0.11f;
    QuantParams gp = params(s, group);
    // Params are fp16 values.
    EXPECT_EQ(gp.min, roundToHalf(gp.min));
    EXPECT_EQ(gp.scale, roundToHalf(gp.scale));
    for (float x : group) {
      int32_t k = quantizeValue(x, gp, s);
      ASSERT_GE(k, 0);
      ASSERT_LE(k, 10);
      float c = cb[k];
      float t = (c + 1.0f) / 2.0f;
      float prod = t * gp.scale;
      ASSERT_EQ(dequantizeValue(k, gp, s), prod + gp.min);
      // Nearest entry: no other level reconstructs strictly closer in t.
      float tx = (x - gp.min) / gp.scale;
      for (int j = 0; j <= 10; ++j) {
        float tj = (cb[j] + 1.0f) / 2.0f;
        ASSERT_LE(std::fabs(tx - t), std::fabs(tx - tj) + 1e-6f);
      }
    }
  }
}

// fp16 parameters are rounded before codes are computed.
TEST(QuantizeParamsTest, Fp16ParamsRoundedFirst) {
  Scheme s = makeScheme(4, false, ParamForm::MinScale);
  s.paramStorage = ParamStorage::F16;
  QuantParams p = params(s, {0.1f, 0.7f});
  EXPECT_EQ(p.min, roundToHalf(0.1f));
  EXPECT_EQ(p.scale, roundToHalf(static_cast<float>(double(0.7f) - double(0.1f))));
  EXPECT_NE(p.min, 0.1f);
  Scheme sym = makeScheme(8, true, ParamForm::Symmetric);
  sym.paramStorage = ParamStorage::F16;
  QuantParams ps = params(sym, {-1.0f, 0.3f});
  EXPECT_EQ(ps.scale, roundToHalf(1.0f / 127.0f));
  // Overflow of fp16 storage is reported, not silently inf.
  EXPECT_FALSE(computeParams(s, {0.0f, 70000.0f}));
  EXPECT_FALSE(computeParams(s, {-70000.0f, -69999.0f}));
  EXPECT_TRUE(computeParams(sym, {0.0f, 70000.0f})); // 70000/127 fits
  // Underflow of a scale: smallest positive half.
  std::optional<QuantParams> tiny = computeParams(sym, {1e-9f, -1e-9f});
  ASSERT_TRUE(tiny);
  EXPECT_EQ(tiny->scale, kHalfMinSubnormal);
}

TEST(QuantizeParamsTest, CodebookSymmetricTies) {
  Scheme s = codebookScheme(ParamForm::Symmetric, {-1.0f, 0.0f, 1.0f}, 2);
  QuantParams p; // scale 1
  EXPECT_EQ(quantizeValue(0.5f, p, s), 1);  // tie between 0 and 1 -> lower
  EXPECT_EQ(quantizeValue(-0.5f, p, s), 0); // tie between -1 and 0 -> lower
  EXPECT_EQ(quantizeValue(0.50001f, p, s), 2);
  EXPECT_EQ(quantizeValue(-0.49999f, p, s), 1);
  EXPECT_EQ(quantizeValue(-7.0f, p, s), 0);
  EXPECT_EQ(quantizeValue(7.0f, p, s), 2);
  EXPECT_EQ(dequantizeValue(2, p, s), 1.0f);
  EXPECT_EQ(quantizeValue(std::nanf(""), p, s), 0);
  // Scale from the largest |level|.
  Scheme nf = codebookScheme(ParamForm::Symmetric, {-1.0f, -0.25f, 0.5f, 2.0f}, 2);
  QuantParams pn = params(nf, {-3.0f, 1.0f});
  EXPECT_EQ(pn.scale, 1.5f);
  EXPECT_EQ(quantizeValue(-3.0f, pn, nf), 0);
  EXPECT_EQ(quantizeValue(3.0f, pn, nf), 3);
  // A large codebook uses binary search: same answers as a linear scan.
  std::vector<float> big = linspaceCodebook(-1.0f, 1.0f, 200);
  Scheme sb = codebookScheme(ParamForm::Symmetric, big, 8);
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> u(-1.2f, 1.2f);
  for (int i = 0; i < 20000; ++i) {
    float x = u(rng);
    int32_t k = quantizeValue(x, p, sb);
    int32_t lin = 0;
    for (size_t j = 0; j + 1 < big.size(); ++j) {
      float mid = (big[j] + big[j + 1]) / 2.0f;
      lin += x > mid;
    }
    ASSERT_EQ(k, lin);
  }
}

// All-zero and constant groups: valid non-zero finite scale, exact
// reconstruction.
TEST(QuantizeParamsTest, ZeroAndConstantGroups) {
  std::vector<Scheme> schemes = {
      makeScheme(8, true, ParamForm::Symmetric),
      makeScheme(4, true, ParamForm::Symmetric, true),
      makeScheme(2, true, ParamForm::Symmetric),
      makeScheme(8, false, ParamForm::Affine),
      makeScheme(8, true, ParamForm::Affine),
      makeScheme(3, false, ParamForm::Affine),
      makeScheme(4, false, ParamForm::MinScale),
      makeScheme(4, true, ParamForm::MinScale),
      codebookScheme(ParamForm::MinScale, linspaceCodebook(-1, 1, 11)),
      codebookScheme(ParamForm::Symmetric, linspaceCodebook(-1, 1, 11)),
  };
  for (size_t si = 0; si < schemes.size(); ++si) {
    const Scheme &s = schemes[si];
    for (float c : {0.0f, -0.0f, 0.3f, -0.3f, 1e-30f, -7.25f, 3e38f, -3e38f}) {
      std::vector<float> group(17, c);
      std::optional<QuantParams> p = computeParams(s, group);
      ASSERT_TRUE(p) << si << " " << c;
      EXPECT_TRUE(std::isfinite(p->scale) && p->scale > 0) << si << " " << c;
      int32_t q = quantizeValue(c, *p, s);
      EXPECT_GE(q, qmin(s));
      EXPECT_LE(q, qmax(s));
      EXPECT_EQ(dequantizeValue(q, *p, s), c) << "scheme " << si << " c " << c;
    }
  }
  // fp16 storage: exact when the constant is a half value.
  Scheme h = codebookScheme(ParamForm::MinScale, linspaceCodebook(-1, 1, 11), 4,
                            ParamStorage::F16);
  for (float c : {0.0f, 0.5f, -3.25f, 1000.0f}) {
    QuantParams p = params(h, std::vector<float>(5, c));
    EXPECT_EQ(dequantizeValue(quantizeValue(c, p, h), p, h), c);
  }
}

TEST(QuantizeParamsTest, ExtremeRanges) {
  // Affine over [-3e38, 3e38]: the range overflows float but is computed in
  // double, so the scale is finite.
  Scheme s = makeScheme(8, false, ParamForm::Affine);
  std::optional<QuantParams> p = computeParams(s, {-3e38f, 3e38f});
  ASSERT_TRUE(p);
  EXPECT_TRUE(std::isfinite(p->scale));
  // MinScale over the same range: max - min does not fit float.
  EXPECT_FALSE(computeParams(makeScheme(4, false, ParamForm::MinScale),
                             {-3e38f, 3e38f}));
  // Tiny symmetric values: the scale underflows to a subnormal, still > 0.
  Scheme sym = makeScheme(8, true, ParamForm::Symmetric);
  std::optional<QuantParams> t =
      computeParams(sym, {std::numeric_limits<float>::denorm_min(), 0.0f});
  ASSERT_TRUE(t);
  EXPECT_GT(t->scale, 0.0f);
}

// Round-to-nearest error is at most s/2 per element for in-range values.
TEST(QuantizeParamsTest, NearestErrorBound) {
  std::mt19937 rng(17);
  std::normal_distribution<float> dist(0.0f, 2.0f);
  for (Scheme s : {makeScheme(4, true, ParamForm::Symmetric),
                   makeScheme(8, true, ParamForm::Symmetric),
                   makeScheme(3, false, ParamForm::Affine),
                   makeScheme(2, true, ParamForm::Affine),
                   makeScheme(4, false, ParamForm::MinScale)}) {
    for (Rounding r : {Rounding::NearestEven, Rounding::NearestAway}) {
      s.rounding = r;
      for (int g = 0; g < 300; ++g) {
        std::vector<float> group(64);
        for (float &x : group)
          x = dist(rng);
        QuantParams p = params(s, group);
        float step = s.form == ParamForm::MinScale
                         ? p.scale / float(qmax(s) - qmin(s))
                         : p.scale;
        for (float x : group) {
          float e = std::fabs(x - dequantizeValue(quantizeValue(x, p, s), p, s));
          ASSERT_LE(e, step * 0.5f * (1 + 1e-5f) + std::fabs(x) * 1e-6f)
              << x << " step " << step;
        }
      }
    }
  }
}

// MSE clipping never does worse than min-max on the same group.
TEST(QuantizeParamsTest, MseClippingNeverWorse) {
  std::mt19937 rng(23);
  std::student_t_distribution<float> heavy(2.0f);
  ClippingOptions mse;
  mse.method = ClipMethod::MSE;
  int improved = 0;
  for (Scheme s : {makeScheme(4, true, ParamForm::Symmetric),
                   makeScheme(3, false, ParamForm::Affine),
                   makeScheme(4, false, ParamForm::MinScale),
                   codebookScheme(ParamForm::MinScale, linspaceCodebook(-1, 1, 11),
                                  4, ParamStorage::F16)}) {
    Result<Quantizer> q = Quantizer::create(s);
    ASSERT_TRUE(q);
    for (int g = 0; g < 200; ++g) {
      std::vector<float> group(g % 3 == 0 ? 32 : 128);
      for (float &x : group)
        x = heavy(rng);
      QuantParams base = *q->paramsForValues(group);
      QuantParams clipped = *q->paramsForValues(group, mse);
      double eb = q->squaredError(group, base);
      double ec = q->squaredError(group, clipped);
      ASSERT_LE(ec, eb);
      improved += ec < eb;
    }
  }
  EXPECT_GT(improved, 100); // heavy tails: clipping usually helps
}

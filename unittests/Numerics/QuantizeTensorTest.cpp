//===- QuantizeTensorTest.cpp - Whole-tensor quantization -----------------===//

#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/Quantize.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

using namespace lowbit::numerics;

namespace {

Scheme makeScheme(unsigned bits, bool isSigned, ParamForm form) {
  Scheme s;
  s.bits = bits;
  s.isSigned = isSigned;
  s.form = form;
  return s;
}
Scheme c11Scheme() {
  Scheme s;
  s.bits = 4;
  s.isSigned = false;
  s.form = ParamForm::MinScale;
  s.codebook = linspaceCodebook(-1.0f, 1.0f, 11);
  s.paramStorage = ParamStorage::F16;
  return s;
}
Granularity perTensor() { return {}; }
Granularity perChannel(int64_t axis) {
  return {GranularityKind::PerChannel, axis, 0};
}
Granularity perGroup(int64_t axis, int64_t size) {
  return {GranularityKind::PerGroup, axis, size};
}

std::vector<float> randomValues(int64_t n, unsigned seed, float sigma = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, sigma);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

uint32_t bitsOf(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

std::string describe(llvm::ArrayRef<int64_t> shape, const Granularity &g) {
  std::string s = "shape [";
  for (int64_t d : shape)
    s += std::to_string(d) + ",";
  return s + "] kind " + std::to_string(int(g.kind)) + " axis " +
         std::to_string(g.axis) + " group " + std::to_string(g.groupSize);
}

/// Param index of flat element `index` straight from the multi-index.
int64_t oracleParamIndex(llvm::ArrayRef<int64_t> shape, const Granularity &g,
                         int64_t index) {
  if (g.kind == GranularityKind::PerTensor)
    return 0;
  std::vector<int64_t> idx(shape.size());
  for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
    idx[d] = index % shape[d];
    index /= shape[d];
  }
  if (g.kind == GranularityKind::PerChannel)
    return idx[g.axis];
  std::vector<int64_t> pshape(shape.begin(), shape.end());
  pshape[g.axis] = (shape[g.axis] + g.groupSize - 1) / g.groupSize;
  idx[g.axis] /= g.groupSize;
  int64_t flat = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    flat = flat * pshape[d] + idx[d];
  return flat;
}

/// Brute force: gather each parameter's elements in flat order, compute its
/// parameters and every code with the single-value API, and compare bit for
/// bit with quantizeTensor; then check dequantizeTensor the same way.
void checkAgainstBruteForce(llvm::ArrayRef<float> values,
                            llvm::ArrayRef<int64_t> shape, const Scheme &s,
                            const Granularity &g, ClippingOptions clip = {}) {
  SCOPED_TRACE(describe(shape, g));
  Result<QuantizedTensor> r = quantizeTensor(values, shape, s, g, clip);
  ASSERT_TRUE(r) << r.error().message;
  std::vector<int64_t> pshape = getParamShape(shape, g);
  EXPECT_EQ(r->paramShape, pshape);
  int64_t numParams = getNumElements(pshape);
  ASSERT_EQ(int64_t(r->scales.size()), numParams);
  ASSERT_EQ(int64_t(r->zeroPoints.size()), numParams);
  ASSERT_EQ(int64_t(r->mins.size()), numParams);
  std::vector<std::vector<float>> groups(numParams);
  for (int64_t i = 0; i < int64_t(values.size()); ++i) {
    int64_t p = getParamIndex(shape, g, i);
    ASSERT_EQ(p, oracleParamIndex(shape, g, i));
    groups[p].push_back(values[i]);
  }
  std::vector<QuantParams> expect(numParams);
  for (int64_t p = 0; p < numParams; ++p) {
    std::optional<QuantParams> e = computeParams(s, groups[p], clip);
    ASSERT_TRUE(e);
    expect[p] = *e;
    ASSERT_EQ(bitsOf(r->scales[p]), bitsOf(e->scale)) << "param " << p;
    ASSERT_EQ(r->zeroPoints[p], e->zeroPoint) << "param " << p;
    ASSERT_EQ(bitsOf(r->mins[p]), bitsOf(e->min)) << "param " << p;
  }
  Result<std::vector<float>> dq = dequantizeTensor(*r, s, g);
  ASSERT_TRUE(dq) << dq.error().message;
  for (int64_t i = 0; i < int64_t(values.size()); ++i) {
    const QuantParams &p = expect[getParamIndex(shape, g, i)];
    int32_t q = quantizeValue(values[i], p, s);
    ASSERT_EQ(r->codeValue(i), q) << "element " << i;
    ASSERT_EQ(r->codes[i], toBitPattern(q, s.bits));
    ASSERT_EQ(bitsOf((*dq)[i]), bitsOf(dequantizeValue(q, p, s)))
        << "element " << i;
  }
  // Quantizing again with the computed parameters gives the same codes.
  Result<std::vector<uint8_t>> again = quantizeTensorWithParams(
      values, shape, s, g, r->scales, r->zeroPoints, r->mins);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, r->codes);
}

struct LayoutCase {
  std::vector<int64_t> shape;
  Granularity g;
};
std::vector<LayoutCase> layoutCases() {
  return {
      {{7, 10}, perGroup(1, 4)},    // partial last group of 2
      {{7, 10}, perGroup(1, 16)},   // group > dim: one partial group
      {{7, 10}, perGroup(1, 10)},   // exact
      {{7, 10}, perGroup(0, 3)},    // groups along the outer axis
      {{2, 5, 3}, perGroup(1, 2)},  // middle axis
      {{2, 5, 3}, perGroup(2, 2)},  // last axis, partial
      {{2, 5, 3}, perGroup(0, 1)},  // group of one
      {{5, 2100}, perGroup(0, 2)},  // several lane chunks
      {{3, 2050}, perGroup(1, 32)}, // many contiguous groups
      {{6, 4}, perChannel(0)},
      {{6, 4}, perChannel(1)},
      {{2, 5, 3}, perChannel(1)},
      {{2, 5, 3}, perChannel(0)},
      {{3000}, perChannel(0)},
      {{3, 1500}, perChannel(1)},
      {{4, 9}, perTensor()},
      {{}, perTensor()},
      {{0, 3}, perTensor()},
      {{0, 4}, perChannel(1)},
      {{0, 4}, perGroup(1, 3)},
      {{4, 0}, perGroup(1, 3)},
      {{70000}, perTensor()}, // several chunks
  };
}

std::vector<Scheme> testSchemes() {
  Scheme cbSym;
  cbSym.bits = 3;
  cbSym.isSigned = false;
  cbSym.codebook = {-1.0f, -0.5f, -0.1f, 0.0f, 0.2f, 0.6f, 1.0f};
  Scheme bigCb; // > 32 levels: binary-search path
  bigCb.bits = 8;
  bigCb.isSigned = false;
  bigCb.form = ParamForm::MinScale;
  bigCb.codebook = linspaceCodebook(-2.0f, 1.0f, 77);
  Scheme affineAway = makeScheme(8, false, ParamForm::Affine);
  affineAway.rounding = Rounding::NearestAway;
  Scheme symF16 = makeScheme(4, true, ParamForm::Symmetric);
  symF16.paramStorage = ParamStorage::F16;
  Scheme narrow = makeScheme(8, true, ParamForm::Symmetric);
  narrow.narrowRange = true;
  Scheme trunc = makeScheme(2, true, ParamForm::Affine);
  trunc.rounding = Rounding::TowardZero;
  return {makeScheme(4, true, ParamForm::Symmetric),
          narrow,
          symF16,
          affineAway,
          trunc,
          makeScheme(3, false, ParamForm::MinScale),
          c11Scheme(),
          cbSym,
          bigCb};
}

} // namespace

TEST(QuantizeTensorTest, ParamShapes) {
  EXPECT_EQ(getParamShape({4, 10}, perTensor()), (std::vector<int64_t>{1}));
  EXPECT_EQ(getParamShape({4, 10}, perChannel(0)), (std::vector<int64_t>{4}));
  EXPECT_EQ(getParamShape({4, 10}, perChannel(1)), (std::vector<int64_t>{10}));
  EXPECT_EQ(getParamShape({4, 10}, perGroup(1, 4)), (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(getParamShape({4, 10}, perGroup(1, 32)), (std::vector<int64_t>{4, 1}));
  EXPECT_EQ(getParamShape({4, 10}, perGroup(0, 3)), (std::vector<int64_t>{2, 10}));
  EXPECT_EQ(getParamShape({4096, 11008}, perGroup(1, 32)),
            (std::vector<int64_t>{4096, 344}));
  EXPECT_EQ(getParamShape({2, 5, 3}, perGroup(1, 2)),
            (std::vector<int64_t>{2, 3, 3}));
  EXPECT_TRUE(verifyGranularity(perGroup(2, 4), {4, 10}));
  EXPECT_TRUE(verifyGranularity(perGroup(1, 0), {4, 10}));
  EXPECT_TRUE(verifyGranularity(perChannel(-1), {4, 10}));
  EXPECT_TRUE(verifyGranularity(perChannel(0), {}));
  EXPECT_FALSE(verifyGranularity(perTensor(), {}));
}

TEST(QuantizeTensorTest, HandComputedPerGroup) {
  // [2, 5], groups of 2 along axis 1: {1.1,2}{3,4}{5} / {-10,0}{0,0}{10}.
  std::vector<float> v = {1.1f, 2, 3, 4, 5, -10, 0, 0, 0, 10};
  Scheme s = makeScheme(8, true, ParamForm::Symmetric);
  Result<QuantizedTensor> r = quantizeTensor(v, {2, 5}, s, perGroup(1, 2));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->paramShape, (std::vector<int64_t>{2, 3}));
  std::vector<float> expectScales = {2.0f / 127, 4.0f / 127, 5.0f, // constant
                                     10.0f / 127, 1.0f, 10.0f};    // zero, const
  EXPECT_EQ(r->scales, expectScales);
  EXPECT_EQ(r->codeValues(),
            (std::vector<int32_t>{70, 127, 95, 127, 1, -127, 0, 0, 0, 1}));
  // Group larger than the dimension: one group per row.
  Result<QuantizedTensor> big = quantizeTensor(v, {2, 5}, s, perGroup(1, 64));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->scales, (std::vector<float>{5.0f / 127, 10.0f / 127}));
  EXPECT_EQ(big->codeValues(),
            (std::vector<int32_t>{28, 51, 76, 102, 127, -127, 0, 0, 0, 127}));
}

TEST(QuantizeTensorTest, HandComputedPerChannel) {
  // [3, 2] per channel along axis 0 (rows) and axis 1 (columns), asymmetric.
  std::vector<float> v = {-1, 3, 0, 1.5f, 2.2f, 4};
  Scheme s = makeScheme(8, false, ParamForm::Affine);
  Result<QuantizedTensor> rows = quantizeTensor(v, {3, 2}, s, perChannel(0));
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->scales, (std::vector<float>{float(4.0 / 255), float(1.5 / 255),
                                              float(4.0 / 255)}));
  EXPECT_EQ(rows->zeroPoints, (std::vector<int32_t>{64, 0, 0}));
  EXPECT_EQ(rows->codeValues(),
            (std::vector<int32_t>{0, 255, 0, 255, 140, 255}));
  Result<QuantizedTensor> cols = quantizeTensor(v, {3, 2}, s, perChannel(1));
  ASSERT_TRUE(cols);
  // Column 0 = {-1, 0, 2.2}: s = 3.2/255, z = round(79.6875) = 80.
  // Column 1 = {3, 1.5, 4}, widened to [0, 4].
  EXPECT_EQ(cols->scales,
            (std::vector<float>{float((double(2.2f) + 1.0) / 255),
                                float(4.0 / 255)}));
  EXPECT_EQ(cols->zeroPoints, (std::vector<int32_t>{80, 0}));
  EXPECT_EQ(cols->codeValue(0), 0);
  EXPECT_EQ(cols->codeValue(4), 255);
}

TEST(QuantizeTensorTest, MatchesBruteForce) {
  std::vector<Scheme> schemes = testSchemes();
  unsigned seed = 100;
  for (const LayoutCase &c : layoutCases()) {
    std::vector<float> v = randomValues(getNumElements(c.shape), ++seed, 1.5f);
    // Sprinkle constant runs, zeros and negative zeros.
    for (size_t i = 0; i < v.size(); i += 13)
      v[i] = 0.0f;
    for (size_t i = 5; i < v.size(); i += 17)
      v[i] = -0.0f;
    for (size_t si = 0; si < schemes.size(); ++si) {
      SCOPED_TRACE("scheme " + std::to_string(si));
      checkAgainstBruteForce(v, c.shape, schemes[si], c.g);
    }
  }
}

TEST(QuantizeTensorTest, MseClippingMatchesBruteForce) {
  ClippingOptions mse;
  mse.method = ClipMethod::MSE;
  mse.steps = 20;
  std::vector<Scheme> schemes = testSchemes();
  unsigned seed = 7;
  for (const LayoutCase &c : layoutCases()) {
    if (getNumElements(c.shape) > 20000)
      continue;
    std::vector<float> v = randomValues(getNumElements(c.shape), ++seed, 1.0f);
    for (size_t i = 0; i < v.size(); i += 29)
      v[i] *= 8.0f; // outliers
    for (size_t si = 0; si < schemes.size(); ++si) {
      SCOPED_TRACE("scheme " + std::to_string(si));
      checkAgainstBruteForce(v, c.shape, schemes[si], c.g, mse);
    }
  }
}

// Per group, the MSE-clipped tensor error is never worse than min-max.
TEST(QuantizeTensorTest, MseClippingNeverWorsePerGroup) {
  std::vector<int64_t> shape = {16, 256};
  std::vector<float> v = randomValues(getNumElements(shape), 5);
  for (size_t i = 0; i < v.size(); i += 31)
    v[i] *= 10.0f;
  ClippingOptions mse;
  mse.method = ClipMethod::MSE;
  for (const Scheme &s : testSchemes()) {
    Result<Quantizer> q = Quantizer::create(s);
    ASSERT_TRUE(q);
    Granularity g = perGroup(1, 64);
    Result<QuantizedTensor> a = quantizeTensor(v, shape, s, g);
    Result<QuantizedTensor> b = quantizeTensor(v, shape, s, g, mse);
    ASSERT_TRUE(a && b);
    for (int64_t p = 0; p < int64_t(a->scales.size()); ++p) {
      llvm::ArrayRef<float> group = llvm::ArrayRef<float>(v).slice(p * 64, 64);
      ASSERT_LE(q->squaredError(group, b->params(p)),
                q->squaredError(group, a->params(p)));
    }
  }
}

TEST(QuantizeTensorTest, RejectsNonFinite) {
  std::vector<float> v = randomValues(200, 1);
  v[100] = std::numeric_limits<float>::infinity();
  v[37] = std::nanf("");
  v[150] = -std::numeric_limits<float>::infinity();
  for (Granularity g : {perTensor(), perChannel(0), perGroup(1, 8)}) {
    Result<QuantizedTensor> r =
        quantizeTensor(v, {10, 20}, makeScheme(4, true, ParamForm::Symmetric), g);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, QuantError::Kind::NonFinite);
    EXPECT_EQ(r.error().index, 37);
    EXPECT_NE(r.error().message.find("37"), std::string::npos);
  }
  v[37] = 0.0f;
  Result<QuantizedTensor> r = quantizeTensor(
      v, {10, 20}, makeScheme(4, true, ParamForm::Symmetric), perTensor());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().index, 100);
  v[0] = -std::numeric_limits<float>::infinity();
  Result<std::vector<uint8_t>> w = quantizeTensorWithParams(
      v, {10, 20}, makeScheme(4, true, ParamForm::Symmetric), perTensor(),
      {1.0f}, {}, {});
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().kind, QuantError::Kind::NonFinite);
  EXPECT_EQ(w.error().index, 0);
  EXPECT_EQ(findNonFinite(v), 0);
  std::vector<float> big(5000, 1.0f);
  big[4099] = NAN;
  EXPECT_EQ(findNonFinite(big), 4099);
}

TEST(QuantizeTensorTest, RejectsBadInputs) {
  std::vector<float> v(12, 1.0f);
  Scheme s = makeScheme(4, true, ParamForm::Symmetric);
  auto kindOf = [](const auto &r) { return r.error().kind; };
  EXPECT_EQ(kindOf(quantizeTensor(v, {3, 5}, s, perTensor())),
            QuantError::Kind::InvalidShape);
  EXPECT_EQ(kindOf(quantizeTensor(v, {3, 4}, s, perChannel(2))),
            QuantError::Kind::InvalidGranularity);
  EXPECT_EQ(kindOf(quantizeTensor(v, {3, 4}, s, perGroup(1, 0))),
            QuantError::Kind::InvalidGranularity);
  Scheme bad = s;
  bad.bits = 12;
  EXPECT_EQ(kindOf(quantizeTensor(v, {3, 4}, bad, perTensor())),
            QuantError::Kind::InvalidScheme);
  // fp16 overflow of a min is reported with the parameter index.
  Scheme ms = makeScheme(4, false, ParamForm::MinScale);
  ms.paramStorage = ParamStorage::F16;
  std::vector<float> w = {1, 2, 3, 4, 1e6f, 1e6f + 64, 5, 6};
  Result<QuantizedTensor> r = quantizeTensor(w, {4, 2}, ms, perChannel(0));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, QuantError::Kind::ParamOverflow);
  EXPECT_EQ(r.error().index, 2);

  // Given parameters are validated.
  Scheme a = makeScheme(4, false, ParamForm::Affine);
  EXPECT_EQ(kindOf(quantizeTensorWithParams(v, {3, 4}, a, perChannel(0),
                                            {1, 1}, {}, {})),
            QuantError::Kind::InvalidParams);
  Result<std::vector<uint8_t>> zs =
      quantizeTensorWithParams(v, {3, 4}, a, perChannel(0), {1, 0.0f, 1}, {}, {});
  ASSERT_FALSE(zs);
  EXPECT_EQ(zs.error().kind, QuantError::Kind::InvalidParams);
  EXPECT_EQ(zs.error().index, 1);
  Result<std::vector<uint8_t>> zp =
      quantizeTensorWithParams(v, {3, 4}, a, perChannel(0), {1, 1, 1}, {0, 16, 0}, {});
  ASSERT_FALSE(zp);
  EXPECT_EQ(zp.error().index, 1);
  EXPECT_EQ(kindOf(quantizeTensorWithParams(v, {3, 4}, ms, perTensor(), {1.0f},
                                            {}, {})),
            QuantError::Kind::InvalidParams); // MinScale needs mins

  // Dequantize rejects codes outside the range.
  std::vector<uint8_t> codes(12, 3);
  codes[5] = 0x10; // does not fit 4 bits
  Result<std::vector<float>> d =
      dequantizeTensor(codes, {3, 4}, s, perTensor(), {1.0f}, {}, {});
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().kind, QuantError::Kind::InvalidCode);
  EXPECT_EQ(d.error().index, 5);
  codes[5] = 11; // 11-level codebook: index 11 is invalid
  Result<std::vector<float>> dc = dequantizeTensor(
      codes, {3, 4}, c11Scheme(), perTensor(), {1.0f}, {}, {0.0f});
  ASSERT_FALSE(dc);
  EXPECT_EQ(dc.error().index, 5);
  Scheme nr = makeScheme(8, true, ParamForm::Symmetric);
  nr.narrowRange = true;
  codes[5] = 0x80; // -128 is outside the narrow range
  Result<std::vector<float>> dn =
      dequantizeTensor(codes, {3, 4}, nr, perTensor(), {1.0f}, {}, {});
  ASSERT_FALSE(dn);
  EXPECT_EQ(dn.error().index, 5);
}

TEST(QuantizeTensorTest, IdenticalForAnyThreadCount) {
  std::vector<int64_t> shape = {384, 1000};
  std::vector<float> v = randomValues(getNumElements(shape), 77);
  ClippingOptions none, mse;
  mse.method = ClipMethod::MSE;
  mse.steps = 8;
  struct Case {
    Scheme s;
    Granularity g;
    ClippingOptions c;
  };
  std::vector<Case> cases = {
      {makeScheme(4, true, ParamForm::Symmetric), perGroup(1, 32), none},
      {makeScheme(4, true, ParamForm::Symmetric), perGroup(0, 32), none},
      {makeScheme(8, true, ParamForm::Symmetric), perChannel(0), none},
      {makeScheme(8, false, ParamForm::Affine), perChannel(1), none},
      {makeScheme(8, false, ParamForm::Affine), perTensor(), none},
      {c11Scheme(), perGroup(1, 128), none},
      {makeScheme(3, false, ParamForm::MinScale), perGroup(1, 64), mse},
      {makeScheme(4, true, ParamForm::Symmetric), perGroup(0, 16), mse},
  };
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const Case &c = cases[ci];
    Result<QuantizedTensor> one =
        quantizeTensor(v, shape, c.s, c.g, c.c, ExecOptions{1});
    ASSERT_TRUE(one);
    for (unsigned threads : {2u, 3u, 8u, 0u}) {
      Result<QuantizedTensor> many =
          quantizeTensor(v, shape, c.s, c.g, c.c, ExecOptions{threads});
      ASSERT_TRUE(many);
      ASSERT_EQ(one->codes, many->codes) << ci << " threads " << threads;
      ASSERT_EQ(0, std::memcmp(one->scales.data(), many->scales.data(),
                               one->scales.size() * 4));
      ASSERT_EQ(0, std::memcmp(one->mins.data(), many->mins.data(),
                               one->mins.size() * 4));
      ASSERT_EQ(one->zeroPoints, many->zeroPoints);
      Result<std::vector<float>> d1 =
          dequantizeTensor(*one, c.s, c.g, ExecOptions{1});
      Result<std::vector<float>> dn =
          dequantizeTensor(*many, c.s, c.g, ExecOptions{threads});
      ASSERT_TRUE(d1 && dn);
      ASSERT_EQ(0, std::memcmp(d1->data(), dn->data(), d1->size() * 4));
    }
  }
}

// Codes from quantizeTensor feed packRow directly (bit patterns).
TEST(QuantizeTensorTest, CodesPackAndUnpack) {
  std::vector<int64_t> shape = {4, 128};
  std::vector<float> v = randomValues(getNumElements(shape), 3);
  Result<QuantizedTensor> r = quantizeTensor(
      v, shape, makeScheme(4, true, ParamForm::Symmetric), perGroup(1, 32));
  ASSERT_TRUE(r);
  PackFormat f;
  f.kind = PackKind::Int4Interleaved;
  f.block = 32;
  for (int64_t row = 0; row < 4; ++row) {
    llvm::ArrayRef<uint8_t> codes = llvm::ArrayRef<uint8_t>(r->codes).slice(row * 128, 128);
    ASSERT_FALSE(findInvalidCode(f, codes));
    std::vector<uint8_t> packed(packedUnitsPerRow(f, 128));
    packRow(f, codes, packed);
    std::vector<uint8_t> back(128);
    unpackRow(f, packed, back);
    ASSERT_EQ(back, std::vector<uint8_t>(codes.begin(), codes.end()));
  }
  Result<QuantizedTensor> c = quantizeTensor(v, shape, c11Scheme(), perGroup(1, 128));
  ASSERT_TRUE(c);
  PackFormat rf;
  rf.kind = PackKind::Radix;
  rf.radix = 11;
  rf.block = 128;
  for (int64_t row = 0; row < 4; ++row) {
    llvm::ArrayRef<uint8_t> codes = llvm::ArrayRef<uint8_t>(c->codes).slice(row * 128, 128);
    ASSERT_FALSE(findInvalidCode(rf, codes));
    std::vector<uint32_t> packed(packedUnitsPerRow(rf, 128));
    ASSERT_EQ(packed.size(), 15u);
    packRow(rf, codes, packed);
    std::vector<uint8_t> back(128);
    unpackRow(rf, packed, back);
    ASSERT_EQ(back, std::vector<uint8_t>(codes.begin(), codes.end()));
  }
}

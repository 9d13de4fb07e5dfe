//===- SuperblockRadixTest.cpp - superblock radix layout, 2-level params --===//

#include "lowbit/Numerics/SuperblockRadix.h"

#include "lowbit/Numerics/Float16.h"
#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/Presets.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace lowbit::numerics;

namespace {

const SuperblockFormat kC11 = {11, 128};

Scheme c11Scheme() { return findWeightPreset("c11g128")->scheme; }

std::vector<float> gaussian(int64_t count, unsigned seed, float sigma = 0.05f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, sigma);
  std::vector<float> v(count);
  for (float &x : v)
    x = dist(rng);
  return v;
}

/// Digit i of a word, by integer division of the value it stores.
uint8_t digitByDivision(uint32_t word, unsigned i) {
  uint8_t digits[32];
  decodeRadixWordByDivision(word, 11, digits);
  return digits[i];
}

double squaredError(const std::vector<float> &a, const std::vector<float> &b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i)
    sum += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return sum;
}

/// The f32 values of a `dense_resource` blob of an MLIR file (hex after a
/// 4-byte alignment header), or nothing if the file or blob is missing.
std::vector<float> readResource(const std::string &path,
                                const std::string &name) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  std::string all = text.str(), key = name + ": \"0x";
  size_t at = all.find(key);
  if (at == std::string::npos)
    return {};
  size_t begin = at + key.size() + 8, end = all.find('"', begin);
  std::vector<uint8_t> bytes;
  for (size_t i = begin; i + 1 < end; i += 2)
    bytes.push_back(uint8_t(std::stoi(all.substr(i, 2), nullptr, 16)));
  std::vector<float> values(bytes.size() / 4);
  std::memcpy(values.data(), bytes.data(), values.size() * 4);
  return values;
}

} // namespace

TEST(SuperblockRadixTest, BitsPerWeightAtRealisticDepths) {
  // Hand-counted: words (32 bits) + parameter bytes, per row.
  struct Case {
    int64_t k, words, bytes;
  } cases[] = {
      {256, 29, 4 + 2 * 2},                  // one tail of 2 groups
      {1024, 114, 4 + 2 * 8},                // one tail of 8 groups
      {1152, 128, 22},                       // one full superblock
      {4096, 3 * 128 + 72, 3 * 22 + 4 + 10}, // tail of 640 codes
      {11008, 9 * 128 + 72, 9 * 22 + 4 + 10},
  };
  for (const Case &c : cases) {
    EXPECT_EQ(superblockWordsPerRow(kC11, c.k), c.words) << c.k;
    EXPECT_EQ(superblockParamBytesPerRow(kC11, c.k), c.bytes) << c.k;
    EXPECT_DOUBLE_EQ(superblockBitsPerWeight(kC11, c.k),
                     double(32 * c.words + 8 * c.bytes) / double(c.k));
  }
  EXPECT_DOUBLE_EQ(superblockBitsPerWeight(kC11, 1152), 4272.0 / 1152.0);
  EXPECT_LE(superblockBitsPerWeight(kC11, 1024), 3.8);
  EXPECT_LE(superblockBitsPerWeight(kC11, 4096), 3.8);
  EXPECT_LE(superblockBitsPerWeight(kC11, 11008), 3.8);
  EXPECT_EQ(superblockBitsPerWeight(kC11, 0), 0.0);
}

TEST(SuperblockRadixTest, SegmentsCoverTheRow) {
  for (int64_t k : {1, 9, 127, 128, 129, 1151, 1152, 1153, 2304, 2305, 4096}) {
    int64_t code = 0, word = 0, group = 0, byte = 0;
    for (const SuperblockSegment &s : getSuperblockSegments(kC11, k)) {
      EXPECT_EQ(s.firstCode, code);
      EXPECT_EQ(s.firstWord, word);
      EXPECT_EQ(s.firstGroup, group);
      EXPECT_EQ(s.firstParamByte, byte);
      EXPECT_LE(s.numCodes, 1152);
      EXPECT_LE(9 * s.numWords - s.numCodes, 8) << "wasted slots";
      code += s.numCodes;
      word += s.numWords;
      group += s.numGroups;
      byte += s.numParamBytes;
    }
    EXPECT_EQ(code, k);
    EXPECT_EQ(group, (k + 127) / 128);
  }
}

TEST(SuperblockRadixTest, FullSuperblockIsDigitMajor) {
  // Word w of a full superblock holds code w of group i as digit i.
  std::mt19937 rng(1);
  std::vector<uint8_t> codes(1152);
  for (uint8_t &c : codes)
    c = uint8_t(rng() % 11);
  std::vector<uint32_t> words(128);
  packSuperblockRow(kC11, codes, words);
  for (int64_t w = 0; w < 128; ++w)
    for (unsigned i = 0; i < 9; ++i)
      ASSERT_EQ(digitByDivision(words[w], i), codes[128 * i + w]);
}

TEST(SuperblockRadixTest, TailIsStriped) {
  // K = 1152 + 640: a tail of 640 codes in 72 words, stripe i = codes
  // [72 i, 72 i + 72) of the tail; the last 8 slots of stripe 8 are zero.
  std::vector<uint8_t> codes(1152 + 640);
  for (size_t i = 0; i < codes.size(); ++i)
    codes[i] = uint8_t(1 + (i * 7) % 10);
  std::vector<uint32_t> words(128 + 72);
  packSuperblockRow(kC11, codes, words);
  for (int64_t w = 0; w < 72; ++w)
    for (unsigned i = 0; i < 9; ++i) {
      int64_t k = 72 * i + w;
      ASSERT_EQ(digitByDivision(words[128 + w], i),
                k < 640 ? codes[1152 + k] : 0);
    }
}

TEST(SuperblockRadixTest, RoundTripEveryDepth) {
  std::mt19937 rng(2);
  for (int64_t k :
       {1, 8, 9, 10, 127, 128, 129, 256, 1000, 1151, 1152, 1153, 2305, 4096}) {
    std::vector<uint8_t> codes(k), back(k, 0xFF);
    for (uint8_t &c : codes)
      c = uint8_t(rng() % 11);
    std::vector<uint32_t> words(superblockWordsPerRow(kC11, k));
    packSuperblockRow(kC11, codes, words);
    unpackSuperblockRow(kC11, words, back);
    ASSERT_EQ(codes, back) << k;
  }
}

TEST(SuperblockRadixTest, DequantizeMatchesPlainReference) {
  int64_t rows = 5, k = 4096 + 37; // a tail with a partial group
  std::vector<float> w = gaussian(rows * k, 3);
  Result<SuperblockTensor> q =
      quantizeSuperblockTensor(w, rows, k, c11Scheme(), kC11);
  ASSERT_TRUE(q.ok()) << q.error().message;
  Result<std::vector<float>> deq = dequantizeSuperblockTensor(
      q->words, q->params, rows, k, c11Scheme(), kC11);
  ASSERT_TRUE(deq.ok()) << deq.error().message;
  // Plain reference: parameters straight from the bytes, x^ = (c / 10) * s +
  // m, the codebook's T[c] = (v[c] + 1) / 2 with v = linspace(-1, 1, 11).
  std::vector<float> v = linspaceCodebook(-1.0f, 1.0f, 11);
  int64_t bytesPerRow = superblockParamBytesPerRow(kC11, k);
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t *p = q->params.data() + r * bytesPerRow;
    for (const SuperblockSegment &s : getSuperblockSegments(kC11, k)) {
      const uint8_t *sp = p + s.firstParamByte;
      float d = halfBitsToFloat(uint16_t(sp[0] | sp[1] << 8));
      float e = halfBitsToFloat(uint16_t(sp[2] | sp[3] << 8));
      for (int64_t i = 0; i < s.numCodes; ++i) {
        int64_t j = i / 128, idx = r * k + s.firstCode + i;
        float scale = float(sp[4 + j]) * d;
        float min = float(int8_t(sp[4 + s.numGroups + j])) * e;
        float t = (v[q->codes[idx]] + 1.0f) / 2.0f;
        ASSERT_EQ((*deq)[idx], t * scale + min) << idx;
      }
    }
  }
}

TEST(SuperblockRadixTest, ErrorCloseToPerGroupF16) {
  // Random Gaussian weights: the two-level parameters cost little accuracy
  // against c11g128's f16 min and scale per group.
  int64_t rows = 16, k = 4096;
  std::vector<float> w = gaussian(rows * k, 4);
  const WeightPreset &c11 = *findWeightPreset("c11g128");
  Result<QuantizedTensor> ref =
      quantizeTensor(w, {rows, k}, c11.scheme, c11.granularity);
  ASSERT_TRUE(ref.ok());
  Result<std::vector<float>> refDeq =
      dequantizeTensor(*ref, c11.scheme, c11.granularity);
  Result<SuperblockTensor> q =
      quantizeSuperblockTensor(w, rows, k, c11.scheme, kC11);
  ASSERT_TRUE(q.ok());
  Result<std::vector<float>> deq = dequantizeSuperblockTensor(
      q->words, q->params, rows, k, c11.scheme, kC11);
  double base = squaredError(w, *refDeq), tight = squaredError(w, *deq);
  EXPECT_LT(tight, 1.05 * base) << "c11g128 " << base << " tight " << tight;
  // And far below the next coarser grid (uniform 3-bit would be ~2x worse).
  EXPECT_GT(tight, 0.9 * base);
}

TEST(SuperblockRadixTest, ErrorCloseToPerGroupF16OnLeNet) {
  // LeNet's first fully-connected layer, [120, 400]: K = 400 is a tail of 4
  // groups (the last partial) in 45 words.
  std::vector<float> w =
      readResource(LOWBIT_SHARED_DIR "/models/lenet/lenet.mlir",
                   "torch_tensor_120_400_torch.float32");
  if (w.empty())
    GTEST_SKIP() << "no LeNet weights under " LOWBIT_SHARED_DIR;
  ASSERT_EQ(w.size(), 120u * 400u);
  const WeightPreset &c11 = *findWeightPreset("c11g128");
  Result<QuantizedTensor> ref =
      quantizeTensor(w, {120, 400}, c11.scheme, c11.granularity);
  ASSERT_TRUE(ref.ok());
  Result<std::vector<float>> refDeq =
      dequantizeTensor(*ref, c11.scheme, c11.granularity);
  Result<SuperblockTensor> q =
      quantizeSuperblockTensor(w, 120, 400, c11.scheme, kC11);
  ASSERT_TRUE(q.ok());
  Result<std::vector<float>> deq = dequantizeSuperblockTensor(
      q->words, q->params, 120, 400, c11.scheme, kC11);
  double base = squaredError(w, *refDeq), tight = squaredError(w, *deq);
  EXPECT_LT(tight, 1.05 * base) << "c11g128 " << base << " tight " << tight;
  EXPECT_EQ(superblockWordsPerRow(kC11, 400), 45);
  // 45 words and 12 parameter bytes: 3.84 bits per weight (c11g128 takes 60
  // words and 16 bytes, 5.12).
  EXPECT_DOUBLE_EQ(superblockBitsPerWeight(kC11, 400), 1536.0 / 400.0);
}

TEST(SuperblockRadixTest, ScaleOutlierGroup) {
  // One group 100x wider than the rest of its superblock: its scale sets d,
  // the narrow groups keep scale codes >= 1 and stay finite and bounded.
  int64_t k = 1152;
  std::vector<float> w = gaussian(k, 5, 0.01f);
  for (int64_t i = 0; i < 128; ++i)
    w[i] *= 100.0f;
  Result<SuperblockTensor> q =
      quantizeSuperblockTensor(w, 1, k, c11Scheme(), kC11);
  ASSERT_TRUE(q.ok());
  Result<std::vector<float>> deq =
      dequantizeSuperblockTensor(q->words, q->params, 1, k, c11Scheme(), kC11);
  for (int64_t i = 128; i < k; ++i)
    ASSERT_LT(std::fabs((*deq)[i] - w[i]), 0.02f) << i;
}

TEST(SuperblockRadixTest, ZeroRangeGroups) {
  // An all-zero row reconstructs exactly; a constant group comes back within
  // half a min step (e / 2) of its value.
  int64_t k = 1152 + 300;
  std::vector<float> zeros(k, 0.0f);
  Result<SuperblockTensor> q =
      quantizeSuperblockTensor(zeros, 1, k, c11Scheme(), kC11);
  ASSERT_TRUE(q.ok());
  Result<std::vector<float>> deq =
      dequantizeSuperblockTensor(q->words, q->params, 1, k, c11Scheme(), kC11);
  for (float x : *deq)
    ASSERT_EQ(x, 0.0f);

  std::vector<float> w = gaussian(k, 6);
  for (int64_t i = 256; i < 384; ++i)
    w[i] = 0.03f;
  q = quantizeSuperblockTensor(w, 1, k, c11Scheme(), kC11);
  ASSERT_TRUE(q.ok());
  deq =
      dequantizeSuperblockTensor(q->words, q->params, 1, k, c11Scheme(), kC11);
  float e = halfBitsToFloat(uint16_t(q->params[2] | q->params[3] << 8));
  for (int64_t i = 256; i < 384; ++i)
    ASSERT_LE(std::fabs((*deq)[i] - 0.03f), e / 2) << i;
}

TEST(SuperblockRadixTest, RejectsNonFiniteAndBadSchemes) {
  std::vector<float> w = gaussian(2 * 300, 7);
  w[400] = NAN;
  Result<SuperblockTensor> q =
      quantizeSuperblockTensor(w, 2, 300, c11Scheme(), kC11);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().kind, QuantError::Kind::NonFinite);
  EXPECT_EQ(q.error().index, 400);
  w[400] = 0.0f;
  w[5] = -INFINITY;
  q = quantizeSuperblockTensor(w, 2, 300, c11Scheme(), kC11);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().index, 5);

  Scheme symmetric = findWeightPreset("w4g32")->scheme;
  q = quantizeSuperblockTensor(gaussian(300, 8), 1, 300, symmetric, kC11);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().kind, QuantError::Kind::InvalidScheme);
  // Twelve levels do not fit radix 11.
  Scheme twelve = c11Scheme();
  twelve.codebook = linspaceCodebook(-1.0f, 1.0f, 12);
  q = quantizeSuperblockTensor(gaussian(300, 8), 1, 300, twelve, kC11);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().kind, QuantError::Kind::InvalidScheme);
  q = quantizeSuperblockTensor(gaussian(300, 8), 1, 300, c11Scheme(),
                               SuperblockFormat{11, 0});
  ASSERT_FALSE(q.ok());
  // Ranges beyond fp16 factors.
  std::vector<float> huge = gaussian(300, 9);
  huge[3] = 3.0e38f;
  huge[4] = -3.0e38f;
  q = quantizeSuperblockTensor(huge, 1, 300, c11Scheme(), kC11);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().kind, QuantError::Kind::ParamOverflow);
}

TEST(SuperblockRadixTest, DequantizeRejectsWrongSizes) {
  Result<std::vector<float>> deq = dequantizeSuperblockTensor(
      std::vector<uint32_t>(3), std::vector<uint8_t>(8), 1, 256, c11Scheme(),
      kC11);
  ASSERT_FALSE(deq.ok());
  EXPECT_EQ(deq.error().kind, QuantError::Kind::InvalidShape);
}

TEST(SuperblockRadixTest, EmptyShapes) {
  Result<SuperblockTensor> q =
      quantizeSuperblockTensor({}, 3, 0, c11Scheme(), kC11);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->words.empty());
  EXPECT_TRUE(q->params.empty());
  q = quantizeSuperblockTensor({}, 0, 4096, c11Scheme(), kC11);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->codes.empty());
}

TEST(SuperblockRadixTest, MseClippingNeverWorse) {
  // The MSE search starts from min-max, and the second level then picks the
  // best codes for either: on heavy-tailed weights it should help.
  int64_t rows = 8, k = 2304;
  std::mt19937 rng(10);
  std::student_t_distribution<float> dist(3.0f);
  std::vector<float> w(rows * k);
  for (float &x : w)
    x = 0.02f * dist(rng);
  auto error = [&](ClipMethod method) {
    ClippingOptions clipping;
    clipping.method = method;
    Result<SuperblockTensor> q =
        quantizeSuperblockTensor(w, rows, k, c11Scheme(), kC11, clipping);
    EXPECT_TRUE(q.ok());
    Result<std::vector<float>> deq = dequantizeSuperblockTensor(
        q->words, q->params, rows, k, c11Scheme(), kC11);
    return squaredError(w, *deq);
  };
  EXPECT_LT(error(ClipMethod::MSE), error(ClipMethod::MinMax));
}

// PackKind::RadixSuperblock is the same layout behind the row packers'
// interface (what lowbit.pack / lowbit.unpack and the pack-weights pass
// call): sizes, words and codes agree with the superblock functions.
TEST(SuperblockRadixTest, PackKindDelegatesToSuperblockRows) {
  PackFormat format{PackKind::RadixSuperblock, 11, 128};
  EXPECT_FALSE(verifyPackFormat(format));
  EXPECT_STREQ(stringifyPackKind(format.kind), "radix_superblock");
  EXPECT_EQ(symbolizePackKind("radix_superblock"), PackKind::RadixSuperblock);
  EXPECT_EQ(unitBits(format), 32u);
  EXPECT_EQ(codesPerUnit(format), 9u);
  EXPECT_EQ(bitsPerCode(format), 4u);
  EXPECT_TRUE(verifyPackFormat({PackKind::RadixSuperblock, 11, 0}));
  EXPECT_TRUE(verifyPackFormat({PackKind::RadixSuperblock, 1, 128}));
  SuperblockFormat sb = getSuperblockFormat(format);
  EXPECT_EQ(sb.radix, 11u);
  EXPECT_EQ(sb.groupSize, 128);
  std::mt19937 rng(7);
  for (int64_t k : {1, 100, 1152, 1300, 4096}) {
    std::vector<uint8_t> codes(k);
    for (uint8_t &c : codes)
      c = uint8_t(rng() % 11);
    int64_t units = packedUnitsPerRow(format, k);
    ASSERT_EQ(units, superblockWordsPerRow(sb, k)) << "K = " << k;
    std::vector<uint32_t> viaKind(units), viaRows(units);
    packRow(format, codes, viaKind);
    packSuperblockRow(sb, codes, viaRows);
    EXPECT_EQ(viaKind, viaRows) << "K = " << k;
    std::vector<uint8_t> back(k);
    unpackRow(format, viaKind, back);
    EXPECT_EQ(back, codes) << "K = " << k;
    codes[k / 2] = 11;
    EXPECT_EQ(findInvalidCode(format, codes), k / 2);
  }
  // 145 words for K = 1300: 128 for the superblock, ceil(148 / 9) = 17.
  EXPECT_EQ(packedUnitsPerRow(format, 1300), 145);
}

// The c11s128 preset is c11g128's scheme in this layout: 3.719 bits per
// weight at K = 4096 (456 words and 80 parameter bytes per row).
TEST(SuperblockRadixTest, C11S128Preset) {
  const WeightPreset *preset = findWeightPreset("c11s128");
  ASSERT_NE(preset, nullptr);
  EXPECT_EQ(preset->format.kind, PackKind::RadixSuperblock);
  EXPECT_EQ(preset->format.radix, 11u);
  EXPECT_EQ(preset->format.block, preset->granularity.groupSize);
  EXPECT_EQ(preset->scheme.codebook, c11Scheme().codebook);
  SuperblockFormat sb = getSuperblockFormat(preset->format);
  EXPECT_EQ(superblockWordsPerRow(sb, 4096), 456);
  EXPECT_EQ(superblockParamBytesPerRow(sb, 4096), 80);
  EXPECT_DOUBLE_EQ(superblockBitsPerWeight(sb, 4096), 3.71875);
}

//===- BitPlanesTest.cpp - bit-plane layout and lookup-table GEMV ---------===//

#include "lowbit/Numerics/BitPlanes.h"
#include "lowbit/Numerics/Reference.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

using namespace lowbit::numerics;

namespace {

std::string describe(unsigned bits, int64_t n, int64_t k) {
  return std::to_string(bits) + " bits " + std::to_string(n) + "x" +
         std::to_string(k);
}

std::vector<uint8_t> randomCodes(std::mt19937 &rng, unsigned bits, int64_t n,
                                 int64_t k) {
  std::uniform_int_distribution<int> dist(0, (1 << bits) - 1);
  std::vector<uint8_t> codes(n * k);
  for (uint8_t &c : codes)
    c = uint8_t(dist(rng));
  return codes;
}

/// The layout restated from the header with explicit loops over panels,
/// blocks, plane pairs, quads and rows (not through bitPlanePosition).
std::vector<uint8_t> referencePack(const std::vector<uint8_t> &codes,
                                   unsigned bits, int64_t n, int64_t k) {
  int64_t kp = (k + 15) / 16 * 16;
  std::vector<uint8_t> out;
  for (int64_t panel = 0; panel < (n + 15) / 16; ++panel)
    for (int64_t block = 0; block < kp / 16; ++block)
      for (unsigned pair = 0; pair < (bits + 1) / 2; ++pair)
        for (int64_t quad = 4 * block; quad < 4 * block + 4; ++quad)
          for (int64_t row = 16 * panel; row < 16 * panel + 16; ++row) {
            uint8_t value = 0;
            for (unsigned plane = 2 * pair; plane < 2 * pair + 2; ++plane) {
              unsigned index = 0;
              for (int64_t r = 0; r < 4; ++r) {
                int64_t col = 4 * quad + r;
                if (row < n && col < k)
                  index |= ((codes[row * k + col] >> plane) & 1u) << r;
              }
              value |= uint8_t(index << (4 * (plane % 2)));
            }
            out.push_back(value);
          }
  return out;
}

const int64_t kRows[] = {1, 5, 17, 32, 33, 70};
const int64_t kDepths[] = {1, 3, 4, 15, 16, 37, 64, 100, 129};

TEST(BitPlanesTest, PackMatchesTheDocumentedLayoutAndRoundTrips) {
  std::mt19937 rng(1);
  for (unsigned bits = 1; bits <= 4; ++bits)
    for (int64_t n : kRows)
      for (int64_t k : kDepths) {
        std::vector<uint8_t> codes = randomCodes(rng, bits, n, k);
        std::vector<uint8_t> packed = packBitPlanes(codes, bits, n, k);
        ASSERT_EQ(int64_t(packed.size()), bitPlaneBytes(bits, n, k));
        EXPECT_EQ(packed, referencePack(codes, bits, n, k))
            << describe(bits, n, k);
        EXPECT_EQ(unpackBitPlanes(packed, bits, n, k), codes)
            << describe(bits, n, k);
      }
}

TEST(BitPlanesTest, SizeHasNoWasteButPadding) {
  // 4096 x 4096 at 2 bits: exactly 2 bits per weight.
  EXPECT_EQ(bitPlaneBytes(2, 4096, 4096), 4096 * 4096 / 4);
  EXPECT_EQ(bitPlanePanelBytes(3, 17), 4 * 2 * 32);
  EXPECT_EQ(bitPlaneBytes(4, 33, 16), 3 * 4 * 2 * 16);
}

TEST(BitPlanesTest, TablesAreSubsetSumsAndStayInInt16Bounds) {
  std::vector<int8_t> q = {-127, -127, -127, -127, 127, 127,
                           127,  127,  5,    -3,   1};
  std::vector<int16_t> t = buildLookupTables(q);
  ASSERT_EQ(t.size(), size_t(16 * 4)); // K = 11 pads to 16: four quads
  EXPECT_EQ(t[0], 0);
  EXPECT_EQ(t[15], -kBitPlaneTableBound);
  EXPECT_EQ(t[16 + 15], kBitPlaneTableBound);
  EXPECT_EQ(t[32 + 0b0101], 5 + 1);
  EXPECT_EQ(t[32 + 0b1111], 5 - 3 + 1); // the padded fourth activation is 0
  for (int16_t v : t)
    EXPECT_LE(std::abs(v), kBitPlaneTableBound);
  EXPECT_EQ(t[48 + 0b1111], 0);
}

TEST(BitPlanesTest, LookupDotIsTheExactIntegerDot) {
  std::mt19937 rng(2);
  std::uniform_int_distribution<int> act(-127, 127);
  for (unsigned bits = 1; bits <= 4; ++bits)
    for (int64_t n : {1, 5, 17})
      for (int64_t k : {3, 37, 128, 300}) {
        std::vector<uint8_t> codes = randomCodes(rng, bits, n, k);
        std::vector<uint8_t> packed = packBitPlanes(codes, bits, n, k);
        std::vector<int8_t> q(k);
        for (int8_t &v : q)
          v = int8_t(act(rng));
        std::vector<int16_t> tables = buildLookupTables(q);
        for (int64_t row = 0; row < n; ++row) {
          int32_t expected = 0;
          for (int64_t i = 0; i < k; ++i)
            expected += int32_t(codes[row * k + i]) * q[i];
          EXPECT_EQ(lookupDot(packed, bits, k, tables, row, 0, k), expected)
              << describe(bits, n, k) << " row " << row;
        }
      }
}

struct Problem {
  std::vector<float> x, w, scales, steps, mins, bias;
  std::vector<uint8_t> packed;
};

/// Random min/scale weights, dequantized as Quantize.h states
/// (x^ = float(float(c) / float(L) * s) + m). With `linear`, s = L 2^e and
/// m a multiple of 2^e, so that the dequantization is exact and linear in c.
Problem makeProblem(std::mt19937 &rng, unsigned bits, int64_t m, int64_t n,
                    int64_t k, int64_t groupSize, bool linear) {
  Problem p;
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int> exponent(-8, 0), offset(-40, 40);
  std::uniform_real_distribution<float> uniform(0.01f, 2.0f);
  int64_t groups = (k + groupSize - 1) / groupSize;
  int64_t levels = (1 << bits) - 1;
  std::vector<uint8_t> codes = randomCodes(rng, bits, n, k);
  std::vector<float> &scales = p.scales;
  scales.resize(n * groups);
  p.mins.resize(n * groups);
  p.steps.resize(n * groups);
  for (int64_t i = 0; i < n * groups; ++i) {
    if (linear) {
      float unit = std::ldexp(1.0f, exponent(rng));
      scales[i] = float(levels) * unit;
      p.mins[i] = float(offset(rng)) * unit;
    } else {
      scales[i] = uniform(rng);
      p.mins[i] = -uniform(rng);
    }
    p.steps[i] = (1.0f / float(levels)) * scales[i];
  }
  p.w.resize(n * k);
  for (int64_t row = 0; row < n; ++row)
    for (int64_t i = 0; i < k; ++i) {
      int64_t g = row * groups + i / groupSize;
      float t = float(codes[row * k + i]) / float(levels);
      p.w[row * k + i] = t * scales[g] + p.mins[g];
    }
  p.x.resize(m * k);
  for (float &v : p.x)
    v = normal(rng);
  p.bias.resize(n);
  for (float &v : p.bias)
    v = normal(rng);
  p.packed = packBitPlanes(codes, bits, n, k);
  return p;
}

/// The int8-activation reference on the dequantized weights, and the
/// lookup-table reference on the bit planes.
void runBoth(const Problem &p, unsigned bits, int64_t m, int64_t n, int64_t k,
             int64_t groupSize, std::vector<float> &expected,
             std::vector<float> &actual) {
  expected.assign(m * n, 0.0f);
  actual.assign(m * n, 0.0f);
  referenceMatmulDynamicInt8Dequantized(p.x, p.w, p.bias, m, n, k, expected);
  referenceLutMatmul(p.x, p.packed, bits, p.steps, p.mins, groupSize, p.bias, m,
                     n, k, actual);
}

// Odd K, partial groups, N = 1/5/17, M = 1/4/9: the lookup-table result is
// the int8-activation reference's, bit for bit, when the dequantization is
// linear (1 and 2 bits with s = L 2^e).
TEST(BitPlanesTest, LutMatmulEqualsTheDynamicInt8Reference) {
  std::mt19937 rng(3);
  for (unsigned bits : {1u, 2u})
    for (int64_t m : {1, 4, 9})
      for (int64_t n : {1, 5, 17})
        for (int64_t k : {7, 32, 100, 257}) {
          int64_t groupSize = 32;
          Problem p = makeProblem(rng, bits, m, n, k, groupSize, true);
          std::vector<float> expected, actual;
          runBoth(p, bits, m, n, k, groupSize, expected, actual);
          EXPECT_EQ(actual, expected) << describe(bits, n, k) << " M=" << m;
        }
}

// Any f32 parameters, 1..4 bits: within the dequantization's rounding.
TEST(BitPlanesTest, LutMatmulIsWithinTheDequantizationRounding) {
  std::mt19937 rng(4);
  for (unsigned bits = 1; bits <= 4; ++bits)
    for (int64_t n : {1, 5, 17})
      for (int64_t k : {33, 130}) {
        int64_t m = 4, groupSize = 32;
        Problem p = makeProblem(rng, bits, m, n, k, groupSize, false);
        std::vector<float> expected, actual;
        runBoth(p, bits, m, n, k, groupSize, expected, actual);
        std::vector<int8_t> q(k);
        for (int64_t row = 0; row < m; ++row) {
          float sx = quantizeActivationRow(
              llvm::ArrayRef<float>(p.x).slice(row * k, k), q);
          for (int64_t col = 0; col < n; ++col) {
            // Per weight: T[c] s and the added min round once each.
            double bound = 0.0;
            int64_t groups = (k + groupSize - 1) / groupSize;
            for (int64_t i = 0; i < k; ++i) {
              int64_t g = col * groups + i / groupSize;
              bound += std::abs(double(q[i])) *
                       (double(p.scales[g]) + std::abs(double(p.mins[g])));
            }
            bound = bound * sx * std::ldexp(1.0, -22) +
                    std::abs(double(expected[row * n + col])) *
                        std::ldexp(1.0, -23);
            EXPECT_NEAR(actual[row * n + col], expected[row * n + col], bound)
                << describe(bits, n, k) << " at " << row << "," << col;
          }
        }
      }
}

} // namespace

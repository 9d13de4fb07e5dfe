//===- PanelPackingTest.cpp - [N, K] codes in panels of 16 rows -----------===//

#include "lowbit/Numerics/Packing.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <string>
#include <vector>

using namespace lowbit::numerics;

namespace {

PackFormat panel(PackKind kind, int64_t block = 0) {
  PackFormat f;
  f.kind = kind;
  f.block = block;
  return f;
}

std::string describe(const PackFormat &f, int64_t n, int64_t k) {
  return std::string(stringifyPackKind(f.kind)) +
         " block=" + std::to_string(f.block) + " " + std::to_string(n) + "x" +
         std::to_string(k);
}

/// The layout restated from the documentation with explicit loops over
/// panels, vectors, rows and bytes (not through panelPosition).
std::vector<uint8_t> referencePack(const PackFormat &f,
                                   const std::vector<uint8_t> &codes, int64_t n,
                                   int64_t k) {
  bool int4 = f.kind == PackKind::Int4Panel;
  int64_t step = f.block > 0 ? f.block : (int4 ? 8 : 4);
  int64_t kp = (k + step - 1) / step * step;
  int64_t panels = (n + 15) / 16;
  int64_t quadsPerVector = int4 ? 2 : 1;
  int64_t vectors = kp / 4 / quadsPerVector;
  std::vector<uint8_t> out;
  auto code = [&](int64_t row, int64_t col) -> uint8_t {
    return row < n && col < k ? codes[row * k + col] : 0;
  };
  for (int64_t p = 0; p < panels; ++p)
    for (int64_t v = 0; v < vectors; ++v)
      for (int64_t r = 0; r < 16; ++r)
        for (int64_t j = 0; j < 4; ++j) {
          int64_t row = 16 * p + r;
          if (!int4) {
            out.push_back(code(row, 4 * v + j));
          } else {
            uint8_t lo = code(row, 8 * v + j), hi = code(row, 8 * v + 4 + j);
            out.push_back(static_cast<uint8_t>(lo | (hi << 4)));
          }
        }
  return out;
}

} // namespace

TEST(PanelPackingTest, Metadata) {
  PackFormat i8 = panel(PackKind::Int8Panel), i4 = panel(PackKind::Int4Panel);
  EXPECT_TRUE(isPanelFormat(i8));
  EXPECT_TRUE(isPanelFormat(i4));
  EXPECT_FALSE(isPanelFormat(panel(PackKind::Int4Interleaved, 32)));
  EXPECT_EQ(bitsPerCode(i8), 8u);
  EXPECT_EQ(bitsPerCode(i4), 4u);
  EXPECT_EQ(unitBits(i4), 8u);
  EXPECT_EQ(codesPerUnit(i4), 2u);
  EXPECT_EQ(panelCount(1), 1);
  EXPECT_EQ(panelCount(16), 1);
  EXPECT_EQ(panelCount(17), 2);
  EXPECT_EQ(panelPaddedDepth(i8, 5), 8);
  EXPECT_EQ(panelPaddedDepth(i4, 5), 8);
  EXPECT_EQ(panelPaddedDepth(i4, 9), 16);
  EXPECT_EQ(panelPaddedDepth(panel(PackKind::Int4Panel, 32), 33), 64);
  EXPECT_EQ(panelBytes(i8, 5), 128);
  EXPECT_EQ(panelBytes(i4, 9), 128);
  EXPECT_EQ(panelBytes(panel(PackKind::Int4Panel, 32), 4096), 32768);
  // The storage's last dimension is the panel's bytes.
  EXPECT_EQ(packedUnitsPerRow(panel(PackKind::Int4Panel, 32), 33), 512);
  EXPECT_EQ(symbolizePackKind(stringifyPackKind(PackKind::Int8Panel)),
            PackKind::Int8Panel);
  EXPECT_EQ(symbolizePackKind("int4_panel"), PackKind::Int4Panel);
}

TEST(PanelPackingTest, VerifyFormat) {
  EXPECT_FALSE(verifyPackFormat(panel(PackKind::Int8Panel)));
  EXPECT_FALSE(verifyPackFormat(panel(PackKind::Int8Panel, 12)));
  EXPECT_TRUE(verifyPackFormat(panel(PackKind::Int8Panel, 6)));
  EXPECT_FALSE(verifyPackFormat(panel(PackKind::Int4Panel, 32)));
  EXPECT_TRUE(verifyPackFormat(panel(PackKind::Int4Panel, 12)));
  EXPECT_TRUE(verifyPackFormat(panel(PackKind::Int4Panel, -8)));
  PackFormat withRadix = panel(PackKind::Int4Panel);
  withRadix.radix = 11;
  EXPECT_TRUE(verifyPackFormat(withRadix));
}

// Hand-computed positions from the documented formulas.
TEST(PanelPackingTest, Positions) {
  PackFormat i8 = panel(PackKind::Int8Panel), i4 = panel(PackKind::Int4Panel);
  PanelPosition a = panelPosition(i8, 17, 6); // panel 1, quad 1, row 1, j 2
  EXPECT_EQ(a.panel, 1);
  EXPECT_EQ(a.byte, 64 + 4 + 2);
  EXPECT_EQ(a.shift, 0u);
  PanelPosition b = panelPosition(i4, 3, 6); // quad 1: high nibble of vector 0
  EXPECT_EQ(b.panel, 0);
  EXPECT_EQ(b.byte, 12 + 2);
  EXPECT_EQ(b.shift, 4u);
  PanelPosition c = panelPosition(i4, 15, 9); // quad 2: low nibble, vector 1
  EXPECT_EQ(c.byte, 64 + 60 + 1);
  EXPECT_EQ(c.shift, 0u);
}

TEST(PanelPackingTest, HandWrittenInt4) {
  // One row, codes 1..8: byte j holds k = j (low) and k = 4 + j (high).
  std::vector<uint8_t> codes = {1, 2, 3, 4, 5, 6, 7, 8};
  PackFormat f = panel(PackKind::Int4Panel);
  std::vector<uint8_t> out(panelBytes(f, 8));
  packPanels(f, codes, 1, 8, out);
  EXPECT_EQ(out[0], 0x51);
  EXPECT_EQ(out[3], 0x84);
  for (size_t i = 4; i < out.size(); ++i)
    EXPECT_EQ(out[i], 0) << i; // rows 1..15 are padding
}

// Round trips and the independent reference over odd shapes, padding of
// rows, of K and of partial blocks, every code value.
TEST(PanelPackingTest, RoundTripAndLayout) {
  for (PackFormat f :
       {panel(PackKind::Int8Panel), panel(PackKind::Int8Panel, 32),
        panel(PackKind::Int4Panel), panel(PackKind::Int4Panel, 32),
        panel(PackKind::Int4Panel, 8)}) {
    unsigned limit = 1u << bitsPerCode(f);
    for (int64_t n : {1, 5, 15, 16, 17, 33})
      for (int64_t k : {1, 3, 4, 7, 8, 9, 31, 32, 33, 67}) {
        std::vector<uint8_t> codes(n * k);
        for (int64_t i = 0; i < n * k; ++i)
          codes[i] = uint8_t((i * 37 + 11) % limit);
        // Garbage first: the packer must write every byte, padding included.
        std::vector<uint8_t> packed(panelCount(n) * panelBytes(f, k), 0xAA);
        packPanels(f, codes, n, k, packed);
        ASSERT_EQ(packed, referencePack(f, codes, n, k)) << describe(f, n, k);
        std::vector<uint8_t> back(n * k);
        unpackPanels(f, packed, n, k, back);
        ASSERT_EQ(back, codes) << describe(f, n, k);
      }
  }
}

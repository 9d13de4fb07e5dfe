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
  // Quads per 64-byte vector (int3: per 192-byte unit of three vectors).
  int64_t quadsPerUnit = f.kind == PackKind::Int8Panel   ? 1
                         : f.kind == PackKind::Int4Panel ? 2
                         : f.kind == PackKind::Int2Panel ? 4
                                                         : 8;
  int64_t step = f.block > 0 ? f.block : 4 * quadsPerUnit;
  int64_t kp = (k + step - 1) / step * step;
  int64_t panels = (n + 15) / 16;
  int64_t units = kp / 4 / quadsPerUnit;
  std::vector<uint8_t> out;
  auto code = [&](int64_t row, int64_t col) -> uint8_t {
    return row < n && col < k ? codes[row * k + col] : 0;
  };
  for (int64_t p = 0; p < panels; ++p)
    for (int64_t v = 0; v < units; ++v) {
      if (f.kind == PackKind::Int3Panel) {
        // Two vectors of low bit pairs (quads 0-3, 4-7), one of bit 2.
        for (int64_t plane = 0; plane < 3; ++plane)
          for (int64_t r = 0; r < 16; ++r)
            for (int64_t j = 0; j < 4; ++j) {
              uint8_t byte = 0;
              for (int64_t t = 0; t < (plane < 2 ? 4 : 8); ++t) {
                int64_t quad = 8 * v + (plane < 2 ? 4 * plane + t : t);
                uint8_t c = code(16 * p + r, 4 * quad + j);
                byte |= plane < 2 ? uint8_t((c & 3) << (2 * t))
                                  : uint8_t(((c >> 2) & 1) << t);
              }
              out.push_back(byte);
            }
        continue;
      }
      int64_t bits = 8 / quadsPerUnit;
      for (int64_t r = 0; r < 16; ++r)
        for (int64_t j = 0; j < 4; ++j) {
          uint8_t byte = 0;
          for (int64_t t = 0; t < quadsPerUnit; ++t)
            byte |= uint8_t(code(16 * p + r, 4 * (quadsPerUnit * v + t) + j)
                            << (bits * t));
          out.push_back(byte);
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

  PackFormat i2 = panel(PackKind::Int2Panel, 32),
             i3 = panel(PackKind::Int3Panel, 64);
  EXPECT_TRUE(isPanelFormat(i2));
  EXPECT_TRUE(isPanelFormat(i3));
  EXPECT_EQ(bitsPerCode(i2), 2u);
  EXPECT_EQ(bitsPerCode(i3), 3u);
  EXPECT_EQ(panelUnitDepth(i2), 16);
  EXPECT_EQ(panelUnitDepth(i3), 32);
  EXPECT_EQ(panelUnitBytes(i3), 192);
  EXPECT_EQ(panelPaddedDepth(panel(PackKind::Int2Panel), 17), 32);
  EXPECT_EQ(panelPaddedDepth(panel(PackKind::Int3Panel), 33), 64);
  EXPECT_EQ(panelPaddedDepth(i3, 65), 128);
  // 2 and 3 bits per code: 16 rows x 4096 codes in 16 KiB and 24 KiB.
  EXPECT_EQ(panelBytes(i2, 4096), 16384);
  EXPECT_EQ(panelBytes(i3, 4096), 24576);
  EXPECT_EQ(symbolizePackKind("int2_panel"), PackKind::Int2Panel);
  EXPECT_EQ(symbolizePackKind(stringifyPackKind(PackKind::Int3Panel)),
            PackKind::Int3Panel);
}

TEST(PanelPackingTest, VerifyFormat) {
  EXPECT_FALSE(verifyPackFormat(panel(PackKind::Int8Panel)));
  EXPECT_FALSE(verifyPackFormat(panel(PackKind::Int8Panel, 12)));
  EXPECT_TRUE(verifyPackFormat(panel(PackKind::Int8Panel, 6)));
  EXPECT_FALSE(verifyPackFormat(panel(PackKind::Int4Panel, 32)));
  EXPECT_TRUE(verifyPackFormat(panel(PackKind::Int4Panel, 12)));
  EXPECT_TRUE(verifyPackFormat(panel(PackKind::Int4Panel, -8)));
  EXPECT_FALSE(verifyPackFormat(panel(PackKind::Int2Panel, 32)));
  EXPECT_TRUE(verifyPackFormat(panel(PackKind::Int2Panel, 8)));
  EXPECT_FALSE(verifyPackFormat(panel(PackKind::Int3Panel, 64)));
  EXPECT_FALSE(verifyPackFormat(panel(PackKind::Int3Panel)));
  std::optional<std::string> why =
      verifyPackFormat(panel(PackKind::Int3Panel, 16));
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "int3_panel needs a block that is a multiple of 32, got 16");
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
  // int2: quad 6 is vector 1, bits [4, 6).
  PanelPosition d = panelPosition(panel(PackKind::Int2Panel), 2, 25);
  EXPECT_EQ(d.byte, 64 + 8 + 1);
  EXPECT_EQ(d.shift, 4u);
  EXPECT_EQ(d.highByte, -1);
  // int3: k = 57 is quad 14 = quad 6 of unit 1: low bits in that unit's
  // second vector at bits [4, 6), bit 2 in its third vector at bit 6.
  PanelPosition e = panelPosition(panel(PackKind::Int3Panel), 18, 57);
  EXPECT_EQ(e.panel, 1);
  EXPECT_EQ(e.byte, 192 + 64 + 8 + 1);
  EXPECT_EQ(e.shift, 4u);
  EXPECT_EQ(e.highByte, 192 + 128 + 8 + 1);
  EXPECT_EQ(e.highShift, 6u);
}

TEST(PanelPackingTest, HandWrittenInt3) {
  // One row of 32 codes, code k = k % 8: quad t holds 4t..4t+3.
  std::vector<uint8_t> codes(32);
  for (int64_t k = 0; k < 32; ++k)
    codes[k] = uint8_t(k % 8);
  PackFormat f = panel(PackKind::Int3Panel);
  std::vector<uint8_t> out(panelBytes(f, 32));
  packPanels(f, codes, 1, 32, out);
  ASSERT_EQ(out.size(), 192u);
  // Byte 0 (j = 0): quads 0-3 hold codes 0, 4, 0, 4 -> low bits 0, 0, 0, 0;
  // byte 1 (j = 1): codes 1, 5, 1, 5 -> low bits 1 in every pair: 0x55.
  EXPECT_EQ(out[0], 0x00);
  EXPECT_EQ(out[1], 0x55);
  EXPECT_EQ(out[64 + 3], 0xFF); // codes 3, 7, 3, 7: low bits 3
  // Bit 2: set for codes 4..7, i.e. the odd quads: 0xAA for every j.
  for (int64_t j = 0; j < 4; ++j)
    EXPECT_EQ(out[128 + j], 0xAA) << j;
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
        panel(PackKind::Int4Panel, 8), panel(PackKind::Int2Panel),
        panel(PackKind::Int2Panel, 32), panel(PackKind::Int2Panel, 16),
        panel(PackKind::Int3Panel), panel(PackKind::Int3Panel, 64),
        panel(PackKind::Int3Panel, 32)}) {
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

// The sub-4-bit panels hold the same codes as the row layouts the presets
// use otherwise (w3g64: int3 words, w2g32: int2 bytes): codes unpacked from
// rows, packed in panels and unpacked again are unchanged.
TEST(PanelPackingTest, SameCodesAsRowLayouts) {
  struct Case {
    PackKind row, panelKind;
    int64_t block;
  };
  for (Case c : {Case{PackKind::Int3, PackKind::Int3Panel, 64},
                 Case{PackKind::Int2, PackKind::Int2Panel, 32}}) {
    PackFormat rowFormat;
    rowFormat.kind = c.row;
    rowFormat.block = c.block;
    PackFormat panelFormat = panel(c.panelKind, c.block);
    unsigned limit = 1u << bitsPerCode(rowFormat);
    for (int64_t n : {1, 17, 33})
      for (int64_t k : {5, 64, 67, 200}) {
        std::vector<uint8_t> codes(n * k);
        for (int64_t i = 0; i < n * k; ++i)
          codes[i] = uint8_t((i * 2654435761u >> 7) % limit);
        // Through the row layout first, as the packed model holds them.
        std::vector<uint8_t> fromRows(n * k);
        for (int64_t r = 0; r < n; ++r) {
          llvm::ArrayRef<uint8_t> row(codes.data() + r * k, k);
          llvm::MutableArrayRef<uint8_t> back(fromRows.data() + r * k, k);
          if (unitBits(rowFormat) == 32) {
            std::vector<uint32_t> words(packedUnitsPerRow(rowFormat, k));
            packRow(rowFormat, row, words);
            unpackRow(rowFormat, words, back);
          } else {
            std::vector<uint8_t> bytes(packedUnitsPerRow(rowFormat, k));
            packRow(rowFormat, row, bytes);
            unpackRow(rowFormat, bytes, back);
          }
        }
        ASSERT_EQ(fromRows, codes) << describe(rowFormat, n, k);
        std::vector<uint8_t> packed(panelCount(n) * panelBytes(panelFormat, k));
        packPanels(panelFormat, fromRows, n, k, packed);
        std::vector<uint8_t> back(n * k);
        unpackPanels(panelFormat, packed, n, k, back);
        ASSERT_EQ(back, codes) << describe(panelFormat, n, k);
        // 2 (3) bits per code of the padded K, as the row layouts.
        EXPECT_EQ(8 * panelBytes(panelFormat, k),
                  int64_t(bitsPerCode(panelFormat)) * 16 *
                      panelPaddedDepth(panelFormat, k));
      }
  }
}

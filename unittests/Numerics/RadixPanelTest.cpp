//===- RadixPanelTest.cpp - radix words in panels of 16 columns -----------===//

#include "lowbit/Numerics/RadixPanel.h"
#include "lowbit/Numerics/Packing.h"

#include "gtest/gtest.h"

#include <random>
#include <set>
#include <vector>

using namespace lowbit::numerics;

namespace {

PackFormat radixPanel(int64_t block, unsigned radix = 11) {
  PackFormat f;
  f.kind = PackKind::RadixPanel;
  f.radix = radix;
  f.block = block;
  return f;
}

/// The slots of one run of four words as RadixPanel.h lists them: quads
/// [5 6 0 1] and [7 8 2 3] of each word in turn, then digit 4 of the four.
std::vector<RadixPanelSlot> referenceSlots(int64_t block) {
  std::vector<RadixPanelSlot> slots;
  for (int64_t run = 0; int64_t(slots.size()) < block; ++run) {
    for (int64_t w = 0; w < 4; ++w)
      for (unsigned d : {5u, 6u, 0u, 1u, 7u, 8u, 2u, 3u})
        slots.push_back({4 * run + w, d});
    for (int64_t w = 0; w < 4; ++w)
      slots.push_back({4 * run + w, 4u});
  }
  slots.resize(block);
  return slots;
}

std::vector<uint8_t> randomCodes(std::mt19937 &rng, int64_t count,
                                 unsigned radix) {
  std::uniform_int_distribution<int> code(0, int(radix) - 1);
  std::vector<uint8_t> codes(count);
  for (uint8_t &c : codes)
    c = uint8_t(code(rng));
  return codes;
}

} // namespace

TEST(RadixPanelTest, SlotsFollowTheDocumentedOrder) {
  std::vector<RadixPanelSlot> expected = referenceSlots(256);
  for (int64_t k = 0; k < 256; ++k) {
    RadixPanelSlot slot = radixPanelSlot(k);
    EXPECT_EQ(slot.word, expected[k].word) << "k = " << k;
    EXPECT_EQ(slot.digit, expected[k].digit) << "k = " << k;
  }
  // Code 34 (quad 8, byte 2): digit 4 of word 2.
  EXPECT_EQ(radixPanelSlot(34).word, 2);
  EXPECT_EQ(radixPanelSlot(34).digit, 4u);
}

TEST(RadixPanelTest, WordsAndNoSharedDigit) {
  EXPECT_EQ(radixPanelWords(128), 15); // as many as the row layout
  EXPECT_EQ(radixPanelWords(4), 1);
  EXPECT_EQ(radixPanelWords(32), 4);
  EXPECT_EQ(radixPanelWords(36), 4);
  EXPECT_EQ(radixPanelWords(40), 5);
  EXPECT_EQ(radixPanelWords(252), 28);
  for (int64_t block = 4; block <= 256; block += 4) {
    std::set<std::pair<int64_t, unsigned>> used;
    for (int64_t k = 0; k < block; ++k) {
      RadixPanelSlot slot = radixPanelSlot(k);
      EXPECT_LT(slot.word, radixPanelWords(block));
      EXPECT_LT(slot.digit, 9u);
      EXPECT_TRUE(used.insert({slot.word, slot.digit}).second)
          << "block " << block << " code " << k;
    }
  }
}

TEST(RadixPanelTest, BlockRoundTripAndDigits) {
  std::mt19937 rng(7);
  for (unsigned radix : {10u, 11u})
    for (int64_t block : {4, 36, 128, 252}) {
      std::vector<uint8_t> codes = randomCodes(rng, block, radix);
      std::vector<uint32_t> words(radixPanelWords(block));
      packRadixPanelBlock(codes, radix, words);
      // Every code is its slot's digit, decoded by division.
      for (int64_t k = 0; k < block; ++k) {
        RadixPanelSlot slot = radixPanelSlot(k);
        std::vector<uint8_t> digits(9);
        decodeRadixWordByDivision(words[slot.word], radix, digits);
        EXPECT_EQ(digits[slot.digit], codes[k]) << "k = " << k;
      }
      std::vector<uint8_t> back(block);
      unpackRadixPanelBlock(words, radix, back);
      EXPECT_EQ(back, codes) << "radix " << radix << " block " << block;
    }
}

TEST(RadixPanelTest, Format) {
  EXPECT_FALSE(verifyPackFormat(radixPanel(128)));
  EXPECT_FALSE(verifyPackFormat(radixPanel(36, 10)));
  EXPECT_EQ(*verifyPackFormat(radixPanel(128, 12)),
            "radix_panel needs radix 10 or 11, got 12");
  EXPECT_EQ(
      *verifyPackFormat(radixPanel(0)),
      "radix_panel needs a positive block that is a multiple of 4, got 0");
  EXPECT_TRUE(verifyPackFormat(radixPanel(130)).has_value());
  EXPECT_EQ(symbolizePackKind("radix_panel"), PackKind::RadixPanel);
  EXPECT_TRUE(isPanelFormat(radixPanel(128)));
  PackFormat f = radixPanel(128);
  EXPECT_EQ(panelUnitDepth(f), 128);
  EXPECT_EQ(panelUnitBytes(f), 960);
  EXPECT_EQ(panelPaddedDepth(f, 200), 256);
  EXPECT_EQ(panelBytes(f, 200), 1920); // 4.0 bits per code, as radix(11)
}

TEST(RadixPanelTest, PanelsHoldEachRowsWordsInItsLane) {
  std::mt19937 rng(11);
  PackFormat f = radixPanel(128);
  for (auto [rows, depth] :
       {std::pair<int64_t, int64_t>{17, 200}, {1, 128}, {5, 75}, {33, 257}}) {
    std::vector<uint8_t> codes = randomCodes(rng, rows * depth, 11);
    int64_t bytes = panelBytes(f, depth);
    std::vector<uint8_t> packed(panelCount(rows) * bytes, 0xAA);
    packPanels(f, codes, rows, depth, packed);
    // Word w of block b of row n: 4 bytes at 960 b + 64 w + 4 (n % 16) of
    // panel n / 16, the block's codes (zero past K and past the rows).
    for (int64_t n = 0; n < 16 * panelCount(rows); ++n)
      for (int64_t b = 0; b < panelPaddedDepth(f, depth) / 128; ++b) {
        std::vector<uint8_t> block(128, 0);
        for (int64_t k = 0; k < 128; ++k)
          if (n < rows && 128 * b + k < depth)
            block[k] = codes[n * depth + 128 * b + k];
        std::vector<uint32_t> words(15);
        packRadixPanelBlock(block, 11, words);
        for (int64_t w = 0; w < 15; ++w) {
          int64_t at = (n / 16) * bytes + 960 * b + 64 * w + 4 * (n % 16);
          uint32_t word = uint32_t(packed[at]) | uint32_t(packed[at + 1]) << 8 |
                          uint32_t(packed[at + 2]) << 16 |
                          uint32_t(packed[at + 3]) << 24;
          ASSERT_EQ(word, words[w]) << rows << "x" << depth << " n " << n;
        }
      }
    std::vector<uint8_t> back(rows * depth);
    unpackPanels(f, packed, rows, depth, back);
    EXPECT_EQ(back, codes) << rows << "x" << depth;
  }
}

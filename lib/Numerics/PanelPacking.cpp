//===- PanelPacking.cpp - [N, K] codes in panels of 16 rows ---------------===//
//
// See "Panels" in Packing.h for the normative layout.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/BitPlanes.h"
#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/RadixPanel.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <vector>

using namespace lowbit::numerics;

static int64_t roundUp(int64_t a, int64_t b) { return (a + b - 1) / b * b; }

/// Calls f(n, first k, byte of the block's first word of row n) for every
/// block of every row of a RadixPanel matrix.
template <typename F>
static void forEachRadixPanelBlock(const PackFormat &format, int64_t rows,
                                   int64_t depth, F f) {
  int64_t bytes = panelBytes(format, depth);
  int64_t unit = panelUnitBytes(format);
  for (int64_t n = 0; n < rows; ++n)
    for (int64_t k = 0; k < depth; k += format.block)
      f(n, k,
        (n / kPanelRows) * bytes + unit * (k / format.block) +
            4 * (n % kPanelRows));
}

int64_t lowbit::numerics::panelCount(int64_t rows) {
  assert(rows >= 0);
  return (rows + kPanelRows - 1) / kPanelRows;
}

int64_t lowbit::numerics::panelUnitDepth(const PackFormat &format) {
  switch (format.kind) {
  case PackKind::Int4Panel:
    return 2 * kPanelQuad;
  case PackKind::Int2Panel:
  case PackKind::Int2Planes: // one 4-bit index per plane and quad, 4 quads
    return 4 * kPanelQuad;
  case PackKind::Int3Panel:
    return 8 * kPanelQuad;
  case PackKind::RadixPanel:
    return format.block;
  default:
    return kPanelQuad;
  }
}

int64_t lowbit::numerics::panelUnitBytes(const PackFormat &format) {
  if (format.kind == PackKind::RadixPanel)
    return kPanelRows * 4 * radixPanelWords(format.block);
  return format.kind == PackKind::Int3Panel ? 3 * 64 : 64;
}

int64_t lowbit::numerics::panelPaddedDepth(const PackFormat &format,
                                           int64_t depth) {
  assert(isPanelFormat(format) && depth >= 0);
  if (format.kind == PackKind::Int2Planes)
    return bitPlanePaddedDepth(depth);
  if (format.block > 0)
    return roundUp(depth, format.block);
  return roundUp(depth, panelUnitDepth(format));
}

int64_t lowbit::numerics::panelBytes(const PackFormat &format, int64_t depth) {
  if (format.kind == PackKind::Int2Planes)
    return bitPlanePanelBytes(2, depth);
  return panelPaddedDepth(format, depth) / panelUnitDepth(format) *
         panelUnitBytes(format);
}

PanelPosition lowbit::numerics::panelPosition(const PackFormat &format,
                                              int64_t n, int64_t k) {
  assert(isPanelFormat(format) && format.kind != PackKind::Int2Planes &&
         format.kind != PackKind::RadixPanel && n >= 0 && k >= 0 &&
         "a plane or word layout has no single field per code");
  int64_t quad = k / kPanelQuad;
  int64_t lane = kPanelQuad * (n % kPanelRows) + k % kPanelQuad;
  int64_t vectorBytes = kPanelRows * kPanelQuad;
  switch (format.kind) {
  case PackKind::Int8Panel:
    return {n / kPanelRows, vectorBytes * quad + lane, 0};
  case PackKind::Int4Panel:
    return {n / kPanelRows, vectorBytes * (quad / 2) + lane,
            unsigned(4 * (quad % 2))};
  case PackKind::Int2Panel:
    return {n / kPanelRows, vectorBytes * (quad / 4) + lane,
            unsigned(2 * (quad % 4))};
  default: { // Int3Panel: two 2-bit vectors and a 1-bit vector per 8 quads
    int64_t unit = panelUnitBytes(format) * (quad / 8) + lane;
    int64_t t = quad % 8;
    return {n / kPanelRows, unit + vectorBytes * (t / 4), unsigned(2 * (t % 4)),
            unit + 2 * vectorBytes, unsigned(t)};
  }
  }
}

void lowbit::numerics::packPanels(const PackFormat &format,
                                  llvm::ArrayRef<uint8_t> codes, int64_t rows,
                                  int64_t depth,
                                  llvm::MutableArrayRef<uint8_t> out) {
  assert(!verifyPackFormat(format) && isPanelFormat(format));
  assert(int64_t(codes.size()) == rows * depth && "codes have the wrong size");
  int64_t bytes = panelBytes(format, depth);
  assert(int64_t(out.size()) == panelCount(rows) * bytes &&
         "packed panels have the wrong size");
  assert(!findInvalidCode(format, codes) && "invalid code");
  if (format.kind == PackKind::Int2Planes) {
    std::vector<uint8_t> planes = packBitPlanes(codes, 2, rows, depth);
    std::memcpy(out.data(), planes.data(), planes.size());
    return;
  }
  std::memset(out.data(), 0, out.size());
  if (format.kind == PackKind::RadixPanel) {
    forEachRadixPanelBlock(
        format, rows, depth, [&](int64_t n, int64_t k0, int64_t at) {
          std::vector<uint8_t> block(format.block, 0);
          int64_t count = std::min(format.block, depth - k0);
          std::memcpy(block.data(), &codes[n * depth + k0], count);
          std::vector<uint32_t> words(radixPanelWords(format.block));
          packRadixPanelBlock(block, format.radix, words);
          for (size_t w = 0; w < words.size(); ++w)
            for (int64_t byte = 0; byte < 4; ++byte)
              out[at + 64 * w + byte] = uint8_t(words[w] >> (8 * byte));
        });
    return;
  }
  for (int64_t n = 0; n < rows; ++n) {
    for (int64_t k = 0; k < depth; ++k) {
      PanelPosition at = panelPosition(format, n, k);
      uint8_t code = codes[n * depth + k];
      if (at.highByte >= 0) {
        out[at.panel * bytes + at.highByte] |=
            static_cast<uint8_t>((code >> 2) << at.highShift);
        code &= 3;
      }
      out[at.panel * bytes + at.byte] |= static_cast<uint8_t>(code << at.shift);
    }
  }
}

void lowbit::numerics::unpackPanels(const PackFormat &format,
                                    llvm::ArrayRef<uint8_t> packed,
                                    int64_t rows, int64_t depth,
                                    llvm::MutableArrayRef<uint8_t> codes) {
  assert(!verifyPackFormat(format) && isPanelFormat(format));
  assert(int64_t(codes.size()) == rows * depth && "codes have the wrong size");
  int64_t bytes = panelBytes(format, depth);
  assert(int64_t(packed.size()) == panelCount(rows) * bytes &&
         "packed panels have the wrong size");
  if (format.kind == PackKind::Int2Planes) {
    std::vector<uint8_t> unpacked = unpackBitPlanes(packed, 2, rows, depth);
    std::memcpy(codes.data(), unpacked.data(), unpacked.size());
    return;
  }
  if (format.kind == PackKind::RadixPanel) {
    forEachRadixPanelBlock(
        format, rows, depth, [&](int64_t n, int64_t k0, int64_t at) {
          std::vector<uint32_t> words(radixPanelWords(format.block));
          for (size_t w = 0; w < words.size(); ++w)
            for (int64_t byte = 0; byte < 4; ++byte)
              words[w] |= uint32_t(packed[at + 64 * w + byte]) << (8 * byte);
          std::vector<uint8_t> block(format.block);
          unpackRadixPanelBlock(words, format.radix, block);
          int64_t count = std::min(format.block, depth - k0);
          std::memcpy(&codes[n * depth + k0], block.data(), count);
        });
    return;
  }
  uint8_t mask = static_cast<uint8_t>((1u << bitsPerCode(format)) - 1u);
  for (int64_t n = 0; n < rows; ++n) {
    for (int64_t k = 0; k < depth; ++k) {
      PanelPosition at = panelPosition(format, n, k);
      unsigned code = packed[at.panel * bytes + at.byte] >> at.shift;
      if (at.highByte >= 0)
        code = (code & 3) |
               ((packed[at.panel * bytes + at.highByte] >> at.highShift) & 1)
                   << 2;
      codes[n * depth + k] = static_cast<uint8_t>(code & mask);
    }
  }
}

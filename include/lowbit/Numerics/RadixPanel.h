//===- RadixPanel.h - radix words in panels of 16 columns -------*- C++ -*-===//
//
// The RadixPanel layout (Packing.h, "Panels"): nine-digit radix words
// (radix 10 or 11, the radices of RadixChunks.h) for outer-product kernels,
// whose 32-bit lanes are 16 output columns. A block of B codes (B a multiple
// of 4) of a column takes radixPanelWords(B) words; word w of every column
// of a panel is one 64-byte vector (column n % 16 in bytes 4 (n % 16) ..),
// the block's vectors one after the other.
//
// The packer places the codes so that the chunked decode (RadixChunks.h)
// yields whole quads of consecutive codes, the order the activations are
// stored in anyway: quad q of a block (codes 4q .. 4q + 3) is, with
// g = q / 9 and t = q % 9,
//   t < 8: digits [5 6 0 1] (t even) or [7 8 2 3] (t odd) of word 4g + t/2,
//          the two quads one word's head and tail chains give;
//   t = 8: digit 4 of words 4g .. 4g + 3 (one byte each, the decode's
//          middle digit of four words gathered into one quad).
// So every digit the kernel multiplies is a code (no quarter-used dot
// product for digit 4), at 2 + 1/4 quads per word: B = 128 takes 15 words
// (135 digits, as the row layout), 32 dot products per 16 columns.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_RADIXPANEL_H
#define LOWBIT_NUMERICS_RADIXPANEL_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace lowbit::numerics {

/// Quads per run of four words (8 from their chains, 1 of digit 4).
inline constexpr int64_t kRadixPanelRunQuads = 9;

/// Where a code of a block sits: word `word` of the block, digit `digit`.
struct RadixPanelSlot {
  int64_t word;
  unsigned digit;
};

/// Where code k (0 <= k) of a block sits.
RadixPanelSlot radixPanelSlot(int64_t k);
/// Words of a block of `block` codes (a multiple of 4): one past the last
/// word radixPanelSlot uses.
int64_t radixPanelWords(int64_t block);

/// Packs the codes (< radix) of one block of one column, codes.size() =
/// block, into radixPanelWords(block) words (unused digits zero).
void packRadixPanelBlock(llvm::ArrayRef<uint8_t> codes, unsigned radix,
                         llvm::MutableArrayRef<uint32_t> words);
/// The inverse: writes codes.size() = block codes.
void unpackRadixPanelBlock(llvm::ArrayRef<uint32_t> words, unsigned radix,
                           llvm::MutableArrayRef<uint8_t> codes);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_RADIXPANEL_H

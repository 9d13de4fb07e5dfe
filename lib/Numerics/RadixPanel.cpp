//===- RadixPanel.cpp - radix words in panels of 16 columns ---------------===//
//
// See RadixPanel.h for the code placement.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/RadixPanel.h"
#include "lowbit/Numerics/Packing.h"

#include <algorithm>
#include <cassert>

using namespace lowbit::numerics;

RadixPanelSlot lowbit::numerics::radixPanelSlot(int64_t k) {
  assert(k >= 0);
  // The quads the chunked decode gives: head and tail steps interleaved.
  static const unsigned kChainDigits[2][4] = {{5, 6, 0, 1}, {7, 8, 2, 3}};
  int64_t quad = k / 4, byte = k % 4;
  int64_t run = quad / kRadixPanelRunQuads, t = quad % kRadixPanelRunQuads;
  if (t == kRadixPanelRunQuads - 1)
    return {4 * run + byte, 4};
  return {4 * run + t / 2, kChainDigits[t % 2][byte]};
}

int64_t lowbit::numerics::radixPanelWords(int64_t block) {
  assert(block > 0 && block % 4 == 0);
  int64_t words = 0;
  for (int64_t k = 0; k < block; ++k)
    words = std::max(words, radixPanelSlot(k).word + 1);
  return words;
}

void lowbit::numerics::packRadixPanelBlock(
    llvm::ArrayRef<uint8_t> codes, unsigned radix,
    llvm::MutableArrayRef<uint32_t> words) {
  int64_t block = codes.size();
  assert(int64_t(words.size()) == radixPanelWords(block) &&
         digitsPerWord(radix) == 9);
  std::vector<uint8_t> digits(9 * words.size(), 0);
  for (int64_t k = 0; k < block; ++k) {
    assert(codes[k] < radix && "invalid code");
    RadixPanelSlot slot = radixPanelSlot(k);
    digits[9 * slot.word + slot.digit] = codes[k];
  }
  for (size_t w = 0; w < words.size(); ++w)
    words[w] = encodeRadixWord(llvm::ArrayRef(digits).slice(9 * w, 9), radix);
}

void lowbit::numerics::unpackRadixPanelBlock(
    llvm::ArrayRef<uint32_t> words, unsigned radix,
    llvm::MutableArrayRef<uint8_t> codes) {
  assert(int64_t(words.size()) == radixPanelWords(codes.size()) &&
         digitsPerWord(radix) == 9);
  std::vector<uint8_t> digits(9 * words.size());
  for (size_t w = 0; w < words.size(); ++w)
    decodeRadixWordByDivision(words[w], radix,
                              llvm::MutableArrayRef(digits).slice(9 * w, 9));
  for (size_t k = 0; k < codes.size(); ++k) {
    RadixPanelSlot slot = radixPanelSlot(k);
    codes[k] = digits[9 * slot.word + slot.digit];
  }
}

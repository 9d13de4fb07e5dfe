//===- RadixPanelDecoder.cpp - radix_panel operands -----------------------===//
//
// A unit is one block: W = numerics::radixPanelWords(block) vectors of
// nine-digit radix words, a word of each of 16 columns per 32-bit lane.
// Each word takes the chunked decode of the dot-form kernels
// (RadixChunkQuads.cpp), whose two chain quads [d5 d6 d0 d1], [d7 d8 d2 d3]
// are two quads of the block as they are; every ninth quad gathers the
// middle digit (byte 2 of the decode's third operand, byte 0 holding a
// value < R, bytes 1 and 3 zero) of four words into the four bytes of each
// lane: two shifts, a shift and a mask, a mask and the ors (the packer put
// the codes there: lowbit/Numerics/RadixPanel.h). So 32 dot products per
// block of 128 codes, none wasted, against 45 of the word-per-lane form.
// Codes (codebook indices 0..10) enter every dot form as they are.
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"
#include "PanelDecoders.h"

#include "lowbit/Numerics/RadixPanel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace lowbit;

namespace {

class RadixPanelDecoder : public PanelDecoder {
public:
  RadixPanelDecoder(OpBuilder &b, Location loc, int64_t bytes, unsigned radix)
      : PanelDecoder(b, loc, bytes), radix(radix) {}

  PanelOperandForm getForm(Int8Dot dot, bool) const override {
    PanelOperandForm form;
    form.unsignedLhs = isVpdpbusd(dot) || isPmaddubsw(dot);
    form.pairsFitI16 = true; // 2 * 10 * 127
    return form;
  }

  SmallVector<Value> prepare(ArrayRef<Value> slices,
                             const PanelOperandForm &) override {
    SmallVector<Value> words;
    for (Value slice : slices)
      words.push_back(toWords(slice));
    return words;
  }

  Value decodeQuad(ArrayRef<Value> prepared, int64_t quad,
                   const PanelOperandForm &) override {
    int64_t run = quad / numerics::kRadixPanelRunQuads;
    int64_t t = quad % numerics::kRadixPanelRunQuads;
    if (t < numerics::kRadixPanelRunQuads - 1)
      return decoded(prepared, 4 * run + t / 2)[t % 2];
    // Digit 4 of words 4 run + j into byte j of every lane.
    auto middle = [&](int64_t j) {
      return toWords(decoded(prepared, 4 * run + j)[2]);
    };
    Value first = arith::ShRUIOp::create(b, loc, middle(0), wordSplat(16));
    Value second = arith::ShRUIOp::create(b, loc, middle(1), wordSplat(8));
    Value third =
        arith::AndIOp::create(b, loc, middle(2), wordSplat(0x00FF0000));
    Value fourth = arith::AndIOp::create(
        b, loc, arith::ShLIOp::create(b, loc, middle(3), wordSplat(8)),
        wordSplat(int32_t(0xFF000000)));
    Value low = arith::OrIOp::create(b, loc, first, second);
    Value high = arith::OrIOp::create(b, loc, third, fourth);
    return toBytes(arith::OrIOp::create(b, loc, low, high));
  }

private:
  /// The three operands of word `word` of the unit `prepared`, decoded once.
  ArrayRef<Value> decoded(ArrayRef<Value> prepared, int64_t word) {
    SmallVector<Value> &quads =
        cache[{prepared.front().getAsOpaquePointer(), word}];
    if (quads.empty())
      quads = decodeRadixChunkQuads(b, loc, radix, prepared[word]);
    return quads;
  }

  unsigned radix;
  llvm::DenseMap<std::pair<void *, int64_t>, SmallVector<Value>> cache;
};

} // namespace

std::unique_ptr<PanelDecoder>
lowbit::makeRadixPanelDecoder(OpBuilder &b, Location loc, int64_t bytes,
                              const numerics::PackFormat &format) {
  return std::make_unique<RadixPanelDecoder>(b, loc, bytes, format.radix);
}

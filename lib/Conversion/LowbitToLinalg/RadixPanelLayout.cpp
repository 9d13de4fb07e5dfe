//===- RadixPanelLayout.cpp - pack/unpack of radix_panel ------------------===//
//
// radix_panel (lowbit/Numerics/RadixPanel.h) as linalg.generic ops: every
// code reads its word and divides out its digit, every byte encodes the nine
// digits of its word, with the placement of numerics::radixPanelSlot
// restated in index arithmetic (64-bit index values: words times N < 2^64).
//
//===----------------------------------------------------------------------===//

#include "IndexMath.h"
#include "PanelLayouts.h"

#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/RadixPanel.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::layout_lowering;

namespace {

constexpr int64_t kDigits = 9;

/// Digit d (not 4) of a word: its quad (0: head/tail step quad [5 6 0 1],
/// 1: [7 8 2 3]) and byte in it.
struct ChainByte {
  int64_t odd, byte;
};
ChainByte chainByte(int64_t digit) {
  static const ChainByte kBytes[kDigits] = {
      {0, 2}, {0, 3}, {1, 2}, {1, 3}, {0, 0}, {0, 0}, {0, 1}, {1, 0}, {1, 1}};
  return kBytes[digit];
}

/// R^(8 - d): the weight of digit d in a word's value.
SmallVector<int64_t> digitWeights(int64_t radix) {
  SmallVector<int64_t> weights(kDigits, 1);
  for (int64_t d = kDigits - 2; d >= 0; --d)
    weights[d] = weights[d + 1] * radix;
  return weights;
}

} // namespace

Value lowbit::lowerRadixPanelUnpack(OpBuilder &b, Location loc, UnpackOp op,
                                    Value packed) {
  RankedTensorType type = op.getType();
  numerics::PackFormat format = op.getLayout().getPackFormat();
  int64_t block = format.block, radix = format.radix;
  int64_t unitBytes = numerics::panelUnitBytes(format);
  int64_t rank = type.getRank();
  SmallVector<int64_t> weights = digitWeights(radix);
  return buildFromIndices(
      b, loc, type, [&](OpBuilder &nb, Location l, ArrayRef<Value> ivs) {
        IndexMath e{nb, l};
        Value n = ivs[rank - 2], k = ivs[rank - 1];
        Value kk = e.rem(k, block);
        Value quad = e.div(kk, 4), j = e.rem(kk, 4);
        Value run = e.div(quad, numerics::kRadixPanelRunQuads);
        Value t = e.rem(quad, numerics::kRadixPanelRunQuads);
        Value middle = e.eq(t, numerics::kRadixPanelRunQuads - 1);
        Value word = e.add(e.mul(run, 4), e.select(middle, j, e.div(t, 2)));
        // Digit [5 6 0 1] (t even) or [7 8 2 3] (t odd) at byte j.
        Value chain = e.add(e.add(e.select(e.ult(j, 2), e.c(5), e.c(-2)), j),
                            e.mul(e.rem(t, 2), 2));
        Value digit = e.select(middle, e.c(4), chain);
        Value first =
            e.add(e.add(e.mul(e.div(k, block), unitBytes), e.mul(word, 64)),
                  e.mul(e.rem(n, numerics::kPanelRows), 4));
        SmallVector<Value> at(ivs.drop_back(2));
        at.push_back(e.div(n, numerics::kPanelRows));
        Value q = e.c(0);
        for (int64_t i = 0; i < 4; ++i) {
          SmallVector<Value> indices(at);
          indices.push_back(e.add(first, e.c(i)));
          Value byte = e.toIndex(
              e.andi(e.toI32(tensor::ExtractOp::create(nb, l, packed, indices)),
                     e.i32(0xFF)));
          q = e.ori(q, e.shl(byte, e.c(8 * i)));
        }
        // v = floor(q N / 2^32), digit d = floor(v / R^(8 - d)) mod R.
        Value v = e.shru(e.mul(q, int64_t(numerics::radixWordModulus(radix))),
                         e.c(32));
        Value divisor = e.c(1);
        for (int64_t d = 0; d < kDigits; ++d)
          divisor = e.select(e.eq(digit, d), e.c(weights[d]), divisor);
        Value code = e.remu(e.divu(v, divisor), e.c(radix));
        return e.fromI32(e.toI32(code), type.getElementType(),
                         /*isSigned=*/false);
      });
}

Value lowbit::lowerRadixPanelPack(OpBuilder &b, Location loc, PackOp op,
                                  Value codes, int64_t rows, int64_t depth) {
  RankedTensorType type = op.getType();
  numerics::PackFormat format = op.getLayout().getPackFormat();
  int64_t block = format.block, radix = format.radix;
  int64_t words = numerics::radixPanelWords(block);
  int64_t rank = type.getRank();
  SmallVector<int64_t> weights = digitWeights(radix);
  uint64_t modulus = numerics::radixWordModulus(radix);
  return buildFromIndices(
      b, loc, type, [&](OpBuilder &nb, Location l, ArrayRef<Value> ivs) {
        IndexMath e{nb, l};
        Value panel = ivs[rank - 2], byte = ivs[rank - 1];
        Value vector = e.div(byte, 64), lane = e.rem(byte, 64);
        Value blockIndex = e.div(vector, words), w = e.rem(vector, words);
        Value n = e.add(e.mul(panel, numerics::kPanelRows), e.div(lane, 4));
        Value run = e.div(w, 4), i = e.rem(w, 4);
        // v = sum of digit d times R^(8 - d); digit d holds code kk of the
        // block (radixPanelSlot inverted), zero past the codes.
        Value v = e.c(0);
        for (int64_t d = 0; d < kDigits; ++d) {
          Value quad, j;
          if (d == 4) {
            quad = e.add(e.mul(run, numerics::kRadixPanelRunQuads),
                         e.c(numerics::kRadixPanelRunQuads - 1));
            j = i;
          } else {
            ChainByte at = chainByte(d);
            quad = e.add(e.mul(run, numerics::kRadixPanelRunQuads),
                         e.add(e.mul(i, 2), e.c(at.odd)));
            j = e.c(at.byte);
          }
          Value kk = e.add(e.mul(quad, 4), j);
          Value k = e.add(e.mul(blockIndex, block), kk);
          Value valid =
              e.andi(e.andi(e.ult(kk, block), e.ult(k, depth)), e.ult(n, rows));
          SmallVector<Value> at(ivs.drop_back(2));
          at.push_back(e.select(valid, n, e.c(0)));
          at.push_back(e.select(valid, k, e.c(0)));
          Value code =
              e.toIndex(e.toI32(tensor::ExtractOp::create(nb, l, codes, at)));
          code = e.select(valid, e.remu(code, e.c(256)), e.c(0));
          v = e.add(v, e.mul(code, weights[d]));
        }
        // The stored word ceil(v 2^32 / N) (encodeRadixWord), byte lane % 4.
        Value q = e.divu(e.add(e.shl(v, e.c(32)), e.c(int64_t(modulus - 1))),
                         e.c(int64_t(modulus)));
        Value part = e.andi(e.shru(q, e.mul(e.rem(lane, 4), 8)), e.c(0xFF));
        return e.fromI32(e.toI32(part), type.getElementType(),
                         /*isSigned=*/false);
      });
}

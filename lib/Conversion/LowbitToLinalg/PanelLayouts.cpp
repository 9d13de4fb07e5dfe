//===- PanelLayouts.cpp - pack/unpack of panel layouts --------------------===//

#include "PanelLayouts.h"
#include "IndexMath.h"

#include "lowbit/Numerics/Packing.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::layout_lowering;

Value lowbit::lowerPanelUnpack(OpBuilder &b, Location loc, UnpackOp op,
                               Value packed) {
  RankedTensorType type = op.getType();
  numerics::PackFormat format = op.getLayout().getPackFormat();
  bool int4 = format.kind == numerics::PackKind::Int4Panel;
  unsigned bits = numerics::bitsPerCode(format);
  bool signedCodes = op.getSignedCodes();
  int64_t rank = type.getRank();
  return buildFromIndices(
      b, loc, type, [&](OpBuilder &nb, Location l, ArrayRef<Value> ivs) {
        IndexMath e{nb, l};
        Value n = ivs[rank - 2], k = ivs[rank - 1];
        // panelPosition: byte 64 * (k / 4 or k / 8) + 4 * (n % 16) + k % 4
        // of panel n / 16; int4: the high nibble for odd quads.
        Value lane = e.add(e.mul(e.rem(n, numerics::kPanelRows), 4),
                           e.rem(k, numerics::kPanelQuad));
        Value vector = e.div(k, int4 ? 8 : 4);
        SmallVector<Value> at(ivs.drop_back(2));
        at.push_back(e.div(n, numerics::kPanelRows));
        at.push_back(e.add(e.mul(vector, 64), lane));
        Value byte = e.toI32(tensor::ExtractOp::create(nb, l, packed, at));
        Value pattern = byte;
        if (int4) {
          Value shift = e.toI32(e.mul(e.rem(e.div(k, 4), 2), 4));
          pattern = e.andi(e.shru(byte, shift), e.i32(0xF));
        }
        Value value = pattern;
        if (signedCodes) { // (p ^ sign) - sign
          Value sign = e.i32(int64_t(1) << (bits - 1));
          value = e.sub(e.xori(pattern, sign), sign);
        }
        return e.fromI32(value, type.getElementType(), signedCodes);
      });
}

Value lowbit::lowerPanelPack(OpBuilder &b, Location loc, PackOp op,
                             Value codes) {
  RankedTensorType type = op.getType();
  ArrayRef<int64_t> codesShape = op.getInput().getType().getShape();
  int64_t rows = codesShape[codesShape.size() - 2];
  int64_t depth = codesShape.back();
  numerics::PackFormat format = op.getLayout().getPackFormat();
  bool int4 = format.kind == numerics::PackKind::Int4Panel;
  unsigned bits = numerics::bitsPerCode(format);
  int64_t rank = type.getRank();
  return buildFromIndices(
      b, loc, type, [&](OpBuilder &nb, Location l, ArrayRef<Value> ivs) {
        IndexMath e{nb, l};
        Value panel = ivs[rank - 2], byte = ivs[rank - 1];
        Value vector = e.div(byte, 64);
        Value lane = e.rem(byte, 64);
        Value n = e.add(e.mul(panel, numerics::kPanelRows), e.div(lane, 4));
        Value j = e.rem(lane, 4);
        // The pattern of code (n, k), 0 past the codes.
        auto codeAt = [&](Value k) -> Value {
          Value valid =
              arith::AndIOp::create(nb, l, e.ult(n, rows), e.ult(k, depth));
          SmallVector<Value> at(ivs.drop_back(2));
          at.push_back(e.select(valid, n, e.c(0)));
          at.push_back(e.select(valid, k, e.c(0)));
          Value code = e.toI32(tensor::ExtractOp::create(nb, l, codes, at));
          Value pattern = e.andi(code, e.i32((int64_t(1) << bits) - 1));
          return e.select(valid, pattern, e.i32(0));
        };
        Value word;
        if (!int4) {
          word = codeAt(e.add(e.mul(vector, 4), j));
        } else {
          Value k = e.add(e.mul(vector, 8), j);
          word = e.ori(codeAt(k), e.shl(codeAt(e.add(k, e.c(4))), e.i32(4)));
        }
        return e.fromI32(word, type.getElementType(), /*isSigned=*/false);
      });
}

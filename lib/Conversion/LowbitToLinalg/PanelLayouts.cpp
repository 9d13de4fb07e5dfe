//===- PanelLayouts.cpp - pack/unpack of panel layouts --------------------===//

#include "PanelLayouts.h"
#include "IndexMath.h"

#include "lowbit/Numerics/Packing.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::layout_lowering;

namespace {

/// int2_planes (BitPlanes.h at 2 bits): code (n, k) has bit p in bit
/// 4 p + k % 4 of byte 64 * (k / 16) + 16 * (k / 4 % 4) + n % 16 of panel
/// n / 16.
Value unpackBitPlanes(OpBuilder &b, Location loc, UnpackOp op, Value packed) {
  RankedTensorType type = op.getType();
  int64_t rank = type.getRank();
  return buildFromIndices(
      b, loc, type, [&](OpBuilder &nb, Location l, ArrayRef<Value> ivs) {
        IndexMath e{nb, l};
        Value n = ivs[rank - 2], k = ivs[rank - 1];
        SmallVector<Value> at(ivs.drop_back(2));
        at.push_back(e.div(n, numerics::kPanelRows));
        at.push_back(e.add(e.add(e.mul(e.div(k, 16), 64),
                                 e.mul(e.rem(e.div(k, 4), 4), 16)),
                           e.rem(n, numerics::kPanelRows)));
        Value byte = e.toI32(tensor::ExtractOp::create(nb, l, packed, at));
        Value shifted = e.shru(byte, e.toI32(e.rem(k, 4)));
        Value low = e.andi(shifted, e.i32(1));
        Value high = e.andi(e.shru(shifted, e.i32(3)), e.i32(2));
        return e.fromI32(e.ori(low, high), type.getElementType(),
                         op.getSignedCodes());
      });
}

/// The inverse: byte (panel, i) holds quad 4 (i / 64) + i % 64 / 16 of row
/// 16 panel + i % 16, bit p of its four codes in nibble p.
Value packBitPlanes(OpBuilder &b, Location loc, PackOp op, Value codes) {
  RankedTensorType type = op.getType();
  ArrayRef<int64_t> codesShape = op.getInput().getType().getShape();
  int64_t rows = codesShape[codesShape.size() - 2];
  int64_t depth = codesShape.back();
  int64_t rank = type.getRank();
  return buildFromIndices(
      b, loc, type, [&](OpBuilder &nb, Location l, ArrayRef<Value> ivs) {
        IndexMath e{nb, l};
        Value panel = ivs[rank - 2], byte = ivs[rank - 1];
        Value n = e.add(e.mul(panel, numerics::kPanelRows), e.rem(byte, 16));
        Value quad = e.add(e.mul(e.div(byte, 64), 4), e.div(e.rem(byte, 64), 16));
        Value word = e.i32(0);
        for (int64_t r = 0; r < 4; ++r) {
          Value k = e.add(e.mul(quad, 4), e.c(r));
          Value valid =
              arith::AndIOp::create(nb, l, e.ult(n, rows), e.ult(k, depth));
          SmallVector<Value> at(ivs.drop_back(2));
          at.push_back(e.select(valid, n, e.c(0)));
          at.push_back(e.select(valid, k, e.c(0)));
          Value code = e.toI32(tensor::ExtractOp::create(nb, l, codes, at));
          code = e.select(valid, code, e.i32(0));
          Value low = e.shl(e.andi(code, e.i32(1)), e.i32(r));
          Value high = e.shl(e.andi(code, e.i32(2)), e.i32(3 + r));
          word = e.ori(word, e.ori(low, high));
        }
        return e.fromI32(word, type.getElementType(), /*isSigned=*/false);
      });
}

} // namespace

/// Quads per 64-byte vector of the one-plane kinds (int8, int4, int2).
static int64_t quadsPerVector(const numerics::PackFormat &format) {
  return numerics::panelUnitDepth(format) / numerics::kPanelQuad;
}

Value lowbit::lowerPanelUnpack(OpBuilder &b, Location loc, UnpackOp op,
                               Value packed) {
  RankedTensorType type = op.getType();
  numerics::PackFormat format = op.getLayout().getPackFormat();
  if (format.kind == numerics::PackKind::Int2Planes)
    return unpackBitPlanes(b, loc, op, packed);
  if (format.kind == numerics::PackKind::RadixPanel)
    return lowerRadixPanelUnpack(b, loc, op, packed);
  bool int3 = format.kind == numerics::PackKind::Int3Panel;
  unsigned bits = numerics::bitsPerCode(format);
  int64_t perVector = quadsPerVector(format);
  bool signedCodes = op.getSignedCodes();
  int64_t rank = type.getRank();
  return buildFromIndices(
      b, loc, type, [&](OpBuilder &nb, Location l, ArrayRef<Value> ivs) {
        IndexMath e{nb, l};
        Value n = ivs[rank - 2], k = ivs[rank - 1];
        // panelPosition: lane 4 * (n % 16) + k % 4 of the vector holding
        // quad k / 4 of panel n / 16, at the quad's bits.
        Value lane = e.add(e.mul(e.rem(n, numerics::kPanelRows), 4),
                           e.rem(k, numerics::kPanelQuad));
        Value quad = e.div(k, numerics::kPanelQuad);
        SmallVector<Value> at(ivs.drop_back(2));
        at.push_back(e.div(n, numerics::kPanelRows));
        auto byteAt = [&](Value offset) {
          SmallVector<Value> indices(at);
          indices.push_back(offset);
          return e.toI32(tensor::ExtractOp::create(nb, l, packed, indices));
        };
        Value pattern;
        if (!int3) {
          Value byte = byteAt(e.add(e.mul(e.div(quad, perVector), 64), lane));
          pattern = byte;
          if (bits < 8) {
            Value shift = e.toI32(e.mul(e.rem(quad, perVector), bits));
            pattern = e.andi(e.shru(byte, shift), e.i32((1 << bits) - 1));
          }
        } else {
          // Low two bits in plane t / 4, bit 2 in plane 2 at bit t.
          Value unit = e.add(e.mul(e.div(quad, 8), 192), lane);
          Value t = e.rem(quad, 8);
          Value low = byteAt(e.add(unit, e.mul(e.div(t, 4), 64)));
          Value high = byteAt(e.add(unit, e.c(128)));
          Value lowBits =
              e.andi(e.shru(low, e.toI32(e.mul(e.rem(t, 4), 2))), e.i32(3));
          Value highBit = e.andi(e.shru(high, e.toI32(t)), e.i32(1));
          pattern = e.ori(lowBits, e.shl(highBit, e.i32(2)));
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
  if (format.kind == numerics::PackKind::Int2Planes)
    return packBitPlanes(b, loc, op, codes);
  if (format.kind == numerics::PackKind::RadixPanel)
    return lowerRadixPanelPack(b, loc, op, codes, rows, depth);
  bool int3 = format.kind == numerics::PackKind::Int3Panel;
  unsigned bits = numerics::bitsPerCode(format);
  int64_t perVector = quadsPerVector(format);
  int64_t rank = type.getRank();
  return buildFromIndices(
      b, loc, type, [&](OpBuilder &nb, Location l, ArrayRef<Value> ivs) {
        IndexMath e{nb, l};
        Value panel = ivs[rank - 2], byte = ivs[rank - 1];
        Value vector = e.div(byte, 64);
        Value lane = e.rem(byte, 64);
        Value n = e.add(e.mul(panel, numerics::kPanelRows), e.div(lane, 4));
        Value j = e.rem(lane, 4);
        // The pattern of code (n, 4 * quad + j), 0 past the codes.
        auto codeAt = [&](Value quad) -> Value {
          Value k = e.add(e.mul(quad, numerics::kPanelQuad), j);
          Value valid =
              arith::AndIOp::create(nb, l, e.ult(n, rows), e.ult(k, depth));
          SmallVector<Value> at(ivs.drop_back(2));
          at.push_back(e.select(valid, n, e.c(0)));
          at.push_back(e.select(valid, k, e.c(0)));
          Value code = e.toI32(tensor::ExtractOp::create(nb, l, codes, at));
          Value pattern = e.andi(code, e.i32((int64_t(1) << bits) - 1));
          return e.select(valid, pattern, e.i32(0));
        };
        // Fields [i * width, (i + 1) * width) of the byte: `field(i)`.
        auto orFields = [&](int64_t count, int64_t width,
                            function_ref<Value(int64_t)> field) {
          Value word = e.i32(0);
          for (int64_t i = 0; i < count; ++i)
            word = e.ori(word, e.shl(field(i), e.i32(i * width)));
          return word;
        };
        Value word;
        if (!int3) {
          word = orFields(perVector, bits, [&](int64_t i) {
            return codeAt(e.add(e.mul(vector, perVector), e.c(i)));
          });
        } else {
          // Vector 3u + p of the panel: the low bits of quads 8u + 4p + i
          // (p < 2), or bit 2 of quads 8u + i (p = 2).
          Value unit = e.mul(e.div(vector, 3), 8);
          Value plane = e.rem(vector, 3);
          Value lowQuads = e.add(unit, e.mul(e.rem(plane, 2), 4));
          Value low = orFields(4, 2, [&](int64_t i) {
            return e.andi(codeAt(e.add(lowQuads, e.c(i))), e.i32(3));
          });
          Value high = orFields(8, 1, [&](int64_t i) {
            return e.shru(codeAt(e.add(unit, e.c(i))), e.i32(2));
          });
          word = e.select(e.ult(plane, 2), low, high);
        }
        return e.fromI32(word, type.getElementType(), /*isSigned=*/false);
      });
}

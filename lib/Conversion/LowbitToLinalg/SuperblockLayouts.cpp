//===- SuperblockLayouts.cpp - radix superblocks to linalg ----------------===//
//
// Restates numerics::getSuperblockSegments for a static row length K: with
// n digits per word and groups of g, F = K / (n g) full superblocks of g
// words, then a tail of W_t = ceil((K - F n g) / n) words. Code c lies in
// segment s = c / (n g) at position p = c - s n g; the segment's words are
// W = g (full) or W_t (tail) wide, so the code is digit p / W of word
// s g + p % W.
//
//===----------------------------------------------------------------------===//

#include "SuperblockLayouts.h"
#include "IndexMath.h"
#include "LoweringUtils.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::layout_lowering;

namespace {

/// The static geometry of rows of `rowLength` codes.
struct RowGeometry {
  int64_t n, g, full, tailWords, tailGroups;

  RowGeometry(const numerics::SuperblockFormat &format, int64_t rowLength)
      : n(numerics::digitsPerWord(format.radix)), g(format.groupSize),
        full(rowLength / (n * g)) {
    int64_t tail = rowLength - full * n * g;
    tailWords = llvm::divideCeil(tail, n);
    tailGroups = llvm::divideCeil(tail, g);
  }

  /// The width in words of segment `segment` (g, or W_t for the tail; 1
  /// stands in for an empty tail, which no index reaches).
  Value segmentWords(IndexMath &e, Value segment) const {
    return e.select(e.ult(segment, full), e.c(g),
                    e.c(std::max<int64_t>(tailWords, 1)));
  }
};

/// The rows' leading indices followed by `last`.
SmallVector<Value> rowIndices(ArrayRef<Value> ivs, Value last) {
  SmallVector<Value> at(ivs.drop_back());
  at.push_back(last);
  return at;
}

} // namespace

Value lowbit::lowerSuperblockUnpack(OpBuilder &b, Location loc, UnpackOp op,
                                    Value packed) {
  RankedTensorType type = op.getType();
  numerics::PackFormat format = op.getLayout().getPackFormat();
  RowGeometry geo(numerics::getSuperblockFormat(format),
                  type.getShape().back());
  Value powers = lowbit_to_linalg::intTable(
      b, loc, b.getI32Type(), lowbit_to_linalg::radixPowers(format.radix));
  return buildFromIndices(
      b, loc, type, [&](OpBuilder &nb, Location l, ArrayRef<Value> ivs) {
        IndexMath e{nb, l};
        Value c = ivs.back();
        Value segment = e.div(c, geo.n * geo.g);
        Value p = e.sub(c, e.mul(segment, geo.n * geo.g));
        Value width = geo.segmentWords(e, segment);
        Value word = e.add(e.mul(segment, geo.g), e.remu(p, width));
        Value digit = e.divu(p, width);
        // digit i = ((uint64)(uint32)(q * R^i) * R) >> 32 (Packing.h).
        Value q =
            tensor::ExtractOp::create(nb, l, packed, rowIndices(ivs, word));
        Value power =
            tensor::ExtractOp::create(nb, l, powers, ValueRange{digit});
        Value scaled = arith::MulIOp::create(nb, l, q, power);
        Type i64 = nb.getI64Type();
        Value wide = arith::ExtUIOp::create(nb, l, i64, scaled);
        Value radix = arith::ConstantIntOp::create(nb, l, i64, format.radix);
        Value product = arith::MulIOp::create(nb, l, wide, radix);
        Value shifted = arith::ShRUIOp::create(
            nb, l, product, arith::ConstantIntOp::create(nb, l, i64, 32));
        return e.fromI32(e.toI32(shifted), type.getElementType(),
                         /*isSigned=*/false);
      });
}

Value lowbit::lowerSuperblockPack(OpBuilder &b, Location loc, PackOp op,
                                  Value codes) {
  RankedTensorType type = op.getType();
  numerics::PackFormat format = op.getLayout().getPackFormat();
  int64_t rowLength = op.getInput().getType().getShape().back();
  RowGeometry geo(numerics::getSuperblockFormat(format), rowLength);
  uint64_t modulus = numerics::radixWordModulus(format.radix);
  return buildFromIndices(
      b, loc, type, [&](OpBuilder &nb, Location l, ArrayRef<Value> ivs) {
        IndexMath e{nb, l};
        Type i64 = nb.getI64Type();
        auto i64Const = [&](int64_t v) {
          return arith::ConstantIntOp::create(nb, l, i64, v);
        };
        Value w = ivs.back();
        Value segment = e.div(w, geo.g);
        Value width = geo.segmentWords(e, segment);
        Value first = e.add(e.mul(segment, geo.n * geo.g),
                            e.sub(w, e.mul(segment, geo.g)));
        // v = sum c_i R^(n-1-i) (Horner, digit 0 first), 0 past the row.
        Value v;
        for (int64_t i = 0; i < geo.n; ++i) {
          Value c = i == 0 ? first
                           : e.add(first,
                                   arith::MulIOp::create(nb, l, width, e.c(i)));
          Value valid = e.ult(c, rowLength);
          Value code = tensor::ExtractOp::create(
              nb, l, codes, rowIndices(ivs, e.select(valid, c, e.c(0))));
          Value digit = arith::ExtUIOp::create(
              nb, l, i64, e.select(valid, e.toI32(code), e.i32(0)));
          v = i == 0
                  ? digit
                  : arith::AddIOp::create(
                        nb, l,
                        arith::MulIOp::create(nb, l, v, i64Const(format.radix)),
                        digit);
        }
        // q = ceil(v 2^32 / N)
        Value numerator = arith::AddIOp::create(
            nb, l, arith::ShLIOp::create(nb, l, v, i64Const(32)),
            i64Const(int64_t(modulus - 1)));
        Value q = arith::DivUIOp::create(nb, l, numerator,
                                         i64Const(int64_t(modulus)));
        return e.fromI32(e.toI32(q), type.getElementType(), /*isSigned=*/false);
      });
}

std::pair<Value, Value>
lowbit::decodeSuperblockParams(OpBuilder &b, Location loc, SchemeAttr scheme,
                               int64_t rowLength, Value params) {
  auto paramsType = cast<RankedTensorType>(params.getType());
  numerics::SuperblockFormat format = getSuperblockFormat(scheme);
  RowGeometry geo(format, rowLength);
  SmallVector<int64_t> shape(paramsType.getShape());
  shape.back() = llvm::divideCeil(rowLength, geo.g);
  auto type = RankedTensorType::get(shape, b.getF32Type());
  // Segment bytes: d (f16), e (f16), r scale codes (u8), r min codes (i8).
  auto build = [&](bool mins) {
    return buildFromIndices(
        b, loc, type,
        [&](OpBuilder &nb, Location l, ArrayRef<Value> ivs) -> Value {
          IndexMath e{nb, l};
          Value j = ivs.back();
          Value segment = e.div(j, geo.n);
          Value inSegment = e.sub(j, e.mul(segment, geo.n));
          Value groups = e.select(e.ult(segment, geo.full), e.c(geo.n),
                                  e.c(geo.tailGroups));
          Value base = e.mul(segment, 4 + 2 * geo.n);
          auto byteAt = [&](Value offset) -> Value {
            return tensor::ExtractOp::create(
                nb, l, params, rowIndices(ivs, e.add(base, offset)));
          };
          // The little-endian fp16 factor at bytes [2f, 2f + 2).
          Type i16 = nb.getI16Type();
          Value lo =
              arith::ExtUIOp::create(nb, l, i16, byteAt(e.c(mins ? 2 : 0)));
          Value hi =
              arith::ExtUIOp::create(nb, l, i16, byteAt(e.c(mins ? 3 : 1)));
          Value bits = arith::OrIOp::create(
              nb, l, lo,
              arith::ShLIOp::create(
                  nb, l, hi, arith::ConstantIntOp::create(nb, l, i16, 8)));
          Value factor = arith::ExtFOp::create(
              nb, l, nb.getF32Type(),
              Value(arith::BitcastOp::create(nb, l, nb.getF16Type(), bits)));
          Value offset = e.add(e.c(4), inSegment);
          if (mins)
            offset = e.add(offset, groups);
          Value code = byteAt(offset);
          Value value =
              mins
                  ? Value(arith::SIToFPOp::create(nb, l, nb.getF32Type(), code))
                  : Value(
                        arith::UIToFPOp::create(nb, l, nb.getF32Type(), code));
          return Value(arith::MulFOp::create(nb, l, value, factor));
        });
  };
  return {build(/*mins=*/false), build(/*mins=*/true)};
}

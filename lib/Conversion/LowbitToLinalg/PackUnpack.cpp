//===- PackUnpack.cpp - lowbit.pack / lowbit.unpack to linalg -------------===//
//
// lowbit.unpack and lowbit.pack as linalg.generic ops that restate the
// numerics library's packing (include/lowbit/Numerics/Packing.h): byte
// layouts elementwise over their units, the others one code (or one unit)
// per element; panel and radix_superblock layouts in PanelLayouts.cpp and
// SuperblockLayouts.cpp.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "PanelLayouts.h"
#include "SuperblockLayouts.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::lowbit_to_linalg;

namespace {

//===----------------------------------------------------------------------===//
// unpack
//===----------------------------------------------------------------------===//

/// Emits the code at row position `c` (index) of the packed row selected by
/// `leading` (the leading indices) as an i32: the bit pattern, or the radix
/// digit. `radixPowerTable` holds R^i for radix layouts.
Value emitReadCode(Emitter &e, const PackGeometry &g, Value packed,
                   ArrayRef<Value> leading, Value c, Value radixPowerTable) {
  const numerics::PackFormat &f = g.format;
  // Position in the block and first unit of the block.
  Value k = c, base;
  if (f.block > 0)
    std::tie(base, k) = e.splitAtBlocks(c, f.block, g.unitsPerBlock);
  auto unitAt = [&](Value offset) {
    return base ? e.add(base, offset) : offset;
  };
  auto readUnit = [&](Value unit) {
    SmallVector<Value> indices(leading);
    indices.push_back(unit);
    return e.toI32(e.extract(packed, indices), /*isSigned=*/false);
  };

  switch (f.kind) {
  case numerics::PackKind::Int8:
    return readUnit(unitAt(k));
  case numerics::PackKind::Int4:
  case numerics::PackKind::Int2:
  case numerics::PackKind::Int3: {
    int64_t perUnit = g.codesPerUnit;
    Value slots = e.index(perUnit);
    Value word = readUnit(unitAt(e.divu(k, slots)));
    Value shift = e.indexToI32(e.mul(e.remu(k, slots), e.index(g.codeBits)));
    Value mask = e.i32Const((1 << g.codeBits) - 1);
    return e.andi(e.shru(word, shift), mask);
  }
  case numerics::PackKind::Int4Interleaved: {
    // Byte j < H holds code j (low nibble) and code j + H (high nibble).
    Value half = e.index(f.block / 2);
    Value word = readUnit(unitAt(e.remu(k, half)));
    Value shift = e.indexToI32(e.mul(e.divu(k, half), e.index(4)));
    return e.andi(e.shru(word, shift), e.i32Const(0xF));
  }
  case numerics::PackKind::Radix: {
    // digit i = ((uint64)(uint32)(q * R^i) * R) >> 32
    Value digits = e.index(g.codesPerUnit);
    Value q = readUnit(unitAt(e.divu(k, digits)));
    Value i = e.remu(k, digits);
    Value power = e.extract(radixPowerTable, {i});
    Value scaled = e.mul(q, power); // i32, wraps: mod 2^32
    Value wide = e.castInt(scaled, e.i64(), /*isSigned=*/false);
    Value product = e.mul(wide, e.i64Const(f.radix));
    Value digit = e.shru(product, e.i64Const(32));
    return e.castInt(digit, e.i32(), /*isSigned=*/false);
  }
  case numerics::PackKind::RadixFields: {
    // Slot i: digit i mod 4 of the 14-bit field at bit 14 (i / 4) (the
    // ninth slot: the top nibble, alone).
    Value slots = e.index(numerics::kRadixFieldCodes);
    Value word = readUnit(unitAt(e.divu(k, slots)));
    Value i = e.remu(k, slots);
    Value shift = e.indexToI32(
        e.mul(e.divu(i, e.index(4)), e.index(numerics::kRadixFieldBits)));
    Value field =
        e.andi(e.shru(word, shift),
               e.i32Const((int64_t(1) << numerics::kRadixFieldBits) - 1));
    Value power = e.extract(radixPowerTable, {e.remu(i, e.index(4))});
    return e.remu(e.divu(field, power), e.i32Const(f.radix));
  }
  default: // lowerPanelUnpack, lowerSuperblockUnpack
    llvm_unreachable("panel layouts do not pack rows");
  }
}

/// Unpacks byte layouts whose units hold whole codes in order (int8, int4,
/// int2 with blocks of whole units, and interleaved int4) as one elementwise
/// linalg.generic over [..., units, slots] (interleaved: [..., blocks, 2,
/// block / 2]) reading each byte once per slot: no gathers, so it
/// vectorizes. Returns null for other layouts and dynamic shapes.
Value unpackBytesElementwise(OpBuilder &b, Location loc, UnpackOp op,
                             Value packed, const PackGeometry &g) {
  RankedTensorType type = op.getType();
  auto packedType = cast<RankedTensorType>(packed.getType());
  const numerics::PackFormat &f = g.format;
  bool interleaved = f.kind == numerics::PackKind::Int4Interleaved;
  if (g.unitBits != 8 || !type.hasStaticShape() ||
      !packedType.hasStaticShape() || f.kind == numerics::PackKind::Int3 ||
      f.kind == numerics::PackKind::Radix ||
      (!interleaved && f.block > 0 && f.block % g.codesPerUnit != 0))
    return {};
  int64_t rank = type.getRank();
  ArrayRef<int64_t> lead = type.getShape().drop_back();
  int64_t units = packedType.getShape().back();
  int64_t rowLength = type.getShape().back();
  MLIRContext *ctx = b.getContext();
  // The iteration space after the leading dimensions, and the unit of a
  // point of it as an affine expression.
  SmallVector<int64_t> tail;
  SmallVector<AffineExpr> inputExprs;
  for (int64_t d = 0; d + 1 < rank; ++d)
    inputExprs.push_back(getAffineDimExpr(d, ctx));
  AffineExpr slot;
  if (interleaved) {
    int64_t half = f.block / 2;
    tail = {units / half, 2, half};
    AffineExpr blk = getAffineDimExpr(rank - 1, ctx);
    AffineExpr j = getAffineDimExpr(rank + 1, ctx);
    inputExprs.push_back(blk * half + j);
    slot = getAffineDimExpr(rank, ctx);
  } else {
    tail = {units, g.codesPerUnit};
    inputExprs.push_back(getAffineDimExpr(rank - 1, ctx));
    slot = getAffineDimExpr(rank, ctx);
  }
  int64_t loops = rank - 1 + int64_t(tail.size());
  SmallVector<int64_t> wideShape(lead.begin(), lead.end());
  llvm::append_range(wideShape, tail);
  auto wideType = RankedTensorType::get(wideShape, type.getElementType());
  Value init =
      tensor::EmptyOp::create(b, loc, wideShape, type.getElementType());
  AffineMap inputMap = AffineMap::get(loops, 0, inputExprs, ctx);
  AffineMap outputMap = AffineMap::getMultiDimIdentityMap(loops, ctx);
  int64_t slotDim = cast<AffineDimExpr>(slot).getPosition();
  unsigned bits = g.codeBits;
  bool signedCodes = op.getSignedCodes();
  Value wide =
      linalg::GenericOp::create(
          b, loc, TypeRange{wideType}, ValueRange{packed}, ValueRange{init},
          ArrayRef<AffineMap>{inputMap, outputMap},
          SmallVector<utils::IteratorType>(loops,
                                           utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Emitter e{nb, l};
            Value unit = e.castInt(args[0], e.i32(), /*isSigned=*/false);
            Value s = arith::IndexCastUIOp::create(
                nb, l, e.i32(), linalg::IndexOp::create(nb, l, slotDim));
            Value shift = e.mul(s, e.i32Const(bits));
            Value pattern = e.andi(e.shru(unit, shift),
                                   e.i32Const((int64_t(1) << bits) - 1));
            Value value =
                signedCodes ? e.signExtendLow(pattern, bits) : pattern;
            linalg::YieldOp::create(
                nb, l, e.castInt(value, type.getElementType(), signedCodes));
          })
          .getResult(0);
  // [..., tail...] -> [..., codes of the padded row] -> [..., rowLength].
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d + 1 < rank; ++d)
    groups.push_back({d});
  ReassociationIndices last;
  for (int64_t d = rank - 1; d < loops; ++d)
    last.push_back(d);
  groups.push_back(last);
  Value rows = tensor::CollapseShapeOp::create(b, loc, wide, groups);
  int64_t padded = cast<RankedTensorType>(rows.getType()).getShape().back();
  if (padded == rowLength)
    return rows;
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes, strides(rank, b.getIndexAttr(1));
  for (int64_t dim : type.getShape())
    sizes.push_back(b.getIndexAttr(dim));
  Value slice = tensor::ExtractSliceOp::create(b, loc, type, rows, offsets,
                                               sizes, strides);
  // Copied into a tensor of its own so that no strided buffer escapes (a
  // strided memref.copy would need the MLIR runtime's memrefCopy).
  Value dense =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  return linalg::CopyOp::create(b, loc, slice, dense).getResult(0);
}

/// lowbit.unpack: panel and radix_superblock layouts by their own lowerings,
/// byte layouts elementwise over their units where they can, the others one
/// code per element.
Value lowerUnpack(UnpackOp op, UnpackOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter, Location loc,
                  RankedTensorType type) {
  Value packed = adaptor.getInput();
  PackGeometry g(op.getLayout());
  bool signedCodes = op.getSignedCodes();
  int64_t rank = type.getRank();

  if (op.getLayout().isPanel())
    return lowerPanelUnpack(rewriter, loc, op, packed);
  if (op.getLayout().getKind() == LayoutKind::RadixSuperblock)
    return lowerSuperblockUnpack(rewriter, loc, op, packed);
  if (Value result = unpackBytesElementwise(rewriter, loc, op, packed, g))
    return result;

  Value powers;
  if (g.format.kind == numerics::PackKind::Radix ||
      g.format.kind == numerics::PackKind::RadixFields)
    powers = intTable(rewriter, loc, rewriter.getI32Type(),
                      radixPowers(g.format.radix));
  // Leading dimensions are those of the packed storage.
  Value init = emptyTensor(rewriter, loc, type, [&](int64_t d) -> Value {
    return tensor::DimOp::create(rewriter, loc, packed, d);
  });
  return buildFromIndices(
      rewriter, loc, init, [&](Emitter &e, LoopIndices &ivs) -> Value {
        SmallVector<Value> leading = ivs.leading();
        Value pattern =
            emitReadCode(e, g, packed, leading, ivs[rank - 1], powers);
        Type elementType = type.getElementType();
        if (!signedCodes)
          return e.castInt(pattern, elementType, /*isSigned=*/false);
        return e.castInt(e.signExtendLow(pattern, g.codeBits), elementType,
                         /*isSigned=*/true);
      });
}

//===----------------------------------------------------------------------===//
// pack
//===----------------------------------------------------------------------===//

/// lowbit.pack: panel and radix_superblock layouts by their own lowerings,
/// the others one unit per element.
Value lowerPack(PackOp op, PackOp::Adaptor adaptor,
                ConversionPatternRewriter &rewriter, Location loc,
                RankedTensorType type) {
  Value codes = adaptor.getInput();
  if (op.getLayout().isPanel())
    return lowerPanelPack(rewriter, loc, op, codes);
  if (op.getLayout().getKind() == LayoutKind::RadixSuperblock)
    return lowerSuperblockPack(rewriter, loc, op, codes);
  int64_t rowLength = op.getInput().getType().getShape().back();
  PackGeometry g(op.getLayout());
  const numerics::PackFormat &f = g.format;
  int64_t rank = type.getRank();

  Value init = emptyTensor(rewriter, loc, type, [&](int64_t d) -> Value {
    if (d == rank - 1)
      return arith::ConstantIndexOp::create(
          rewriter, loc, numerics::packedUnitsPerRow(f, rowLength));
    return tensor::DimOp::create(rewriter, loc, codes, d);
  });
  return buildFromIndices(
      rewriter, loc, init, [&](Emitter &e, LoopIndices &ivs) -> Value {
        SmallVector<Value> indices = ivs.leading();
        indices.push_back(Value());
        Value u = ivs[rank - 1];
        // Unit j of block `blk` (whole row: blk = 0, j = u).
        Value j = u, first;
        if (f.block > 0)
          std::tie(first, j) = e.splitAtBlocks(u, g.unitsPerBlock, f.block);
        Value mask = e.i32Const((int64_t(1) << g.codeBits) - 1);
        // The pattern of code k of the block (0 past the row or block).
        auto codeAt = [&](Value k) -> Value {
          Value c = first ? e.add(first, k) : k;
          Value valid =
              e.cmpi(arith::CmpIPredicate::ult, c, e.index(rowLength));
          if (f.block > 0 && f.kind != numerics::PackKind::Int4Interleaved &&
              g.unitsPerBlock * g.codesPerUnit != f.block)
            valid = e.andi(
                valid, e.cmpi(arith::CmpIPredicate::ult, k, e.index(f.block)));
          indices.back() = e.select(valid, c, e.index(0));
          Value code = e.extract(codes, indices);
          Value pattern = e.andi(e.toI32(code, /*isSigned=*/false), mask);
          return e.select(valid, pattern, e.i32Const(0));
        };

        Value word;
        switch (f.kind) {
        case numerics::PackKind::Int8:
        case numerics::PackKind::Int4:
        case numerics::PackKind::Int2:
        case numerics::PackKind::Int3: {
          Value k0 = e.mul(j, e.index(g.codesPerUnit));
          word = e.i32Const(0);
          for (int64_t s = 0; s < g.codesPerUnit; ++s) {
            Value k = s == 0 ? k0 : e.add(k0, e.index(s));
            Value pattern = codeAt(k);
            if (s > 0)
              pattern = e.shl(pattern, e.i32Const(s * g.codeBits));
            word = s == 0 ? pattern : e.ori(word, pattern);
          }
          break;
        }
        case numerics::PackKind::Int4Interleaved: {
          Value low = codeAt(j);
          Value high = codeAt(e.add(j, e.index(f.block / 2)));
          word = e.ori(low, e.shl(high, e.i32Const(4)));
          break;
        }
        case numerics::PackKind::Radix: {
          // v = sum c_i R^(n-1-i) (Horner, c_0 first); q = ceil(v 2^32 / N).
          Value k0 = e.mul(j, e.index(g.codesPerUnit));
          Value radix = e.i64Const(f.radix);
          Value v;
          for (int64_t s = 0; s < g.codesPerUnit; ++s) {
            Value k = s == 0 ? k0 : e.add(k0, e.index(s));
            Value digit = e.castInt(codeAt(k), e.i64(), /*isSigned=*/false);
            v = s == 0 ? digit : e.add(e.mul(v, radix), digit);
          }
          uint64_t modulus = numerics::radixWordModulus(f.radix);
          Value numerator =
              e.add(e.shl(v, e.i64Const(32)), e.i64Const(int64_t(modulus - 1)));
          Value q = e.divu(numerator, e.i64Const(int64_t(modulus)));
          word = e.castInt(q, e.i32(), /*isSigned=*/false);
          break;
        }
        case numerics::PackKind::RadixFields: {
          // sum_s c_s R^(s mod 4) 2^(14 (s / 4)), mod 2^32 (no carries: each
          // field stays below R^4 <= 2^14).
          Value k0 = e.mul(j, e.index(g.codesPerUnit));
          int64_t power = 1;
          for (int64_t s = 0; s < g.codesPerUnit; ++s) {
            power = s % 4 == 0 ? 1 : power * f.radix;
            Value k = s == 0 ? k0 : e.add(k0, e.index(s));
            Value term = e.mul(
                codeAt(k),
                e.i32Const(power << (numerics::kRadixFieldBits * (s / 4))));
            word = s == 0 ? term : e.add(word, term);
          }
          break;
        }
        default:
          llvm_unreachable("packed by lowerPanelPack / lowerSuperblockPack");
        }
        return e.castInt(word, type.getElementType(), /*isSigned=*/false);
      });
}

} // namespace

void lowbit::lowbit_to_linalg::populatePackUnpackPatterns(
    RewritePatternSet &patterns) {
  patterns.add<OneResultPattern<UnpackOp, lowerUnpack>,
               OneResultPattern<PackOp, lowerPack>>(patterns.getContext());
}

//===- LowbitToLinalg.cpp - lowbit ops to linalg on tensors ---------------===//
//
// Lowers every lowbit op to linalg / tensor / arith / math (scf for large
// codebooks). The arithmetic restates the numerics library
// (include/lowbit/Numerics/Quantize.h and Packing.h) operation for operation:
// IEEE f32, the same order, no fast-math flags. Tables (normalized levels,
// codebooks, midpoints) come from numerics::Quantizer itself, so they are the
// very floats the library uses.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/LowbitToLinalg/LowbitToLinalg.h"
#include "PanelLayouts.h"
#include "SuperblockLayouts.h"
#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace lowbit {
#define GEN_PASS_DEF_CONVERTLOWBITTOLINALG
#include "lowbit/Conversion/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

//===----------------------------------------------------------------------===//
// Emission helpers
//===----------------------------------------------------------------------===//

namespace {

/// Scalar emission at one location.
struct Emitter {
  OpBuilder &b;
  Location loc;

  Type i32() { return b.getI32Type(); }
  Type i64() { return b.getI64Type(); }
  FloatType f32() { return b.getF32Type(); }

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value intConst(Type type, int64_t v) {
    return arith::ConstantIntOp::create(b, loc, type, v);
  }
  Value i32Const(int64_t v) { return intConst(i32(), v); }
  Value i64Const(int64_t v) { return intConst(i64(), v); }
  Value f32Const(float v) {
    return arith::ConstantFloatOp::create(b, loc, f32(), APFloat(v));
  }

  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value divu(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value remu(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value shru(Value x, Value y) { return arith::ShRUIOp::create(b, loc, x, y); }
  Value shrs(Value x, Value y) { return arith::ShRSIOp::create(b, loc, x, y); }
  Value shl(Value x, Value y) { return arith::ShLIOp::create(b, loc, x, y); }
  Value andi(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value ori(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value xori(Value x, Value y) { return arith::XOrIOp::create(b, loc, x, y); }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value cmpi(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value cmpf(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value addf(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value subf(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mulf(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value divf(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value sitofp(Value x) { return arith::SIToFPOp::create(b, loc, f32(), x); }
  Value fptosi(Value x) { return arith::FPToSIOp::create(b, loc, i32(), x); }
  Value indexCast(Value x) {
    return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), x);
  }
  Value indexToI32(Value x) {
    return arith::IndexCastUIOp::create(b, loc, i32(), x);
  }
  Value extract(Value tensor, ValueRange indices) {
    return tensor::ExtractOp::create(b, loc, tensor, indices);
  }

  /// Any float to f32 (extension is exact; f64 is rounded once).
  Value toF32(Value v) {
    auto type = cast<FloatType>(v.getType());
    if (type == f32())
      return v;
    if (type.getWidth() < 32)
      return arith::ExtFOp::create(b, loc, f32(), v);
    return arith::TruncFOp::create(b, loc, f32(), v);
  }
  /// A float to another float type (rounding once when narrowing).
  Value castFloat(Value v, Type to) {
    auto from = cast<FloatType>(v.getType());
    if (from == to)
      return v;
    if (from.getWidth() < cast<FloatType>(to).getWidth())
      return arith::ExtFOp::create(b, loc, to, v);
    return arith::TruncFOp::create(b, loc, to, v);
  }
  /// An integer to i32, sign- or zero-extending narrower types (wider types
  /// keep their low 32 bits).
  Value toI32(Value v, bool isSigned) { return castInt(v, i32(), isSigned); }
  /// An integer to another integer type: extension by `isSigned`, or
  /// truncation.
  Value castInt(Value v, Type to, bool isSigned) {
    unsigned from = v.getType().getIntOrFloatBitWidth();
    unsigned width = to.getIntOrFloatBitWidth();
    if (from == width)
      return v;
    if (from > width)
      return arith::TruncIOp::create(b, loc, to, v);
    if (isSigned)
      return arith::ExtSIOp::create(b, loc, to, v);
    return arith::ExtUIOp::create(b, loc, to, v);
  }
  /// Looks up table[min(k, size - 1)] for an i32 index k read as unsigned,
  /// so that an out-of-range code (poison by the op semantics) never reads
  /// outside the table.
  Value lookup(Value table, int64_t size, Value k) {
    Value clamped = arith::MinUIOp::create(b, loc, k, i32Const(size - 1));
    return extract(table, {indexCast(clamped)});
  }
};

/// The `linalg.index` values of a generic body, created on first use.
struct LoopIndices {
  OpBuilder &b;
  Location loc;
  SmallVector<Value> values;
  LoopIndices(OpBuilder &b, Location loc, int64_t rank)
      : b(b), loc(loc), values(rank) {}
  Value operator[](int64_t dim) {
    if (!values[dim])
      values[dim] = linalg::IndexOp::create(b, loc, dim);
    return values[dim];
  }
};

/// A constant rank-1 tensor of f32 values.
Value f32Table(OpBuilder &b, Location loc, ArrayRef<float> values) {
  auto type = RankedTensorType::get({int64_t(values.size())}, b.getF32Type());
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, values));
}

/// A constant rank-1 tensor of integers of `elementType`.
Value intTable(OpBuilder &b, Location loc, Type elementType,
               ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({int64_t(values.size())}, elementType);
  SmallVector<APInt> bits;
  for (int64_t v : values)
    bits.push_back(APInt(elementType.getIntOrFloatBitWidth(), uint64_t(v),
                         /*isSigned=*/true, /*implicitTrunc=*/true));
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, bits));
}

/// tensor.empty of `type`; dynamic dimension d is `dynamicDim(d)`.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  function_ref<Value(int64_t)> dynamicDim) {
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(dynamicDim(d));
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynamicSizes);
}

/// tensor.empty of `type` whose dynamic sizes are those of `like` (same
/// shape).
Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type, Value like) {
  return emptyTensor(b, loc, type, [&](int64_t d) -> Value {
    return tensor::DimOp::create(b, loc, like, d);
  });
}

using ElementBody =
    function_ref<Value(OpBuilder &, Location, LoopIndices &, ValueRange)>;

/// A parallel linalg.generic writing `init`; `inputs` have the result's
/// shape and identity maps. The body gets the loop indices and the block
/// arguments (inputs, then the output element) and returns the result
/// element.
Value buildElementwise(OpBuilder &b, Location loc, Value init,
                       ValueRange inputs, ElementBody body) {
  auto type = cast<RankedTensorType>(init.getType());
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps(inputs.size() + 1,
                              b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        LoopIndices ivs(nb, nloc, rank);
        Value result = body(nb, nloc, ivs, args);
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

//===----------------------------------------------------------------------===//
// Packing geometry (Packing.h)
//===----------------------------------------------------------------------===//

/// Where the codes of a row sit: per block of `block` codes (0: the whole
/// row), ceil(block / codesPerUnit) units.
struct PackGeometry {
  numerics::PackFormat format;
  int64_t codesPerUnit;
  int64_t unitsPerBlock; ///< 0 when the row is one block
  unsigned codeBits;
  unsigned unitBits;

  explicit PackGeometry(LayoutAttr layout)
      : format(layout.getPackFormat()),
        codesPerUnit(numerics::codesPerUnit(format)),
        unitsPerBlock(format.block > 0
                          ? llvm::divideCeil(format.block, codesPerUnit)
                          : 0),
        codeBits(numerics::bitsPerCode(format)),
        unitBits(numerics::unitBits(format)) {}
};

/// R^i mod 2^32 for i < digitsPerWord(R), as i32 bit patterns.
SmallVector<int64_t> radixPowers(unsigned radix) {
  SmallVector<int64_t> powers;
  uint64_t p = 1;
  for (unsigned i = 0, n = numerics::digitsPerWord(radix); i < n; ++i) {
    powers.push_back(int64_t(int32_t(uint32_t(p))));
    p = (p * radix) & 0xFFFFFFFFull;
  }
  return powers;
}

//===----------------------------------------------------------------------===//
// Unsupported cases
//===----------------------------------------------------------------------===//

/// Layouts lowered by a generic over the whole static storage.
bool hasWholeMatrixLayout(LayoutAttr layout) {
  return layout.isPanel() || layout.getKind() == LayoutKind::RadixSuperblock;
}

std::optional<std::string> unsupportedReason(Operation *op) {
  if (auto dequantize = dyn_cast<DequantizeOp>(op)) {
    if (isSuperblockParams(dequantize.getScales().getType()) &&
        !dequantize.getType().hasStaticShape())
      return std::string("cannot be lowered with dynamic shapes and "
                         "superblock parameters");
  } else if (auto unpack = dyn_cast<UnpackOp>(op)) {
    if (unpack.getType().isDynamicDim(unpack.getType().getRank() - 1))
      return std::string("cannot be lowered with a dynamic row length (the "
                         "last dimension of the codes must be static)");
    if (hasWholeMatrixLayout(unpack.getLayout()) &&
        (!unpack.getType().hasStaticShape() ||
         !unpack.getInput().getType().hasStaticShape()))
      return std::string("cannot be lowered with dynamic shapes under a "
                         "panel or radix_superblock layout");
  } else if (auto pack = dyn_cast<PackOp>(op)) {
    auto type = pack.getInput().getType();
    if (type.isDynamicDim(type.getRank() - 1))
      return std::string("cannot be lowered with a dynamic row length (the "
                         "last dimension of the codes must be static)");
    if (hasWholeMatrixLayout(pack.getLayout()) &&
        (!type.hasStaticShape() || !pack.getType().hasStaticShape()))
      return std::string("cannot be lowered with dynamic shapes under a "
                         "panel or radix_superblock layout");
  } else if (auto matmul = dyn_cast<MatmulOp>(op)) {
    if (matmul.getLayout().isPanel() && matmul.getType().isDynamicDim(1))
      return std::string("cannot be lowered with a dynamic N under a panel "
                         "layout (the result's last dimension must be "
                         "static)");
    if (matmul.getInput().getType().isDynamicDim(1))
      return std::string("cannot be lowered with a dynamic reduction size K "
                         "(the last dimension of the input must be static)");
    if (matmul.getDynamicInt8Activations())
      return std::string("has dynamic int8 activations, which only "
                         "lowbit-vectorize-matmul lowers (int8, "
                         "int4_interleaved, int3, int2, int2_planes or radix "
                         "weights)");
  }
  return std::nullopt;
}

template <typename OpT> struct LowbitPattern : public OpConversionPattern<OpT> {
  using OpConversionPattern<OpT>::OpConversionPattern;
  using OpAdaptor = typename OpConversionPattern<OpT>::OpAdaptor;

  LogicalResult
  matchAndRewrite(OpT op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const final {
    if (std::optional<std::string> reason = unsupportedReason(op))
      return rewriter.notifyMatchFailure(op, *reason);
    FailureOr<SmallVector<Value>> results = lower(op, adaptor, rewriter);
    if (failed(results))
      return failure();
    rewriter.replaceOp(op, *results);
    return success();
  }

  virtual FailureOr<SmallVector<Value>>
  lower(OpT op, OpAdaptor adaptor,
        ConversionPatternRewriter &rewriter) const = 0;
};

//===----------------------------------------------------------------------===//
// stats, packed_weight
//===----------------------------------------------------------------------===//

struct StatsLowering : public LowbitPattern<StatsOp> {
  using LowbitPattern::LowbitPattern;
  FailureOr<SmallVector<Value>>
  lower(StatsOp, OpAdaptor adaptor,
        ConversionPatternRewriter &) const override {
    return SmallVector<Value>{adaptor.getInput()};
  }
};

/// An observer left in the IR (calibration not run) is the identity.
struct ObserveLowering : public LowbitPattern<ObserveOp> {
  using LowbitPattern::LowbitPattern;
  FailureOr<SmallVector<Value>>
  lower(ObserveOp, OpAdaptor adaptor,
        ConversionPatternRewriter &) const override {
    return SmallVector<Value>{adaptor.getInput()};
  }
};

struct PackedWeightLowering : public LowbitPattern<PackedWeightOp> {
  using LowbitPattern::LowbitPattern;
  FailureOr<SmallVector<Value>>
  lower(PackedWeightOp op, OpAdaptor,
        ConversionPatternRewriter &rewriter) const override {
    SmallVector<Value> results;
    auto constant = [&](Attribute attr) {
      results.push_back(arith::ConstantOp::create(rewriter, op.getLoc(),
                                                  cast<TypedAttr>(attr)));
    };
    constant(op.getData());
    constant(op.getScales());
    if (std::optional<ElementsAttr> zeroPoints = op.getZeroPoints())
      constant(*zeroPoints);
    else if (std::optional<ElementsAttr> mins = op.getMins())
      constant(*mins);
    return results;
  }
};

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
  if (f.block > 0) {
    Value block = e.index(f.block);
    base = e.mul(e.divu(c, block), e.index(g.unitsPerBlock));
    k = e.remu(c, block);
  }
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
  case numerics::PackKind::Int8Panel:
  case numerics::PackKind::Int4Panel:
  case numerics::PackKind::Int2Planes:
  case numerics::PackKind::Int2Panel:
  case numerics::PackKind::Int3Panel:
  case numerics::PackKind::RadixSuperblock:
    break; // lowerPanelUnpack, lowerSuperblockUnpack
  }
  llvm_unreachable("panel layouts do not pack rows");
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
  Value init = tensor::EmptyOp::create(b, loc, wideShape,
                                       type.getElementType());
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
            Value value = pattern;
            if (signedCodes && bits < 32) { // (p ^ sign) - sign
              Value sign = e.i32Const(int64_t(1) << (bits - 1));
              value = e.sub(e.xori(pattern, sign), sign);
            }
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
  Value dense = tensor::EmptyOp::create(b, loc, type.getShape(),
                                        type.getElementType());
  return linalg::CopyOp::create(b, loc, slice, dense).getResult(0);
}

struct UnpackLowering : public LowbitPattern<UnpackOp> {
  using LowbitPattern::LowbitPattern;
  FailureOr<SmallVector<Value>>
  lower(UnpackOp op, OpAdaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value packed = adaptor.getInput();
    PackGeometry g(op.getLayout());
    bool signedCodes = op.getSignedCodes();
    int64_t rank = type.getRank();

    if (op.getLayout().isPanel())
      return SmallVector<Value>{lowerPanelUnpack(rewriter, loc, op, packed)};
    if (op.getLayout().getKind() == LayoutKind::RadixSuperblock)
      return SmallVector<Value>{
          lowerSuperblockUnpack(rewriter, loc, op, packed)};
    if (Value result = unpackBytesElementwise(rewriter, loc, op, packed, g))
      return SmallVector<Value>{result};

    Value powers;
    if (g.format.kind == numerics::PackKind::Radix)
      powers = intTable(rewriter, loc, rewriter.getI32Type(),
                        radixPowers(g.format.radix));
    // Leading dimensions are those of the packed storage.
    Value init = emptyTensor(rewriter, loc, type, [&](int64_t d) -> Value {
      return tensor::DimOp::create(rewriter, loc, packed, d);
    });
    Value result = buildElementwise(
        rewriter, loc, init, {},
        [&](OpBuilder &b, Location l, LoopIndices &ivs, ValueRange) -> Value {
          Emitter e{b, l};
          SmallVector<Value> leading;
          for (int64_t d = 0; d + 1 < rank; ++d)
            leading.push_back(ivs[d]);
          Value pattern =
              emitReadCode(e, g, packed, leading, ivs[rank - 1], powers);
          Type elementType = type.getElementType();
          if (!signedCodes)
            return e.castInt(pattern, elementType, /*isSigned=*/false);
          // Sign-extend the low codeBits bits: (p ^ sign) - sign.
          Value value = pattern;
          if (g.codeBits < 32) {
            Value sign = e.i32Const(int64_t(1) << (g.codeBits - 1));
            value = e.sub(e.xori(pattern, sign), sign);
          }
          return e.castInt(value, elementType, /*isSigned=*/true);
        });
    return SmallVector<Value>{result};
  }
};

//===----------------------------------------------------------------------===//
// pack
//===----------------------------------------------------------------------===//

struct PackLowering : public LowbitPattern<PackOp> {
  using LowbitPattern::LowbitPattern;
  FailureOr<SmallVector<Value>>
  lower(PackOp op, OpAdaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value codes = adaptor.getInput();
    if (op.getLayout().isPanel())
      return SmallVector<Value>{lowerPanelPack(rewriter, loc, op, codes)};
    if (op.getLayout().getKind() == LayoutKind::RadixSuperblock)
      return SmallVector<Value>{lowerSuperblockPack(rewriter, loc, op, codes)};
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
    Value result = buildElementwise(
        rewriter, loc, init, {},
        [&](OpBuilder &b, Location l, LoopIndices &ivs, ValueRange) -> Value {
          Emitter e{b, l};
          SmallVector<Value> indices;
          for (int64_t d = 0; d + 1 < rank; ++d)
            indices.push_back(ivs[d]);
          indices.push_back(Value());
          Value u = ivs[rank - 1];
          // Unit j of block `blk` (whole row: blk = 0, j = u).
          Value j = u, first;
          if (f.block > 0) {
            Value upb = e.index(g.unitsPerBlock);
            first = e.mul(e.divu(u, upb), e.index(f.block));
            j = e.remu(u, upb);
          }
          Value mask = e.i32Const((int64_t(1) << g.codeBits) - 1);
          // The pattern of code k of the block (0 past the row or block).
          auto codeAt = [&](Value k) -> Value {
            Value c = first ? e.add(first, k) : k;
            Value valid =
                e.cmpi(arith::CmpIPredicate::ult, c, e.index(rowLength));
            if (f.block > 0 && f.kind != numerics::PackKind::Int4Interleaved &&
                g.unitsPerBlock * g.codesPerUnit != f.block)
              valid = arith::AndIOp::create(
                  b, l, valid,
                  e.cmpi(arith::CmpIPredicate::ult, k, e.index(f.block)));
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
            Value numerator = e.add(e.shl(v, e.i64Const(32)),
                                    e.i64Const(int64_t(modulus - 1)));
            Value q = e.divu(numerator, e.i64Const(int64_t(modulus)));
            word = e.castInt(q, e.i32(), /*isSigned=*/false);
            break;
          }
          case numerics::PackKind::Int8Panel:
          case numerics::PackKind::Int4Panel:
          case numerics::PackKind::Int2Planes:
          case numerics::PackKind::Int2Panel:
          case numerics::PackKind::Int3Panel:
          case numerics::PackKind::RadixSuperblock:
            llvm_unreachable("packed by lowerPanelPack / lowerSuperblockPack");
          }
          return e.castInt(word, type.getElementType(), /*isSigned=*/false);
        });
    return SmallVector<Value>{result};
  }
};

//===----------------------------------------------------------------------===//
// quantize / dequantize
//===----------------------------------------------------------------------===//

/// The indices into the parameter tensors for the element at `ivs`.
SmallVector<Value> paramIndices(Emitter &e, SchemeAttr scheme, LoopIndices &ivs,
                                int64_t rank) {
  switch (scheme.getGranularity()) {
  case GranularityKind::PerTensor:
    return {};
  case GranularityKind::PerChannel:
    return {ivs[scheme.getAxis()]};
  case GranularityKind::PerGroup: {
    SmallVector<Value> indices;
    for (int64_t d = 0; d < rank; ++d) {
      Value index = ivs[d];
      if (d == scheme.getAxis() && scheme.getGroupSize() != 1)
        index = e.divu(index, e.index(scheme.getGroupSize()));
      indices.push_back(index);
    }
    return indices;
  }
  }
  llvm_unreachable("unknown granularity");
}

/// The quantizer the numerics library would use for `scheme` (the scheme
/// attribute verifies what numerics::verifyScheme checks).
numerics::Quantizer makeQuantizer(SchemeAttr scheme) {
  numerics::Result<numerics::Quantizer> quantizer =
      numerics::Quantizer::create(scheme.getNumericsScheme());
  assert(quantizer && "scheme attribute admitted an invalid numerics scheme");
  return *quantizer;
}

/// The parameters of one element, as the numerics library reads them.
struct ElementParams {
  Value scale;     ///< f32
  Value zeroPoint; ///< i32, affine only
  Value min;       ///< f32, min_scale only
};

ElementParams readParams(Emitter &e, SchemeAttr scheme, ArrayRef<Value> at,
                         Value scales, Value zeroPoints, Value mins) {
  ElementParams p;
  p.scale = e.toF32(e.extract(scales, at));
  if (scheme.getForm() == ParamForm::Affine)
    p.zeroPoint = e.toI32(e.extract(zeroPoints, at), scheme.getIsSigned());
  if (scheme.getForm() == ParamForm::MinScale)
    p.min = e.toF32(e.extract(mins, at));
  return p;
}

/// `params` (scales or minimums) as f32, converted once up front when they
/// are narrower: f16 -> f32 is exact, and a per-element conversion would be
/// a libcall per element on CPUs without F16C.
Value widenParamsToF32(OpBuilder &b, Location loc, Value params) {
  if (!params)
    return params;
  auto type = cast<RankedTensorType>(params.getType());
  if (type.getElementType().isF32())
    return params;
  auto wideType = RankedTensorType::get(type.getShape(), b.getF32Type());
  Value init = emptyLike(b, loc, wideType, params);
  return buildElementwise(b, loc, init, {params},
                          [&](OpBuilder &nb, Location l, LoopIndices &,
                              ValueRange args) -> Value {
                            Emitter e{nb, l};
                            return e.toF32(args[0]);
                          });
}

struct DequantizeLowering : public LowbitPattern<DequantizeOp> {
  // Superblock parameters: rewritten into a dequantize of decoded ones.
  DequantizeLowering(MLIRContext *context) : LowbitPattern(context) {
    setHasBoundedRewriteRecursion();
  }
  FailureOr<SmallVector<Value>>
  lower(DequantizeOp op, OpAdaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    SchemeAttr scheme = op.getScheme();
    if (isSuperblockParams(op.getScales().getType())) {
      // Decode the parameter bytes to f32 scales and mins, then as usual.
      auto [scales, mins] = decodeSuperblockParams(
          rewriter, loc, scheme, type.getShape().back(), adaptor.getScales());
      Value result =
          DequantizeOp::create(rewriter, loc, type, adaptor.getInput(), scales,
                               Value(), mins, scheme);
      return SmallVector<Value>{result};
    }
    numerics::Quantizer quantizer = makeQuantizer(scheme);
    ArrayRef<float> levels = quantizer.getNormalizedLevels();
    bool minScale = scheme.getForm() == ParamForm::MinScale;
    bool codebook = bool(scheme.getCodebook());
    int64_t qmin = quantizer.getQmin();
    // MinScale: T[q - qmin]; codebook symmetric: v[q].
    Value table;
    if (minScale || codebook)
      table = f32Table(rewriter, loc, levels);

    Value input = adaptor.getInput();
    Value init = emptyLike(rewriter, loc, type, input);
    Value scales = widenParamsToF32(rewriter, loc, adaptor.getScales());
    Value zeroPoints = adaptor.getZeroPoints();
    Value mins = widenParamsToF32(rewriter, loc, adaptor.getMins());
    int64_t rank = type.getRank();
    Value result = buildElementwise(
        rewriter, loc, init, {input},
        [&](OpBuilder &b, Location l, LoopIndices &ivs,
            ValueRange args) -> Value {
          Emitter e{b, l};
          SmallVector<Value> at = paramIndices(e, scheme, ivs, rank);
          ElementParams p = readParams(e, scheme, at, scales, zeroPoints, mins);
          // Codes are read with the scheme's signedness.
          Value q = e.toI32(args[0], scheme.getIsSigned());
          Value x;
          if (minScale) {
            // x = T[q - qmin] * s + m
            Value k = qmin == 0 ? q : e.sub(q, e.i32Const(qmin));
            Value t = e.lookup(table, levels.size(), k);
            x = e.addf(e.mulf(t, p.scale), p.min);
          } else if (codebook) {
            // x = v[q] * s
            x = e.mulf(e.lookup(table, levels.size(), q), p.scale);
          } else {
            // x = float(q - z) * s
            Value d = p.zeroPoint ? e.sub(q, p.zeroPoint) : q;
            x = e.mulf(e.sitofp(d), p.scale);
          }
          return e.castFloat(x, type.getElementType());
        });
    return SmallVector<Value>{result};
  }
};

/// clamp(y, lo, hi) as the numerics library writes it: y > lo ? y : lo, then
/// y < hi ? y : hi (a NaN y becomes lo).
Value clampFloat(Emitter &e, Value y, Value lo, Value hi) {
  y = e.select(e.cmpf(arith::CmpFPredicate::OGT, y, lo), y, lo);
  return e.select(e.cmpf(arith::CmpFPredicate::OLT, y, hi), y, hi);
}

/// R(y) as an i32 for |y| below 2^22 (the callers clamp first). Plain
/// arithmetic, no math.round*: those become libm calls on CPUs without
/// SSE4.1, and compiled models must need only libc.
Value roundToI32(Emitter &e, Value y, RoundingMode mode) {
  switch (mode) {
  case RoundingMode::NearestEven: {
    // y + 1.5 * 2^23 has ulp 1 for |y| < 2^22: the FPU's nearest-even
    // rounding of the sum rounds y; subtracting the constant back is exact.
    Value magic = e.f32Const(12582912.0f);
    return e.fptosi(e.subf(e.addf(y, magic), magic));
  }
  case RoundingMode::NearestAway: {
    // t = trunc(y) exactly; step away from zero when |y - t| >= 1/2.
    Value t = e.fptosi(y);
    Value fraction = e.subf(y, arith::SIToFPOp::create(e.b, e.loc, e.f32(), t));
    Value up = e.cmpf(arith::CmpFPredicate::OGE, fraction, e.f32Const(0.5f));
    Value down = e.cmpf(arith::CmpFPredicate::OLE, fraction, e.f32Const(-0.5f));
    Value one = e.i32Const(1);
    t = e.select(up, e.add(t, one), t);
    return e.select(down, e.sub(t, one), t);
  }
  case RoundingMode::TowardZero:
    return e.fptosi(y); // fptosi truncates
  }
  llvm_unreachable("unknown rounding mode");
}

/// #{ j : t > mids[j] }: the nearest level, ties to the lower index, NaN to 0.
Value nearestIndex(Emitter &e, Value t, ArrayRef<float> mids, Value midTable) {
  Value one = e.i32Const(1), zero = e.i32Const(0);
  if (!midTable) {
    Value k = zero;
    for (float mid : mids) {
      Value above = e.cmpf(arith::CmpFPredicate::OGT, t, e.f32Const(mid));
      k = e.add(k, e.select(above, one, zero));
    }
    return k;
  }
  auto loop = scf::ForOp::create(
      e.b, e.loc, e.index(0), e.index(mids.size()), e.index(1),
      ValueRange{zero},
      [&](OpBuilder &b, Location l, Value j, ValueRange iterArgs) {
        Emitter le{b, l};
        Value mid = le.extract(midTable, {j});
        Value above = le.cmpf(arith::CmpFPredicate::OGT, t, mid);
        Value k = le.add(iterArgs[0], le.select(above, one, zero));
        scf::YieldOp::create(b, l, k);
      });
  return loop.getResult(0);
}

/// Codebooks with more midpoints than this count in an scf.for over a table
/// instead of unrolled comparisons.
constexpr size_t kMaxUnrolledMidpoints = 32;

struct QuantizeLowering : public LowbitPattern<QuantizeOp> {
  using LowbitPattern::LowbitPattern;
  FailureOr<SmallVector<Value>>
  lower(QuantizeOp op, OpAdaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    SchemeAttr scheme = op.getScheme();
    numerics::Quantizer quantizer = makeQuantizer(scheme);
    bool minScale = scheme.getForm() == ParamForm::MinScale;
    bool codebook = bool(scheme.getCodebook());
    int32_t qmin = quantizer.getQmin(), qmax = quantizer.getQmax();
    RoundingMode rounding = scheme.getRounding();

    // Codebook forms: midpoints between consecutive levels, computed exactly
    // as Quantizer::create does ((T[j] + T[j+1]) / 2 in f32).
    SmallVector<float> mids;
    Value midTable;
    if (codebook) {
      ArrayRef<float> levels = quantizer.getNormalizedLevels();
      for (size_t j = 0; j + 1 < levels.size(); ++j) {
        float sum = levels[j] + levels[j + 1];
        mids.push_back(sum / 2.0f);
      }
      if (mids.size() > kMaxUnrolledMidpoints)
        midTable = f32Table(rewriter, loc, mids);
    }

    Value input = adaptor.getInput();
    Value init = emptyLike(rewriter, loc, type, input);
    Value scales = adaptor.getScales(), zeroPoints = adaptor.getZeroPoints(),
          mins = adaptor.getMins();
    int64_t rank = type.getRank();
    Value result = buildElementwise(
        rewriter, loc, init, {input},
        [&](OpBuilder &b, Location l, LoopIndices &ivs,
            ValueRange args) -> Value {
          Emitter e{b, l};
          SmallVector<Value> at = paramIndices(e, scheme, ivs, rank);
          ElementParams p = readParams(e, scheme, at, scales, zeroPoints, mins);
          Value x = e.toF32(args[0]);
          Value q;
          if (codebook) {
            // t = x / s (symmetric) or (x - m) / s (min_scale).
            Value d = minScale ? e.subf(x, p.min) : x;
            Value t = e.divf(d, p.scale);
            q = nearestIndex(e, t, mids, midTable);
          } else if (minScale) {
            // q = qmin + R(clamp(((x - m) / s) * L, 0, L))
            Value lf = e.f32Const(float(qmax - qmin));
            Value d = e.subf(x, p.min);
            Value t = e.divf(d, p.scale);
            Value y = e.mulf(t, lf);
            Value r =
                roundToI32(e, clampFloat(e, y, e.f32Const(0.0f), lf), rounding);
            q = qmin == 0 ? r : e.add(e.i32Const(qmin), r);
          } else {
            // q = R(clamp(x / s, qmin - z, qmax - z)) + z
            Value y = e.divf(x, p.scale);
            Value lo, hi;
            if (p.zeroPoint) {
              lo = e.sitofp(e.sub(e.i32Const(qmin), p.zeroPoint));
              hi = e.sitofp(e.sub(e.i32Const(qmax), p.zeroPoint));
            } else {
              lo = e.f32Const(float(qmin));
              hi = e.f32Const(float(qmax));
            }
            q = roundToI32(e, clampFloat(e, y, lo, hi), rounding);
            if (p.zeroPoint)
              q = e.add(q, p.zeroPoint);
          }
          // The code value, in the result's integer type.
          return e.castInt(q, type.getElementType(), /*isSigned=*/true);
        });
    return SmallVector<Value>{result};
  }
};

//===----------------------------------------------------------------------===//
// requantize
//===----------------------------------------------------------------------===//

struct RequantizeLowering : public LowbitPattern<RequantizeOp> {
  using LowbitPattern::LowbitPattern;
  FailureOr<SmallVector<Value>>
  lower(RequantizeOp op, OpAdaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    unsigned width = type.getElementTypeBitWidth();
    ArrayRef<int32_t> multipliers = op.getMultiplier(), shifts = op.getShift();
    std::optional<int64_t> axis = op.getAxis();
    // I32Attr getters return the bits as uint32_t; the values are signed.
    int64_t inputZeroPoint = int32_t(op.getInputZeroPoint());
    int64_t outputZeroPoint = int32_t(op.getOutputZeroPoint());
    int64_t lowest = -(int64_t(1) << (width - 1));
    int64_t highest = (int64_t(1) << (width - 1)) - 1;
    int64_t clampMin = op.getClampMin() ? int32_t(*op.getClampMin()) : lowest;
    int64_t clampMax = op.getClampMax() ? int32_t(*op.getClampMax()) : highest;

    Value multiplierTable, shiftTable;
    if (axis) {
      SmallVector<int64_t> m(multipliers.begin(), multipliers.end());
      SmallVector<int64_t> s(shifts.begin(), shifts.end());
      multiplierTable = intTable(rewriter, loc, rewriter.getI64Type(), m);
      shiftTable = intTable(rewriter, loc, rewriter.getI64Type(), s);
    }
    Value input = adaptor.getInput();
    Value init = emptyLike(rewriter, loc, type, input);
    Value result = buildElementwise(
        rewriter, loc, init, {input},
        [&](OpBuilder &b, Location l, LoopIndices &ivs,
            ValueRange args) -> Value {
          Emitter e{b, l};
          Value multiplier, shift, mask, half;
          if (axis) {
            Value c = ivs[*axis];
            multiplier = e.extract(multiplierTable, {c});
            shift = e.extract(shiftTable, {c});
            Value one = e.i64Const(1);
            Value pow = e.shl(one, shift);
            mask = e.sub(pow, one);
            half = e.shl(one, e.sub(shift, one));
          } else {
            multiplier = e.i64Const(multipliers[0]);
            shift = e.i64Const(shifts[0]);
            mask = e.i64Const((int64_t(1) << shifts[0]) - 1);
            half = e.i64Const(int64_t(1) << (shifts[0] - 1));
          }
          // d = x - izp (|d| < 2^32), p = d * M (|p| < 2^63): exact in i64.
          Value x = e.castInt(args[0], e.i64(), /*isSigned=*/true);
          Value d = inputZeroPoint ? e.sub(x, e.i64Const(inputZeroPoint)) : x;
          Value product = e.mul(d, multiplier);
          // (p + 2^(shift-1)) >> shift, without overflowing the addition:
          // (p >> shift) + (((p & (2^shift - 1)) + 2^(shift-1)) >> shift).
          Value high = e.shrs(product, shift);
          Value carry = e.shru(e.add(e.andi(product, mask), half), shift);
          Value y = e.add(high, carry);
          if (outputZeroPoint)
            y = e.add(y, e.i64Const(outputZeroPoint));
          y = arith::MaxSIOp::create(b, l, y, e.i64Const(clampMin));
          y = arith::MinSIOp::create(b, l, y, e.i64Const(clampMax));
          return e.castInt(y, type.getElementType(), /*isSigned=*/true);
        });
    return SmallVector<Value>{result};
  }
};

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

struct MatmulLowering : public LowbitPattern<MatmulOp> {
  using LowbitPattern::LowbitPattern;
  FailureOr<SmallVector<Value>>
  lower(MatmulOp op, OpAdaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput(), packed = adaptor.getPacked();
    RankedTensorType inputType = op.getInput().getType();
    RankedTensorType resultType = op.getType();
    // bf16 activations: rounded once, then the same f32 contraction.
    if (op.hasBf16Activations())
      x = buildElementwise(
          rewriter, loc, emptyLike(rewriter, loc, inputType, x), ValueRange{x},
          [](OpBuilder &b, Location l, LoopIndices &, ValueRange args) {
            return buildRoundToBf16(b, l, args[0]);
          });
    SchemeAttr scheme = op.getScheme();
    auto elementType = cast<FloatType>(inputType.getElementType());
    // Narrow activations accumulate in f32 and are rounded once at the end.
    FloatType accType =
        elementType.getWidth() < 32 ? rewriter.getF32Type() : elementType;
    // Panel layouts store ceil(N / 16) panels: N is the result's.
    int64_t n = op.getLayout().isPanel()
                    ? resultType.getDimSize(1)
                    : op.getPacked().getType().getDimSize(0);
    int64_t k = inputType.getDimSize(1);
    auto packedDim0 = [&](int64_t) -> Value {
      return tensor::DimOp::create(rewriter, loc, packed, 0);
    };

    // W = dequantize(unpack(packed)) as [N, K].
    auto codesType = RankedTensorType::get({n, k}, rewriter.getI8Type());
    Value codes = UnpackOp::create(rewriter, loc, codesType, packed,
                                   op.getLayout(), scheme.getIsSigned());
    auto weightType = RankedTensorType::get({n, k}, accType);
    Value weight = DequantizeOp::create(
        rewriter, loc, weightType, codes, adaptor.getScales(),
        adaptor.getZeroPoints(), adaptor.getMins(), scheme);

    // acc[m, n] = sum_k x[m, k] * W[n, k], k ascending, from 0.
    auto accTensorType = RankedTensorType::get(resultType.getShape(), accType);
    Value empty =
        emptyTensor(rewriter, loc, accTensorType, [&](int64_t d) -> Value {
          if (d == 0)
            return tensor::DimOp::create(rewriter, loc, x, 0);
          return packedDim0(d);
        });
    Value zero = arith::ConstantFloatOp::create(
        rewriter, loc, accType, APFloat::getZero(accType.getFloatSemantics()));
    Value acc = linalg::FillOp::create(rewriter, loc, ValueRange{zero},
                                       ValueRange{empty})
                    .getResult(0);
    AffineExpr dm, dn, dk;
    bindDims(ctx, dm, dn, dk);
    auto map = [&](ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(3, 0, exprs, ctx);
    };
    acc = linalg::GenericOp::create(
              rewriter, loc, TypeRange{accTensorType}, ValueRange{x, weight},
              ValueRange{acc},
              ArrayRef<AffineMap>{map({dm, dk}), map({dn, dk}), map({dm, dn})},
              ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                            utils::IteratorType::parallel,
                                            utils::IteratorType::reduction},
              [&](OpBuilder &b, Location l, ValueRange args) {
                Emitter e{b, l};
                Value product = e.mulf(e.castFloat(args[0], accType), args[1]);
                linalg::YieldOp::create(b, l, e.addf(args[2], product));
              })
              .getResult(0);

    // + bias[n], then one rounding to the result type, then the epilogue
    // (on the result element type, with its inputs at the same position).
    Value bias = adaptor.getBias();
    ValueRange epilogueInputs = adaptor.getEpilogueInputs();
    if (!bias && accType == elementType && !op.hasEpilogue())
      return SmallVector<Value>{acc};
    Value init =
        emptyTensor(rewriter, loc, resultType, [&](int64_t d) -> Value {
          return tensor::DimOp::create(rewriter, loc, acc, d);
        });
    SmallVector<Value> inputs{acc};
    AffineMap identity = rewriter.getMultiDimIdentityMap(2);
    AffineMap row = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
    SmallVector<AffineMap> maps{identity};
    if (bias) {
      inputs.push_back(bias);
      maps.push_back(row);
    }
    for (Value input : epilogueInputs) {
      inputs.push_back(input);
      maps.push_back(cast<RankedTensorType>(input.getType()).getRank() == 1
                         ? row
                         : identity);
    }
    maps.push_back(identity);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{resultType}, inputs, ValueRange{init},
            maps,
            ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                          utils::IteratorType::parallel},
            [&](OpBuilder &b, Location l, ValueRange args) {
              Emitter e{b, l};
              Value v = args[0];
              if (bias)
                v = e.addf(v, e.castFloat(args[1], accType));
              v = e.castFloat(v, resultType.getElementType());
              if (op.hasEpilogue()) {
                Block &epilogue = op.getEpilogue().front();
                IRMapping mapping;
                mapping.map(epilogue.getArgument(0), v);
                ValueRange elements = args.drop_front(bias ? 2 : 1);
                for (auto [arg, element] :
                     llvm::zip(epilogue.getArguments().drop_front(), elements))
                  mapping.map(arg, element);
                for (Operation &inner : epilogue.without_terminator())
                  b.clone(inner, mapping);
                v = mapping.lookupOrDefault(
                    cast<YieldOp>(epilogue.getTerminator()).getValue());
              }
              linalg::YieldOp::create(b, l, v);
            })
            .getResult(0);
    return SmallVector<Value>{result};
  }
};

//===----------------------------------------------------------------------===//
// integer_matmul
//===----------------------------------------------------------------------===//

struct IntegerMatmulLowering : public LowbitPattern<IntegerMatmulOp> {
  using LowbitPattern::LowbitPattern;
  FailureOr<SmallVector<Value>>
  lower(IntegerMatmulOp op, OpAdaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput(), w = adaptor.getWeights();
    RankedTensorType resultType = op.getType();
    int64_t zeroPoint = int32_t(op.getInputZeroPoint());
    Value empty =
        emptyTensor(rewriter, loc, resultType, [&](int64_t d) -> Value {
          return tensor::DimOp::create(rewriter, loc, d == 0 ? x : w, 0);
        });
    // The accumulator starts at bias[n] (or 0): the sum is exact in i32, so
    // where the bias enters does not matter.
    Value init;
    AffineExpr dm, dn, dk;
    bindDims(ctx, dm, dn, dk);
    if (Value bias = adaptor.getBias()) {
      init = linalg::BroadcastOp::create(rewriter, loc, bias, empty,
                                         ArrayRef<int64_t>{0})
                 .getResult()[0];
    } else {
      Value zero = arith::ConstantIntOp::create(rewriter, loc,
                                                rewriter.getI32Type(), 0);
      init = linalg::FillOp::create(rewriter, loc, ValueRange{zero},
                                    ValueRange{empty})
                 .getResult(0);
    }
    auto map = [&](ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(3, 0, exprs, ctx);
    };
    Value acc =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{resultType}, ValueRange{x, w},
            ValueRange{init},
            ArrayRef<AffineMap>{map({dm, dk}), map({dn, dk}), map({dm, dn})},
            ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                          utils::IteratorType::parallel,
                                          utils::IteratorType::reduction},
            [&](OpBuilder &b, Location l, ValueRange args) {
              Emitter e{b, l};
              Value xi = e.castInt(args[0], e.i32(), /*isSigned=*/true);
              if (zeroPoint)
                xi = e.sub(xi, e.i32Const(zeroPoint));
              Value wi = e.castInt(args[1], e.i32(), /*isSigned=*/true);
              linalg::YieldOp::create(b, l, e.add(args[2], e.mul(xi, wi)));
            })
            .getResult(0);
    return SmallVector<Value>{acc};
  }
};

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

struct ConvertLowbitToLinalgPass
    : public lowbit::impl::ConvertLowbitToLinalgBase<
          ConvertLowbitToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Report every unsupported op with its reason before converting.
    bool unsupported = false;
    module.walk([&](Operation *op) {
      if (!isa_and_nonnull<LowbitDialect>(op->getDialect()))
        return;
      if (std::optional<std::string> reason = unsupportedReason(op)) {
        op->emitOpError() << *reason;
        unsupported = true;
      }
    });
    if (unsupported)
      return signalPassFailure();

    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<LowbitDialect>();
    // Vector-level dot products and byte lookups are left for
    // lowbit-lower-dot-i8, lowbit-lower-dot-bf16 and lowbit-lower-lookup-bytes.
    target.addLegalOp<DotI8Op, DotBf16Op, MmlaBf16Op, LookupBytesOp>();
    target.addLegalOp<MultishiftBytesOp>(); // lowbit-lower-multishift-bytes
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateLowbitToLinalgConversionPatterns(patterns);
    ConversionConfig config;
    // The lowering is what runs: never substitute a folded constant.
    config.foldingMode = DialectConversionFoldingMode::Never;
    if (failed(applyPartialConversion(module, target, std::move(patterns),
                                      config)))
      signalPassFailure();
  }
};

} // namespace

void lowbit::populateLowbitToLinalgConversionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<StatsLowering, PackedWeightLowering, UnpackLowering,
               PackLowering, DequantizeLowering, QuantizeLowering,
               RequantizeLowering, MatmulLowering, ObserveLowering,
               IntegerMatmulLowering>(patterns.getContext());
}

std::optional<std::string>
lowbit::getLowbitToLinalgUnsupportedReason(Operation *op) {
  return unsupportedReason(op);
}

//===- LoweringUtils.h - helpers of convert-lowbit-to-linalg ----*- C++ -*-===//
//
// What the lowerings of the lowbit ops to linalg share (PackUnpack.cpp,
// QuantizeDequantize.cpp, Matmuls.cpp, LowbitToLinalg.cpp): scalar emission
// at one location, elementwise generics, constant tables, the packing
// geometry of a layout, and the pattern base that declines unsupported ops.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_LOWERINGUTILS_H
#define LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_LOWERINGUTILS_H

#include "lowbit/Conversion/LowbitToLinalg/LowbitToLinalg.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Numerics/Packing.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace lowbit::lowbit_to_linalg {

using namespace mlir;

//===----------------------------------------------------------------------===//
// Emission helpers
//===----------------------------------------------------------------------===//

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
  /// The low `bits` bits of the i32 `pattern` read as a signed value:
  /// (p ^ sign) - sign (the pattern itself from 32 bits on).
  Value signExtendLow(Value pattern, unsigned bits) {
    if (bits >= 32)
      return pattern;
    Value sign = i32Const(int64_t(1) << (bits - 1));
    return sub(xori(pattern, sign), sign);
  }
  /// Index `i` split at blocks of `size`: the start of its block counted in
  /// `stride` per block, (i / size) * stride, and its position in the
  /// block, i % size.
  std::pair<Value, Value> splitAtBlocks(Value i, int64_t size, int64_t stride) {
    Value blockSize = index(size);
    Value start = mul(divu(i, blockSize), index(stride));
    return {start, remu(i, blockSize)};
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
  /// The indices of every dimension but the last (a row's).
  SmallVector<Value> leading() {
    SmallVector<Value> indices;
    for (int64_t d = 0; d + 1 < int64_t(values.size()); ++d)
      indices.push_back((*this)[d]);
    return indices;
  }
};

/// A constant rank-1 tensor of f32 values.
Value f32Table(OpBuilder &b, Location loc, ArrayRef<float> values);

/// A constant rank-1 tensor of integers of `elementType`.
Value intTable(OpBuilder &b, Location loc, Type elementType,
               ArrayRef<int64_t> values);

/// tensor.empty of `type`; dynamic dimension d is `dynamicDim(d)`.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  function_ref<Value(int64_t)> dynamicDim);

/// tensor.empty of `type` whose dynamic sizes are those of `like` (same
/// shape).
Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type, Value like);

using ElementBody =
    function_ref<Value(OpBuilder &, Location, LoopIndices &, ValueRange)>;

/// A parallel linalg.generic writing `init`; `inputs` have the result's
/// shape and identity maps. The body gets the loop indices and the block
/// arguments (inputs, then the output element) and returns the result
/// element.
Value buildElementwise(OpBuilder &b, Location loc, Value init,
                       ValueRange inputs, ElementBody body);

/// A parallel linalg.generic without inputs writing `init`: `body` builds
/// each element from the loop indices.
Value buildFromIndices(OpBuilder &b, Location loc, Value init,
                       function_ref<Value(Emitter &, LoopIndices &)> body);

/// The contraction acc[m, n] = body(x[m, k], w[n, k], acc[m, n]) over k
/// ascending: a linalg.generic over (m, n, k) with `x` [M, K], `w` [N, K]
/// and the accumulator `init` [M, N], whose type it returns.
Value buildContraction(
    OpBuilder &b, Location loc, Value x, Value w, Value init,
    function_ref<Value(Emitter &, Value x, Value w, Value acc)> body);

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
SmallVector<int64_t> radixPowers(unsigned radix);

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// A lowering of one lowbit op: declines the ops that
/// getLowbitToLinalgUnsupportedReason names, else replaces the op by what
/// `lower` returns.
template <typename OpT> struct LowbitPattern : public OpConversionPattern<OpT> {
  using OpConversionPattern<OpT>::OpConversionPattern;
  using OpAdaptor = typename OpConversionPattern<OpT>::OpAdaptor;

  LogicalResult
  matchAndRewrite(OpT op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const final {
    if (std::optional<std::string> reason =
            getLowbitToLinalgUnsupportedReason(op))
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

/// How a OneResultPattern lowers its op: the value that replaces the op,
/// built at the op's location `loc` with the op's result type `type`.
template <typename OpT>
using OneResultLowering = Value (*)(
    OpT op, typename LowbitPattern<OpT>::OpAdaptor adaptor,
    ConversionPatternRewriter &rewriter, Location loc, RankedTensorType type);

/// The LowbitPattern of an op with one ranked tensor result that `lowerOp`
/// replaces.
template <typename OpT, OneResultLowering<OpT> lowerOp>
struct OneResultPattern : public LowbitPattern<OpT> {
  using LowbitPattern<OpT>::LowbitPattern;

  FailureOr<SmallVector<Value>>
  lower(OpT op, typename LowbitPattern<OpT>::OpAdaptor adaptor,
        ConversionPatternRewriter &rewriter) const final {
    return SmallVector<Value>{
        lowerOp(op, adaptor, rewriter, op.getLoc(), op.getType())};
  }
};

/// The patterns of each family of ops (LowbitToLinalg.cpp adds stats,
/// observe and packed_weight).
void populatePackUnpackPatterns(RewritePatternSet &patterns);
void populateQuantizeDequantizePatterns(RewritePatternSet &patterns);
void populateMatmulPatterns(RewritePatternSet &patterns);

} // namespace lowbit::lowbit_to_linalg

#endif // LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_LOWERINGUTILS_H

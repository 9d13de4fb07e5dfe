//===- LoweringUtils.cpp - helpers of convert-lowbit-to-linalg ------------===//

#include "LoweringUtils.h"

using namespace mlir;
using namespace lowbit;

namespace lowbit::lowbit_to_linalg {

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

Value buildFromIndices(OpBuilder &b, Location loc, Value init,
                       function_ref<Value(Emitter &, LoopIndices &)> body) {
  return buildElementwise(
      b, loc, init, {},
      [&](OpBuilder &nb, Location l, LoopIndices &ivs, ValueRange) -> Value {
        Emitter e{nb, l};
        return body(e, ivs);
      });
}

Value buildContraction(
    OpBuilder &b, Location loc, Value x, Value w, Value init,
    function_ref<Value(Emitter &, Value x, Value w, Value acc)> body) {
  MLIRContext *ctx = b.getContext();
  AffineExpr dm, dn, dk;
  bindDims(ctx, dm, dn, dk);
  auto map = [&](ArrayRef<AffineExpr> exprs) {
    return AffineMap::get(3, 0, exprs, ctx);
  };
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{x, w},
             ValueRange{init},
             ArrayRef<AffineMap>{map({dm, dk}), map({dn, dk}), map({dm, dn})},
             ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                           utils::IteratorType::parallel,
                                           utils::IteratorType::reduction},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Emitter e{nb, l};
               linalg::YieldOp::create(nb, l,
                                       body(e, args[0], args[1], args[2]));
             })
      .getResult(0);
}

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

} // namespace lowbit::lowbit_to_linalg

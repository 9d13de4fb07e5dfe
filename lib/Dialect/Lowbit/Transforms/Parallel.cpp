//===- Parallel.cpp - splitting kernels' output across threads ------------===//

#include "Parallel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

int64_t lowbit::getParallelChunk(int64_t extent, int64_t granule,
                                 int64_t minChunk) {
  int64_t chunk = llvm::divideCeil(extent, kMaxParallelChunks);
  chunk = llvm::alignTo(std::max(chunk, minChunk), granule);
  return llvm::divideCeil(extent, chunk) >= 2 ? chunk : 0;
}

Value lowbit::buildParallelChunks(
    OpBuilder &b, Location loc, Value init, unsigned dim, int64_t extent,
    int64_t chunk, function_ref<Value(Value, Value, Value)> body) {
  return buildParallelChunks(b, loc, ValueRange{init}, dim, extent, chunk,
                             [&](ValueRange slices, Value first, Value end) {
                               return SmallVector<Value>{
                                   body(slices[0], first, end)};
                             })
      .front();
}

SmallVector<Value> lowbit::buildParallelChunks(
    OpBuilder &b, Location loc, ValueRange inits, unsigned dim, int64_t extent,
    int64_t chunk,
    function_ref<SmallVector<Value>(ValueRange, Value, Value)> body) {
  auto index = [&](int64_t value) -> Value {
    return arith::ConstantIndexOp::create(b, loc, value);
  };
  int64_t chunks = llvm::divideCeil(extent, chunk);
  // Without a body builder the forall gets an empty terminator.
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(chunks)}, inits,
      /*mapping=*/std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getTerminator());
  Value first =
      arith::MulIOp::create(b, loc, forall.getInductionVar(0), index(chunk));
  Value end = arith::MinSIOp::create(
      b, loc, arith::AddIOp::create(b, loc, first, index(chunk)),
      index(extent));
  Value length = arith::SubIOp::create(b, loc, end, first);
  // Offsets, sizes and strides of each tensor's slice.
  struct Box {
    SmallVector<OpFoldResult> offsets, sizes, strides;
  };
  SmallVector<Box> boxes;
  SmallVector<Value> slices;
  for (Value shared : forall.getRegionIterArgs()) {
    auto type = cast<RankedTensorType>(shared.getType());
    Box box;
    box.offsets.assign(type.getRank(), b.getIndexAttr(0));
    box.strides.assign(type.getRank(), b.getIndexAttr(1));
    for (int64_t size : type.getShape())
      box.sizes.push_back(b.getIndexAttr(size));
    box.offsets[dim] = first;
    box.sizes[dim] = length;
    slices.push_back(tensor::ExtractSliceOp::create(b, loc, shared, box.offsets,
                                                    box.sizes, box.strides));
    boxes.push_back(std::move(box));
  }
  SmallVector<Value> computed = body(slices, first, end);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  for (auto [value, shared, box] :
       llvm::zip_equal(computed, forall.getRegionIterArgs(), boxes))
    tensor::ParallelInsertSliceOp::create(b, loc, value, shared, box.offsets,
                                          box.sizes, box.strides);
  return SmallVector<Value>(forall.getResults());
}

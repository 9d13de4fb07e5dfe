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
  auto type = cast<RankedTensorType>(init.getType());
  auto index = [&](int64_t value) -> Value {
    return arith::ConstantIndexOp::create(b, loc, value);
  };
  int64_t chunks = llvm::divideCeil(extent, chunk);
  // Without a body builder the forall gets an empty terminator.
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(chunks)}, ValueRange{init},
      /*mapping=*/std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getTerminator());
  Value first =
      arith::MulIOp::create(b, loc, forall.getInductionVar(0), index(chunk));
  Value end = arith::MinSIOp::create(
      b, loc, arith::AddIOp::create(b, loc, first, index(chunk)),
      index(extent));
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  SmallVector<OpFoldResult> sizes;
  for (int64_t size : type.getShape())
    sizes.push_back(b.getIndexAttr(size));
  offsets[dim] = first;
  sizes[dim] = Value(arith::SubIOp::create(b, loc, end, first));
  Value shared = forall.getRegionIterArgs()[0];
  Value slice =
      tensor::ExtractSliceOp::create(b, loc, shared, offsets, sizes, strides);
  Value computed = body(slice, first, end);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, computed, shared, offsets,
                                        sizes, strides);
  return forall.getResult(0);
}

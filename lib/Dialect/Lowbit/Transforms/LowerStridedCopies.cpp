//===- LowerStridedCopies.cpp - non-contiguous memref.copy to loops -------===//
//
// finalize-memref-to-llvm lowers a memref.copy between contiguous buffers to
// llvm.memcpy, and any other copy to a call of memrefCopy from MLIR's runtime
// library, which a self-contained object cannot reference. This pass rewrites
// the other copies into loops over rows: the trailing dimensions that are
// contiguous in both buffers are collapsed into one, and each row is moved
// with 1-D vector transfers (scalar loads and stores where the innermost
// stride is not 1 or the element is not a whole number of bytes).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITLOWERSTRIDEDCOPIES
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// Bits moved by one vector transfer of a row (a 512-bit register, or a few
/// narrower ones).
constexpr int64_t kVectorBits = 512;

/// What finalize-memref-to-llvm lowers to llvm.memcpy.
bool isContiguous(MemRefType type) {
  return type.getLayout().isIdentity() ||
         memref::isStaticShapeAndContiguousRowMajor(type);
}

/// The reassociation that keeps the leading dimensions and merges the
/// longest run of trailing dimensions that both types can collapse.
SmallVector<ReassociationIndices> mergeTrailingDims(MemRefType source,
                                                    MemRefType target) {
  int64_t rank = source.getRank();
  auto groupsFrom = [&](int64_t first) {
    SmallVector<ReassociationIndices> groups;
    for (int64_t d = 0; d < first; ++d)
      groups.push_back({d});
    ReassociationIndices last;
    for (int64_t d = first; d < rank; ++d)
      last.push_back(d);
    groups.push_back(last);
    return groups;
  };
  int64_t first = rank - 1;
  while (first > 0) {
    SmallVector<ReassociationIndices> wider = groupsFrom(first - 1);
    if (!memref::CollapseShapeOp::isGuaranteedCollapsible(source, wider) ||
        !memref::CollapseShapeOp::isGuaranteedCollapsible(target, wider))
      break;
    --first;
  }
  return groupsFrom(first);
}

/// The byte-sized element width a row can be moved with in vectors, if any.
std::optional<int64_t> vectorElementBits(Type element) {
  if (!VectorType::isValidElementType(element))
    return std::nullopt;
  int64_t bits = element.isIndex() ? 64 : element.getIntOrFloatBitWidth();
  if (bits == 0 || bits % 8 != 0)
    return std::nullopt;
  return bits;
}

bool hasUnitInnermostStride(MemRefType type) {
  auto [strides, offset] = type.getStridesAndOffset();
  return strides.back() == 1;
}

/// Copies `source` into `target` (same rank >= 1, same shape) one innermost
/// row at a time.
void emitRowCopies(OpBuilder &b, Location loc, Value source, Value target) {
  auto sourceType = cast<MemRefType>(source.getType());
  auto targetType = cast<MemRefType>(target.getType());
  int64_t rank = sourceType.getRank();
  int64_t rowSize = sourceType.getDimSize(rank - 1);
  std::optional<int64_t> bits = vectorElementBits(sourceType.getElementType());
  bool vectorRows = bits && ShapedType::isStatic(rowSize) &&
                    hasUnitInnermostStride(sourceType) &&
                    hasUnitInnermostStride(targetType);

  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lbs, ubs, steps;
  // Scalar copies loop over every dimension, vector copies over all but the
  // innermost one.
  for (int64_t d = 0, e = vectorRows ? rank - 1 : rank; d < e; ++d) {
    lbs.push_back(zero);
    ubs.push_back(!sourceType.isDynamicDim(d)
                      ? Value(arith::ConstantIndexOp::create(
                            b, loc, sourceType.getDimSize(d)))
                      : Value(memref::DimOp::create(b, loc, source, d)));
    steps.push_back(one);
  }

  if (!vectorRows) {
    scf::buildLoopNest(b, loc, lbs, ubs, steps,
                       [&](OpBuilder &b, Location loc, ValueRange ivs) {
                         Value element =
                             memref::LoadOp::create(b, loc, source, ivs);
                         memref::StoreOp::create(b, loc, element, target, ivs);
                       });
    return;
  }

  int64_t lanes = std::max<int64_t>(1, kVectorBits / *bits);
  int64_t wholeChunks = rowSize / lanes;
  int64_t tail = rowSize % lanes;
  Type element = sourceType.getElementType();
  auto moveChunk = [&](OpBuilder &b, Location loc, ValueRange outer,
                       Value column, int64_t size) {
    SmallVector<Value> indices(outer);
    indices.push_back(column);
    auto type = VectorType::get({size}, element);
    SmallVector<bool> inBounds = {true};
    Value chunk = vector::TransferReadOp::create(
        b, loc, type, source, indices, /*padding=*/std::nullopt, inBounds);
    vector::TransferWriteOp::create(b, loc, chunk, target, indices, inBounds);
  };
  scf::buildLoopNest(
      b, loc, lbs, ubs, steps,
      [&](OpBuilder &b, Location loc, ValueRange outer) {
        // Whole chunks end where the remainder starts.
        Value chunksEnd = zero;
        if (wholeChunks > 1 || (wholeChunks == 1 && tail != 0))
          chunksEnd =
              arith::ConstantIndexOp::create(b, loc, wholeChunks * lanes);
        if (wholeChunks == 1) {
          moveChunk(b, loc, outer, zero, lanes);
        } else if (wholeChunks > 1) {
          Value step = arith::ConstantIndexOp::create(b, loc, lanes);
          scf::ForOp::create(
              b, loc, zero, chunksEnd, step, ValueRange{},
              [&](OpBuilder &b, Location loc, Value column, ValueRange) {
                moveChunk(b, loc, outer, column, lanes);
                scf::YieldOp::create(b, loc);
              });
        }
        if (tail != 0)
          moveChunk(b, loc, outer, chunksEnd, tail);
      });
}

LogicalResult lowerCopy(memref::CopyOp copy) {
  auto sourceType = dyn_cast<MemRefType>(copy.getSource().getType());
  auto targetType = dyn_cast<MemRefType>(copy.getTarget().getType());
  if (!sourceType || !targetType)
    return copy.emitOpError(
        "on unranked memrefs would need MLIR's runtime library (memrefCopy)");
  if (isContiguous(sourceType) && isContiguous(targetType))
    return success();

  OpBuilder b(copy);
  Location loc = copy.getLoc();
  Value source = copy.getSource(), target = copy.getTarget();
  if (sourceType.getRank() == 0) {
    Value element = memref::LoadOp::create(b, loc, source);
    memref::StoreOp::create(b, loc, element, target);
    copy.erase();
    return success();
  }
  SmallVector<ReassociationIndices> groups =
      mergeTrailingDims(sourceType, targetType);
  if (static_cast<int64_t>(groups.size()) < sourceType.getRank()) {
    source = memref::CollapseShapeOp::create(b, loc, source, groups);
    target = memref::CollapseShapeOp::create(b, loc, target, groups);
  }
  emitRowCopies(b, loc, source, target);
  copy.erase();
  return success();
}

struct LowbitLowerStridedCopiesPass
    : public lowbit::impl::LowbitLowerStridedCopiesBase<
          LowbitLowerStridedCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies)
      if (failed(lowerCopy(copy)))
        return signalPassFailure();
  }
};

} // namespace

//===- KernelBuilder.cpp - the loops of a lowbit.matmul kernel ------------===//
//
// Output elements are computed row tile by column tile. Rows in tiles share
// each decoded weight segment; several activation rows walk the weight rows
// in blocks of about 256 KiB that stay in cache from one row tile to the
// next; a single activation row reads the weight rows one at a time (one
// sequential stream through the packed matrix). Threads take chunks of
// columns fixed at compile time.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "../Parallel.h"
#include "Epilogue.h"
#include "SegmentEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace lowbit;

Value lowbit::buildMatmulKernel(OpBuilder &b, MatmulOp op,
                                const KernelPlan &plan, bool parallel) {
  PreparedOperands prepared;
  return KernelBuilder(b, op, plan, prepared, parallel).build();
}

Value KernelBuilder::build() {
  auto resultType = op.getType();
  int64_t m = resultType.getDimSize(0);
  Value result = tensor::EmptyOp::create(b, loc, resultType.getShape(), f32);
  prepared.activations = op.getInput();
  // bf16 activations are rounded first: the slotted layouts regroup the
  // rounded rows.
  if (plan.bf16Dot != Bf16Dot::None)
    ActivationPreparer(*this).storeBf16();
  else if (plan.bf16Activations)
    ActivationPreparer(*this).pad(/*roundToBf16=*/true);
  if (plan.dynamicInt8)
    ActivationPreparer(*this).quantize();
  else if (plan.slotted && plan.bf16Dot == Bf16Dot::None)
    ActivationPreparer(*this).regroup();
  else if (m >= 4 && !plan.bf16Activations)
    ActivationPreparer(*this).pad();
  if (plan.prefetches() || pagePrefetches() || linePrefetches()) {
    auto tensorType = cast<RankedTensorType>(op.getPacked().getType());
    packedBuffer = bufferization::ToBufferOp::create(
        b, loc,
        MemRefType::get(tensorType.getShape(), tensorType.getElementType()),
        op.getPacked(), b.getUnitAttr());
    // Row prefetches take the per-group parameters ([N, groups]) with the
    // weights; page prefetches the weights only.
    for (Value params : {op.getScales(), op.getMins(), op.getZeroPoints()}) {
      if (!params || !plan.prefetches())
        continue;
      auto type = cast<RankedTensorType>(params.getType());
      if (type.getRank() == 2)
        paramBuffers.push_back(bufferization::ToBufferOp::create(
            b, loc, MemRefType::get(type.getShape(), type.getElementType()),
            params, b.getUnitAttr()));
    }
  }
  // Rows in tiles share each decoded weight segment: as many of the
  // largest tile as fit, then of the smaller ones, then single rows.
  auto allRows = [&](Value init, Value firstColumn, Value endColumn) {
    int64_t done = 0;
    for (int64_t tile : plan.rowTiles()) {
      int64_t end = done + (m - done) / tile * tile;
      if (end > done)
        init = buildRows(init, done, end, tile, plan.columnTile(tile),
                         firstColumn, endColumn);
      done = end;
    }
    // The epilogue maps the block's outputs while they are in cache, in
    // the block's (or thread's) loop nest but after the kernel's: its
    // constants then stay out of the kernel's registers.
    if (op.hasEpilogue())
      init = applyEpilogue(b, op, plan.registerLanes, init, 0, m, firstColumn,
                           endColumn, columnOrigin);
    return init;
  };
  // Several activation rows read the weights once per row tile: in blocks
  // of columns whose weights stay in L2 between tiles (one block for a
  // single row, which reads the weights once as one stream).
  int64_t n = resultType.getDimSize(1);
  int64_t block = m > 1 ? columnBlock() : n;
  // Threads take chunks of columns (each reads its own part of the
  // weights), fixed here: an output is computed the same way whatever the
  // thread count.
  if (int64_t chunk = parallelChunk(block)) {
    return buildParallelChunks(b, loc, result, /*dim=*/1, n, chunk,
                               [&](Value slice, Value first, Value end) {
                                 columnOrigin = first;
                                 return allRows(slice, first, end);
                               });
  }
  if (block >= n)
    return allRows(result, index(0), index(n));
  auto blocks = scf::ForOp::create(
      b, loc, index(0), index(n), index(block), ValueRange{result},
      [&](OpBuilder &, Location, Value first, ValueRange state) {
        Value end = arith::MinSIOp::create(
            b, loc, arith::AddIOp::create(b, loc, first, index(block)),
            index(n));
        scf::YieldOp::create(b, loc, allRows(state[0], first, end));
      });
  return blocks.getResult(0);
}

int64_t KernelBuilder::columnBlock() {
  constexpr int64_t kBlockBytes = 256 * 1024;
  return std::max<int64_t>(4, kBlockBytes / std::max<int64_t>(rowBytes(), 1) /
                                  4 * 4);
}

int64_t KernelBuilder::rowBytes() {
  auto bytesOf = [](Value tensor) -> int64_t {
    if (!tensor)
      return 0;
    auto type = cast<RankedTensorType>(tensor.getType());
    if (type.getRank() < 2)
      return 0;
    return type.getDimSize(1) * type.getElementTypeBitWidth() / 8;
  };
  return bytesOf(op.getPacked()) + bytesOf(op.getScales()) +
         bytesOf(op.getMins()) + bytesOf(op.getZeroPoints());
}

int64_t KernelBuilder::parallelChunk(int64_t block) {
  int64_t m = op.getType().getDimSize(0), n = op.getType().getDimSize(1);
  int64_t k = op.getInput().getType().getDimSize(1);
  if (!parallel || m * n * k < kMinParallelWork)
    return 0;
  if (m > 1)
    return block < n ? block : getParallelChunk(n, 4);
  constexpr int64_t kMinChunkBytes = 16 * 1024;
  return getParallelChunk(n, 1,
                          kMinChunkBytes / std::max<int64_t>(rowBytes(), 1));
}

Value KernelBuilder::buildRows(Value init, int64_t begin, int64_t end,
                               int64_t rowTile, int64_t columnTile,
                               Value firstColumn, Value endColumn) {
  auto rows = scf::ForOp::create(
      b, loc, index(begin), index(end), index(rowTile), ValueRange{init},
      [&](OpBuilder &, Location, Value firstRow, ValueRange outer) {
        SmallVector<Value> rowIndices = consecutive(firstRow, rowTile);
        Value updated = outer[0];
        // Whole column tiles, then the columns that do not fill one
        // (known statically without column blocks).
        std::optional<int64_t> first = getConstantIntValue(firstColumn);
        std::optional<int64_t> last = getConstantIntValue(endColumn);
        Value tiled = endColumn;
        bool hasRest = columnTile > 1;
        if (first && last) {
          int64_t rest = (*last - *first) % columnTile;
          tiled = index(*last - rest);
          hasRest = rest > 0;
        } else if (columnTile > 1) {
          tiled = arith::SubIOp::create(
              b, loc, endColumn,
              arith::RemUIOp::create(
                  b, loc, arith::SubIOp::create(b, loc, endColumn, firstColumn),
                  index(columnTile)));
        }
        updated =
            buildColumns(updated, rowIndices, firstColumn, tiled, columnTile);
        if (hasRest)
          updated = buildColumns(updated, rowIndices, tiled, endColumn, 1);
        scf::YieldOp::create(b, loc, updated);
      });
  return rows.getResult(0);
}

Value KernelBuilder::buildColumns(Value init, ArrayRef<Value> rows, Value begin,
                                  Value end, int64_t tile) {
  auto columns = scf::ForOp::create(
      b, loc, begin, end, index(tile), ValueRange{init},
      [&](OpBuilder &, Location, Value firstColumn, ValueRange inner) {
        SmallVector<Value> columnIndices = consecutive(firstColumn, tile);
        bool pairs = rows.size() % 2 == 0 && tile == 2;
        SmallVector<Value> values =
            plan.mmla && pairs
                ? SmmlaTiles(*this).buildDots(rows, columnIndices)
            : plan.bf16Mmla && pairs
                ? BfmmlaTiles(*this).buildDots(rows, columnIndices)
                : buildDots(rows, columnIndices);
        Value updated = inner[0];
        for (auto [c, column] : llvm::enumerate(columnIndices)) {
          // A parallel chunk writes its slice of the output.
          Value outColumn =
              columnOrigin
                  ? Value(arith::SubIOp::create(b, loc, column, columnOrigin))
                  : column;
          for (auto [r, row] : llvm::enumerate(rows))
            updated =
                tensor::InsertOp::create(b, loc, values[c * rows.size() + r],
                                         updated, ValueRange{row, outColumn});
        }
        scf::YieldOp::create(b, loc, updated);
      });
  return columns.getResult(0);
}

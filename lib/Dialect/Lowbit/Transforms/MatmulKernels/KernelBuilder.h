//===- KernelBuilder.h - the loops of a lowbit.matmul kernel ----*- C++ -*-===//
//
// The loop skeleton of a vector kernel: prepare the activations, split the
// output columns across threads and into blocks that stay in cache, walk
// the rows in tiles and the columns in tiles, and for each tile run the
// segment loop (SegmentLoop.cpp) whose bodies the segment emitters fill.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_KERNELBUILDER_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_KERNELBUILDER_H

#include "KernelEmitter.h"

namespace lowbit {

/// The vector kernel of `op` under `plan` (from planKernel); large kernels
/// split their columns across threads when `parallel`. Returns the result
/// tensor that replaces the op.
mlir::Value buildMatmulKernel(mlir::OpBuilder &b, MatmulOp op,
                              const KernelPlan &plan, bool parallel);

/// Emits the loops of one lowbit.matmul.
class KernelBuilder : public KernelEmitter {
public:
  KernelBuilder(mlir::OpBuilder &b, MatmulOp op, const KernelPlan &plan,
                PreparedOperands &prepared, bool parallel)
      : KernelEmitter(b, op, plan, prepared), parallel(parallel) {}

  mlir::Value build();

private:
  /// Weight rows (output columns) per block when several activation rows
  /// are computed: about 256 KiB of packed weights and parameters, a
  /// multiple of every column tile.
  int64_t columnBlock();
  /// Bytes of packed codes and per-group parameters per weight row.
  int64_t rowBytes();
  /// Output columns per parallel chunk, or 0 for a serial kernel: column
  /// blocks of several activation rows (at least two column tiles
  /// otherwise), for a single row at least 16 KiB of weights each.
  int64_t parallelChunk(int64_t block);

  /// Output rows [begin, end) in tiles of `rowTile` rows; columns in tiles
  /// of `columnTile`, the columns that do not fill a tile one at a time.
  mlir::Value buildRows(mlir::Value init, int64_t begin, int64_t end,
                        int64_t rowTile, int64_t columnTile,
                        mlir::Value firstColumn, mlir::Value endColumn);
  /// Output columns [begin, end) of `rows` in tiles of `tile` columns.
  mlir::Value buildColumns(mlir::Value init, llvm::ArrayRef<mlir::Value> rows,
                           mlir::Value begin, mlir::Value end, int64_t tile);
  /// sum_k x[row, k] * W[column, k] + bias[column] for each of `rows` and
  /// `columns`: result[c * rows.size() + r] for rows[r] and columns[c]
  /// (SegmentLoop.cpp).
  llvm::SmallVector<mlir::Value> buildDots(llvm::ArrayRef<mlir::Value> rows,
                                           llvm::ArrayRef<mlir::Value> columns);

  /// Whether large kernels are split across threads.
  bool parallel;
  /// The first output column of the slice that buildColumns writes (a
  /// parallel chunk's), or null for the whole output.
  mlir::Value columnOrigin;
  /// Whether a GEMV (M = 1) without row prefetches touches the weight
  /// pages ahead of its stream (see SegmentLoop.cpp).
  bool pagePrefetches();
  /// One prefetch per 4 KiB page of the packed matrix's row
  /// kPageAheadBytes ahead of the tile `columns` (for rows shorter than a
  /// page, only in tiles where a page starts).
  void prefetchPagesAhead(llvm::ArrayRef<mlir::Value> columns);

  /// Whether a GEMV's segment loop prefetches every line it reads
  /// kLinesAheadBytes (rounded up to whole rows) ahead.
  bool linePrefetches();
  /// The weight row `rows` rows after the tile `columns`, clamped to the
  /// last row (the row its prefetches read).
  mlir::Value getRowAhead(llvm::ArrayRef<mlir::Value> columns, int64_t rows);
  /// Prefetches of the `bytes` from unit `unit` of the row `rowAhead`, one
  /// per 64 bytes.
  void prefetchLines(mlir::Value rowAhead, mlir::Value unit, int64_t bytes);

  /// The packed weights and (with row prefetches) the per-group parameters
  /// as read-only buffers, for prefetches.
  mlir::Value packedBuffer;
  llvm::SmallVector<mlir::Value> paramBuffers;
};

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_KERNELBUILDER_H

//===- QuantizedRows.h - int8 rows and column chunks of kernels -*- C++ -*-===//
//
// What the kernels that quantize a lowbit.matmul's activations once per
// call, before their loops, share (BroadcastInt8Gemm, LutMatmul): the rows
// quantized to int8 with their scales and per-group sums of codes (split
// across threads over rows), per-group parameters transposed to rows, and
// the output columns split across threads with the epilogue applied to each
// chunk after the kernel's loops.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_QUANTIZEDROWS_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_QUANTIZEDROWS_H

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/IR/Builders.h"

namespace lowbit {

/// The loop over the chunks of one scale group of a row: [lower, upper) by
/// step.
struct QuantizedChunkLoop {
  mlir::Value lower, upper, step;
};

/// The tensors buildQuantizedRows fills and how it splits a row.
struct QuantizedRowsSpec {
  mlir::RankedTensorType codesType; ///< [M, ...]: what `store` writes
  int64_t groups = 1;               ///< scale groups along K
  int64_t width = 16;               ///< codes per chunk
  bool groupSums = false;           ///< keep each group's sum of codes
  bool parallel = false;            ///< split large inputs over rows
};

struct QuantizedRows {
  mlir::Value codes;     ///< codesType, as `store` wrote it
  mlir::Value scales;    ///< [M] f32
  mlir::Value groupSums; ///< [M, groups] i32 (null unless asked for)
};

/// Quantizes every row of `op`'s input (lowbit.matmul's definition: s =
/// max|x| / 127, or 1 for a zero row; q = clamp(round_even(x / s), -127,
/// 127); zero past K), chunk by chunk: `chunks` builds the bounds of group
/// `group`'s chunk loop, `column` the first column of K of the chunk at
/// induction variable `at`, and `store` returns `codes` with the chunk's
/// codes `q` (vector<width x i8>) stored for row `row` (relative to the
/// first row of `codes`).
QuantizedRows buildQuantizedRows(
    mlir::OpBuilder &b, MatmulOp op, const QuantizedRowsSpec &spec,
    llvm::function_ref<QuantizedChunkLoop(mlir::Value group)> chunks,
    llvm::function_ref<mlir::Value(mlir::Value at)> column,
    llvm::function_ref<mlir::Value(mlir::Value codes, mlir::Value row,
                                   mlir::Value at, mlir::Value column,
                                   mlir::Value q)>
        store);

/// [N, groups] -> [groups, N]: a group's parameters of consecutive columns
/// in a row (folded at compile time for constant parameters).
mlir::Value buildTransposedParams(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::Value params);

/// `op`'s [M, N] f32 result from `columns`, which computes the output
/// columns [first, end) into `out` (whose column 0 is column `origin`):
/// split across threads in chunks of a multiple of `granule` columns when
/// `parallel` and large, each chunk followed by the op's epilogue, applied
/// `lanes` columns at a time.
mlir::Value buildColumnChunks(
    mlir::OpBuilder &b, MatmulOp op, bool parallel, int64_t granule,
    int64_t lanes,
    llvm::function_ref<mlir::Value(mlir::Value out, mlir::Value first,
                                   mlir::Value end, mlir::Value origin)>
        columns);

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_QUANTIZEDROWS_H

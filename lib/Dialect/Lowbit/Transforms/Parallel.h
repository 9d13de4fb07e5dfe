//===- Parallel.h - splitting kernels' output across threads ----*- C++ -*-===//
//
// How lowbit-vectorize-matmul, lowbit-vectorize-integer-matmul and
// lowbit-vectorize-linalg split an op's output across threads: into chunks
// fixed at compile time (so each output element is computed by the same code
// whatever the thread count), as the iterations of one `scf.forall`, which
// the lowering turns into an OpenMP loop with a static schedule (each thread
// takes one contiguous range of chunks). Small ops stay serial: a fork and
// join costs microseconds.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_PARALLEL_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_PARALLEL_H

#include "mlir/IR/Builders.h"

namespace lowbit {

/// Multiply-adds (for elementwise ops, a quarter of the loop iterations)
/// from which an op is split across threads: 256K take ~10-20 us on one
/// core, while a fork and join of LLVM's OpenMP runtime measured 0.6 us with
/// one thread and 4-8 us with two on a loaded 2-core machine.
constexpr int64_t kMinParallelWork = int64_t(1) << 18;

/// Activation elements from which quantizing the rows of a dynamic int8
/// matmul is split across threads: 16K take ~5-8 us on one core (tinylm's
/// 64 x 256 inputs), several times a fork and join on an idle machine.
constexpr int64_t kMinParallelQuantize = int64_t(1) << 14;

/// Chunks of a parallel loop, at most: enough to balance a static schedule
/// over a few dozen threads, few enough that each stays coarse.
constexpr int64_t kMaxParallelChunks = 64;

/// The size of the chunks that split `extent` elements of a dimension into
/// at most kMaxParallelChunks parts, each a multiple of `granule` (the last
/// may be shorter) and at least `minChunk`; 0 when that leaves fewer than two
/// chunks (stay serial).
int64_t getParallelChunk(int64_t extent, int64_t granule, int64_t minChunk = 1);

/// Builds `scf.forall` over the chunks of `chunk` elements of dimension `dim`
/// of the 2-D tensor `init` (extent `extent`): each iteration passes the
/// slice of its chunk (dynamically sized: the last chunk may be shorter) and
/// the chunk's bounds [first, end) in `init`'s coordinates to `body`, which
/// returns the computed slice. Returns the forall's result.
mlir::Value buildParallelChunks(
    mlir::OpBuilder &b, mlir::Location loc, mlir::Value init, unsigned dim,
    int64_t extent, int64_t chunk,
    llvm::function_ref<mlir::Value(mlir::Value slice, mlir::Value first,
                                   mlir::Value end)>
        body);

/// The same over several tensors cut alike along `dim` (their ranks may
/// differ): `body` gets one slice of each and returns their computed slices.
llvm::SmallVector<mlir::Value> buildParallelChunks(
    mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange inits,
    unsigned dim, int64_t extent, int64_t chunk,
    llvm::function_ref<llvm::SmallVector<mlir::Value>(
        mlir::ValueRange slices, mlir::Value first, mlir::Value end)>
        body);

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_PARALLEL_H

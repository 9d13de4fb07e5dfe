//===- Epilogue.h - a lowbit.matmul epilogue on computed outputs -*- C++
//-*-===//
//
// How the vector kernels (KernelBuilder, BroadcastInt8Gemm) apply a
// lowbit.matmul's epilogue: on the outputs of a column block (or a thread's
// chunk of columns) once the kernel's loops have computed them, while they
// are in cache, one vector register of columns at a time.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_EPILOGUE_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_EPILOGUE_H

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/IR/Builders.h"

namespace lowbit {

/// `out` with `op`'s epilogue applied to its outputs of rows [firstRow,
/// endRow) in columns [begin, end) of the op's result (`out` holds them from
/// column `origin`, or 0 when null), `lanes` columns at a time.
mlir::Value applyEpilogue(mlir::OpBuilder &b, MatmulOp op, int64_t lanes,
                          mlir::Value out, int64_t firstRow, int64_t endRow,
                          mlir::Value begin, mlir::Value end,
                          mlir::Value origin);

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_EPILOGUE_H

//===- BroadcastInt8Gemm.h - outer-product int8 matmul kernels --*- C++ -*-===//
//
// lowbit.matmul with dynamic int8 activations on panel layouts
// (#lowbit.layout<int8_panel> / <int4_panel>) as outer-product ("broadcast")
// vector loops: each i32 lane accumulates one output column, so no
// horizontal reduction is needed.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_BROADCASTINT8GEMM_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_BROADCASTINT8GEMM_H

#include "../Int8Dot.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include <string>

namespace lowbit {

struct BroadcastGemmOptions {
  Int8Dot dot = Int8Dot::Generic;
  /// Split the output columns across threads (scf.forall) when large.
  bool parallel = false;
  /// Vector register width: 512, 256 or 128 (16, 8 or 4 i32 lanes).
  int64_t vectorBits = 512;
};

/// The outer-product kernel for `op` (f32, dynamic int8 activations, a
/// panel layout, static shapes, per-group scales whose groups are the
/// layout's blocks or per-channel / per-tensor scales), or failure with the
/// reason in `why` (nothing is built then).
mlir::FailureOr<mlir::Value>
buildBroadcastInt8Gemm(mlir::OpBuilder &b, MatmulOp op,
                       const BroadcastGemmOptions &options, std::string &why);

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_BROADCASTINT8GEMM_H

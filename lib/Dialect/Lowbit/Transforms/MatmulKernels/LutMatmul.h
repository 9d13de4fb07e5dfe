//===- LutMatmul.h - lookup-table matmul kernels (T-MAC) --------*- C++ -*-===//
//
// lowbit.matmul with dynamic int8 activations on bit-plane weights
// (#lowbit.layout<int2_planes>): per quad of 4 quantized activations the 16
// sums of its subsets are tabulated once per row, and every nibble of the
// weights (one bit plane of a quad of codes of one output column) reads its
// partial dot product from the table with lowbit.lookup_bytes (vpshufb /
// tbl). No multiplies of weights.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_LUTMATMUL_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_LUTMATMUL_H

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include <string>

namespace lowbit {

struct LutMatmulOptions {
  /// Split the output columns across threads (scf.forall) when large.
  bool parallel = false;
  /// Vector register width: 512 keeps four panels' accumulators in
  /// registers per table load, narrower one.
  int64_t vectorBits = 512;
};

/// The lookup-table kernel for `op` (f32, dynamic int8 activations, an
/// int2_planes layout, unsigned min/scale codes without a codebook in
/// groups that are whole blocks of 16 codes, at most 256), or failure with
/// the reason in `why` (nothing is built then).
mlir::FailureOr<mlir::Value> buildLutMatmul(mlir::OpBuilder &b, MatmulOp op,
                                            const LutMatmulOptions &options,
                                            std::string &why);

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_LUTMATMUL_H

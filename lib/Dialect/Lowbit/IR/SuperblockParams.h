//===- SuperblockParams.h - superblock parameter checks ---------*- C++ -*-===//
//
// Verifier helpers of the ops that take superblock parameter bytes
// (OpVerification.cpp); see lowbit.dequantize's description.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_IR_SUPERBLOCKPARAMS_H
#define LOWBIT_LIB_DIALECT_LOWBIT_IR_SUPERBLOCKPARAMS_H

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

namespace lowbit::superblock {

/// Checks superblock parameter bytes of codes of `shape` under `scheme`: a
/// min_scale scheme in groups along the last axis, i8 bytes, one row of
/// bytes per row of codes, no separate mins or zero points.
mlir::LogicalResult
verifySuperblockParams(llvm::function_ref<mlir::InFlightDiagnostic()> emitError,
                       llvm::ArrayRef<int64_t> shape, SchemeAttr scheme,
                       mlir::ShapedType scalesType,
                       mlir::ShapedType zeroPointsType,
                       mlir::ShapedType minsType);

/// Checks constant parameter bytes for rows of `rowLength` codes: every
/// decoded scale positive and finite, every min finite; no splats.
mlir::LogicalResult
verifySuperblockParamValues(llvm::function_ref<mlir::InFlightDiagnostic()> emit,
                            SchemeAttr scheme, mlir::ElementsAttr params,
                            int64_t rowLength);

} // namespace lowbit::superblock

#endif // LOWBIT_LIB_DIALECT_LOWBIT_IR_SUPERBLOCKPARAMS_H

//===- SuperblockLayouts.h - radix superblocks to linalg --------*- C++ -*-===//
//
// lowbit.unpack / lowbit.pack under #lowbit.layout<radix_superblock(R)> and
// the decoding of superblock parameter bytes, as linalg.generic ops that
// restate include/lowbit/Numerics/SuperblockRadix.h.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_SUPERBLOCKLAYOUTS_H
#define LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_SUPERBLOCKLAYOUTS_H

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

namespace lowbit {

/// Codes [..., K] of `op`'s result type (static K) from packed words: one
/// generic over the codes that decodes the digit holding each.
mlir::Value lowerSuperblockUnpack(mlir::OpBuilder &b, mlir::Location loc,
                                  UnpackOp op, mlir::Value packed);

/// Packed words of `op`'s result type from codes [..., K] (static K): one
/// generic over the words that encodes the n codes each holds.
mlir::Value lowerSuperblockPack(mlir::OpBuilder &b, mlir::Location loc,
                                PackOp op, mlir::Value codes);

/// The f32 scales and mins [..., ceil(K / g)] of superblock parameter bytes
/// [..., P] for rows of `rowLength` codes under `scheme`.
std::pair<mlir::Value, mlir::Value> decodeSuperblockParams(mlir::OpBuilder &b,
                                                           mlir::Location loc,
                                                           SchemeAttr scheme,
                                                           int64_t rowLength,
                                                           mlir::Value params);

} // namespace lowbit

#endif // LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_SUPERBLOCKLAYOUTS_H

//===- PanelLayouts.h - pack/unpack of panel layouts ------------*- C++ -*-===//
//
// lowbit.pack / lowbit.unpack under the panel layouts (int8_panel,
// int4_panel, int2_panel, int3_panel) as linalg.generic ops that restate
// numerics::panelPosition (include/lowbit/Numerics/Packing.h, "Panels").
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_PANELLAYOUTS_H
#define LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_PANELLAYOUTS_H

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

namespace lowbit {

/// Codes [..., N, K] of `op`'s result type from static packed panels
/// [..., ceil(N / 16), bytes]: one generic over the codes that reads the
/// byte holding each.
mlir::Value lowerPanelUnpack(mlir::OpBuilder &b, mlir::Location loc,
                             UnpackOp op, mlir::Value packed);

/// Packed panels of `op`'s result type from static codes [..., N, K]: one
/// generic over the bytes that reads the code(s) each holds (zero past N
/// and K).
mlir::Value lowerPanelPack(mlir::OpBuilder &b, mlir::Location loc, PackOp op,
                           mlir::Value codes);

/// radix_panel (RadixPanelLayout.cpp), called by the two above.
mlir::Value lowerRadixPanelUnpack(mlir::OpBuilder &b, mlir::Location loc,
                                  UnpackOp op, mlir::Value packed);
mlir::Value lowerRadixPanelPack(mlir::OpBuilder &b, mlir::Location loc,
                                PackOp op, mlir::Value codes, int64_t rows,
                                int64_t depth);

} // namespace lowbit

#endif // LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_PANELLAYOUTS_H

//===- SuperblockRadixMatmul.h - radix superblock matmul kernels -*- C++
//-*-===//
//
// lowbit.matmul with f32 activations on #lowbit.layout<radix_superblock(R)>
// weights (preset c11s128; numerics::SuperblockRadix.h). In a full
// superblock slot i of 16 consecutive words is 16 consecutive codes of
// group i, so the radix digit decode (RadixLayout.cpp's SlotDecoder) meets
// contiguous activations and one scale and min per decoded vector; the
// striped tail takes per-lane parameters fixed at compile time.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_SUPERBLOCKRADIXMATMUL_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_SUPERBLOCKRADIXMATMUL_H

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include <string>

namespace lowbit {

/// The vector kernel for `op` (f32 activations, a radix_superblock layout of
/// 32-bit words, groups of a multiple of 16 codes, evenly spaced levels), or
/// failure with the reason in `why` (nothing is built then).
/// `parallel` splits the output columns across threads when large.
mlir::FailureOr<mlir::Value> buildSuperblockRadixMatmul(mlir::OpBuilder &b,
                                                        MatmulOp op,
                                                        bool parallel,
                                                        std::string &why);

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_SUPERBLOCKRADIXMATMUL_H

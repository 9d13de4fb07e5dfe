//===- VectorEmission.h - one-line helpers of the kernels ------*- C++ -*-===//
//
// The index arithmetic, constants, vector types and splats that every
// matmul kernel builder emits at one location: KernelEmitter (and so every
// part of the segment kernels), LutMatmul and BroadcastGemm derive from it.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_VECTOREMISSION_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_VECTOREMISSION_H

#include "mlir/IR/Builders.h"

namespace lowbit {

class VectorEmission {
public:
  VectorEmission(mlir::OpBuilder &b, mlir::Location loc) : b(b), loc(loc) {}

  // Index arithmetic.
  mlir::Value index(int64_t value);
  mlir::Value add(mlir::Value x, mlir::Value y);
  mlir::Value add(mlir::Value x, int64_t y);
  mlir::Value mul(mlir::Value x, int64_t y);

  // Constants, vector types and splats.
  mlir::Value intConstant(mlir::Type type, int64_t value);
  mlir::Value f32Constant(float value);
  mlir::VectorType vectorOf(int64_t lanes, mlir::Type element);
  mlir::Value splat(mlir::Value scalar, int64_t lanes);

protected:
  mlir::OpBuilder &b;
  mlir::Location loc;
};

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_VECTOREMISSION_H

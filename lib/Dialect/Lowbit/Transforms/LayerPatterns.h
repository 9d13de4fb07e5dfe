//===- LayerPatterns.h - matchers for the layers of exported models -*- C++ -*-===//
//
// Small matchers shared by the passes that recognize layers in
// linalg-on-tensors models: zero-filled accumulators, row-broadcast bias
// additions, ReLU, and values computed from constants alone.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_LAYERPATTERNS_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_LAYERPATTERNS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>
#include <vector>

namespace lowbit {

/// Whether `value` is floating-point zero: a linalg.fill of zero or a zero
/// constant.
bool isZeroFilled(mlir::Value value);

/// The indexing maps of an elementwise op over [M, N]: the identity
/// (m, n) -> (m, n), and (m, n) -> (n) for an [N] operand broadcast along
/// the rows.
std::pair<mlir::AffineMap, mlir::AffineMap>
getMatrixAndRowMaps(mlir::MLIRContext *context);

/// If `op` adds a [N] vector to each row of `value` (out[m, n] = value[m, n]
/// + bias[n]), returns the bias.
mlir::Value matchBiasAdd(mlir::linalg::GenericOp op, mlir::Value value);

/// Whether `op` is an elementwise ReLU of its single input: max(x, 0) as
/// arith.maximumf / arith.maxnumf, or select(x > 0, x, 0) with an ordered or
/// unordered greater-than.
bool isRelu(mlir::linalg::GenericOp op);

/// Whether `op` is elementwise: all loops parallel, identity output map, one
/// result.
bool isElementwise(mlir::linalg::GenericOp op);

/// Whether `value` is computed from constants alone (constants, tensor.empty,
/// and linalg / tensor ops over such values), e.g. a transposed weight.
bool isComputedFromConstants(mlir::Value value);

/// The elements of a float constant (dense or dense_resource; f32, f16 or
/// bf16) as f32, or nothing when `value` is not such a constant.
std::optional<std::vector<float>> getConstantFloats(mlir::Value value);

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_LAYERPATTERNS_H

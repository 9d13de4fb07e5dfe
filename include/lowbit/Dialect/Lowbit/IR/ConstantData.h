//===- ConstantData.h - reading and writing constant payloads ----*- C++ -*-===//
//
// Helpers that move integer payloads between `dense` / `dense_resource`
// constants and the numerics library's packers.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_CONSTANTDATA_H
#define LOWBIT_DIALECT_LOWBIT_IR_CONSTANTDATA_H

#include "lowbit/Numerics/Packing.h"

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"

#include <vector>

namespace lowbit {

/// Reads the integer elements of a dense or dense_resource constant as
/// int64 values, sign-extended from the element width (zero-extended when
/// `zeroExtend`). Fails when the payload is unavailable or not integer.
mlir::FailureOr<std::vector<int64_t>> readIntegers(mlir::ElementsAttr attr,
                                                   bool zeroExtend);

/// Reads constant codes as `codeBits`-bit patterns (two's complement for
/// signed codes). Fails when a code is outside [-2^(b-1), 2^(b-1)) for
/// signed codes or [0, 2^b) for unsigned ones.
mlir::FailureOr<std::vector<uint8_t>>
readCodePatterns(mlir::ElementsAttr codes, unsigned codeBits, bool signedCodes);

/// Packs `patterns` (rows of `rowLength` codes) into a constant of
/// `packedType`, as a dense_resource blob when `asResource`.
mlir::ElementsAttr packRows(const numerics::PackFormat &format,
                            llvm::ArrayRef<uint8_t> patterns,
                            int64_t rowLength, mlir::ShapedType packedType,
                            bool asResource);

/// Unpacks a constant of packed storage into codes of `codesType`,
/// sign-extending `codeBits`-bit patterns when `signedCodes`. Returns null
/// when the payload is unavailable.
mlir::ElementsAttr unpackRows(const numerics::PackFormat &format,
                              mlir::ElementsAttr packed,
                              mlir::ShapedType codesType, bool signedCodes,
                              bool asResource);

/// Builds an integer constant of `type` (element width 8, 16, 32 or 64, or
/// any width for dense) from int64 values.
mlir::ElementsAttr makeIntegerConstant(mlir::ShapedType type,
                                       llvm::ArrayRef<int64_t> values,
                                       bool asResource);

} // namespace lowbit

#endif // LOWBIT_DIALECT_LOWBIT_IR_CONSTANTDATA_H

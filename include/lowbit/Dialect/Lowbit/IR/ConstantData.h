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

#include <optional>
#include <vector>

namespace lowbit {

/// The default limit on the bytes of one constant that passes expand in
/// memory (the `max-constant-bytes` pass options; folders use it as is).
constexpr uint64_t kDefaultMaxConstantBytes = uint64_t(4) << 30; // 4 GiB

/// The bytes a constant of `type` takes in memory once expanded (a splat
/// is stored as one element but read, packed or lowered as all of them),
/// saturating at UINT64_MAX; std::nullopt for a dynamic shape.
std::optional<uint64_t> getExpandedBytes(mlir::ShapedType type);

/// Whether a constant of `type` may be expanded under `limit` bytes.
bool fitsConstantLimit(mlir::ShapedType type,
                       uint64_t limit = kDefaultMaxConstantBytes);

/// Emits an error at `op` and fails when a constant of `type` would take
/// more than `limit` bytes expanded: its size, the limit and the option.
mlir::LogicalResult checkConstantBytes(mlir::Operation *op,
                                       mlir::ShapedType type, uint64_t limit);

/// Reads the integer elements of a dense or dense_resource constant as
/// int64 values, sign-extended from the element width (zero-extended when
/// `zeroExtend`). Fails when the payload is unavailable or not integer.
mlir::FailureOr<std::vector<int64_t>> readIntegers(mlir::ElementsAttr attr,
                                                   bool zeroExtend);

/// Reads the float elements (f32, f16 or bf16) of a dense or dense_resource
/// constant as f32 values. Fails when the payload is unavailable.
mlir::FailureOr<std::vector<float>> readFloats(mlir::ElementsAttr attr);

/// The f32 payload of a non-splat dense or dense_resource constant, viewed
/// in place without a copy; empty when the constant is not stored that way.
llvm::ArrayRef<float> viewFloats(mlir::ElementsAttr attr);

/// Builds a float constant of `type` (f32 or f16; f16 values are rounded to
/// nearest even) from f32 values.
mlir::ElementsAttr makeFloatConstant(mlir::ShapedType type,
                                     llvm::ArrayRef<float> values,
                                     bool asResource,
                                     llvm::StringRef resourceName = "lowbit_constant");

/// The name of a weight: its dense_resource key, or empty.
llvm::StringRef getResourceName(mlir::ElementsAttr attr);

/// Reads constant codes as `codeBits`-bit patterns (two's complement for
/// signed codes). Fails when a code is outside [-2^(b-1), 2^(b-1)) for
/// signed codes or [0, 2^b) for unsigned ones.
mlir::FailureOr<std::vector<uint8_t>>
readCodePatterns(mlir::ElementsAttr codes, unsigned codeBits, bool signedCodes);

/// Packs `patterns` (rows of `rowLength` codes) into a constant of
/// `packedType`, as a dense_resource blob when `asResource`. Panel formats
/// pack the matrices that `packedType`'s leading dimensions index.
mlir::ElementsAttr packRows(const numerics::PackFormat &format,
                            llvm::ArrayRef<uint8_t> patterns,
                            int64_t rowLength, mlir::ShapedType packedType,
                            bool asResource,
                            llvm::StringRef resourceName = "lowbit_constant");

/// Unpacks a constant of packed storage into codes of `codesType`,
/// sign-extending `codeBits`-bit patterns when `signedCodes`. Returns null
/// when the payload is unavailable.
mlir::ElementsAttr unpackRows(const numerics::PackFormat &format,
                              mlir::ElementsAttr packed,
                              mlir::ShapedType codesType, bool signedCodes,
                              bool asResource);

/// Wraps raw host-order element data (`elementBytes` per element) as a
/// constant of `type`, as a dense_resource blob named after `resourceName`
/// when `asResource`.
mlir::ElementsAttr makeRawConstant(mlir::ShapedType type,
                                   llvm::ArrayRef<char> data,
                                   size_t alignment, bool asResource,
                                   llvm::StringRef resourceName);

template <typename T>
mlir::ElementsAttr makeRawConstant(mlir::ShapedType type,
                                   llvm::ArrayRef<T> data, bool asResource,
                                   llvm::StringRef resourceName = "lowbit_constant") {
  return makeRawConstant(
      type,
      llvm::ArrayRef<char>(reinterpret_cast<const char *>(data.data()),
                           data.size() * sizeof(T)),
      alignof(T), asResource, resourceName);
}

/// Builds an integer constant of `type` (element width 8, 16, 32 or 64, or
/// any width for dense) from int64 values.
mlir::ElementsAttr makeIntegerConstant(mlir::ShapedType type,
                                       llvm::ArrayRef<int64_t> values,
                                       bool asResource);

} // namespace lowbit

#endif // LOWBIT_DIALECT_LOWBIT_IR_CONSTANTDATA_H

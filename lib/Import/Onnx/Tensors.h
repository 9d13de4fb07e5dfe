//===- Tensors.h - ONNX tensors as MLIR attributes --------------*- C++ -*-===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_TENSORS_H
#define LOWBIT_LIB_IMPORT_ONNX_TENSORS_H

#include "onnx/onnx_pb.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace lowbit::onnx_import {

/// The most elements one tensor (an initializer or an inferred value) may
/// have: beyond it element counts and byte sizes could overflow int64, and
/// allocations would fail instead of ending in a located error.
constexpr int64_t kMaxTensorElements = int64_t(1) << 32;

/// The element count of `dims`; nullopt when a dimension is negative or the
/// count exceeds kMaxTensorElements (checked without overflowing).
std::optional<int64_t> checkedElementCount(llvm::ArrayRef<int64_t> dims);

/// The bytes of a tensor in MLIR's dense layout (little endian, one byte per
/// bool), from raw_data, the typed fields or an external data file resolved
/// against `baseDirectory`. Emits a located error on failure.
mlir::FailureOr<std::string> readTensorBytes(const onnx::TensorProto &tensor,
                                             llvm::StringRef baseDirectory,
                                             mlir::Location loc);

/// The tensor as an attribute: a dense_resource blob named after the tensor
/// (small tensors and bools as dense literals, which folders can read).
mlir::FailureOr<mlir::ElementsAttr>
convertTensor(const onnx::TensorProto &tensor, llvm::StringRef baseDirectory,
              mlir::Location loc);

/// The values of an integer or floating-point tensor; nullopt for other
/// element types (fp16, bf16) or unreadable data (with a diagnostic).
std::optional<llvm::SmallVector<int64_t>>
readTensorInts(const onnx::TensorProto &tensor, llvm::StringRef baseDirectory,
               mlir::Location loc);
std::optional<llvm::SmallVector<double>>
readTensorFloats(const onnx::TensorProto &tensor, llvm::StringRef baseDirectory,
                 mlir::Location loc);

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_TENSORS_H

//===- TensorData.h - ONNX TensorProto files as raw buffers -----*- C++ -*-===//
//
// The backend test data stores every input and expected output as a
// serialized onnx.TensorProto, with the values either in raw_data (little
// endian) or in the typed repeated fields (float_data, int32_data for every
// type of 32 bits or less, int64_data, double_data, uint64_data). Both become
// one dense row-major buffer of the element type's C ABI width here, which is
// what the compiled model reads and writes (a bool is one byte).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_ONNXCONFORMANCE_TENSORDATA_H
#define LOWBIT_TOOLS_ONNXCONFORMANCE_TENSORDATA_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit::onnx_conformance {

/// A dense tensor: `dataType` is the onnx.TensorProto.DataType number.
struct TensorData {
  std::string name;
  int dataType = 0;
  llvm::SmallVector<int64_t> dims;
  std::vector<uint8_t> bytes;

  int64_t getNumElements() const;
};

/// Bytes per element at the C ABI (bool: 1), or 0 for types without a
/// buffer form (string, complex, undefined).
unsigned getElementSize(int dataType);
/// "FLOAT", "INT64", ... for messages.
llvm::StringRef getDataTypeName(int dataType);
bool isFloatingPoint(int dataType);

/// Parses a serialized TensorProto.
llvm::Expected<TensorData> parseTensor(llvm::StringRef bytes);
/// Reads and parses a `.pb` file.
llvm::Expected<TensorData> readTensorFile(llvm::StringRef path);

/// Element `index` of a tensor of `dataType` as a double (f16/bf16 widened,
/// unsigned types as unsigned), for comparisons and messages.
double getElementAsDouble(int dataType, const uint8_t *data, int64_t index);

} // namespace lowbit::onnx_conformance

#endif // LOWBIT_TOOLS_ONNXCONFORMANCE_TENSORDATA_H

//===- TensorData.cpp - ONNX TensorProto files as raw buffers -------------===//

#include "TensorData.h"

#include "lowbit/Numerics/Float16.h"

#include "onnx/onnx_pb.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstring>

using namespace llvm;

namespace lowbit::onnx_conformance {

using Proto = ::onnx::TensorProto;

int64_t TensorData::getNumElements() const {
  int64_t count = 1;
  for (int64_t dim : dims)
    count *= dim;
  return count;
}

unsigned getElementSize(int dataType) {
  switch (dataType) {
  case Proto::FLOAT:
  case Proto::INT32:
  case Proto::UINT32:
    return 4;
  case Proto::DOUBLE:
  case Proto::INT64:
  case Proto::UINT64:
    return 8;
  case Proto::FLOAT16:
  case Proto::BFLOAT16:
  case Proto::INT16:
  case Proto::UINT16:
    return 2;
  case Proto::INT8:
  case Proto::UINT8:
  case Proto::BOOL:
    return 1;
  default:
    return 0;
  }
}

StringRef getDataTypeName(int dataType) {
  if (!Proto::DataType_IsValid(dataType))
    return "INVALID";
  return Proto::DataType_Name(static_cast<Proto::DataType>(dataType));
}

bool isFloatingPoint(int dataType) {
  return dataType == Proto::FLOAT || dataType == Proto::DOUBLE ||
         dataType == Proto::FLOAT16 || dataType == Proto::BFLOAT16;
}

/// Copies a typed repeated field into `out`, narrowing each value to the
/// element width (int32_data holds int8 ... uint16, bool and the bits of
/// f16/bf16; the narrowing keeps the low bytes, little endian).
template <typename Field>
static void copyNarrowed(const Field &field, unsigned size,
                         std::vector<uint8_t> &out) {
  out.resize(static_cast<size_t>(field.size()) * size);
  for (int i = 0; i < field.size(); ++i) {
    auto value = field.Get(i);
    if (sizeof(value) == size) {
      std::memcpy(out.data() + size_t(i) * size, &value, size);
      continue;
    }
    uint64_t bits = static_cast<uint64_t>(static_cast<int64_t>(value));
    std::memcpy(out.data() + size_t(i) * size, &bits, size);
  }
}

Expected<TensorData> parseTensor(StringRef bytes) {
  Proto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return createStringError("not a serialized onnx.TensorProto");
  TensorData tensor;
  tensor.name = proto.name();
  tensor.dataType = proto.data_type();
  tensor.dims.assign(proto.dims().begin(), proto.dims().end());
  unsigned size = getElementSize(tensor.dataType);
  if (size == 0)
    return createStringError("tensor '" + tensor.name + "' has element type " +
                             getDataTypeName(tensor.dataType).str() +
                             ", which has no buffer form");
  if (proto.data_location() == Proto::EXTERNAL)
    return createStringError("tensor '" + tensor.name +
                             "' keeps its data externally");

  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    tensor.bytes.assign(raw.begin(), raw.end());
  } else {
    switch (tensor.dataType) {
    case Proto::FLOAT:
      copyNarrowed(proto.float_data(), size, tensor.bytes);
      break;
    case Proto::DOUBLE:
      copyNarrowed(proto.double_data(), size, tensor.bytes);
      break;
    case Proto::INT64:
      copyNarrowed(proto.int64_data(), size, tensor.bytes);
      break;
    case Proto::UINT32:
    case Proto::UINT64:
      copyNarrowed(proto.uint64_data(), size, tensor.bytes);
      break;
    default: // int8 ... int32, uint8, uint16, bool, float16, bfloat16
      copyNarrowed(proto.int32_data(), size, tensor.bytes);
      break;
    }
  }
  uint64_t expected = static_cast<uint64_t>(tensor.getNumElements()) * size;
  if (tensor.bytes.size() != expected)
    return createStringError("tensor '" + tensor.name + "' holds " +
                             Twine(tensor.bytes.size()) +
                             " bytes, its shape "
                             "needs " +
                             Twine(expected));
  return tensor;
}

Expected<TensorData> readTensorFile(StringRef path) {
  auto file = MemoryBuffer::getFile(path, /*IsText=*/false,
                                    /*RequiresNullTerminator=*/false);
  if (!file)
    return createStringError(path + ": " + file.getError().message());
  auto tensor = parseTensor((*file)->getBuffer());
  if (!tensor)
    return createStringError(path + ": " + toString(tensor.takeError()));
  return tensor;
}

template <typename T> static T load(const uint8_t *data, int64_t index) {
  T value;
  std::memcpy(&value, data + index * sizeof(T), sizeof(T));
  return value;
}

double getElementAsDouble(int dataType, const uint8_t *data, int64_t index) {
  switch (dataType) {
  case Proto::FLOAT:
    return load<float>(data, index);
  case Proto::DOUBLE:
    return load<double>(data, index);
  case Proto::FLOAT16:
    return numerics::halfBitsToFloat(load<uint16_t>(data, index));
  case Proto::BFLOAT16:
    return numerics::bf16BitsToFloat(load<uint16_t>(data, index));
  case Proto::INT8:
    return load<int8_t>(data, index);
  case Proto::UINT8:
  case Proto::BOOL:
    return load<uint8_t>(data, index);
  case Proto::INT16:
    return load<int16_t>(data, index);
  case Proto::UINT16:
    return load<uint16_t>(data, index);
  case Proto::INT32:
    return load<int32_t>(data, index);
  case Proto::UINT32:
    return load<uint32_t>(data, index);
  case Proto::INT64:
    return static_cast<double>(load<int64_t>(data, index));
  case Proto::UINT64:
    return static_cast<double>(load<uint64_t>(data, index));
  default:
    return 0.0;
  }
}

} // namespace lowbit::onnx_conformance

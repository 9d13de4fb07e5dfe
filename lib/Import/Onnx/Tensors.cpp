//===- Tensors.cpp - ONNX tensors as MLIR attributes ----------------------===//

#include "Tensors.h"
#include "Converters.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;
using namespace lowbit::onnx_import;
using onnx::TensorProto;

/// Bytes per element in MLIR's dense layout; 0 when unsupported.
static int64_t elementBytes(int32_t type) {
  switch (type) {
  case TensorProto::BOOL:
  case TensorProto::INT8:
  case TensorProto::UINT8:
    return 1;
  case TensorProto::INT16:
  case TensorProto::UINT16:
  case TensorProto::FLOAT16:
  case TensorProto::BFLOAT16:
    return 2;
  case TensorProto::INT32:
  case TensorProto::UINT32:
  case TensorProto::FLOAT:
    return 4;
  case TensorProto::INT64:
  case TensorProto::UINT64:
  case TensorProto::DOUBLE:
    return 8;
  default:
    return 0;
  }
}

static std::string tensorName(const TensorProto &tensor) {
  return tensor.name().empty() ? std::string("<unnamed tensor>")
                               : "'" + tensor.name() + "'";
}

/// Appends the low `bytes` bytes of `value` (little endian host).
static void appendValue(std::string &out, uint64_t value, int64_t bytes) {
  char buffer[8];
  std::memcpy(buffer, &value, 8);
  out.append(buffer, bytes);
}

static FailureOr<std::string>
readExternal(const TensorProto &tensor, StringRef baseDirectory, Location loc) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    if (entry.key() == "location") {
      location = entry.value();
      continue;
    }
    if (entry.key() != "offset" && entry.key() != "length")
      continue;
    // Not std::stoll: built without exceptions, a bad number would abort.
    int64_t &value = entry.key() == "offset" ? offset : length;
    if (StringRef(entry.value()).getAsInteger(10, value) || value < 0)
      return emitError(loc)
                 << "external data " << entry.key() << " '" << entry.value()
                 << "' of initializer " << tensorName(tensor)
                 << " is not a non-negative integer",
             failure();
  }
  if (location.empty())
    return emitError(loc) << "initializer " << tensorName(tensor)
                          << " has external data without a location",
           failure();
  // The ONNX spec: relative to the model's directory. A model names no file
  // outside it (ONNX's checker rejects absolute paths and `..` too).
  if (llvm::sys::path::is_absolute(location) ||
      llvm::is_contained(llvm::make_range(llvm::sys::path::begin(location),
                                          llvm::sys::path::end(location)),
                         ".."))
    return emitError(loc) << "external data location '" << location
                          << "' of initializer " << tensorName(tensor)
                          << " is not a path below the model's directory",
           failure();
  SmallString<256> path(baseDirectory);
  llvm::sys::path::append(path, location);
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return emitError(loc) << "cannot read external data of initializer "
                          << tensorName(tensor) << " from '" << path
                          << "': " << file.getError().message(),
           failure();
  StringRef data = (*file)->getBuffer();
  if (offset < 0 || offset > (int64_t)data.size())
    return emitError(loc) << "external data offset " << offset
                          << " of initializer " << tensorName(tensor)
                          << " is beyond the end of '" << path << "' ("
                          << data.size() << " bytes)",
           failure();
  data = data.drop_front(offset);
  if (length >= 0) {
    if (length > (int64_t)data.size())
      return emitError(loc)
                 << "external data of initializer " << tensorName(tensor)
                 << " needs " << length << " bytes at offset " << offset
                 << " of '" << path << "', which has " << data.size() + offset,
             failure();
    data = data.take_front(length);
  }
  return data.str();
}

std::optional<int64_t>
lowbit::onnx_import::checkedElementCount(ArrayRef<int64_t> dims) {
  int64_t count = 1;
  for (int64_t dim : dims) {
    if (dim < 0)
      return std::nullopt;
    // A zero anywhere makes the count 0, whatever the other dimensions are.
    if (dim == 0)
      return 0;
  }
  for (int64_t dim : dims) {
    if (dim > kMaxTensorElements / count)
      return std::nullopt;
    count *= dim;
  }
  return count;
}

FailureOr<std::string>
lowbit::onnx_import::readTensorBytes(const TensorProto &tensor,
                                     StringRef baseDirectory, Location loc) {
  int32_t type = tensor.data_type();
  int64_t width = elementBytes(type);
  if (!width)
    return emitUnsupported(loc)
               << "initializer " << tensorName(tensor)
               << " has unsupported element type "
               << TensorProto::DataType_Name((TensorProto::DataType)type),
           failure();
  if (llvm::any_of(tensor.dims(), [](int64_t d) { return d < 0; }))
    return emitError(loc) << "initializer " << tensorName(tensor)
                          << " has a negative dimension",
           failure();
  SmallVector<int64_t> dims(tensor.dims().begin(), tensor.dims().end());
  std::optional<int64_t> count = checkedElementCount(dims);
  if (!count)
    return emitError(loc) << "initializer " << tensorName(tensor)
                          << " has more than " << kMaxTensorElements
                          << " elements",
           failure();
  int64_t expected = *count * width;

  std::string bytes;
  if (tensor.data_location() == TensorProto::EXTERNAL) {
    FailureOr<std::string> external = readExternal(tensor, baseDirectory, loc);
    if (failed(external))
      return failure();
    bytes = std::move(*external);
  } else if (tensor.has_raw_data()) {
    bytes = tensor.raw_data();
  } else {
    switch (type) {
    case TensorProto::FLOAT:
      for (float v : tensor.float_data())
        bytes.append(reinterpret_cast<const char *>(&v), 4);
      break;
    case TensorProto::DOUBLE:
      for (double v : tensor.double_data())
        bytes.append(reinterpret_cast<const char *>(&v), 8);
      break;
    case TensorProto::INT64:
      for (int64_t v : tensor.int64_data())
        appendValue(bytes, v, 8);
      break;
    case TensorProto::UINT32:
    case TensorProto::UINT64:
      for (uint64_t v : tensor.uint64_data())
        appendValue(bytes, v, width);
      break;
    default:
      // int32_data holds every narrower type, one value per entry (fp16 and
      // bf16 as their bit patterns).
      for (int32_t v : tensor.int32_data())
        appendValue(bytes, (uint64_t)(int64_t)v, width);
      break;
    }
  }
  if ((int64_t)bytes.size() != expected)
    return emitError(loc) << "initializer " << tensorName(tensor) << " holds "
                          << bytes.size() << " bytes of data, but its shape "
                          << "and element type need " << expected,
           failure();
  if (type == TensorProto::BOOL)
    for (char &c : bytes)
      c = c != 0;
  return bytes;
}

FailureOr<ElementsAttr>
lowbit::onnx_import::convertTensor(const TensorProto &tensor,
                                   StringRef baseDirectory, Location loc) {
  MLIRContext *context = loc.getContext();
  Type elementType = convertElementType(context, tensor.data_type());
  if (!elementType)
    return emitUnsupported(loc)
               << "initializer " << tensorName(tensor)
               << " has unsupported element type "
               << TensorProto::DataType_Name(
                      (TensorProto::DataType)tensor.data_type()),
           failure();
  FailureOr<std::string> bytes = readTensorBytes(tensor, baseDirectory, loc);
  if (failed(bytes))
    return failure();
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  auto type = RankedTensorType::get(shape, elementType);
  if (elementType.isInteger(1)) {
    SmallVector<bool> values;
    for (char c : *bytes)
      values.push_back(c != 0);
    return ElementsAttr(DenseElementsAttr::get(type, values));
  }
  // Small tensors (scalars, shapes, axes) stay literal so that folders and
  // the reader of the IR see them; weights become resource blobs.
  if (type.getNumElements() <= 16) {
    bool detectedSplat = false;
    if (!DenseElementsAttr::isValidRawBuffer(type, *bytes, detectedSplat))
      return emitError(loc) << "initializer " << tensorName(tensor)
                            << " has malformed data",
             failure();
    return ElementsAttr(DenseElementsAttr::getFromRawBuffer(type, *bytes));
  }
  std::string name = tensor.name().empty() ? "onnx_tensor" : tensor.name();
  return ElementsAttr(DenseResourceElementsAttr::get(
      type, name,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(
          ArrayRef<char>(bytes->data(), bytes->size()),
          elementBytes(tensor.data_type()))));
}

/// Decodes element `i` of a dense byte buffer as double.
static std::optional<double> decodeElement(int32_t type, const char *p) {
  switch (type) {
#define CASE(ENUM, T)                                                          \
  case TensorProto::ENUM: {                                                    \
    T v;                                                                       \
    std::memcpy(&v, p, sizeof(T));                                             \
    return (double)v;                                                          \
  }
    CASE(BOOL, uint8_t)
    CASE(INT8, int8_t)
    CASE(UINT8, uint8_t)
    CASE(INT16, int16_t)
    CASE(UINT16, uint16_t)
    CASE(INT32, int32_t)
    CASE(UINT32, uint32_t)
    CASE(INT64, int64_t)
    CASE(UINT64, uint64_t)
    CASE(FLOAT, float)
    CASE(DOUBLE, double)
#undef CASE
  default:
    return std::nullopt;
  }
}

std::optional<SmallVector<double>>
lowbit::onnx_import::readTensorFloats(const TensorProto &tensor,
                                      StringRef baseDirectory, Location loc) {
  FailureOr<std::string> bytes = readTensorBytes(tensor, baseDirectory, loc);
  if (failed(bytes))
    return std::nullopt;
  int64_t width = elementBytes(tensor.data_type());
  SmallVector<double> values;
  for (size_t i = 0; i < bytes->size(); i += width) {
    std::optional<double> v = decodeElement(tensor.data_type(), &(*bytes)[i]);
    if (!v)
      return std::nullopt;
    values.push_back(*v);
  }
  return values;
}

std::optional<SmallVector<int64_t>>
lowbit::onnx_import::readTensorInts(const TensorProto &tensor,
                                    StringRef baseDirectory, Location loc) {
  if (tensor.data_type() == TensorProto::INT64) {
    // Exact: INT64_MAX (a Slice end meaning "to the end") is not a double.
    FailureOr<std::string> bytes = readTensorBytes(tensor, baseDirectory, loc);
    if (failed(bytes))
      return std::nullopt;
    SmallVector<int64_t> ints(bytes->size() / 8);
    std::memcpy(ints.data(), bytes->data(), ints.size() * 8);
    return ints;
  }
  std::optional<SmallVector<double>> values =
      readTensorFloats(tensor, baseDirectory, loc);
  // Floats outside int64's range (or NaN) are no integers to read.
  if (!values || llvm::any_of(*values, [](double v) {
        return !(v >= -0x1p63 && v < 0x1p63);
      }))
    return std::nullopt;
  return SmallVector<int64_t>(
      llvm::map_range(*values, [](double v) { return (int64_t)v; }));
}

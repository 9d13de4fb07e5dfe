//===- ConstantData.cpp - reading and writing constant payloads -----------===//

#include "lowbit/Dialect/Lowbit/IR/ConstantData.h"
#include "lowbit/Numerics/Float16.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include "llvm/Support/MathExtras.h"

#include <cstring>

using namespace mlir;
using namespace lowbit;

std::optional<uint64_t> lowbit::getExpandedBytes(ShapedType type) {
  if (!type.hasStaticShape())
    return std::nullopt;
  uint64_t bytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
  bool overflow = false;
  for (int64_t dim : type.getShape()) {
    bytes = llvm::SaturatingMultiply(bytes, uint64_t(dim), &overflow);
    if (overflow)
      return UINT64_MAX;
  }
  return bytes;
}

bool lowbit::fitsConstantLimit(ShapedType type, uint64_t limit) {
  std::optional<uint64_t> bytes = getExpandedBytes(type);
  return bytes && *bytes <= limit;
}

LogicalResult lowbit::checkConstantBytes(Operation *op, ShapedType type,
                                         uint64_t limit) {
  std::optional<uint64_t> bytes = getExpandedBytes(type);
  if (!bytes || *bytes <= limit)
    return success();
  InFlightDiagnostic diag = op->emitError()
                            << "constant of type " << type << " takes ";
  if (*bytes == UINT64_MAX)
    diag << "more than 2^64";
  else
    diag << *bytes;
  return diag << " bytes in memory once expanded, over the limit of " << limit
              << " bytes (option max-constant-bytes)";
}

/// Reads one little-endian integer of `bytes` bytes.
static int64_t loadInteger(const char *data, unsigned bytes, bool zeroExtend) {
  switch (bytes) {
  case 1: {
    int8_t v;
    std::memcpy(&v, data, 1);
    return zeroExtend ? int64_t(uint8_t(v)) : int64_t(v);
  }
  case 2: {
    int16_t v;
    std::memcpy(&v, data, 2);
    return zeroExtend ? int64_t(uint16_t(v)) : int64_t(v);
  }
  case 4: {
    int32_t v;
    std::memcpy(&v, data, 4);
    return zeroExtend ? int64_t(uint32_t(v)) : int64_t(v);
  }
  default: {
    int64_t v;
    std::memcpy(&v, data, 8);
    return v;
  }
  }
}

FailureOr<std::vector<int64_t>> lowbit::readIntegers(ElementsAttr attr,
                                                     bool zeroExtend) {
  auto type = cast<ShapedType>(attr.getType());
  auto intType = dyn_cast<IntegerType>(type.getElementType());
  if (!intType || !type.hasStaticShape())
    return failure();
  unsigned width = intType.getWidth();
  int64_t count = type.getNumElements();
  std::vector<int64_t> values;
  values.reserve(count);

  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    if (width != 8 && width != 16 && width != 32 && width != 64)
      return failure();
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return failure();
    ArrayRef<char> data = blob->getData();
    unsigned bytes = width / 8;
    if (int64_t(data.size()) != count * bytes)
      return failure();
    for (int64_t i = 0; i < count; ++i)
      values.push_back(loadInteger(data.data() + i * bytes, bytes, zeroExtend));
    return values;
  }
  auto dense = dyn_cast<DenseIntElementsAttr>(attr);
  if (!dense)
    return failure();
  for (const APInt &value : dense.getValues<APInt>())
    values.push_back(zeroExtend ? int64_t(value.getZExtValue())
                                : value.getSExtValue());
  return values;
}

FailureOr<std::vector<uint8_t>>
lowbit::readCodePatterns(ElementsAttr codes, unsigned codeBits,
                         bool signedCodes) {
  FailureOr<std::vector<int64_t>> values =
      readIntegers(codes, /*zeroExtend=*/!signedCodes);
  if (failed(values))
    return failure();
  int64_t lo = signedCodes ? -(int64_t(1) << (codeBits - 1)) : 0;
  int64_t hi = signedCodes ? (int64_t(1) << (codeBits - 1))
                           : (int64_t(1) << codeBits);
  uint64_t mask = (uint64_t(1) << codeBits) - 1;
  std::vector<uint8_t> patterns;
  patterns.reserve(values->size());
  for (int64_t value : *values) {
    if (value < lo || value >= hi)
      return failure();
    patterns.push_back(uint8_t(uint64_t(value) & mask));
  }
  return patterns;
}

ElementsAttr lowbit::makeRawConstant(ShapedType type, ArrayRef<char> data,
                                     size_t alignment, bool asResource,
                                     StringRef resourceName) {
  if (asResource)
    return DenseResourceElementsAttr::get(
        type, resourceName,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(data, alignment));
  return DenseElementsAttr::getFromRawBuffer(type, data);
}

ElementsAttr lowbit::packRows(const numerics::PackFormat &format,
                              ArrayRef<uint8_t> patterns, int64_t rowLength,
                              ShapedType packedType, bool asResource,
                              StringRef resourceName) {
  int64_t rows = rowLength ? int64_t(patterns.size()) / rowLength : 0;
  int64_t units = numerics::packedUnitsPerRow(format, rowLength);
  if (numerics::isPanelFormat(format)) {
    // Matrices of [n, rowLength] codes, one per index of the leading
    // dimensions of [..., panels, units].
    ArrayRef<int64_t> shape = packedType.getShape();
    int64_t matrices = 1;
    for (int64_t dim : shape.drop_back(2))
      matrices *= dim;
    int64_t n = matrices ? rows / matrices : 0;
    int64_t panelUnits = numerics::panelCount(n) * units;
    std::vector<uint8_t> out(matrices * panelUnits);
    for (int64_t i = 0; i < matrices; ++i)
      numerics::packPanels(
          format, patterns.slice(i * n * rowLength, n * rowLength), n,
          rowLength,
          MutableArrayRef<uint8_t>(out).slice(i * panelUnits, panelUnits));
    return makeRawConstant(packedType, ArrayRef<uint8_t>(out), asResource,
                           resourceName);
  }
  if (numerics::unitBits(format) == 8) {
    std::vector<uint8_t> out(rows * units);
    for (int64_t r = 0; r < rows; ++r)
      numerics::packRow(format, patterns.slice(r * rowLength, rowLength),
                        MutableArrayRef<uint8_t>(out).slice(r * units, units));
    return makeRawConstant(packedType, ArrayRef<uint8_t>(out), asResource,
                        resourceName);
  }
  std::vector<uint32_t> out(rows * units);
  for (int64_t r = 0; r < rows; ++r)
    numerics::packRow(format, patterns.slice(r * rowLength, rowLength),
                      MutableArrayRef<uint32_t>(out).slice(r * units, units));
  return makeRawConstant(packedType, ArrayRef<uint32_t>(out), asResource,
                      resourceName);
}

ElementsAttr lowbit::makeIntegerConstant(ShapedType type,
                                         ArrayRef<int64_t> values,
                                         bool asResource) {
  unsigned width = type.getElementTypeBitWidth();
  auto narrow = [&](auto tag) {
    using T = decltype(tag);
    std::vector<T> data(values.begin(), values.end());
    return makeRawConstant(type, ArrayRef<T>(data), asResource);
  };
  switch (width) {
  case 8:
    return narrow(int8_t());
  case 16:
    return narrow(int16_t());
  case 32:
    return narrow(int32_t());
  case 64:
    return narrow(int64_t());
  default: {
    SmallVector<APInt> apValues;
    apValues.reserve(values.size());
    for (int64_t value : values)
      apValues.push_back(APInt(width, uint64_t(value), /*isSigned=*/true,
                               /*implicitTrunc=*/true));
    return DenseElementsAttr::get(type, apValues);
  }
  }
}

ElementsAttr lowbit::unpackRows(const numerics::PackFormat &format,
                                ElementsAttr packed, ShapedType codesType,
                                bool signedCodes, bool asResource) {
  FailureOr<std::vector<int64_t>> units =
      readIntegers(packed, /*zeroExtend=*/true);
  if (failed(units))
    return {};
  int64_t rowLength = codesType.getShape().back();
  int64_t unitsPerRow = numerics::packedUnitsPerRow(format, rowLength);
  int64_t rows = rowLength ? codesType.getNumElements() / rowLength : 0;
  unsigned codeBits = numerics::bitsPerCode(format);
  auto extend = [&](uint8_t pattern) {
    return signedCodes ? numerics::signExtend(pattern, codeBits)
                       : int64_t(pattern);
  };
  if (numerics::isPanelFormat(format)) {
    ArrayRef<int64_t> shape = codesType.getShape();
    int64_t n = shape.size() >= 2 ? shape[shape.size() - 2] : 0;
    int64_t matrices = n ? rows / n : 0;
    int64_t panelUnits = numerics::panelCount(n) * unitsPerRow;
    if (shape.size() < 2 || int64_t(units->size()) != matrices * panelUnits)
      return {};
    std::vector<uint8_t> bytes(units->begin(), units->end());
    std::vector<uint8_t> matrix(n * rowLength);
    std::vector<int64_t> codes;
    codes.reserve(rows * rowLength);
    for (int64_t i = 0; i < matrices; ++i) {
      numerics::unpackPanels(
          format, ArrayRef<uint8_t>(bytes).slice(i * panelUnits, panelUnits), n,
          rowLength, matrix);
      for (uint8_t pattern : matrix)
        codes.push_back(extend(pattern));
    }
    return makeIntegerConstant(codesType, codes, asResource);
  }
  if (int64_t(units->size()) != rows * unitsPerRow)
    return {};
  std::vector<int64_t> codes(rows * rowLength);
  std::vector<uint8_t> rowCodes(rowLength);
  std::vector<uint8_t> rowBytes;
  std::vector<uint32_t> rowWords;
  for (int64_t r = 0; r < rows; ++r) {
    auto rowUnits = ArrayRef<int64_t>(*units).slice(r * unitsPerRow, unitsPerRow);
    if (numerics::unitBits(format) == 8) {
      rowBytes.assign(rowUnits.begin(), rowUnits.end());
      numerics::unpackRow(format, rowBytes, rowCodes);
    } else {
      rowWords.assign(rowUnits.begin(), rowUnits.end());
      numerics::unpackRow(format, rowWords, rowCodes);
    }
    for (int64_t i = 0; i < rowLength; ++i)
      codes[r * rowLength + i] = extend(rowCodes[i]);
  }
  return makeIntegerConstant(codesType, codes, asResource);
}

ArrayRef<float> lowbit::viewFloats(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  if (!type.getElementType().isF32() || !type.hasStaticShape())
    return {};
  ArrayRef<char> data;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return {};
    data = blob->getData();
  } else if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat())
      return {};
    data = dense.getRawData();
  } else {
    return {};
  }
  if (int64_t(data.size()) != type.getNumElements() * 4 ||
      reinterpret_cast<uintptr_t>(data.data()) % alignof(float) != 0)
    return {};
  return ArrayRef<float>(reinterpret_cast<const float *>(data.data()),
                         type.getNumElements());
}

FailureOr<std::vector<float>> lowbit::readFloats(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  if (!isa<FloatType>(type.getElementType()) || !type.hasStaticShape())
    return failure();
  ArrayRef<float> view = viewFloats(attr);
  if (!view.empty() || type.getNumElements() == 0)
    return std::vector<float>(view.begin(), view.end());
  std::vector<float> values;
  values.reserve(type.getNumElements());
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || !type.getElementType().isF16())
      return failure();
    ArrayRef<char> data = blob->getData();
    if (int64_t(data.size()) != type.getNumElements() * 2)
      return failure();
    for (int64_t i = 0; i < type.getNumElements(); ++i) {
      uint16_t bits;
      std::memcpy(&bits, data.data() + 2 * i, 2);
      values.push_back(numerics::halfBitsToFloat(bits));
    }
    return values;
  }
  auto dense = dyn_cast<DenseFPElementsAttr>(attr);
  if (!dense)
    return failure();
  for (const APFloat &value : dense.getValues<APFloat>()) {
    bool losesInfo = false;
    APFloat widened = value;
    widened.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
    values.push_back(widened.convertToFloat());
  }
  return values;
}

ElementsAttr lowbit::makeFloatConstant(ShapedType type, ArrayRef<float> values,
                                       bool asResource, StringRef resourceName) {
  if (type.getElementType().isF16()) {
    std::vector<uint16_t> halves;
    halves.reserve(values.size());
    for (float value : values)
      halves.push_back(numerics::floatToHalfBits(value));
    return makeRawConstant(type, ArrayRef<uint16_t>(halves), asResource,
                        resourceName);
  }
  return makeRawConstant(type, values, asResource, resourceName);
}

StringRef lowbit::getResourceName(ElementsAttr attr) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    return resource.getRawHandle().getKey();
  return {};
}

//===- SuperblockParams.cpp - superblock parameter bytes ------------------===//
//
// The IR side of numerics/SuperblockRadix.h: which parameter tensors are
// superblock bytes, and their verification (shape and decoded values).
//
//===----------------------------------------------------------------------===//

#include "SuperblockParams.h"
#include "lowbit/Dialect/Lowbit/IR/ConstantData.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace lowbit;

/// `value` as printf's %g writes it, as the other parameter checks do.
static std::string printed(float value) {
  return llvm::formatv("{0}", llvm::format("%g", double(value))).str();
}

bool lowbit::isSuperblockParams(Type scalesType) {
  auto shaped = dyn_cast<ShapedType>(scalesType);
  return isa<IntegerType>(shaped ? shaped.getElementType() : scalesType);
}

numerics::SuperblockFormat lowbit::getSuperblockFormat(SchemeAttr scheme) {
  return {unsigned(scheme.getNumLevels()), scheme.getGroupSize()};
}

/// Checks superblock parameter bytes (SuperblockRadix.h): a min_scale scheme
/// in groups along the last axis, one row of bytes per row of codes.
LogicalResult lowbit::superblock::verifySuperblockParams(
    function_ref<InFlightDiagnostic()> emitError, ArrayRef<int64_t> shape,
    SchemeAttr scheme, ShapedType scalesType, ShapedType zeroPointsType,
    ShapedType minsType) {
  if (!scalesType.getElementType().isInteger(8))
    return emitError() << "superblock parameters must be i8, got "
                       << scalesType.getElementType();
  if (scheme.getForm() != ParamForm::MinScale ||
      scheme.getGranularity() != GranularityKind::PerGroup ||
      scheme.getAxis() != int64_t(shape.size()) - 1)
    return emitError() << "superblock parameters need a min_scale scheme in "
                          "groups along the last axis";
  if (zeroPointsType || minsType)
    return emitError() << "superblock parameters hold the mins: no separate "
                          "mins or zero points";
  SmallVector<int64_t> expected(shape);
  if (!ShapedType::isDynamic(shape.back()))
    expected.back() = numerics::superblockParamBytesPerRow(
        getSuperblockFormat(scheme), shape.back());
  if (failed(verifyCompatibleShape(scalesType.getShape(), expected)))
    return emitError() << "superblock parameters must have shape "
                       << formatShape(expected) << " on a "
                       << formatShape(shape) << " tensor, got "
                       << formatShape(scalesType.getShape());
  return success();
}

/// Checks constant superblock parameter bytes row by row: every decoded
/// scale positive and finite, every min finite.
LogicalResult lowbit::superblock::verifySuperblockParamValues(
    function_ref<InFlightDiagnostic()> emit, SchemeAttr scheme,
    ElementsAttr params, int64_t rowLength) {
  auto type = cast<ShapedType>(params.getType());
  if (auto dense = dyn_cast<DenseIntElementsAttr>(params);
      dense && dense.isSplat() && type.getNumElements() > 1)
    return emit() << "superblock parameters cannot be a splat";
  FailureOr<std::vector<int64_t>> bytes =
      readIntegers(params, /*zeroExtend=*/true);
  if (failed(bytes))
    return success(); // An unavailable payload: nothing to read.
  numerics::SuperblockFormat format = getSuperblockFormat(scheme);
  int64_t rowBytes = type.getShape().back();
  int64_t groups = llvm::divideCeil(rowLength, format.groupSize);
  std::vector<uint8_t> row(rowBytes);
  std::vector<float> scales(groups), mins(groups);
  for (int64_t r = 0, e = int64_t(bytes->size()) / rowBytes; r < e; ++r) {
    for (int64_t i = 0; i < rowBytes; ++i)
      row[i] = uint8_t((*bytes)[r * rowBytes + i]);
    numerics::decodeSuperblockParams(format, rowLength, row, scales, mins);
    for (int64_t g = 0; g < groups; ++g) {
      if (!(scales[g] > 0.0f) || !std::isfinite(scales[g]))
        return emit() << "superblock scale of row " << r << ", group " << g
                      << " is " << printed(scales[g])
                      << ": scales must be positive and finite";
      if (!std::isfinite(mins[g]))
        return emit() << "superblock min of row " << r << ", group " << g
                      << " is " << printed(mins[g]) << ": mins must be finite";
    }
  }
  return success();
}

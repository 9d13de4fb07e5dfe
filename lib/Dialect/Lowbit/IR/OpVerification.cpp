//===- OpVerification.cpp - checks shared by the lowbit op verifiers -----===//
//
// Shapes, quantization parameters, code types and packed storage: the checks
// that the quantize, pack, packed-weight and matmul ops' verifiers share
// (declared in OpVerification.h).
//
//===----------------------------------------------------------------------===//

#include "OpVerification.h"
#include "SuperblockParams.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::detail;

std::string lowbit::formatShape(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string result;
  llvm::raw_string_ostream os(result);
  llvm::interleave(
      shape, os,
      [&](int64_t dim) {
        if (ShapedType::isDynamic(dim))
          os << '?';
        else
          os << dim;
      },
      "x");
  return result;
}

/// Whether `actual` can be `expected` (dynamic sizes match anything).
bool lowbit::detail::isCompatibleShape(ArrayRef<int64_t> actual,
                                       ArrayRef<int64_t> expected) {
  if (actual.size() != expected.size())
    return false;
  for (auto [a, e] : llvm::zip(actual, expected))
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(e) && a != e)
      return false;
  return true;
}

/// Checks that quantization parameters fit a tensor of `shape` quantized
/// under `scheme`: the axis exists, scales / zero points / mins have the
/// shape the granularity asks for, and the operands match the form.
LogicalResult lowbit::detail::verifyQuantParams(
    function_ref<InFlightDiagnostic()> emitError, ArrayRef<int64_t> shape,
    SchemeAttr scheme, ShapedType scalesType, ShapedType zeroPointsType,
    ShapedType minsType) {
  if (scheme.getGranularity() != GranularityKind::PerTensor &&
      scheme.getAxis() >= int64_t(shape.size()))
    return emitError() << "scheme axis " << scheme.getAxis()
                       << " is out of range for a rank-" << shape.size()
                       << " tensor";

  if (isSuperblockParams(scalesType))
    return superblock::verifySuperblockParams(
        emitError, shape, scheme, scalesType, zeroPointsType, minsType);
  if (!isa<FloatType>(scalesType.getElementType()))
    return emitError() << "scales must have a float element type (or be i8 "
                          "superblock parameters)";

  switch (scheme.getForm()) {
  case ParamForm::Symmetric:
    if (zeroPointsType)
      return emitError() << "symmetric schemes take no zero points";
    if (minsType)
      return emitError() << "only min_scale schemes take mins";
    break;
  case ParamForm::Affine:
    if (!zeroPointsType)
      return emitError() << "affine schemes need zero points";
    if (minsType)
      return emitError() << "only min_scale schemes take mins";
    break;
  case ParamForm::MinScale:
    if (!minsType)
      return emitError() << "min_scale schemes need mins";
    if (zeroPointsType)
      return emitError() << "only affine schemes take zero points";
    break;
  }

  SmallVector<int64_t> expected = scheme.getParamShape(shape);
  if (!isCompatibleShape(scalesType.getShape(), expected))
    return emitError() << "scales must have shape " << formatShape(expected)
                       << " for this granularity on a " << formatShape(shape)
                       << " tensor, got " << formatShape(scalesType.getShape());
  if (zeroPointsType) {
    if (!isa<IntegerType>(zeroPointsType.getElementType()))
      return emitError() << "zero points must have an integer element type";
    if (!isCompatibleShape(zeroPointsType.getShape(), expected))
      return emitError() << "zero points must have shape "
                         << formatShape(expected) << ", got "
                         << formatShape(zeroPointsType.getShape());
  }
  if (minsType) {
    if (!isa<FloatType>(minsType.getElementType()))
      return emitError() << "mins must have a float element type";
    if (!isCompatibleShape(minsType.getShape(), expected))
      return emitError() << "mins must have shape " << formatShape(expected)
                         << ", got " << formatShape(minsType.getShape());
  }
  return success();
}

/// Checks that integer codes of `codeType` are wide enough for the scheme.
LogicalResult
lowbit::detail::verifyCodeType(function_ref<InFlightDiagnostic()> emitError,
                               Type codeType, SchemeAttr scheme) {
  if (codeType.getIntOrFloatBitWidth() < scheme.getBits())
    return emitError() << "code type " << codeType << " is narrower than the "
                       << scheme.getBits() << "-bit scheme";
  return success();
}

/// Checks that a layout can store every code of a scheme.
LogicalResult lowbit::detail::verifyLayoutFitsScheme(
    function_ref<InFlightDiagnostic()> emitError, LayoutAttr layout,
    SchemeAttr scheme) {
  if (layout.getKind() == LayoutKind::RadixSuperblock &&
      (int64_t(layout.getRadix()) != scheme.getNumLevels() ||
       layout.getBlock() != scheme.getGroupSize()))
    return emitError() << "layout " << layout << " needs a scheme of "
                       << layout.getRadix() << " levels in groups of "
                       << layout.getBlock() << ", got " << scheme;
  if ((layout.getKind() == LayoutKind::Radix ||
       layout.getKind() == LayoutKind::RadixFields) &&
      scheme.getQmin() < 0)
    return emitError() << "radix layouts hold unsigned digits; the scheme's "
                          "codes are signed";
  // Codebook codes are indices, so only the used levels need room; plain
  // codes use every pattern of the scheme's bit width.
  int64_t needed = scheme.getCodebook() ? scheme.getNumLevels()
                                        : int64_t(1) << scheme.getBits();
  if (layout.getCodeCapacity() < needed)
    return emitError() << "layout " << layout << " holds "
                       << layout.getCodeCapacity()
                       << " code values but the scheme needs " << needed;
  return success();
}

/// Checks the shapes and element types of codes and their packed storage.
LogicalResult lowbit::detail::verifyPackedStorage(
    function_ref<InFlightDiagnostic()> emitError, ShapedType codesType,
    ShapedType packedType, LayoutAttr layout) {
  unsigned unitBits = layout.getUnitBits();
  if (packedType.getElementTypeBitWidth() != unitBits)
    return emitError() << "packed storage of layout " << layout << " must be i"
                       << unitBits << ", got " << packedType.getElementType();
  if (codesType.getRank() < 1 || codesType.getRank() != packedType.getRank())
    return emitError() << "codes and packed storage must have the same "
                          "non-zero rank";
  if (layout.isPanel() && codesType.getRank() < 2)
    return emitError() << "layout " << layout
                       << " packs [N, K] matrices: codes need rank >= 2";
  ArrayRef<int64_t> codes = codesType.getShape();
  SmallVector<int64_t> expected = layout.getStorageShape(codes);
  if (!isCompatibleShape(packedType.getShape(), expected))
    return emitError() << "packed storage must have shape "
                       << formatShape(expected) << " for " << formatShape(codes)
                       << " codes under " << layout << ", got "
                       << formatShape(packedType.getShape());
  return success();
}

LogicalResult lowbit::detail::verifyAxis(EmitErrorFn emitError, ShapedType type,
                                         int64_t axis) {
  if (axis < 0 || axis >= type.getRank())
    return emitError() << "axis " << axis << " is out of range for a rank-"
                       << type.getRank() << " tensor";
  return success();
}

LogicalResult lowbit::detail::verifyPerAxisCount(EmitErrorFn emitError,
                                                 ShapedType type, int64_t axis,
                                                 size_t count, StringRef what) {
  if (failed(verifyAxis(emitError, type, axis)))
    return failure();
  int64_t dim = type.getDimSize(axis);
  if (!ShapedType::isDynamic(dim) && int64_t(count) != dim)
    return emitError() << "needs " << dim << " " << what << " along axis "
                       << axis << ", got " << count;
  return success();
}

LogicalResult lowbit::detail::verifyMatmulResult(EmitErrorFn emitError,
                                                 ShapedType resultType,
                                                 int64_t m, int64_t n,
                                                 Value bias) {
  if (!isCompatibleShape(resultType.getShape(), {m, n}))
    return emitError() << "result must have shape " << formatShape({m, n})
                       << ", got " << formatShape(resultType.getShape());
  if (bias) {
    auto biasType = cast<ShapedType>(bias.getType());
    if (!isCompatibleShape(biasType.getShape(), {n}))
      return emitError() << "bias must have shape " << formatShape({n})
                         << ", got " << formatShape(biasType.getShape());
  }
  return success();
}

/// The type of an optional operand, or null.
ShapedType lowbit::detail::typeOrNull(Value value) {
  return value ? cast<ShapedType>(value.getType()) : ShapedType();
}

/// Checks a [N, K] weight packed as [N, units(K)] storage with parameters.
LogicalResult lowbit::detail::verifyPackedWeight(
    function_ref<InFlightDiagnostic()> emit, ArrayRef<int64_t> weightShape,
    ShapedType packedType, SchemeAttr scheme, LayoutAttr layout,
    ShapedType scalesType, ShapedType zeroPointsType, ShapedType minsType) {
  GranularityKind granularity = scheme.getGranularity();
  if (!(granularity == GranularityKind::PerTensor ||
        (granularity == GranularityKind::PerChannel && scheme.getAxis() == 0) ||
        (granularity == GranularityKind::PerGroup && scheme.getAxis() == 1)))
    return emit() << "weights must be quantized per tensor, per output "
                     "channel (axis 0) or per group along the reduction "
                     "(axis 1)";
  if (failed(verifyLayoutFitsScheme(emit, layout, scheme)))
    return failure();
  auto codesType = RankedTensorType::get(
      weightShape, IntegerType::get(packedType.getContext(), 8));
  if (failed(verifyPackedStorage(emit, codesType, packedType, layout)))
    return failure();
  if ((layout.getKind() == LayoutKind::RadixSuperblock) !=
      isSuperblockParams(scalesType))
    return emit() << "superblock parameters (i8 scales) go with a "
                     "radix_superblock layout and only with it";
  return verifyQuantParams(emit, weightShape, scheme, scalesType,
                           zeroPointsType, minsType);
}

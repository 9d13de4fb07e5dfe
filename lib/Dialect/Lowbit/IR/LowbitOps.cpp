//===- LowbitOps.cpp - lowbit operations ----------------------------------===//

#include "SuperblockParams.h"
#include "lowbit/Dialect/Lowbit/IR/ConstantData.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace lowbit;

/// `vector<64xi8>` when the table has the indices' type, otherwise
/// `vector<128xi8>, vector<64xi8>` (table, indices).
static ParseResult parseLookupTypes(OpAsmParser &parser, Type &table,
                                    Type &indices) {
  if (parser.parseType(table))
    return failure();
  indices = table;
  if (succeeded(parser.parseOptionalComma()))
    return parser.parseType(indices);
  return success();
}

static void printLookupTypes(OpAsmPrinter &printer, Operation *, Type table,
                             Type indices) {
  printer << table;
  if (table != indices)
    printer << ", " << indices;
}

#define GET_OP_CLASSES
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared verification
//===----------------------------------------------------------------------===//

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
static bool isCompatibleShape(ArrayRef<int64_t> actual,
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
static LogicalResult
verifyQuantParams(function_ref<InFlightDiagnostic()> emitError,
                  ArrayRef<int64_t> shape, SchemeAttr scheme,
                  ShapedType scalesType, ShapedType zeroPointsType,
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
                       << " for this granularity on a "
                       << formatShape(shape) << " tensor, got "
                       << formatShape(scalesType.getShape());
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
static LogicalResult verifyCodeType(function_ref<InFlightDiagnostic()> emitError,
                                    Type codeType, SchemeAttr scheme) {
  if (codeType.getIntOrFloatBitWidth() < scheme.getBits())
    return emitError() << "code type " << codeType << " is narrower than the "
                       << scheme.getBits() << "-bit scheme";
  return success();
}

/// Checks that a layout can store every code of a scheme.
static LogicalResult
verifyLayoutFitsScheme(function_ref<InFlightDiagnostic()> emitError,
                       LayoutAttr layout, SchemeAttr scheme) {
  if (layout.getKind() == LayoutKind::RadixSuperblock &&
      (int64_t(layout.getRadix()) != scheme.getNumLevels() ||
       layout.getBlock() != scheme.getGroupSize()))
    return emitError() << "layout " << layout << " needs a scheme of "
                       << layout.getRadix() << " levels in groups of "
                       << layout.getBlock() << ", got " << scheme;
  if (layout.getKind() == LayoutKind::Radix && scheme.getQmin() < 0)
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
static LogicalResult
verifyPackedStorage(function_ref<InFlightDiagnostic()> emitError,
                    ShapedType codesType, ShapedType packedType,
                    LayoutAttr layout) {
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
                       << formatShape(expected) << " for "
                       << formatShape(codes) << " codes under " << layout
                       << ", got " << formatShape(packedType.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// StatsOp
//===----------------------------------------------------------------------===//

LogicalResult StatsOp::verify() {
  ArrayRef<float> mins = getMin(), maxs = getMax();
  if (mins.size() != maxs.size())
    return emitOpError() << "has " << mins.size() << " minimums but "
                         << maxs.size() << " maximums";
  auto type = getInput().getType();
  if (std::optional<int64_t> axis = getAxis()) {
    if (*axis < 0 || *axis >= type.getRank())
      return emitOpError() << "axis " << *axis
                           << " is out of range for a rank-" << type.getRank()
                           << " tensor";
    int64_t dim = type.getDimSize(*axis);
    if (!ShapedType::isDynamic(dim) && int64_t(mins.size()) != dim)
      return emitOpError() << "needs " << dim << " per-channel statistics along "
                           << "axis " << *axis << ", got " << mins.size();
  } else if (mins.size() != 1) {
    return emitOpError() << "needs one per-tensor minimum and maximum (or an "
                            "axis), got "
                         << mins.size();
  }
  for (auto [i, lo, hi] : llvm::enumerate(mins, maxs)) {
    if (std::isnan(lo) || std::isnan(hi))
      return emitOpError() << "statistic " << i << " is NaN";
    // An infinite range has no finite scale: the calibration run overflowed.
    if (std::isinf(lo) || std::isinf(hi))
      return emitOpError() << "statistic " << i << " is infinite";
    if (lo > hi)
      return emitOpError() << "minimum " << lo << " exceeds maximum " << hi
                           << " at " << i;
  }
  std::optional<ArrayRef<int64_t>> histogram = getHistogram();
  std::optional<ArrayRef<float>> range = getHistogramRange();
  if (!histogram) {
    if (range)
      return emitOpError() << "has a histogram range but no histogram";
    return success();
  }
  if (getAxis())
    return emitOpError() << "histograms are per-tensor only";
  if (histogram->empty())
    return emitOpError() << "histogram needs at least one bin";
  if (llvm::any_of(*histogram, [](int64_t count) { return count < 0; }))
    return emitOpError() << "histogram counts must be non-negative";
  if (!range || range->size() != 2)
    return emitOpError() << "histogram needs histogram_range = [lo, hi]";
  if (!std::isfinite((*range)[0]) || !std::isfinite((*range)[1]) ||
      !((*range)[0] < (*range)[1]))
    return emitOpError() << "histogram range must be finite with lo < hi";
  return success();
}

//===----------------------------------------------------------------------===//
// QuantizeOp / DequantizeOp
//===----------------------------------------------------------------------===//

static ShapedType typeOrNull(Value value) {
  return value ? cast<ShapedType>(value.getType()) : ShapedType();
}

LogicalResult QuantizeOp::verify() {
  auto emit = [&]() { return emitOpError(); };
  if (getInput().getType().getShape() != getType().getShape())
    return emitOpError() << "result shape must match the input shape";
  if (failed(verifyCodeType(emit, getType().getElementType(), getScheme())))
    return failure();
  return verifyQuantParams(emit, getInput().getType().getShape(), getScheme(),
                           getScales().getType(), typeOrNull(getZeroPoints()),
                           typeOrNull(getMins()));
}

LogicalResult DequantizeOp::verify() {
  auto emit = [&]() { return emitOpError(); };
  if (getInput().getType().getShape() != getType().getShape())
    return emitOpError() << "result shape must match the input shape";
  if (failed(verifyCodeType(emit, getInput().getType().getElementType(),
                            getScheme())))
    return failure();
  return verifyQuantParams(emit, getType().getShape(), getScheme(),
                           getScales().getType(), typeOrNull(getZeroPoints()),
                           typeOrNull(getMins()));
}

/// Quantizes constant values with constant parameters at compile time,
/// with the numerics library's definition (the one the runtime lowering and
/// the reference kernels use). Declines on a NaN or Inf input or a scale
/// that is not positive and finite.
static Attribute foldConstantQuantize(QuantizeOp op,
                                      QuantizeOp::FoldAdaptor adaptor) {
  auto input = dyn_cast_if_present<ElementsAttr>(adaptor.getInput());
  auto scalesAttr = dyn_cast_if_present<ElementsAttr>(adaptor.getScales());
  auto zeroPointsAttr =
      dyn_cast_if_present<ElementsAttr>(adaptor.getZeroPoints());
  auto minsAttr = dyn_cast_if_present<ElementsAttr>(adaptor.getMins());
  // Folding expands the constant: not past the default limit (a small
  // splat may declare a huge shape).
  if (!input || !scalesAttr || (op.getZeroPoints() && !zeroPointsAttr) ||
      (op.getMins() && !minsAttr) || !fitsConstantLimit(op.getType()) ||
      !fitsConstantLimit(op.getInput().getType()))
    return {};
  FailureOr<std::vector<float>> values = readFloats(input);
  FailureOr<std::vector<float>> scales = readFloats(scalesAttr);
  if (failed(values) || failed(scales))
    return {};
  std::vector<int32_t> zeroPoints;
  if (zeroPointsAttr) {
    FailureOr<std::vector<int64_t>> read = readIntegers(
        zeroPointsAttr, /*zeroExtend=*/!op.getScheme().getIsSigned());
    if (failed(read))
      return {};
    zeroPoints.assign(read->begin(), read->end());
  }
  std::vector<float> mins;
  if (minsAttr) {
    FailureOr<std::vector<float>> read = readFloats(minsAttr);
    if (failed(read))
      return {};
    mins = std::move(*read);
  }
  SchemeAttr scheme = op.getScheme();
  numerics::Scheme numericScheme = scheme.getNumericsScheme();
  auto patterns = numerics::quantizeTensorWithParams(
      *values, op.getType().getShape(), numericScheme,
      scheme.getNumericsGranularity(), *scales, zeroPoints, mins);
  if (!patterns)
    return {};
  auto quantizer = numerics::Quantizer::create(numericScheme);
  std::vector<int64_t> codes;
  codes.reserve(patterns->size());
  for (uint8_t pattern : *patterns)
    codes.push_back(quantizer->fromPattern(pattern));
  return makeIntegerConstant(op.getType(), codes,
                             isa<DenseResourceElementsAttr>(input));
}

/// quantize(dequantize(q)) == q when both use the same parameters: for
/// integer codes k = q - z with |k| < 2^9, fl(fl(k * s) / s) is within
/// 2^-14 of k for any normal scale, so nearest rounding recovers k exactly.
/// This holds for f32 values and plain integer codes; codebooks, narrower
/// floats and min_scale (whose additive min can swamp the code) are left
/// alone, as is truncation (k - epsilon truncates to k - 1).
OpFoldResult QuantizeOp::fold(FoldAdaptor adaptor) {
  if (Attribute folded = foldConstantQuantize(*this, adaptor))
    return folded;
  auto dequantize = getInput().getDefiningOp<DequantizeOp>();
  if (!dequantize || dequantize.getScheme() != getScheme() ||
      dequantize.getScales() != getScales() ||
      dequantize.getZeroPoints() != getZeroPoints() ||
      dequantize.getMins() != getMins() ||
      dequantize.getInput().getType() != getType())
    return {};
  SchemeAttr scheme = getScheme();
  if (scheme.getCodebook() || scheme.getForm() == ParamForm::MinScale ||
      scheme.getRounding() == RoundingMode::TowardZero ||
      !getInput().getType().getElementType().isF32())
    return {};
  return dequantize.getInput();
}

//===----------------------------------------------------------------------===//
// RequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult RequantizeOp::verify() {
  ArrayRef<int32_t> multipliers = getMultiplier(), shifts = getShift();
  if (multipliers.size() != shifts.size())
    return emitOpError() << "has " << multipliers.size()
                         << " multipliers but " << shifts.size() << " shifts";
  auto type = getInput().getType();
  if (std::optional<int64_t> axis = getAxis()) {
    if (*axis < 0 || *axis >= type.getRank())
      return emitOpError() << "axis " << *axis
                           << " is out of range for a rank-" << type.getRank()
                           << " tensor";
    int64_t dim = type.getDimSize(*axis);
    if (!ShapedType::isDynamic(dim) && int64_t(multipliers.size()) != dim)
      return emitOpError() << "needs " << dim << " multipliers along axis "
                           << *axis << ", got " << multipliers.size();
  } else if (multipliers.size() != 1) {
    return emitOpError() << "needs one multiplier and shift (or an axis), got "
                         << multipliers.size();
  }
  for (auto [i, multiplier, shift] : llvm::enumerate(multipliers, shifts)) {
    if (multiplier < 0)
      return emitOpError() << "multiplier " << i << " must be non-negative";
    if (shift < 1 || shift > 62)
      return emitOpError() << "shift " << i << " must be in [1, 62], got "
                           << shift;
  }
  unsigned width = getType().getElementTypeBitWidth();
  if (width < 2 || width > 32)
    return emitOpError() << "result element type must be 2 to 32 bits wide";
  int64_t lowest = -(int64_t(1) << (width - 1));
  int64_t highest = (int64_t(1) << (width - 1)) - 1;
  // I32Attr getters return the bits as uint32_t; the values are signed.
  int64_t lo = getClampMin() ? int32_t(*getClampMin()) : lowest;
  int64_t hi = getClampMax() ? int32_t(*getClampMax()) : highest;
  if (lo < lowest || hi > highest || lo > hi)
    return emitOpError() << "clamp range [" << lo << ", " << hi
                         << "] must be ordered and fit the result type's ["
                         << lowest << ", " << highest << "]";
  int64_t zeroPoint = int32_t(getOutputZeroPoint());
  if (zeroPoint < lowest || zeroPoint > highest)
    return emitOpError() << "output zero point " << zeroPoint
                         << " does not fit the result type";
  return success();
}

//===----------------------------------------------------------------------===//
// PackOp / UnpackOp
//===----------------------------------------------------------------------===//

static LogicalResult verifyPackOrUnpack(Operation *op, ShapedType codesType,
                                        ShapedType packedType,
                                        LayoutAttr layout, bool signedCodes) {
  auto emit = [&]() { return op->emitOpError(); };
  if (signedCodes && layout.getKind() == LayoutKind::Radix)
    return op->emitOpError()
           << "radix layouts hold unsigned digits; drop signed_codes";
  if (codesType.getElementTypeBitWidth() < layout.getCodeBits())
    return op->emitOpError()
           << "code type " << codesType.getElementType()
           << " is narrower than the " << layout.getCodeBits()
           << "-bit codes of " << layout;
  return verifyPackedStorage(emit, codesType, packedType, layout);
}

LogicalResult PackOp::verify() {
  return verifyPackOrUnpack(*this, getInput().getType(), getType(),
                            getLayout(), getSignedCodes());
}

LogicalResult UnpackOp::verify() {
  return verifyPackOrUnpack(*this, getType(), getInput().getType(),
                            getLayout(), getSignedCodes());
}

/// Packs constant codes; declines (leaves the op) when a code is out of
/// the layout's range, since the result would be poison.
OpFoldResult PackOp::fold(FoldAdaptor adaptor) {
  auto codes = dyn_cast_if_present<ElementsAttr>(adaptor.getInput());
  if (!codes || !fitsConstantLimit(getType()) ||
      !fitsConstantLimit(getInput().getType()))
    return {};
  FailureOr<std::vector<uint8_t>> patterns =
      readCodePatterns(codes, getLayout().getCodeBits(), getSignedCodes());
  if (failed(patterns))
    return {};
  numerics::PackFormat format = getLayout().getPackFormat();
  if (numerics::findInvalidCode(format, *patterns))
    return {};
  int64_t rowLength = getInput().getType().getShape().back();
  return packRows(format, *patterns, rowLength, getType(),
                  isa<DenseResourceElementsAttr>(codes));
}

OpFoldResult UnpackOp::fold(FoldAdaptor adaptor) {
  if (auto pack = getInput().getDefiningOp<PackOp>()) {
    if (pack.getLayout() == getLayout() &&
        pack.getSignedCodes() == getSignedCodes() &&
        pack.getInput().getType() == getType())
      return pack.getInput();
  }
  auto packed = dyn_cast_if_present<ElementsAttr>(adaptor.getInput());
  if (!packed || !fitsConstantLimit(getType()) ||
      !fitsConstantLimit(getInput().getType()))
    return {};
  return unpackRows(getLayout().getPackFormat(), packed, getType(),
                    getSignedCodes(), isa<DenseResourceElementsAttr>(packed));
}

//===----------------------------------------------------------------------===//
// PackedWeightOp
//===----------------------------------------------------------------------===//

LogicalResult PackedWeightOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  inferredReturnTypes.push_back(adaptor.getData().getType());
  inferredReturnTypes.push_back(adaptor.getScales().getType());
  if (ElementsAttr zeroPoints = adaptor.getZeroPointsAttr())
    inferredReturnTypes.push_back(zeroPoints.getType());
  else if (ElementsAttr mins = adaptor.getMinsAttr())
    inferredReturnTypes.push_back(mins.getType());
  return success();
}

/// Checks a [N, K] weight packed as [N, units(K)] storage with parameters.
static LogicalResult verifyPackedWeight(function_ref<InFlightDiagnostic()> emit,
                                        ArrayRef<int64_t> weightShape,
                                        ShapedType packedType,
                                        SchemeAttr scheme, LayoutAttr layout,
                                        ShapedType scalesType,
                                        ShapedType zeroPointsType,
                                        ShapedType minsType) {
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

/// `value` as printf's %g writes it: 0.5, -0.5, 0, inf, nan.
static std::string formatValue(float value) {
  return llvm::formatv("{0}", llvm::format("%g", double(value))).str();
}

static float toF32(APFloat value) {
  bool losesInfo = false;
  value.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven,
                &losesInfo);
  return value.convertToFloat();
}

/// The values of a constant parameter: a splat's single value (a splat of a
/// huge shape is never expanded) or every element. Fails when the payload
/// is unavailable (e.g. a dense_resource without its blob).
static FailureOr<std::vector<float>> readParamFloats(ElementsAttr attr) {
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr);
      dense && dense.isSplat())
    return std::vector<float>{toF32(dense.getSplatValue<APFloat>())};
  return readFloats(attr);
}

static FailureOr<std::vector<int64_t>> readParamIntegers(ElementsAttr attr,
                                                         bool zeroExtend) {
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr);
      dense && dense.isSplat()) {
    APInt value = dense.getSplatValue<APInt>();
    return std::vector<int64_t>{zeroExtend ? int64_t(value.getZExtValue())
                                           : value.getSExtValue()};
  }
  return readIntegers(attr, zeroExtend);
}

/// Checks the values of constant parameters, with the numerics library's
/// definition of valid ones: scales positive and finite, minimums finite,
/// zero points (read with the scheme's signedness, as the kernels read them)
/// inside the scheme's code range.
static LogicalResult verifyParamValues(function_ref<InFlightDiagnostic()> emit,
                                       SchemeAttr scheme, ElementsAttr scales,
                                       ElementsAttr zeroPoints,
                                       ElementsAttr mins) {
  if (FailureOr<std::vector<float>> values = readParamFloats(scales);
      succeeded(values))
    for (auto [i, scale] : llvm::enumerate(*values))
      if (!(scale > 0.0f) || !std::isfinite(scale))
        return emit() << "scale " << i << " is " << formatValue(scale)
                      << ": scales must be positive and finite";
  if (mins)
    if (FailureOr<std::vector<float>> values = readParamFloats(mins);
        succeeded(values))
      for (auto [i, min] : llvm::enumerate(*values))
        if (!std::isfinite(min))
          return emit() << "min " << i << " is " << formatValue(min)
                        << ": mins must be finite";
  if (zeroPoints)
    if (FailureOr<std::vector<int64_t>> values =
            readParamIntegers(zeroPoints, /*zeroExtend=*/!scheme.getIsSigned());
        succeeded(values))
      for (auto [i, zeroPoint] : llvm::enumerate(*values))
        if (zeroPoint < scheme.getQmin() || zeroPoint > scheme.getQmax())
          return emit() << "zero point " << i << " is " << zeroPoint
                        << ", outside the code range [" << scheme.getQmin()
                        << ", " << scheme.getQmax() << "] of the scheme";
  return success();
}

LogicalResult PackedWeightOp::verify() {
  auto emit = [&]() { return emitOpError(); };
  ArrayRef<int64_t> shape = getShape();
  if (shape.size() != 2 || shape[0] < 1 || shape[1] < 1)
    return emitOpError() << "shape must be a static [N, K] with N, K > 0";
  auto typeOf = [](std::optional<ElementsAttr> attr) {
    return attr ? cast<ShapedType>(attr->getType()) : ShapedType();
  };
  if (failed(verifyPackedWeight(
          emit, shape, cast<ShapedType>(getData().getType()), getScheme(),
          getLayout(), cast<ShapedType>(getScales().getType()),
          typeOf(getZeroPoints()), typeOf(getMins()))))
    return failure();
  if (isSuperblockParams(getScales().getType()))
    return superblock::verifySuperblockParamValues(emit, getScheme(),
                                                   getScales(), shape[1]);
  return verifyParamValues(emit, getScheme(), getScales(),
                           getZeroPoints().value_or(ElementsAttr()),
                           getMins().value_or(ElementsAttr()));
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  auto emit = [&]() { return emitOpError(); };
  RankedTensorType inputType = getInput().getType();
  RankedTensorType packedType = getPacked().getType();
  if (inputType.getRank() != 2 || packedType.getRank() != 2)
    return emitOpError() << "expects a rank-2 input [M, K] and rank-2 packed "
                            "weights [N, units]";
  int64_t m = inputType.getDimSize(0), k = inputType.getDimSize(1);
  int64_t n = packedType.getDimSize(0);
  if (getLayout().isPanel()) {
    // Panels of 16 rows: N comes from the result.
    if (getType().getRank() != 2)
      return emitOpError() << "result must have rank 2 [M, N]";
    n = getType().getDimSize(1);
  }
  if (failed(verifyPackedWeight(emit, {n, k}, packedType, getScheme(),
                                getLayout(), getScales().getType(),
                                typeOrNull(getZeroPoints()),
                                typeOrNull(getMins()))))
    return failure();
  // The storage shape cannot tell K from K - 1 when both round up to the
  // same number of units: compare with the packed weight's logical shape.
  if (auto weight = getPacked().getDefiningOp<PackedWeightOp>()) {
    ArrayRef<int64_t> shape = weight.getShape();
    if (!isCompatibleShape({n, k}, shape))
      return emitOpError() << "input has K = " << formatShape({k})
                           << " but the packed weight is " << formatShape(shape)
                           << " ([N, K])";
    if (weight.getScheme() != getScheme() || weight.getLayout() != getLayout())
      return emitOpError() << "scheme and layout must be the packed weight's ("
                           << weight.getScheme() << ", " << weight.getLayout()
                           << ")";
  }
  if (getType().getElementType() != inputType.getElementType())
    return emitOpError() << "result element type must match the input's";
  SchemeAttr scheme = getScheme();
  LayoutKind layoutKind = getLayout().getKind();
  // The sub-4-bit slotted layouts take any scheme (see the description).
  bool subFourBit =
      layoutKind == LayoutKind::Int3 || layoutKind == LayoutKind::Int2 ||
      layoutKind == LayoutKind::Radix || layoutKind == LayoutKind::Int3Panel ||
      layoutKind == LayoutKind::Int2Panel ||
      layoutKind == LayoutKind::Int2Planes ||
      layoutKind == LayoutKind::RadixPanel;
  if (getDynamicInt8Activations() && !subFourBit &&
      (scheme.getForm() != ParamForm::Symmetric || !scheme.getIsSigned() ||
       scheme.getCodebook()))
    return emitOpError()
           << "dynamic int8 activations need signed symmetric "
              "weights without a codebook, or an int3, int2, "
              "radix, int3_panel, int2_panel, int2_planes or radix_panel "
              "layout";
  if (std::optional<Type> activationType = getActivationType()) {
    if (!activationType->isBF16())
      return emitOpError() << "activation_type must be bf16, got "
                           << *activationType;
    if (!inputType.getElementType().isF32())
      return emitOpError() << "activation_type = bf16 needs f32 activations";
    if (getDynamicInt8Activations())
      return emitOpError() << "activation_type = bf16 and "
                              "dynamic_int8_activations exclude each other";
    if (getLayout().isPanel())
      return emitOpError() << "activation_type = bf16 needs a weight-only "
                              "layout, not a panel layout";
  }
  if (!isCompatibleShape(getType().getShape(), {m, n}))
    return emitOpError() << "result must have shape " << formatShape({m, n})
                         << ", got " << formatShape(getType().getShape());
  if (Value bias = getBias()) {
    auto biasType = cast<ShapedType>(bias.getType());
    if (!isCompatibleShape(biasType.getShape(), {n}))
      return emitOpError() << "bias must have shape " << formatShape({n})
                           << ", got " << formatShape(biasType.getShape());
    if (biasType.getElementType() != inputType.getElementType())
      return emitOpError() << "bias element type must match the input's";
  }
  for (auto [i, operand] : llvm::enumerate(getEpilogueInputs())) {
    ArrayRef<int64_t> shape = cast<ShapedType>(operand.getType()).getShape();
    if (!isCompatibleShape(shape, getType().getShape()) &&
        !isCompatibleShape(shape, {n}))
      return emitOpError() << "epilogue input " << i << " must have shape "
                           << formatShape(getType().getShape()) << " or "
                           << formatShape({n}) << ", got "
                           << formatShape(shape);
  }
  return success();
}

LogicalResult MatmulOp::verifyRegions() {
  OperandRange inputs = getEpilogueInputs();
  if (!hasEpilogue()) {
    if (!inputs.empty())
      return emitOpError() << "has epilogue inputs but no epilogue";
    return success();
  }
  // (acc, one element per epilogue input) -> the output element.
  Block &block = getEpilogue().front();
  SmallVector<Type> expected{getType().getElementType()};
  for (Value input : inputs)
    expected.push_back(cast<ShapedType>(input.getType()).getElementType());
  if (block.getArgumentTypes() != TypeRange(expected)) {
    InFlightDiagnostic diag = emitOpError()
                              << "epilogue must take the output value and "
                                 "one element per epilogue input: (";
    llvm::interleaveComma(expected, diag);
    diag << "), got (";
    llvm::interleaveComma(block.getArgumentTypes(), diag);
    return diag << ")";
  }
  // Elementwise and free of side effects, so that it can be applied to any
  // number of elements at once (the kernels clone it onto vectors).
  for (Operation &op : block.without_terminator()) {
    if (!isa<arith::ArithDialect, math::MathDialect>(op.getDialect()))
      return emitOpError() << "epilogue may hold only arith and math ops, got '"
                           << op.getName() << "'";
    if (op.getNumRegions() != 0 || !isMemoryEffectFree(&op))
      return emitOpError() << "epilogue ops must be free of side effects, got '"
                           << op.getName() << "'";
    auto scalar = [](Type type) { return type.isIntOrFloat(); };
    if (!llvm::all_of(op.getOperandTypes(), scalar) ||
        !llvm::all_of(op.getResultTypes(), scalar))
      return emitOpError() << "epilogue ops must take and give integer or "
                              "float scalars, got '"
                           << op.getName() << "'";
  }
  auto yield = dyn_cast<YieldOp>(&block.back());
  if (!yield)
    return emitOpError() << "epilogue must end with lowbit.yield";
  if (yield.getValue().getType() != getType().getElementType())
    return emitOpError() << "epilogue must yield the result element type "
                         << getType().getElementType() << ", got "
                         << yield.getValue().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// ObserveOp
//===----------------------------------------------------------------------===//

LogicalResult ObserveOp::verify() {
  // I64Attr reads back as uint64_t; the id is a signed value.
  auto id = static_cast<int64_t>(getId());
  if (id < 0)
    return emitOpError() << "id must be non-negative, got " << id;
  if (std::optional<int64_t> axis = getAxis()) {
    int64_t rank = getInput().getType().getRank();
    if (*axis < 0 || *axis >= rank)
      return emitOpError() << "axis " << *axis << " is out of range for a rank-"
                           << rank << " tensor";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// IntegerMatmulOp
//===----------------------------------------------------------------------===//

LogicalResult IntegerMatmulOp::verify() {
  RankedTensorType inputType = getInput().getType();
  RankedTensorType weightType = getWeights().getType();
  if (inputType.getRank() != 2 || weightType.getRank() != 2)
    return emitOpError() << "expects a rank-2 input [M, K] and rank-2 weights "
                            "[N, K]";
  int64_t m = inputType.getDimSize(0), k = inputType.getDimSize(1);
  int64_t n = weightType.getDimSize(0);
  if (!isCompatibleShape({weightType.getDimSize(1)}, {k}))
    return emitOpError() << "weights must have shape " << formatShape({n, k})
                         << ", got " << formatShape(weightType.getShape());
  if (!isCompatibleShape(getType().getShape(), {m, n}))
    return emitOpError() << "result must have shape " << formatShape({m, n})
                         << ", got " << formatShape(getType().getShape());
  if (Value bias = getBias()) {
    auto biasType = cast<ShapedType>(bias.getType());
    if (!isCompatibleShape(biasType.getShape(), {n}))
      return emitOpError() << "bias must have shape " << formatShape({n})
                           << ", got " << formatShape(biasType.getShape());
  }
  int32_t zeroPoint = getInputZeroPoint();
  if (zeroPoint < -128 || zeroPoint > 127)
    return emitOpError() << "input zero point " << zeroPoint
                         << " is outside the int8 range [-128, 127]";
  return success();
}

//===----------------------------------------------------------------------===//
// DotI8Op
//===----------------------------------------------------------------------===//

LogicalResult DotBf16Op::verify() {
  int64_t lanes = getAcc().getType().getNumElements();
  int64_t elements = getLhs().getType().getNumElements();
  if (elements != 2 * lanes)
    return emitOpError() << "needs 2 bf16 values per f32 lane: " << lanes
                         << " lanes but " << elements << " values";
  return success();
}

LogicalResult LookupBytesOp::verify() {
  int64_t bytes = getIndices().getType().getNumElements();
  if (isWholeTable()) {
    int64_t table = getTable().getType().getNumElements();
    if (table != 128)
      return emitOpError() << "needs a table of the indices' type (16-byte "
                              "lanes) or of 128 bytes, got "
                           << table << " bytes";
    return success();
  }
  if (bytes % 16 != 0)
    return emitOpError() << "needs whole 16-byte lanes, got " << bytes
                         << " bytes";
  return success();
}

LogicalResult MultishiftBytesOp::verify() {
  int64_t bytes = getData().getType().getNumElements();
  if (bytes % 8 != 0)
    return emitOpError() << "needs whole 64-bit lanes, got " << bytes
                         << " bytes";
  return success();
}

LogicalResult MmlaBf16Op::verify() {
  int64_t lanes = getAcc().getType().getNumElements();
  int64_t elements = getLhs().getType().getNumElements();
  if (lanes % 4 != 0)
    return emitOpError() << "needs whole 2x2 tiles: " << lanes
                         << " lanes is not a multiple of 4";
  if (elements != 2 * lanes)
    return emitOpError() << "needs 2x4 bf16 values of each operand per 2x2 "
                            "tile: "
                         << lanes << " lanes but " << elements << " values";
  return success();
}

LogicalResult DotI8Op::verify() {
  int64_t lanes = getAcc().getType().getNumElements();
  int64_t bytes = getLhs().getType().getNumElements();
  if (bytes != 4 * lanes)
    return emitOpError() << "needs 4 bytes per i32 lane: " << lanes
                         << " lanes but " << bytes << " bytes";
  return success();
}

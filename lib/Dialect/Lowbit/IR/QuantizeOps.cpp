//===- QuantizeOps.cpp - quantize, requantize and pack ops ---------------===//
//
// Verifiers and folders of lowbit.quantize / lowbit.dequantize,
// lowbit.requantize and lowbit.pack / lowbit.unpack, and the verifiers of
// the calibration ops lowbit.stats and lowbit.observe.
//
//===----------------------------------------------------------------------===//

#include "OpVerification.h"
#include "lowbit/Dialect/Lowbit/IR/ConstantData.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include <cmath>

using namespace mlir;
using namespace lowbit;
using namespace lowbit::detail;

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
    if (failed(verifyPerAxisCount([&] { return emitOpError(); }, type, *axis,
                                  mins.size(), "per-channel statistics")))
      return failure();
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
    return emitOpError() << "has " << multipliers.size() << " multipliers but "
                         << shifts.size() << " shifts";
  auto type = getInput().getType();
  if (std::optional<int64_t> axis = getAxis()) {
    if (failed(verifyPerAxisCount([&] { return emitOpError(); }, type, *axis,
                                  multipliers.size(), "multipliers")))
      return failure();
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
  if (signedCodes && (layout.getKind() == LayoutKind::Radix ||
                      layout.getKind() == LayoutKind::RadixFields))
    return op->emitOpError()
           << "radix layouts hold unsigned digits; drop signed_codes";
  if (codesType.getElementTypeBitWidth() < layout.getCodeBits())
    return op->emitOpError() << "code type " << codesType.getElementType()
                             << " is narrower than the " << layout.getCodeBits()
                             << "-bit codes of " << layout;
  return verifyPackedStorage(emit, codesType, packedType, layout);
}

LogicalResult PackOp::verify() {
  return verifyPackOrUnpack(*this, getInput().getType(), getType(), getLayout(),
                            getSignedCodes());
}

LogicalResult UnpackOp::verify() {
  return verifyPackOrUnpack(*this, getType(), getInput().getType(), getLayout(),
                            getSignedCodes());
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
// ObserveOp
//===----------------------------------------------------------------------===//

LogicalResult ObserveOp::verify() {
  // I64Attr reads back as uint64_t; the id is a signed value.
  auto id = static_cast<int64_t>(getId());
  if (id < 0)
    return emitOpError() << "id must be non-negative, got " << id;
  if (std::optional<int64_t> axis = getAxis())
    return verifyAxis([&] { return emitOpError(); }, getInput().getType(),
                      *axis);
  return success();
}

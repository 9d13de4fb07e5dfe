//===- LowbitOps.cpp - lowbit operations ----------------------------------===//
//
// The generated op classes, and the verifiers of the weight and matmul ops:
// lowbit.packed_weight, lowbit.matmul and lowbit.integer_matmul. The other
// families are in QuantizeOps.cpp (quantize, pack, calibration) and
// KernelOps.cpp (the vector kernels' ops); their shared checks in
// OpVerification.cpp.
//
//===----------------------------------------------------------------------===//

#include "OpVerification.h"
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
using namespace lowbit::detail;

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
  // The sub-4-bit slotted layouts take any scheme (see the description).
  bool subFourBit =
      numerics::takesUnsignedDotCodes(getLayout().getPackFormat().kind);
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
  if (failed(verifyMatmulResult([&] { return emitOpError(); }, getType(), m, n,
                                getBias())))
    return failure();
  if (Value bias = getBias();
      bias && cast<ShapedType>(bias.getType()).getElementType() !=
                  inputType.getElementType())
    return emitOpError() << "bias element type must match the input's";
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
  if (failed(verifyMatmulResult([&] { return emitOpError(); }, getType(), m, n,
                                getBias())))
    return failure();
  int32_t zeroPoint = getInputZeroPoint();
  if (zeroPoint < -128 || zeroPoint > 127)
    return emitOpError() << "input zero point " << zeroPoint
                         << " is outside the int8 range [-128, 127]";
  return success();
}

//===- ImportQuant.cpp - upstream quant casts to lowbit ops ---------------===//
//
// Rewrites `quant.qcast` / `quant.dcast` / `quant.scast` on tensors of
// `!quant.uniform` types into `lowbit.quantize` / `lowbit.dequantize` (with
// the scales and zero points as constant operands) or plain storage values,
// and every quantized type left in the module (function signatures, calls,
// returns, any other op) into its storage type.
//
// Everything the lowbit scheme cannot express exactly is diagnosed before
// the IR is touched, so the pass either converts the whole module or changes
// nothing and fails.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/Transforms/StructuralTypeConversions.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"

#include "llvm/ADT/STLExtras.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITIMPORTQUANT
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

//===----------------------------------------------------------------------===//
// Quantized type -> scheme and parameters
//===----------------------------------------------------------------------===//

/// The lowbit form of one quantized tensor type.
struct ImportedParams {
  SchemeAttr scheme;
  /// f32 scales of the scheme's parameter shape.
  DenseElementsAttr scales;
  /// Zero points in the storage integer type (affine schemes only).
  DenseElementsAttr zeroPoints;
};

using EmitErrorFn = function_ref<InFlightDiagnostic()>;

/// Whether `type` is one of the uniform quantized types this pass imports.
bool isUniform(quant::QuantizedType type) {
  return isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType,
             quant::UniformQuantizedSubChannelType>(type);
}

/// `i8` / `u8` as the quant dialect spells storage types.
std::string storageName(bool isSigned, unsigned bits) {
  return (isSigned ? "i" : "u") + std::to_string(bits);
}

std::string formatList(ArrayRef<int64_t> values) {
  std::string result;
  llvm::raw_string_ostream os(result);
  os << '[';
  llvm::interleaveComma(values, os);
  os << ']';
  return result;
}

float toFloat(const APFloat &value) {
  APFloat converted = value;
  bool losesInfo = false;
  converted.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
  return converted.convertToFloat();
}

/// Computes the lowbit scheme, scales and zero points for values of
/// `containerType` (a ranked tensor of a `!quant.uniform` type), or reports
/// why that is impossible through `emitError`.
FailureOr<ImportedParams> importQuantizedTensor(Type containerType,
                                                EmitErrorFn emitError) {
  auto tensorType = dyn_cast<RankedTensorType>(containerType);
  if (!tensorType || !isa<quant::QuantizedType>(tensorType.getElementType()))
    return emitError() << "expected a ranked tensor of quantized values, got "
                       << containerType;
  auto quantType = cast<quant::QuantizedType>(tensorType.getElementType());
  if (!isUniform(quantType))
    return emitError() << "unsupported quantized type " << quantType
                       << ": expected !quant.uniform (per-tensor, per-axis or "
                          "sub-channel)";
  MLIRContext *ctx = containerType.getContext();
  Type expressedType = quantType.getExpressedType();
  if (!expressedType || !expressedType.isF32())
    return emitError() << "expressed type must be f32, got " << expressedType;

  // Storage: 2 to 8 bits, the full range or (signed) the narrow range.
  bool isSigned = quantType.isSigned();
  auto storageType = dyn_cast<IntegerType>(quantType.getStorageType());
  if (!storageType)
    return emitError() << "storage type " << quantType.getStorageType()
                       << " is not supported: lowbit codes are 2- to 8-bit "
                          "integers";
  unsigned bits = storageType.getWidth();
  if (bits < 2 || bits > 8)
    return emitError() << "storage type " << storageName(isSigned, bits)
                       << " is not supported: lowbit codes are 2- to 8-bit "
                          "integers";
  int64_t storageMin = quantType.getStorageTypeMin();
  int64_t storageMax = quantType.getStorageTypeMax();
  int64_t fullMin =
      quant::QuantizedType::getDefaultMinimumForInteger(isSigned, bits);
  int64_t fullMax =
      quant::QuantizedType::getDefaultMaximumForInteger(isSigned, bits);

  // Granularity and raw parameters.
  GranularityKind granularity = GranularityKind::PerTensor;
  int64_t axis = 0, groupSize = 0;
  SmallVector<int64_t> paramShape;
  SmallVector<float> scales;
  SmallVector<int64_t> zeroPoints;
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(quantType)) {
    scales.push_back(float(perTensor.getScale()));
    zeroPoints.push_back(perTensor.getZeroPoint());
  } else if (auto perAxis =
                 dyn_cast<quant::UniformQuantizedPerAxisType>(quantType)) {
    // The quant verifier has checked the axis against the tensor's rank and
    // the number of scales against its size.
    granularity = GranularityKind::PerChannel;
    axis = perAxis.getQuantizedDimension();
    for (double scale : perAxis.getScales())
      scales.push_back(float(scale));
    llvm::append_range(zeroPoints, perAxis.getZeroPoints());
    paramShape.push_back(int64_t(scales.size()));
  } else {
    auto subChannel = cast<quant::UniformQuantizedSubChannelType>(quantType);
    ArrayRef<int64_t> shape = tensorType.getShape();
    // Dimensions without a block size form a single block.
    SmallVector<int64_t> blockSizes(shape);
    for (auto [dim, size] : subChannel.getBlockSizeInfo()) {
      // Unreachable for verified IR (the quant verifier checks the rank).
      if (dim < 0 || dim >= tensorType.getRank())
        return emitError() << "unsupported sub-channel block sizes: dimension "
                           << dim << " is out of range";
      blockSizes[dim] = size;
    }
    for (auto [dim, size] : llvm::enumerate(blockSizes))
      if (ShapedType::isDynamic(size))
        return emitError() << "sub-channel quantization needs a block size "
                              "for dynamic dimension "
                           << dim;
    SmallVector<int64_t> blockedDims;
    for (auto [dim, size] : llvm::enumerate(blockSizes))
      if (size > 1)
        blockedDims.push_back(int64_t(dim));
    if (blockedDims.size() != 1)
      return emitError()
             << "unsupported sub-channel block sizes " << formatList(blockSizes)
             << " (a dimension without a block size is one block): exactly "
                "one dimension may have a block size greater than 1";
    granularity = GranularityKind::PerGroup;
    axis = blockedDims.front();
    groupSize = blockSizes[axis];

    // The scales tensor has one element per block, in row-major order, which
    // is exactly the per_group parameter layout. The quant verifier has
    // checked its shape against the tensor's (every blocked dimension is a
    // multiple of its block size, so the division is exact).
    DenseElementsAttr scaleAttr = subChannel.getScales();
    llvm::append_range(paramShape, scaleAttr.getType().getShape());
    for (const APFloat &scale : scaleAttr.getValues<APFloat>())
      scales.push_back(toFloat(scale));
    DenseElementsAttr zeroPointAttr = subChannel.getZeroPoints();
    if (zeroPointAttr && zeroPointAttr.getNumElements() != 0) {
      // Zero points wider than the storage are exact; ones as narrow as the
      // storage are read with its signedness.
      unsigned zpBits = zeroPointAttr.getElementType().getIntOrFloatBitWidth();
      bool zeroExtend = !isSigned && zpBits <= bits;
      for (const APInt &zp : zeroPointAttr.getValues<APInt>())
        zeroPoints.push_back(zeroExtend ? int64_t(zp.getZExtValue())
                                        : zp.getSExtValue());
    } else {
      zeroPoints.assign(scales.size(), 0);
    }
  }

  // Form: signed with all zero points 0 is symmetric (full or narrow range);
  // everything else is affine over the full range.
  bool allZero = llvm::all_of(zeroPoints, [](int64_t z) { return z == 0; });
  bool symmetric = isSigned && allZero;
  bool fullRange = storageMin == fullMin && storageMax == fullMax;
  bool narrowRange =
      symmetric && storageMin == fullMin + 1 && storageMax == fullMax;
  if (!fullRange && !narrowRange) {
    InFlightDiagnostic diag = emitError();
    diag << "unsupported storage range [" << storageMin << ", " << storageMax
         << "] of " << storageName(isSigned, bits) << " storage: expected ["
         << fullMin << ", " << fullMax << "]";
    if (isSigned)
      diag << ", or [" << fullMin + 1 << ", " << fullMax
           << "] with all zero points 0";
    return diag;
  }
  for (int64_t zp : zeroPoints)
    if (zp < storageMin || zp > storageMax)
      return emitError() << "zero point " << zp
                         << " is outside the storage range [" << storageMin
                         << ", " << storageMax << "]";

  ParamForm form = symmetric ? ParamForm::Symmetric : ParamForm::Affine;
  SchemeAttr scheme = SchemeAttr::getChecked(
      emitError, ctx, bits, isSigned, form, granularity, axis, groupSize,
      narrowRange, RoundingMode::NearestEven, CodebookAttr());
  if (!scheme)
    return failure();

  ImportedParams result;
  result.scheme = scheme;
  result.scales = DenseElementsAttr::get(
      RankedTensorType::get(paramShape, Float32Type::get(ctx)),
      ArrayRef<float>(scales));
  if (!symmetric) {
    // Zero points are codes: stored as the storage's bit pattern and read
    // with the scheme's signedness (u8 zero point 200 is the i8 pattern -56).
    SmallVector<APInt> zpValues;
    for (int64_t zp : zeroPoints)
      zpValues.push_back(APInt(bits, uint64_t(zp), /*isSigned=*/isSigned,
                               /*implicitTrunc=*/true));
    result.zeroPoints = DenseElementsAttr::get(
        RankedTensorType::get(paramShape, storageType), zpValues);
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Type conversion
//===----------------------------------------------------------------------===//

/// Quantized values (tensors, vectors or scalars) become their storage
/// values; every other type is kept.
class StorageTypeConverter : public TypeConverter {
public:
  StorageTypeConverter() {
    addConversion([](Type type) { return type; });
    addConversion([](Type type) -> std::optional<Type> {
      if (!isa<quant::QuantizedType>(getElementTypeOrSelf(type)))
        return std::nullopt;
      // A null type (no storage form) makes the conversion fail.
      return quant::QuantizedType::castToStorageType(type);
    });
  }
};

/// Whether `op` carries no quantized type in its operands, results, the
/// entry block arguments of its regions or, for functions, its signature.
/// Other blocks are converted (and checked) through the branches into them,
/// as the dialect conversion expects.
bool hasOnlyLegalTypes(Operation *op, const TypeConverter &converter) {
  if (auto func = dyn_cast<FunctionOpInterface>(op)) {
    auto type = dyn_cast<FunctionType>(func.getFunctionType());
    return !type || converter.isSignatureLegal(type);
  }
  if (!converter.isLegal(op))
    return false;
  for (Region &region : op->getRegions())
    if (!region.empty() &&
        !converter.isLegal(region.front().getArgumentTypes()))
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// Materializes the scales and (null unless affine) zero points.
std::pair<Value, Value> createParams(OpBuilder &builder, Location loc,
                                     const ImportedParams &params) {
  auto constant = [&](DenseElementsAttr attr) -> Value {
    if (!attr)
      return Value();
    return arith::ConstantOp::create(builder, loc, cast<TypedAttr>(attr));
  };
  return {constant(params.scales), constant(params.zeroPoints)};
}

/// quant.qcast -> lowbit.quantize.
struct QuantizeCastLowering
    : public OpConversionPattern<quant::QuantizeCastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(quant::QuantizeCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<ImportedParams> params =
        importQuantizedTensor(op.getType(), [&] { return op.emitOpError(); });
    Type resultType = getTypeConverter()->convertType(op.getType());
    if (failed(params) || !resultType)
      return failure();
    Location loc = op.getLoc();
    auto [scales, zeroPoints] = createParams(rewriter, loc, *params);
    rewriter.replaceOp(op, QuantizeOp::create(rewriter, loc, resultType,
                                              adaptor.getInput(), scales,
                                              zeroPoints, /*mins=*/Value(),
                                              params->scheme));
    return success();
  }
};

/// quant.dcast -> lowbit.dequantize.
struct DequantizeCastLowering
    : public OpConversionPattern<quant::DequantizeCastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(quant::DequantizeCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<ImportedParams> params = importQuantizedTensor(
        op.getInput().getType(), [&] { return op.emitOpError(); });
    if (failed(params))
      return failure();
    Location loc = op.getLoc();
    auto [scales, zeroPoints] = createParams(rewriter, loc, *params);
    rewriter.replaceOp(op, DequantizeOp::create(rewriter, loc, op.getType(),
                                                adaptor.getInput(), scales,
                                                zeroPoints, /*mins=*/Value(),
                                                params->scheme));
    return success();
  }
};

/// quant.scast: after type conversion both sides are the storage type.
struct StorageCastLowering : public OpConversionPattern<quant::StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(quant::StorageCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type resultType = getTypeConverter()->convertType(op.getType());
    if (!resultType || resultType != adaptor.getInput().getType())
      return rewriter.notifyMatchFailure(op, "not a storage/quantized pair");
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

/// Any other op carrying quantized types (tensor ops, scf, ...): rebuilt
/// with converted operand, result and entry block argument types.
struct GenericTypeConversion : public ConversionPattern {
  GenericTypeConversion(const TypeConverter &converter, MLIRContext *ctx)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    // Functions and branches (which also convert their successor blocks)
    // have their own patterns; quant ops are never kept.
    if (isa<FunctionOpInterface>(op) || op->getNumSuccessors() != 0 ||
        isa<quant::QuantDialect>(op->getDialect()))
      return failure();
    const TypeConverter &converter = *getTypeConverter();
    if (hasOnlyLegalTypes(op, converter))
      return failure();
    SmallVector<Type> resultTypes;
    if (failed(converter.convertTypes(op->getResultTypes(), resultTypes)))
      return rewriter.notifyMatchFailure(op, "result types do not convert");
    SmallVector<TypeConverter::SignatureConversion> entryConversions;
    for (Region &region : op->getRegions()) {
      if (region.empty())
        continue;
      std::optional<TypeConverter::SignatureConversion> conversion =
          converter.convertBlockSignature(&region.front());
      if (!conversion)
        return rewriter.notifyMatchFailure(op, "block arguments do not "
                                               "convert");
      entryConversions.push_back(std::move(*conversion));
    }

    OperationState state(op->getLoc(), op->getName());
    state.addOperands(operands);
    state.addTypes(resultTypes);
    state.addAttributes(op->getAttrs());
    for (unsigned i = 0, e = op->getNumRegions(); i < e; ++i)
      state.addRegion();
    Operation *newOp = rewriter.create(state);
    auto conversion = entryConversions.begin();
    for (auto [oldRegion, newRegion] :
         llvm::zip(op->getRegions(), newOp->getRegions())) {
      if (oldRegion.empty())
        continue;
      rewriter.inlineRegionBefore(oldRegion, newRegion, newRegion.end());
      rewriter.applySignatureConversion(&newRegion.front(), *conversion++,
                                        &converter);
    }
    rewriter.replaceOp(op, newOp->getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

/// The first quantized element type in `types` that is not a uniform type.
quant::QuantizedType findNonUniform(TypeRange types) {
  for (Type type : types)
    if (auto quantType =
            dyn_cast<quant::QuantizedType>(getElementTypeOrSelf(type)))
      if (!isUniform(quantType))
        return quantType;
  return {};
}

/// Whether any quantized type is left on `op`: operands, results, block
/// arguments or function signature.
bool hasQuantizedTypes(Operation *op) {
  auto isQuantized = [](Type type) {
    return isa<quant::QuantizedType>(getElementTypeOrSelf(type));
  };
  if (llvm::any_of(op->getOperandTypes(), isQuantized) ||
      llvm::any_of(op->getResultTypes(), isQuantized))
    return true;
  for (Region &region : op->getRegions())
    for (Block &block : region)
      if (llvm::any_of(block.getArgumentTypes(), isQuantized))
        return true;
  if (auto func = dyn_cast<FunctionOpInterface>(op))
    return llvm::any_of(func.getArgumentTypes(), isQuantized) ||
           llvm::any_of(func.getResultTypes(), isQuantized);
  return false;
}

/// Reports everything the conversion cannot express; one error per op.
LogicalResult checkImportable(Operation *op) {
  auto emit = [&] { return op->emitOpError(); };
  if (auto qcast = dyn_cast<quant::QuantizeCastOp>(op))
    return importQuantizedTensor(qcast.getType(), emit);
  if (auto dcast = dyn_cast<quant::DequantizeCastOp>(op))
    return importQuantizedTensor(dcast.getInput().getType(), emit);

  // Other ops only need their quantized types to have a storage form. Every
  // value is an op result or a block argument, so checking those (and the
  // signatures of functions, which may have no body) covers all of them.
  SmallVector<Type> types(op->getResultTypes());
  for (Region &region : op->getRegions())
    for (Block &block : region)
      llvm::append_range(types, block.getArgumentTypes());
  if (auto func = dyn_cast<FunctionOpInterface>(op)) {
    llvm::append_range(types, func.getArgumentTypes());
    llvm::append_range(types, func.getResultTypes());
  }
  if (quant::QuantizedType bad = findNonUniform(types))
    return emit() << "unsupported quantized type " << bad
                  << ": expected !quant.uniform (per-tensor, per-axis or "
                     "sub-channel)";
  return success();
}

/// Whether the quantized side of a storage cast meets a quant.qcast or a
/// quant.dcast, i.e. whether its parameters are ever applied.
bool isPairedStorageCast(quant::StorageCastOp op) {
  if (isa<quant::QuantizedType>(getElementTypeOrSelf(op.getType())))
    return llvm::any_of(op->getUsers(), [](Operation *user) {
      return isa<quant::DequantizeCastOp>(user);
    });
  return op.getInput().getDefiningOp<quant::QuantizeCastOp>() != nullptr;
}

struct LowbitImportQuantPass
    : public lowbit::impl::LowbitImportQuantBase<LowbitImportQuantPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();

    // Diagnose first so that a module is either fully converted or left
    // alone with precise errors (no "failed to legalize" noise).
    bool ok = true;
    module.walk([&](Operation *op) {
      if (failed(checkImportable(op)))
        ok = false;
      auto storageCast = dyn_cast<quant::StorageCastOp>(op);
      if (requirePairedStorageCasts && storageCast &&
          !isPairedStorageCast(storageCast)) {
        op->emitOpError()
            << "reinterprets integer codes as quantized values (or back) "
               "without a quant.qcast or quant.dcast: the scale and zero "
               "point would never be applied; dequantize the codes with "
               "quant.dcast, or quantize floats with quant.qcast";
        ok = false;
      }
    });
    if (!ok)
      return signalPassFailure();

    StorageTypeConverter converter;
    ConversionTarget target(*ctx);
    target.addIllegalDialect<quant::QuantDialect>();
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return hasOnlyLegalTypes(op, converter); });

    RewritePatternSet patterns(ctx);
    patterns
        .add<QuantizeCastLowering, DequantizeCastLowering, StorageCastLowering>(
            converter, ctx);
    patterns.add<GenericTypeConversion>(converter, ctx);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);
    cf::populateCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                       target);

    // No folding: upstream folds dcast(qcast(x)) to x, which would silently
    // drop the quantization error this pass exists to keep.
    ConversionConfig config;
    config.foldingMode = DialectConversionFoldingMode::Never;
    if (failed(applyPartialConversion(module, target, std::move(patterns),
                                      config)))
      return signalPassFailure();

    // The conversion never visits blocks without predecessors (their
    // arguments keep their types); never leave a quantized type behind
    // silently.
    module.walk([&](Operation *op) {
      if (!hasQuantizedTypes(op))
        return;
      op->emitOpError() << "still carries a quantized type after the import "
                           "(is it in a block without predecessors?)";
      ok = false;
    });
    if (!ok)
      signalPassFailure();
  }
};

} // namespace

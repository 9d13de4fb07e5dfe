//===- QuantizeWeights.cpp - quantize constant weights --------------------===//
//
// Finds constant weights of contractions and convolutions, brings each into
// the canonical [N, K] form (output dimensions, then reduction dimensions),
// quantizes it with the numerics library and feeds the codes and parameters
// to `lowbit.dequantize`, followed by the reshape / transpose back to the
// original layout.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/ConstantData.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Dialect/Lowbit/Transforms/WeightOptions.h"
#include "lowbit/Numerics/ErrorMetrics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Regex.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITQUANTIZEWEIGHTS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// A constant weight reached from the weight operand of a consumer.
struct WeightUse {
  /// The use of the constant's result that gets the quantized value.
  OpOperand *use;
  arith::ConstantOp constant;
  /// Constant dimensions in canonical order: parallel, then reduction.
  SmallVector<int64_t> order;
  int64_t numParallel;
  Operation *consumer;
};

} // namespace

/// The inputs of `op` that may be its weight: the filter of a convolution,
/// or any input of a contraction (the one that is constant is the weight).
static SmallVector<OpOperand *> getWeightCandidates(linalg::LinalgOp op) {
  SmallVector<OpOperand *> candidates;
  if (linalg::isaConvolutionOpInterface(op) && op.getNumDpsInputs() == 2)
    candidates.push_back(op.getDpsInputOperand(1));
  else if (linalg::isaContractionOpInterface(op))
    llvm::append_range(candidates, op.getDpsInputOperands());
  return candidates;
}

/// Follows `operand` to a float constant, directly or through a
/// linalg.transpose. `perm` maps operand dimensions to constant dimensions.
static arith::ConstantOp traceToConstant(OpOperand &operand, OpOperand *&use,
                                         SmallVectorImpl<int64_t> &perm) {
  Value value = operand.get();
  auto rank = cast<ShapedType>(value.getType()).getRank();
  perm.assign(llvm::to_vector(llvm::seq<int64_t>(0, rank)));
  use = &operand;
  if (auto transpose = value.getDefiningOp<linalg::TransposeOp>()) {
    perm.assign(transpose.getPermutation().begin(),
                transpose.getPermutation().end());
    use = &transpose.getInputMutable();
    value = transpose.getInput();
  }
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant || !isa<ElementsAttr>(constant.getValue()) ||
      !isa<FloatType>(getElementTypeOrSelf(constant.getType())))
    return {};
  return constant;
}

/// The name of a weight for reports and filters: its resource key, its name
/// location, or its position in the source.
static std::string getWeightName(arith::ConstantOp constant) {
  StringRef resource = getResourceName(cast<ElementsAttr>(constant.getValue()));
  if (!resource.empty())
    return resource.str();
  if (auto name = dyn_cast<NameLoc>(constant.getLoc()))
    return name.getName().str();
  std::string text;
  llvm::raw_string_ostream os(text);
  constant.getLoc().print(os);
  return text;
}

static std::string formatIndex(ArrayRef<int64_t> shape, int64_t flat) {
  SmallVector<int64_t> index(shape.size());
  for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(index, os);
  os << "]";
  return text;
}

/// Copies `values` (row-major in `shape`) into the dimension order `order`.
static std::vector<float> permute(ArrayRef<float> values,
                                  ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> order) {
  int64_t rank = shape.size();
  SmallVector<int64_t> strides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  SmallVector<int64_t> permutedShape, permutedStrides;
  for (int64_t d : order) {
    permutedShape.push_back(shape[d]);
    permutedStrides.push_back(strides[d]);
  }
  std::vector<float> result;
  result.reserve(values.size());
  SmallVector<int64_t> index(rank, 0);
  for (size_t i = 0; i < values.size(); ++i) {
    int64_t offset = 0;
    for (int64_t d = 0; d < rank; ++d)
      offset += index[d] * permutedStrides[d];
    result.push_back(values[offset]);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < permutedShape[d])
        break;
      index[d] = 0;
    }
  }
  return result;
}

namespace {

struct LowbitQuantizeWeightsPass
    : public lowbit::impl::LowbitQuantizeWeightsBase<
          LowbitQuantizeWeightsPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  /// Collects the constant weight of `op`; otherwise sets `whyFloat` to why
  /// it stays in float (empty: nothing to say, e.g. already quantized).
  std::optional<WeightUse> findWeight(linalg::LinalgOp op,
                                      std::string &whyFloat);
  /// Quantizes one weight; a null value when it is left in float.
  FailureOr<Value> quantizeWeight(const WeightUse &weight, SchemeAttr scheme,
                                  Type paramType);
};

} // namespace

/// Why `op`, whose weight candidates are not constants, stays in float;
/// empty when there is nothing to say: a weight already quantized
/// (`lowbit.dequantize`, e.g. imported from upstream quant casts), or a
/// product of two computed values (attention) unless `verbose`.
static std::string explainNoConstant(ArrayRef<OpOperand *> candidates,
                                     bool verbose) {
  for (OpOperand *operand : candidates) {
    Value value = operand->get();
    if (auto transpose = value.getDefiningOp<linalg::TransposeOp>())
      value = transpose.getInput();
    if (value.getDefiningOp<DequantizeOp>())
      return "";
  }
  // The last candidate is the weight of a matmul (x * W) and the filter of
  // a convolution.
  for (OpOperand *operand : llvm::reverse(candidates)) {
    Value value = operand->get();
    if (auto transpose = value.getDefiningOp<linalg::TransposeOp>())
      value = transpose.getInput();
    if (auto argument = dyn_cast<BlockArgument>(value))
      return "input " + std::to_string(operand->getOperandNumber()) +
             " is function argument " +
             std::to_string(argument.getArgNumber()) +
             ", not a constant (only constant weights are quantized at "
             "compile time)";
  }
  if (verbose)
    return "no operand is a constant weight (both are computed at run time)";
  return "";
}

std::optional<WeightUse>
LowbitQuantizeWeightsPass::findWeight(linalg::LinalgOp op,
                                      std::string &whyFloat) {
  SmallVector<OpOperand *> candidates = getWeightCandidates(op);
  std::optional<WeightUse> found;
  for (OpOperand *operand : candidates) {
    OpOperand *use;
    SmallVector<int64_t> perm;
    arith::ConstantOp constant = traceToConstant(*operand, use, perm);
    if (!constant)
      continue;
    if (found) { // Two constant inputs: nothing to quantize at run time.
      whyFloat = "all of its inputs are constants";
      return std::nullopt;
    }
    auto type = cast<RankedTensorType>(constant.getType());
    if (!type.hasStaticShape()) {
      whyFloat = "its weight has a dynamic shape";
      return std::nullopt;
    }
    // Convolution filters and contraction operands are indexed by loop
    // dimensions directly.
    AffineMap map = op.getMatchingIndexingMap(operand);
    if (!map.isProjectedPermutation() ||
        map.getNumResults() != type.getRank()) {
      whyFloat = "its weight is not indexed by loop dimensions "
                 "(unsupported shape)";
      return std::nullopt;
    }
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    SmallVector<bool> isReduction(type.getRank());
    for (int64_t d = 0; d < type.getRank(); ++d)
      isReduction[perm[d]] = iterators[map.getDimPosition(d)] ==
                             utils::IteratorType::reduction;
    WeightUse weight{use, constant, {}, 0, op};
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (!isReduction[d])
        weight.order.push_back(d);
    weight.numParallel = weight.order.size();
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (isReduction[d])
        weight.order.push_back(d);
    if (weight.numParallel == 0 || weight.numParallel == type.getRank()) {
      whyFloat = "it needs both output and reduction dimensions";
      return std::nullopt;
    }
    found = weight;
  }
  if (!found)
    whyFloat = explainNoConstant(candidates, report);
  return found;
}

FailureOr<Value>
LowbitQuantizeWeightsPass::quantizeWeight(const WeightUse &weight,
                                          SchemeAttr scheme, Type paramType) {
  arith::ConstantOp constant = weight.constant;
  auto type = cast<RankedTensorType>(constant.getType());
  ArrayRef<int64_t> shape = type.getShape();
  auto attr = cast<ElementsAttr>(constant.getValue());
  std::string name = getWeightName(constant);

  // Read the payload in place when possible (no copy of large blobs).
  std::vector<float> storage;
  ArrayRef<float> values = viewFloats(attr);
  if (values.empty()) {
    FailureOr<std::vector<float>> read = readFloats(attr);
    if (failed(read)) {
      constant.emitRemark() << "weight '" << name << "' left in float: its "
                            << type.getElementType()
                            << " payload cannot be read";
      return Value();
    }
    storage = std::move(*read);
    values = storage;
  }
  if (std::optional<int64_t> bad = numerics::findNonFinite(values)) {
    std::string value;
    llvm::raw_string_ostream(value) << llvm::format("%g", double(values[*bad]));
    return constant.emitError()
           << "weight '" << name << "' has a non-finite value (" << value
           << ") at index " << formatIndex(shape, *bad);
  }

  int64_t n = 1, k = 1;
  for (auto [i, d] : llvm::enumerate(weight.order))
    (int64_t(i) < weight.numParallel ? n : k) *= shape[d];
  bool identityOrder = llvm::equal(weight.order, llvm::seq<int64_t>(0, type.getRank()));
  std::vector<float> reordered;
  ArrayRef<float> canonical = values;
  if (!identityOrder) {
    reordered = permute(values, shape, weight.order);
    canonical = reordered;
  }

  numerics::Scheme numericScheme = scheme.getNumericsScheme(paramType);
  numerics::Granularity granularity = scheme.getNumericsGranularity();
  numerics::ClippingOptions clippingOptions;
  clippingOptions.method = clipping == "mse" ? numerics::ClipMethod::MSE
                                             : numerics::ClipMethod::MinMax;
  numerics::ExecOptions exec;
  exec.numThreads = numThreads;
  auto quantized = numerics::quantizeTensor(canonical, {n, k}, numericScheme,
                                            granularity, clippingOptions, exec);
  if (!quantized)
    return constant.emitError() << "cannot quantize weight '" << name
                                << "': " << quantized.error().message;

  // New constants and the dequantize, next to the original constant.
  OpBuilder builder(constant);
  builder.setInsertionPointAfter(constant);
  Location loc = constant.getLoc();
  MLIRContext *context = &getContext();
  bool asResource = isa<DenseResourceElementsAttr>(attr);
  auto codesType =
      RankedTensorType::get({n, k}, IntegerType::get(context, 8));
  std::vector<int8_t> codes(quantized->codes.size());
  for (size_t i = 0; i < codes.size(); ++i)
    codes[i] = int8_t(quantized->codeValue(i));
  Value codesValue = arith::ConstantOp::create(
      builder, loc,
      makeRawConstant(codesType, ArrayRef<int8_t>(codes), asResource,
                      name + "_codes"));
  SmallVector<int64_t> paramShape = scheme.getParamShape({n, k});
  auto paramsType = RankedTensorType::get(paramShape, paramType);
  Value scales = arith::ConstantOp::create(
      builder, loc,
      makeFloatConstant(paramsType, quantized->scales, asResource,
                        name + "_scales"));
  Value zeroPoints, mins;
  if (scheme.getForm() == ParamForm::Affine)
    zeroPoints = arith::ConstantOp::create(
        builder, loc,
        makeRawConstant(
            RankedTensorType::get(paramShape, builder.getI32Type()),
            ArrayRef<int32_t>(quantized->zeroPoints), asResource,
            name + "_zero_points"));
  if (scheme.getForm() == ParamForm::MinScale)
    mins = arith::ConstantOp::create(
        builder, loc,
        makeFloatConstant(paramsType, quantized->mins, asResource,
                          name + "_mins"));
  Type elementType = type.getElementType();
  Value result = DequantizeOp::create(
      builder, loc, RankedTensorType::get({n, k}, elementType), codesValue,
      scales, zeroPoints, mins, scheme);

  // Back to the original layout: expand [N, K], then transpose.
  SmallVector<int64_t> orderedShape;
  for (int64_t d : weight.order)
    orderedShape.push_back(shape[d]);
  if (orderedShape.size() > 2) {
    SmallVector<ReassociationIndices> reassociation(2);
    for (int64_t i = 0; i < int64_t(orderedShape.size()); ++i)
      reassociation[i < weight.numParallel ? 0 : 1].push_back(i);
    result = tensor::ExpandShapeOp::create(
        builder, loc, RankedTensorType::get(orderedShape, elementType), result,
        reassociation);
  }
  if (!identityOrder) {
    SmallVector<int64_t> inverse(weight.order.size());
    for (auto [i, d] : llvm::enumerate(weight.order))
      inverse[d] = i;
    Value init = tensor::EmptyOp::create(builder, loc, shape, elementType);
    result = linalg::TransposeOp::create(builder, loc, result, init, inverse)
                 ->getResult(0);
  }

  if (report) {
    auto dequantized =
        numerics::dequantizeTensor(*quantized, numericScheme, granularity, exec);
    numerics::ErrorStats stats =
        numerics::computeErrorStats(canonical, *dequantized);
    int64_t paramBytes = int64_t(quantized->scales.size()) *
                         (paramType.getIntOrFloatBitWidth() / 8);
    if (zeroPoints)
      paramBytes += int64_t(quantized->zeroPoints.size()) * 4;
    if (mins)
      paramBytes += paramBytes;
    int64_t before = type.getNumElements() * type.getElementTypeBitWidth() / 8;
    int64_t after = llvm::divideCeil(n * k * scheme.getBits(), 8) + paramBytes;
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "quantized weight '" << name << "' ";
    llvm::interleave(shape, os, "x");
    os << " as [" << n << ", " << k << "] under " << scheme << ": " << before
       << " -> " << after << " bytes ("
       << llvm::format("%.2f", double(before) / double(after)) << "x), mse "
       << llvm::format("%.3e", stats.mse) << ", max abs error "
       << llvm::format("%.3e", stats.maxAbs) << ", SQNR "
       << llvm::format("%.2f", stats.sqnrDb) << " dB";
    constant.emitRemark() << text;
  }
  return result;
}

void LowbitQuantizeWeightsPass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *context = &getContext();
  auto emitError = [&]() { return module.emitError(); };

  WeightSchemeOptions options;
  options.bits = bits;
  options.symmetric = symmetric;
  options.asymmetricForm = asymmetricForm;
  options.narrowRange = narrowRange;
  options.granularity = granularity;
  options.groupSize = groupSize;
  options.rounding = rounding;
  options.codebook = codebook;
  FailureOr<SchemeAttr> scheme = buildWeightScheme(context, options, emitError);
  if (failed(scheme))
    return signalPassFailure();
  Type paramElementType;
  if (paramType == "f16") {
    paramElementType = Float16Type::get(context);
  } else if (paramType == "f32") {
    paramElementType = Float32Type::get(context);
  } else {
    module.emitError() << "unknown param-type '" << paramType
                       << "' (expected f32 or f16)";
    return signalPassFailure();
  }
  if (clipping != "minmax" && clipping != "mse") {
    module.emitError() << "unknown clipping '" << clipping
                       << "' (expected minmax or mse)";
    return signalPassFailure();
  }
  llvm::Regex nameFilter(filter);
  std::string regexError;
  if (!filter.empty() && !nameFilter.isValid(regexError)) {
    module.emitError() << "invalid filter regex '" << filter
                       << "': " << regexError;
    return signalPassFailure();
  }

  // Every matmul or convolution left in float gets a remark saying why, so
  // that a model whose preset quantizes nothing does not pass silently.
  SmallVector<WeightUse> weights;
  // Matmuls/convolutions seen, quantized, left in float (the report).
  struct Counts {
    int64_t layers = 0, quantized = 0, inFloat = 0;
  } counts;
  bool tooLarge = false;
  module.walk([&](linalg::LinalgOp op) {
    // Pooling is a convolution whose window (a tensor.empty) has no values.
    SmallVector<OpOperand *> candidates = getWeightCandidates(op);
    if (candidates.empty() || llvm::any_of(candidates, [](OpOperand *operand) {
          return operand->get().getDefiningOp<tensor::EmptyOp>();
        }))
      return;
    ++counts.layers;
    auto leaveInFloat = [&](const Twine &why) {
      ++counts.inFloat;
      op->emitRemark() << "weight left in float: " << why;
    };
    if (!ops.empty() &&
        !llvm::is_contained(ops, op->getName().getStringRef().str())) {
      if (report)
        leaveInFloat("the op is not in ops=");
      return;
    }
    std::string whyFloat;
    std::optional<WeightUse> weight = findWeight(op, whyFloat);
    if (!weight) {
      if (!whyFloat.empty())
        leaveInFloat(whyFloat);
      return;
    }
    auto type = cast<ShapedType>(weight->constant.getType());
    std::string name = getWeightName(weight->constant);
    if (type.getNumElements() == 0)
      return leaveInFloat("weight '" + name + "' has no elements (a " +
                          formatShape(type.getShape()) + " tensor)");
    if (type.getNumElements() < minElements)
      return leaveInFloat(
          "weight '" + name + "' has " + Twine(type.getNumElements()) +
          " elements, fewer than min-elements=" + Twine(int64_t(minElements)));
    if (!filter.empty() && !nameFilter.match(name)) {
      if (report)
        leaveInFloat("weight '" + name + "' does not match filter='" + filter +
                     "'");
      return;
    }
    // Quantizing reads the whole weight: a splat of a huge declared shape
    // must not be expanded until memory runs out.
    if (failed(checkConstantBytes(weight->constant, type, maxConstantBytes))) {
      tooLarge = true;
      return;
    }
    weights.push_back(*weight);
  });
  if (tooLarge)
    return signalPassFailure();

  // A constant shared by consumers that see it in the same canonical order
  // is quantized once.
  struct Quantized {
    Operation *constant;
    SmallVector<int64_t> order;
    Value value;
  };
  SmallVector<Quantized> done;
  for (const WeightUse &weight : weights) {
    auto it = llvm::find_if(done, [&](const Quantized &entry) {
      return entry.constant == weight.constant && entry.order == weight.order;
    });
    if (it == done.end()) {
      FailureOr<Value> quantized =
          quantizeWeight(weight, *scheme, paramElementType);
      if (failed(quantized))
        return signalPassFailure();
      if (!*quantized) // Left in float, with a remark.
        continue;
      done.push_back({weight.constant, weight.order, *quantized});
      it = std::prev(done.end());
    }
    weight.use->set(it->value);
    ++counts.quantized;
  }
  for (Quantized &entry : done)
    if (entry.constant->use_empty())
      entry.constant->erase();
  if (report && counts.layers != 0)
    module.emitRemark() << "lowbit-quantize-weights: " << counts.quantized
                        << " of " << counts.layers
                        << " matmul(s)/convolution(s) quantized, "
                        << counts.inFloat << " left in float";
}

//===- WeightAnalysis.cpp - constant weights of layers --------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/WeightAnalysis.h"
#include "lowbit/Dialect/Lowbit/IR/ConstantData.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Regex.h"

#include <cmath>

using namespace mlir;
using namespace lowbit;

int64_t WeightUse::getN() const {
  ArrayRef<int64_t> shape =
      cast<ShapedType>(constant->getResult(0).getType()).getShape();
  int64_t n = 1;
  for (int64_t i = 0; i < numParallel; ++i)
    n *= shape[order[i]];
  return n;
}

int64_t WeightUse::getK() const {
  ArrayRef<int64_t> shape =
      cast<ShapedType>(constant->getResult(0).getType()).getShape();
  int64_t k = 1;
  for (int64_t i = numParallel; i < int64_t(order.size()); ++i)
    k *= shape[order[i]];
  return k;
}

SmallVector<OpOperand *> lowbit::getWeightCandidates(linalg::LinalgOp op) {
  SmallVector<OpOperand *> candidates;
  if (linalg::isaConvolutionOpInterface(op) && op.getNumDpsInputs() == 2)
    candidates.push_back(op.getDpsInputOperand(1));
  else if (linalg::isaContractionOpInterface(op))
    llvm::append_range(candidates, op.getDpsInputOperands());
  // Pooling is a convolution whose window (a tensor.empty) has no values.
  if (llvm::any_of(candidates, [](OpOperand *operand) {
        return operand->get().getDefiningOp<tensor::EmptyOp>();
      }))
    candidates.clear();
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

std::string lowbit::formatFloat(const char *format, double value) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format(format, value);
  return text;
}

std::string lowbit::getWeightName(arith::ConstantOp constant) {
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

std::optional<WeightUse> lowbit::findConstantWeight(linalg::LinalgOp op,
                                                    std::string &whyFloat,
                                                    bool verbose) {
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
    WeightUse weight{use, constant, {}, 0, op, {}};
    weight.loopDims.resize(type.getRank());
    for (int64_t d = 0; d < type.getRank(); ++d) {
      isReduction[perm[d]] =
          iterators[map.getDimPosition(d)] == utils::IteratorType::reduction;
      weight.loopDims[perm[d]] = map.getDimPosition(d);
    }
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
    whyFloat = explainNoConstant(candidates, verbose);
  return found;
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

FailureOr<std::vector<float>>
lowbit::readCanonicalWeight(const WeightUse &weight) {
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
      constant.emitRemark()
          << "weight '" << name << "' left in float: its "
          << type.getElementType() << " payload cannot be read";
      return std::vector<float>();
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
  if (llvm::equal(weight.order, llvm::seq<int64_t>(0, type.getRank()))) {
    if (storage.empty())
      storage.assign(values.begin(), values.end());
    return storage;
  }
  return permute(values, shape, weight.order);
}

//===----------------------------------------------------------------------===//
// Input rows
//===----------------------------------------------------------------------===//

int64_t InputRowPlan::getNumRows() const {
  int64_t m = 1;
  for (int64_t s : rowSizes)
    m *= s;
  return m;
}

int64_t InputRowPlan::getK() const {
  int64_t k = 1;
  for (int64_t s : kSizes)
    k *= s;
  return k;
}

/// Calls `fn(offset)` for every point of the box `sizes` (row-major), with
/// offset = sum index[i] * strides[i].
template <typename Fn>
static void forEachOffset(ArrayRef<int64_t> sizes, ArrayRef<int64_t> strides,
                          Fn fn) {
  int64_t rank = sizes.size(), total = 1;
  for (int64_t s : sizes)
    total *= s;
  SmallVector<int64_t> index(rank, 0);
  int64_t offset = 0;
  for (int64_t i = 0; i < total; ++i) {
    fn(offset);
    for (int64_t d = rank - 1; d >= 0; --d) {
      offset += strides[d];
      if (++index[d] < sizes[d])
        break;
      offset -= strides[d] * sizes[d];
      index[d] = 0;
    }
  }
}

void InputRowPlan::gather(ArrayRef<float> input,
                          std::vector<float> &rows) const {
  // Offsets of one row, then every row start.
  SmallVector<int64_t> rowOffsets;
  forEachOffset(kSizes, kStrides,
                [&](int64_t offset) { rowOffsets.push_back(offset); });
  forEachOffset(rowSizes, rowStrides, [&](int64_t start) {
    const float *x = input.data() + base + start;
    for (int64_t offset : rowOffsets)
      rows.push_back(x[offset]);
  });
}

/// Whether `expr` is a sum of dimensions times constants plus a constant.
static bool isLinear(AffineExpr expr) {
  bool linear = true;
  expr.walk([&](AffineExpr e) {
    if (e.getKind() == AffineExprKind::Mod ||
        e.getKind() == AffineExprKind::FloorDiv ||
        e.getKind() == AffineExprKind::CeilDiv ||
        e.getKind() == AffineExprKind::SymbolId)
      linear = false;
  });
  return linear && expr.isPureAffine();
}

FailureOr<InputRowPlan> lowbit::planInputRows(const WeightUse &weight,
                                              std::string &why) {
  auto op = cast<linalg::LinalgOp>(weight.consumer);
  // The data input: the other input of a contraction, the image of a
  // convolution.
  OpOperand *input = nullptr;
  for (OpOperand *operand : op.getDpsInputOperands()) {
    Value value = operand->get();
    if (auto transpose = value.getDefiningOp<linalg::TransposeOp>())
      value = transpose.getInput();
    if (value != weight.constant->getResult(0)) {
      input = operand;
      break;
    }
  }
  auto inputType =
      input ? dyn_cast<RankedTensorType>(input->get().getType()) : nullptr;
  if (!inputType || !inputType.hasStaticShape() ||
      !inputType.getElementType().isF32()) {
    why = "its input is not a static f32 tensor";
    return failure();
  }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic)) {
    why = "its loops have dynamic bounds";
    return failure();
  }
  AffineMap map = op.getMatchingIndexingMap(input);
  int64_t numLoops = ranges.size();
  ArrayRef<int64_t> shape = inputType.getShape();
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = int64_t(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  // Element offset = base + sum_l coefficient[l] * loop[l]: evaluate the map
  // at 0 and at each unit vector.
  if (!llvm::all_of(map.getResults(), isLinear)) {
    why = "its input is not indexed by linear functions of the loops";
    return failure();
  }
  SmallVector<int64_t> zero(numLoops, 0);
  SmallVector<int64_t> at0 = map.compose(zero);
  SmallVector<int64_t> coefficient(numLoops, 0);
  SmallVector<SmallVector<int64_t>> perDim(numLoops);
  for (int64_t l = 0; l < numLoops; ++l) {
    SmallVector<int64_t> unit(numLoops, 0);
    unit[l] = 1;
    SmallVector<int64_t> at = map.compose(unit);
    for (size_t d = 0; d < shape.size(); ++d) {
      perDim[l].push_back(at[d] - at0[d]);
      coefficient[l] += (at[d] - at0[d]) * strides[d];
    }
  }
  // Every input index stays inside the input over the loop box.
  for (size_t d = 0; d < shape.size(); ++d) {
    int64_t lo = at0[d], hi = at0[d];
    for (int64_t l = 0; l < numLoops; ++l) {
      int64_t c = perDim[l][d] * (ranges[l] - 1);
      (c < 0 ? lo : hi) += c;
    }
    if (lo < 0 || hi >= shape[d]) {
      why = "its input is read outside its bounds (implicit padding)";
      return failure();
    }
  }
  InputRowPlan plan;
  plan.input = input;
  for (size_t d = 0; d < shape.size(); ++d)
    plan.base += at0[d] * strides[d];
  // K: the weight's reduction dimensions in canonical order; rows: the
  // input's other loops. A loop in both the weight's output dimensions and
  // the input is a batch of weights: not a layer.
  SmallVector<bool> isWeightLoop(numLoops, false);
  for (int64_t l : weight.loopDims)
    isWeightLoop[l] = true;
  for (int64_t i = weight.numParallel; i < int64_t(weight.order.size()); ++i) {
    int64_t l = weight.loopDims[weight.order[i]];
    if (coefficient[l] == 0 && ranges[l] > 1) {
      why = "a reduction dimension of its weight does not index its input";
      return failure();
    }
    plan.kSizes.push_back(ranges[l]);
    plan.kStrides.push_back(coefficient[l]);
  }
  for (int64_t l = 0; l < numLoops; ++l) {
    if (isWeightLoop[l] || coefficient[l] == 0)
      continue;
    plan.rowSizes.push_back(ranges[l]);
    plan.rowStrides.push_back(coefficient[l]);
  }
  for (int64_t i = 0; i < weight.numParallel; ++i) {
    int64_t l = weight.loopDims[weight.order[i]];
    if (coefficient[l] != 0) {
      why = "its weight has a batch dimension";
      return failure();
    }
  }
  return plan;
}

//===----------------------------------------------------------------------===//
// Layer statistics
//===----------------------------------------------------------------------===//

/// The f64 payload of a dense or dense_resource attribute, or failure.
static FailureOr<std::vector<double>> readDoubles(Attribute attr) {
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (!dense.getElementType().isF64())
      return failure();
    auto values = dense.getValues<double>();
    return std::vector<double>(values.begin(), values.end());
  }
  if (auto resource = dyn_cast<DenseF64ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<double>> values = resource.tryGetAsArrayRef();
    if (!values)
      return failure();
    return std::vector<double>(values->begin(), values->end());
  }
  return failure();
}

FailureOr<std::optional<LayerStatistics>>
lowbit::getLayerStatistics(ModuleOp module, StringRef name, int64_t k,
                           Operation *weight) {
  auto all = module->getAttrOfType<DictionaryAttr>(kLayerStatsAttrName);
  if (!all)
    return std::optional<LayerStatistics>();
  auto entry = all.getAs<DictionaryAttr>(name);
  if (!entry)
    return std::optional<LayerStatistics>();
  auto fail = [&](const Twine &message) -> LogicalResult {
    return weight->emitError()
           << "statistics of weight '" << name << "': " << message;
  };
  LayerStatistics stats;
  auto rows = entry.getAs<IntegerAttr>("rows");
  auto hessian = entry.get("hessian");
  auto meanAbs = entry.getAs<DenseElementsAttr>("mean_abs");
  if (!rows || rows.getInt() < 0)
    return fail("expected 'rows', a non-negative integer");
  stats.rows = rows.getInt();
  auto hessianType =
      hessian ? dyn_cast<ShapedType>(cast<TypedAttr>(hessian).getType())
              : ShapedType();
  if (!hessianType || hessianType.getShape() != ArrayRef<int64_t>{k, k})
    return fail("expected 'hessian', a " + Twine(k) + "x" + Twine(k) +
                "xf64 tensor");
  FailureOr<std::vector<double>> h = readDoubles(hessian);
  if (failed(h))
    return fail("'hessian' is not readable f64 data");
  for (auto [i, v] : llvm::enumerate(*h))
    if (!std::isfinite(v))
      return fail("'hessian' has a non-finite value at [" +
                  Twine(int64_t(i) / k) + ", " + Twine(int64_t(i) % k) + "]");
  stats.hessian = std::move(*h);
  if (!meanAbs || !meanAbs.getElementType().isF32() ||
      meanAbs.getType().getShape() != ArrayRef<int64_t>{k})
    return fail("expected 'mean_abs', a " + Twine(k) + "xf32 tensor");
  for (float v : meanAbs.getValues<float>()) {
    if (!std::isfinite(v) || v < 0.0f)
      return fail("'mean_abs' has a value that is negative or not finite");
    stats.meanAbs.push_back(v);
  }
  return std::optional<LayerStatistics>(std::move(stats));
}

FailureOr<std::optional<LayerStatistics>>
lowbit::requireLayerStatistics(ModuleOp module, const WeightUse &weight,
                               bool required, StringRef pass) {
  std::string name = getWeightName(weight.constant);
  auto stats = getLayerStatistics(module, name, weight.getK(), weight.constant);
  if (failed(stats) || *stats)
    return stats;
  if (required)
    return weight.constant->emitError()
           << "weight '" << name
           << "' has no layer input statistics (lowbit.layer_stats): run "
              "lowbit-calibrate --layer-stats, or give lowbitc calibration "
              "samples";
  weight.constant->emitRemark()
      << "weight '" << name << "' has no layer input statistics: " << pass
      << " rounds it to nearest";
  return stats;
}

void lowbit::setLayerStatistics(ModuleOp module, StringRef name,
                                const LayerStatistics &statistics) {
  MLIRContext *context = module.getContext();
  Builder b(context);
  int64_t k = statistics.meanAbs.size();
  auto hessianType = RankedTensorType::get({k, k}, b.getF64Type());
  auto meanType = RankedTensorType::get({k}, b.getF32Type());
  NamedAttrList entry;
  entry.append("rows", b.getI64IntegerAttr(statistics.rows));
  entry.append("hessian", makeRawConstant(
                              hessianType, ArrayRef<double>(statistics.hessian),
                              /*asResource=*/true, (name + "_hessian").str()));
  entry.append("mean_abs", DenseElementsAttr::get(
                               meanType, ArrayRef<float>(statistics.meanAbs)));
  NamedAttrList all;
  if (auto existing =
          module->getAttrOfType<DictionaryAttr>(kLayerStatsAttrName))
    all.append(existing.getValue());
  all.set(b.getStringAttr(name), entry.getDictionary(context));
  module->setAttr(kLayerStatsAttrName, all.getDictionary(context));
}

//===----------------------------------------------------------------------===//
// Rewriting
//===----------------------------------------------------------------------===//

/// The constant of `weight`'s [N, K] codes (a resource when the weight is
/// one), created after the weight with `builder`.
static Value buildCodesConstant(OpBuilder &builder, const WeightUse &weight,
                                ArrayRef<int8_t> codes) {
  arith::ConstantOp constant = weight.constant;
  builder.setInsertionPointAfter(constant);
  auto codesType = RankedTensorType::get({weight.getN(), weight.getK()},
                                         builder.getI8Type());
  return arith::ConstantOp::create(
      builder, constant.getLoc(),
      makeRawConstant(codesType, codes,
                      isa<DenseResourceElementsAttr>(constant.getValue()),
                      getWeightName(constant) + "_codes"));
}

Value lowbit::buildQuantizedWeight(const WeightUse &weight, SchemeAttr scheme,
                                   Type paramType,
                                   const numerics::QuantizedTensor &quantized) {
  arith::ConstantOp constant = weight.constant;
  auto type = cast<RankedTensorType>(constant.getType());
  std::string name = getWeightName(constant);
  int64_t n = weight.getN(), k = weight.getK();
  OpBuilder builder(constant);
  Location loc = constant.getLoc();
  bool asResource = isa<DenseResourceElementsAttr>(constant.getValue());
  std::vector<int8_t> codes(quantized.codes.size());
  for (size_t i = 0; i < codes.size(); ++i)
    codes[i] = int8_t(quantized.codeValue(i));
  Value codesValue = buildCodesConstant(builder, weight, codes);
  SmallVector<int64_t> paramShape = scheme.getParamShape({n, k});
  auto paramsType = RankedTensorType::get(paramShape, paramType);
  Value scales = arith::ConstantOp::create(
      builder, loc,
      makeFloatConstant(paramsType, quantized.scales, asResource,
                        name + "_scales"));
  Value zeroPoints, mins;
  if (scheme.getForm() == ParamForm::Affine)
    zeroPoints = arith::ConstantOp::create(
        builder, loc,
        makeRawConstant(RankedTensorType::get(paramShape, builder.getI32Type()),
                        ArrayRef<int32_t>(quantized.zeroPoints), asResource,
                        name + "_zero_points"));
  if (scheme.getForm() == ParamForm::MinScale)
    mins = arith::ConstantOp::create(
        builder, loc,
        makeFloatConstant(paramsType, quantized.mins, asResource,
                          name + "_mins"));
  Value result = DequantizeOp::create(
      builder, loc, RankedTensorType::get({n, k}, type.getElementType()),
      codesValue, scales, zeroPoints, mins, scheme);
  return restoreWeightLayout(builder, weight, result);
}

Value lowbit::buildSuperblockWeight(
    const WeightUse &weight, SchemeAttr scheme,
    const numerics::SuperblockTensor &quantized) {
  arith::ConstantOp constant = weight.constant;
  auto type = cast<RankedTensorType>(constant.getType());
  int64_t n = weight.getN(), k = weight.getK();
  OpBuilder builder(constant);
  Location loc = constant.getLoc();
  std::vector<int8_t> codes(quantized.codes.begin(), quantized.codes.end());
  Value codesValue = buildCodesConstant(builder, weight, codes);
  int64_t paramBytes = int64_t(quantized.params.size()) / n;
  std::vector<int8_t> params(quantized.params.begin(), quantized.params.end());
  Value paramsValue = arith::ConstantOp::create(
      builder, loc,
      makeRawConstant(
          RankedTensorType::get({n, paramBytes}, builder.getI8Type()),
          ArrayRef<int8_t>(params),
          isa<DenseResourceElementsAttr>(constant.getValue()),
          getWeightName(constant) + "_params"));
  Value result = DequantizeOp::create(
      builder, loc, RankedTensorType::get({n, k}, type.getElementType()),
      codesValue, paramsValue, Value(), Value(), scheme);
  return restoreWeightLayout(builder, weight, result);
}

Value lowbit::restoreWeightLayout(OpBuilder &builder, const WeightUse &weight,
                                  Value result) {
  arith::ConstantOp constant = weight.constant;
  auto type = cast<RankedTensorType>(constant.getType());
  ArrayRef<int64_t> shape = type.getShape();
  Type elementType = type.getElementType();
  Location loc = constant.getLoc();
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
  if (!llvm::equal(weight.order, llvm::seq<int64_t>(0, type.getRank()))) {
    SmallVector<int64_t> inverse(weight.order.size());
    for (auto [i, d] : llvm::enumerate(weight.order))
      inverse[d] = i;
    Value init = tensor::EmptyOp::create(builder, loc, shape, elementType);
    result = linalg::TransposeOp::create(builder, loc, result, init, inverse)
                 ->getResult(0);
  }
  return result;
}

FailureOr<SmallVector<WeightUse>>
lowbit::collectWeights(ModuleOp module, const WeightSelection &selection,
                       WeightCounts &counts) {
  llvm::Regex nameFilter(selection.filter);
  std::string regexError;
  if (!selection.filter.empty() && !nameFilter.isValid(regexError))
    return module.emitError() << "invalid filter regex '" << selection.filter
                              << "': " << regexError;
  SmallVector<WeightUse> weights;
  bool tooLarge = false;
  module.walk([&](linalg::LinalgOp op) {
    if (getWeightCandidates(op).empty())
      return;
    ++counts.layers;
    auto leaveInFloat = [&](const Twine &why) {
      ++counts.inFloat;
      op->emitRemark() << "weight left in float: " << why;
    };
    if (!selection.ops.empty() &&
        !llvm::is_contained(selection.ops,
                            op->getName().getStringRef().str())) {
      if (selection.report)
        leaveInFloat("the op is not in ops=");
      return;
    }
    std::string whyFloat;
    std::optional<WeightUse> weight =
        findConstantWeight(op, whyFloat, selection.report);
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
    if (type.getNumElements() < selection.minElements)
      return leaveInFloat(
          "weight '" + name + "' has " + Twine(type.getNumElements()) +
          " elements, fewer than min-elements=" + Twine(selection.minElements));
    if (!selection.filter.empty() && !nameFilter.match(name)) {
      if (selection.report)
        leaveInFloat("weight '" + name + "' does not match filter='" +
                     selection.filter + "'");
      return;
    }
    // Quantizing reads the whole weight: a splat of a huge declared shape
    // must not be expanded until memory runs out.
    if (failed(checkConstantBytes(weight->constant, type,
                                  selection.maxConstantBytes))) {
      tooLarge = true;
      return;
    }
    weights.push_back(*weight);
  });
  if (tooLarge)
    return failure();
  return weights;
}

void lowbit::remarkWeightCounts(ModuleOp module, StringRef pass,
                                const WeightCounts &counts) {
  if (counts.layers != 0)
    module.emitRemark() << pass << ": " << counts.quantized << " of "
                        << counts.layers
                        << " matmul(s)/convolution(s) quantized, "
                        << counts.inFloat << " left in float";
}

LogicalResult lowbit::rewriteWeights(
    ArrayRef<WeightUse> weights, WeightCounts &counts,
    function_ref<FailureOr<Value>(const WeightUse &)> quantize) {
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
      FailureOr<Value> quantized = quantize(weight);
      if (failed(quantized))
        return failure();
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
  return success();
}

LogicalResult lowbit::quantizeEachWeight(
    ModuleOp module, const WeightSelection &selection, bool report,
    StringRef pass,
    function_ref<FailureOr<Value>(const WeightUse &)> quantize) {
  WeightCounts counts;
  FailureOr<SmallVector<WeightUse>> weights =
      collectWeights(module, selection, counts);
  if (failed(weights) || failed(rewriteWeights(*weights, counts, quantize)))
    return failure();
  if (report)
    remarkWeightCounts(module, pass, counts);
  return success();
}

//===- Awq.cpp - activation-aware weight scaling --------------------------===//
//
// lowbit-awq: per input channel scales s (lowbit/Numerics/Awq.h) for the
// layers that read one input, W diag(s) rounded to nearest, and 1/s folded
// into the input's producer (a normalization's affine) or applied by an
// explicit multiply.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Awq.h"
#include "lowbit/Dialect/Lowbit/IR/ConstantData.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Dialect/Lowbit/Transforms/WeightAnalysis.h"
#include "lowbit/Dialect/Lowbit/Transforms/WeightOptions.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"

#include <memory>

namespace lowbit {
#define GEN_PASS_DEF_LOWBITAWQ
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// Layers reading the same input along the same dimension.
struct InputGroup {
  int64_t channelDim = -1;
  SmallVector<WeightUse> weights;
  SmallVector<OpOperand *> inputs;
};

struct LowbitAwqPass : public WeightQuantizationPass<
                           lowbit::impl::LowbitAwqBase<LowbitAwqPass>> {
  using WeightQuantizationPass::WeightQuantizationPass;

  void runOnOperation() override;
};

} // namespace

/// The dimension of the layer input that K runs along, when K is one loop
/// indexing exactly one input dimension; else -1.
static int64_t getChannelDim(const WeightUse &weight,
                             const InputRowPlan &plan) {
  if (plan.kSizes.size() != 1)
    return -1;
  auto op = cast<linalg::LinalgOp>(weight.consumer);
  int64_t loop = weight.loopDims[weight.order[weight.numParallel]];
  AffineMap map = op.getMatchingIndexingMap(plan.input);
  for (auto [i, expr] : llvm::enumerate(map.getResults()))
    if (expr == getAffineDimExpr(loop, op->getContext()))
      return i;
  return -1;
}

/// A constant f32 vector feeding `operand` of `generic` indexed only by the
/// output's dimension `channelDim`, or null.
static arith::ConstantOp getChannelConstant(linalg::GenericOp generic,
                                            OpOperand &operand,
                                            int64_t channelDim) {
  auto constant = operand.get().getDefiningOp<arith::ConstantOp>();
  auto type = constant ? dyn_cast<RankedTensorType>(constant.getType())
                       : RankedTensorType();
  if (!type || type.getRank() != 1 || !type.getElementType().isF32())
    return {};
  AffineMap map = generic.getMatchingIndexingMap(&operand);
  if (map.getNumResults() != 1 ||
      map.getResult(0) != getAffineDimExpr(channelDim, generic.getContext()))
    return {};
  return constant;
}

/// Divides the per-channel affine of `input`'s producer by s: an
/// elementwise generic yielding `t * gamma + beta` or `t * gamma` with
/// constant gamma / beta along `channelDim`, used only by `users`.
static bool foldIntoProducer(Value input, int64_t channelDim,
                             ArrayRef<float> inverse,
                             ArrayRef<Operation *> users) {
  auto generic = input.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !generic.getIndexingMapMatchingResult(cast<OpResult>(input)).isIdentity())
    return false;
  for (OpOperand &use : input.getUses())
    if (!llvm::is_contained(users, use.getOwner()))
      return false;
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Value result = yield.getValues()[0];
  // The operands of a multiply or add that are block arguments of
  // channel constants.
  auto channelArg = [&](Value value) -> OpOperand * {
    auto arg = dyn_cast<BlockArgument>(value);
    if (!arg || arg.getOwner() != &body ||
        arg.getArgNumber() >= generic.getNumDpsInputs())
      return nullptr;
    OpOperand *operand = generic.getDpsInputOperand(arg.getArgNumber());
    return getChannelConstant(generic, *operand, channelDim) ? operand
                                                             : nullptr;
  };
  OpOperand *gamma = nullptr, *beta = nullptr;
  Operation *def = result.getDefiningOp();
  if (auto add = dyn_cast_or_null<arith::AddFOp>(def)) {
    for (auto [product, other] : {std::pair(add.getLhs(), add.getRhs()),
                                  std::pair(add.getRhs(), add.getLhs())}) {
      auto mul = product.getDefiningOp<arith::MulFOp>();
      OpOperand *b = channelArg(other);
      if (!mul || !b || !product.hasOneUse())
        continue;
      OpOperand *g = channelArg(mul.getRhs()) ? channelArg(mul.getRhs())
                                              : channelArg(mul.getLhs());
      if (g && g != b) {
        gamma = g;
        beta = b;
        break;
      }
    }
  } else if (auto mul = dyn_cast_or_null<arith::MulFOp>(def)) {
    gamma = channelArg(mul.getRhs()) ? channelArg(mul.getRhs())
                                     : channelArg(mul.getLhs());
  }
  if (!gamma)
    return false;
  // Each block argument must feed nothing but the affine (a beta used
  // elsewhere in the body would change meaning).
  for (OpOperand *operand : {gamma, beta})
    if (operand && !generic.getMatchingBlockArgument(operand).hasOneUse())
      return false;
  SmallVector<std::pair<OpOperand *, std::vector<float>>> scaled;
  for (OpOperand *operand : {gamma, beta}) {
    if (!operand)
      continue;
    auto constant = operand->get().getDefiningOp<arith::ConstantOp>();
    FailureOr<std::vector<float>> values =
        readFloats(cast<ElementsAttr>(constant.getValue()));
    if (failed(values) || values->size() != inverse.size())
      return false;
    for (auto [v, f] : llvm::zip(*values, inverse))
      v *= f;
    scaled.push_back({operand, std::move(*values)});
  }
  for (auto &[operand, values] : scaled) {
    auto constant = operand->get().getDefiningOp<arith::ConstantOp>();
    auto attr = cast<ElementsAttr>(constant.getValue());
    OpBuilder b(constant);
    b.setInsertionPointAfter(constant);
    std::string name = getResourceName(attr).str();
    auto replacement = arith::ConstantOp::create(
        b, constant.getLoc(),
        makeFloatConstant(cast<ShapedType>(constant.getType()), values,
                          isa<DenseResourceElementsAttr>(attr),
                          (name.empty() ? "awq" : name + "_awq")));
    operand->set(replacement);
    if (constant->use_empty())
      constant->erase();
  }
  return true;
}

/// x * (1/s) along `channelDim`, right after x is defined.
static Value buildScale(Value input, int64_t channelDim,
                        ArrayRef<float> inverse) {
  OpBuilder b(input.getContext());
  if (Operation *def = input.getDefiningOp())
    b.setInsertionPointAfter(def);
  else
    b.setInsertionPointToStart(cast<BlockArgument>(input).getOwner());
  Location loc = input.getLoc();
  auto type = cast<RankedTensorType>(input.getType());
  auto vectorType =
      RankedTensorType::get({int64_t(inverse.size())}, b.getF32Type());
  Value scales = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(vectorType, inverse));
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  int64_t rank = type.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap channel =
      AffineMap::get(rank, 0, b.getAffineDimExpr(channelDim), b.getContext());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, type, ValueRange{input, scales}, ValueRange{init},
      ArrayRef<AffineMap>{identity, channel, identity}, iterators,
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        Value product = arith::MulFOp::create(nb, nloc, args[0], args[1]);
        linalg::YieldOp::create(nb, nloc, product);
      });
  return generic.getResult(0);
}

void LowbitAwqPass::runOnOperation() {
  ModuleOp module = getOperation();
  FailureOr<ResolvedWeightScheme> resolved = resolveScheme();
  if (failed(resolved))
    return signalPassFailure();
  if (grid == 0) {
    module.emitError() << "grid must be at least 1";
    return signalPassFailure();
  }
  WeightCounts counts;
  FailureOr<SmallVector<WeightUse>> weights =
      collectWeights(module, getSelection(), counts);
  if (failed(weights))
    return signalPassFailure();
  numerics::Scheme scheme = resolved->getNumericsScheme();
  numerics::Granularity granularity = resolved->getNumericsGranularity();
  numerics::ExecOptions exec;
  exec.numThreads = numThreads;

  // Layers by input; weights that cannot be scaled are rounded to nearest.
  llvm::MapVector<Value, InputGroup> groups;
  // Per weight use: its scales and the statistics of its scaled input.
  struct Scaled {
    std::vector<float> scales;
    std::shared_ptr<std::vector<double>> hessian;
  };
  DenseMap<OpOperand *, Scaled> scaledOf;
  DenseMap<Operation *, int> groupsOfConstant;
  for (const WeightUse &weight : *weights) {
    std::string why;
    FailureOr<InputRowPlan> plan = planInputRows(weight, why);
    int64_t channelDim = succeeded(plan) ? getChannelDim(weight, *plan) : -1;
    if (channelDim < 0) {
      weight.constant->emitRemark()
          << "weight '" << getWeightName(weight.constant)
          << "' rounded to nearest: AWQ scales one input dimension"
          << (why.empty() ? "" : "; " + why);
      continue;
    }
    InputGroup &group = groups[plan->input->get()];
    if (group.channelDim >= 0 && group.channelDim != channelDim)
      continue;
    group.channelDim = channelDim;
    group.weights.push_back(weight);
    group.inputs.push_back(plan->input);
    ++groupsOfConstant[weight.constant];
  }
  for (auto &[input, group] : groups) {
    // A constant shared with another input cannot take this input's scales.
    if (llvm::any_of(group.weights, [&](const WeightUse &w) {
          return groupsOfConstant[w.constant] > 1;
        }))
      continue;
    SmallVector<std::vector<float>> canonical;
    std::optional<LayerStatistics> stats;
    bool complete = true;
    for (const WeightUse &weight : group.weights) {
      FailureOr<std::optional<LayerStatistics>> s = requireLayerStatistics(
          module, weight, requireStatistics, "lowbit-awq");
      if (failed(s))
        return signalPassFailure();
      FailureOr<std::vector<float>> values = readCanonicalWeight(weight);
      if (failed(values))
        return signalPassFailure();
      if (!*s || values->empty()) {
        complete = false;
        break;
      }
      if (!stats)
        stats = std::move(**s);
      canonical.push_back(std::move(*values));
    }
    if (!complete)
      continue;
    int64_t k = group.weights.front().getK();
    SmallVector<numerics::AwqLayer> layers;
    for (auto [weight, values] : llvm::zip(group.weights, canonical))
      layers.push_back({values, weight.getN()});
    numerics::AwqOptions options;
    options.gridSize = grid;
    options.clipping = resolved->clipping;
    options.numThreads = numThreads;
    auto result = numerics::awqSearch(layers, k, stats->hessian, stats->meanAbs,
                                      scheme, granularity, options);
    if (!result) {
      group.weights.front().constant->emitError()
          << "cannot search AWQ scales for weight '"
          << getWeightName(group.weights.front().constant)
          << "': " << result.error().message;
      return signalPassFailure();
    }
    if (report) {
      double rows = double(std::max<int64_t>(1, stats->rows));
      group.weights.front().consumer->emitRemark()
          << "AWQ of " << group.weights.size() << " weight(s) reading one " << k
          << "-channel input: alpha " << formatFloat("%.2f", result->alpha)
          << ", output error per row "
          << formatFloat("%.4e", result->error / rows) << " (round to nearest "
          << formatFloat("%.4e", result->rtnError / rows) << ")";
    }
    auto hessian = std::make_shared<std::vector<double>>(
        clipSearch ? numerics::scaleHessian(stats->hessian, k, result->scales)
                   : std::vector<double>());
    for (const WeightUse &weight : group.weights)
      scaledOf[weight.use] = {result->scales, hessian};
    if (result->alpha == 0.0)
      continue; // No scaling is best: nothing to fold.
    std::vector<float> inverse(k);
    for (int64_t i = 0; i < k; ++i)
      inverse[i] = 1.0f / result->scales[i];
    SmallVector<Operation *> users;
    for (OpOperand *operand : group.inputs)
      users.push_back(operand->getOwner());
    if (!foldIntoProducer(input, group.channelDim, inverse, users)) {
      Value scaled = buildScale(input, group.channelDim, inverse);
      for (OpOperand *operand : group.inputs)
        operand->set(scaled);
    }
  }

  if (failed(rewriteWeights(
          *weights, counts, [&](const WeightUse &weight) -> FailureOr<Value> {
            FailureOr<std::vector<float>> values = readCanonicalWeight(weight);
            if (failed(values))
              return failure();
            if (values->empty())
              return Value();
            int64_t n = weight.getN(), k = weight.getK();
            auto it = scaledOf.find(weight.use);
            std::optional<numerics::Result<numerics::QuantizedTensor>>
                quantized;
            if (it != scaledOf.end()) {
              *values =
                  numerics::scaleColumns(*values, n, k, it->second.scales);
              if (clipSearch)
                quantized = numerics::quantizeClippedToOutput(
                    *values, n, k, *it->second.hessian, scheme, granularity,
                    /*steps=*/20, /*minShrink=*/0.5f, numThreads);
            }
            if (!quantized)
              quantized =
                  numerics::quantizeTensor(*values, {n, k}, scheme, granularity,
                                           resolved->clipping, exec);
            if (!*quantized)
              return weight.constant->emitError()
                     << "cannot quantize weight '"
                     << getWeightName(weight.constant)
                     << "': " << quantized->error().message;
            return buildQuantizedWeight(weight, resolved->scheme,
                                        resolved->paramType, **quantized);
          })))
    return signalPassFailure();
  module->removeAttr(kLayerStatsAttrName);
  if (report)
    remarkWeightCounts(module, "lowbit-awq", counts);
}

//===- LayerStatistics.cpp - collect layer input statistics ---------------===//

#include "lowbit/Calibration/LayerStatistics.h"
#include "RunObserved.h"
#include "lowbit/Dialect/Lowbit/Transforms/WeightAnalysis.h"
#include "lowbit/Numerics/LayerStatistics.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/Parallel.h"

#include <map>

using namespace mlir;
using namespace lowbit;

FailureOr<std::vector<CollectedLayerStatistics>> lowbit::collectLayerStatistics(
    ModuleOp module, SampleSource &samples, const CalibrationOptions &options,
    std::vector<std::string> &skipped, std::string &error) {
  OwningOpRef<ModuleOp> clone = module.clone();
  FailureOr<func::FuncOp> entry =
      detail::findEntry(*clone, options.function, error);
  if (failed(entry))
    return failure();
  // Only this run's observers: one on the input of every layer.
  entry->walk([](ObserveOp op) {
    op.replaceAllUsesWith(op.getInput());
    op.erase();
  });
  struct Layer {
    std::string weight;
    InputRowPlan plan;
    int64_t elements;
  };
  std::vector<Layer> layers;
  entry->walk([&](linalg::LinalgOp op) {
    std::string why;
    std::optional<WeightUse> weight =
        findConstantWeight(op, why, /*verbose=*/false);
    if (!weight)
      return;
    std::string name = getWeightName(weight->constant);
    FailureOr<InputRowPlan> plan = planInputRows(*weight, why);
    if (failed(plan)) {
      skipped.push_back("weight '" + name + "': " + why);
      return;
    }
    Value input = plan->input->get();
    OpBuilder b(op);
    ObserveOp::create(b, op->getLoc(), input,
                      b.getI64IntegerAttr(int64_t(layers.size())),
                      IntegerAttr());
    layers.push_back(
        {name, *plan, cast<ShapedType>(input.getType()).getNumElements()});
  });
  if (layers.empty()) {
    error = "@" + entry->getSymName().str() +
            " has no fully-connected layer or convolution with a constant "
            "weight whose input rows can be read";
    return failure();
  }
  std::vector<numerics::InputStatistics> stats;
  std::vector<int64_t> offsets;
  int64_t total = 0;
  for (const Layer &layer : layers) {
    stats.emplace_back(layer.plan.getK());
    offsets.push_back(total);
    total += layer.elements;
  }
  LogicalResult ran = detail::runObserved(
      *clone, *entry, samples, options.jit, /*passes=*/1, [](int) {},
      [&](int, ArrayRef<float> observed) {
        // Layers are independent: one task each.
        llvm::parallelFor(0, layers.size(), [&](size_t i) {
          std::vector<float> rows;
          rows.reserve(layers[i].plan.getNumRows() * layers[i].plan.getK());
          layers[i].plan.gather(observed.slice(offsets[i], layers[i].elements),
                                rows);
          stats[i].addRows(rows);
        });
      },
      error);
  if (failed(ran))
    return failure();

  // One entry per weight, in program order; shared weights sum.
  std::vector<CollectedLayerStatistics> results;
  std::map<std::string, size_t> byName;
  std::vector<numerics::InputStatistics> merged;
  for (auto [layer, layerStats] : llvm::zip(layers, stats)) {
    auto [it, inserted] = byName.emplace(layer.weight, results.size());
    if (inserted) {
      CollectedLayerStatistics entry;
      entry.weight = layer.weight;
      entry.k = layer.plan.getK();
      results.push_back(std::move(entry));
      merged.push_back(layerStats);
      continue;
    }
    if (merged[it->second].getK() != layerStats.getK()) {
      error = "weight '" + layer.weight +
              "' is used by layers with different reduction sizes";
      return failure();
    }
    merged[it->second].merge(layerStats);
  }
  for (auto [entry, layerStats] : llvm::zip(results, merged)) {
    entry.rows = layerStats.getNumRows();
    entry.nonFiniteRows = layerStats.getNumNonFiniteRows();
    entry.hessian = layerStats.getHessian();
    entry.meanAbs = layerStats.getMeanAbs();
  }
  return results;
}

void lowbit::attachLayerStatistics(
    ModuleOp module, ArrayRef<CollectedLayerStatistics> statistics) {
  for (const CollectedLayerStatistics &entry : statistics) {
    LayerStatistics stats;
    stats.rows = entry.rows;
    stats.hessian = entry.hessian;
    stats.meanAbs = entry.meanAbs;
    setLayerStatistics(module, entry.weight, stats);
  }
}

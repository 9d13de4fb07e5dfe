//===- Calibrate.cpp - activation statistics of a model over samples -----===//
//
// runCalibration runs a model with lowbit.observe ops over samples and
// collects each observer's range, per-channel ranges and histogram;
// attachStatistics writes them back as lowbit.stats ops.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Calibration/Calibrate.h"
#include "RunObserved.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

#include <cmath>
#include <limits>
#include <map>
#include <set>

using namespace mlir;
using namespace lowbit;

FailureOr<std::vector<ObservedStatistics>>
lowbit::runCalibration(ModuleOp module, SampleSource &samples,
                       const CalibrationOptions &options, std::string &error) {
  if (options.bins < 2 || options.bins > kMaxHistogramBins ||
      options.bins % 2 != 0) {
    error = "--bins=" + std::to_string(options.bins) +
            ": expected an even number from 2 to " +
            std::to_string(kMaxHistogramBins);
    return failure();
  }
  FailureOr<func::FuncOp> entry =
      detail::findEntry(module, options.function, error);
  if (failed(entry))
    return failure();
  std::string name = entry->getSymName().str();
  std::vector<ObservedStatistics> results;
  std::vector<numerics::ActivationObserver> observers;
  std::vector<int64_t> offsets;
  int64_t total = 0;
  bool outside = false;
  module.walk([&](ObserveOp op) {
    if (op->getParentOfType<func::FuncOp>() != *entry)
      outside = true;
  });
  if (outside) {
    error = "observers outside @" + name + " cannot be calibrated";
    return failure();
  }

  FailureOr<SmallVector<ObserveOp>> observes =
      detail::sortedObservers(*entry, error);
  if (failed(observes))
    return failure();
  for (ObserveOp op : *observes) {
    ObservedStatistics stats;
    stats.id = op.getId();
    llvm::raw_string_ostream typeText(stats.type), locText(stats.location);
    RankedTensorType type = op.getType();
    typeText << type;
    locText << op.getLoc();
    stats.axis = op.getAxis();
    results.push_back(std::move(stats));
    observers.emplace_back(type.getShape(), op.getAxis());
    offsets.push_back(total);
    total += type.getNumElements();
  }
  auto sliceOf = [&](ArrayRef<float> observed, size_t i) {
    int64_t end = i + 1 < offsets.size() ? offsets[i + 1] : total;
    return observed.slice(offsets[i], end - offsets[i]);
  };
  // Min/max, then histograms over the ranges found.
  LogicalResult ran = detail::runObserved(
      module, *entry, samples, options.jit, /*passes=*/2,
      [&](int pass) {
        if (pass == 1)
          for (auto &observer : observers)
            observer.startHistogram(options.bins);
      },
      [&](int pass, ArrayRef<float> observed) {
        for (size_t i = 0; i < observers.size(); ++i) {
          if (pass == 0)
            observers[i].observeRange(sliceOf(observed, i));
          else
            observers[i].observeHistogram(sliceOf(observed, i));
        }
      },
      error);
  if (failed(ran))
    return failure();
  for (auto [stats, observer] : llvm::zip(results, observers)) {
    stats.samples = observer.getNumSamples();
    stats.nonFinite = observer.getNumNonFinite();
    stats.min = observer.getMin();
    stats.max = observer.getMax();
    stats.channelMins.assign(observer.getChannelMins().begin(),
                             observer.getChannelMins().end());
    stats.channelMaxs.assign(observer.getChannelMaxs().begin(),
                             observer.getChannelMaxs().end());
    if (!stats.axis)
      stats.histogram = observer.getHistogram();
  }
  return results;
}

//===----------------------------------------------------------------------===//
// Writing back
//===----------------------------------------------------------------------===//

LogicalResult
lowbit::attachStatistics(ModuleOp module,
                         ArrayRef<ObservedStatistics> statistics) {
  std::map<int64_t, const ObservedStatistics *> byId;
  for (const ObservedStatistics &stats : statistics)
    if (!byId.emplace(stats.id, &stats).second)
      return module.emitError()
             << "statistics name observer " << stats.id << " twice";
  SmallVector<ObserveOp> observes;
  module.walk([&](ObserveOp op) { observes.push_back(op); });
  bool ok = true;
  std::set<int64_t> used;
  for (ObserveOp op : observes) {
    auto it = byId.find(op.getId());
    std::string type;
    llvm::raw_string_ostream(type) << op.getType();
    if (it == byId.end()) {
      op.emitError() << "observer " << op.getId() << " has no statistics";
      ok = false;
      continue;
    }
    const ObservedStatistics &stats = *it->second;
    used.insert(op.getId());
    if (stats.type != type) {
      op.emitError() << "statistics of observer " << op.getId()
                     << " are for " << stats.type << ", but it observes "
                     << type << " (the model changed since calibration?)";
      ok = false;
      continue;
    }
    if (stats.axis != op.getAxis()) {
      op.emitError() << "statistics of observer " << op.getId()
                     << " have a different channel axis";
      ok = false;
      continue;
    }
    if (stats.nonFinite > 0)
      op.emitWarning() << "observer " << op.getId() << " saw "
                       << stats.nonFinite
                       << " NaN or infinite values; they were left out";
    OpBuilder b(op);
    auto array = [&](ArrayRef<float> values) {
      return b.getDenseF32ArrayAttr(values);
    };
    DenseI64ArrayAttr histogram;
    DenseF32ArrayAttr range;
    if (stats.histogram) {
      histogram = b.getDenseI64ArrayAttr(stats.histogram->counts);
      range = array({stats.histogram->lo, stats.histogram->hi});
    }
    Value result;
    if (stats.axis)
      result = StatsOp::create(b, op.getLoc(), op.getInput(),
                               array(stats.channelMins),
                               array(stats.channelMaxs),
                               b.getI64IntegerAttr(*stats.axis), histogram,
                               range);
    else
      result = StatsOp::create(b, op.getLoc(), op.getInput(),
                               array({stats.min}), array({stats.max}),
                               IntegerAttr(), histogram, range);
    if (failed(verify(result.getDefiningOp()))) {
      ok = false;
      continue;
    }
    op.replaceAllUsesWith(result);
    op.erase();
  }
  for (const ObservedStatistics &stats : statistics)
    if (!used.count(stats.id)) {
      module.emitError() << "statistics name observer " << stats.id << " ("
                         << stats.type << " at " << stats.location
                         << "), which the model does not have";
      ok = false;
    }
  return success(ok);
}

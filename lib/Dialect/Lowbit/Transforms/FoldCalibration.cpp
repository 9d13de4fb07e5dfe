//===- FoldCalibration.cpp - statistics -> activation quantization --------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Numerics/Calibration.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITFOLDCALIBRATION
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {
struct LowbitFoldCalibrationPass
    : public lowbit::impl::LowbitFoldCalibrationBase<LowbitFoldCalibrationPass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<numerics::CalibrationMethod> parsed =
        numerics::parseCalibrationMethod(method);
    if (!parsed) {
      getOperation()->emitError()
          << "unknown calibration method '" << method
          << "' (expected minmax, percentile, entropy or mse)";
      return signalPassFailure();
    }
    if (!(percentile > 50.0 && percentile <= 100.0)) {
      getOperation()->emitError()
          << "percentile must be in (50, 100], got " << percentile;
      return signalPassFailure();
    }
    numerics::CalibrationOptions options;
    options.method = *parsed;
    options.percentile = percentile;

    SmallVector<StatsOp> statsOps;
    getOperation()->walk([&](StatsOp op) { statsOps.push_back(op); });
    auto function = dyn_cast<FunctionOpInterface>(getOperation());
    if (statsOps.empty() && requireStatistics && function &&
        !function.isExternal() && function.isPublic()) {
      getOperation()->emitError()
          << "has no calibration statistics (lowbit.stats), which static "
             "int8 activations need: run lowbit-calibrate on the model "
             "first, or give lowbitc --calibration=STATS.json";
      return signalPassFailure();
    }
    bool failed = false;
    for (StatsOp stats : statsOps)
      failed |= ::mlir::failed(fold(stats, options));
    if (failed)
      signalPassFailure();
  }

  LogicalResult fold(StatsOp stats, const numerics::CalibrationOptions &options) {
    SmallVector<numerics::QuantParams> params;
    ArrayRef<float> mins = stats.getMin(), maxs = stats.getMax();
    if (stats.getAxis()) {
      if (options.method != numerics::CalibrationMethod::MinMax)
        stats.emitRemark() << "per-channel statistics have no histogram; "
                              "using their min-max ranges";
      for (auto [lo, hi] : llvm::zip(mins, maxs))
        params.push_back(numerics::getActivationParams(lo, hi));
    } else {
      // Model inputs are data in a known format: clipping them loses what no
      // later layer can recover (KL search on normalized MNIST pixels clips
      // every stroke), so they keep their observed range.
      numerics::CalibrationOptions effective = options;
      if (auto arg = dyn_cast<BlockArgument>(stats.getInput());
          arg && isa<FunctionOpInterface>(arg.getOwner()->getParentOp()))
        effective.method = numerics::CalibrationMethod::MinMax;
      std::optional<numerics::Histogram> histogram;
      if (std::optional<ArrayRef<int64_t>> counts = stats.getHistogram()) {
        ArrayRef<float> range = *stats.getHistogramRange();
        histogram = numerics::Histogram{range[0], range[1],
                                        std::vector<int64_t>(counts->begin(),
                                                             counts->end())};
      }
      std::optional<std::pair<float, float>> range = numerics::chooseRange(
          effective, mins[0], maxs[0], histogram ? &*histogram : nullptr);
      if (!range)
        return stats.emitOpError()
               << "has no histogram, which calibration method '" << method
               << "' needs (collect one with lowbit-calibrate, or use "
                  "method=minmax)";
      params.push_back(numerics::getActivationParams(range->first, range->second));
    }

    OpBuilder builder(stats);
    Location loc = stats.getLoc();
    MLIRContext *context = builder.getContext();
    auto count = int64_t(params.size());
    SmallVector<float> scales;
    SmallVector<int32_t> zeroPoints;
    for (const numerics::QuantParams &p : params) {
      scales.push_back(p.scale);
      zeroPoints.push_back(p.zeroPoint);
    }
    // Per-tensor parameters are scalars (rank 0), per-channel ones vectors.
    SmallVector<int64_t> paramShape;
    if (stats.getAxis())
      paramShape.push_back(count);
    auto scaleType = RankedTensorType::get(paramShape, builder.getF32Type());
    auto zeroPointType = RankedTensorType::get(paramShape, builder.getI32Type());
    Value scaleValues = arith::ConstantOp::create(
        builder, loc, DenseElementsAttr::get(scaleType, ArrayRef(scales)));
    Value zeroPointValues = arith::ConstantOp::create(
        builder, loc,
        DenseElementsAttr::get(zeroPointType, ArrayRef(zeroPoints)));

    numerics::Granularity granularity;
    if (std::optional<int64_t> axis = stats.getAxis()) {
      granularity.kind = numerics::GranularityKind::PerChannel;
      granularity.axis = *axis;
    }
    SchemeAttr scheme = getSchemeAttr(
        context, numerics::getActivationScheme(), granularity);
    RankedTensorType type = stats.getType();
    auto codesType = RankedTensorType::get(type.getShape(), builder.getI8Type());
    // Statistics on a constant fold here: the quantize of a constant folds.
    Value codes = builder.createOrFold<QuantizeOp>(
        loc, codesType, stats.getInput(), scaleValues, zeroPointValues,
        /*mins=*/Value(), scheme);
    Value values = DequantizeOp::create(builder, loc, type, codes, scaleValues,
                                        zeroPointValues, /*mins=*/Value(),
                                        scheme);
    stats.replaceAllUsesWith(values);
    stats.erase();
    return success();
  }
};
} // namespace

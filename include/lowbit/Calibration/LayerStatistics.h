//===- LayerStatistics.h - collect layer input statistics -------*- C++ -*-===//
//
// The calibration runner's second kind of statistics: for every
// fully-connected layer and convolution with a constant weight, the input
// second-moment matrix H = sum x^T x and mean |x| over the rows of its input
// in the weight's canonical K order (a convolution's im2col rows), streamed
// over the samples (memory does not depend on their number). GPTQ, AWQ and
// mixed precision (lowbit-gptq, lowbit-awq, lowbit-mixed-precision) read
// them from the module attribute `lowbit.layer_stats` (WeightAnalysis.h).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CALIBRATION_LAYERSTATISTICS_H
#define LOWBIT_CALIBRATION_LAYERSTATISTICS_H

#include "lowbit/Calibration/Calibrate.h"

namespace lowbit {

struct CollectedLayerStatistics {
  std::string weight; ///< the weight's name (getWeightName)
  int64_t k = 0;
  int64_t rows = 0, nonFiniteRows = 0;
  std::vector<double> hessian; ///< K x K
  std::vector<float> meanAbs;  ///< K
};

/// Runs `module`'s function over `samples` and returns the statistics of
/// every layer with a constant weight in that function, in program order
/// (a weight shared by several layers gets their sum). Layers whose input
/// rows cannot be read (see planInputRows) are listed in `skipped` with the
/// reason. The module is not changed.
mlir::FailureOr<std::vector<CollectedLayerStatistics>>
collectLayerStatistics(mlir::ModuleOp module, SampleSource &samples,
                       const CalibrationOptions &options,
                       std::vector<std::string> &skipped, std::string &error);

/// Stores the statistics in `module`'s `lowbit.layer_stats` attribute.
void attachLayerStatistics(mlir::ModuleOp module,
                           llvm::ArrayRef<CollectedLayerStatistics> statistics);

} // namespace lowbit

#endif // LOWBIT_CALIBRATION_LAYERSTATISTICS_H

//===- Awq.h - activation-aware weight scaling ------------------*- C++ -*-===//
//
// AWQ (Lin et al., 2023): inputs with large mean |x| matter more, so their
// weight columns are scaled up before round-to-nearest quantization and the
// input is scaled down by the same factor (folded into the layer that
// produces it):
//
//   s[k]  = max(meanAbs[k], minMeanAbs)^alpha, normalized by sqrt(max s * min
//   s) W^    = Q(W diag(s)) diag(s)^-1
//
// alpha is searched on a grid 0, 1/G, ..., (G-1)/G minimizing the output
// error sum_n d_n^T H d_n (LayerStatistics.h) summed over every layer that
// reads the same input (they must share s). alpha = 0 is plain
// round-to-nearest, so the result is never worse than it on the calibration
// set. Q is quantizeTensor of Quantize.h (the one definition).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_AWQ_H
#define LOWBIT_NUMERICS_AWQ_H

#include "lowbit/Numerics/Quantize.h"

namespace lowbit::numerics {

/// A row-major [n, K] weight reading the shared input.
struct AwqLayer {
  llvm::ArrayRef<float> weights;
  int64_t n = 0;
};

struct AwqOptions {
  /// Grid points alpha = i / gridSize, i = 0 .. gridSize - 1.
  unsigned gridSize = 20;
  /// meanAbs below this fraction of its maximum is raised to it (inputs that
  /// were never active must not get a zero scale).
  double minMeanAbsFraction = 1e-4;
  ClippingOptions clipping;
  unsigned numThreads = 0;
};

struct AwqResult {
  double alpha = 0.0;
  /// s, one per input (all 1 for alpha = 0).
  std::vector<float> scales;
  /// Output error at the chosen alpha and at alpha = 0 (round-to-nearest).
  double error = 0.0, rtnError = 0.0;
};

/// The scales of the layers' shared input of length k. Fails when a weight
/// or H is not finite, or shapes disagree.
Result<AwqResult> awqSearch(llvm::ArrayRef<AwqLayer> layers, int64_t k,
                            llvm::ArrayRef<double> hessian,
                            llvm::ArrayRef<float> meanAbs, const Scheme &scheme,
                            const Granularity &granularity,
                            const AwqOptions &options = {});

/// Round-to-nearest with output-aware clipping (AWQ's clip search): the
/// shrink factors of ClippingOptions::MSE (Quantizer::paramsMinimizing),
/// judged by the group's output error d^T H_gg d over its block of H instead
/// of its squared error (the first least wins; min-max comes first, so the
/// result is never worse per group).
/// Per-tensor granularity is not searched (min-max).
Result<QuantizedTensor>
quantizeClippedToOutput(llvm::ArrayRef<float> weights, int64_t n, int64_t k,
                        llvm::ArrayRef<double> hessian, const Scheme &scheme,
                        const Granularity &granularity, unsigned steps = 20,
                        float minShrink = 0.5f, unsigned numThreads = 0);

/// H of the inputs x / s: diag(1/s) H diag(1/s).
std::vector<double> scaleHessian(llvm::ArrayRef<double> hessian, int64_t k,
                                 llvm::ArrayRef<float> scales);

/// W diag(s) of a row-major [n, k] weight.
std::vector<float> scaleColumns(llvm::ArrayRef<float> weights, int64_t n,
                                int64_t k, llvm::ArrayRef<float> scales);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_AWQ_H

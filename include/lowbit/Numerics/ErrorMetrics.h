//===- ErrorMetrics.h - Quantization error metrics --------------*- C++ -*-===//
//
// Error of `test` against `reference` (same length). All sums are in double,
// in element order, so results are deterministic.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_ERRORMETRICS_H
#define LOWBIT_NUMERICS_ERRORMETRICS_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace lowbit::numerics {

/// mean((ref - test)^2); 0 for empty inputs.
double meanSquaredError(llvm::ArrayRef<float> reference,
                        llvm::ArrayRef<float> test);
/// max |ref - test|; 0 for empty inputs.
double maxAbsError(llvm::ArrayRef<float> reference, llvm::ArrayRef<float> test);
/// Signal-to-quantization-noise ratio in dB: 10 log10(sum ref^2 / sum
/// (ref - test)^2). +inf when the noise is 0 (including empty inputs); -inf
/// when the signal is 0 but the noise is not.
double sqnrDb(llvm::ArrayRef<float> reference, llvm::ArrayRef<float> test);

struct ErrorStats {
  double mse = 0.0;
  double maxAbs = 0.0;
  int64_t argMaxAbs = -1; ///< first index attaining maxAbs (-1 if empty)
  double sqnrDb = 0.0;
};
ErrorStats computeErrorStats(llvm::ArrayRef<float> reference,
                             llvm::ArrayRef<float> test);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_ERRORMETRICS_H

//===- LayerStatistics.h - input statistics of a layer ----------*- C++ -*-===//
//
// What calibration-aware weight quantization (GPTQ, AWQ, mixed precision)
// needs to know about the inputs of a fully-connected or convolution layer
// with canonical [N, K] weight W: every input row x (length K, in the order
// of W's reduction dimensions; a convolution's im2col rows) is folded into
//
//   H = sum over rows of x^T x        (K x K, f64, symmetric)
//   meanAbs[k] = mean over rows of |x[k]|
//
// streamed row by row: memory is O(K^2) whatever the number of samples. The
// layer's output error over the calibration rows for an approximation W^ of
// W is then exact without the rows:
//
//   sum over rows ||(W - W^) x||^2 = sum_n d_n^T H d_n,  d_n = row n of W - W^.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_LAYERSTATISTICS_H
#define LOWBIT_NUMERICS_LAYERSTATISTICS_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace lowbit::numerics {

class InputStatistics {
public:
  explicit InputStatistics(int64_t k);

  int64_t getK() const { return k; }
  /// Adds `rows` (row-major, a multiple of K values). A row holding a NaN or
  /// an infinity is counted in getNumNonFiniteRows() and left out.
  void addRows(llvm::ArrayRef<float> rows);
  /// Adds the statistics of another accumulator of the same K.
  void merge(const InputStatistics &other);

  int64_t getNumRows() const { return numRows; }
  int64_t getNumNonFiniteRows() const { return numNonFinite; }
  /// The full symmetric H (row-major K x K).
  std::vector<double> getHessian() const;
  /// mean |x[k]| over the rows (0 without rows).
  std::vector<float> getMeanAbs() const;

private:
  int64_t k;
  int64_t numRows = 0, numNonFinite = 0;
  /// Upper triangle of H (row-major K x K; the lower part is unused).
  std::vector<double> upper;
  std::vector<double> sumAbs;
  std::vector<double> row;
};

/// sum_n (w_n - w^_n)^T H (w_n - w^_n) for row-major [N, K] `weights` and
/// `approx`, in double. H is K x K row-major and symmetric.
double layerOutputError(llvm::ArrayRef<float> weights,
                        llvm::ArrayRef<float> approx, int64_t n, int64_t k,
                        llvm::ArrayRef<double> hessian,
                        unsigned numThreads = 0);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_LAYERSTATISTICS_H

//===- Gptq.h - GPTQ weight quantization ------------------------*- C++ -*-===//
//
// GPTQ (Frantar et al., 2022): quantizes a canonical [N, K] weight column by
// column against the layer's input statistics H = sum x^T x
// (LayerStatistics.h), feeding each column's rounding error back into the
// columns not yet quantized so that the layer output error
// sum_n d_n^T H d_n is (greedily) minimized instead of the weight error.
//
//   H' = H + lambda I,  lambda = dampening * mean(diag H)  (dead inputs, whose
//        diagonal is 0, get H'[i][i] = 1: they do not couple to anything)
//   U  = upper Cholesky factor of H'^-1  (H'^-1 = U^T U)
//   for each column i (in blocks of `blockSize` columns):
//     q_i   = Q(w_i)  with the group parameters of column i
//     e_i   = (w_i - q_i) / U[i][i]
//     w_j  -= e_i U[i][j]   for j > i
// Inside a block the update is applied column by column; the columns after
// the block receive the block's accumulated update once at its end (the
// "lazy batch" form; the result is the same up to rounding).
//
// Every value is quantized by the Quantizer of Quantize.h (the one
// definition of rounding, parameters, codebooks and fp16 parameter storage),
// so the codes and parameters are exactly those a lowbit.dequantize of the
// same scheme reads. Group parameters (per-group along K) are chosen from the
// group's current, error-updated values when its first column is reached;
// per-channel and per-tensor parameters from the original weight. With
// `actOrder`, columns are visited in decreasing diag(H) and group parameters
// are chosen from the original weight up front ("static groups"), so codes
// stay in the original column order and groups stay contiguous: the packed
// layout and the kernels are unchanged.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_GPTQ_H
#define LOWBIT_NUMERICS_GPTQ_H

#include "lowbit/Numerics/Quantize.h"

namespace lowbit::numerics {

/// In-place Cholesky factorization of the symmetric positive definite
/// row-major n x n matrix `a` into its lower factor L (a = L L^T; the upper
/// triangle is set to 0). False when `a` is not positive definite (or holds
/// a NaN).
bool choleskyLower(llvm::MutableArrayRef<double> a, int64_t n);

/// The upper Cholesky factor U of a^-1 (a^-1 = U^T U) for a symmetric
/// positive definite `a`; std::nullopt when `a` is not positive definite.
std::optional<std::vector<double>>
inverseUpperCholesky(llvm::ArrayRef<double> a, int64_t n);

struct GptqOptions {
  /// lambda = dampening * mean(diag H) is added to the diagonal.
  double dampening = 0.01;
  /// Columns per lazy-update block.
  int64_t blockSize = 128;
  /// Visit columns in decreasing diag(H) (static group parameters).
  bool actOrder = false;
  ClippingOptions clipping;
  unsigned numThreads = 0;
};

struct GptqReport {
  /// The damping finally used (raised 10x at a time while H + lambda I is
  /// not positive definite).
  double lambda = 0.0;
  /// Inputs whose diagonal of H is 0 (never active during calibration).
  int64_t deadInputs = 0;
};

/// GPTQ of row-major [n, k] `weights` (finite) against the k x k `hessian`.
/// The granularity must be per-tensor, per-channel along axis 0 or per-group
/// along axis 1. Fails (InvalidParams) when H holds a non-finite value, is
/// not k x k, or stays indefinite after damping.
Result<QuantizedTensor> gptqQuantize(llvm::ArrayRef<float> weights, int64_t n,
                                     int64_t k, llvm::ArrayRef<double> hessian,
                                     const Scheme &scheme,
                                     const Granularity &granularity,
                                     const GptqOptions &options = {},
                                     GptqReport *report = nullptr);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_GPTQ_H

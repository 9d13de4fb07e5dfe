//===- Reference.h - Reference kernels --------------------------*- C++ -*-===//
//
// Plain scalar reference kernels that compiled code is compared against.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_REFERENCE_H
#define LOWBIT_NUMERICS_REFERENCE_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace lowbit::numerics {

enum class Accumulation : uint8_t {
  /// Products and sums in double, k ascending, bias added in double, one
  /// final rounding to float. The most accurate reference (default).
  Double,
  /// Plain float: acc = acc + x * w (separately rounded, no FMA), k
  /// ascending from acc = 0, then acc + bias. What a naive float kernel does.
  Float,
};

/// out[m * N + n] = sum_k x[m * K + k] * w[n * K + k] (+ bias[n]).
/// x is row-major [M, K], w row-major [N, K] (one row per output feature),
/// bias empty or [N], out [M, N].
void referenceMatmul(llvm::ArrayRef<float> x, llvm::ArrayRef<float> w,
                     llvm::ArrayRef<float> bias, int64_t M, int64_t N,
                     int64_t K, llvm::MutableArrayRef<float> out,
                     Accumulation accumulation = Accumulation::Double);

/// The matmul with bf16 activations (lowbit.matmul's `activation_type =
/// bf16`): every x is rounded to bf16 first (floatToBf16Bits: nearest even,
/// denormals to zero), then referenceMatmul in double against the
/// dequantized weights w (integer codes times their group's scale, plus its
/// minimum): out = sum_k bf16(x[m, k]) * w[n, k] (+ bias[n]), rounded once.
void referenceMatmulBf16Activations(llvm::ArrayRef<float> x,
                                    llvm::ArrayRef<float> w,
                                    llvm::ArrayRef<float> bias, int64_t M,
                                    int64_t N, int64_t K,
                                    llvm::MutableArrayRef<float> out);

/// sum_k (a[k] - aZeroPoint) * (b[k] - bZeroPoint), accumulated in int64 and
/// returned as int32 (the result must fit; asserted). With int8 operands and
/// zero points any K <= 2^15 fits.
int32_t dotInt8(llvm::ArrayRef<int8_t> a, llvm::ArrayRef<int8_t> b,
                int32_t aZeroPoint = 0, int32_t bZeroPoint = 0);

/// Full-integer matmul: out[m, n] = sum_k (x[m,k] - xZeroPoint) *
/// (w[n,k] - wZeroPoints[n or 0]) + bias[n] in int32 (wZeroPoints has 1 or N
/// entries; bias empty or [N], typically quantized at scale s_x * s_w).
void referenceMatmulInt8(llvm::ArrayRef<int8_t> x, int32_t xZeroPoint,
                         llvm::ArrayRef<int8_t> w,
                         llvm::ArrayRef<int32_t> wZeroPoints,
                         llvm::ArrayRef<int32_t> bias, int64_t M, int64_t N,
                         int64_t K, llvm::MutableArrayRef<int32_t> out);

/// Dynamic int8 quantization of one activation row, as lowbit.matmul's
/// `dynamic_int8_activations` defines it: s = max|x| / 127 (1 for an all-zero
/// row), q = clamp(round_even(x / s), -127, 127). Returns s.
float quantizeActivationRow(llvm::ArrayRef<float> x,
                            llvm::MutableArrayRef<int8_t> q);

/// The matmul with dynamically quantized int8 activations: weights are
/// signed symmetric code values w[n * K + k] with one scale per row
/// (`groupSize` = K), per group of `groupSize` along K, or per tensor
/// (scales.size() == 1):
///   out[m, n] = s_x[m] * sum_g s_w[n, g] * sum_{k in g} q_x[m, k] * w[n, k]
///               (+ bias[n]),
/// with the integer sums exact and the rest in double, rounded once.
void referenceMatmulDynamicInt8(llvm::ArrayRef<float> x,
                                llvm::ArrayRef<int32_t> w,
                                llvm::ArrayRef<float> scales,
                                int64_t groupSize, llvm::ArrayRef<float> bias,
                                int64_t M, int64_t N, int64_t K,
                                llvm::MutableArrayRef<float> out);

/// The same for any weight: `w` holds the dequantized weights [N, K] (min /
/// scale and codebook schemes included), and
///   out[m, n] = s_x[m] * sum_k q_x[m, k] * w[n, k] (+ bias[n])
/// in double, rounded once. For signed symmetric weights this is
/// referenceMatmulDynamicInt8.
void referenceMatmulDynamicInt8Dequantized(llvm::ArrayRef<float> x,
                                           llvm::ArrayRef<float> w,
                                           llvm::ArrayRef<float> bias,
                                           int64_t M, int64_t N, int64_t K,
                                           llvm::MutableArrayRef<float> out);

//===----------------------------------------------------------------------===//
// Fixed-point requantization (TFLite / TOSA semantics)
//===----------------------------------------------------------------------===//

/// Splits a real multiplier m >= 0 into a Q31 `multiplier` in [2^30, 2^31)
/// (or 0) and a power-of-two `shift` with m ~ multiplier * 2^(shift - 31).
/// Multipliers below 2^-31 give multiplier 0, shift 0.
void quantizeMultiplier(double realMultiplier, int32_t &multiplier,
                        int32_t &shift);
/// a * b / 2^31 rounded to nearest with ties toward +infinity (gemmlowp's
/// nudge-and-truncate: 1.5 -> 2, -1.5 -> -1), saturating the one overflow case
/// a == b == INT32_MIN (SaturatingRoundingDoublingHighMul).
int32_t saturatingRoundingDoublingHighMul(int32_t a, int32_t b);
/// x / 2^exponent rounded to nearest, ties away from zero (0 <= exponent <= 31).
int32_t roundingDivideByPowerOfTwo(int32_t x, int32_t exponent);
/// x * multiplier * 2^(shift - 31) with the two roundings above; a positive
/// shift is applied as a left shift of x first (x * 2^shift must fit int32).
int32_t multiplyByQuantizedMultiplier(int32_t x, int32_t multiplier,
                                      int32_t shift);
/// clamp(multiplyByQuantizedMultiplier(acc, multiplier, shift) + zeroPoint,
/// qmin, qmax).
int32_t requantize(int32_t acc, int32_t multiplier, int32_t shift,
                   int32_t zeroPoint, int32_t qmin, int32_t qmax);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_REFERENCE_H

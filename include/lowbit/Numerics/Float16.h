//===- Float16.h - IEEE binary16 conversions --------------------*- C++ -*-===//
//
// Portable float <-> IEEE 754 binary16 ("fp16", "half") conversions used for
// storing quantization parameters. float -> half rounds to nearest, ties to
// even, with gradual underflow to half subnormals and overflow to infinity
// (|x| >= 65520 becomes +-inf); NaN stays NaN (quiet, sign preserved).
// half -> float is exact.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_FLOAT16_H
#define LOWBIT_NUMERICS_FLOAT16_H

#include <cstdint>

namespace lowbit::numerics {

/// The largest finite half value, 65504.
constexpr float kHalfMax = 65504.0f;
/// The smallest positive (subnormal) half value, 2^-24.
constexpr float kHalfMinSubnormal = 5.9604644775390625e-08f;

/// Rounds to nearest even; see the file comment.
uint16_t floatToHalfBits(float value);
/// Exact widening.
float halfBitsToFloat(uint16_t bits);
/// halfBitsToFloat(floatToHalfBits(value)): the value a half would store.
inline float roundToHalf(float value) {
  return halfBitsToFloat(floatToHalfBits(value));
}

/// bfloat16 ("bf16": the high 16 bits of an f32) as the 16-bit activations
/// of lowbit.matmul's `activation_type = bf16` see them: round to nearest,
/// ties to even; NaN stays NaN (quiet, sign kept); +-Inf stays; finite values
/// that round past the largest bf16 become +-Inf; f32 denormals (|x| <
/// 2^-126) become zero of the same sign, as AVX512-BF16's conversions and
/// dot products treat them. Integers with |q| <= 256 are exact.
uint16_t floatToBf16Bits(float value);
/// Exact widening.
float bf16BitsToFloat(uint16_t bits);
/// bf16BitsToFloat(floatToBf16Bits(value)).
inline float roundToBf16(float value) {
  return bf16BitsToFloat(floatToBf16Bits(value));
}

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_FLOAT16_H

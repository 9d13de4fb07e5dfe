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

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_FLOAT16_H

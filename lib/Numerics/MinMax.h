//===- MinMax.h - min and max of a float span -------------------*- C++ -*-===//
//
// Shared by the parameter search (Quantize.cpp) and per-tensor ranges
// (QuantizeTensor.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_NUMERICS_MINMAX_H
#define LOWBIT_LIB_NUMERICS_MINMAX_H

#include "llvm/ADT/ArrayRef.h"

#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lowbit::numerics::detail {

/// Min and max of finite values. Independent lanes give packed min/max; the
/// minimum of a set of non-NaN floats does not depend on the evaluation order
/// except for the sign of a zero result, which paramsForRange canonicalizes.
inline void minMax(llvm::ArrayRef<float> values, float &mn, float &mx) {
  const float *x = values.data();
  size_t n = values.size(), i = 0;
  float a = std::numeric_limits<float>::infinity();
  float b = -std::numeric_limits<float>::infinity();
#if defined(__SSE2__)
  if (n >= 8) {
    __m128 lo0 = _mm_set1_ps(a), lo1 = lo0, hi0 = _mm_set1_ps(b), hi1 = hi0;
    for (; i + 8 <= n; i += 8) {
      __m128 v0 = _mm_loadu_ps(x + i), v1 = _mm_loadu_ps(x + i + 4);
      lo0 = _mm_min_ps(v0, lo0);
      lo1 = _mm_min_ps(v1, lo1);
      hi0 = _mm_max_ps(v0, hi0);
      hi1 = _mm_max_ps(v1, hi1);
    }
    float l[8], h[8];
    _mm_storeu_ps(l, lo0);
    _mm_storeu_ps(l + 4, lo1);
    _mm_storeu_ps(h, hi0);
    _mm_storeu_ps(h + 4, hi1);
    for (int j = 0; j < 8; ++j) {
      a = l[j] < a ? l[j] : a;
      b = h[j] > b ? h[j] : b;
    }
  }
#endif
  for (; i < n; ++i) {
    a = x[i] < a ? x[i] : a;
    b = x[i] > b ? x[i] : b;
  }
  mn = a;
  mx = b;
}

} // namespace lowbit::numerics::detail

#endif // LOWBIT_LIB_NUMERICS_MINMAX_H

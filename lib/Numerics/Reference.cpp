//===- Reference.cpp - Reference kernels ----------------------------------===//

#include "lowbit/Numerics/Reference.h"
#include "lowbit/Numerics/Float16.h"
#include "lowbit/Numerics/Quantize.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <vector>

using namespace lowbit::numerics;

void lowbit::numerics::referenceMatmul(llvm::ArrayRef<float> x,
                                       llvm::ArrayRef<float> w,
                                       llvm::ArrayRef<float> bias, int64_t M,
                                       int64_t N, int64_t K,
                                       llvm::MutableArrayRef<float> out,
                                       Accumulation accumulation) {
  assert(int64_t(x.size()) == M * K && int64_t(w.size()) == N * K &&
         int64_t(out.size()) == M * N && "shape mismatch");
  assert((bias.empty() || int64_t(bias.size()) == N) && "bias size mismatch");
  for (int64_t m = 0; m < M; ++m) {
    const float *xr = x.data() + m * K;
    for (int64_t n = 0; n < N; ++n) {
      const float *wr = w.data() + n * K;
      if (accumulation == Accumulation::Double) {
        double acc = 0.0;
        for (int64_t k = 0; k < K; ++k)
          acc += double(xr[k]) * double(wr[k]);
        if (!bias.empty())
          acc += double(bias[n]);
        out[m * N + n] = static_cast<float>(acc);
      } else {
        float acc = 0.0f;
        for (int64_t k = 0; k < K; ++k) {
          float p = xr[k] * wr[k];
          acc = acc + p;
        }
        if (!bias.empty())
          acc = acc + bias[n];
        out[m * N + n] = acc;
      }
    }
  }
}

int32_t lowbit::numerics::dotInt8(llvm::ArrayRef<int8_t> a,
                                  llvm::ArrayRef<int8_t> b, int32_t aZeroPoint,
                                  int32_t bZeroPoint) {
  assert(a.size() == b.size() && "length mismatch");
  int64_t acc = 0;
  for (size_t k = 0; k < a.size(); ++k)
    acc += int64_t(int32_t(a[k]) - aZeroPoint) *
           int64_t(int32_t(b[k]) - bZeroPoint);
  assert(acc >= std::numeric_limits<int32_t>::min() &&
         acc <= std::numeric_limits<int32_t>::max() && "int32 overflow");
  return static_cast<int32_t>(acc);
}

void lowbit::numerics::referenceMatmulInt8(
    llvm::ArrayRef<int8_t> x, int32_t xZeroPoint, llvm::ArrayRef<int8_t> w,
    llvm::ArrayRef<int32_t> wZeroPoints, llvm::ArrayRef<int32_t> bias,
    int64_t M, int64_t N, int64_t K, llvm::MutableArrayRef<int32_t> out) {
  assert(int64_t(x.size()) == M * K && int64_t(w.size()) == N * K &&
         int64_t(out.size()) == M * N && "shape mismatch");
  assert((wZeroPoints.size() == 1 || int64_t(wZeroPoints.size()) == N) &&
         "weight zero points must have 1 or N entries");
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      int32_t zw = wZeroPoints.size() == 1 ? wZeroPoints[0] : wZeroPoints[n];
      int32_t acc = dotInt8(x.slice(m * K, K), w.slice(n * K, K), xZeroPoint, zw);
      if (!bias.empty())
        acc += bias[n];
      out[m * N + n] = acc;
    }
}

void lowbit::numerics::quantizeMultiplier(double realMultiplier,
                                          int32_t &multiplier,
                                          int32_t &shift) {
  assert(realMultiplier >= 0.0 && std::isfinite(realMultiplier));
  if (realMultiplier == 0.0) {
    multiplier = 0;
    shift = 0;
    return;
  }
  int exponent;
  double fraction = std::frexp(realMultiplier, &exponent); // [0.5, 1)
  int64_t q = static_cast<int64_t>(std::llround(fraction * double(1ll << 31)));
  if (q == (1ll << 31)) {
    q /= 2;
    ++exponent;
  }
  if (exponent < -31) {
    multiplier = 0;
    shift = 0;
    return;
  }
  assert(exponent <= 31 && "multiplier too large");
  multiplier = static_cast<int32_t>(q);
  shift = exponent;
}

int32_t lowbit::numerics::saturatingRoundingDoublingHighMul(int32_t a,
                                                            int32_t b) {
  if (a == std::numeric_limits<int32_t>::min() && a == b)
    return std::numeric_limits<int32_t>::max();
  int64_t ab = int64_t(a) * int64_t(b);
  int64_t nudge = ab >= 0 ? (1ll << 30) : (1 - (1ll << 30));
  return static_cast<int32_t>((ab + nudge) / (1ll << 31));
}

int32_t lowbit::numerics::roundingDivideByPowerOfTwo(int32_t x,
                                                     int32_t exponent) {
  assert(exponent >= 0 && exponent <= 31);
  int32_t mask = static_cast<int32_t>((int64_t(1) << exponent) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int32_t lowbit::numerics::multiplyByQuantizedMultiplier(int32_t x,
                                                        int32_t multiplier,
                                                        int32_t shift) {
  int32_t left = shift > 0 ? shift : 0;
  int32_t right = shift > 0 ? 0 : -shift;
  int64_t shifted = int64_t(x) * (int64_t(1) << left);
  assert(shifted >= std::numeric_limits<int32_t>::min() &&
         shifted <= std::numeric_limits<int32_t>::max() && "left shift overflow");
  return roundingDivideByPowerOfTwo(
      saturatingRoundingDoublingHighMul(static_cast<int32_t>(shifted),
                                        multiplier),
      right);
}

int32_t lowbit::numerics::requantize(int32_t acc, int32_t multiplier,
                                     int32_t shift, int32_t zeroPoint,
                                     int32_t qmin, int32_t qmax) {
  int64_t v = int64_t(multiplyByQuantizedMultiplier(acc, multiplier, shift)) +
              zeroPoint;
  return static_cast<int32_t>(std::clamp<int64_t>(v, qmin, qmax));
}

float lowbit::numerics::quantizeActivationRow(llvm::ArrayRef<float> x,
                                              llvm::MutableArrayRef<int8_t> q) {
  assert(q.size() == x.size() && "row sizes differ");
  float amax = 0.0f;
  for (float v : x)
    amax = std::max(amax, std::fabs(v));
  float scale = amax > 0.0f ? amax / 127.0f : 1.0f;
  for (size_t k = 0; k < x.size(); ++k) {
    float y = x[k] / scale;
    y = y > -127.0f ? y : -127.0f;
    y = y < 127.0f ? y : 127.0f;
    q[k] = static_cast<int8_t>(roundToInt(y, Rounding::NearestEven));
  }
  return scale;
}

void lowbit::numerics::referenceMatmulDynamicInt8(
    llvm::ArrayRef<float> x, llvm::ArrayRef<int32_t> w,
    llvm::ArrayRef<float> scales, int64_t groupSize,
    llvm::ArrayRef<float> bias, int64_t M, int64_t N, int64_t K,
    llvm::MutableArrayRef<float> out) {
  int64_t groups = (K + groupSize - 1) / groupSize;
  std::vector<int8_t> q(K);
  for (int64_t m = 0; m < M; ++m) {
    float sx = quantizeActivationRow(x.slice(m * K, K), q);
    for (int64_t n = 0; n < N; ++n) {
      double acc = 0.0;
      for (int64_t g = 0; g < groups; ++g) {
        int64_t sum = 0;
        for (int64_t k = g * groupSize; k < std::min(K, (g + 1) * groupSize); ++k)
          sum += int64_t(q[k]) * w[n * K + k];
        float sw = scales.size() == 1 ? scales[0] : scales[n * groups + g];
        acc += double(sw) * double(sum);
      }
      acc *= double(sx);
      if (!bias.empty())
        acc += double(bias[n]);
      out[m * N + n] = static_cast<float>(acc);
    }
  }
}

void lowbit::numerics::referenceMatmulBf16Activations(
    llvm::ArrayRef<float> x, llvm::ArrayRef<float> w,
    llvm::ArrayRef<float> bias, int64_t M, int64_t N, int64_t K,
    llvm::MutableArrayRef<float> out) {
  std::vector<float> rounded(x.begin(), x.end());
  for (float &value : rounded)
    value = roundToBf16(value);
  referenceMatmul(rounded, w, bias, M, N, K, out, Accumulation::Double);
}

void lowbit::numerics::referenceMatmulDynamicInt8Dequantized(
    llvm::ArrayRef<float> x, llvm::ArrayRef<float> w,
    llvm::ArrayRef<float> bias, int64_t M, int64_t N, int64_t K,
    llvm::MutableArrayRef<float> out) {
  std::vector<int8_t> q(K);
  for (int64_t m = 0; m < M; ++m) {
    float sx = quantizeActivationRow(x.slice(m * K, K), q);
    for (int64_t n = 0; n < N; ++n) {
      double acc = 0.0;
      for (int64_t k = 0; k < K; ++k)
        acc += double(q[k]) * double(w[n * K + k]);
      acc *= double(sx);
      if (!bias.empty())
        acc += double(bias[n]);
      out[m * N + n] = static_cast<float>(acc);
    }
  }
}

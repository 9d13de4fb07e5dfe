//===- Quantize.cpp - Quantization numerics -------------------------------===//
//
// See Quantize.h for the arithmetic contract. Everything here is compiled with
// -ffp-contract=off; the inner loops use rounding formulations that are proven
// equal to roundToInt() on the clamped range (see roundSmall()).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Quantize.h"

#include "Parallel.h"
#include "lowbit/Numerics/Packing.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

using namespace lowbit::numerics;
using lowbit::numerics::detail::atomicMin;
using lowbit::numerics::detail::runTasks;

//===----------------------------------------------------------------------===//
// Rounding
//===----------------------------------------------------------------------===//

int64_t lowbit::numerics::roundToInt(double x, Rounding mode) {
  if (std::isnan(x))
    return 0;
  // 2^63 is exactly representable; anything at or beyond saturates.
  if (x >= 9223372036854775808.0)
    return std::numeric_limits<int64_t>::max();
  if (x <= -9223372036854775808.0)
    return std::numeric_limits<int64_t>::min();
  double f = std::floor(x);
  double frac = x - f; // exact: |x| < 2^63 and x, f share the exponent range
  switch (mode) {
  case Rounding::TowardZero:
    return static_cast<int64_t>(std::trunc(x));
  case Rounding::NearestAway:
    if (frac > 0.5 || (frac == 0.5 && x > 0))
      f += 1.0;
    return static_cast<int64_t>(f);
  case Rounding::NearestEven:
    if (frac > 0.5 || (frac == 0.5 && std::fmod(f, 2.0) != 0.0))
      f += 1.0;
    return static_cast<int64_t>(f);
  }
  return 0;
}

const char *lowbit::numerics::stringifyRounding(Rounding mode) {
  switch (mode) {
  case Rounding::NearestEven:
    return "nearest_even";
  case Rounding::NearestAway:
    return "nearest_away";
  case Rounding::TowardZero:
    return "toward_zero";
  }
  return "unknown";
}

namespace {

/// roundToInt for |y| <= 2^22 (callers clamp to the code range first), written
/// so that it vectorizes without libcalls:
///  * NearestEven: y + 1.5*2^23 lies in [2^23, 2^24] where the float spacing is
///    1, so the addition rounds y to an integer with ties to even (IEEE default
///    rounding mode), and subtracting the constant back is exact.
///  * NearestAway: trunc(y) via int conversion, then the exact fraction
///    y - trunc(y) decides (|y| < 2^22 keeps both exact).
///  * TowardZero: int conversion truncates.
template <Rounding M> inline int32_t roundSmall(float y) {
  if constexpr (M == Rounding::NearestEven) {
    float r = y + 12582912.0f;
    r = r - 12582912.0f;
    return static_cast<int32_t>(r);
  } else if constexpr (M == Rounding::NearestAway) {
    int32_t i = static_cast<int32_t>(y);
    float f = y - static_cast<float>(i);
    return i + static_cast<int32_t>(f >= 0.5f) -
           static_cast<int32_t>(f <= -0.5f);
  } else {
    return static_cast<int32_t>(y);
  }
}

/// clamp(y, lo, hi); a NaN y becomes lo (so NaN quantizes to the lowest
/// code instead of reaching an undefined float -> int conversion).
inline float clampf(float y, float lo, float hi) {
  y = y > lo ? y : lo;
  y = y < hi ? y : hi;
  return y;
}

/// Symmetric / Affine uniform: clamp(R(x / s) + z, qmin, qmax), computed as
/// R(clamp(x / s, qmin - z, qmax - z)) + z, which is equal because R is
/// monotone and fixes integers.
template <Rounding M>
inline int32_t quantLinear(float x, float s, int32_t z, float lo, float hi) {
  float y = x / s;
  return roundSmall<M>(clampf(y, lo, hi)) + z;
}

/// MinScale uniform: qmin + clamp(R(((x - m) / s) * L), 0, L).
template <Rounding M>
inline int32_t quantMinScale(float x, float s, float m, float lf, int32_t qlo) {
  float d = x - m;
  float t = d / s;
  float y = t * lf;
  return qlo + roundSmall<M>(clampf(y, 0.0f, lf));
}

/// #{ j : t > mids[j] } for ascending mids: the nearest level, ties to lower.
inline int32_t nearestIndex(float t, const float *mids, int32_t n) {
  if (n <= 32) {
    int32_t k = 0;
    for (int32_t j = 0; j < n; ++j)
      k += t > mids[j];
    return k;
  }
  return static_cast<int32_t>(std::lower_bound(mids, mids + n, t) - mids);
}

enum class KernelKind : uint8_t { Linear, MinScaleUniform, CodebookSym, CodebookMinScale };

} // namespace

//===----------------------------------------------------------------------===//
// Schemes
//===----------------------------------------------------------------------===//

std::optional<std::string>
lowbit::numerics::verifyScheme(const Scheme &scheme) {
  if (scheme.bits < 2 || scheme.bits > 8)
    return "bits must be in [2, 8], got " + std::to_string(scheme.bits);
  if (scheme.form != ParamForm::Symmetric && scheme.form != ParamForm::Affine &&
      scheme.form != ParamForm::MinScale)
    return std::string("unknown parameter form");
  if (scheme.rounding != Rounding::NearestEven &&
      scheme.rounding != Rounding::NearestAway &&
      scheme.rounding != Rounding::TowardZero)
    return std::string("unknown rounding mode");
  if (scheme.paramStorage != ParamStorage::F32 &&
      scheme.paramStorage != ParamStorage::F16)
    return std::string("unknown parameter storage");
  const std::vector<float> &cb = scheme.codebook;
  if (cb.empty())
    return std::nullopt;
  if (cb.size() < 2 || cb.size() > (size_t(1) << scheme.bits))
    return "a codebook needs 2.." + std::to_string(1u << scheme.bits) +
           " levels for " + std::to_string(scheme.bits) + " bits, got " +
           std::to_string(cb.size());
  for (size_t i = 0; i < cb.size(); ++i) {
    if (!std::isfinite(cb[i]))
      return "codebook entry " + std::to_string(i) + " is not finite";
    if (i > 0 && !(cb[i - 1] < cb[i]))
      return "codebook must be strictly ascending (entry " + std::to_string(i) +
             ")";
  }
  if (scheme.isSigned)
    return std::string("codebook codes are unsigned indices: isSigned must be "
                       "false");
  if (scheme.narrowRange)
    return std::string("narrow range does not apply to a codebook");
  if (scheme.form == ParamForm::Affine)
    return std::string("a codebook needs the symmetric or min/scale form");
  return std::nullopt;
}

int64_t lowbit::numerics::qmin(const Scheme &scheme) {
  if (!scheme.codebook.empty())
    return 0;
  if (scheme.isSigned)
    return -(int64_t(1) << (scheme.bits - 1)) + (scheme.narrowRange ? 1 : 0);
  return scheme.narrowRange ? 1 : 0;
}

int64_t lowbit::numerics::qmax(const Scheme &scheme) {
  if (!scheme.codebook.empty())
    return int64_t(scheme.codebook.size()) - 1;
  if (scheme.isSigned)
    return (int64_t(1) << (scheme.bits - 1)) - 1;
  return (int64_t(1) << scheme.bits) - 1;
}

std::vector<float> lowbit::numerics::linspaceCodebook(float lo, float hi,
                                                      unsigned levels) {
  std::vector<float> out(levels);
  if (levels == 1) {
    out[0] = lo;
    return out;
  }
  for (unsigned k = 0; k < levels; ++k)
    out[k] = static_cast<float>(double(lo) + (double(hi) - double(lo)) *
                                                 double(k) / double(levels - 1));
  if (levels > 0) {
    out.front() = lo;
    out.back() = hi;
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Quantizer
//===----------------------------------------------------------------------===//

static KernelKind kernelKind(const Scheme &scheme) {
  bool cb = !scheme.codebook.empty();
  if (scheme.form == ParamForm::MinScale)
    return cb ? KernelKind::CodebookMinScale : KernelKind::MinScaleUniform;
  return cb ? KernelKind::CodebookSym : KernelKind::Linear;
}

Result<Quantizer> Quantizer::create(const Scheme &scheme) {
  if (auto msg = verifyScheme(scheme))
    return QuantError{QuantError::Kind::InvalidScheme, -1, *msg};
  Quantizer q;
  q.scheme = scheme;
  q.lo = static_cast<int32_t>(numerics::qmin(scheme));
  q.hi = static_cast<int32_t>(numerics::qmax(scheme));
  q.mask = (1u << scheme.bits) - 1u;
  const std::vector<float> &cb = scheme.codebook;
  switch (kernelKind(scheme)) {
  case KernelKind::Linear:
    break;
  case KernelKind::MinScaleUniform: {
    int32_t L = q.hi - q.lo;
    for (int32_t k = 0; k <= L; ++k)
      q.levels.push_back(static_cast<float>(k) / static_cast<float>(L));
    break;
  }
  case KernelKind::CodebookMinScale: {
    float v0 = cb.front(), range = cb.back() - cb.front();
    for (float v : cb) {
      float d = v - v0;
      q.levels.push_back(d / range);
    }
    break;
  }
  case KernelKind::CodebookSym:
    q.levels = cb;
    q.codebookMaxAbs = std::max(std::fabs(cb.front()), std::fabs(cb.back()));
    break;
  }
  if (!cb.empty())
    for (size_t j = 0; j + 1 < q.levels.size(); ++j) {
      float sum = q.levels[j] + q.levels[j + 1];
      q.midpoints.push_back(sum / 2.0f);
    }
  return q;
}

float Quantizer::roundParam(float value) const {
  return scheme.paramStorage == ParamStorage::F16 ? roundToHalf(value) : value;
}

std::optional<QuantParams> Quantizer::finishParams(QuantParams p) const {
  p.scale = roundParam(p.scale);
  if (p.scale == 0.0f)
    p.scale = scheme.paramStorage == ParamStorage::F16
                  ? kHalfMinSubnormal
                  : std::numeric_limits<float>::denorm_min();
  if (!std::isfinite(p.scale))
    return std::nullopt;
  p.min = roundParam(p.min);
  if (!std::isfinite(p.min))
    return std::nullopt;
  return p;
}

std::optional<QuantParams> Quantizer::paramsForRange(float min,
                                                     float max) const {
  assert(min <= max && "empty range");
  // Canonical zeros: the result must not depend on the sign of a zero min/max.
  if (min == 0.0f)
    min = 0.0f;
  if (max == 0.0f)
    max = 0.0f;
  QuantParams p;
  switch (scheme.form) {
  case ParamForm::Symmetric: {
    float amax = std::max(std::fabs(min), std::fabs(max));
    if (amax == 0.0f)
      p.scale = 1.0f;
    else if (hasCodebook())
      p.scale = amax / codebookMaxAbs;
    else if (min == max)
      p.scale = amax; // constant group: codes +-1 reproduce it exactly
    else
      p.scale = amax / static_cast<float>(hi);
    return finishParams(p);
  }
  case ParamForm::Affine: {
    float rlo = std::min(min, 0.0f), rhi = std::max(max, 0.0f);
    bool constant = min == max && min != 0.0f;
    if (rlo == rhi)
      p.scale = 1.0f;
    else if (constant)
      p.scale = std::fabs(min);
    else
      p.scale = static_cast<float>((double(rhi) - double(rlo)) /
                                   double(int64_t(hi) - int64_t(lo)));
    std::optional<QuantParams> f = finishParams(p);
    if (!f)
      return std::nullopt;
    if (constant) {
      f->zeroPoint = min > 0 ? lo : hi;
    } else {
      float r = rlo / f->scale;
      int64_t z = int64_t(lo) - roundToInt(r, scheme.rounding);
      f->zeroPoint = static_cast<int32_t>(
          std::clamp<int64_t>(z, int64_t(lo), int64_t(hi)));
    }
    return f;
  }
  case ParamForm::MinScale: {
    p.min = min;
    if (min == max)
      p.scale = 1.0f;
    else
      p.scale = static_cast<float>(double(max) - double(min));
    return finishParams(p);
  }
  }
  return std::nullopt;
}

int32_t Quantizer::quantize(float x, const QuantParams &p) const {
  switch (kernelKind(scheme)) {
  case KernelKind::Linear: {
    int32_t z = scheme.form == ParamForm::Affine ? p.zeroPoint : 0;
    float flo = static_cast<float>(lo - z), fhi = static_cast<float>(hi - z);
    switch (scheme.rounding) {
    case Rounding::NearestEven:
      return quantLinear<Rounding::NearestEven>(x, p.scale, z, flo, fhi);
    case Rounding::NearestAway:
      return quantLinear<Rounding::NearestAway>(x, p.scale, z, flo, fhi);
    case Rounding::TowardZero:
      return quantLinear<Rounding::TowardZero>(x, p.scale, z, flo, fhi);
    }
    break;
  }
  case KernelKind::MinScaleUniform: {
    float lf = static_cast<float>(hi - lo);
    switch (scheme.rounding) {
    case Rounding::NearestEven:
      return quantMinScale<Rounding::NearestEven>(x, p.scale, p.min, lf, lo);
    case Rounding::NearestAway:
      return quantMinScale<Rounding::NearestAway>(x, p.scale, p.min, lf, lo);
    case Rounding::TowardZero:
      return quantMinScale<Rounding::TowardZero>(x, p.scale, p.min, lf, lo);
    }
    break;
  }
  case KernelKind::CodebookSym: {
    float t = x / p.scale;
    return nearestIndex(t, midpoints.data(), int32_t(midpoints.size()));
  }
  case KernelKind::CodebookMinScale: {
    float d = x - p.min;
    float t = d / p.scale;
    return nearestIndex(t, midpoints.data(), int32_t(midpoints.size()));
  }
  }
  return 0;
}

float Quantizer::dequantize(int32_t q, const QuantParams &p) const {
  assert(q >= lo && q <= hi && "code out of range");
  switch (kernelKind(scheme)) {
  case KernelKind::Linear: {
    int32_t z = scheme.form == ParamForm::Affine ? p.zeroPoint : 0;
    return static_cast<float>(q - z) * p.scale;
  }
  case KernelKind::MinScaleUniform:
  case KernelKind::CodebookMinScale: {
    float a = levels[q - lo] * p.scale;
    return a + p.min;
  }
  case KernelKind::CodebookSym:
    return levels[q] * p.scale;
  }
  return 0.0f;
}

int32_t Quantizer::fromPattern(uint8_t pattern) const {
  if (scheme.isSigned && !hasCodebook())
    return signExtend(pattern, scheme.bits);
  return static_cast<int32_t>(pattern & mask);
}

namespace {
template <Rounding M>
void quantLinearSpan(const float *x, int64_t n, float s, int32_t z, float flo,
                     float fhi, uint32_t mask, uint8_t *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = static_cast<uint8_t>(
        static_cast<uint32_t>(quantLinear<M>(x[i], s, z, flo, fhi)) & mask);
}
template <Rounding M>
void quantMinScaleSpan(const float *x, int64_t n, float s, float m, float lf,
                       int32_t qlo, uint32_t mask, uint8_t *out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = static_cast<uint8_t>(
        static_cast<uint32_t>(quantMinScale<M>(x[i], s, m, lf, qlo)) & mask);
}
} // namespace

void Quantizer::quantizeSpan(llvm::ArrayRef<float> values,
                             const QuantParams &p,
                             llvm::MutableArrayRef<uint8_t> patterns) const {
  assert(values.size() == patterns.size());
  const float *x = values.data();
  int64_t n = values.size();
  uint8_t *out = patterns.data();
  switch (kernelKind(scheme)) {
  case KernelKind::Linear: {
    int32_t z = scheme.form == ParamForm::Affine ? p.zeroPoint : 0;
    float flo = static_cast<float>(lo - z), fhi = static_cast<float>(hi - z);
    switch (scheme.rounding) {
    case Rounding::NearestEven:
      return quantLinearSpan<Rounding::NearestEven>(x, n, p.scale, z, flo, fhi,
                                                    mask, out);
    case Rounding::NearestAway:
      return quantLinearSpan<Rounding::NearestAway>(x, n, p.scale, z, flo, fhi,
                                                    mask, out);
    case Rounding::TowardZero:
      return quantLinearSpan<Rounding::TowardZero>(x, n, p.scale, z, flo, fhi,
                                                   mask, out);
    }
    return;
  }
  case KernelKind::MinScaleUniform: {
    float lf = static_cast<float>(hi - lo);
    switch (scheme.rounding) {
    case Rounding::NearestEven:
      return quantMinScaleSpan<Rounding::NearestEven>(x, n, p.scale, p.min, lf,
                                                      lo, mask, out);
    case Rounding::NearestAway:
      return quantMinScaleSpan<Rounding::NearestAway>(x, n, p.scale, p.min, lf,
                                                      lo, mask, out);
    case Rounding::TowardZero:
      return quantMinScaleSpan<Rounding::TowardZero>(x, n, p.scale, p.min, lf,
                                                     lo, mask, out);
    }
    return;
  }
  case KernelKind::CodebookSym:
  case KernelKind::CodebookMinScale: {
    // t for a chunk of elements, then the same #{j : t > mid_j} count as
    // nearestIndex(), with the loop over midpoints outside so that it
    // vectorizes across elements.
    const float *mids = midpoints.data();
    int32_t nm = int32_t(midpoints.size());
    float m = kernelKind(scheme) == KernelKind::CodebookMinScale ? p.min : 0.0f;
    bool subtract = kernelKind(scheme) == KernelKind::CodebookMinScale;
    constexpr int64_t kChunk = 64;
    float t[kChunk];
    int32_t k[kChunk];
    for (int64_t b = 0; b < n; b += kChunk) {
      int64_t c = std::min(kChunk, n - b);
      for (int64_t i = 0; i < c; ++i) {
        float d = subtract ? x[b + i] - m : x[b + i];
        t[i] = d / p.scale;
      }
      if (nm > 32) {
        for (int64_t i = 0; i < c; ++i)
          out[b + i] = static_cast<uint8_t>(nearestIndex(t[i], mids, nm));
        continue;
      }
      for (int64_t i = 0; i < c; ++i)
        k[i] = 0;
      for (int32_t j = 0; j < nm; ++j) {
        float mid = mids[j];
        for (int64_t i = 0; i < c; ++i)
          k[i] += t[i] > mid ? 1 : 0;
      }
      for (int64_t i = 0; i < c; ++i)
        out[b + i] = static_cast<uint8_t>(k[i]);
    }
    return;
  }
  }
}

void Quantizer::dequantizeSpan(llvm::ArrayRef<uint8_t> patterns,
                               const QuantParams &p,
                               llvm::MutableArrayRef<float> values) const {
  assert(values.size() == patterns.size());
  for (size_t i = 0, e = patterns.size(); i < e; ++i)
    values[i] = dequantize(fromPattern(patterns[i]), p);
}

double Quantizer::squaredError(llvm::ArrayRef<float> values,
                               const QuantParams &p) const {
  double sum = 0.0;
  for (float x : values) {
    double e = double(x) - double(dequantize(quantize(x, p), p));
    sum += e * e;
  }
  return sum;
}

namespace {
/// Min and max of finite values. Independent lanes give packed min/max; the
/// minimum of a set of non-NaN floats does not depend on the evaluation order
/// except for the sign of a zero result, which paramsForRange canonicalizes.
void minMax(llvm::ArrayRef<float> values, float &mn, float &mx) {
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
} // namespace

std::optional<QuantParams>
Quantizer::paramsForValues(llvm::ArrayRef<float> values,
                           const ClippingOptions &clipping) const {
  if (clipping.method == ClipMethod::MinMax || clipping.steps == 0 ||
      values.empty())
    return paramsMinimizing(values, clipping, nullptr);
  return paramsMinimizing(values, clipping, [&](const QuantParams &p) {
    return squaredError(values, p);
  });
}

std::optional<QuantParams> Quantizer::paramsMinimizing(
    llvm::ArrayRef<float> values, const ClippingOptions &clipping,
    llvm::function_ref<double(const QuantParams &)> error) const {
  if (values.empty())
    return paramsForRange(0.0f, 0.0f);
  float mn, mx;
  minMax(values, mn, mx);
  std::optional<QuantParams> best = paramsForRange(mn, mx);
  if (!best || !error || clipping.steps == 0)
    return best;
  double bestErr = error(*best);
  float amax = std::max(std::fabs(mn), std::fabs(mx));
  double mid = (double(mn) + double(mx)) / 2.0;
  double half = (double(mx) - double(mn)) / 2.0;
  double shrinkSpan = 1.0 - double(clipping.minShrink);
  for (unsigned k = 1; k <= clipping.steps && bestErr > 0.0; ++k) {
    double a = 1.0 - double(k) * shrinkSpan / double(clipping.steps);
    std::optional<QuantParams> cand;
    if (scheme.form == ParamForm::Symmetric) {
      float c = static_cast<float>(a) * amax;
      cand = paramsForRange(-c, c);
    } else {
      float clo = static_cast<float>(mid - a * half);
      float chi = static_cast<float>(mid + a * half);
      if (!(clo <= chi))
        continue;
      cand = paramsForRange(clo, chi);
    }
    if (!cand)
      continue;
    double err = error(*cand);
    if (err < bestErr) {
      bestErr = err;
      best = cand;
    }
  }
  return best;
}

std::optional<QuantParams>
lowbit::numerics::computeParams(const Scheme &scheme,
                                llvm::ArrayRef<float> values,
                                const ClippingOptions &clipping) {
  Result<Quantizer> q = Quantizer::create(scheme);
  assert(q && "invalid scheme");
  if (!q)
    return std::nullopt;
  return q->paramsForValues(values, clipping);
}

int32_t lowbit::numerics::quantizeValue(float x, const QuantParams &params,
                                        const Scheme &scheme) {
  Result<Quantizer> q = Quantizer::create(scheme);
  assert(q && "invalid scheme");
  return q ? q->quantize(x, params) : 0;
}

float lowbit::numerics::dequantizeValue(int32_t code, const QuantParams &params,
                                        const Scheme &scheme) {
  Result<Quantizer> q = Quantizer::create(scheme);
  assert(q && "invalid scheme");
  return q ? q->dequantize(code, params) : 0.0f;
}

//===----------------------------------------------------------------------===//
// Tensor layout
//===----------------------------------------------------------------------===//

int64_t lowbit::numerics::getNumElements(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::optional<std::string>
lowbit::numerics::verifyGranularity(const Granularity &g,
                                    llvm::ArrayRef<int64_t> shape) {
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] < 0)
      return "dimension " + std::to_string(i) + " is negative";
  switch (g.kind) {
  case GranularityKind::PerTensor:
    return std::nullopt;
  case GranularityKind::PerChannel:
  case GranularityKind::PerGroup:
    if (g.axis < 0 || g.axis >= int64_t(shape.size()))
      return "axis " + std::to_string(g.axis) + " is out of range for rank " +
             std::to_string(shape.size());
    if (g.kind == GranularityKind::PerGroup && g.groupSize <= 0)
      return "group size must be positive, got " + std::to_string(g.groupSize);
    return std::nullopt;
  }
  return std::string("unknown granularity");
}

namespace {
struct TensorLayout {
  GranularityKind kind = GranularityKind::PerTensor;
  int64_t outer = 1, dim = 1, inner = 1;
  int64_t groupSize = 1, groups = 1;
  int64_t numElements = 0, numParams = 1;
};

TensorLayout makeLayout(llvm::ArrayRef<int64_t> shape, const Granularity &g) {
  TensorLayout l;
  l.kind = g.kind;
  l.numElements = getNumElements(shape);
  if (g.kind == GranularityKind::PerTensor) {
    l.dim = l.numElements;
    l.groupSize = std::max<int64_t>(l.numElements, 1);
    l.groups = 1;
    l.numParams = 1;
    return l;
  }
  for (int64_t i = 0; i < g.axis; ++i)
    l.outer *= shape[i];
  l.dim = shape[g.axis];
  for (int64_t i = g.axis + 1; i < int64_t(shape.size()); ++i)
    l.inner *= shape[i];
  if (g.kind == GranularityKind::PerChannel) {
    l.numParams = l.dim;
  } else {
    l.groupSize = g.groupSize;
    l.groups = (l.dim + g.groupSize - 1) / g.groupSize;
    l.numParams = l.outer * l.groups * l.inner;
  }
  return l;
}

/// A parameter whose elements are `numRuns` contiguous runs of `runLen`
/// elements starting at base + r * runStride.
struct RunsItem {
  int64_t param, base, runStride, numRuns, runLen;
};
/// Rows r < numRows start at base + r * rowStride; lane i in [laneBegin,
/// laneEnd) of every row belongs to parameter paramBase + i.
struct BandItem {
  int64_t paramBase, base, rowStride, numRows, laneBegin, laneEnd;
};

constexpr int64_t kTaskElements = 1 << 16;
constexpr int64_t kLaneChunk = 1024;

/// Splits a tensor into tasks of runs or band items. Task boundaries depend
/// only on the layout. With splitPerTensor, a per-tensor layout is cut into
/// chunks that all refer to parameter 0 (only valid when parameters are
/// known in advance).
class Traversal {
public:
  Traversal(const TensorLayout &l, bool splitPerTensor) : l(l) {
    if (l.kind == GranularityKind::PerTensor) {
      mode = splitPerTensor ? PerTensorChunks : RunsGroups;
      if (mode == PerTensorChunks)
        numTasks = (l.numElements + kTaskElements - 1) / kTaskElements;
      else
        numTasks = 1, itemsPerTask = 1;
    } else if (l.kind == GranularityKind::PerGroup && l.inner == 1) {
      mode = RunsGroups;
      itemsPerTask = std::max<int64_t>(1, kTaskElements / l.groupSize);
      numTasks = (l.outer * l.groups + itemsPerTask - 1) / itemsPerTask;
    } else if (l.kind == GranularityKind::PerChannel && l.inner > 1) {
      mode = RunsChannels;
      itemsPerTask =
          std::max<int64_t>(1, kTaskElements / std::max<int64_t>(1, l.outer * l.inner));
      numTasks = (l.dim + itemsPerTask - 1) / itemsPerTask;
    } else if (l.kind == GranularityKind::PerGroup) {
      mode = GroupBands;
      laneChunks = (l.inner + kLaneChunk - 1) / kLaneChunk;
      numTasks = l.outer * l.groups * laneChunks;
    } else { // PerChannel, inner == 1: lanes are channels, rows are outer.
      mode = ChannelBand;
      numTasks = (l.dim + kLaneChunk - 1) / kLaneChunk;
    }
    if (l.numElements == 0 && mode != RunsGroups)
      numTasks = 0;
  }

  int64_t getNumTasks() const { return numTasks; }

  template <typename RunsFn, typename BandFn>
  void runTask(int64_t t, RunsFn &&runsFn, BandFn &&bandFn) const {
    switch (mode) {
    case PerTensorChunks: {
      int64_t b = t * kTaskElements;
      runsFn(RunsItem{0, b, 0, 1, std::min(kTaskElements, l.numElements - b)});
      return;
    }
    case RunsGroups: {
      if (l.kind == GranularityKind::PerTensor) {
        runsFn(RunsItem{0, 0, 0, 1, l.numElements});
        return;
      }
      int64_t end = std::min(l.outer * l.groups, (t + 1) * itemsPerTask);
      for (int64_t gi = t * itemsPerTask; gi < end; ++gi) {
        int64_t o = gi / l.groups, g = gi % l.groups;
        int64_t a0 = g * l.groupSize;
        runsFn(RunsItem{gi, o * l.dim + a0, 0, 1,
                        std::min(l.groupSize, l.dim - a0)});
      }
      return;
    }
    case RunsChannels: {
      int64_t end = std::min(l.dim, (t + 1) * itemsPerTask);
      for (int64_t a = t * itemsPerTask; a < end; ++a)
        runsFn(RunsItem{a, a * l.inner, l.dim * l.inner, l.outer, l.inner});
      return;
    }
    case GroupBands: {
      int64_t band = t / laneChunks, c = t % laneChunks;
      int64_t o = band / l.groups, g = band % l.groups;
      int64_t a0 = g * l.groupSize;
      bandFn(BandItem{band * l.inner, (o * l.dim + a0) * l.inner, l.inner,
                      std::min(l.groupSize, l.dim - a0), c * kLaneChunk,
                      std::min(l.inner, (c + 1) * kLaneChunk)});
      return;
    }
    case ChannelBand:
      bandFn(BandItem{0, 0, l.dim, l.outer, t * kLaneChunk,
                      std::min(l.dim, (t + 1) * kLaneChunk)});
      return;
    }
  }

private:
  enum Mode { PerTensorChunks, RunsGroups, RunsChannels, GroupBands, ChannelBand };
  TensorLayout l;
  Mode mode = RunsGroups;
  int64_t numTasks = 0, itemsPerTask = 1, laneChunks = 1;
};
} // namespace

//===----------------------------------------------------------------------===//
// Whole tensors
//===----------------------------------------------------------------------===//

std::vector<int64_t>
lowbit::numerics::getParamShape(llvm::ArrayRef<int64_t> shape,
                                const Granularity &g) {
  switch (g.kind) {
  case GranularityKind::PerTensor:
    return {1};
  case GranularityKind::PerChannel:
    return {shape[g.axis]};
  case GranularityKind::PerGroup: {
    std::vector<int64_t> out(shape.begin(), shape.end());
    out[g.axis] = (shape[g.axis] + g.groupSize - 1) / g.groupSize;
    return out;
  }
  }
  return {1};
}

int64_t lowbit::numerics::getParamIndex(llvm::ArrayRef<int64_t> shape,
                                        const Granularity &g, int64_t index) {
  TensorLayout l = makeLayout(shape, g);
  if (g.kind == GranularityKind::PerTensor)
    return 0;
  int64_t i = index % l.inner;
  int64_t a = (index / l.inner) % l.dim;
  int64_t o = index / (l.inner * l.dim);
  if (g.kind == GranularityKind::PerChannel)
    return a;
  return (o * l.groups + a / l.groupSize) * l.inner + i;
}

std::optional<int64_t>
lowbit::numerics::findNonFinite(llvm::ArrayRef<float> values) {
  // Branch-free scan per block (vectorizes), then locate inside the block.
  constexpr size_t kBlock = 1024;
  const float *x = values.data();
  size_t n = values.size();
  for (size_t b = 0; b < n; b += kBlock) {
    size_t e = std::min(n, b + kBlock);
    uint32_t bad = 0;
    for (size_t i = b; i < e; ++i) {
      uint32_t bits;
      std::memcpy(&bits, x + i, sizeof(bits));
      bad |= static_cast<uint32_t>((bits & 0x7F800000u) == 0x7F800000u);
    }
    if (bad)
      for (size_t i = b; i < e; ++i)
        if (!std::isfinite(x[i]))
          return static_cast<int64_t>(i);
  }
  return std::nullopt;
}

int32_t QuantizedTensor::codeValue(int64_t i) const {
  return isSigned ? signExtend(codes[i], bits)
                  : static_cast<int32_t>(codes[i]);
}

std::vector<int32_t> QuantizedTensor::codeValues() const {
  std::vector<int32_t> out(codes.size());
  for (size_t i = 0; i < codes.size(); ++i)
    out[i] = codeValue(i);
  return out;
}

namespace {

/// Common validation of scheme, granularity and element count.
std::optional<QuantError> checkTensor(size_t numValues,
                                      llvm::ArrayRef<int64_t> shape,
                                      const Granularity &g) {
  if (auto msg = verifyGranularity(g, shape))
    return QuantError{QuantError::Kind::InvalidGranularity, -1, *msg};
  int64_t n = getNumElements(shape);
  if (n != int64_t(numValues))
    return QuantError{QuantError::Kind::InvalidShape, -1,
                      "shape has " + std::to_string(n) + " elements but " +
                          std::to_string(numValues) + " were given"};
  return std::nullopt;
}

std::optional<QuantError> checkParams(const Quantizer &q, int64_t numParams,
                                      llvm::ArrayRef<float> scales,
                                      llvm::ArrayRef<int32_t> zeroPoints,
                                      llvm::ArrayRef<float> mins) {
  auto bad = [](std::string msg, int64_t index = -1) {
    return QuantError{QuantError::Kind::InvalidParams, index, std::move(msg)};
  };
  const Scheme &s = q.getScheme();
  if (int64_t(scales.size()) != numParams)
    return bad("expected " + std::to_string(numParams) + " scales, got " +
               std::to_string(scales.size()));
  for (int64_t i = 0; i < numParams; ++i)
    if (!(scales[i] > 0.0f) || !std::isfinite(scales[i]))
      return bad("scale " + std::to_string(i) + " is not positive and finite",
                 i);
  if (s.form == ParamForm::Affine && !zeroPoints.empty()) {
    if (int64_t(zeroPoints.size()) != numParams)
      return bad("expected " + std::to_string(numParams) +
                 " zero points, got " + std::to_string(zeroPoints.size()));
    for (int64_t i = 0; i < numParams; ++i)
      if (zeroPoints[i] < q.getQmin() || zeroPoints[i] > q.getQmax())
        return bad("zero point " + std::to_string(i) + " is outside [" +
                       std::to_string(q.getQmin()) + ", " +
                       std::to_string(q.getQmax()) + "]",
                   i);
  }
  if (s.form == ParamForm::MinScale) {
    if (int64_t(mins.size()) != numParams)
      return bad("expected " + std::to_string(numParams) + " mins, got " +
                 std::to_string(mins.size()));
    for (int64_t i = 0; i < numParams; ++i)
      if (!std::isfinite(mins[i]))
        return bad("min " + std::to_string(i) + " is not finite", i);
  }
  return std::nullopt;
}

QuantParams givenParams(const Scheme &s, int64_t i, llvm::ArrayRef<float> scales,
                        llvm::ArrayRef<int32_t> zeroPoints,
                        llvm::ArrayRef<float> mins) {
  QuantParams p;
  p.scale = scales[i];
  p.zeroPoint = (s.form == ParamForm::Affine && !zeroPoints.empty())
                    ? zeroPoints[i]
                    : 0;
  p.min = s.form == ParamForm::MinScale ? mins[i] : 0.0f;
  return p;
}

} // namespace

Result<QuantizedTensor> lowbit::numerics::quantizeTensor(
    llvm::ArrayRef<float> values, llvm::ArrayRef<int64_t> shape,
    const Scheme &scheme, const Granularity &granularity,
    const ClippingOptions &clipping, ExecOptions exec) {
  Result<Quantizer> qr = Quantizer::create(scheme);
  if (!qr)
    return qr.error();
  const Quantizer &q = *qr;
  if (auto err = checkTensor(values.size(), shape, granularity))
    return *err;
  if (std::optional<int64_t> bad = findNonFinite(values))
    return QuantError{QuantError::Kind::NonFinite, *bad,
                      "non-finite value " + std::to_string(values[*bad]) +
                          " at flat index " + std::to_string(*bad)};

  TensorLayout l = makeLayout(shape, granularity);
  QuantizedTensor out;
  out.shape.assign(shape.begin(), shape.end());
  out.paramShape = getParamShape(shape, granularity);
  out.bits = scheme.bits;
  out.isSigned = scheme.isSigned && scheme.codebook.empty();
  out.codes.assign(l.numElements, 0);
  QuantParams zeroGroup = *q.paramsForRange(0.0f, 0.0f);
  out.scales.assign(l.numParams, zeroGroup.scale);
  out.zeroPoints.assign(l.numParams, zeroGroup.zeroPoint);
  out.mins.assign(l.numParams, zeroGroup.min);
  auto store = [&](int64_t i, const QuantParams &p) {
    out.scales[i] = p.scale;
    out.zeroPoints[i] = p.zeroPoint;
    out.mins[i] = p.min;
  };
  const float *x = values.data();
  uint8_t *codes = out.codes.data();
  auto overflowError = [](int64_t index) {
    return QuantError{QuantError::Kind::ParamOverflow, index,
                      "the scale or min of parameter " + std::to_string(index) +
                          " overflows its storage type"};
  };

  if (l.kind == GranularityKind::PerTensor) {
    // Min/max over fixed chunks (order-independent after canonical zeros),
    // then one parameter set, then the codes chunk by chunk.
    int64_t n = l.numElements;
    int64_t chunks = (n + kTaskElements - 1) / kTaskElements;
    std::vector<float> cmin(chunks), cmax(chunks);
    runTasks(chunks, exec.numThreads, [&](int64_t t) {
      int64_t b = t * kTaskElements;
      minMax(values.slice(b, std::min(kTaskElements, n - b)), cmin[t], cmax[t]);
    });
    float mn = 0.0f, mx = 0.0f;
    if (n > 0) {
      mn = *std::min_element(cmin.begin(), cmin.end());
      mx = *std::max_element(cmax.begin(), cmax.end());
    }
    std::optional<QuantParams> p =
        (clipping.method == ClipMethod::MinMax || n == 0)
            ? q.paramsForRange(mn, mx)
            : q.paramsForValues(values, clipping);
    if (!p)
      return overflowError(0);
    store(0, *p);
    runTasks(chunks, exec.numThreads, [&](int64_t t) {
      int64_t b = t * kTaskElements;
      int64_t len = std::min(kTaskElements, n - b);
      q.quantizeSpan(values.slice(b, len), *p,
                     llvm::MutableArrayRef<uint8_t>(codes + b, len));
    });
    return out;
  }

  std::atomic<int64_t> firstOverflow{std::numeric_limits<int64_t>::max()};
  Traversal tr(l, /*splitPerTensor=*/false);
  runTasks(tr.getNumTasks(), exec.numThreads, [&](int64_t t) {
    std::vector<float> buf, lmin, lmax;
    std::vector<QuantParams> lp;
    auto runs = [&](const RunsItem &it) {
      llvm::ArrayRef<float> group;
      if (it.numRuns == 1) {
        group = values.slice(it.base, it.runLen);
      } else {
        buf.resize(it.numRuns * it.runLen);
        for (int64_t r = 0; r < it.numRuns; ++r)
          std::memcpy(buf.data() + r * it.runLen, x + it.base + r * it.runStride,
                      it.runLen * sizeof(float));
        group = buf;
      }
      std::optional<QuantParams> p = q.paramsForValues(group, clipping);
      if (!p) {
        atomicMin(firstOverflow, it.param);
        return;
      }
      store(it.param, *p);
      for (int64_t r = 0; r < it.numRuns; ++r) {
        int64_t b = it.base + r * it.runStride;
        q.quantizeSpan(values.slice(b, it.runLen), *p,
                       llvm::MutableArrayRef<uint8_t>(codes + b, it.runLen));
      }
    };
    auto band = [&](const BandItem &b) {
      int64_t lb = b.laneBegin, w = b.laneEnd - b.laneBegin;
      lmin.assign(w, std::numeric_limits<float>::infinity());
      lmax.assign(w, -std::numeric_limits<float>::infinity());
      for (int64_t r = 0; r < b.numRows; ++r) {
        const float *row = x + b.base + r * b.rowStride + lb;
        float *mn = lmin.data(), *mx = lmax.data();
        for (int64_t i = 0; i < w; ++i) {
          mn[i] = row[i] < mn[i] ? row[i] : mn[i];
          mx[i] = row[i] > mx[i] ? row[i] : mx[i];
        }
      }
      lp.resize(w);
      for (int64_t i = 0; i < w; ++i) {
        std::optional<QuantParams> p;
        if (b.numRows == 0) {
          p = zeroGroup;
        } else if (clipping.method == ClipMethod::MinMax) {
          p = q.paramsForRange(lmin[i], lmax[i]);
        } else {
          buf.resize(b.numRows);
          for (int64_t r = 0; r < b.numRows; ++r)
            buf[r] = x[b.base + r * b.rowStride + lb + i];
          p = q.paramsForValues(buf, clipping);
        }
        if (!p) {
          atomicMin(firstOverflow, b.paramBase + lb + i);
          p = zeroGroup;
        }
        lp[i] = *p;
        store(b.paramBase + lb + i, *p);
      }
      for (int64_t r = 0; r < b.numRows; ++r) {
        int64_t off = b.base + r * b.rowStride + lb;
        for (int64_t i = 0; i < w; ++i)
          codes[off + i] = q.toPattern(q.quantize(x[off + i], lp[i]));
      }
    };
    tr.runTask(t, runs, band);
  });
  if (firstOverflow.load() != std::numeric_limits<int64_t>::max())
    return overflowError(firstOverflow.load());
  return out;
}

/// Runs over a tensor whose parameters are given: `span(offset, length, p)`
/// for every contiguous run of one parameter group, `element(offset, p)` for
/// the elements of the interleaved bands, in parallel over the traversal's
/// tasks.
template <typename SpanFn, typename ElementFn>
static void forEachWithGivenParams(const TensorLayout &l, const Scheme &scheme,
                                   llvm::ArrayRef<float> scales,
                                   llvm::ArrayRef<int32_t> zeroPoints,
                                   llvm::ArrayRef<float> mins,
                                   unsigned numThreads, SpanFn span,
                                   ElementFn element) {
  Traversal tr(l, /*splitPerTensor=*/true);
  runTasks(tr.getNumTasks(), numThreads, [&](int64_t t) {
    std::vector<QuantParams> lp;
    auto runs = [&](const RunsItem &it) {
      QuantParams p = givenParams(scheme, it.param, scales, zeroPoints, mins);
      for (int64_t r = 0; r < it.numRuns; ++r)
        span(it.base + r * it.runStride, it.runLen, p);
    };
    auto band = [&](const BandItem &b) {
      int64_t lb = b.laneBegin, w = b.laneEnd - b.laneBegin;
      lp.resize(w);
      for (int64_t i = 0; i < w; ++i)
        lp[i] = givenParams(scheme, b.paramBase + lb + i, scales, zeroPoints,
                            mins);
      for (int64_t r = 0; r < b.numRows; ++r) {
        int64_t off = b.base + r * b.rowStride + lb;
        for (int64_t i = 0; i < w; ++i)
          element(off + i, lp[i]);
      }
    };
    tr.runTask(t, runs, band);
  });
}

Result<std::vector<uint8_t>> lowbit::numerics::quantizeTensorWithParams(
    llvm::ArrayRef<float> values, llvm::ArrayRef<int64_t> shape,
    const Scheme &scheme, const Granularity &granularity,
    llvm::ArrayRef<float> scales, llvm::ArrayRef<int32_t> zeroPoints,
    llvm::ArrayRef<float> mins, ExecOptions exec) {
  Result<Quantizer> qr = Quantizer::create(scheme);
  if (!qr)
    return qr.error();
  const Quantizer &q = *qr;
  if (auto err = checkTensor(values.size(), shape, granularity))
    return *err;
  TensorLayout l = makeLayout(shape, granularity);
  if (auto err = checkParams(q, l.numParams, scales, zeroPoints, mins))
    return *err;
  if (std::optional<int64_t> bad = findNonFinite(values))
    return QuantError{QuantError::Kind::NonFinite, *bad,
                      "non-finite value " + std::to_string(values[*bad]) +
                          " at flat index " + std::to_string(*bad)};
  std::vector<uint8_t> out(l.numElements, 0);
  const float *x = values.data();
  uint8_t *codes = out.data();
  forEachWithGivenParams(
      l, scheme, scales, zeroPoints, mins, exec.numThreads,
      [&](int64_t b, int64_t length, const QuantParams &p) {
        q.quantizeSpan(values.slice(b, length), p,
                       llvm::MutableArrayRef<uint8_t>(codes + b, length));
      },
      [&](int64_t i, const QuantParams &p) {
        codes[i] = q.toPattern(q.quantize(x[i], p));
      });
  return out;
}

Result<std::vector<float>> lowbit::numerics::dequantizeTensor(
    llvm::ArrayRef<uint8_t> codes, llvm::ArrayRef<int64_t> shape,
    const Scheme &scheme, const Granularity &granularity,
    llvm::ArrayRef<float> scales, llvm::ArrayRef<int32_t> zeroPoints,
    llvm::ArrayRef<float> mins, ExecOptions exec) {
  Result<Quantizer> qr = Quantizer::create(scheme);
  if (!qr)
    return qr.error();
  const Quantizer &q = *qr;
  if (auto err = checkTensor(codes.size(), shape, granularity))
    return *err;
  TensorLayout l = makeLayout(shape, granularity);
  if (auto err = checkParams(q, l.numParams, scales, zeroPoints, mins))
    return *err;
  uint32_t mask = (1u << scheme.bits) - 1u;
  for (size_t i = 0; i < codes.size(); ++i) {
    int32_t v = q.fromPattern(codes[i]);
    if ((codes[i] & ~mask) || v < q.getQmin() || v > q.getQmax())
      return QuantError{QuantError::Kind::InvalidCode, int64_t(i),
                        "code " + std::to_string(codes[i]) + " at flat index " +
                            std::to_string(i) + " is outside [" +
                            std::to_string(q.getQmin()) + ", " +
                            std::to_string(q.getQmax()) + "]"};
  }
  std::vector<float> out(l.numElements, 0.0f);
  float *y = out.data();
  forEachWithGivenParams(
      l, scheme, scales, zeroPoints, mins, exec.numThreads,
      [&](int64_t b, int64_t length, const QuantParams &p) {
        q.dequantizeSpan(codes.slice(b, length), p,
                         llvm::MutableArrayRef<float>(y + b, length));
      },
      [&](int64_t i, const QuantParams &p) {
        y[i] = q.dequantize(q.fromPattern(codes[i]), p);
      });
  return out;
}

Result<std::vector<float>>
lowbit::numerics::dequantizeTensor(const QuantizedTensor &tensor,
                                   const Scheme &scheme,
                                   const Granularity &granularity,
                                   ExecOptions exec) {
  return dequantizeTensor(tensor.codes, tensor.shape, scheme, granularity,
                          tensor.scales, tensor.zeroPoints, tensor.mins, exec);
}

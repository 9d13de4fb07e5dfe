//===- Quantize.cpp - Quantization numerics -------------------------------===//
//
// See Quantize.h for the arithmetic contract. Everything here is compiled with
// -ffp-contract=off; the inner loops use rounding formulations that are proven
// equal to roundToInt() on the clamped range (see roundSmall()).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Quantize.h"

#include "MinMax.h"
#include "lowbit/Numerics/Packing.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace lowbit::numerics;
using lowbit::numerics::detail::minMax;

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

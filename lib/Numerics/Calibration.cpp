//===- Calibration.cpp - activation statistics and range selection --------===//

#include "lowbit/Numerics/Calibration.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

using namespace lowbit::numerics;

//===----------------------------------------------------------------------===//
// Histogram
//===----------------------------------------------------------------------===//

Histogram Histogram::forRange(float min, float max, unsigned bins) {
  assert(bins > 0 && bins % 2 == 0 && "bins must be even and positive");
  Histogram h;
  if (min >= 0.0f) {
    h.lo = 0.0f;
    h.hi = max;
  } else if (max <= 0.0f) {
    h.lo = min;
    h.hi = 0.0f;
  } else {
    float a = std::max(-min, max);
    h.lo = -a;
    h.hi = a;
  }
  if (!(h.lo < h.hi)) {
    h.lo = -1.0f;
    h.hi = 1.0f;
  }
  h.counts.assign(bins, 0);
  return h;
}

void Histogram::add(llvm::ArrayRef<float> values) {
  int64_t bins = int64_t(counts.size());
  double perUnit = double(bins) / (double(hi) - double(lo));
  for (float v : values) {
    if (!std::isfinite(v))
      continue;
    double position = (double(v) - double(lo)) * perUnit;
    int64_t bin = position <= 0.0 ? 0
                  : position >= double(bins)
                      ? bins - 1
                      : int64_t(position);
    ++counts[bin];
  }
}

int64_t Histogram::total() const {
  int64_t sum = 0;
  for (int64_t c : counts)
    sum += c;
  return sum;
}

std::vector<int64_t> Histogram::magnitudes(float *magnitudeWidth) const {
  int64_t bins = int64_t(counts.size());
  float width = binWidth();
  if (magnitudeWidth)
    *magnitudeWidth = width;
  if (lo == 0.0f)
    return counts;
  if (hi == 0.0f)
    return std::vector<int64_t>(counts.rbegin(), counts.rend());
  if (lo == -hi && bins % 2 == 0) { // exact fold about 0
    int64_t half = bins / 2;
    std::vector<int64_t> m(half);
    for (int64_t j = 0; j < half; ++j)
      m[j] = counts[half + j] + counts[half - 1 - j];
    return m;
  }
  // Any other range (e.g. edited statistics): `bins` magnitude bins over
  // [0, max(|lo|, |hi|)], each bin counted where its centre falls.
  float top = std::max(std::fabs(lo), std::fabs(hi));
  float outWidth = top / float(bins);
  if (magnitudeWidth)
    *magnitudeWidth = outWidth;
  std::vector<int64_t> m(bins, 0);
  for (int64_t j = 0; j < bins; ++j) {
    float centre = std::fabs(lo + (float(j) + 0.5f) * width);
    m[std::min<int64_t>(bins - 1, int64_t(centre / outWidth))] += counts[j];
  }
  return m;
}

//===----------------------------------------------------------------------===//
// ActivationObserver
//===----------------------------------------------------------------------===//

ActivationObserver::ActivationObserver(llvm::ArrayRef<int64_t> shape,
                                       std::optional<int64_t> channelAxis)
    : shape(shape.begin(), shape.end()), channelAxis(channelAxis) {
  if (!channelAxis)
    return;
  assert(*channelAxis >= 0 && *channelAxis < int64_t(shape.size()) &&
         "channel axis out of range");
  for (int64_t d = *channelAxis + 1; d < int64_t(shape.size()); ++d)
    inner *= shape[d];
  channelMins.assign(shape[*channelAxis], std::numeric_limits<float>::infinity());
  channelMaxs.assign(shape[*channelAxis],
                     -std::numeric_limits<float>::infinity());
}

void ActivationObserver::observeRange(llvm::ArrayRef<float> sample) {
  ++samples;
  int64_t channels = channelAxis ? shape[*channelAxis] : 1;
  for (int64_t i = 0, e = int64_t(sample.size()); i < e; ++i) {
    float v = sample[i];
    if (!std::isfinite(v)) {
      ++nonFinite;
      continue;
    }
    if (!seen) {
      min = max = v;
      seen = true;
    } else {
      min = std::min(min, v);
      max = std::max(max, v);
    }
    if (channelAxis) {
      int64_t c = (i / inner) % channels;
      channelMins[c] = std::min(channelMins[c], v);
      channelMaxs[c] = std::max(channelMaxs[c], v);
    }
  }
}

void ActivationObserver::startHistogram(unsigned bins) {
  // Channels that never saw a finite value report [0, 0].
  for (auto [lo, hi] : llvm::zip(channelMins, channelMaxs))
    if (lo > hi)
      lo = hi = 0.0f;
  histogram = Histogram::forRange(min, max, bins);
}

void ActivationObserver::observeHistogram(llvm::ArrayRef<float> sample) {
  assert(histogram && "startHistogram first");
  histogram->add(sample);
}

//===----------------------------------------------------------------------===//
// Calibrators
//===----------------------------------------------------------------------===//

std::optional<CalibrationMethod>
lowbit::numerics::parseCalibrationMethod(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<CalibrationMethod>>(name)
      .Case("minmax", CalibrationMethod::MinMax)
      .Case("percentile", CalibrationMethod::Percentile)
      .Case("entropy", CalibrationMethod::Entropy)
      .Case("mse", CalibrationMethod::MSE)
      .Default(std::nullopt);
}

const char *
lowbit::numerics::stringifyCalibrationMethod(CalibrationMethod method) {
  switch (method) {
  case CalibrationMethod::MinMax:
    return "minmax";
  case CalibrationMethod::Percentile:
    return "percentile";
  case CalibrationMethod::Entropy:
    return "entropy";
  case CalibrationMethod::MSE:
    return "mse";
  }
  return "?";
}

/// The value below which a fraction `q` of the histogram's mass lies,
/// interpolated linearly inside the bin that reaches it.
static float histogramQuantile(const Histogram &h, double q) {
  double target = q * double(h.total());
  double width = double(h.binWidth());
  double before = 0.0;
  int64_t bins = int64_t(h.counts.size());
  for (int64_t j = 0; j < bins; ++j) {
    double count = double(h.counts[j]);
    if (count > 0.0 && before + count >= target) {
      double inside = std::clamp((target - before) / count, 0.0, 1.0);
      return float(double(h.lo) + (double(j) + inside) * width);
    }
    before += count;
  }
  return h.hi;
}

/// KL(P || Q) of two unnormalized distributions over the same bins; bins
/// where P has mass and Q none are charged as if Q held a tiny epsilon.
static double klDivergence(llvm::ArrayRef<double> p, llvm::ArrayRef<double> q) {
  double pSum = 0.0, qSum = 0.0;
  for (auto [a, b] : llvm::zip(p, q)) {
    pSum += a;
    qSum += b;
  }
  if (pSum == 0.0 || qSum == 0.0)
    return std::numeric_limits<double>::infinity();
  constexpr double kEpsilon = 1e-12;
  double divergence = 0.0;
  for (auto [a, b] : llvm::zip(p, q)) {
    if (a == 0.0)
      continue;
    double pn = a / pSum, qn = std::max(b / qSum, kEpsilon);
    divergence += pn * std::log(pn / qn);
  }
  return divergence;
}

/// The magnitude threshold of the entropy calibrator (TensorRT): for each
/// candidate count of bins i, P is the first i magnitude bins with the mass
/// beyond folded into bin i - 1, Q the first i bins merged into `levels`
/// chunks and spread back over each chunk's non-empty bins; the i with the
/// least KL(P || Q) wins (the smallest on ties). Returns the threshold.
/// Bin 0 is counted as bin 1 (see the body).
static float entropyThreshold(llvm::ArrayRef<int64_t> input, float width,
                              unsigned levels) {
  int64_t bins = int64_t(input.size());
  // Bin 0 holds the exact zeros (ReLU outputs, padding), which every range
  // represents exactly: spreading that spike over a chunk would dominate the
  // divergence and favour the narrowest ranges. Like TensorRT's
  // implementations, count bin 0 as its neighbour.
  std::vector<int64_t> magnitudes(input.begin(), input.end());
  if (bins > 1)
    magnitudes[0] = magnitudes[1];
  if (bins <= int64_t(levels))
    return float(bins) * width;
  std::vector<double> suffix(bins + 1, 0.0); // mass in bins [j, bins)
  for (int64_t j = bins - 1; j >= 0; --j)
    suffix[j] = suffix[j + 1] + double(magnitudes[j]);
  double best = std::numeric_limits<double>::infinity();
  int64_t bestBins = bins;
  std::vector<double> p, q;
  for (int64_t i = levels; i <= bins; ++i) {
    p.assign(magnitudes.begin(), magnitudes.begin() + i);
    p[i - 1] += suffix[i];
    q.assign(i, 0.0);
    for (int64_t c = 0; c < int64_t(levels); ++c) {
      int64_t start = c * i / levels, end = (c + 1) * i / levels;
      double sum = 0.0;
      int64_t nonEmpty = 0;
      for (int64_t j = start; j < end; ++j) {
        sum += double(magnitudes[j]);
        nonEmpty += magnitudes[j] != 0;
      }
      for (int64_t j = start; j < end; ++j)
        if (magnitudes[j] != 0)
          q[j] = sum / double(nonEmpty);
    }
    double divergence = klDivergence(p, q);
    if (divergence < best) {
      best = divergence;
      bestBins = i;
    }
  }
  return float(bestBins) * width;
}

std::optional<std::pair<float, float>>
lowbit::numerics::chooseRange(const CalibrationOptions &options, float min,
                              float max, const Histogram *histogram) {
  float rlo = std::min(min, 0.0f), rhi = std::max(max, 0.0f);
  auto within = [&](float lo, float hi) {
    return std::make_pair(std::clamp(std::min(lo, 0.0f), rlo, 0.0f),
                          std::clamp(std::max(hi, 0.0f), 0.0f, rhi));
  };
  if (options.method == CalibrationMethod::MinMax)
    return std::make_pair(rlo, rhi);
  if (!histogram || histogram->counts.empty())
    return std::nullopt;
  if (histogram->total() == 0 || rlo == rhi)
    return std::make_pair(rlo, rhi);

  switch (options.method) {
  case CalibrationMethod::MinMax:
    break;
  case CalibrationMethod::Percentile: {
    double p = std::clamp(options.percentile, 50.0, 100.0) / 100.0;
    return within(histogramQuantile(*histogram, 1.0 - p),
                  histogramQuantile(*histogram, p));
  }
  case CalibrationMethod::Entropy: {
    bool twoSided = histogram->lo < 0.0f && histogram->hi > 0.0f;
    unsigned levels = options.entropyLevels
                          ? options.entropyLevels
                          : (twoSided ? 128u : 256u);
    float magnitudeWidth = 0.0f;
    std::vector<int64_t> magnitudes = histogram->magnitudes(&magnitudeWidth);
    float t = entropyThreshold(magnitudes, magnitudeWidth, levels);
    return within(-t, t);
  }
  case CalibrationMethod::MSE: {
    unsigned steps = std::max(1u, options.mseSteps);
    double best = std::numeric_limits<double>::infinity();
    std::pair<float, float> bestRange(rlo, rhi);
    // Largest range first: ties keep the wider one.
    for (unsigned k = steps; k >= 1; --k) {
      float a = float(k) / float(steps);
      float lo = rlo * a, hi = rhi * a;
      double error =
          histogramQuantizationError(*histogram, getActivationParams(lo, hi));
      if (error < best) {
        best = error;
        bestRange = {lo, hi};
      }
    }
    return bestRange;
  }
  }
  return std::make_pair(rlo, rhi);
}

Scheme lowbit::numerics::getActivationScheme() {
  Scheme scheme;
  scheme.bits = 8;
  scheme.isSigned = true;
  scheme.form = ParamForm::Affine;
  scheme.rounding = Rounding::NearestEven;
  return scheme;
}

static const Quantizer &getActivationQuantizer() {
  static const Quantizer quantizer = *Quantizer::create(getActivationScheme());
  return quantizer;
}

QuantParams lowbit::numerics::getActivationParams(float lo, float hi) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  // Ranges too narrow for a normal f32 scale are treated as all-zero.
  constexpr float kNarrowest = 1e-30f;
  if (!(double(hi) - double(lo) >= kNarrowest) || !std::isfinite(lo) ||
      !std::isfinite(hi))
    lo = hi = 0.0f;
  std::optional<QuantParams> params =
      getActivationQuantizer().paramsForRange(lo, hi);
  if (!params || !(params->scale > 0.0f) || !std::isfinite(params->scale))
    return QuantParams{1.0f, 0, 0.0f};
  return *params;
}

double lowbit::numerics::histogramQuantizationError(const Histogram &histogram,
                                                    const QuantParams &params) {
  const Quantizer &quantizer = getActivationQuantizer();
  double width = double(histogram.binWidth());
  double error = 0.0;
  for (auto [j, count] : llvm::enumerate(histogram.counts)) {
    if (count == 0)
      continue;
    float centre = float(double(histogram.lo) + (double(j) + 0.5) * width);
    float back = quantizer.dequantize(quantizer.quantize(centre, params), params);
    double d = double(back) - double(centre);
    error += double(count) * d * d;
  }
  return error;
}

//===----------------------------------------------------------------------===//
// Integer rescaling
//===----------------------------------------------------------------------===//

bool lowbit::numerics::computeRescale(double realMultiplier,
                                      int32_t &multiplier, int32_t &shift) {
  if (!std::isfinite(realMultiplier) || realMultiplier < std::ldexp(1.0, -32) ||
      realMultiplier >= std::ldexp(1.0, 30))
    return false;
  int exponent = 0;
  double fraction = std::frexp(realMultiplier, &exponent); // [0.5, 1)
  int64_t m = std::llround(std::ldexp(fraction, 31));
  if (m == (int64_t(1) << 31)) {
    m >>= 1;
    ++exponent;
  }
  int32_t s = 31 - exponent;
  if (s < 1 || s > 62)
    return false;
  multiplier = int32_t(m);
  shift = s;
  return true;
}

int32_t lowbit::numerics::rescale(int32_t x, int32_t multiplier, int32_t shift,
                                  int32_t inputZeroPoint,
                                  int32_t outputZeroPoint, int32_t clampMin,
                                  int32_t clampMax) {
  assert(shift >= 1 && shift <= 62 && "shift out of range");
  // (x - zi) * M needs 64 bits; adding the rounding term can exceed them, so
  // the sum is formed in 128 bits. The shift floors (arithmetic shift).
  __int128 product = __int128(int64_t(x) - int64_t(inputZeroPoint)) *
                     __int128(multiplier);
  __int128 sum = product + (__int128(1) << (shift - 1));
  __int128 divisor = __int128(1) << shift;
  __int128 quotient =
      sum >= 0 ? sum / divisor : -((-sum + divisor - 1) / divisor);
  __int128 y = quotient + outputZeroPoint;
  if (y < clampMin)
    y = clampMin;
  if (y > clampMax)
    y = clampMax;
  return int32_t(y);
}

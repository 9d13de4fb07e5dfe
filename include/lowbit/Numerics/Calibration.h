//===- Calibration.h - activation statistics and range selection -*- C++ -*-===//
//
// Streaming statistics of activations observed over a calibration set, and
// the calibrators that turn them into a quantization range:
//
//   * min-max:    [min, max];
//   * percentile: the p-th and (100 - p)-th percentiles of the histogram;
//   * entropy:    the TensorRT-style search for the clipping threshold whose
//                 quantized histogram is closest (Kullback-Leibler) to the
//                 clipped one;
//   * mse:        the clipping range with the least expected squared
//                 quantization error over the histogram.
//
// Statistics are collected in two passes over the samples so memory does not
// grow with their number: min/max first, then a histogram over a range fixed
// by the first pass (see Histogram::forRange).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_CALIBRATION_H
#define LOWBIT_NUMERICS_CALIBRATION_H

#include "lowbit/Numerics/Quantize.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace lowbit::numerics {

/// Equal-width bins over [lo, hi]; values outside count in the edge bins.
struct Histogram {
  float lo = 0.0f, hi = 1.0f;
  std::vector<int64_t> counts;

  /// The histogram the calibrators expect for values in [min, max]: the range
  /// always contains 0 and is one-sided ([0, max] or [min, 0]) when the values
  /// do not change sign, else symmetric [-a, a] with a = max(|min|, |max|), so
  /// that bins fold exactly into magnitudes. `bins` must be even and > 0. An
  /// all-zero range becomes [-1, 1].
  static Histogram forRange(float min, float max, unsigned bins = 2048);

  float binWidth() const { return (hi - lo) / float(counts.size()); }
  /// Adds finite values; non-finite ones are skipped (the caller counts them).
  void add(llvm::ArrayRef<float> values);
  int64_t total() const;
  /// Histogram of |x| over [0, max(|lo|, |hi|)]: exact for the ranges
  /// forRange makes ([0, a], [-a, 0], [-a, a]; same bin width), otherwise
  /// `counts.size()` bins with each bin counted where its centre falls.
  /// `magnitudeWidth`, if given, receives the width of its bins.
  std::vector<int64_t> magnitudes(float *magnitudeWidth = nullptr) const;
};

/// Statistics of one activation tensor, collected over a calibration set.
class ActivationObserver {
public:
  /// `shape` is the tensor's static shape; with `channelAxis`, per-channel
  /// minimums and maximums are kept along that dimension too.
  ActivationObserver(llvm::ArrayRef<int64_t> shape,
                     std::optional<int64_t> channelAxis = std::nullopt);

  /// Pass 1: min/max of a sample (row-major, the shape's element count).
  /// Non-finite values are counted, not observed.
  void observeRange(llvm::ArrayRef<float> sample);
  /// Ends pass 1 and fixes the histogram (Histogram::forRange). Without any
  /// finite value the range is [0, 0].
  void startHistogram(unsigned bins = 2048);
  /// Pass 2: adds a sample to the histogram.
  void observeHistogram(llvm::ArrayRef<float> sample);

  int64_t getNumSamples() const { return samples; }
  int64_t getNumNonFinite() const { return nonFinite; }
  float getMin() const { return min; }
  float getMax() const { return max; }
  std::optional<int64_t> getChannelAxis() const { return channelAxis; }
  llvm::ArrayRef<float> getChannelMins() const { return channelMins; }
  llvm::ArrayRef<float> getChannelMaxs() const { return channelMaxs; }
  const std::optional<Histogram> &getHistogram() const { return histogram; }

private:
  std::vector<int64_t> shape;
  std::optional<int64_t> channelAxis;
  int64_t inner = 1; ///< elements per channel step (product of dims after axis)
  int64_t samples = 0, nonFinite = 0;
  bool seen = false;
  float min = 0.0f, max = 0.0f;
  std::vector<float> channelMins, channelMaxs;
  std::optional<Histogram> histogram;
};

enum class CalibrationMethod : uint8_t { MinMax, Percentile, Entropy, MSE };

std::optional<CalibrationMethod> parseCalibrationMethod(llvm::StringRef name);
const char *stringifyCalibrationMethod(CalibrationMethod method);

struct CalibrationOptions {
  CalibrationMethod method = CalibrationMethod::MinMax;
  /// Percentile p in (50, 100]: hi is the p-th percentile of the values and
  /// lo the (100 - p)-th (interpolated linearly inside a bin).
  double percentile = 99.99;
  /// Entropy: levels of the quantized magnitude histogram; 0 picks 128 for
  /// signed (two-sided) data and 256 for one-sided data (int8). The search
  /// models a symmetric quantizer for two-sided data: for lopsided data
  /// (e.g. [-0.01, 10]) the affine range it feeds has nearly twice the
  /// levels it assumed, so it clips more than it needs to.
  unsigned entropyLevels = 0;
  /// MSE: candidate ranges are the full range shrunk by k / mseSteps, k = 1..
  /// mseSteps.
  unsigned mseSteps = 200;
};

/// A quantization range [lo, hi] (lo <= 0 <= hi) for values with the given
/// min/max and histogram. Min-max needs no histogram; the other methods do
/// (std::nullopt without one). The result always contains 0 and lies within
/// [min(min, 0), max(max, 0)].
std::optional<std::pair<float, float>>
chooseRange(const CalibrationOptions &options, float min, float max,
            const Histogram *histogram);

/// The scheme of statically quantized activations: signed 8-bit, affine,
/// nearest-even.
Scheme getActivationScheme();

/// Affine int8 parameters for the range [lo, hi] (widened to contain 0). A
/// zero-width range gets scale 1 and zero point 0; the scale is never zero,
/// NaN or infinite.
QuantParams getActivationParams(float lo, float hi);

/// Expected squared error of quantizing values distributed as `histogram`
/// (every value at its bin centre) with `params` under the activation scheme.
double histogramQuantizationError(const Histogram &histogram,
                                  const QuantParams &params);

//===----------------------------------------------------------------------===//
// Integer rescaling (lowbit.requantize: TOSA rescale, single rounding)
//===----------------------------------------------------------------------===//

/// A real multiplier m > 0 as `multiplier` in [2^30, 2^31) and `shift` in
/// [1, 62] with m ~ multiplier * 2^-shift (relative error below 2^-31).
/// Fails for m outside [2^-32, 2^30) or not finite.
bool computeRescale(double realMultiplier, int32_t &multiplier, int32_t &shift);

/// lowbit.requantize of one value: clamp(((x - inputZeroPoint) * multiplier +
/// 2^(shift - 1)) >> shift + outputZeroPoint, clampMin, clampMax), exactly
/// (no intermediate overflows; `>>` floors).
int32_t rescale(int32_t x, int32_t multiplier, int32_t shift,
                int32_t inputZeroPoint, int32_t outputZeroPoint,
                int32_t clampMin, int32_t clampMax);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_CALIBRATION_H

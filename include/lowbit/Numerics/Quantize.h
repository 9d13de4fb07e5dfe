//===- Quantize.h - Quantization numerics -----------------------*- C++ -*-===//
//
// The one definition of lowbit's quantization arithmetic: rounding, integer
// ranges, parameter selection, quantize/dequantize of a value, and whole-tensor
// quantization. The constant folder, the runtime lowering, the reference
// kernels and the tests must all agree with the functions here bit for bit.
//
// Arithmetic contract (all operations IEEE binary32, round-to-nearest-even,
// no FMA contraction, in the order written):
//
//   Uniform Symmetric / Affine (no codebook):
//     q = clamp(R(x / s) + z, qmin, qmax)            R = the scheme's rounding
//     x^ = float(q - z) * s
//   Uniform MinScale (no codebook), L = qmax - qmin:
//     q = qmin + clamp(R(((x - m) / s) * L), 0, L)
//     x^ = T[q - qmin] * s + m                       T[k] = float(k) / float(L)
//   Codebook Symmetric (codes are indices k = 0..n-1, v = codebook):
//     t = x / s;  k = #{ j : t > (v[j] + v[j+1]) / 2 }  (nearest; ties -> lower)
//     x^ = v[k] * s
//   Codebook MinScale: T[k] = (v[k] - v[0]) / (v[n-1] - v[0]) in [0, 1]
//     t = (x - m) / s;  k = #{ j : t > (T[j] + T[j+1]) / 2 }
//     x^ = T[k] * s + m
//   For the 11-level codebook linspace(-1, 1), T[k] = (v[k] + 1) / 2, i.e. the
//   seed scheme x^ = ((c + 1) / 2) * scale + min.
//
// Parameters (per group of values, min/max over the group):
//   Symmetric:  s = max|x| / qmax       (codebook: max|x| / max(|v[0]|, |v[n-1]|)), z = 0
//   Affine:     lo = min(min, 0), hi = max(max, 0) (range widened to contain 0)
//               s = float((double(hi) - double(lo)) / double(qmax - qmin))
//               z = clamp(qmin - R(lo / s), qmin, qmax)
//   MinScale:   m = min, s = float(double(max) - double(min))
//   With ParamStorage::F16, m and s are rounded to half (nearest even) BEFORE
//   any code is computed, so codes always match the stored parameters.
//   Special cases, so that every group gets a finite non-zero scale:
//   * all-zero group: s = 1 (z = 0, or z = qmin for Affine so 0 maps to qmin);
//   * constant group c != 0 (min == max): Symmetric uniform s = |c| (codes
//     +-1), Affine s = |c| with z = qmin (c > 0) or z = qmax (c < 0), MinScale
//     s = 1 with m = c. These reproduce c exactly when c is representable in
//     the parameter storage type. (Codebook Symmetric uses the general rule,
//     which is exact when max|v| = 1 and the codebook holds 1 or -1 with the
//     sign of c, e.g. linspace(-1, 1).)
//   * unsigned Symmetric keeps z = 0 and s = max|x| / qmax: negative values
//     clamp to qmin.
//   * a scale that underflows to 0 in its storage type becomes the smallest
//     positive value of that type (2^-149 for f32, 2^-24 for f16);
//   * a scale or min that overflows its storage type (inf) is an error.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_QUANTIZE_H
#define LOWBIT_NUMERICS_QUANTIZE_H

#include "lowbit/Numerics/Float16.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lowbit::numerics {

//===----------------------------------------------------------------------===//
// Rounding
//===----------------------------------------------------------------------===//

enum class Rounding : uint8_t {
  NearestEven, ///< round half to even (default; IEEE roundeven)
  NearestAway, ///< round half away from zero (C round())
  TowardZero,  ///< truncate (C trunc())
};

/// The ONE rounding definition. Rounds x to an integer with the given mode and
/// saturates to the int64 range; NaN gives 0. Independent of the floating-point
/// environment.
int64_t roundToInt(double x, Rounding mode);
/// Same result as roundToInt(double(x), mode) (float -> double is exact).
inline int64_t roundToInt(float x, Rounding mode) {
  return roundToInt(static_cast<double>(x), mode);
}

const char *stringifyRounding(Rounding mode);

//===----------------------------------------------------------------------===//
// Schemes
//===----------------------------------------------------------------------===//

enum class ParamForm : uint8_t {
  /// x ~ v(q) * s, z = 0.
  Symmetric,
  /// x ~ (q - z) * s with an integer zero point z in [qmin, qmax].
  Affine,
  /// x ~ t(q) * s + m with t(q) = (v(q) - vlo) / (vhi - vlo) in [0, 1], where
  /// v(q) = codebook[q] if a codebook is given else q, and vlo/vhi the smallest
  /// and largest representable v; s = max - min of the group, m = min.
  MinScale,
};

enum class GranularityKind : uint8_t { PerTensor, PerChannel, PerGroup };

/// Precision in which scales and mins are stored (and rounded to before codes
/// are computed).
enum class ParamStorage : uint8_t { F32, F16 };

struct Scheme {
  /// Code width, 2..8.
  unsigned bits = 8;
  bool isSigned = true;
  ParamForm form = ParamForm::Symmetric;
  /// Signed: [-(2^(b-1) - 1), 2^(b-1) - 1]; unsigned: [1, 2^b - 1].
  bool narrowRange = false;
  Rounding rounding = Rounding::NearestEven;
  /// Optional codebook: strictly ascending finite levels, 2..2^bits of them.
  /// Codes are then indices 0..levels-1 (isSigned must be false, narrowRange
  /// false, form Symmetric or MinScale). Rounding does not apply: the nearest
  /// entry is chosen, ties to the lower index.
  std::vector<float> codebook;
  ParamStorage paramStorage = ParamStorage::F32;
};

struct Granularity {
  GranularityKind kind = GranularityKind::PerTensor;
  int64_t axis = 0;
  /// PerGroup only: elements per group along `axis` (> 0). The last group along
  /// the axis may be partial; groupSize > dim is one partial group.
  int64_t groupSize = 0;
};

/// std::nullopt if valid, else a message.
std::optional<std::string> verifyScheme(const Scheme &scheme);
/// std::nullopt if valid for a tensor of this shape, else a message.
std::optional<std::string> verifyGranularity(const Granularity &granularity,
                                             llvm::ArrayRef<int64_t> shape);

/// Smallest / largest code value: signed [-2^(b-1), 2^(b-1) - 1] (narrow:
/// lowest dropped), unsigned [0, 2^b - 1] (narrow: [1, 2^b - 1]), codebook
/// [0, levels - 1].
int64_t qmin(const Scheme &scheme);
int64_t qmax(const Scheme &scheme);

/// `levels` floats evenly spaced from lo to hi inclusive, each computed as
/// float(lo + (hi - lo) * k / (levels - 1)) in double; the ends are exact.
std::vector<float> linspaceCodebook(float lo, float hi, unsigned levels);

/// Per-group (or per-channel / per-tensor) parameters. `zeroPoint` is used by
/// Affine only (0 otherwise), `min` by MinScale only (0 otherwise).
struct QuantParams {
  float scale = 1.0f;
  int32_t zeroPoint = 0;
  float min = 0.0f;

  friend bool operator==(const QuantParams &a, const QuantParams &b) {
    return a.scale == b.scale && a.zeroPoint == b.zeroPoint && a.min == b.min;
  }
};

enum class ClipMethod : uint8_t {
  MinMax, ///< parameters from the group's min and max
  MSE,    ///< search a shrink factor per group minimizing the squared error
};

/// MSE-optimal clipping: candidate shrink factors a_k = 1 - k (1 - minShrink)
/// / steps for k = 0..steps. Symmetric shrinks max|x| to a*max|x|; Affine and
/// MinScale shrink [min, max] about its midpoint to half-width a*(max-min)/2.
/// Each candidate's parameters are computed exactly as for min-max (including
/// fp16 rounding), the group is quantized and dequantized with them, and the
/// sum of squared errors (double, in element order) decides; the first
/// (largest) factor wins ties. k = 0 is exactly min-max, so the result is never
/// worse than min-max on the same group.
struct ClippingOptions {
  ClipMethod method = ClipMethod::MinMax;
  unsigned steps = 50;
  float minShrink = 0.5f;
};

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

struct QuantError {
  enum class Kind : uint8_t {
    InvalidScheme,
    InvalidGranularity,
    InvalidShape,
    /// A NaN or infinity in the input; `index` is its flat index.
    NonFinite,
    /// A scale or min does not fit its storage type; `index` is the flat
    /// parameter index.
    ParamOverflow,
    /// Parameter arrays of the wrong size, a non-positive/non-finite scale, a
    /// non-finite min or a zero point outside [qmin, qmax]; `index` is the
    /// flat parameter index when one value is at fault.
    InvalidParams,
    /// A code pattern with bits above `bits` or a value outside [qmin, qmax];
    /// `index` is its flat index.
    InvalidCode,
  };
  Kind kind = Kind::InvalidScheme;
  int64_t index = -1;
  std::string message;
};

/// A value or a QuantError (the project builds without exceptions).
template <typename T> class Result {
public:
  Result(T value) : value(std::move(value)) {}
  Result(QuantError error) : err(std::move(error)) {}
  explicit operator bool() const { return value.has_value(); }
  bool ok() const { return value.has_value(); }
  T &operator*() {
    assert(value && "no value");
    return *value;
  }
  const T &operator*() const {
    assert(value && "no value");
    return *value;
  }
  T *operator->() { return &**this; }
  const T *operator->() const { return &**this; }
  const QuantError &error() const {
    assert(!value && "no error");
    return err;
  }

private:
  std::optional<T> value;
  QuantError err;
};

//===----------------------------------------------------------------------===//
// Quantizer: a scheme with its derived tables, for fast repeated use.
//===----------------------------------------------------------------------===//

class Quantizer {
public:
  /// Fails with InvalidScheme if verifyScheme fails.
  static Result<Quantizer> create(const Scheme &scheme);

  const Scheme &getScheme() const { return scheme; }
  int32_t getQmin() const { return lo; }
  int32_t getQmax() const { return hi; }
  bool hasCodebook() const { return !scheme.codebook.empty(); }
  /// MinScale: the table T[k] (k = q - qmin) of normalized levels in [0, 1].
  llvm::ArrayRef<float> getNormalizedLevels() const { return levels; }

  /// Rounds a parameter to the storage type (identity for F32).
  float roundParam(float value) const;

  /// Parameters from a value range [min, max] (min <= max, both finite).
  /// std::nullopt if a parameter overflows its storage type.
  std::optional<QuantParams> paramsForRange(float min, float max) const;
  /// Parameters for a group (all values finite), min-max or MSE-clipped. An
  /// empty group gets the all-zero parameters.
  std::optional<QuantParams>
  paramsForValues(llvm::ArrayRef<float> values,
                  const ClippingOptions &clipping = {}) const;

  /// The clipping search of ClipMethod::MSE (the candidates of
  /// ClippingOptions, min-max first, the first least error winning) under
  /// another `error` of the candidate parameters, e.g. a layer's output
  /// error; min-max only when `error` is null.
  std::optional<QuantParams>
  paramsMinimizing(llvm::ArrayRef<float> values,
                   const ClippingOptions &clipping,
                   llvm::function_ref<double(const QuantParams &)> error) const;

  /// The code value (signed value, or codebook index) of x. Infinities
  /// saturate; NaN (rejected by the tensor functions) gives the lowest code.
  int32_t quantize(float x, const QuantParams &params) const;
  /// The reconstructed value of code value q (qmin <= q <= qmax).
  float dequantize(int32_t q, const QuantParams &params) const;

  /// Code value <-> stored bit pattern (low `bits` bits, two's complement).
  uint8_t toPattern(int32_t q) const {
    return static_cast<uint8_t>(static_cast<uint32_t>(q) & mask);
  }
  int32_t fromPattern(uint8_t pattern) const;

  /// quantize() of every value, written as bit patterns.
  void quantizeSpan(llvm::ArrayRef<float> values, const QuantParams &params,
                    llvm::MutableArrayRef<uint8_t> patterns) const;
  /// dequantize() of every bit pattern.
  void dequantizeSpan(llvm::ArrayRef<uint8_t> patterns,
                      const QuantParams &params,
                      llvm::MutableArrayRef<float> values) const;
  /// Sum of squared errors of quantize+dequantize over the values, in double
  /// and element order.
  double squaredError(llvm::ArrayRef<float> values,
                      const QuantParams &params) const;

private:
  Quantizer() = default;
  std::optional<QuantParams> finishParams(QuantParams p) const;

  Scheme scheme;
  int32_t lo = 0, hi = 0;
  uint32_t mask = 0xFF;
  /// MinScale: T[k]; codebook Symmetric: the codebook.
  std::vector<float> levels;
  /// Codebook forms: midpoints between consecutive entries of `levels`.
  std::vector<float> midpoints;
  float codebookMaxAbs = 1.0f;
};

//===----------------------------------------------------------------------===//
// Convenience single-value functions (construct a Quantizer each call; the
// scheme must be valid).
//===----------------------------------------------------------------------===//

std::optional<QuantParams> computeParams(const Scheme &scheme,
                                         llvm::ArrayRef<float> values,
                                         const ClippingOptions &clipping = {});
int32_t quantizeValue(float x, const QuantParams &params, const Scheme &scheme);
float dequantizeValue(int32_t q, const QuantParams &params,
                      const Scheme &scheme);

//===----------------------------------------------------------------------===//
// Whole tensors (row-major, any rank)
//===----------------------------------------------------------------------===//

/// Shape of the parameter arrays: PerTensor {1}; PerChannel {shape[axis]};
/// PerGroup: `shape` with dim `axis` replaced by ceil(shape[axis] / groupSize).
/// Parameter arrays are row-major in that shape. The granularity must be valid.
std::vector<int64_t> getParamShape(llvm::ArrayRef<int64_t> shape,
                                   const Granularity &granularity);
int64_t getNumElements(llvm::ArrayRef<int64_t> shape);
/// The flat parameter index that governs flat element `index`.
int64_t getParamIndex(llvm::ArrayRef<int64_t> shape,
                      const Granularity &granularity, int64_t index);

struct QuantizedTensor {
  std::vector<int64_t> shape;
  /// One code per element, row-major, as a bit pattern (low `bits` bits, two's
  /// complement for signed schemes) ready for packRow.
  std::vector<uint8_t> codes;
  std::vector<int64_t> paramShape;
  std::vector<float> scales;
  std::vector<int32_t> zeroPoints; ///< all 0 unless Affine
  std::vector<float> mins;         ///< all 0 unless MinScale
  unsigned bits = 8;
  bool isSigned = true; ///< whether codes sign-extend (false for codebooks)

  /// The code value of element i (sign-extended if signed).
  int32_t codeValue(int64_t i) const;
  std::vector<int32_t> codeValues() const;
  QuantParams params(int64_t paramIndex) const {
    return {scales[paramIndex], zeroPoints[paramIndex], mins[paramIndex]};
  }
};

/// Thread count for the tensor functions: 0 = all hardware threads. Work is
/// split into chunks that do not depend on the thread count and every output
/// is computed by exactly one chunk, so results are bit-identical for any
/// thread count.
struct ExecOptions {
  unsigned numThreads = 0;
};

/// Quantizes a row-major tensor: validates scheme and granularity, rejects any
/// NaN/Inf (error NonFinite naming the first bad flat index), computes the
/// parameters of every group (with optional MSE clipping) and the codes.
Result<QuantizedTensor> quantizeTensor(llvm::ArrayRef<float> values,
                                       llvm::ArrayRef<int64_t> shape,
                                       const Scheme &scheme,
                                       const Granularity &granularity,
                                       const ClippingOptions &clipping = {},
                                       ExecOptions exec = {});

/// Quantizes with given parameters (e.g. quantize ops with constant operands).
/// zeroPoints may be empty unless Affine, mins may be empty unless MinScale.
/// Returns bit patterns.
Result<std::vector<uint8_t>>
quantizeTensorWithParams(llvm::ArrayRef<float> values,
                         llvm::ArrayRef<int64_t> shape, const Scheme &scheme,
                         const Granularity &granularity,
                         llvm::ArrayRef<float> scales,
                         llvm::ArrayRef<int32_t> zeroPoints,
                         llvm::ArrayRef<float> mins, ExecOptions exec = {});

/// The reference dequantize: x^ for every code (bit patterns, as produced by
/// quantizeTensor). Parameter arrays as for quantizeTensorWithParams.
Result<std::vector<float>>
dequantizeTensor(llvm::ArrayRef<uint8_t> codes, llvm::ArrayRef<int64_t> shape,
                 const Scheme &scheme, const Granularity &granularity,
                 llvm::ArrayRef<float> scales,
                 llvm::ArrayRef<int32_t> zeroPoints,
                 llvm::ArrayRef<float> mins, ExecOptions exec = {});
Result<std::vector<float>> dequantizeTensor(const QuantizedTensor &tensor,
                                            const Scheme &scheme,
                                            const Granularity &granularity,
                                            ExecOptions exec = {});

/// Index of the first NaN or infinity, if any.
std::optional<int64_t> findNonFinite(llvm::ArrayRef<float> values);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_QUANTIZE_H

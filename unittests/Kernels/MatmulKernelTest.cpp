//===- MatmulKernelTest.cpp - compiled lowbit.matmul vs the numerics ------===//
//
// The oracle test of the matmul kernels: for every weight preset (w8, w4g32,
// w3g64, w2g32, c11g128) and a few extra schemes (affine u8 per channel,
// per-tensor, affine int4 per group, plain non-interleaved int4), quantize
// random [N, K] weights with numerics::quantizeTensor, pack them row by row
// with numerics::packRow in the scheme's layout, generate a module whose
// functions take x, the packed weight, the parameters (and a bias) as
// *arguments*, compile it with lowbit::compileForHost (the full
// lowbit-lower-to-llvm pipeline, LLVM O3 for the host CPU), call the exported
// `lowbit_*` C entry points, and compare every output with
// numerics::referenceMatmul over numerics::dequantizeTensor in double.
//
// Shapes are the cross product M in {1, 3}, N in {1, 5, 17}, K in {1, 31, 33,
// 100, 129, 257}, with and without bias: odd K, partial quantization groups,
// partial packing blocks and partial storage words. All 72 shapes of one
// scheme live in one module, so each scheme is compiled once.
//
// Which lowering each case exercises is asserted too: int8, int4_interleaved
// and radix layouts must be taken by lowbit-vectorize-matmul (the vector
// kernels), int4 / int3 / int2 by convert-lowbit-to-linalg (the generic path).
//
// EpilogueKernelTest does the same for matmuls followed by elementwise
// consumers (GELU, a residual, SiLU times a per-column factor), which
// lowbit-fuse-matmul-epilogue folds into the matmul: against the reference
// followed by the consumers in double.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Numerics/Float16.h"
#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/Presets.h"
#include "lowbit/Numerics/Quantize.h"
#include "lowbit/Numerics/Reference.h"
#include "lowbit/Target/Jit.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace mlir;
using namespace lowbit;
namespace nx = lowbit::numerics;

namespace {

//===----------------------------------------------------------------------===//
// Cases
//===----------------------------------------------------------------------===//

struct KernelCase {
  std::string name;
  nx::Scheme scheme;
  nx::Granularity granularity;
  nx::PackFormat format;
  /// Whether lowbit-vectorize-matmul takes it (else the generic lowering).
  bool vectorized;
};

nx::Scheme makeScheme(unsigned bits, bool isSigned, nx::ParamForm form,
                      nx::ParamStorage storage) {
  nx::Scheme scheme;
  scheme.bits = bits;
  scheme.isSigned = isSigned;
  scheme.form = form;
  scheme.paramStorage = storage;
  return scheme;
}

nx::PackFormat makeFormat(nx::PackKind kind, int64_t block) {
  nx::PackFormat format;
  format.kind = kind;
  format.block = block;
  return format;
}

std::vector<KernelCase> getKernelCases() {
  std::vector<KernelCase> cases;
  // The weight-only presets (f32 activations).
  for (const char *name : {"w8", "w4g32", "w3g64", "w2g32", "c11g128"}) {
    const nx::WeightPreset *found = nx::findWeightPreset(name);
    if (!found) {
      ADD_FAILURE() << "no preset " << name;
      continue;
    }
    const nx::WeightPreset &preset = *found;
    nx::PackKind kind = preset.format.kind;
    // Every packing layout has a vector kernel (int8, interleaved nibbles,
    // and the slotted int4 / int3 / int2 / radix words).
    (void)kind;
    bool vectorized = true;
    cases.push_back({preset.name, preset.scheme, preset.granularity,
                     preset.format, vectorized});
  }
  using nx::GranularityKind;
  using nx::PackKind;
  using nx::ParamForm;
  using nx::ParamStorage;
  // Affine u8 per output channel: zero points as i32 operands.
  cases.push_back({"u8_affine_per_channel",
                   makeScheme(8, false, ParamForm::Affine, ParamStorage::F32),
                   {GranularityKind::PerChannel, 0, 0},
                   makeFormat(PackKind::Int8, 0),
                   true});
  // One scale for the whole weight (a rank-0 parameter tensor).
  cases.push_back({"i8_per_tensor",
                   makeScheme(8, true, ParamForm::Symmetric, ParamStorage::F32),
                   {GranularityKind::PerTensor, 0, 0},
                   makeFormat(PackKind::Int8, 0),
                   true});
  cases.push_back({"i4_per_tensor_interleaved",
                   makeScheme(4, true, ParamForm::Symmetric, ParamStorage::F32),
                   {GranularityKind::PerTensor, 0, 0},
                   makeFormat(PackKind::Int4Interleaved, 32),
                   true});
  // Affine per group on the interleaved vector kernel (f16 scales, i32 zero
  // points).
  cases.push_back({"u4_affine_g32_interleaved",
                   makeScheme(4, false, ParamForm::Affine, ParamStorage::F16),
                   {GranularityKind::PerGroup, 1, 32},
                   makeFormat(PackKind::Int4Interleaved, 32),
                   true});
  // Plain (non-interleaved) int4: two slots per byte.
  cases.push_back({"i4g32_plain_int4",
                   makeScheme(4, true, ParamForm::Symmetric, ParamStorage::F16),
                   {GranularityKind::PerGroup, 1, 32},
                   makeFormat(PackKind::Int4, 32),
                   true});
  // Unblocked int2 per channel, affine: 64-code chunks across the row.
  cases.push_back({"u2_affine_per_channel_int2",
                   makeScheme(2, false, ParamForm::Affine, ParamStorage::F32),
                   {GranularityKind::PerChannel, 0, 0},
                   makeFormat(PackKind::Int2, 0),
                   true});
  return cases;
}

//===----------------------------------------------------------------------===//
// Module text
//===----------------------------------------------------------------------===//

struct Shape {
  int64_t m, n, k;
  bool bias;

  std::string name() const {
    return llvm::formatv("mm_{0}_{1}_{2}{3}", m, n, k, bias ? "_bias" : "");
  }
};

bool isWordFormat(const nx::PackFormat &format) {
  return nx::unitBits(format) == 32;
}

std::string kernelFunction(MLIRContext &context, const KernelCase &c,
                           const Shape &s, bool dynamicInt8 = false,
                           bool bf16 = false) {
  lowbit::MatmulKernelSpec spec;
  spec.name = s.name();
  spec.scheme = c.scheme;
  spec.granularity = c.granularity;
  spec.format = c.format;
  spec.m = s.m;
  spec.n = s.n;
  spec.k = s.k;
  spec.bias = s.bias;
  spec.dynamicInt8Activations = dynamicInt8;
  spec.bf16Activations = bf16;
  return lowbit::getMatmulKernelSource(context, spec);
}

//===----------------------------------------------------------------------===//
// Data
//===----------------------------------------------------------------------===//

/// A quantized, packed [N, K] weight and what the kernel and the reference
/// need of it.
struct Weight {
  nx::QuantizedTensor quantized;
  std::vector<float> dequantized; ///< the reference weights
  std::vector<uint8_t> bytes;     ///< packed rows (byte layouts)
  std::vector<uint32_t> words;    ///< packed rows (word layouts)
  std::vector<uint16_t> halfScales, halfMins;
  std::vector<float> bias;
  /// Per element: a bound on the magnitude of the terms the kernel may
  /// dequantize with (see the tolerance below).
  std::vector<double> termMagnitude;

  void *packed() { return bytes.empty() ? (void *)words.data() : bytes.data(); }
};

/// Activations uniform in [-1, 1).
std::vector<float> makeActivations(int64_t count, std::mt19937 &rng) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> x(count);
  for (float &v : x)
    v = uniform(rng);
  return x;
}

Weight makeWeight(const KernelCase &c, int64_t n, int64_t k,
                  std::mt19937 &rng) {
  Weight weight;
  // Rows at different magnitudes so per-channel and per-group parameters
  // differ; a few rows get an offset so affine / min-scale parameters are
  // away from the symmetric case.
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(n * k);
  for (int64_t row = 0; row < n; ++row) {
    float rowScale = std::ldexp(1.0f, int(row % 5) - 2);
    float rowOffset = row % 3 == 1 ? 0.75f * rowScale : 0.0f;
    for (int64_t col = 0; col < k; ++col)
      values[row * k + col] = uniform(rng) * rowScale + rowOffset;
  }
  std::vector<int64_t> shape = {n, k};
  auto quantized = nx::quantizeTensor(values, shape, c.scheme, c.granularity);
  EXPECT_TRUE(quantized.ok()) << quantized.error().message;
  weight.quantized = std::move(*quantized);
  auto dequantized =
      nx::dequantizeTensor(weight.quantized, c.scheme, c.granularity);
  EXPECT_TRUE(dequantized.ok()) << dequantized.error().message;
  weight.dequantized = std::move(*dequantized);

  int64_t units = nx::packedUnitsPerRow(c.format, k);
  llvm::ArrayRef<uint8_t> codes = weight.quantized.codes;
  if (nx::isPanelFormat(c.format)) {
    weight.bytes.assign(nx::panelCount(n) * units, 0);
    nx::packPanels(c.format, codes, n, k, weight.bytes);
  } else if (isWordFormat(c.format)) {
    weight.words.assign(n * units, 0);
    for (int64_t row = 0; row < n; ++row)
      nx::packRow(c.format, codes.slice(row * k, k),
                  llvm::MutableArrayRef<uint32_t>(weight.words)
                      .slice(row * units, units));
  } else {
    weight.bytes.assign(n * units, 0);
    for (int64_t row = 0; row < n; ++row)
      nx::packRow(c.format, codes.slice(row * k, k),
                  llvm::MutableArrayRef<uint8_t>(weight.bytes)
                      .slice(row * units, units));
  }
  if (c.scheme.paramStorage == nx::ParamStorage::F16) {
    // quantizeTensor already rounded the parameters to half: exact.
    for (float scale : weight.quantized.scales)
      weight.halfScales.push_back(nx::floatToHalfBits(scale));
    for (float min : weight.quantized.mins)
      weight.halfMins.push_back(nx::floatToHalfBits(min));
  }
  for (int64_t row = 0; row < n; ++row)
    weight.bias.push_back(uniform(rng));

  float maxLevel = 1.0f;
  for (float level : c.scheme.codebook)
    maxLevel = std::max(maxLevel, std::fabs(level));
  for (int64_t i = 0; i < n * k; ++i) {
    nx::QuantParams params =
        weight.quantized.params(nx::getParamIndex(shape, c.granularity, i));
    double s = std::fabs(params.scale);
    double term = 0.0;
    switch (c.scheme.form) {
    case nx::ParamForm::Symmetric:
      term = c.scheme.codebook.empty()
                 ? std::fabs(double(weight.quantized.codeValue(i))) * s
                 : maxLevel * s;
      break;
    case nx::ParamForm::Affine:
      term = (std::fabs(double(weight.quantized.codeValue(i))) +
              std::fabs(double(params.zeroPoint))) *
             s;
      break;
    case nx::ParamForm::MinScale: // t(q) in [0, 1]
      term = s + std::fabs(double(params.min));
      break;
    }
    weight.termMagnitude.push_back(term);
  }
  return weight;
}

int callKernel(void *function, llvm::ArrayRef<void *> a) {
  using P = void *;
  switch (a.size()) {
  case 4:
    return reinterpret_cast<int (*)(P, P, P, P)>(function)(a[0], a[1], a[2],
                                                           a[3]);
  case 5:
    return reinterpret_cast<int (*)(P, P, P, P, P)>(function)(a[0], a[1], a[2],
                                                              a[3], a[4]);
  case 6:
    return reinterpret_cast<int (*)(P, P, P, P, P, P)>(function)(
        a[0], a[1], a[2], a[3], a[4], a[5]);
  case 7:
    return reinterpret_cast<int (*)(P, P, P, P, P, P, P)>(function)(
        a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
  case 8:
    return reinterpret_cast<int (*)(P, P, P, P, P, P, P, P)>(function)(
        a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
  }
  ADD_FAILURE() << "unexpected argument count " << a.size();
  return -1;
}

constexpr int64_t kMs[] = {1, 3};
constexpr int64_t kNs[] = {1, 5, 17};
constexpr int64_t kKs[] = {1, 31, 33, 100, 129, 257};

std::vector<Shape> getShapes() {
  std::vector<Shape> shapes;
  for (int64_t m : kMs)
    for (int64_t n : kNs)
      for (int64_t k : kKs)
        for (bool bias : {false, true})
          shapes.push_back({m, n, k, bias});
  // Row tiles: 8 (int4) or 4 and 4 rows, then a single one, against
  // column pairs and an odd column, whole and partial segments.
  for (int64_t n : {5, 17})
    for (int64_t k : {31, 129, 257})
      shapes.push_back({9, n, k, n == 5});
  // Enough weight bytes per row that several activation rows walk the
  // columns in blocks of ~256 KiB (e.g. 124 int8 rows of 2048 codes): full
  // blocks and a last one with an odd column.
  shapes.push_back({5, 301, 2048, true});
  return shapes;
}

/// The arguments of kernel `s` of case `c`: x, the packed weight, its
/// parameters, the bias, the output.
std::vector<void *> kernelArguments(const KernelCase &c, const Shape &s,
                                    std::vector<float> &x, Weight &w,
                                    std::vector<float> &out) {
  bool half = c.scheme.paramStorage == nx::ParamStorage::F16;
  std::vector<void *> args = {x.data(), w.packed(),
                              half ? (void *)w.halfScales.data()
                                   : (void *)w.quantized.scales.data()};
  if (c.scheme.form == nx::ParamForm::Affine)
    args.push_back(w.quantized.zeroPoints.data());
  if (c.scheme.form == nx::ParamForm::MinScale)
    args.push_back(half ? (void *)w.halfMins.data()
                        : (void *)w.quantized.mins.data());
  if (s.bias)
    args.push_back(w.bias.data());
  args.push_back(out.data());
  return args;
}

/// Runs the kernel of `s` in `jit` on random activations `x` (in [-1, 1])
/// into `out` (NaN first).
void runKernel(const JitModule &jit, const KernelCase &c, const Shape &s,
               Weight &w, std::mt19937 &rng, std::vector<float> &x,
               std::vector<float> &out) {
  x = makeActivations(s.m * s.k, rng);
  out.assign(s.m * s.n, std::nanf(""));
  void *function = jit.lookup("lowbit_" + s.name());
  ASSERT_NE(function, nullptr);
  ASSERT_EQ(callKernel(function, kernelArguments(c, s, x, w, out)), 0);
}

constexpr double u = 0x1p-24;

// Tolerance of the weight-only kernels. The reference is sum_k x_k * w^_k
// (+ b) in double, rounded once to f32; w^ is numerics::dequantizeTensor. The
// kernel may differ in two ways, both pure f32 rounding:
//  * summation order (vector lanes, FMA contraction, one horizontal
//    reduction): any order of an f32 dot product of K terms plus a bias is
//    within gamma_{K+1} * (sum_k |x_k w_k| + |b|) of the exact value, with
//    gamma_n ~ n * u and u = 2^-24 (Higham, Accuracy and Stability, 3.1);
//    one more u for the final rounding of the reference gives (K + 2) * u;
//  * dequantization: the vector kernels compute w = q * (s * alpha) +
//    offset with the zero point / minimum / codebook origin folded into the
//    offset, instead of numerics' float(q - z) * s or T[q] * s + m. Each of
//    those few roundings is at most u of a term's magnitude, and the terms
//    can exceed |w| when they cancel, so the bound uses D_k (|q s|,
//    (|q| + |z|) |s|, or |s| + |m| for min/scale): |w_k - w^_k| <= 4 u D_k,
//    taken twice for margin.
// Hence |got - ref| <= (K + 2) u (sum_k |x_k w^_k| + |b|)
//                    + 8 u sum_k |x_k| D_k + 1e-30.
// The generic lowering dequantizes exactly like the numerics library, so only
// the first term applies to it. Updates the worst err / tol and err / (sum
// |x w^| + |b|).
/// The bound above for out[i, j], and sum |x w^| + |b| in `magnitude`.
double weightOnlyTolerance(const Shape &s, llvm::ArrayRef<float> x,
                           const Weight &w, int64_t i, int64_t j,
                           double &magnitude) {
  double absDot = 0.0, terms = 0.0;
  for (int64_t kk = 0; kk < s.k; ++kk) {
    double xv = std::fabs(double(x[i * s.k + kk]));
    absDot += xv * std::fabs(double(w.dequantized[j * s.k + kk]));
    terms += xv * w.termMagnitude[j * s.k + kk];
  }
  double b = s.bias ? std::fabs(double(w.bias[j])) : 0.0;
  magnitude = absDot + b;
  return double(s.k + 2) * u * (absDot + b) + 8.0 * u * terms + 1e-30;
}

/// numerics::referenceMatmul in double, rounded to f32.
std::vector<float> weightOnlyReference(const Shape &s, llvm::ArrayRef<float> x,
                                       const Weight &w) {
  llvm::ArrayRef<float> bias;
  if (s.bias)
    bias = w.bias;
  std::vector<float> reference(s.m * s.n);
  nx::referenceMatmul(x, w.dequantized, bias, s.m, s.n, s.k, reference,
                      nx::Accumulation::Double);
  return reference;
}

void checkWeightOnly(const Shape &s, llvm::ArrayRef<float> x, const Weight &w,
                     llvm::ArrayRef<float> out, double &worstRatio,
                     double &worstRelative) {
  std::vector<float> reference = weightOnlyReference(s, x, w);
  for (int64_t i = 0; i < s.m; ++i) {
    for (int64_t j = 0; j < s.n; ++j) {
      double magnitude;
      double tolerance = weightOnlyTolerance(s, x, w, i, j, magnitude);
      float got = out[i * s.n + j], want = reference[i * s.n + j];
      double err = std::fabs(double(got) - double(want));
      EXPECT_LE(err, tolerance) << "out[" << i << ", " << j << "] = " << got
                                << ", reference " << want;
      worstRatio = std::max(worstRatio, err / tolerance);
      worstRelative = std::max(worstRelative, err / (magnitude + 1e-30));
    }
  }
}

/// Groups of the dynamic int8 case `c` (0: one scale per row).
int64_t dynamicGroupSize(const KernelCase &c) {
  return c.granularity.kind == nx::GranularityKind::PerGroup
             ? c.granularity.groupSize
             : 0;
}

/// The layouts whose dynamic int8 kernels take any scheme (unsigned codes,
/// offsets and mins against per-group activation sums).
bool isSubFourBit(const nx::PackFormat &format) {
  return format.kind == nx::PackKind::Int3 ||
         format.kind == nx::PackKind::Int2 ||
         format.kind == nx::PackKind::Radix;
}

// Tolerance of the sub-4-bit dynamic int8 kernels, against
// numerics::referenceMatmulDynamicInt8Dequantized (s_x sum_k q_x w^ in
// double). The kernel sums u * q_x exactly in i32 per lane and group (u the
// unsigned code: q + 2^(bits-1) for signed fields, the index otherwise),
// then in f32 scales the lanes, adds them, multiplies by the codebook step,
// adds sum_g (offset_g or min_g) * sum_{k in g} q_x and multiplies by s_x:
// every term of those f32 sums is at most s_x |q_x| D'_k per element, D'_k
// the weight's term bound plus 2^(bits-1) |s| for the offset, so
// |got - ref| <= (K + 8) u (s_x sum_k |q_x w^| + |b|)
//                + 16 u s_x sum_k |q_x| D'_k + 1e-30.
std::vector<float> subFourBitDynamicReference(const KernelCase &c,
                                              const Shape &s,
                                              llvm::ArrayRef<float> x,
                                              const Weight &w,
                                              std::vector<double> &tolerances) {
  llvm::ArrayRef<float> bias;
  if (s.bias)
    bias = w.bias;
  std::vector<float> reference(s.m * s.n);
  nx::referenceMatmulDynamicInt8Dequantized(x, w.dequantized, bias, s.m, s.n,
                                            s.k, reference);
  std::vector<int64_t> shape = {s.n, s.k};
  double offset = c.scheme.isSigned ? double(1 << (c.scheme.bits - 1)) : 0.0;
  tolerances.assign(s.m * s.n, 0.0);
  for (int64_t i = 0; i < s.m; ++i) {
    std::vector<int8_t> q(s.k);
    double sx = nx::quantizeActivationRow(x.slice(i * s.k, s.k), q);
    for (int64_t j = 0; j < s.n; ++j) {
      double absDot = 0.0, terms = 0.0;
      for (int64_t kk = 0; kk < s.k; ++kk) {
        int64_t e = j * s.k + kk;
        double qx = std::fabs(double(q[kk]));
        double scale =
            w.quantized.params(nx::getParamIndex(shape, c.granularity, e))
                .scale;
        absDot += qx * std::fabs(double(w.dequantized[e]));
        terms += qx * (w.termMagnitude[e] + offset * std::fabs(scale));
      }
      double b = s.bias ? std::fabs(double(w.bias[j])) : 0.0;
      tolerances[i * s.n + j] = double(s.k + 8) * u * (sx * absDot + b) +
                                16.0 * u * sx * terms + 1e-30;
    }
  }
  return reference;
}

// Tolerance of the dynamic int8 kernels, against
// numerics::referenceMatmulDynamicInt8. The op only promises exact i32 sums
// of four consecutive products (one vpdpbusd / sdot lane); the kernel scales
// and adds those C lane sums in f32 (FMA) and multiplies by s_x, the
// reference works in double, so
// |got - ref| <= (C + 3) u (sum_c |s_x s_w dot_c| + |b|), taken twice.
// Updates the worst err / tol.
/// numerics::referenceMatmulDynamicInt8 for `s`, and in `tolerances` the
/// bound above for every output.
std::vector<float> dynamicInt8Reference(const KernelCase &c, const Shape &s,
                                        llvm::ArrayRef<float> x,
                                        const Weight &w,
                                        std::vector<double> &tolerances) {
  if (isSubFourBit(c.format))
    return subFourBitDynamicReference(c, s, x, w, tolerances);
  int64_t groupSize = dynamicGroupSize(c);
  std::vector<int32_t> codes = w.quantized.codeValues();
  int64_t group = groupSize ? groupSize : s.k;
  llvm::ArrayRef<float> bias;
  if (s.bias)
    bias = w.bias;
  std::vector<float> reference(s.m * s.n);
  nx::referenceMatmulDynamicInt8(x, codes, w.quantized.scales, group, bias, s.m,
                                 s.n, s.k, reference);
  int64_t groups = (s.k + group - 1) / group;
  int64_t chunk = 4;
  int64_t chunks = (s.k + chunk - 1) / chunk;
  tolerances.assign(s.m * s.n, 0.0);
  for (int64_t i = 0; i < s.m; ++i) {
    std::vector<int8_t> q(s.k);
    float sx = nx::quantizeActivationRow(x.slice(i * s.k, s.k), q);
    for (int64_t j = 0; j < s.n; ++j) {
      double terms = s.bias ? std::fabs(double(w.bias[j])) : 0.0;
      for (int64_t c = 0; c < chunks; ++c) {
        int64_t dot = 0;
        for (int64_t kk = c * chunk; kk < std::min(s.k, (c + 1) * chunk); ++kk)
          dot += int64_t(q[kk]) * codes[j * s.k + kk];
        int64_t g = c * chunk / group;
        double sw = w.quantized.scales[groupSize ? j * groups + g : j];
        terms += std::fabs(double(sx) * sw * double(dot));
      }
      tolerances[i * s.n + j] = 2.0 * double(chunks + 3) * u * terms + 1e-30;
    }
  }
  return reference;
}

void checkDynamicInt8(const KernelCase &c, const Shape &s,
                      llvm::ArrayRef<float> x, const Weight &w,
                      llvm::ArrayRef<float> out, double &worstRatio) {
  std::vector<double> tolerances;
  std::vector<float> reference = dynamicInt8Reference(c, s, x, w, tolerances);
  for (int64_t i = 0; i < s.m; ++i) {
    for (int64_t j = 0; j < s.n; ++j) {
      double tolerance = tolerances[i * s.n + j];
      float got = out[i * s.n + j], want = reference[i * s.n + j];
      double err = std::fabs(double(got) - double(want));
      EXPECT_LE(err, tolerance) << "out[" << i << ", " << j << "] = " << got
                                << ", reference " << want;
      worstRatio = std::max(worstRatio, err / tolerance);
    }
  }
}

//===----------------------------------------------------------------------===//
// The test
//===----------------------------------------------------------------------===//

class MatmulKernelTest : public ::testing::TestWithParam<KernelCase> {
protected:
  MatmulKernelTest() {
    DialectRegistry registry;
    registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }

  /// How many lowbit.matmul ops survive lowbit-vectorize-matmul.
  int64_t countUnvectorized(llvm::StringRef source) {
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(source, &context);
    if (!module) {
      ADD_FAILURE() << "cannot parse the module";
      return -1;
    }
    PassManager pm(&context);
    pm.addPass(createLowbitVectorizeMatmul());
    if (failed(pm.run(*module))) {
      ADD_FAILURE() << "lowbit-vectorize-matmul failed";
      return -1;
    }
    int64_t count = 0;
    module->walk([&](MatmulOp) { ++count; });
    return count;
  }

  MLIRContext context;
};

// Every kernel against the numerics reference (see checkWeightOnly). The
// worst observed err / tol is printed.
TEST_P(MatmulKernelTest, MatchesNumericsReference) {
  const KernelCase &c = GetParam();
  std::vector<Shape> shapes = getShapes();

  std::string source;
  for (const Shape &shape : shapes)
    source += kernelFunction(context, c, shape);

  // Which lowering runs.
  int64_t left = countUnvectorized(source);
  if (c.vectorized)
    EXPECT_EQ(left, 0) << c.name << " should take the vector kernel";
  else
    EXPECT_EQ(left, int64_t(shapes.size()))
        << c.name << " should take the generic lowering";

  // The host's kernels and, on x86, the baseline CPU's (lowbitc's default:
  // SSE2, 16 registers, no F16C) for the layouts whose kernels are tiled
  // and accumulate differently there.
  std::vector<const char *> cpus = {"native"};
#if defined(__x86_64__)
  if (c.vectorized && (c.format.kind == nx::PackKind::Int8 ||
                       c.format.kind == nx::PackKind::Int4Interleaved))
    cpus.push_back("x86-64");
#endif
  for (const char *cpu : cpus) {
    SCOPED_TRACE(std::string("cpu=") + cpu);
    JitOptions options;
    options.cpu = cpu;
    std::string error;
    auto jit = compileForHost(context, source, error, options);
    ASSERT_TRUE(succeeded(jit)) << error << "\n" << source;

    std::mt19937 rng(0x10b17 + std::hash<std::string>()(c.name) % 1000);
    // One weight per (N, K), shared by every M and bias variant.
    std::map<std::pair<int64_t, int64_t>, Weight> weights;
    for (const Shape &s : shapes)
      if (!weights.count({s.n, s.k}))
        weights.emplace(std::make_pair(s.n, s.k), makeWeight(c, s.n, s.k, rng));

    double worstRatio = 0.0, worstRelative = 0.0;
    int64_t checked = 0;
    for (const Shape &s : shapes) {
      SCOPED_TRACE(c.name + " " + s.name());
      Weight &w = weights.at({s.n, s.k});
      std::vector<float> x, out;
      runKernel(**jit, c, s, w, rng, x, out);
      checkWeightOnly(s, x, w, out, worstRatio, worstRelative);
      checked += s.m * s.n;
    }
    llvm::outs() << llvm::formatv(
        "[ {0,-26} ] {1}: {2} kernels ({3}), {4} outputs; max err/tol {5:f3}, "
        "max err/(sum|x w|+|b|) {6:e2}\n",
        c.name, cpu, shapes.size(), c.vectorized ? "vector" : "generic",
        checked, worstRatio, worstRelative);
    llvm::outs().flush();
  }
}

INSTANTIATE_TEST_SUITE_P(AllSchemes, MatmulKernelTest,
                         ::testing::ValuesIn(getKernelCases()),
                         [](const ::testing::TestParamInfo<KernelCase> &info) {
                           return info.param.name;
                         });

//===----------------------------------------------------------------------===//
// bf16 activations
//===----------------------------------------------------------------------===//

// Tolerance of the bf16-activation kernels, against
// numerics::referenceMatmulBf16Activations: the activations are rounded to
// bf16 exactly as the reference rounds them, and every product of a bf16
// activation and an integer code is exact in f32 (8 x 8 significant bits),
// so what is left is the weight-only bound (checkWeightOnly) on the rounded
// activations: the order of the f32 sums (vdpbf16ps adds pairs of products
// into its lanes, groups are scaled in f32) and the dequantization. Not
// rounding the activations would be off by up to 2^-9 |x| per term, far
// outside it. The bf16 dot products multiply codes c + q (c = 2304 for int8,
// 136 for int4; see Bf16DotSegments.cpp) and subtract c * s * sum(x) per
// group: their f32 sums have terms |x| c |s| besides |x w|, each bounded as
// the first term above (once in the dots, once in the correction).
/// sum_k |x_k s_k| for out[i, j]: s_k the scale of weight (j, k).
double offsetMagnitude(const Shape &s, llvm::ArrayRef<float> x, const Weight &w,
                       const KernelCase &c, int64_t i, int64_t j) {
  std::vector<int64_t> shape = {s.n, s.k};
  double sum = 0.0;
  for (int64_t kk = 0; kk < s.k; ++kk)
    sum += std::fabs(double(x[i * s.k + kk])) *
           std::fabs(double(w.quantized
                                .params(nx::getParamIndex(shape, c.granularity,
                                                          j * s.k + kk))
                                .scale));
  return sum;
}

double bf16CodeOffset(const KernelCase &c) {
  switch (c.format.kind) {
  case nx::PackKind::Int8:
    return 2304.0;
  case nx::PackKind::Int4Interleaved:
    return 136.0;
  default:
    return 0.0; // the f32 path
  }
}

void checkBf16Target(MLIRContext &context, const KernelCase &c,
                     llvm::ArrayRef<Shape> shapes, const std::string &source,
                     const char *cpu, const char *features, const char *bf16Dot,
                     bool hasBf16Dot) {
  SCOPED_TRACE(std::string(c.name) + " cpu=" + cpu + features +
               " bf16-dot=" + bf16Dot);
  JitOptions options;
  options.cpu = cpu;
  options.features = features;
  options.bf16Dot = bf16Dot;
  std::string error;
  auto jit = compileForHost(context, source, error, options);
  ASSERT_TRUE(succeeded(jit)) << error;
  std::mt19937 rng(91);
  double worstRatio = 0.0;
  for (const Shape &s : shapes) {
    SCOPED_TRACE(s.name());
    Weight w = makeWeight(c, s.n, s.k, rng);
    std::vector<float> x, out;
    runKernel(**jit, c, s, w, rng, x, out);
    std::vector<float> rounded(x);
    for (float &v : rounded)
      v = nx::roundToBf16(v);
    std::vector<float> reference(s.m * s.n);
    llvm::ArrayRef<float> bias;
    if (s.bias)
      bias = w.bias;
    nx::referenceMatmulBf16Activations(x, w.dequantized, bias, s.m, s.n, s.k,
                                       reference);
    for (int64_t i = 0; i < s.m; ++i)
      for (int64_t j = 0; j < s.n; ++j) {
        double magnitude;
        double tolerance = weightOnlyTolerance(s, rounded, w, i, j, magnitude);
        if (hasBf16Dot)
          tolerance += 2.0 * double(s.k + 2) * u * bf16CodeOffset(c) *
                       offsetMagnitude(s, rounded, w, c, i, j);
        float got = out[i * s.n + j], want = reference[i * s.n + j];
        double err = std::fabs(double(got) - double(want));
        EXPECT_LE(err, tolerance) << "out[" << i << ", " << j << "] = " << got
                                  << ", reference " << want;
        worstRatio = std::max(worstRatio, err / tolerance);
      }
  }
  llvm::outs() << llvm::formatv("[ {0,-28} ] {1}{2} bf16-dot={3}: max "
                                "err/tol {4:f3}\n",
                                c.name, cpu, features, bf16Dot, worstRatio);
  llvm::outs().flush();
}

// The bf16-activation presets (w8a16, w4a16, c11a16) on every shape of the
// weight-only test plus tiles of 16 and 17 rows, with the host's choice
// (vdpbf16ps with AVX512-BF16), the f32 multiply-adds on the same CPU, and
// on x86 AVX-512 without AVX512-BF16 and the x86-64 baseline.
TEST(Bf16KernelTest, MatchesNumericsReference) {
  MLIRContext context;
  {
    DialectRegistry registry;
    registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }
  std::vector<Shape> shapes = getShapes();
  shapes.push_back({16, 17, 257, true});
  shapes.push_back({17, 5, 100, false});
  for (const char *name : {"w8a16", "w4a16", "c11a16"}) {
    const nx::WeightPreset *preset = nx::findWeightPreset(name);
    ASSERT_NE(preset, nullptr);
    ASSERT_TRUE(preset->bf16Activations);
    KernelCase c{name, preset->scheme, preset->granularity, preset->format,
                 true};
    std::string source;
    for (const Shape &shape : shapes)
      source += kernelFunction(context, c, shape, /*dynamicInt8=*/false,
                               /*bf16=*/true);
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    bool hostBf16 = features.lookup("avx512bf16") && features.lookup("avx512f");
    std::vector<std::tuple<const char *, const char *, const char *, bool>>
        targets = {{"native", "", "host", hostBf16},
                   {"native", "", "none", false}};
#if defined(__x86_64__)
    if (features.lookup("avx512f")) // no AVX512-BF16
      targets.push_back({"x86-64-v4", "", "host", false});
    if (hostBf16)
      targets.push_back({"x86-64-v4", "+avx512bf16", "host", true});
    targets.push_back({"x86-64", "", "host", false});
#endif
    for (auto [cpu, features, bf16Dot, hasBf16Dot] : targets)
      checkBf16Target(context, c, shapes, source, cpu, features, bf16Dot,
                      hasBf16Dot);
  }
}

//===----------------------------------------------------------------------===//
// Dynamic int8 activations
//===----------------------------------------------------------------------===//

/// Compiles the dynamic int8 kernels of `source` for `cpu` with `int8Dot`
/// and checks them on every shape (checkDynamicInt8).
void checkDynamicTarget(MLIRContext &context, const KernelCase &c,
                        llvm::ArrayRef<Shape> shapes, const std::string &source,
                        const char *cpu, const char *int8Dot, unsigned seed) {
  SCOPED_TRACE(std::string(c.name) + " cpu=" + cpu + " int8-dot=" + int8Dot);
  JitOptions options;
  options.cpu = cpu;
  options.int8Dot = int8Dot;
  std::string error;
  auto jit = compileForHost(context, source, error, options);
  ASSERT_TRUE(succeeded(jit)) << error;
  std::mt19937 rng(seed);
  double worstRatio = 0.0;
  for (const Shape &s : shapes) {
    SCOPED_TRACE(s.name());
    Weight w = makeWeight(c, s.n, s.k, rng);
    std::vector<float> x, out;
    runKernel(**jit, c, s, w, rng, x, out);
    checkDynamicInt8(c, s, x, w, out, worstRatio);
  }
  llvm::outs() << llvm::formatv("[ {0,-28} ] {1} int8-dot={2}: max "
                                "err/tol {3:f3}\n",
                                c.name, cpu, int8Dot, worstRatio);
  llvm::outs().flush();
}

// The dynamic int8 presets (w8a8-dynamic: int8 per channel; w4a8-dynamic:
// interleaved int4 in groups of 32; and, with the host's dot products only,
// int4 groups of 16 and 64, whose four-block segments make 32- and 128-byte
// dot products) against numerics::referenceMatmulDynamicInt8, with the
// host's integer dot products (vpdpbusd / sdot where the CPU has them) and
// with the portable ones (tolerance: see checkDynamicInt8).
TEST(DynamicInt8KernelTest, MatchesNumericsReference) {
  MLIRContext context;
  {
    DialectRegistry registry;
    registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }
  struct DynamicCase {
    const char *name;
    const char *preset;
    int64_t int4Group; ///< replaces the preset's group (and block) size
  };
  for (DynamicCase dynamicCase :
       {DynamicCase{"w8a8-dynamic", "w8a8-dynamic", 0},
        DynamicCase{"w4a8-dynamic", "w4a8-dynamic", 0},
        DynamicCase{"w4a8-dynamic g16", "w4a8-dynamic", 16},
        DynamicCase{"w4a8-dynamic g64", "w4a8-dynamic", 64}}) {
    const char *presetName = dynamicCase.name;
    const nx::WeightPreset *preset = nx::findWeightPreset(dynamicCase.preset);
    ASSERT_NE(preset, nullptr);
    KernelCase c{presetName, preset->scheme, preset->granularity,
                 preset->format, true};
    if (dynamicCase.int4Group) {
      c.granularity.groupSize = dynamicCase.int4Group;
      c.format.block = dynamicCase.int4Group;
    }
    std::vector<Shape> shapes = getShapes();
    std::string source;
    for (const Shape &shape : shapes)
      source += kernelFunction(context, c, shape, /*dynamicInt8=*/true);
    // The host's own dot products, the portable ones, and (where the host
    // can run them) the AVX2 and AVX-VNNI ones, which a host with
    // AVX512-VNNI would not pick (AVX-VNNI's 256-bit vpdpbusd then runs in
    // its EVEX encoding).
    std::vector<const char *> int8Dots = {"host"};
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    if (!dynamicCase.int4Group) {
      int8Dots.push_back("generic");
      if (features.lookup("avx2"))
        int8Dots.push_back("avx2");
      if (features.lookup("avxvnni") ||
          (features.lookup("avx512vnni") && features.lookup("avx512vl")))
        int8Dots.push_back("avx-vnni");
    }
    // On x86, the baseline CPUs' choices too: SSE2 pmaddwd (x86-64) and
    // SSSE3 pmaddubsw (x86-64-v2), with narrow tiles.
    std::vector<std::pair<const char *, const char *>> targets;
    for (const char *int8Dot : int8Dots)
      targets.push_back({"native", int8Dot});
#if defined(__x86_64__)
    targets.push_back({"x86-64", "host"});
    targets.push_back({"x86-64-v2", "host"});
#endif
    for (auto [cpu, int8Dot] : targets)
      checkDynamicTarget(context, c, shapes, source, cpu, int8Dot, 77);
  }
}

/// The (cpu, int8-dot) pairs the dynamic int8 kernels are checked on: the
/// host's dot products, the portable ones, AVX2's, optionally AVX-VNNI's
/// (which a host with AVX512-VNNI would not pick), and on x86 the baseline
/// CPU's (SSE2 pmaddwd, narrow tiles) and x86-64-v3's (256-bit AVX2).
std::vector<std::pair<const char *, const char *>>
getDynamicTargets(bool avxVnni) {
  std::vector<std::pair<const char *, const char *>> targets = {
      {"native", "host"}, {"native", "generic"}};
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx2"))
    targets.push_back({"native", "avx2"});
  if (avxVnni &&
      (features.lookup("avxvnni") ||
       (features.lookup("avx512vnni") && features.lookup("avx512vl"))))
    targets.push_back({"native", "avx-vnni"});
#if defined(__x86_64__)
  targets.push_back({"x86-64", "host"});
  if (features.lookup("avx2") && features.lookup("fma"))
    targets.push_back({"x86-64-v3", "host"});
#endif
  return targets;
}

// The sub-4-bit dynamic int8 presets (w3a8-dynamic: int3 words, quads of
// fields per dot-product lane; w2a8-dynamic: int2 bytes, one slot per dot
// product; c11a8-dynamic: base-11 words) against
// numerics::referenceMatmulDynamicInt8Dequantized, with every int8 dot
// product form: the host's, the portable one, AVX2's (vpmaddubsw),
// AVX-VNNI's and the baseline x86 CPUs' (SSE2 pmaddwd, SSSE3 pmaddubsw).
TEST(SubFourBitDynamicInt8KernelTest, MatchesNumericsReference) {
  MLIRContext context;
  {
    DialectRegistry registry;
    registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }
  for (const char *presetName :
       {"w3a8-dynamic", "w2a8-dynamic", "c11a8-dynamic"}) {
    const nx::WeightPreset *preset = nx::findWeightPreset(presetName);
    ASSERT_NE(preset, nullptr);
    KernelCase c{presetName, preset->scheme, preset->granularity,
                 preset->format, true};
    std::vector<Shape> shapes = getShapes();
    std::string source;
    for (const Shape &shape : shapes)
      source += kernelFunction(context, c, shape, /*dynamicInt8=*/true);
    for (auto [cpu, int8Dot] : getDynamicTargets(/*avxVnni=*/true))
      checkDynamicTarget(context, c, shapes, source, cpu, int8Dot, 79);
  }
}

// A radix without the chunked 16-bit decode (base 7: 11 digits per word)
// keeps the radix decoder's 32-bit chains in its int8 quads.
TEST(SubFourBitDynamicInt8KernelTest, RadixSevenMatchesNumericsReference) {
  MLIRContext context;
  {
    DialectRegistry registry;
    registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }
  const nx::WeightPreset *preset = nx::findWeightPreset("c11a8-dynamic");
  ASSERT_NE(preset, nullptr);
  KernelCase c{"c7g128 dynamic int8", preset->scheme, preset->granularity,
               preset->format, true};
  c.scheme.bits = 3;
  c.scheme.codebook = nx::linspaceCodebook(-1.0f, 1.0f, 7);
  c.format.radix = 7;
  std::vector<Shape> shapes = getShapes();
  std::string source;
  for (const Shape &shape : shapes)
    source += kernelFunction(context, c, shape, /*dynamicInt8=*/true);
  for (auto [cpu, int8Dot] : getDynamicTargets(/*avxVnni=*/false))
    checkDynamicTarget(context, c, shapes, source, cpu, int8Dot, 80);
}

// The outer-product kernels on panel layouts (int8_panel per channel,
// int4_panel in groups of 32 and 64) against the same reference: tile and
// partial tiles of rows (4, 9, 64) and panels (N = 1, 5, 17, 33), K odd and
// not a multiple of the group, with the host's dot products, the portable
// ones, AVX2's and the baseline x86 CPUs'.
TEST(PanelKernelTest, MatchesNumericsReference) {
  MLIRContext context;
  {
    DialectRegistry registry;
    registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }
  struct PanelCase {
    const char *name;
    const char *preset;
    nx::PackKind kind;
    int64_t group; ///< int4 groups (0: the preset's per-channel scales)
  };
  std::vector<Shape> shapes;
  for (int64_t m : {4, 9, 64})
    for (int64_t n : {1, 5, 17, 33})
      shapes.push_back({m, n, n % 2 ? 75 : 40, n % 3 == 2});
  shapes.push_back({6, 48, 257, true});
  for (PanelCase panelCase :
       {PanelCase{"w8a8-dynamic int8_panel", "w8a8-dynamic",
                  nx::PackKind::Int8Panel, 0},
        PanelCase{"w4a8-dynamic int4_panel", "w4a8-dynamic",
                  nx::PackKind::Int4Panel, 32},
        PanelCase{"w4a8-dynamic g64 int4_panel", "w4a8-dynamic",
                  nx::PackKind::Int4Panel, 64}}) {
    const nx::WeightPreset *preset = nx::findWeightPreset(panelCase.preset);
    ASSERT_NE(preset, nullptr);
    KernelCase c{panelCase.name, preset->scheme, preset->granularity,
                 preset->format, true};
    c.format.kind = panelCase.kind;
    c.format.block = panelCase.group;
    if (panelCase.group)
      c.granularity.groupSize = panelCase.group;
    std::string source;
    for (const Shape &shape : shapes)
      source += kernelFunction(context, c, shape, /*dynamicInt8=*/true);
    for (auto [cpu, int8Dot] : getDynamicTargets(/*avxVnni=*/false))
      checkDynamicTarget(context, c, shapes, source, cpu, int8Dot, 78);
  }
}

//===----------------------------------------------------------------------===//
// Epilogues
//===----------------------------------------------------------------------===//

/// The kernel of `s` (with bias) followed by elementwise consumers as
/// exported models have them, which lowbit-fuse-matmul-epilogue folds into
/// the matmul's epilogue: exact GELU (0.5 y (1 + erf(y / sqrt 2))), a
/// residual %r [M, N], then SiLU times a per-column factor %c [N]. The two
/// extra arguments come after the matmul's.
std::string epilogueFunction(MLIRContext &context, const KernelCase &c,
                             const Shape &s, bool dynamicInt8) {
  std::string text = kernelFunction(context, c, s, dynamicInt8);
  std::string mn = llvm::formatv("tensor<{0}x{1}xf32>", s.m, s.n);
  std::string n = llvm::formatv("tensor<{0}xf32>", s.n);
  size_t signatureEnd = text.find(") -> " + mn + " {");
  size_t ret = text.find("  return %y : " + mn);
  if (signatureEnd == std::string::npos || ret == std::string::npos)
    return {};
  // MN, N: the types; ID, COL: the maps; PAR: both loops parallel.
  std::string body = R"mlir(  %e = tensor.empty() : MN
  %g = linalg.generic {indexing_maps = [ID, ID], PAR} ins(%y : MN) outs(%e : MN) {
  ^bb0(%in: f32, %out: f32):
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %rsqrt2 = arith.constant 0.707106769 : f32
    %t = arith.mulf %in, %rsqrt2 : f32
    %erf = math.erf %t : f32
    %u = arith.addf %erf, %one : f32
    %h = arith.mulf %in, %half : f32
    %v = arith.mulf %h, %u : f32
    linalg.yield %v : f32
  } -> MN
  %a = linalg.generic {indexing_maps = [ID, ID, ID], PAR} ins(%g, %r : MN, MN) outs(%e : MN) {
  ^bb0(%in: f32, %res: f32, %out: f32):
    %v = arith.addf %in, %res : f32
    linalg.yield %v : f32
  } -> MN
  %z = linalg.generic {indexing_maps = [ID, COL, ID], PAR} ins(%a, %c : MN, N) outs(%e : MN) {
  ^bb0(%in: f32, %f: f32, %out: f32):
    %one = arith.constant 1.0 : f32
    %neg = arith.negf %in : f32
    %exp = math.exp %neg : f32
    %den = arith.addf %exp, %one : f32
    %silu = arith.divf %in, %den : f32
    %v = arith.mulf %silu, %f : f32
    linalg.yield %v : f32
  } -> MN
  return %z : MN
}
)mlir";
  for (auto [token, value] :
       std::initializer_list<std::pair<llvm::StringRef, std::string>>{
           {"MN", mn},
           {"COL", "affine_map<(m, n) -> (n)>"},
           {"ID", "affine_map<(m, n) -> (m, n)>"},
           {"PAR", "iterator_types = [\"parallel\", \"parallel\"]"},
           {"N", n}})
    for (size_t at; (at = body.find(token.str())) != std::string::npos;)
      body.replace(at, token.size(), value);
  text.replace(ret, std::string::npos, body);
  text.insert(signatureEnd, ", %r: " + mn + ", %c: " + n);
  return text;
}

/// The consumers of epilogueFunction in double.
double epilogueReference(double y, double residual, double factor) {
  double gelu = 0.5 * y * (1.0 + std::erf(y / std::sqrt(2.0)));
  double a = gelu + residual;
  return a / (1.0 + std::exp(-a)) * factor;
}

// Fused epilogues against the numerics reference followed by the consumers
// in double: every vector kernel form (int8, interleaved int4, radix and
// bit-field slots, dynamic int8, outer products on panels) at tiles of 8
// and 4 rows, single rows, two and one columns, whole and partial vectors of
// columns, column blocks and parallel chunks, on the host and on the
// 16-register x86 baseline, and the generic lowering (a codebook that is not
// evenly spaced). The fold is checked too: no consumer is left after
// lowbit-fuse-matmul-epilogue.
// Tolerance: the matmul's (checkWeightOnly / checkDynamicInt8) through the
// consumers, whose slope is at most 1.13 (GELU) x 1.1 (SiLU) x |c| <= 1.3,
// plus 32 u (|y| + |r| + 1) for the f32 operations and the polynomial erf
// and exp (<= 5 ulp, docs/Math.md).
TEST(EpilogueKernelTest, MatchesReferenceAfterTheMatmul) {
  MLIRContext context;
  {
    DialectRegistry registry;
    registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }
  std::vector<KernelCase> cases;
  for (const KernelCase &c : getKernelCases())
    if (llvm::is_contained({llvm::StringRef("w8"), llvm::StringRef("w4g32"),
                            llvm::StringRef("c11g128"),
                            llvm::StringRef("i4g32_plain_int4")},
                           c.name))
      cases.push_back(c);
  // Not evenly spaced levels: the generic lowering.
  nx::Scheme nonUniform =
      makeScheme(4, false, nx::ParamForm::Symmetric, nx::ParamStorage::F16);
  nonUniform.codebook = {-1.0f, -0.6f, -0.3f, -0.1f, 0.1f, 0.3f, 0.6f, 1.0f};
  cases.push_back({"nonuniform_codebook_int4",
                   nonUniform,
                   {nx::GranularityKind::PerGroup, 1, 32},
                   makeFormat(nx::PackKind::Int4, 32),
                   false});
  const nx::WeightPreset *dynamic = nx::findWeightPreset("w4a8-dynamic");
  ASSERT_NE(dynamic, nullptr);
  cases.push_back({"w4a8-dynamic", dynamic->scheme, dynamic->granularity,
                   dynamic->format, true});
  // The outer-product kernels.
  cases.push_back({"w4a8-dynamic int4_panel", dynamic->scheme,
                   dynamic->granularity,
                   makeFormat(nx::PackKind::Int4Panel, 32), true});

  std::vector<Shape> shapes;
  for (int64_t m : {1, 5, 9})
    for (int64_t n : {7, 16})
      for (int64_t k : {64, 100})
        shapes.push_back({m, n, k, true});
  // Parallel chunks of columns: of a single row, and column blocks of
  // several rows (the last one partial).
  shapes.push_back({1, 512, 2048, true});
  shapes.push_back({5, 301, 2048, true});

  for (const KernelCase &c : cases) {
    bool dynamicInt8 = llvm::StringRef(c.name).starts_with("w4a8-dynamic");
    std::string source;
    for (const Shape &shape : shapes)
      source += epilogueFunction(context, c, shape, dynamicInt8);

    // Every consumer folds; the vector kernels take the op unless expected
    // otherwise.
    {
      OwningOpRef<ModuleOp> module =
          parseSourceString<ModuleOp>(source, &context);
      ASSERT_TRUE(module) << source;
      PassManager pm(&context);
      pm.addPass(createLowbitFuseMatmulEpilogue());
      ASSERT_TRUE(succeeded(pm.run(*module)));
      int64_t consumers = 0, epilogues = 0;
      module->walk([&](Operation *op) {
        if (op->getName().getStringRef() == "linalg.generic")
          ++consumers;
        if (auto matmul = dyn_cast<MatmulOp>(op))
          epilogues += matmul.hasEpilogue();
      });
      EXPECT_EQ(consumers, 0) << c.name;
      EXPECT_EQ(epilogues, int64_t(shapes.size())) << c.name;
      pm.clear();
      pm.addPass(createLowbitVectorizeMatmul());
      ASSERT_TRUE(succeeded(pm.run(*module)));
      int64_t left = 0;
      module->walk([&](MatmulOp) { ++left; });
      EXPECT_EQ(left, c.vectorized ? 0 : int64_t(shapes.size())) << c.name;
    }

    std::vector<const char *> cpus = {"native"};
#if defined(__x86_64__)
    cpus.push_back("x86-64");
#endif
    for (const char *cpu : cpus) {
      SCOPED_TRACE(c.name + " cpu=" + cpu);
      JitOptions options;
      options.cpu = cpu;
      std::string error;
      auto jit = compileForHost(context, source, error, options);
      ASSERT_TRUE(succeeded(jit)) << error;
      std::mt19937 rng(4242);
      double worstRatio = 0.0;
      for (const Shape &s : shapes) {
        SCOPED_TRACE(s.name());
        Weight w = makeWeight(c, s.n, s.k, rng);
        std::vector<float> x = makeActivations(s.m * s.k, rng);
        std::vector<float> residual = makeActivations(s.m * s.n, rng);
        std::vector<float> factor = makeActivations(s.n, rng);
        std::vector<float> out(s.m * s.n, std::nanf(""));
        std::vector<void *> args = kernelArguments(c, s, x, w, out);
        args.insert(args.end() - 1, {residual.data(), factor.data()});
        void *function = (*jit)->lookup("lowbit_" + s.name());
        ASSERT_NE(function, nullptr);
        ASSERT_EQ(callKernel(function, args), 0);

        std::vector<double> tolerances(s.m * s.n);
        std::vector<float> matmul;
        if (dynamicInt8) {
          matmul = dynamicInt8Reference(c, s, x, w, tolerances);
        } else {
          matmul = weightOnlyReference(s, x, w);
          for (int64_t i = 0; i < s.m; ++i)
            for (int64_t j = 0; j < s.n; ++j) {
              double magnitude;
              tolerances[i * s.n + j] =
                  weightOnlyTolerance(s, x, w, i, j, magnitude);
            }
        }
        for (int64_t i = 0; i < s.m; ++i) {
          for (int64_t j = 0; j < s.n; ++j) {
            int64_t at = i * s.n + j;
            double y = matmul[at], r = residual[at];
            double want = epilogueReference(y, r, factor[j]);
            double tolerance = 1.3 * tolerances[at] +
                               32.0 * u * (std::fabs(y) + std::fabs(r) + 1.0);
            double err = std::fabs(double(out[at]) - want);
            EXPECT_LE(err, tolerance)
                << "out[" << i << ", " << j << "] = " << out[at]
                << ", reference " << want << " (matmul " << y << ")";
            worstRatio = std::max(worstRatio, err / tolerance);
          }
        }
      }
      llvm::outs() << llvm::formatv("[ {0,-26} ] {1} epilogue: max err/tol "
                                    "{2:f3}\n",
                                    c.name, cpu, worstRatio);
      llvm::outs().flush();
    }
  }
}

//===----------------------------------------------------------------------===//
// Threads
//===----------------------------------------------------------------------===//

#ifdef LOWBIT_TEST_OPENMP
} // namespace

// LLVM's OpenMP runtime (linked into this test when the build found it): the
// thread counts of the calling thread's next parallel regions.
extern "C" void omp_set_num_threads(int);
extern "C" int omp_get_max_threads();

namespace {

// Large kernels split their columns across OpenMP threads in chunks fixed at
// compile time. The same compiled kernel run on 1, 2 and 3 threads gives the
// bits of the serial build (JitOptions::threads = false), which match the
// numerics reference: GEMV (chunks of weight rows) and 9 rows (row tiles
// within column blocks), weight-only and dynamic int8; on panel layouts, 64
// rows whose activations are also quantized in parallel chunks of rows.
TEST(ParallelKernelTest, SameBitsOnAnyThreadCount) {
  MLIRContext context;
  {
    DialectRegistry registry;
    registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }
  int defaultThreads = omp_get_max_threads();
  struct ParallelCase {
    const char *preset;
    std::optional<nx::PackKind> panel;
  };
  for (ParallelCase parallelCase :
       {ParallelCase{"w8", std::nullopt}, ParallelCase{"w4g32", std::nullopt},
        ParallelCase{"c11g128", std::nullopt},
        ParallelCase{"w8a8-dynamic", std::nullopt},
        ParallelCase{"w4a8-dynamic", std::nullopt},
        ParallelCase{"w8a8-dynamic", nx::PackKind::Int8Panel},
        ParallelCase{"w4a8-dynamic", nx::PackKind::Int4Panel}}) {
    const char *presetName = parallelCase.preset;
    SCOPED_TRACE(std::string(presetName) +
                 (parallelCase.panel ? " panels" : ""));
    const nx::WeightPreset *preset = nx::findWeightPreset(presetName);
    ASSERT_NE(preset, nullptr);
    KernelCase c{presetName, preset->scheme, preset->granularity,
                 preset->format, true};
    std::vector<Shape> shapes = {{1, 512, 2048, true}, {9, 301, 2048, false}};
    // The column chunks and the activation rows' quantization.
    int64_t loopsPerShape = 1;
    if (parallelCase.panel) {
      c.format.kind = *parallelCase.panel;
      shapes = {{64, 300, 520, true}};
      loopsPerShape = 2;
    }
    bool dynamicInt8 = llvm::StringRef(presetName).ends_with("-dynamic");
    std::string source;
    for (const Shape &shape : shapes)
      source += kernelFunction(context, c, shape, dynamicInt8);

    // Every kernel has a parallel loop.
    {
      OwningOpRef<ModuleOp> module =
          parseSourceString<ModuleOp>(source, &context);
      ASSERT_TRUE(module);
      PassManager pm(&context);
      LowbitVectorizeMatmulOptions options;
      options.parallel = true;
      pm.addPass(createLowbitVectorizeMatmul(options));
      ASSERT_TRUE(succeeded(pm.run(*module)));
      int64_t loops = 0;
      module->walk([&](scf::ForallOp) { ++loops; });
      EXPECT_EQ(loops, loopsPerShape * int64_t(shapes.size()));
    }

    std::string error;
    auto parallel = compileForHost(context, source, error);
    ASSERT_TRUE(succeeded(parallel)) << error;
    JitOptions serialOptions;
    serialOptions.threads = false;
    auto serial = compileForHost(context, source, error, serialOptions);
    ASSERT_TRUE(succeeded(serial)) << error;

    std::mt19937 rng(2024);
    for (const Shape &s : shapes) {
      SCOPED_TRACE(s.name());
      Weight w = makeWeight(c, s.n, s.k, rng);
      std::vector<float> x = makeActivations(s.m * s.k, rng);
      std::vector<float> expected(s.m * s.n, std::nanf(""));
      void *function = (*serial)->lookup("lowbit_" + s.name());
      ASSERT_NE(function, nullptr);
      ASSERT_EQ(callKernel(function, kernelArguments(c, s, x, w, expected)), 0);
      double worstRatio = 0.0, worstRelative = 0.0;
      if (dynamicInt8)
        checkDynamicInt8(c, s, x, w, expected, worstRatio);
      else
        checkWeightOnly(s, x, w, expected, worstRatio, worstRelative);

      function = (*parallel)->lookup("lowbit_" + s.name());
      ASSERT_NE(function, nullptr);
      for (int threads : {1, 2, 3}) {
        SCOPED_TRACE(std::to_string(threads) + " threads");
        omp_set_num_threads(threads);
        std::vector<float> out(s.m * s.n, std::nanf(""));
        ASSERT_EQ(callKernel(function, kernelArguments(c, s, x, w, out)), 0);
        EXPECT_EQ(std::memcmp(out.data(), expected.data(),
                              out.size() * sizeof(float)),
                  0);
      }
    }
  }
  omp_set_num_threads(defaultThreads);
}
#endif // LOWBIT_TEST_OPENMP

//===----------------------------------------------------------------------===//
// The JIT helper itself
//===----------------------------------------------------------------------===//

TEST(JitTest, ReportsParseErrors) {
  MLIRContext context;
  std::string error;
  auto jit = compileForHost(context, "func.func @f(", error);
  EXPECT_TRUE(failed(jit));
  EXPECT_NE(error.find("cannot parse"), std::string::npos) << error;
}

TEST(JitTest, ReportsLoweringErrors) {
  MLIRContext context;
  std::string error;
  // A dynamic shape cannot be exported to C.
  auto jit = compileForHost(
      context,
      "func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> { return %x : "
      "tensor<?xf32> }",
      error);
  EXPECT_TRUE(failed(jit));
  EXPECT_NE(error.find("cannot export"), std::string::npos) << error;
}

TEST(JitTest, LooksUpEntryPoints) {
  MLIRContext context;
  std::string error;
  auto jit = compileForHost(context,
                            R"mlir(
func.func @axpy(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.addf %a, %b : tensor<4xf32>
  return %c : tensor<4xf32>
}
)mlir",
                            error);
  ASSERT_TRUE(succeeded(jit)) << error;
  EXPECT_EQ((*jit)->lookup("lowbit_missing"), nullptr);
  auto *axpy = (*jit)->lookupAs<int(const float *, const float *, float *)>(
      "lowbit_axpy");
  ASSERT_NE(axpy, nullptr);
  float a[4] = {1, 2, 3, 4}, b[4] = {10, 20, 30, 40}, c[4] = {};
  EXPECT_EQ(axpy(a, b, c), 0);
  EXPECT_EQ(c[0], 11.0f);
  EXPECT_EQ(c[3], 44.0f);
}

} // namespace

//===- KernelTestSupport.cpp - shared parts of the kernel gtests ----------===//
//
// See KernelTestSupport.h.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

using namespace mlir;

namespace lowbit::kernel_test {

//===----------------------------------------------------------------------===//
// Cases
//===----------------------------------------------------------------------===//

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
  // c11g128's codes as radix_fields words (the dynamic int8 layout) under
  // f32 activations: the slot-by-slot field decode, in blocks and across
  // a whole row.
  if (const nx::WeightPreset *c11 = nx::findWeightPreset("c11g128")) {
    nx::PackFormat fields = makeFormat(PackKind::RadixFields, 128);
    fields.radix = 11;
    cases.push_back(
        {"c11g128_radix_fields", c11->scheme, c11->granularity, fields, true});
    fields.block = 0;
    cases.push_back({"c11_per_channel_radix_fields",
                     c11->scheme,
                     {GranularityKind::PerChannel, 0, 0},
                     fields,
                     true});
  }
  return cases;
}

//===----------------------------------------------------------------------===//
// Module text
//===----------------------------------------------------------------------===//

bool isWordFormat(const nx::PackFormat &format) {
  return nx::unitBits(format) == 32;
}

std::string kernelFunction(MLIRContext &context, const KernelCase &c,
                           const Shape &s, bool dynamicInt8, bool bf16) {
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

std::vector<Shape> getLongRowShapes() {
  return {{1, 1, 1409, false},
          {1, 5, 1153, true},
          {1, 17, 1409, false},
          {4, 5, 1153, false},
          {9, 17, 1409, true}};
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
  return nx::takesUnsignedDotCodes(format.kind);
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

} // namespace lowbit::kernel_test

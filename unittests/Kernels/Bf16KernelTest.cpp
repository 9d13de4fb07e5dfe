//===- Bf16KernelTest.cpp - bf16-activation kernels
//-------------------------===//
//
// The bf16-activation presets (w8a16, w4a16, c11a16) against
// numerics::referenceMatmulBf16Activations on every bf16 dot form.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::kernel_test;

namespace {

// Tolerance of the bf16-activation kernels, against
// numerics::referenceMatmulBf16Activations: the activations are rounded to
// bf16 exactly as the reference rounds them, and every product of a bf16
// activation and an integer code is exact in f32 (8 x 8 significant bits),
// so what is left is the weight-only bound (checkWeightOnly) on the rounded
// activations: the order of the f32 sums (vdpbf16ps adds pairs of products
// into its lanes, groups are scaled in f32) and the dequantization. Not
// rounding the activations would be off by up to 2^-9 |x| per term, far
// outside it. The bf16 dot products multiply codes c + q (c = 2304 for int8,
// 136 for int4, 128 for radix digits; see Bf16DotSegments.cpp) and subtract
// c * s * sum(x) per group (radix digits d are the levels' indices, w = d
// s / 10 + m: c s / 10 * sum(x), and the mins m * sum(x) are added per
// group): their f32 sums have terms |x| (c |s| / 10 + |m|) besides |x w|,
// each bounded as the first term above (once in the dots, once in the
// correction).
double bf16CodeOffset(const KernelCase &c) {
  switch (c.format.kind) {
  case nx::PackKind::Int8:
    return 2304.0;
  case nx::PackKind::Int4Interleaved:
    return 136.0;
  case nx::PackKind::Radix:
    return 128.0 / 10.0;
  default:
    return 0.0; // the f32 path
  }
}

/// sum_k |x_k| (c |s_k| + |m_k|) for out[i, j]: s_k, m_k the scale and min
/// of weight (j, k), c bf16CodeOffset.
double offsetMagnitude(const Shape &s, llvm::ArrayRef<float> x, const Weight &w,
                       const KernelCase &c, int64_t i, int64_t j) {
  std::vector<int64_t> shape = {s.n, s.k};
  double sum = 0.0;
  for (int64_t kk = 0; kk < s.k; ++kk) {
    nx::QuantParams params = w.quantized.params(
        nx::getParamIndex(shape, c.granularity, j * s.k + kk));
    sum += std::fabs(double(x[i * s.k + kk])) *
           (bf16CodeOffset(c) * std::fabs(double(params.scale)) +
            std::fabs(double(params.min)));
  }
  return sum;
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
          tolerance += 2.0 * double(s.k + 2) * u *
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
// weight-only test plus tiles of 16 and 17 rows and a depth that takes
// 4-row tiles, with the host's choice
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
  // K = 2080: 4 rows of bf16 activations fit the L1 budget and 8 do not,
  // so int4 takes tiles of 4 rows (two of them here, then a single row).
  shapes.push_back({9, 5, 2080, false});
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

} // namespace

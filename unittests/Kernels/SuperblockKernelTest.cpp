//===- SuperblockKernelTest.cpp - radix superblock matmul kernels ---------===//
//
// c11s128 (11-level codes in radix superblocks, two-level parameters)
// compiled by lowbit-vectorize-matmul (SuperblockRadixMatmul.cpp) against
// numerics::dequantizeSuperblockTensor's weights, on the host's ISA, AVX2
// and the x86-64 baseline.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "lowbit/Numerics/SuperblockRadix.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::kernel_test;

namespace {

// The weight-only bound (see KernelTestSupport.cpp): any order of the f32
// sums, (K + 2) u (sum |x w| + |b|), plus the dequantization w = q (alpha
// s) + m against the reference's T[q] s + m, a few roundings of terms
// |s| + |m| (8 u sum |x| (|s| + |m|)).
TEST(SuperblockKernelTest, MatchesNumericsReference) {
  MLIRContext context;
  {
    DialectRegistry registry;
    registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }
  const nx::WeightPreset *preset = nx::findWeightPreset("c11s128");
  ASSERT_NE(preset, nullptr);
  nx::SuperblockFormat format = nx::getSuperblockFormat(preset->format);
  // K: one full superblock and a striped tail of two groups, the second
  // partial (1300); two superblocks and a tail of 5 codes (2309); a tail
  // alone, one partial group (100); whole superblocks only (1152).
  std::vector<Shape> shapes;
  for (int64_t k : {1300, 2309, 100, 1152})
    for (auto [m, n] :
         {std::pair<int64_t, int64_t>{1, 1}, {4, 5}, {9, 17}, {1, 17}, {9, 1}})
      shapes.push_back({m, n, k, (m + n + k) % 2 == 1});
  std::string source;
  for (const Shape &s : shapes) {
    MatmulKernelSpec spec;
    spec.name = s.name();
    spec.scheme = preset->scheme;
    spec.granularity = preset->granularity;
    spec.format = preset->format;
    spec.m = s.m;
    spec.n = s.n;
    spec.k = s.k;
    spec.bias = s.bias;
    std::string function = getMatmulKernelSource(context, spec);
    ASSERT_FALSE(function.empty());
    source += function;
  }
  std::vector<std::pair<const char *, const char *>> targets = {{"native", ""}};
#if defined(__x86_64__)
  targets.push_back({"x86-64-v3", ""});
  targets.push_back({"x86-64", ""});
#endif
  for (auto [cpu, features] : targets) {
    SCOPED_TRACE(std::string("cpu=") + cpu + features);
    JitOptions options;
    options.cpu = cpu;
    options.features = features;
    std::string error;
    auto jit = compileForHost(context, source, error, options);
    ASSERT_TRUE(succeeded(jit)) << error;
    std::mt19937 rng(1152);
    double worstRatio = 0.0;
    for (const Shape &s : shapes) {
      SCOPED_TRACE(s.name());
      std::vector<float> values = makeActivations(s.n * s.k, rng);
      for (int64_t j = 0; j < s.n; ++j)
        for (int64_t kk = 0; kk < s.k; ++kk)
          values[j * s.k + kk] =
              values[j * s.k + kk] * std::ldexp(1.0f, int(j % 5) - 2) +
              (j % 3 == 1 ? 0.5f : 0.0f);
      auto tensor = nx::quantizeSuperblockTensor(values, s.n, s.k,
                                                 preset->scheme, format);
      ASSERT_TRUE(tensor.ok()) << tensor.error().message;
      auto weights = nx::dequantizeSuperblockTensor(
          tensor->words, tensor->params, s.n, s.k, preset->scheme, format);
      ASSERT_TRUE(weights.ok()) << weights.error().message;
      int64_t groups = llvm::divideCeil(s.k, format.groupSize);
      int64_t paramBytes = nx::superblockParamBytesPerRow(format, s.k);
      std::vector<float> scales(s.n * groups), mins(s.n * groups);
      for (int64_t j = 0; j < s.n; ++j)
        nx::decodeSuperblockParams(
            format, s.k,
            llvm::ArrayRef<uint8_t>(tensor->params)
                .slice(j * paramBytes, paramBytes),
            llvm::MutableArrayRef<float>(scales).slice(j * groups, groups),
            llvm::MutableArrayRef<float>(mins).slice(j * groups, groups));
      std::vector<float> bias(s.n);
      for (float &b : bias)
        b = std::uniform_real_distribution<float>(-1.0f, 1.0f)(rng);
      std::vector<float> x = makeActivations(s.m * s.k, rng);
      std::vector<float> out(s.m * s.n, std::nanf(""));
      void *function = (*jit)->lookup("lowbit_" + s.name());
      ASSERT_NE(function, nullptr);
      std::vector<void *> args = {x.data(), tensor->words.data(),
                                  tensor->params.data()};
      if (s.bias)
        args.push_back(bias.data());
      args.push_back(out.data());
      ASSERT_EQ(callKernel(function, args), 0);
      for (int64_t i = 0; i < s.m; ++i)
        for (int64_t j = 0; j < s.n; ++j) {
          double want = s.bias ? bias[j] : 0.0, magnitude = std::fabs(want);
          double params = 0.0;
          for (int64_t kk = 0; kk < s.k; ++kk) {
            double xv = x[i * s.k + kk];
            double p = xv * double((*weights)[j * s.k + kk]);
            want += p;
            magnitude += std::fabs(p);
            int64_t g = j * groups + kk / format.groupSize;
            params += std::fabs(xv) * (std::fabs(double(scales[g])) +
                                       std::fabs(double(mins[g])));
          }
          double tolerance = double(s.k + 2) * u * magnitude + 8.0 * u * params;
          double err = std::fabs(double(out[i * s.n + j]) - want);
          EXPECT_LE(err, tolerance)
              << "out[" << i << ", " << j << "] = " << out[i * s.n + j]
              << ", reference " << want;
          worstRatio = std::max(worstRatio, err / tolerance);
        }
    }
    llvm::outs() << llvm::formatv("[ c11s128 ] {0}{1}: max err/tol {2:f3}\n",
                                  cpu, features, worstRatio);
    llvm::outs().flush();
  }
}

} // namespace

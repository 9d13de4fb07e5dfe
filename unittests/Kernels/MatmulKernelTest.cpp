//===- MatmulKernelTest.cpp - weight-only kernels vs the numerics
//-----------===//
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
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::kernel_test;

namespace {

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

} // namespace

//===- ParallelKernelTest.cpp - kernels on several threads
//------------------===//
//
// The same compiled kernels on 1, 2 and 3 OpenMP threads give the serial
// build's bits.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::kernel_test;

#ifdef LOWBIT_TEST_OPENMP
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
        ParallelCase{"w4a8-dynamic", nx::PackKind::Int4Panel},
        ParallelCase{"w3a8-dynamic", nx::PackKind::Int3Panel},
        ParallelCase{"w2a8-dynamic", nx::PackKind::Int2Panel}}) {
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
} // namespace
#endif // LOWBIT_TEST_OPENMP

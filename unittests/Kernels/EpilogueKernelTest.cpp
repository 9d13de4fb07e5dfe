//===- EpilogueKernelTest.cpp - fused matmul epilogues
//----------------------===//
//
// Matmuls with elementwise consumers folded into their epilogue, against the
// numerics reference followed by the consumers in double.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::kernel_test;

namespace {

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

} // namespace

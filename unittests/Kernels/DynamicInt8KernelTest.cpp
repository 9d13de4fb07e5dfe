//===- DynamicInt8KernelTest.cpp - int8-activation kernels
//------------------===//
//
// The dynamic int8 presets (dot-product and panel kernels, sub-4-bit
// layouts included) against the numerics reference, on every int8 dot form.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::kernel_test;

namespace {

/// Compiles the dynamic int8 kernels of `source` for `cpu` (with `features`
/// added or removed) with `int8Dot` and checks them on every shape
/// (checkDynamicInt8), on random weights or on those `setCodes` makes of
/// them.
void checkDynamicTarget(
    MLIRContext &context, const KernelCase &c, llvm::ArrayRef<Shape> shapes,
    const std::string &source, const char *cpu, const char *int8Dot,
    unsigned seed, const char *features = "",
    llvm::function_ref<void(const KernelCase &, const Shape &, Weight &)>
        setCodes = nullptr) {
  SCOPED_TRACE(std::string(c.name) + " cpu=" + cpu + features +
               " int8-dot=" + int8Dot);
  JitOptions options;
  options.cpu = cpu;
  options.features = features;
  options.int8Dot = int8Dot;
  std::string error;
  auto jit = compileForHost(context, source, error, options);
  ASSERT_TRUE(succeeded(jit)) << error;
  std::mt19937 rng(seed);
  double worstRatio = 0.0;
  for (const Shape &s : shapes) {
    SCOPED_TRACE(s.name());
    Weight w = makeWeight(c, s.n, s.k, rng);
    if (setCodes)
      setCodes(c, s, w);
    std::vector<float> x, out;
    runKernel(**jit, c, s, w, rng, x, out);
    checkDynamicInt8(c, s, x, w, out, worstRatio);
  }
  llvm::outs() << llvm::formatv("[ {0,-28} ] {1}{2} int8-dot={3}: max "
                                "err/tol {4:f3}\n",
                                c.name, cpu, features, int8Dot, worstRatio);
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
    llvm::append_range(shapes, getLongRowShapes());
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
    llvm::append_range(shapes, getLongRowShapes());
    std::string source;
    for (const Shape &shape : shapes)
      source += kernelFunction(context, c, shape, /*dynamicInt8=*/true);
    for (auto [cpu, int8Dot] : getDynamicTargets(/*avxVnni=*/true))
      checkDynamicTarget(context, c, shapes, source, cpu, int8Dot, 79);
  }
}

// The int3 words' AVX512-VBMI decode (one vpmultishiftqb and a mask per
// quad of fields) against the same reference where the host has VBMI, next
// to the shift and ternary-logic form of the same AVX-512 CPU without it.
TEST(SubFourBitDynamicInt8KernelTest, Int3VbmiMatchesNumericsReference) {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (!features.lookup("avx512vbmi") || !features.lookup("avx512vnni"))
    GTEST_SKIP() << "the host has no AVX512-VBMI and AVX512-VNNI";
  DialectRegistry registry;
  registerJitDialects(registry);
  MLIRContext context(registry);
  const nx::WeightPreset *w3 = nx::findWeightPreset("w3a8-dynamic");
  ASSERT_NE(w3, nullptr);
  KernelCase c{"w3a8-dynamic", w3->scheme, w3->granularity, w3->format, true};
  // Odd K, partial groups, N = 1/5/17, M = 1/4/9, and long single rows.
  std::vector<Shape> shapes = getShapes();
  llvm::append_range(shapes, getLongRowShapes());
  std::string source;
  for (const Shape &shape : shapes)
    source += kernelFunction(context, c, shape, /*dynamicInt8=*/true);
  for (const char *vbmi : {"+avx512vbmi", "-avx512vbmi"})
    for (const char *int8Dot : {"avx512-vnni", "avx2"})
      checkDynamicTarget(context, c, shapes, source, "native", int8Dot, 85,
                         vbmi);
}

// The lookup-table kernels (w2a8-lut: int2_planes, vpshufb / tbl) against
// the same reference, on each CPU level's byte lookups: vpshufb on 512-bit
// vectors (the host with AVX512BW), 256-bit (x86-64-v3), 128-bit SSSE3
// (x86-64-v2) and the portable compares and selects (x86-64).
TEST(SubFourBitLutKernelTest, MatchesNumericsReference) {
  MLIRContext context;
  {
    DialectRegistry registry;
    registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }
  const nx::WeightPreset *preset = nx::findWeightPreset("w2a8-lut");
  ASSERT_NE(preset, nullptr);
  KernelCase c{"w2a8-lut", preset->scheme, preset->granularity, preset->format,
               true};
  std::vector<Shape> shapes = getShapes();
  std::string source;
  for (const Shape &shape : shapes)
    source += kernelFunction(context, c, shape, /*dynamicInt8=*/true);
  std::vector<const char *> cpus = {"native"};
#if defined(__x86_64__)
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx2") && features.lookup("fma"))
    cpus.push_back("x86-64-v3");
  cpus.push_back("x86-64-v2");
  cpus.push_back("x86-64");
#endif
  for (const char *cpu : cpus)
    checkDynamicTarget(context, c, shapes, source, cpu, "host", 81);
}

/// The kernel case of the c11a8-dynamic preset, named `name`, with its
/// words packed as `kind` (radix or radix_fields).
static KernelCase getRadixCase(const char *name, nx::PackKind kind) {
  const nx::WeightPreset *preset = nx::findWeightPreset("c11a8-dynamic");
  EXPECT_NE(preset, nullptr);
  KernelCase c{name, preset->scheme, preset->granularity, preset->format, true};
  c.format.kind = kind;
  return c;
}

// A radix without the chunked 16-bit decode (base 7: 11 digits per word)
// keeps the radix decoder's 32-bit chains in its int8 quads; radix_fields
// words of base 7 (nine digits) take the fields' pair decode with their
// own multipliers: the host's tables or 16-bit split, x86-64-v3's 16-bit
// split and the portable byte division (fewer targets: the radix(7) run
// covers the dot products).
TEST(SubFourBitDynamicInt8KernelTest, RadixSevenMatchesNumericsReference) {
  MLIRContext context;
  {
    DialectRegistry registry;
    registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }
  std::vector<Shape> shapes = getShapes();
  for (nx::PackKind kind : {nx::PackKind::Radix, nx::PackKind::RadixFields}) {
    KernelCase c = getRadixCase(kind == nx::PackKind::Radix
                                    ? "c7g128 dynamic int8 radix(7)"
                                    : "c7g128 dynamic int8 radix_fields(7)",
                                kind);
    c.scheme.bits = 3;
    c.scheme.codebook = nx::linspaceCodebook(-1.0f, 1.0f, 7);
    c.format.radix = 7;
    std::string source;
    for (const Shape &shape : shapes)
      source += kernelFunction(context, c, shape, /*dynamicInt8=*/true);
    std::vector<std::pair<const char *, const char *>> targets =
        getDynamicTargets(/*avxVnni=*/false);
    if (kind == nx::PackKind::RadixFields)
      llvm::erase_if(targets, [](std::pair<const char *, const char *> t) {
        StringRef cpu = t.first, int8Dot = t.second;
        return !(cpu == "x86-64-v3" || (cpu == "native" && int8Dot != "avx2"));
      });
    for (auto [cpu, int8Dot] : targets)
      checkDynamicTarget(context, c, shapes, source, cpu, int8Dot, 80);
  }
}

/// Codes of radix words whose digits run through every value in every
/// position: word t's first four digits are the base-R digits of 7919 t mod
/// R^4 and its last four of 104729 t + 1 mod R^4 (both steps coprime to R,
/// so consecutive words sweep every chunk value), digit 4 is t mod R, and
/// every 50th word is all zeros, the next all R - 1 (the chunks' extreme
/// fractions; radix_fields: the fields, the digit reversals of these
/// values, run through every value too, and reach 0 and R^4 - 1). The
/// weight is re-dequantized and repacked.
void setEveryDigitCodes(const KernelCase &c, const Shape &s, Weight &w) {
  unsigned radix = c.format.radix;
  int64_t block = c.format.block, wordsPerBlock = llvm::divideCeil(block, 9);
  int64_t power = int64_t(radix) * radix * radix * radix;
  std::vector<uint8_t> &codes = w.quantized.codes;
  for (int64_t row = 0; row < s.n; ++row)
    for (int64_t col = 0; col < s.k; ++col) {
      int64_t within = col % block, digit = within % 9;
      int64_t t =
          (row * llvm::divideCeil(s.k, block) + col / block) * wordsPerBlock +
          within / 9;
      int64_t value = digit < 4 ? 7919 * t % power : (104729 * t + 1) % power;
      int64_t place = digit < 4 ? 3 - digit : 8 - digit;
      int64_t code = digit == 4 ? t % radix : value;
      if (digit != 4)
        for (int64_t i = 0; i < place; ++i)
          code /= radix;
      code %= radix;
      if (t % 50 == 0)
        code = 0;
      else if (t % 50 == 1)
        code = radix - 1;
      codes[row * s.k + col] = uint8_t(code);
    }
  auto dequantized = nx::dequantizeTensor(w.quantized, c.scheme, c.granularity);
  ASSERT_TRUE(dequantized.ok()) << dequantized.error().message;
  w.dequantized = std::move(*dequantized);
  int64_t units = nx::packedUnitsPerRow(c.format, s.k);
  for (int64_t row = 0; row < s.n; ++row)
    nx::packRow(
        c.format, llvm::ArrayRef<uint8_t>(codes).slice(row * s.k, s.k),
        llvm::MutableArrayRef<uint32_t>(w.words).slice(row * units, units));
}

// c11a8-dynamic's base-11 words, radix(11) and radix_fields(11), decoded
// as digit pairs through 128-byte tables (AVX512-VBMI vpermi2b: znver4,
// icelake-server) and without them (skylake-avx512: AVX-512 without VBMI;
// radix(11) as 16-bit chunks, radix_fields by 16-bit multiply-highs), on
// random codes and on codes that put every digit value in every position
// of a word and the chunks and fields at their extremes
// (setEveryDigitCodes), with the CPU's dot products and the portable ones
// (radix(11): znver4's and skylake-avx512's own); odd K, partial groups,
// N = 1, 5, 17, M = 1, 4, 9 (getShapes) and long rows.
TEST(SubFourBitDynamicInt8KernelTest, RadixPairsMatchNumericsReference) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "x86 CPUs";
#else
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (!features.lookup("avx512vbmi") || !features.lookup("avx512vnni"))
    GTEST_SKIP() << "the host lacks AVX512-VBMI or AVX512-VNNI";
  MLIRContext context;
  {
    DialectRegistry registry;
    registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }
  std::vector<Shape> shapes = getShapes();
  llvm::append_range(shapes, getLongRowShapes());
  for (auto [name, kind] :
       {std::pair{"c11a8-dynamic radix(11)", nx::PackKind::Radix},
        {"c11a8-dynamic radix_fields(11)", nx::PackKind::RadixFields}}) {
    KernelCase c = getRadixCase(name, kind);
    std::string source;
    for (const Shape &shape : shapes)
      source += kernelFunction(context, c, shape, /*dynamicInt8=*/true);
    for (auto [cpu, int8Dot] : {std::pair{"znver4", "host"},
                                {"znver4", "generic"},
                                {"icelake-server", "host"},
                                {"skylake-avx512", "host"}}) {
      // radix(11) (no longer a preset's layout): one CPU per decode form.
      bool formCpu =
          StringRef(int8Dot) == "host" &&
          (StringRef(cpu) == "znver4" || StringRef(cpu) == "skylake-avx512");
      if (kind == nx::PackKind::Radix && !formCpu)
        continue;
      checkDynamicTarget(context, c, shapes, source, cpu, int8Dot, 83);
      checkDynamicTarget(context, c, shapes, source, cpu, int8Dot, 84, "",
                         setEveryDigitCodes);
    }
  }
#endif
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

// The outer-product kernels on the sub-4-bit panels (w3a8-dynamic:
// int3_panel, signed codes entering as q + 4; w2a8-dynamic: int2_panel,
// min/scale codes whose mins meet the groups' activation sums) against
// numerics::referenceMatmulDynamicInt8Dequantized: rows 16, 17, 33 (whole
// and partial row tiles), N = 1, 5, 17, K odd and ending in a partial
// group, with the host's dot products, the portable ones, AVX2's and the
// baseline x86 CPUs'.
TEST(PanelKernelTest, SubFourBitMatchesNumericsReference) {
  MLIRContext context;
  {
    DialectRegistry registry;
    registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }
  std::vector<Shape> shapes;
  for (int64_t m : {16, 17, 33})
    for (int64_t n : {1, 5, 17})
      shapes.push_back({m, n, n % 2 ? 75 : 136, n % 3 == 2});
  shapes.push_back({16, 48, 257, true});
  for (const char *presetName : {"w3a8-dynamic", "w2a8-dynamic"}) {
    const nx::WeightPreset *preset = nx::findWeightPreset(presetName);
    ASSERT_NE(preset, nullptr);
    std::optional<nx::PackFormat> format =
        nx::getPanelFormat(preset->scheme, preset->granularity);
    ASSERT_TRUE(format) << presetName;
    KernelCase c{presetName, preset->scheme, preset->granularity, *format,
                 true};
    std::string source;
    for (const Shape &shape : shapes)
      source += kernelFunction(context, c, shape, /*dynamicInt8=*/true);
    for (auto [cpu, int8Dot] : getDynamicTargets(/*avxVnni=*/true))
      checkDynamicTarget(context, c, shapes, source, cpu, int8Dot, 81);
  }
}

// c11a8-dynamic on radix_panel (the pack-time digit placement of
// lowbit/Numerics/RadixPanel.h, min/scale codes 0..10): the single rows and
// small tiles the packer leaves to the dot form (M = 1, 4, 9) as well as
// M >= 16, N = 1, 5, 17, K odd and ending in a partial group of 128 (75,
// 257) or whole groups (256), with every target's dot products.
TEST(PanelKernelTest, RadixPanelMatchesNumericsReference) {
  MLIRContext context;
  {
    DialectRegistry registry;
    registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }
  std::vector<Shape> shapes;
  for (int64_t m : {1, 4, 9, 16, 17})
    for (int64_t n : {1, 5, 17})
      shapes.push_back({m, n, n == 5 ? 257 : 75, n % 3 == 2});
  shapes.push_back({16, 48, 256, true});
  const nx::WeightPreset *preset = nx::findWeightPreset("c11a8-dynamic");
  ASSERT_NE(preset, nullptr);
  std::optional<nx::PackFormat> format =
      nx::getPanelFormat(preset->scheme, preset->granularity);
  ASSERT_TRUE(format);
  ASSERT_EQ(format->kind, nx::PackKind::RadixPanel);
  KernelCase c{"c11a8-dynamic", preset->scheme, preset->granularity, *format,
               true};
  std::string source;
  for (const Shape &shape : shapes)
    source += kernelFunction(context, c, shape, /*dynamicInt8=*/true);
  for (auto [cpu, int8Dot] : getDynamicTargets(/*avxVnni=*/true))
    checkDynamicTarget(context, c, shapes, source, cpu, int8Dot, 83);
}

} // namespace

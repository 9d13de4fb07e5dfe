//===- MatmulBench.cpp - compiled lowbit.matmul kernels, hot and cold -----===//
//
// lowbit-bench-matmul: GEMV (M = 1) and GEMM (M = 8, 64) with [N, K] weights
// of 4096 x 4096 and 11008 x 4096, for
//   fp32      linalg.matmul on an f32 weight argument (transposed-B indexing
//             maps), compiled by the same lowbit-lower-to-llvm pipeline: the
//             baseline the targets are stated against;
//   fp32-c++  a plain C++ fp32 kernel (AVX2/FMA vectors, independent
//             accumulators, 4 rows of x per weight load), i.e. what a
//             bandwidth-bound fp32 GEMV looks like, for context;
//   w8, w4g32, w3g64, w2g32, c11g128, w3a8-dynamic, w2a8-dynamic,
//   c11a8-dynamic, w2a8-lut (and any other preset)
//             lowbit.matmul on packed weights quantized and packed by the
//             numerics library (Presets.h), compiled by lowbit::compileForHost.
// Every kernel takes its weights as arguments. "hot" calls a kernel on the
// same weights (L2/L3-resident when they fit); "cold" cycles over enough
// copies of the weights that the working set is >= 256 MiB (several times
// the 32 MiB L3), so each call streams its weights from DRAM.
//
// Kernels run round-robin, on one thread unless --thread-counts says otherwise
// (every kernel then runs at each thread count: large kernels split their
// columns across OpenMP threads, and a second table gives the per-round
// speedups over the first count), with f32 multiply-add and int8
// dot-product peak probes (JIT-compiled like the kernels) and a DRAM
// read-bandwidth probe (a plain sum over a 512 MiB buffer; and, printed
// beside it, the same sum touching each page ahead) in every round;
// the table reports medians over rounds of: time per call, effective weight
// GB/s ((packed bytes + parameter bytes) / time), GFLOPS (2 M N K / time),
// the cold GB/s as a fraction of that round's bandwidth probe, the cold
// GFLOPS as a fraction of its multiply-add peak and (int8-activation
// kernels) of its dot-product peak, and speedups over the fp32 kernels in
// the same round.
//
// Usage: lowbit-bench-matmul [--quick] [--sizes=4096x4096,11008x4096]
//          [--m=1,8,64] [--kernels=fp32,fp32-c++,w8,w4g32,...] [--rounds=R]
//          [--min-time-ms=T] [--cold-mib=MiB] [--no-check]
//          [--thread-counts=1,2] [--huge-pages]
//
//===----------------------------------------------------------------------===//

#include "HugePages.h"
#include "lowbit/Numerics/Float16.h"
#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/Presets.h"
#include "lowbit/Numerics/Quantize.h"
#include "lowbit/Numerics/SuperblockRadix.h"
#include "lowbit/Target/Jit.h"
#include "lowbit/Target/Target.h"

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <sys/mman.h>

namespace nx = lowbit::numerics;
namespace cl = llvm::cl;

#ifdef LOWBIT_BENCH_OPENMP
// LLVM's OpenMP runtime, which the JIT-compiled kernels call: the thread
// count of the next parallel regions, and the default (all cores).
extern "C" void omp_set_num_threads(int);
extern "C" int omp_get_max_threads();
#endif

namespace {

cl::OptionCategory category("lowbit-bench-matmul options");

cl::opt<bool> quick("quick", cl::cat(category),
                    cl::desc("4096x4096, M = 1, 2 rounds, 50 ms per "
                             "measurement (overridable by the other flags)"));
cl::list<std::string> sizesOpt("sizes", cl::cat(category), cl::CommaSeparated,
                               cl::desc("Weight shapes NxK (default "
                                        "4096x4096,11008x4096)"));
cl::list<int64_t> msOpt("m", cl::cat(category), cl::CommaSeparated,
                        cl::desc("Activation rows M (default 1,8,64)"));
cl::list<std::string>
    kernelsOpt("kernels", cl::cat(category), cl::CommaSeparated,
               cl::desc("fp32, fp32-c++, w8, w4g32, w3g64, w2g32, c11g128, "
                        "w3a8-dynamic, w2a8-dynamic, c11a8-dynamic (the "
                        "default), or any other preset name"));
cl::opt<int> roundsOpt("rounds", cl::cat(category),
                       cl::desc("Round-robin rounds (default 3)"), cl::init(0));
cl::opt<double>
    minTimeOpt("min-time-ms", cl::cat(category),
               cl::desc("Minimum time per measurement (default 150)"),
               cl::init(0));
cl::opt<int64_t> coldMiBOpt("cold-mib", cl::cat(category),
                            cl::desc("Cold working set per kernel (>= 256)"),
                            cl::init(256));
cl::opt<bool>
    noCheck("no-check", cl::cat(category),
            cl::desc("Skip the check against the numerics reference"));
cl::opt<bool> hugePages(
    "huge-pages", cl::cat(category),
    cl::desc("Ask for transparent huge pages (madvise) on the weight copies "
             "and the probe buffer: with 4 KiB pages, a cold GEMV also waits "
             "on a page walk per 4 KiB of weights"));
cl::opt<bool> noHot("no-hot", cl::cat(category),
                    cl::desc("Skip the hot measurements"));
cl::list<int> threadsOpt(
    "thread-counts", cl::cat(category), cl::CommaSeparated,
    cl::desc("Thread counts to run every kernel at (default 1; 0 = all "
             "cores, OpenMP's default), e.g. --thread-counts=1,2 (libLLVM "
             "already has a --threads option)"));
cl::opt<std::string>
    int8DotOpt("int8-dot", cl::cat(category),
               cl::desc("Integer dot products of the dynamic presets: host "
                        "(the default: what lowbitc picks for this CPU), "
                        "generic, avx2, avx512-vnni"),
               cl::init("host"));
cl::opt<std::string>
    cpuOpt("mcpu", cl::cat(category),
           cl::desc("CPU the kernels are compiled for (default native), "
                    "e.g. x86-64-v3 to measure the AVX2 forms on a newer "
                    "host; the peak probes stay native"),
           cl::init("native"));

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double median(std::vector<double> v) {
  if (v.empty())
    return std::nan("");
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// "median M UNIT, min A, max B" of a probe's per-round results.
std::string describeSpread(const std::vector<double> &v, const char *unit) {
  char text[128];
  std::snprintf(text, sizeof text, "median %.1f %s, min %.1f, max %.1f",
                median(v), unit, *std::min_element(v.begin(), v.end()),
                *std::max_element(v.begin(), v.end()));
  return text;
}

/// splitmix64: deterministic data independent of the standard library.
struct Random {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [-1, 1).
  float uniform() { return float(next() >> 40) * 0x1p-23f - 1.0f; }
};

/// A 64-byte aligned, page-touched buffer.
struct Buffer {
  size_t bytes = 0;
  std::unique_ptr<uint8_t, decltype(&std::free)> data{nullptr, &std::free};

  explicit Buffer(size_t size) : bytes(size) {
    // With --huge-pages, buffers of 2 MiB or more start on a 2 MiB boundary
    // and cover whole huge pages, so that the kernel can back them with huge
    // pages entirely (THP "madvise" mode, as on Debian by default).
    constexpr size_t kHugePage = 2u << 20;
    bool huge = hugePages && size >= kHugePage;
    size_t alignment = huge ? kHugePage : 64;
    size_t rounded =
        (std::max<size_t>(size, 1) + alignment - 1) / alignment * alignment;
    data.reset(static_cast<uint8_t *>(std::aligned_alloc(alignment, rounded)));
    if (!data) {
      std::fprintf(stderr, "out of memory (%zu bytes)\n", size);
      std::exit(1);
    }
    if (huge)
      madvise(data.get(), rounded, MADV_HUGEPAGE);
    std::memset(data.get(), 0, rounded);
  }
  template <typename T> T *as() { return reinterpret_cast<T *>(data.get()); }
};

//===----------------------------------------------------------------------===//
// Probe and the C++ fp32 kernel
//===----------------------------------------------------------------------===//

/// Sum of a buffer of 64-bit words: DRAM read bandwidth when it is >> L3.
/// With `PagesAhead` it also touches the page 16 KiB ahead once per page,
/// as the GEMV kernels do (see SegmentLoop.cpp): with 4 KiB pages the plain
/// sum waits on a page walk at every page boundary, so that is the read
/// bandwidth a kernel that hides the walks can reach.
template <bool PagesAhead>
__attribute__((noinline)) uint64_t sumWords(const uint64_t *p, size_t n) {
  constexpr size_t kPageWords = 4096 / 8, kAheadWords = 4 * kPageWords;
  uint64_t a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0;
  for (size_t i = 0; i + 8 <= n; i += 8) {
    if constexpr (PagesAhead)
      if (i % kPageWords == 0 && i + kAheadWords < n)
        __builtin_prefetch(p + i + kAheadWords, /*rw=*/0, /*locality=*/3);
    a += p[i];
    b += p[i + 1];
    c += p[i + 2];
    d += p[i + 3];
    e += p[i + 4];
    f += p[i + 5];
    g += p[i + 6];
    h += p[i + 7];
  }
  return a + b + c + d + e + f + g + h;
}

/// Reads one byte of every page. On this VM, memory left idle for tens of
/// seconds is reclaimed behind the guest's back (DAMON pageout, or the host)
/// and the first touch of each page is then slow (a 512 MiB sum ran at
/// 1-8 GB/s instead of ~20): this makes every page resident again without
/// timing it, while bringing only one line per page into the caches.
__attribute__((noinline)) void touchPages(const void *data, size_t bytes) {
  const volatile uint8_t *p = static_cast<const volatile uint8_t *>(data);
  uint8_t sink = 0;
  for (size_t i = 0; i < bytes; i += 4096)
    sink ^= p[i];
  (void)sink;
}

typedef float v8f __attribute__((vector_size(32), aligned(4)));

/// out[m0 + r, n] = sum_k x[m0 + r, k] w[n, k] for R rows of x: each weight
/// vector is loaded once and feeds R x 2 independent accumulators of 8 floats
/// (4 for R = 1), so the loop is bound by loads, not by FMA latency.
template <int R>
__attribute__((target("avx2,fma"), always_inline)) inline void
fp32RowsAvx2(const float *x, const float *row, float *out, int64_t N,
             int64_t K) {
  constexpr int A = R == 1 ? 4 : 2;
  v8f acc[R][A] = {};
  int64_t k = 0;
  for (; k + 8 * A <= K; k += 8 * A) {
    v8f w[A];
    for (int a = 0; a < A; ++a)
      w[a] = *reinterpret_cast<const v8f *>(row + k + 8 * a);
    for (int r = 0; r < R; ++r)
      for (int a = 0; a < A; ++a)
        acc[r][a] +=
            *reinterpret_cast<const v8f *>(x + r * K + k + 8 * a) * w[a];
  }
  for (int r = 0; r < R; ++r) {
    v8f sum = acc[r][0];
    for (int a = 1; a < A; ++a)
      sum += acc[r][a];
    float total = 0;
    for (int i = 0; i < 8; ++i)
      total += sum[i];
    for (int64_t kk = k; kk < K; ++kk)
      total += x[r * K + kk] * row[kk];
    out[r * N] = total;
  }
}

__attribute__((target("avx2,fma"))) void fp32MatmulAvx2(const float *x,
                                                        const float *w,
                                                        float *out, int64_t M,
                                                        int64_t N, int64_t K) {
  for (int64_t n = 0; n < N; ++n) {
    const float *row = w + n * K;
    int64_t m = 0;
    for (; m + 4 <= M; m += 4)
      fp32RowsAvx2<4>(x + m * K, row, out + m * N + n, N, K);
    for (; m < M; ++m)
      fp32RowsAvx2<1>(x + m * K, row, out + m * N + n, N, K);
  }
}

void fp32MatmulScalar(const float *x, const float *w, float *out, int64_t M,
                      int64_t N, int64_t K) {
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      float total = 0;
      for (int64_t k = 0; k < K; ++k)
        total += x[m * K + k] * w[n * K + k];
      out[m * N + n] = total;
    }
}

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

std::string tensorType(llvm::ArrayRef<int64_t> shape, llvm::StringRef element) {
  std::string text = "tensor<";
  for (int64_t dim : shape)
    text += std::to_string(dim) + "x";
  return text + element.str() + ">";
}

std::string fp32Module(int64_t m, int64_t n, int64_t k) {
  std::string x = tensorType({m, k}, "f32"), w = tensorType({n, k}, "f32"),
              y = tensorType({m, n}, "f32");
  return llvm::formatv(
      R"mlir(func.func @mm(%x: {0}, %w: {1}) -> {2} {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : {2}
  %init = linalg.fill ins(%zero : f32) outs(%empty : {2}) -> {2}
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                      affine_map<(m, n, k) -> (n, k)>,
                                      affine_map<(m, n, k) -> (m, n)>]
         ins(%x, %w : {0}, {1}) outs(%init : {2}) -> {2}
  return %y : {2}
}
)mlir",
      x, w, y);
}

/// The peak probes, compiled by the same JIT as the kernels, so with the
/// host's widest vectors and its int8 dot-product instructions: 12
/// independent chains (enough to cover the latency on current cores) of
/// 16-lane f32 vector.fma, of lowbit.dot_i8 (64 unsigned x signed byte
/// products into 16 i32 lanes: vpdpbusd, the AVX2 pair, or sdot), or of
/// x86vector.avx512.dot (vdpbf16ps: 32 bf16 products into 16 f32 lanes).
constexpr int64_t kPeakChains = 12, kPeakLanes = 16,
                  kPeakIterations = int64_t(1) << 23;
/// Operations (a multiply-add is two) of one chain step.
constexpr double kFmaStepOps = 2.0 * kPeakLanes,
                 kDotI8StepOps = 2.0 * 4 * kPeakLanes,
                 kBf16StepOps = 2.0 * 2 * kPeakLanes;
enum class Peak { Fma, DotI8, DotBf16 };
std::string peakModule(Peak peak) {
  bool int8Dot = peak == Peak::DotI8;
  std::string lane = int8Dot ? "i32" : "f32";
  std::string vec = "vector<16x" + lane + ">";
  std::string add = int8Dot ? "arith.addi" : "arith.addf";
  std::string starts, inits, types, chains, yields, sum;
  for (int64_t i = 0; i < kPeakChains; ++i) {
    std::string sep = i ? ", " : "";
    starts +=
        llvm::formatv("  %o{0} = arith.constant dense<{0}{3}> : {1}\n  %v{0} = "
                      "{2} %v, %o{0} : {1}\n",
                      i, vec, add, int8Dot ? "" : ".0")
            .str();
    inits += llvm::formatv("{0}%x{1} = %v{1}", sep, i).str();
    types += sep + vec;
    // The signed operand is the accumulator's bytes: with loop-invariant
    // operands LLVM turns the generic (widening) form into a closed form.
    chains += int8Dot ? llvm::formatv("    %b{0} = vector.bitcast %x{0} : {1} "
                                      "to vector<64xi8>\n    %y{0} = "
                                      "lowbit.dot_i8 %x{0}, %a, %b{0} "
                                      "{{unsigned_lhs} : {1}, vector<64xi8>\n",
                                      i, vec)
                            .str()
              : peak == Peak::DotBf16
                  ? llvm::formatv("    %y{0} = x86vector.avx512.dot %x{0}, "
                                  "%a, %b : vector<32xbf16> -> {1}\n",
                                  i, vec)
                        .str()
                  : llvm::formatv("    %y{0} = vector.fma %x{0}, %a, %b : "
                                  "{1}\n",
                                  i, vec)
                        .str();
    yields += llvm::formatv("{0}%y{1}", sep, i).str();
  }
  sum = llvm::formatv("  %s0 = {0} %r#0, %r#1 : {1}\n", add, vec).str();
  for (int64_t i = 2; i < kPeakChains; ++i)
    sum += llvm::formatv("  %s{0} = {1} %s{2}, %r#{3} : {4}\n", i - 1, add,
                         i - 2, i, vec)
               .str();
  std::string operands =
      int8Dot ? "  %a = vector.bitcast %v : vector<16xi32> to vector<64xi8>\n"
      : peak == Peak::DotBf16
          ? "  %a = arith.constant dense<0.5> : vector<32xbf16>\n"
            "  %b = arith.constant dense<0.5> : vector<32xbf16>\n"
          : "  %a = arith.constant dense<0.99999994> : vector<16xf32>\n"
            "  %b = arith.constant dense<0.5> : vector<16xf32>\n";
  return llvm::formatv(
             R"mlir(func.func @peak(%seed: tensor<16x{9}>) -> tensor<16x{9}> {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant {0} : index
  %pad = arith.constant 0{12} : {9}
  %v = vector.transfer_read %seed[%c0], %pad : tensor<16x{9}>, {10}
{11}{1}  %r:{2} = scf.for %i = %c0 to %n step %c1 iter_args({3}) -> ({4}) {{
{5}    scf.yield {6} : {4}
  }
{7}  %e = tensor.empty() : tensor<16x{9}>
  %out = vector.transfer_write %s{8}, %e[%c0] : {10}, tensor<16x{9}>
  return %out : tensor<16x{9}>
}
)mlir",
             kPeakIterations, starts, kPeakChains, inits, types, chains, yields,
             sum, kPeakChains - 2, lane, vec, operands, int8Dot ? "" : ".0")
      .str();
}

std::string lowbitModule(mlir::MLIRContext &context,
                         const nx::WeightPreset &preset,
                         const nx::PackFormat &format, int64_t m, int64_t n,
                         int64_t k) {
  lowbit::MatmulKernelSpec spec;
  spec.name = "mm";
  spec.scheme = preset.scheme;
  spec.granularity = preset.granularity;
  spec.format = format;
  spec.m = m;
  spec.n = n;
  spec.k = k;
  spec.dynamicInt8Activations = preset.dynamicInt8Activations;
  spec.bf16Activations = preset.bf16Activations;
  return lowbit::getMatmulKernelSource(context, spec);
}

/// The weights of one kernel kind at one [N, K]: the parts of one copy (the
/// packed data and parameter arrays, each 64-byte aligned inside one
/// allocation), replicated `copies` times for the cold runs.
struct WeightSet {
  std::string kernel;
  int64_t n = 0, k = 0;
  std::vector<size_t> partBytes;
  size_t copyBytes = 0; ///< sum of partBytes (what a call must read)
  std::vector<Buffer> copies;
  size_t cursor = 0; ///< next cold copy

  /// Pointers to the parts of copy `i`.
  std::vector<void *> parts(size_t i) {
    std::vector<void *> result;
    uint8_t *base = copies[i].as<uint8_t>();
    size_t offset = 0;
    for (size_t bytes : partBytes) {
      result.push_back(base + offset);
      offset += (bytes + 63) / 64 * 64;
    }
    return result;
  }

  /// Checking: the dequantized weight element (n, k).
  std::function<float(int64_t, int64_t)> weightAt;
  /// Kept for weightAt.
  std::shared_ptr<nx::QuantizedTensor> quantized;
  std::shared_ptr<std::vector<float>> fp32;
};

void allocateCopies(WeightSet &set, const std::vector<const void *> &sources,
                    int64_t coldBytes) {
  size_t layoutBytes = 0;
  for (size_t bytes : set.partBytes) {
    layoutBytes += (bytes + 63) / 64 * 64;
    set.copyBytes += bytes;
  }
  int64_t count = std::max<int64_t>(
      2, (coldBytes + int64_t(set.copyBytes) - 1) / int64_t(set.copyBytes));
  for (int64_t c = 0; c < count; ++c) {
    set.copies.emplace_back(layoutBytes);
    uint8_t *base = set.copies.back().as<uint8_t>();
    size_t offset = 0;
    for (auto [bytes, source] : llvm::zip(set.partBytes, sources)) {
      std::memcpy(base + offset, source, bytes);
      offset += (bytes + 63) / 64 * 64;
    }
  }
}

std::unique_ptr<WeightSet> makeFp32Set(const std::string &kernel,
                                       const std::vector<float> &values,
                                       int64_t n, int64_t k,
                                       int64_t coldBytes) {
  auto set = std::make_unique<WeightSet>();
  set->kernel = kernel;
  set->n = n;
  set->k = k;
  set->partBytes = {size_t(n * k) * sizeof(float)};
  allocateCopies(*set, {values.data()}, coldBytes);
  const float *w = set->copies[0].as<float>();
  set->weightAt = [w, k](int64_t row, int64_t col) { return w[row * k + col]; };
  return set;
}

/// Radix superblocks: the packed words and the parameter bytes
/// (SuperblockRadix.h), checked against their reference dequantization.
std::unique_ptr<WeightSet> makeSuperblockSet(const nx::WeightPreset &preset,
                                             const nx::PackFormat &format,
                                             const std::vector<float> &values,
                                             int64_t n, int64_t k,
                                             int64_t coldBytes) {
  auto set = std::make_unique<WeightSet>();
  set->kernel = preset.name;
  set->n = n;
  set->k = k;
  nx::SuperblockFormat superblock = nx::getSuperblockFormat(format);
  auto tensor =
      nx::quantizeSuperblockTensor(values, n, k, preset.scheme, superblock);
  auto dequantized =
      tensor ? nx::dequantizeSuperblockTensor(tensor->words, tensor->params, n,
                                              k, preset.scheme, superblock)
             : nx::Result<std::vector<float>>(tensor.error());
  if (!dequantized) {
    std::fprintf(stderr, "quantizing for %s failed: %s\n", preset.name,
                 dequantized.error().message.c_str());
    std::exit(1);
  }
  set->partBytes = {tensor->words.size() * 4, tensor->params.size()};
  allocateCopies(*set, {tensor->words.data(), tensor->params.data()},
                 coldBytes);
  set->fp32 = std::make_shared<std::vector<float>>(std::move(*dequantized));
  const float *w = set->fp32->data();
  set->weightAt = [w, k](int64_t row, int64_t col) { return w[row * k + col]; };
  return set;
}

std::unique_ptr<WeightSet> makeQuantizedSet(const nx::WeightPreset &preset,
                                            const nx::PackFormat &format,
                                            const std::vector<float> &values,
                                            int64_t n, int64_t k,
                                            int64_t coldBytes) {
  if (format.kind == nx::PackKind::RadixSuperblock)
    return makeSuperblockSet(preset, format, values, n, k, coldBytes);
  auto set = std::make_unique<WeightSet>();
  set->kernel = preset.name;
  set->n = n;
  set->k = k;
  std::vector<int64_t> shape = {n, k};
  auto quantized =
      nx::quantizeTensor(values, shape, preset.scheme, preset.granularity);
  if (!quantized) {
    std::fprintf(stderr, "quantizing for %s failed: %s\n", preset.name,
                 quantized.error().message.c_str());
    std::exit(1);
  }
  set->quantized = std::make_shared<nx::QuantizedTensor>(std::move(*quantized));
  const nx::QuantizedTensor &q = *set->quantized;

  // Packed rows (or panels).
  int64_t units = nx::packedUnitsPerRow(format, k);
  std::vector<uint8_t> bytes;
  std::vector<uint32_t> words;
  llvm::ArrayRef<uint8_t> codes = q.codes;
  if (nx::isPanelFormat(format)) {
    bytes.assign(nx::panelCount(n) * units, 0);
    nx::packPanels(format, codes, n, k, bytes);
  } else if (nx::unitBits(format) == 32) {
    words.assign(n * units, 0);
    for (int64_t row = 0; row < n; ++row)
      nx::packRow(
          format, codes.slice(row * k, k),
          llvm::MutableArrayRef<uint32_t>(words).slice(row * units, units));
  } else {
    bytes.assign(n * units, 0);
    for (int64_t row = 0; row < n; ++row)
      nx::packRow(
          format, codes.slice(row * k, k),
          llvm::MutableArrayRef<uint8_t>(bytes).slice(row * units, units));
  }
  std::vector<const void *> sources;
  if (!words.empty()) {
    sources.push_back(words.data());
    set->partBytes.push_back(words.size() * 4);
  } else {
    sources.push_back(bytes.data());
    set->partBytes.push_back(bytes.size());
  }

  // Parameters in their storage type.
  bool half = preset.scheme.paramStorage == nx::ParamStorage::F16;
  std::vector<uint16_t> halfScales, halfMins;
  if (half) {
    for (float s : q.scales)
      halfScales.push_back(nx::floatToHalfBits(s));
    for (float m : q.mins)
      halfMins.push_back(nx::floatToHalfBits(m));
  }
  size_t paramBytes = q.scales.size() * (half ? 2 : 4);
  sources.push_back(half ? (const void *)halfScales.data()
                         : (const void *)q.scales.data());
  set->partBytes.push_back(paramBytes);
  if (preset.scheme.form == nx::ParamForm::Affine) {
    sources.push_back(q.zeroPoints.data());
    set->partBytes.push_back(q.zeroPoints.size() * 4);
  }
  if (preset.scheme.form == nx::ParamForm::MinScale) {
    sources.push_back(half ? (const void *)halfMins.data()
                           : (const void *)q.mins.data());
    set->partBytes.push_back(paramBytes);
  }
  allocateCopies(*set, sources, coldBytes);

  auto quantizer = nx::Quantizer::create(preset.scheme);
  auto shared = std::make_shared<nx::Quantizer>(std::move(*quantizer));
  nx::Granularity granularity = preset.granularity;
  const nx::QuantizedTensor *qt = set->quantized.get();
  set->weightAt = [shared, granularity, qt, n, k](int64_t row, int64_t col) {
    int64_t index = row * k + col;
    return shared->dequantize(
        qt->codeValue(index),
        qt->params(nx::getParamIndex({n, k}, granularity, index)));
  };
  return set;
}

/// One (weights, M, threads) kernel with its compiled code and buffers.
struct Instance {
  WeightSet *weights;
  int64_t m;
  /// OpenMP threads of its calls.
  int threads = 1;
  std::shared_ptr<lowbit::JitModule> jit;
  void *function = nullptr;
  bool cxx = false;
  std::vector<float> x, out;

  void call(size_t copy) {
#ifdef LOWBIT_BENCH_OPENMP
    omp_set_num_threads(threads);
#endif
    std::vector<void *> parts = weights->parts(copy);
    if (cxx) {
      static const bool avx2 =
          __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
      (avx2 ? fp32MatmulAvx2
            : fp32MatmulScalar)(x.data(), static_cast<const float *>(parts[0]),
                                out.data(), m, weights->n, weights->k);
      return;
    }
    using P = void *;
    switch (parts.size()) {
    case 1:
      reinterpret_cast<int (*)(P, P, P)>(function)(x.data(), parts[0],
                                                   out.data());
      break;
    case 2:
      reinterpret_cast<int (*)(P, P, P, P)>(function)(x.data(), parts[0],
                                                      parts[1], out.data());
      break;
    case 3:
      reinterpret_cast<int (*)(P, P, P, P, P)>(function)(
          x.data(), parts[0], parts[1], parts[2], out.data());
      break;
    default:
      std::fprintf(stderr, "unexpected argument count\n");
      std::exit(1);
    }
  }

  double flops() const { return 2.0 * double(m) * weights->n * weights->k; }

  // Per-round results.
  std::vector<double> hotSeconds, coldSeconds;
};

/// Checks a few outputs against a double-precision dot product over the
/// dequantized weights (a sanity check; the exhaustive one is the
/// LowbitKernelTests unit test).
bool check(Instance &instance) {
  instance.call(0);
  WeightSet &w = *instance.weights;
  int64_t rows[] = {0, instance.m - 1};
  int64_t cols[] = {0, 1, w.n / 2, w.n - 1};
  // bf16 activations: against the products of the rounded activations.
  const nx::WeightPreset *checked = nx::findWeightPreset(w.kernel);
  bool bf16 = checked && checked->bf16Activations;
  double worst = 0;
  for (int64_t r : rows)
    for (int64_t c : cols) {
      double exact = 0, magnitude = 0;
      for (int64_t k = 0; k < w.k; ++k) {
        float x = instance.x[r * w.k + k];
        double product =
            double(bf16 ? nx::roundToBf16(x) : x) * w.weightAt(c, k);
        exact += product;
        magnitude += std::fabs(product);
      }
      double err = std::fabs(instance.out[r * w.n + c] - exact) /
                   std::max(magnitude, 1e-30);
      worst = std::max(worst, err);
    }
  // Dynamic int8 activations add the activation quantization error (~2^-8
  // relative per element).
  bool dynamic = checked && checked->dynamicInt8Activations;
  if (worst > (dynamic ? 3e-2 : 1e-4)) {
    std::fprintf(stderr,
                 "CHECK FAILED: %s M=%lld %lldx%lld: relative error "
                 "%.3g\n",
                 w.kernel.c_str(), (long long)instance.m, (long long)w.n,
                 (long long)w.k, worst);
    return false;
  }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "lowbit-bench-matmul: hot and cold matmul "
                              "kernels against fp32 and DRAM bandwidth\n");
  std::vector<std::pair<int64_t, int64_t>> sizes;
  std::vector<std::string> sizeNames(sizesOpt.begin(), sizesOpt.end());
  if (sizeNames.empty())
    sizeNames = quick ? std::vector<std::string>{"4096x4096"}
                      : std::vector<std::string>{"4096x4096", "11008x4096"};
  for (const std::string &name : sizeNames) {
    auto [a, b] = llvm::StringRef(name).split('x');
    int64_t n = 0, k = 0;
    if (a.getAsInteger(10, n) || b.getAsInteger(10, k) || n < 1 || k < 1) {
      std::fprintf(stderr, "bad --sizes entry '%s' (expected NxK)\n",
                   name.c_str());
      return 1;
    }
    sizes.push_back({n, k});
  }
  std::vector<int64_t> ms(msOpt.begin(), msOpt.end());
  if (ms.empty())
    ms = quick ? std::vector<int64_t>{1} : std::vector<int64_t>{1, 8, 64};
  std::vector<std::string> kernels(kernelsOpt.begin(), kernelsOpt.end());
  if (kernels.empty())
    kernels = {"fp32",         "fp32-c++",     "w8",      "w4g32",
               "w3g64",        "w2g32",        "c11g128", "w3a8-dynamic",
               "w2a8-dynamic", "c11a8-dynamic"};
  for (const std::string &kernel : kernels)
    if (kernel != "fp32" && kernel != "fp32-c++" &&
        !nx::findWeightPreset(kernel)) {
      std::fprintf(stderr, "unknown kernel '%s'\n", kernel.c_str());
      return 1;
    }
  int rounds = roundsOpt > 0 ? int(roundsOpt) : quick ? 2 : 3;
  double minTime = (minTimeOpt > 0 ? double(minTimeOpt)
                    : quick        ? 50
                                   : 150) *
                   1e-3;
  int64_t coldBytes = std::max<int64_t>(256, coldMiBOpt) << 20;
  std::vector<int> threadCounts(threadsOpt.begin(), threadsOpt.end());
  if (threadCounts.empty())
    threadCounts = {1};
  for (int &threads : threadCounts) {
#ifdef LOWBIT_BENCH_OPENMP
    if (threads == 0)
      threads = omp_get_max_threads();
#else
    if (threads != 1) {
      std::fprintf(stderr, "built without libomp: only --thread-counts=1\n");
      return 1;
    }
#endif
    if (threads < 1) {
      std::fprintf(stderr, "bad --thread-counts entry %d\n", threads);
      return 1;
    }
  }

  // Weights and kernels.
  mlir::MLIRContext context;
  {
    mlir::DialectRegistry registry;
    lowbit::registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }
  std::vector<std::unique_ptr<WeightSet>> sets;
  std::vector<std::unique_ptr<Instance>> instances;
  Random random{42};
  double compileSeconds = 0, prepareSeconds = 0;
  bool allChecked = true;
  for (auto [n, k] : sizes) {
    auto start = Clock::now();
    // Weights ~ U(-1, 1) * 0.02 with rare outliers (what quantization sees).
    std::vector<float> values(n * k);
    for (float &v : values) {
      uint64_t r = random.next();
      float x = float(r >> 40) * 0x1p-23f - 1.0f;
      v = ((r & 0x3FF) == 7 ? 6.0f : 1.0f) * 0.02f * x;
    }
    for (const std::string &kernel : kernels) {
      const nx::WeightPreset *preset = nx::findWeightPreset(kernel);
      // One weight set per packing format (dynamic int8 presets pack in
      // panels from nx::kPanelMinRows rows on, as lowbit-quantize does).
      std::map<nx::PackKind, WeightSet *> setsByFormat;
      int64_t rows = n, depth = k; // not the structured bindings (C++17)
      auto setFor = [&](int64_t m) {
        nx::PackFormat format =
            preset ? nx::getPresetFormat(*preset, m) : nx::PackFormat();
        WeightSet *&set = setsByFormat[format.kind];
        if (!set) {
          if (kernel == "fp32" || kernel == "fp32-c++")
            sets.push_back(makeFp32Set(kernel, values, rows, depth, coldBytes));
          else
            sets.push_back(makeQuantizedSet(*preset, format, values, rows,
                                            depth, coldBytes));
          set = sets.back().get();
        }
        return std::make_pair(set, format);
      };
      for (int64_t m : ms) {
        auto [set, format] = setFor(m);
        prepareSeconds += seconds(start, Clock::now());
        std::vector<float> x(m * k);
        for (float &v : x)
          v = random.uniform();
        std::shared_ptr<lowbit::JitModule> jit;
        void *function = nullptr;
        if (kernel != "fp32-c++") {
          auto compileStart = Clock::now();
          std::string source = kernel == "fp32" ? fp32Module(m, n, k)
                                                : lowbitModule(context, *preset,
                                                               format, m, n, k);
          std::string error;
          lowbit::JitOptions options;
          options.int8Dot = int8DotOpt;
          options.cpu = cpuOpt;
          auto compiled =
              lowbit::compileForHost(context, source, error, options);
          if (mlir::failed(compiled)) {
            std::fprintf(stderr, "%s\n%s\n", error.c_str(), source.c_str());
            return 1;
          }
          jit = std::move(*compiled);
          function = jit->lookup("lowbit_mm");
          compileSeconds += seconds(compileStart, Clock::now());
        }
        // The same code at each thread count (the C++ kernel has one).
        for (int threads : threadCounts) {
          if (kernel == "fp32-c++" && threads != threadCounts.front())
            continue;
          auto instance = std::make_unique<Instance>();
          instance->weights = set;
          instance->m = m;
          instance->threads = threads;
          instance->x = x;
          instance->out.assign(m * n, 0.0f);
          instance->cxx = kernel == "fp32-c++";
          instance->jit = jit;
          instance->function = function;
          if (!noCheck)
            allChecked &= check(*instance);
          instances.push_back(std::move(instance));
        }
        start = Clock::now();
      }
    }
  }
  Buffer probe(512ull << 20);
  for (size_t i = 0; i < probe.bytes / 8; ++i)
    probe.as<uint64_t>()[i] = i;
  using PeakFunction = int(const void *, void *);
  std::string peakError;
  auto fmaPeakJit =
      lowbit::compileForHost(context, peakModule(Peak::Fma), peakError);
  auto dotPeakJit =
      lowbit::compileForHost(context, peakModule(Peak::DotI8), peakError);
  if (mlir::failed(fmaPeakJit) || mlir::failed(dotPeakJit)) {
    std::fprintf(stderr, "%s\n", peakError.c_str());
    return 1;
  }
  auto *fmaPeak = (*fmaPeakJit)->lookupAs<PeakFunction>("lowbit_peak");
  auto *dotPeak = (*dotPeakJit)->lookupAs<PeakFunction>("lowbit_peak");
  uint32_t peakSeed[kPeakLanes] = {}, peakOut[kPeakLanes];
  // What the dot-product probe compiled to (the JIT's host choice).
  std::string hostInt8Dot = "unknown";
  lowbit::TargetOptions hostOptions;
  hostOptions.triple = llvm::sys::getProcessTriple();
  hostOptions.cpu = "native";
  if (std::unique_ptr<llvm::TargetMachine> host =
          lowbit::createTargetMachine(hostOptions, peakError))
    hostInt8Dot = lowbit::getLowerToLLVMOptions(*host).int8Dot;
  // The bf16 probe only where the CPU has vdpbf16ps.
  PeakFunction *bf16Peak = nullptr;
  std::unique_ptr<lowbit::JitModule> bf16PeakJit;
  if (std::unique_ptr<llvm::TargetMachine> host =
          lowbit::createTargetMachine(hostOptions, peakError);
      host && lowbit::getLowerToLLVMOptions(*host).bf16Dot == "avx512-bf16") {
    auto jit =
        lowbit::compileForHost(context, peakModule(Peak::DotBf16), peakError);
    if (mlir::failed(jit)) {
      std::fprintf(stderr, "%s\n", peakError.c_str());
      return 1;
    }
    bf16PeakJit = std::move(*jit);
    bf16Peak = bf16PeakJit->lookupAs<PeakFunction>("lowbit_peak");
  }

  size_t coldTotal = 0;
  for (auto &set : sets)
    coldTotal += set->copies.size() * set->copyBytes;
  std::printf("lowbit-bench-matmul: %zu kernels, %d rounds, >= %.0f ms per "
              "measurement, cold sets >= %lld MiB each (%.1f GiB total); "
              "setup %.1f s, JIT %.1f s; outputs %s\n",
              instances.size(), rounds, minTime * 1e3,
              (long long)(coldBytes >> 20), coldTotal / double(1ull << 30),
              prepareSeconds, compileSeconds,
              noCheck      ? "not checked"
              : allChecked ? "checked"
                           : "WRONG");
  if (hugePages)
    std::printf("--huge-pages: %.0f MiB of the process's memory is on "
                "transparent huge pages\n",
                anonHugePageMiB());
  std::fflush(stdout);

  // Round-robin.
  auto threadCpuSeconds = [] {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
  };
  double cpuStart = threadCpuSeconds();
  auto wallStart = Clock::now();
  std::vector<double> probeGBs, pagesAheadGBs, peakGFLOPS, dotPeakGOPS,
      bf16PeakGFLOPS;
  volatile uint64_t sink = 0;
  for (int round = 0; round < rounds; ++round) {
    touchPages(probe.as<uint8_t>(), probe.bytes);
    auto start = Clock::now();
    sink = sink + sumWords<false>(probe.as<uint64_t>(), probe.bytes / 8);
    probeGBs.push_back(probe.bytes / seconds(start, Clock::now()) * 1e-9);
    touchPages(probe.as<uint8_t>(), probe.bytes);
    start = Clock::now();
    sink = sink + sumWords<true>(probe.as<uint64_t>(), probe.bytes / 8);
    pagesAheadGBs.push_back(probe.bytes / seconds(start, Clock::now()) *
                            1e-9);
    start = Clock::now();
    fmaPeak(peakSeed, peakOut);
    peakGFLOPS.push_back(kFmaStepOps * kPeakChains * kPeakIterations /
                         seconds(start, Clock::now()) * 1e-9);
    start = Clock::now();
    dotPeak(peakSeed, peakOut);
    dotPeakGOPS.push_back(kDotI8StepOps * kPeakChains * kPeakIterations /
                          seconds(start, Clock::now()) * 1e-9);
    if (bf16Peak) {
      start = Clock::now();
      bf16Peak(peakSeed, peakOut);
      bf16PeakGFLOPS.push_back(kBf16StepOps * kPeakChains * kPeakIterations /
                               seconds(start, Clock::now()) * 1e-9);
    }
    for (auto &instance : instances) {
      WeightSet &w = *instance->weights;
      for (Buffer &copy : w.copies)
        touchPages(copy.as<uint8_t>(), copy.bytes);
      if (!noHot) {
        // A warm-up call; kernels slower than the minimum time (compute
        // bound, so warm or not makes no difference) are timed by it alone.
        auto warm = Clock::now();
        instance->call(0);
        double warmSeconds = seconds(warm, Clock::now());
        if (warmSeconds >= minTime) {
          instance->hotSeconds.push_back(warmSeconds);
        } else {
          int calls = 0;
          auto begin = Clock::now();
          double elapsed = 0;
          do {
            instance->call(0);
            ++calls;
            elapsed = seconds(begin, Clock::now());
          } while (elapsed < minTime || calls < 2);
          instance->hotSeconds.push_back(elapsed / calls);
        }
      }
      // Cold: keep cycling through the copies across rounds; between two uses
      // of a copy the other copies (>= 256 MiB) have flushed it from cache.
      int calls = 0;
      auto begin = Clock::now();
      double elapsed = 0;
      do {
        w.cursor = (w.cursor + 1) % w.copies.size();
        if (w.cursor == 0 && w.copies.size() > 1)
          w.cursor = 1; // copy 0 is the hot one
        instance->call(w.cursor);
        ++calls;
        elapsed = seconds(begin, Clock::now());
      } while (elapsed < minTime);
      instance->coldSeconds.push_back(elapsed / calls);
    }
    std::fprintf(stderr, "round %d/%d done (probe %.1f GB/s)\n", round + 1,
                 rounds, probeGBs.back());
  }

  double cpuShare =
      (threadCpuSeconds() - cpuStart) / seconds(wallStart, Clock::now());

  // Table.
  auto findBaseline = [&](const Instance &of, llvm::StringRef kernel) {
    for (auto &other : instances)
      if (other->weights->kernel == kernel && other->m == of.m &&
          (kernel == "fp32-c++" || other->threads == of.threads) &&
          other->weights->n == of.weights->n &&
          other->weights->k == of.weights->k)
        return other.get();
    return (Instance *)nullptr;
  };
  auto ratioMedian = [](const std::vector<double> &num,
                        const std::vector<double> &den) {
    std::vector<double> ratios;
    for (size_t i = 0; i < num.size() && i < den.size(); ++i)
      ratios.push_back(num[i] / den[i]);
    return median(ratios);
  };
  std::printf("\nDRAM read probe (sum over 512 MiB, 1 thread): %s; the "
              "benchmark thread was on a CPU %.0f%% of the measured wall "
              "time%s\n",
              describeSpread(probeGBs, "GB/s").c_str(), 100.0 * cpuShare,
              cpuShare < 0.95 ? " (other load: times are inflated)" : "");
  std::printf("DRAM read probe touching each page 16 KiB ahead (as the GEMV "
              "kernels do; the %%probe column stays against the plain sum): "
              "%s\n",
              describeSpread(pagesAheadGBs, "GB/s").c_str());
  std::printf("f32 multiply-add peak (%lld independent 16-lane vector.fma "
              "chains, JIT for this CPU, 1 thread): %s\n",
              (long long)kPeakChains,
              describeSpread(peakGFLOPS, "GFLOPS").c_str());
  std::printf("int8 dot-product peak (%lld independent chains of "
              "lowbit.dot_i8 on 64 bytes, %s, JIT for this CPU, 1 thread): "
              "%s\n\n",
              (long long)kPeakChains, hostInt8Dot.c_str(),
              describeSpread(dotPeakGOPS, "GOPS").c_str());
  if (bf16Peak)
    std::printf("bf16 dot-product peak (%lld independent chains of vdpbf16ps "
                "on 32 bf16 pairs, JIT for this CPU, 1 thread): %s\n\n",
                (long long)kPeakChains,
                describeSpread(bf16PeakGFLOPS, "GFLOPS").c_str());
  else
    std::printf("bf16 dot-product peak: this CPU has no AVX512-BF16 "
                "(vdpbf16ps); no bf16 probe\n\n");
  std::printf(
      "%-10s %-12s %3s %2s %9s | %10s %8s %8s | %10s %8s %8s %7s %6s %6s "
      "%6s | %9s %9s\n",
      "NxK", "kernel", "M", "T", "MiB", "hot us", "GB/s", "GFLOPS", "cold us",
      "GB/s", "GFLOPS", "%probe", "%fma", "%dot", "%bf16", "x fp32",
      "x fp32c++");
  std::string rule(159, '-');
  std::printf("%s\n", rule.c_str());
  std::pair<int64_t, int64_t> lastSize = {0, 0};
  for (auto &instance : instances) {
    WeightSet &w = *instance->weights;
    if (lastSize != std::make_pair(w.n, w.k) && lastSize.first != 0)
      std::printf("%s\n", rule.c_str());
    lastSize = {w.n, w.k};
    double hot = median(instance->hotSeconds);
    double cold = median(instance->coldSeconds);
    std::vector<double> coldGBs, fractions, peakFractions, dotFractions,
        bf16Fractions;
    for (size_t r = 0; r < instance->coldSeconds.size(); ++r) {
      double gbs = w.copyBytes / instance->coldSeconds[r] * 1e-9;
      fractions.push_back(gbs / probeGBs[r]);
      double gflops = instance->flops() / instance->coldSeconds[r] * 1e-9;
      peakFractions.push_back(gflops / peakGFLOPS[r]);
      dotFractions.push_back(gflops / dotPeakGOPS[r]);
      if (bf16Peak)
        bf16Fractions.push_back(gflops / bf16PeakGFLOPS[r]);
    }
    // Against the int8 peak only where the products are int8 dot products.
    const nx::WeightPreset *preset = nx::findWeightPreset(w.kernel);
    std::string dotShare =
        preset && preset->dynamicInt8Activations
            ? llvm::formatv("{0:f0}%", 100.0 * median(dotFractions)).str()
            : "-";
    std::string bf16Share =
        preset && preset->bf16Activations && bf16Peak
            ? llvm::formatv("{0:f0}%", 100.0 * median(bf16Fractions)).str()
            : "-";
    Instance *fp32 = findBaseline(*instance, "fp32");
    Instance *cxx = findBaseline(*instance, "fp32-c++");
    std::string size = llvm::formatv("{0}x{1}", w.n, w.k);
    std::printf(
        "%-10s %-12s %3lld %2d %9.2f | %10.1f %8.2f %8.2f | %10.1f %8.2f "
        "%8.2f %6.1f%% %5.0f%% %6s %6s | %9s %9s\n",
        size.c_str(), w.kernel.c_str(), (long long)instance->m,
        instance->threads, w.copyBytes / double(1 << 20), hot * 1e6,
        w.copyBytes / hot * 1e-9, instance->flops() / hot * 1e-9, cold * 1e6,
        w.copyBytes / cold * 1e-9, instance->flops() / cold * 1e-9,
        100.0 * median(fractions), 100.0 * median(peakFractions),
        dotShare.c_str(), bf16Share.c_str(),
        fp32 ? llvm::formatv("{0:f2}", ratioMedian(fp32->coldSeconds,
                                                   instance->coldSeconds))
                   .str()
                   .c_str()
             : "-",
        cxx ? llvm::formatv("{0:f2}", ratioMedian(cxx->coldSeconds,
                                                  instance->coldSeconds))
                  .str()
                  .c_str()
            : "-");
  }
  std::printf(
      "\nGB/s = (packed weight + parameter bytes) / time; GFLOPS = 2 M "
      "N K / time; %%probe = cold GB/s / the same round's probe; %%fma = "
      "cold GFLOPS / the same round's multiply-add peak; %%dot = the same "
      "against the int8 dot-product peak (int8-activation kernels); %%bf16 "
      "the same against the bf16 dot-product peak (bf16-activation "
      "kernels); x fp32 "
      "= cold time of fp32 (lowbit pipeline, linalg.matmul) / cold "
      "time; x fp32c++ = the same against the C++ AVX2 fp32 kernel. "
      "Medians over %d rounds. T = threads (%%probe and %%fma are against "
      "one-thread probes).\n",
      rounds);

  // Speedups over the first thread count, per round.
  if (threadCounts.size() > 1) {
    std::printf("\nSpeedup over %d thread(s): time at %d / time at T in "
                "the same round, min and median over %d rounds\n",
                threadCounts.front(), threadCounts.front(), rounds);
    std::printf("%-10s %-9s %3s %2s | %9s %9s | %9s %9s\n", "NxK", "kernel",
                "M", "T", "hot min", "hot med", "cold min", "cold med");
    for (auto &instance : instances) {
      if (instance->threads == threadCounts.front())
        continue;
      Instance *first = nullptr;
      for (auto &other : instances)
        if (other->jit == instance->jit &&
            other->threads == threadCounts.front())
          first = other.get();
      if (!first || !instance->jit)
        continue;
      auto ratios = [](const std::vector<double> &num,
                       const std::vector<double> &den) {
        std::vector<double> result;
        for (size_t i = 0; i < num.size() && i < den.size(); ++i)
          result.push_back(num[i] / den[i]);
        return result;
      };
      std::vector<double> hot = ratios(first->hotSeconds, instance->hotSeconds);
      std::vector<double> cold =
          ratios(first->coldSeconds, instance->coldSeconds);
      auto minimum = [](const std::vector<double> &v) {
        return v.empty() ? std::nan("") : *std::min_element(v.begin(), v.end());
      };
      WeightSet &w = *instance->weights;
      std::string size = llvm::formatv("{0}x{1}", w.n, w.k);
      std::printf("%-10s %-9s %3lld %2d | %9.2f %9.2f | %9.2f %9.2f\n",
                  size.c_str(), w.kernel.c_str(), (long long)instance->m,
                  instance->threads, minimum(hot), median(hot), minimum(cold),
                  median(cold));
    }
  }
  return allChecked ? 0 : 2;
}

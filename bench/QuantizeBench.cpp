//===- QuantizeBench.cpp - Quantize + pack throughput ---------------------===//
//
// lowbit-bench-quantize: quantizes and packs a 4096 x 11008 fp32 weight
// matrix (W[N, K], groups along K) with the numerics library for several
// presets, with 1 and 2 threads, and prints GB/s of fp32 input next to a
// baseline measured in the same run (a plain read of the same matrix with the
// same thread count), plus the packed size (codes and parameters as the
// compiled model stores them, as lowbitc counts them), SQNR and peak RSS.
// Superblock presets (c11s128) go through quantizeSuperblockTensor, as the
// pipeline quantizes them, which packs the words too and runs on one thread.
//
// Usage: lowbit-bench-quantize [--rows N] [--cols K] [--reps R] [--threads a,b]
//                              [--preset NAME]
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/ErrorMetrics.h"
#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/Presets.h"
#include "lowbit/Numerics/Quantize.h"
#include "lowbit/Numerics/SuperblockRadix.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace lowbit::numerics;

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

/// Deterministic normal-ish data: sum of 4 uniforms (Irwin-Hall) from a
/// splitmix64 stream, scaled to unit variance, with a few outliers like real
/// weights.
std::vector<float> makeMatrix(int64_t n, uint64_t seed) {
  std::vector<float> v(n);
  uint64_t s = seed;
  auto next = [&] {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  for (int64_t i = 0; i < n; ++i) {
    uint64_t r = next();
    float sum = 0;
    for (int j = 0; j < 4; ++j)
      sum += float((r >> (16 * j)) & 0xFFFF) * (1.0f / 65536.0f);
    float x = (sum - 2.0f) * 1.7320508f; // var of sum of 4 U(0,1) = 1/3
    if ((r & 0x3FF) == 7)
      x *= 6.0f; // ~0.1% outliers
    v[i] = x * 0.02f;
  }
  return v;
}

long peakRssKiB() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss; // KiB on Linux
}

/// Resets the kernel's peak-RSS counter (VmHWM) if supported; returns whether
/// it worked. getrusage's ru_maxrss cannot be reset, so per-preset peaks are
/// read from /proc/self/status.
bool resetPeakRss() {
  std::ofstream f("/proc/self/clear_refs");
  if (!f)
    return false;
  f << "5";
  f.flush();
  return bool(f);
}
long vmHwmKiB() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0)
      return std::atol(line.c_str() + 6);
  return -1;
}

template <typename Fn> void parallelRows(int64_t rows, unsigned threads, Fn fn) {
  if (threads <= 1) {
    fn(int64_t(0), rows);
    return;
  }
  std::vector<std::thread> pool;
  int64_t per = (rows + threads - 1) / threads;
  for (unsigned t = 0; t < threads; ++t) {
    int64_t b = t * per, e = std::min(rows, b + per);
    if (b < e)
      pool.emplace_back(fn, b, e);
  }
  for (auto &th : pool)
    th.join();
}

/// Baseline: read every float once (sum), split by rows like the presets.
double readBaseline(const std::vector<float> &m, int64_t rows, int64_t cols,
                    unsigned threads, double &sink) {
  std::vector<double> partial(threads > 0 ? threads : 1, 0.0);
  auto t0 = Clock::now();
  int64_t per = (rows + threads - 1) / std::max(1u, threads);
  parallelRows(rows, threads, [&](int64_t b, int64_t e) {
    float acc[16] = {};
    const float *p = m.data() + b * cols;
    int64_t n = (e - b) * cols;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
      for (int j = 0; j < 16; ++j)
        acc[j] += p[i + j];
    for (; i < n; ++i)
      acc[0] += p[i];
    double s = 0;
    for (float a : acc)
      s += a;
    partial[per > 0 ? b / per : 0] = s;
  });
  auto t1 = Clock::now();
  for (double d : partial)
    sink += d;
  return seconds(t0, t1);
}

using Preset = WeightPreset;

/// The pipeline's presets, plus plain (non-interleaved) int4 for comparison.
std::vector<Preset> presets() {
  std::vector<Preset> out(getWeightPresets().begin(), getWeightPresets().end());
  Preset plain = *findWeightPreset("w4g32");
  plain.name = "w4g32p";
  plain.description = "w4g32 packed as plain int4 nibbles";
  plain.format.kind = PackKind::Int4;
  out.insert(out.begin() + 2, plain);
  return out;
}

struct RunResult {
  double seconds = 0;
  double quantSeconds = 0;
  int64_t packedBytes = 0; ///< codes + parameters
  bool ok = false;
  QuantizedTensor tensor;
  SuperblockTensor superblock; ///< for superblock presets instead of tensor
};

/// Bytes of the parameters of `t` as the packed weight stores them: scales
/// (and mins) in the scheme's storage type, zero points as i32.
int64_t paramBytes(const Preset &p, const QuantizedTensor &t) {
  int64_t perValue = p.scheme.paramStorage == ParamStorage::F16 ? 2 : 4;
  int64_t bytes = int64_t(t.scales.size()) * perValue;
  if (p.scheme.form == ParamForm::MinScale)
    bytes += int64_t(t.mins.size()) * perValue;
  if (p.scheme.form == ParamForm::Affine)
    bytes += int64_t(t.zeroPoints.size()) * 4;
  return bytes;
}

/// Quantizes and packs in radix superblocks: words and parameter bytes.
RunResult quantizeSuperblocks(const Preset &p, const std::vector<float> &m,
                              int64_t rows, int64_t cols) {
  RunResult r;
  auto t0 = Clock::now();
  Result<SuperblockTensor> q = quantizeSuperblockTensor(
      m, rows, cols, p.scheme, getSuperblockFormat(p.format));
  auto t1 = Clock::now();
  if (!q) {
    std::fprintf(stderr, "%s: quantization failed: %s\n", p.name,
                 q.error().message.c_str());
    return r;
  }
  r.seconds = r.quantSeconds = seconds(t0, t1);
  r.packedBytes = int64_t(q->words.size()) * 4 + int64_t(q->params.size());
  r.ok = true;
  r.superblock = std::move(*q);
  return r;
}

RunResult quantizeAndPack(const Preset &p, const std::vector<float> &m,
                          int64_t rows, int64_t cols, unsigned threads) {
  if (p.format.kind == PackKind::RadixSuperblock)
    return quantizeSuperblocks(p, m, rows, cols);
  RunResult r;
  auto t0 = Clock::now();
  Result<QuantizedTensor> q = quantizeTensor(m, {rows, cols}, p.scheme,
                                             p.granularity, {},
                                             ExecOptions{threads});
  auto t1 = Clock::now();
  if (!q) {
    std::fprintf(stderr, "%s: quantization failed: %s\n", p.name,
                 q.error().message.c_str());
    return r;
  }
  int64_t units = packedUnitsPerRow(p.format, cols);
  const std::vector<uint8_t> &codes = q->codes;
  if (unitBits(p.format) == 8) {
    std::vector<uint8_t> packed(rows * units);
    parallelRows(rows, threads, [&](int64_t b, int64_t e) {
      for (int64_t row = b; row < e; ++row)
        packRow(p.format, llvm::ArrayRef<uint8_t>(codes).slice(row * cols, cols),
                llvm::MutableArrayRef<uint8_t>(packed.data() + row * units, units));
    });
    r.packedBytes = int64_t(packed.size());
  } else {
    std::vector<uint32_t> packed(rows * units);
    parallelRows(rows, threads, [&](int64_t b, int64_t e) {
      for (int64_t row = b; row < e; ++row)
        packRow(p.format, llvm::ArrayRef<uint8_t>(codes).slice(row * cols, cols),
                llvm::MutableArrayRef<uint32_t>(packed.data() + row * units,
                                                units));
    });
    r.packedBytes = int64_t(packed.size()) * 4;
  }
  r.packedBytes += paramBytes(p, *q);
  auto t2 = Clock::now();
  r.seconds = seconds(t0, t2);
  r.quantSeconds = seconds(t0, t1);
  r.ok = true;
  r.tensor = std::move(*q);
  return r;
}

/// SQNR over the first `sampleRows` rows (dequantized with the reference).
double sampleSqnr(const Preset &p, const std::vector<float> &m,
                  const RunResult &run, int64_t cols, int64_t sampleRows) {
  if (p.format.kind == PackKind::RadixSuperblock) {
    SuperblockFormat format = getSuperblockFormat(p.format);
    const SuperblockTensor &t = run.superblock;
    Result<std::vector<float>> d = dequantizeSuperblockTensor(
        llvm::ArrayRef<uint32_t>(t.words).take_front(
            sampleRows * superblockWordsPerRow(format, cols)),
        llvm::ArrayRef<uint8_t>(t.params).take_front(
            sampleRows * superblockParamBytesPerRow(format, cols)),
        sampleRows, cols, p.scheme, format);
    if (!d)
      return NAN;
    return sqnrDb(llvm::ArrayRef<float>(m).take_front(sampleRows * cols), *d);
  }
  const QuantizedTensor &t = run.tensor;
  // Per-channel (axis 0) and per-group (axis 1) parameters are both
  // row-major with a fixed number per weight row.
  int64_t n = sampleRows * cols;
  std::vector<int64_t> shape = {sampleRows, cols};
  int64_t take = sampleRows * (int64_t(t.scales.size()) / t.shape[0]);
  std::vector<float> scales(t.scales.begin(), t.scales.begin() + take);
  std::vector<int32_t> zps(t.zeroPoints.begin(), t.zeroPoints.begin() + take);
  std::vector<float> mins(t.mins.begin(), t.mins.begin() + take);
  Result<std::vector<float>> d = dequantizeTensor(
      llvm::ArrayRef<uint8_t>(t.codes).take_front(n), shape, p.scheme,
      p.granularity, scales, zps, mins);
  if (!d)
    return NAN;
  return sqnrDb(llvm::ArrayRef<float>(m).take_front(n), *d);
}

} // namespace

int main(int argc, char **argv) {
  int64_t rows = 4096, cols = 11008;
  int reps = 5;
  std::vector<unsigned> threadCounts = {1, 2};
  std::string only; // --preset NAME: run one preset
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> const char * {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--rows")
      rows = std::atoll(val());
    else if (a == "--cols")
      cols = std::atoll(val());
    else if (a == "--preset")
      only = val();
    else if (a == "--reps")
      reps = std::max(1, std::atoi(val()));
    else if (a == "--threads") {
      threadCounts.clear();
      std::string s = val();
      size_t pos = 0;
      while (pos <= s.size()) {
        size_t c = s.find(',', pos);
        threadCounts.push_back(unsigned(std::atoi(s.substr(pos, c - pos).c_str())));
        if (c == std::string::npos)
          break;
        pos = c + 1;
      }
    } else {
      std::fprintf(stderr,
                   "usage: %s [--rows N] [--cols K] [--reps R] [--threads a,b] [--preset NAME]\n",
                   argv[0]);
      return 2;
    }
  }

  std::vector<float> m = makeMatrix(rows * cols, 0x10B17);
  double inputGB = double(rows) * double(cols) * 4.0 / 1e9;
  std::printf("lowbit-bench-quantize: W[%lld x %lld] fp32 (%.1f MB), best of "
              "%d, hardware threads %u\n",
              (long long)rows, (long long)cols, inputGB * 1e3, reps,
              std::thread::hardware_concurrency());
  std::printf("GB/s = fp32 input bytes / (quantizeTensor + packRow of all rows)"
              "; ratio = GB/s / read-baseline GB/s (same threads, same run)"
              "; packed = codes + parameters, bits/w = 8 packed / weights\n\n");

  double sink = 0;
  // Baselines per thread count (best of reps, plus a warm-up).
  std::vector<double> baseGBs;
  for (unsigned t : threadCounts) {
    double best = 1e30;
    readBaseline(m, rows, cols, t, sink);
    for (int r = 0; r < reps; ++r)
      best = std::min(best, readBaseline(m, rows, cols, t, sink));
    baseGBs.push_back(inputGB / best);
  }

  std::printf("%-9s %-7s %9s %9s %7s %9s %9s %7s %8s %10s\n", "preset",
              "threads", "GB/s", "quant%", "ratio", "base GB/s", "packed MB",
              "bits/w", "SQNR dB", "peak MB");
  std::printf("%-9s %-7s %9s %9s %7s %9s %9s %7s %8s %10s\n", "------",
              "-------", "----", "------", "-----", "---------", "---------",
              "------", "-------", "-------");
  for (size_t ti = 0; ti < threadCounts.size(); ++ti)
    std::printf("%-9s %-7u %9.2f %9s %7.2f %9.2f %9s %7s %8s %10s\n", "read",
                threadCounts[ti], baseGBs[ti], "-", 1.0, baseGBs[ti], "-", "-",
                "-", "-");

  bool perPresetPeak = resetPeakRss() && vmHwmKiB() > 0;
  for (const Preset &p : presets()) {
    if (!only.empty() && only != p.name)
      continue;
    double sqnr = NAN;
    if (perPresetPeak)
      resetPeakRss();
    for (size_t ti = 0; ti < threadCounts.size(); ++ti) {
      unsigned t = threadCounts[ti];
      RunResult best;
      best.seconds = 1e30;
      for (int r = 0; r < reps; ++r) {
        RunResult res = quantizeAndPack(p, m, rows, cols, t);
        if (!res.ok)
          return 1;
        if (res.seconds < best.seconds)
          best = std::move(res);
      }
      // Re-measure the read baseline right after (bandwidth drifts).
      double b = 1e30;
      for (int r = 0; r < 2; ++r)
        b = std::min(b, readBaseline(m, rows, cols, t, sink));
      double baseNow = std::max(baseGBs[ti], inputGB / b);
      if (std::isnan(sqnr))
        sqnr = sampleSqnr(p, m, best, cols, std::min<int64_t>(rows, 64));
      double gbs = inputGB / best.seconds;
      long peak = perPresetPeak ? vmHwmKiB() : peakRssKiB();
      std::printf(
          "%-9s %-7u %9.2f %8.0f%% %7.3f %9.2f %9.1f %7.3f %8.2f %10.1f\n",
          p.name, t, gbs, 100.0 * best.quantSeconds / best.seconds,
          gbs / baseNow, baseNow, best.packedBytes / 1e6,
          8.0 * double(best.packedBytes) / double(rows * cols), sqnr,
          peak / 1024.0);
      std::fflush(stdout);
    }
  }
  std::printf("\npresets:\n");
  for (const Preset &p : presets())
    std::printf("  %-8s %s\n", p.name, p.description);
  std::printf("peak RSS of the process (getrusage ru_maxrss): %.1f MB%s\n",
              peakRssKiB() / 1024.0,
              perPresetPeak ? "; per-preset peak from VmHWM after reset" : "");
  if (sink == 12345.678)
    std::printf("%f\n", sink);
  return 0;
}

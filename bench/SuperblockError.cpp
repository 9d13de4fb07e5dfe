//===- SuperblockError.cpp - superblock radix layout vs c11g128 -----------===//
//
// lowbit-bench-superblock: quantizes [N, K] fp32 weights (groups along K)
// with c11g128 (f16 min and scale per group of 128, 15 words per group) and
// with the superblock radix layout (two-level parameters, SuperblockRadix.h)
// and prints, per format, the bits per weight, the sum of squared errors and
// the SQNR. With OUT, writes the dequantized weights of `--format` there
// (raw f32, row-major) for fake-quant evaluation
// (bench/torch_tinylm_fakequant.py).
//
// Usage: lowbit-bench-superblock --rows N --cols K [IN.f32 [OUT.f32]]
//                                [--format c11g128|superblock] [--mse]
// Without IN: Gaussian weights (sigma 0.02, seed 0).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/ErrorMetrics.h"
#include "lowbit/Numerics/Presets.h"
#include "lowbit/Numerics/SuperblockRadix.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace lowbit::numerics;

static int fail(const std::string &message) {
  std::fprintf(stderr, "lowbit-bench-superblock: %s\n", message.c_str());
  return 1;
}

int main(int argc, char **argv) {
  int64_t rows = 0, cols = 0;
  std::string in, out, outFormat = "superblock";
  ClippingOptions clipping;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--rows" && i + 1 < argc)
      rows = std::atoll(argv[++i]);
    else if (arg == "--cols" && i + 1 < argc)
      cols = std::atoll(argv[++i]);
    else if (arg == "--format" && i + 1 < argc)
      outFormat = argv[++i];
    else if (arg == "--mse")
      clipping.method = ClipMethod::MSE;
    else if (in.empty())
      in = arg;
    else
      out = arg;
  }
  if (rows <= 0 || cols <= 0)
    return fail("--rows and --cols must be positive");
  std::vector<float> w(rows * cols);
  if (in.empty()) {
    std::mt19937 rng(0);
    std::normal_distribution<float> dist(0.0f, 0.02f);
    for (float &x : w)
      x = dist(rng);
  } else {
    std::ifstream file(in, std::ios::binary);
    if (!file.read(reinterpret_cast<char *>(w.data()), w.size() * 4))
      return fail("cannot read " + std::to_string(w.size()) + " floats from " +
                  in);
  }

  const WeightPreset &c11 = *findWeightPreset("c11g128");
  Result<QuantizedTensor> ref =
      quantizeTensor(w, {rows, cols}, c11.scheme, c11.granularity, clipping);
  if (!ref)
    return fail(ref.error().message);
  Result<std::vector<float>> refDeq =
      dequantizeTensor(*ref, c11.scheme, c11.granularity);
  double refBits =
      8.0 *
      double(packedBytesPerRow(c11.format, cols) + 4 * ((cols + 127) / 128)) /
      double(cols);

  SuperblockFormat format{11, 128};
  Result<SuperblockTensor> tight =
      quantizeSuperblockTensor(w, rows, cols, c11.scheme, format, clipping);
  if (!tight)
    return fail(tight.error().message);
  Result<std::vector<float>> tightDeq = dequantizeSuperblockTensor(
      tight->words, tight->params, rows, cols, c11.scheme, format);
  if (!tightDeq)
    return fail(tightDeq.error().message);

  auto print = [&](const char *name, double bits,
                   const std::vector<float> &deq) {
    ErrorStats stats = computeErrorStats(w, deq);
    std::printf("%-10s %5lldx%-6lld bpw %.4f  mse %.4e  sqnr %.2f dB\n", name,
                (long long)rows, (long long)cols, bits, stats.mse,
                stats.sqnrDb);
  };
  print("c11g128", refBits, *refDeq);
  print("superblock", superblockBitsPerWeight(format, cols), *tightDeq);

  if (!out.empty()) {
    const std::vector<float> &chosen =
        outFormat == "c11g128" ? *refDeq : *tightDeq;
    std::ofstream file(out, std::ios::binary);
    if (!file.write(reinterpret_cast<const char *>(chosen.data()),
                    chosen.size() * 4))
      return fail("cannot write " + out);
  }
  return 0;
}

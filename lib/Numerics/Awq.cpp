//===- Awq.cpp - activation-aware weight scaling --------------------------===//

#include "lowbit/Numerics/Awq.h"
#include "lowbit/Numerics/LayerStatistics.h"

#include <algorithm>
#include <cmath>

using namespace lowbit::numerics;

std::vector<float>
lowbit::numerics::scaleColumns(llvm::ArrayRef<float> weights, int64_t n,
                               int64_t k, llvm::ArrayRef<float> scales) {
  std::vector<float> out(weights.size());
  for (int64_t r = 0; r < n; ++r)
    for (int64_t i = 0; i < k; ++i)
      out[r * k + i] = weights[r * k + i] * scales[i];
  return out;
}

Result<AwqResult> lowbit::numerics::awqSearch(
    llvm::ArrayRef<AwqLayer> layers, int64_t k, llvm::ArrayRef<double> hessian,
    llvm::ArrayRef<float> meanAbs, const Scheme &scheme,
    const Granularity &granularity, const AwqOptions &options) {
  auto invalid = [](std::string message) {
    return QuantError{QuantError::Kind::InvalidParams, -1, std::move(message)};
  };
  if (int64_t(hessian.size()) != k * k || int64_t(meanAbs.size()) != k)
    return invalid("the input statistics are not for " + std::to_string(k) +
                   " inputs");
  for (double v : hessian)
    if (!std::isfinite(v))
      return invalid("the input statistics hold a non-finite value");
  float maxMean = 0.0f;
  for (float v : meanAbs) {
    if (!std::isfinite(v) || v < 0.0f)
      return invalid("mean |x| must be finite and >= 0");
    maxMean = std::max(maxMean, v);
  }
  if (options.gridSize == 0)
    return invalid("the alpha grid needs at least one point");
  for (const AwqLayer &layer : layers)
    if (int64_t(layer.weights.size()) != layer.n * k)
      return invalid("a weight is not [n, " + std::to_string(k) + "]");

  ExecOptions exec;
  exec.numThreads = options.numThreads;
  float floor = float(double(maxMean) * options.minMeanAbsFraction);
  if (!(floor > 0.0f))
    floor = 1.0f; // no activity at all: every scale is 1
  AwqResult best;
  for (unsigned step = 0; step < options.gridSize; ++step) {
    double alpha = double(step) / double(options.gridSize);
    std::vector<float> s(k);
    double lo = INFINITY, hi = 0.0;
    for (int64_t i = 0; i < k; ++i) {
      double v = std::pow(double(std::max(meanAbs[i], floor)), alpha);
      s[i] = float(v);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    double norm = std::sqrt(lo * hi);
    for (float &v : s)
      v = float(double(v) / norm);
    if (step == 0)
      std::fill(s.begin(), s.end(), 1.0f);
    double error = 0.0;
    for (const AwqLayer &layer : layers) {
      std::vector<float> scaled = scaleColumns(layer.weights, layer.n, k, s);
      auto quantized = quantizeTensor(scaled, {layer.n, k}, scheme, granularity,
                                      options.clipping, exec);
      if (!quantized)
        return quantized.error();
      auto approx = dequantizeTensor(*quantized, scheme, granularity, exec);
      if (!approx)
        return approx.error();
      for (int64_t r = 0; r < layer.n; ++r)
        for (int64_t i = 0; i < k; ++i)
          (*approx)[r * k + i] /= s[i];
      error += layerOutputError(layer.weights, *approx, layer.n, k, hessian,
                                options.numThreads);
    }
    if (step == 0) {
      best.rtnError = error;
      best.error = error;
      best.scales = s;
    } else if (error < best.error) {
      best.error = error;
      best.alpha = alpha;
      best.scales = s;
    }
  }
  return best;
}

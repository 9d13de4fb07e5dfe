//===- Awq.cpp - activation-aware weight scaling --------------------------===//

#include "lowbit/Numerics/Awq.h"
#include "lowbit/Numerics/LayerStatistics.h"

#include "Parallel.h"

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

std::vector<double>
lowbit::numerics::scaleHessian(llvm::ArrayRef<double> hessian, int64_t k,
                               llvm::ArrayRef<float> scales) {
  std::vector<double> out(hessian.size());
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < k; ++j)
      out[i * k + j] =
          hessian[i * k + j] / (double(scales[i]) * double(scales[j]));
  return out;
}

Result<QuantizedTensor> lowbit::numerics::quantizeClippedToOutput(
    llvm::ArrayRef<float> weights, int64_t n, int64_t k,
    llvm::ArrayRef<double> hessian, const Scheme &scheme,
    const Granularity &granularity, unsigned steps, float minShrink,
    unsigned numThreads) {
  ExecOptions exec;
  exec.numThreads = numThreads;
  // Min-max first: shapes, parameters of per-tensor schemes, validation.
  auto result = quantizeTensor(weights, {n, k}, scheme, granularity, {}, exec);
  if (!result || granularity.kind == GranularityKind::PerTensor)
    return result;
  if ((granularity.kind == GranularityKind::PerChannel &&
       granularity.axis != 0) ||
      (granularity.kind == GranularityKind::PerGroup && granularity.axis != 1))
    return QuantError{QuantError::Kind::InvalidGranularity, -1,
                      "output-aware clipping needs per-channel parameters "
                      "along axis 0 or groups along axis 1"};
  if (int64_t(hessian.size()) != k * k)
    return QuantError{QuantError::Kind::InvalidParams, -1,
                      "the input statistics are not " + std::to_string(k) +
                          " x " + std::to_string(k)};
  Quantizer q = *Quantizer::create(scheme);
  ClippingOptions clipping;
  clipping.method = ClipMethod::MSE;
  clipping.steps = steps;
  clipping.minShrink = minShrink;
  int64_t g =
      granularity.kind == GranularityKind::PerGroup ? granularity.groupSize : k;
  int64_t groups = (k + g - 1) / g;
  QuantizedTensor &out = *result;
  std::vector<uint8_t> overflow(n, 0);
  detail::runTasks(n, numThreads, [&](int64_t r) {
    std::vector<double> d(g);
    for (int64_t gi = 0; gi < groups; ++gi) {
      int64_t b = gi * g, e = std::min(k, b + g), len = e - b;
      llvm::ArrayRef<float> w = weights.slice(r * k + b, len);
      std::optional<QuantParams> best =
          q.paramsMinimizing(w, clipping, [&](const QuantParams &p) {
            for (int64_t i = 0; i < len; ++i)
              d[i] =
                  double(w[i]) - double(q.dequantize(q.quantize(w[i], p), p));
            double error = 0.0;
            for (int64_t i = 0; i < len; ++i) {
              if (d[i] == 0.0)
                continue;
              const double *h = hessian.data() + (b + i) * k + b;
              double acc = 0.0;
              for (int64_t t = 0; t < len; ++t)
                acc += h[t] * d[t];
              error += d[i] * acc;
            }
            return error;
          });
      if (!best) {
        overflow[r] = 1;
        continue;
      }
      const QuantParams &bestParams = *best;
      int64_t param = r * groups + gi;
      out.scales[param] = bestParams.scale;
      out.zeroPoints[param] = bestParams.zeroPoint;
      out.mins[param] = bestParams.min;
      for (int64_t i = 0; i < len; ++i)
        out.codes[r * k + b + i] = q.toPattern(q.quantize(w[i], bestParams));
    }
  });
  if (llvm::is_contained(overflow, 1))
    return QuantError{QuantError::Kind::ParamOverflow, -1,
                      "a scale or min overflows its storage type"};
  return result;
}

//===- Gptq.cpp - GPTQ weight quantization --------------------------------===//
//
// lowbit-gptq: the weights lowbit-quantize-weights would quantize, with codes
// chosen by GPTQ (lowbit/Numerics/Gptq.h) against the layer input statistics
// of the module's lowbit.layer_stats.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Gptq.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Dialect/Lowbit/Transforms/WeightAnalysis.h"
#include "lowbit/Dialect/Lowbit/Transforms/WeightOptions.h"
#include "lowbit/Numerics/LayerStatistics.h"

#include <cmath>

namespace lowbit {
#define GEN_PASS_DEF_LOWBITGPTQ
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

struct LowbitGptqPass : public WeightQuantizationPass<
                            lowbit::impl::LowbitGptqBase<LowbitGptqPass>> {
  using WeightQuantizationPass::WeightQuantizationPass;

  void runOnOperation() override;

private:
  FailureOr<Value> quantizeWeight(const WeightUse &weight,
                                  const ResolvedWeightScheme &resolved);
};

} // namespace

FailureOr<Value>
LowbitGptqPass::quantizeWeight(const WeightUse &weight,
                               const ResolvedWeightScheme &resolved) {
  ModuleOp module = getOperation();
  FailureOr<std::vector<float>> canonical = readCanonicalWeight(weight);
  if (failed(canonical))
    return failure();
  if (canonical->empty()) // Unreadable: left in float, with a remark.
    return Value();
  std::string name = getWeightName(weight.constant);
  int64_t n = weight.getN(), k = weight.getK();
  FailureOr<std::optional<LayerStatistics>> stats =
      requireLayerStatistics(module, weight, requireStatistics, "lowbit-gptq");
  if (failed(stats))
    return failure();
  numerics::Scheme scheme = resolved.getNumericsScheme();
  numerics::Granularity granularity = resolved.getNumericsGranularity();
  numerics::ExecOptions exec;
  exec.numThreads = numThreads;
  std::optional<numerics::Result<numerics::QuantizedTensor>> quantized;
  numerics::GptqReport gptqReport;
  if (*stats) {
    numerics::GptqOptions options;
    options.dampening = dampening;
    options.blockSize = blockSize;
    options.actOrder = actOrder;
    options.clipping = resolved.clipping;
    options.numThreads = numThreads;
    quantized =
        numerics::gptqQuantize(*canonical, n, k, (*stats)->hessian, scheme,
                               granularity, options, &gptqReport);
  } else {
    quantized = numerics::quantizeTensor(*canonical, {n, k}, scheme,
                                         granularity, resolved.clipping, exec);
  }
  if (!*quantized)
    return weight.constant->emitError()
           << "cannot quantize weight '" << name
           << "' with GPTQ: " << quantized->error().message;
  if (report && *stats) {
    auto rtn = numerics::quantizeTensor(*canonical, {n, k}, scheme, granularity,
                                        resolved.clipping, exec);
    auto rtnValues = numerics::dequantizeTensor(*rtn, scheme, granularity);
    auto values = numerics::dequantizeTensor(**quantized, scheme, granularity);
    const std::vector<double> &h = (*stats)->hessian;
    double rows = double(std::max<int64_t>(1, (*stats)->rows));
    double gptqError =
        numerics::layerOutputError(*canonical, *values, n, k, h) / rows;
    double rtnError =
        numerics::layerOutputError(*canonical, *rtnValues, n, k, h) / rows;
    weight.constant->emitRemark()
        << "GPTQ of weight '" << name << "' [" << n << ", " << k
        << "]: output error per row " << formatFloat("%.4e", gptqError)
        << " (round to nearest " << formatFloat("%.4e", rtnError) << ", ratio "
        << formatFloat("%.3f", rtnError > 0 ? gptqError / rtnError : 1.0)
        << "), damping " << formatFloat("%.3e", gptqReport.lambda) << ", "
        << gptqReport.deadInputs << " dead input(s)";
  }
  return buildQuantizedWeight(weight, resolved.scheme, resolved.paramType,
                              **quantized);
}

void LowbitGptqPass::runOnOperation() {
  ModuleOp module = getOperation();
  FailureOr<ResolvedWeightScheme> resolved = resolveScheme();
  if (failed(resolved))
    return signalPassFailure();
  if (!(dampening >= 0.0) || !std::isfinite(dampening)) {
    module.emitError() << "dampening must be a finite number >= 0, got "
                       << formatFloat("%g", dampening);
    return signalPassFailure();
  }
  if (blockSize <= 0) {
    module.emitError() << "block-size must be positive, got "
                       << blockSize.getValue();
    return signalPassFailure();
  }
  if (failed(quantizeEachWeight(module, getSelection(), report, "lowbit-gptq",
                                [&](const WeightUse &weight) {
                                  return quantizeWeight(weight, *resolved);
                                })))
    return signalPassFailure();
  module->removeAttr(kLayerStatsAttrName);
}

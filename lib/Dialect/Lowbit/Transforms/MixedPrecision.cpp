//===- MixedPrecision.cpp - a weight scheme per layer under a budget ------===//
//
// lowbit-mixed-precision: every selected weight is quantized with each preset
// of the menu (round to nearest or GPTQ), its sensitivity under each is
// measured with the layer input statistics, and one preset per weight is
// chosen (lowbit/Numerics/BitAllocation.h) so that the storage fits the
// budget of bits per weight.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Dialect/Lowbit/Transforms/WeightAnalysis.h"
#include "lowbit/Dialect/Lowbit/Transforms/WeightOptions.h"
#include "lowbit/Numerics/BitAllocation.h"
#include "lowbit/Numerics/Gptq.h"
#include "lowbit/Numerics/LayerStatistics.h"

#include <cmath>

namespace lowbit {
#define GEN_PASS_DEF_LOWBITMIXEDPRECISION
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

struct Candidate {
  std::string name;
  ResolvedWeightScheme scheme;
  numerics::PackFormat format;
};

struct LowbitMixedPrecisionPass
    : public WeightQuantizationPass<
          lowbit::impl::LowbitMixedPrecisionBase<LowbitMixedPrecisionPass>> {
  using WeightQuantizationPass::WeightQuantizationPass;

  void runOnOperation() override;
};

} // namespace

/// Bits the weight takes stored under `candidate`: its packed rows and its
/// parameters (scales, and mins or zero points).
static double storageBits(const Candidate &candidate, int64_t n, int64_t k,
                          int64_t numParams) {
  double bits =
      double(n) * double(numerics::packedBytesPerRow(candidate.format, k)) * 8;
  double paramBits = candidate.scheme.paramType.getIntOrFloatBitWidth();
  bits += double(numParams) * paramBits;
  switch (candidate.scheme.scheme.getForm()) {
  case ParamForm::MinScale:
    bits += double(numParams) * paramBits;
    break;
  case ParamForm::Affine:
    bits += double(numParams) * 32;
    break;
  case ParamForm::Symmetric:
    break;
  }
  return bits;
}

void LowbitMixedPrecisionPass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *context = &getContext();
  auto emitError = [&]() { return module.emitError(); };
  if (!(budgetBits > 0.0) || !std::isfinite(budgetBits)) {
    emitError() << "budget-bits must be a finite number > 0, got "
                << formatFloat("%g", budgetBits);
    return signalPassFailure();
  }
  if (method != "rtn" && method != "gptq") {
    emitError() << "unknown method '" << method << "' (expected rtn or gptq)";
    return signalPassFailure();
  }
  if (sensitivity != "output-error" && sensitivity != "hessian-trace") {
    emitError() << "unknown sensitivity '" << sensitivity
                << "' (expected output-error or hessian-trace)";
    return signalPassFailure();
  }
  if (allocation != "dp" && allocation != "greedy") {
    emitError() << "unknown allocation '" << allocation
                << "' (expected dp or greedy)";
    return signalPassFailure();
  }
  SmallVector<std::string> names(menu.begin(), menu.end());
  if (names.empty())
    names = {"w8", "w4g32", "c11g128", "w3g64", "w2g32"};
  SmallVector<Candidate> candidates;
  for (const std::string &name : names) {
    const numerics::WeightPreset *preset = numerics::findWeightPreset(name);
    FailureOr<WeightSchemeOptions> options = getWeightPreset(name);
    if (!preset || failed(options)) {
      emitError() << "unknown preset '" << name << "' in menu";
      return signalPassFailure();
    }
    if (preset->dynamicInt8Activations || preset->staticInt8Activations ||
        preset->bf16Activations) {
      emitError() << "preset '" << name
                  << "' quantizes activations; the menu takes weight-only "
                     "presets";
      return signalPassFailure();
    }
    FailureOr<ResolvedWeightScheme> scheme =
        resolveWeightScheme(context, *options, "minmax", emitError);
    if (failed(scheme))
      return signalPassFailure();
    candidates.push_back({name, *scheme, preset->format});
  }

  WeightCounts counts;
  FailureOr<SmallVector<WeightUse>> weights =
      collectWeights(module, getSelection(), counts);
  if (failed(weights))
    return signalPassFailure();

  // Every distinct weight under every candidate.
  struct Entry {
    const WeightUse *weight;
    std::vector<numerics::QuantizedTensor> quantized;
    std::vector<double> errors;
  };
  SmallVector<Entry> entries;
  DenseMap<Operation *, SmallVector<std::pair<SmallVector<int64_t>, size_t>>>
      entryOf;
  std::vector<numerics::AllocationLayer> layers;
  for (const WeightUse &weight : *weights) {
    auto &known = entryOf[weight.constant];
    if (llvm::any_of(known, [&](auto &e) { return e.first == weight.order; }))
      continue;
    FailureOr<std::vector<float>> canonical = readCanonicalWeight(weight);
    if (failed(canonical))
      return signalPassFailure();
    if (canonical->empty())
      continue;
    FailureOr<std::optional<LayerStatistics>> stats = requireLayerStatistics(
        module, weight, /*required=*/true, "lowbit-mixed-precision");
    if (failed(stats))
      return signalPassFailure();
    const std::vector<double> &h = (*stats)->hessian;
    int64_t n = weight.getN(), k = weight.getK();
    double meanDiag = 0.0;
    for (int64_t i = 0; i < k; ++i)
      meanDiag += h[i * k + i] / double(k);
    Entry entry{&weight, {}, {}};
    numerics::AllocationLayer layer;
    layer.numWeights = n * k;
    for (const Candidate &candidate : candidates) {
      numerics::Scheme scheme = candidate.scheme.getNumericsScheme();
      numerics::Granularity granularity =
          candidate.scheme.getNumericsGranularity();
      std::optional<numerics::Result<numerics::QuantizedTensor>> quantized;
      if (method == "gptq") {
        numerics::GptqOptions options;
        options.dampening = dampening;
        options.numThreads = numThreads;
        quantized = numerics::gptqQuantize(*canonical, n, k, h, scheme,
                                           granularity, options);
      } else {
        numerics::ExecOptions exec;
        exec.numThreads = numThreads;
        quantized = numerics::quantizeTensor(*canonical, {n, k}, scheme,
                                             granularity, {}, exec);
      }
      if (!*quantized) {
        weight.constant->emitError()
            << "cannot quantize weight '" << getWeightName(weight.constant)
            << "' as " << candidate.name << ": " << quantized->error().message;
        return signalPassFailure();
      }
      auto values =
          numerics::dequantizeTensor(**quantized, scheme, granularity);
      double error;
      if (sensitivity == "output-error") {
        error = numerics::layerOutputError(*canonical, *values, n, k, h,
                                           numThreads);
      } else {
        double squared = 0.0;
        for (size_t i = 0; i < values->size(); ++i) {
          double d = double((*canonical)[i]) - double((*values)[i]);
          squared += d * d;
        }
        error = meanDiag * squared;
      }
      layer.candidates.push_back(
          {storageBits(candidate, n, k, int64_t((*quantized)->scales.size())),
           error});
      entry.errors.push_back(error);
      entry.quantized.push_back(std::move(**quantized));
    }
    known.push_back({weight.order, entries.size()});
    entries.push_back(std::move(entry));
    layers.push_back(std::move(layer));
  }

  std::optional<std::vector<unsigned>> choice = numerics::allocateBits(
      layers, budgetBits,
      allocation == "dp" ? numerics::AllocationMethod::Dp
                         : numerics::AllocationMethod::Greedy);
  if (!choice) {
    double smallest = 0.0, total = 0.0;
    for (const numerics::AllocationLayer &layer : layers) {
      double least = layer.candidates.front().bits;
      for (const numerics::AllocationCandidate &c : layer.candidates)
        least = std::min(least, c.bits);
      smallest += least;
      total += double(layer.numWeights);
    }
    emitError() << "budget-bits=" << formatFloat("%g", budgetBits)
                << " is below what the smallest menu entries take ("
                << formatFloat("%.3f", total > 0 ? smallest / total : 0.0)
                << " bits per weight)";
    return signalPassFailure();
  }

  double usedBits = 0.0, totalWeights = 0.0;
  SmallVector<int64_t> chosenCount(candidates.size(), 0);
  for (auto [i, entry] : llvm::enumerate(entries)) {
    unsigned c = (*choice)[i];
    usedBits += layers[i].candidates[c].bits;
    totalWeights += double(layers[i].numWeights);
    ++chosenCount[c];
    if (report) {
      arith::ConstantOp constant = entry.weight->constant;
      constant.emitRemark()
          << "weight '" << getWeightName(constant) << "' ["
          << entry.weight->getN() << ", " << entry.weight->getK() << "] -> "
          << candidates[c].name << " ("
          << formatFloat("%.3f", layers[i].candidates[c].bits /
                                     double(layers[i].numWeights))
          << " bits per weight, " << sensitivity << " "
          << formatFloat("%.4e", entry.errors[c]) << ")";
    }
  }
  if (failed(rewriteWeights(
          *weights, counts, [&](const WeightUse &weight) -> FailureOr<Value> {
            for (auto &[order, index] : entryOf[weight.constant])
              if (order == weight.order) {
                const Candidate &candidate = candidates[(*choice)[index]];
                return buildQuantizedWeight(
                    weight, candidate.scheme.scheme, candidate.scheme.paramType,
                    entries[index].quantized[(*choice)[index]]);
              }
            return Value(); // Unreadable: left in float, with a remark.
          })))
    return signalPassFailure();
  module->removeAttr(kLayerStatsAttrName);
  if (report) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "lowbit-mixed-precision: " << entries.size() << " weight(s), "
       << formatFloat("%.3f", totalWeights > 0 ? usedBits / totalWeights : 0.0)
       << " bits per weight (budget " << formatFloat("%g", budgetBits) << "):";
    for (auto [candidate, count] : llvm::zip(candidates, chosenCount))
      os << " " << candidate.name << " x" << count;
    module.emitRemark() << text;
  }
}

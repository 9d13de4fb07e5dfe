//===- Presets.h - named weight quantization presets ------------*- C++ -*-===//
//
// The one definition of the named presets (w8, w4g32, w3g64, w2g32,
// c11g128) for canonical [N, K] weights: per-channel parameters are per row
// (axis 0) and groups run along K (axis 1). The lowbit-quantize pipeline,
// lowbitc and the benchmarks all take their presets from here.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_PRESETS_H
#define LOWBIT_NUMERICS_PRESETS_H

#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/Quantize.h"

namespace lowbit::numerics {

struct WeightPreset {
  const char *name;
  const char *description;
  Scheme scheme; ///< paramStorage says whether scales/mins are fp16
  Granularity granularity;
  PackFormat format; ///< the packing layout the kernels want
  /// Activations are quantized per row to int8 at run time and multiplied
  /// with integer dot products (lowbit.matmul's dynamic_int8_activations).
  bool dynamicInt8Activations = false;
  /// Activations are quantized to int8 with parameters calibrated ahead of
  /// time (lowbit.stats), and layers run in integer arithmetic
  /// (lowbit-integerize).
  bool staticInt8Activations = false;
};

/// All presets, in a fixed order.
llvm::ArrayRef<WeightPreset> getWeightPresets();

/// The preset called `name`, or null.
const WeightPreset *findWeightPreset(llvm::StringRef name);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_PRESETS_H

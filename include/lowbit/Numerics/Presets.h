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
  /// Activations are rounded to bf16 at the matmul (lowbit.matmul's
  /// activation_type = bf16): vdpbf16ps / bfdot, or f32 multiply-adds.
  bool bf16Activations = false;
};

/// All presets, in a fixed order.
llvm::ArrayRef<WeightPreset> getWeightPresets();

/// The preset called `name`, or null.
const WeightPreset *findWeightPreset(llvm::StringRef name);

/// From this many activation rows on, weights of matmuls with dynamic int8
/// activations are packed in panels for the outer-product kernels (see
/// getPanelFormat); with fewer the dot-form kernels, which stream each
/// weight row once, are faster.
constexpr int64_t kPanelMinRows = 16;

/// The panel format the outer-product kernels take for weights of `scheme`
/// under dynamic int8 activations: Int8Panel for signed symmetric 8-bit
/// codes per tensor or channel, Int4Panel (block = group) for signed
/// symmetric 4-bit codes in groups that are a multiple of 8 along K,
/// Int3Panel / Int2Panel (block = group) for signed symmetric or min/scale
/// 3-bit (2-bit) codes in groups that are a multiple of 32 (16) along K;
/// none otherwise (codebooks and zero points included).
std::optional<PackFormat> getPanelFormat(const Scheme &scheme,
                                         const Granularity &granularity);

/// The format `preset` packs weights of a matmul with `rows` activation rows
/// in: its panel format for dynamic int8 presets from kPanelMinRows rows on,
/// else its own.
PackFormat getPresetFormat(const WeightPreset &preset, int64_t rows);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_PRESETS_H

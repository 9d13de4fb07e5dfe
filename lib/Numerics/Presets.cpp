//===- Presets.cpp - named weight quantization presets --------------------===//

#include "lowbit/Numerics/Presets.h"

#include <cmath>

using namespace lowbit::numerics;

static Scheme makeScheme(unsigned bits, bool isSigned, ParamForm form,
                         ParamStorage storage,
                         std::vector<float> codebook = {}) {
  Scheme scheme;
  scheme.bits = bits;
  scheme.isSigned = isSigned;
  scheme.form = form;
  scheme.paramStorage = storage;
  scheme.codebook = std::move(codebook);
  return scheme;
}

static Granularity perGroup(int64_t size) {
  return {GranularityKind::PerGroup, 1, size};
}

static PackFormat format(PackKind kind, int64_t block = 0, unsigned radix = 0) {
  PackFormat result;
  result.kind = kind;
  result.block = block;
  result.radix = radix;
  return result;
}

llvm::ArrayRef<WeightPreset> lowbit::numerics::getWeightPresets() {
  static const std::vector<WeightPreset> presets = {
      {"w8",
       "int8 symmetric per output channel, f32 scales; int8",
       makeScheme(8, true, ParamForm::Symmetric, ParamStorage::F32),
       {GranularityKind::PerChannel, 0, 0},
       format(PackKind::Int8)},
      {"w4g32", "int4 symmetric, groups of 32, f16 scales; interleaved nibbles",
       makeScheme(4, true, ParamForm::Symmetric, ParamStorage::F16),
       perGroup(32), format(PackKind::Int4Interleaved, 32)},
      {"w3g64", "int3 symmetric, groups of 64, f16 scales; 10 per word",
       makeScheme(3, true, ParamForm::Symmetric, ParamStorage::F16),
       perGroup(64), format(PackKind::Int3, 64)},
      // Four levels spanning each group's [min, max]: symmetric 2-bit codes
      // would waste one of them.
      {"w2g32", "2-bit min/scale, groups of 32, f16 scale and min; 4 per byte",
       makeScheme(2, false, ParamForm::MinScale, ParamStorage::F16),
       perGroup(32), format(PackKind::Int2, 32)},
      // The 3.5-bit seed scheme.
      {"c11g128",
       "11-level codebook in [-1, 1], min/scale in fp16, groups of 128; "
       "9 base-11 digits per word",
       makeScheme(4, false, ParamForm::MinScale, ParamStorage::F16,
                  linspaceCodebook(-1.0f, 1.0f, 11)),
       perGroup(128), format(PackKind::Radix, 128, 11)},
      // The same codes in radix superblocks (SuperblockRadix.h): no wasted
      // digit slot, group parameters as 8-bit codes of fp16 superblock
      // factors; 3.71 bits per weight at K = 4096 against c11g128's 4.0.
      {"c11s128",
       "11-level codebook in [-1, 1], groups of 128 in radix superblocks: "
       "fp16 superblock factors, 8-bit group scale and min codes",
       makeScheme(4, false, ParamForm::MinScale, ParamStorage::F32,
                  linspaceCodebook(-1.0f, 1.0f, 11)),
       perGroup(128), format(PackKind::RadixSuperblock, 128, 11)},
      // Weight formats of w8 / w4g32 with activations quantized per row to
      // int8 at run time: integer dot products (VNNI vpdpbusd, NEON sdot).
      {"w8a8-dynamic",
       "w8 weights, int8 activations quantized per row at run time",
       makeScheme(8, true, ParamForm::Symmetric, ParamStorage::F32),
       {GranularityKind::PerChannel, 0, 0},
       format(PackKind::Int8),
       /*dynamicInt8Activations=*/true},
      {"w4a8-dynamic",
       "w4g32 weights, int8 activations quantized per row at run time",
       makeScheme(4, true, ParamForm::Symmetric, ParamStorage::F16),
       perGroup(32), format(PackKind::Int4Interleaved, 32),
       /*dynamicInt8Activations=*/true},
      // The sub-4-bit weight formats with the same dynamic int8 activations:
      // small unsigned codes (int3 offset by 4) meet the activations in
      // integer dot products; mins and offsets meet per-group sums of the
      // quantized activations.
      {"w3a8-dynamic",
       "w3g64 weights, int8 activations quantized per row at run time",
       makeScheme(3, true, ParamForm::Symmetric, ParamStorage::F16),
       perGroup(64), format(PackKind::Int3, 64),
       /*dynamicInt8Activations=*/true},
      {"w2a8-dynamic",
       "w2g32 weights, int8 activations quantized per row at run time",
       makeScheme(2, false, ParamForm::MinScale, ParamStorage::F16),
       perGroup(32), format(PackKind::Int2, 32),
       /*dynamicInt8Activations=*/true},
      // The same numbers through lookup tables of activation subset sums
      // (T-MAC): weights as bit planes in panels of 16 columns.
      {"w2a8-lut",
       "w2g32 weights as bit planes, int8 activations quantized per row at "
       "run time, lookup-table kernels",
       makeScheme(2, false, ParamForm::MinScale, ParamStorage::F16),
       perGroup(32), format(PackKind::Int2Planes, 32),
       /*dynamicInt8Activations=*/true},
      {"c11a8-dynamic",
       "c11g128 weights, int8 activations quantized per row at run time",
       makeScheme(4, false, ParamForm::MinScale, ParamStorage::F16,
                  linspaceCodebook(-1.0f, 1.0f, 11)),
       perGroup(128), format(PackKind::RadixFields, 128, 11),
       /*dynamicInt8Activations=*/true},
      // Full integer: calibrated int8 activations, int8 x int8 -> int32,
      // requantized between layers.
      {"w8a8",
       "w8 weights, int8 activations with calibrated static parameters; "
       "needs lowbit.stats (lowbit-calibrate)",
       makeScheme(8, true, ParamForm::Symmetric, ParamStorage::F32),
       {GranularityKind::PerChannel, 0, 0},
       format(PackKind::Int8),
       /*dynamicInt8Activations=*/false,
       /*staticInt8Activations=*/true},
      // Weight formats of w8 / w4g32 / c11g128 with bf16 activations.
      {"w8a16",
       "w8 weights, activations rounded to bf16",
       makeScheme(8, true, ParamForm::Symmetric, ParamStorage::F32),
       {GranularityKind::PerChannel, 0, 0},
       format(PackKind::Int8),
       false,
       false,
       /*bf16Activations=*/true},
      {"w4a16", "w4g32 weights, activations rounded to bf16",
       makeScheme(4, true, ParamForm::Symmetric, ParamStorage::F16),
       perGroup(32), format(PackKind::Int4Interleaved, 32), false, false,
       /*bf16Activations=*/true},
      {"c11a16", "c11g128 weights, activations rounded to bf16",
       makeScheme(4, false, ParamForm::MinScale, ParamStorage::F16,
                  linspaceCodebook(-1.0f, 1.0f, 11)),
       perGroup(128), format(PackKind::Radix, 128, 11), false, false,
       /*bf16Activations=*/true},
  };
  return presets;
}

const WeightPreset *lowbit::numerics::findWeightPreset(llvm::StringRef name) {
  for (const WeightPreset &preset : getWeightPresets())
    if (name == preset.name)
      return &preset;
  return nullptr;
}

std::optional<PackFormat>
lowbit::numerics::getPanelFormat(const Scheme &scheme,
                                 const Granularity &granularity) {
  bool perGroup = granularity.kind == GranularityKind::PerGroup;
  bool groupsAlongK = perGroup && granularity.axis == 1;
  // Min/scale codes of an evenly spaced 10- or 11-level codebook (the c11
  // presets) as nine-digit radix words: codes 0..10 enter the kernels as
  // they are.
  if (!scheme.codebook.empty()) {
    const std::vector<float> &levels = scheme.codebook;
    int64_t count = levels.size();
    float step = (levels.back() - levels.front()) / float(count - 1);
    for (int64_t i = 0; i < count; ++i)
      if (std::fabs(levels[i] - (levels.front() + step * float(i))) >
          1e-6f * std::fabs(step))
        return std::nullopt;
    if ((count == 10 || count == 11) && groupsAlongK &&
        scheme.form == ParamForm::MinScale && granularity.groupSize % 4 == 0)
      return format(PackKind::RadixPanel, granularity.groupSize,
                    unsigned(count));
    return std::nullopt;
  }
  bool signedSymmetric = scheme.form == ParamForm::Symmetric && scheme.isSigned;
  // Sub-4-bit codes enter the kernels as small unsigned values: signed
  // symmetric ones offset by 2^(bits - 1), min/scale ones as they are.
  bool offsetOrMin = signedSymmetric || scheme.form == ParamForm::MinScale;
  if (scheme.bits == 8 && !perGroup && signedSymmetric)
    return format(PackKind::Int8Panel);
  if (scheme.bits == 4 && groupsAlongK && signedSymmetric &&
      granularity.groupSize % 8 == 0)
    return format(PackKind::Int4Panel, granularity.groupSize);
  if (scheme.bits == 3 && groupsAlongK && offsetOrMin &&
      granularity.groupSize % 32 == 0)
    return format(PackKind::Int3Panel, granularity.groupSize);
  if (scheme.bits == 2 && groupsAlongK && offsetOrMin &&
      granularity.groupSize % 16 == 0)
    return format(PackKind::Int2Panel, granularity.groupSize);
  return std::nullopt;
}

PackFormat lowbit::numerics::getPresetFormat(const WeightPreset &preset,
                                             int64_t rows) {
  if (preset.dynamicInt8Activations && rows >= kPanelMinRows)
    if (std::optional<PackFormat> panel =
            getPanelFormat(preset.scheme, preset.granularity))
      return *panel;
  return preset.format;
}

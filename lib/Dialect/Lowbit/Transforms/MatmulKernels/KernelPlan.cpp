//===- KernelPlan.cpp - segments and tiles of a lowbit.matmul kernel ------===//

#include "KernelPlan.h"
#include "Layouts.h"

#include <cmath>

using namespace mlir;
using namespace lowbit;

SmallVector<int64_t> KernelPlan::rowTiles() const {
  // vdpbf16ps tiles read each row's stored bf16 activations once per column
  // pair: 4-row tiles whose rows fit in L1 beat 8-row tiles whose rows do
  // not (w4a16, K = 4096: 20-35% less time at M = 8-64 on Zen 5); where
  // neither fits, 8 rows halve the decodes per dot product (K = 11008: 10%
  // faster than 4 rows at M = 16, 64).
  if (eightRowTiles && bf16Dot == Bf16Dot::X86Avx512 && !dynamicInt8) {
    int64_t rowBytes = 2 * numSegments * segmentCodes; // bf16: 2 bytes
    if (8 * rowBytes > kL1ActivationBytes && 4 * rowBytes <= kL1ActivationBytes)
      return {4, 1};
  }
  if ((eightRowTiles || narrow) && !dynamicInt8)
    return {8, 4, 1};
  // vdpbf16ps on radix words: as the int8 radix kernels, each decode meets
  // 8 rows (one column: 16 accumulator registers of two chains).
  if (bf16Dot == Bf16Dot::X86Avx512 && kind == LayoutKind::Radix)
    return {8, 4, 1};
  // int8 segments of words (int3, radix, radix_fields): decoding costs
  // more than the dot products, so each decoded segment meets 8 rows (16
  // accumulators, 6 operands). Measured at M = 64: w3a8 142 -> 153 GFLOPS,
  // c11a8 81 -> 105; w2a8 (bytes, cheap to decode) got slower.
  if (dynamicInt8 && !narrow &&
      (kind == LayoutKind::Int3 || kind == LayoutKind::Radix ||
       kind == LayoutKind::RadixFields))
    return {8, 4, 1};
  return {4, 1};
}

int64_t KernelPlan::columnTile(int64_t rowTile) const {
  if (rowTile == 8 && bf16Dot == Bf16Dot::X86Avx512 &&
      kind == LayoutKind::Radix)
    return 1;
  return rowTile == 1 || (narrow && !dynamicInt8) ? 1 : 2;
}

namespace {

/// What the kernels must know of a target's int8 dot product (the
/// instructions themselves come from lowbit-lower-dot-i8).
struct Int8DotTraits {
  Int8Dot dot;
  /// Bytes of the narrowest instruction: dot products of other sizes take
  /// the portable code.
  int64_t granule;
  /// Unsigned x signed bytes: the weights must enter unsigned.
  bool unsignedWeights;
  /// Pairs of products are summed with i16 saturation.
  bool saturatingPairs;
};

/// One line per int8 dot product.
constexpr Int8DotTraits kInt8Dots[] = {
    {Int8Dot::Generic, 4, false, false},
    {Int8Dot::X86Vnni, 16, true, false},    // vpdpbusd
    {Int8Dot::X86AvxVnni, 16, true, false}, // {vex} vpdpbusd
    {Int8Dot::X86Avx2, 16, true, true},     // vpmaddubsw + vpmaddwd
    {Int8Dot::X86Ssse3, 16, true, true},    // pmaddubsw + pmaddwd
    {Int8Dot::X86Sse2, 4, false, false},    // pmaddwd on widened halves
    {Int8Dot::ArmDotprod, 4, false, false}, // sdot
};

const Int8DotTraits &getInt8DotTraits(Int8Dot dot) {
  for (const Int8DotTraits &traits : kInt8Dots)
    if (traits.dot == dot)
      return traits;
  llvm_unreachable("an int8 dot product without traits");
}

} // namespace

/// The plan of dynamic int8 activations, after the segments: how the target's
/// dot product meets the weights, and the tiles.
static FailureOr<KernelPlan> planInt8Dots(KernelPlan plan, MatmulOp op,
                                          Int8Dot dot, bool i8mm,
                                          int64_t vectorBits,
                                          std::string &why) {
  // Bytes of one integer dot product: the int8 segment, one nibble half,
  // or one slot (or quad of slots) of a sub-4-bit segment.
  int64_t bytes = plan.dotBytes ? plan.dotBytes : plan.segmentUnits;
  plan.dotBytes = bytes;
  if (!plan.quantizedCodes)
    plan.quantizedCodes = plan.segmentCodes;
  plan.dot = dot;
  if (bytes % 4 != 0) {
    why = "dynamic int8 activations need segments of whole 4-byte groups";
    return failure();
  }
  const Int8DotTraits &traits = getInt8DotTraits(dot);
  if (bytes % traits.granule != 0)
    plan.dot = Int8Dot::Generic;
  if (plan.slotted) {
    // Sub-4-bit codes enter as small unsigned values (at most 15: x86's
    // unsigned operand, pairs within i16; sdot reads them as the same
    // signed bytes); offsets and mins meet per-group activation sums.
    if (getInt8DotTraits(plan.dot).unsignedWeights)
      plan.weightForm = Int8WeightForm::Offset;
    // Signed fields enter as q + 2^(bits - 1): w = (u alpha + beta') s.
    if (op.getScheme().getQmin() < 0)
      plan.beta -=
          float(int64_t(1) << (op.getLayout().getCodeBits() - 1)) * plan.alpha;
  } else if (getInt8DotTraits(plan.dot).unsignedWeights) {
    // q + 2^(bits - 1) is unsigned; where pairs of products are summed in
    // i16, its pair sums must fit: 2 * (2^bits - 1) * 127 does for int4 (q +
    // 8 <= 15), not for int8, whose weights then enter as |q|.
    int64_t offset = int64_t(1) << (op.getLayout().getCodeBits() - 1);
    bool offsetFits = 2 * (2 * offset - 1) * 127 <= INT16_MAX;
    if (getInt8DotTraits(plan.dot).saturatingPairs && !offsetFits) {
      plan.weightForm = Int8WeightForm::Magnitude;
    } else {
      plan.weightForm = Int8WeightForm::Offset;
      plan.weightOffset = offset;
    }
  }
  plan.lanes = bytes / 4;
  // smmla takes 8 bytes of each row, signed: every group's bytes of a
  // weight operand must be whole 8-byte chunks.
  int64_t groupBytes =
      op.getScheme().getGranularity() == GranularityKind::PerGroup
          ? bytes / plan.blocksPerSegment
          : bytes;
  plan.mmla = i8mm && plan.weightForm == Int8WeightForm::Signed &&
              groupBytes % 8 == 0 && !plan.slotted;
  plan.narrow = vectorBits < 512 && !plan.mmla;
  plan.expandHalf = vectorBits <= 128 && !plan.mmla;
  plan.accLanes =
      plan.narrow ? std::min(plan.lanes, vectorBits / 32) : plan.lanes;
  return plan;
}

std::optional<Bf16Dot> lowbit::parseBf16Dot(StringRef name) {
  if (name == "none")
    return Bf16Dot::None;
  if (name == "avx512-bf16")
    return Bf16Dot::X86Avx512;
  if (name == "arm-bf16")
    return Bf16Dot::ArmBf16;
  return std::nullopt;
}

/// bf16 activations: the dot product where the segments allow it.
static void planBf16(KernelPlan &plan, MatmulOp op, Bf16Dot dot,
                     int64_t vectorBits) {
  plan.bf16Activations = true;
  bool offset = op.getZeroPoints() || op.getMins() || plan.beta != 0.0f;
  bool perGroup = op.getScheme().getGranularity() == GranularityKind::PerGroup;
  // Codes made bf16 in 16-bit lanes (Bf16DotSegments.cpp): int8, int4 in
  // blocks of 32 (four per segment), and radix words of one group per
  // segment (RadixBf16Codes.cpp), whose mins and affine codes meet the
  // groups' activation sums (offsetTerms).
  int64_t block = op.getLayout().getBlock();
  bool int4Pairs = plan.kind == LayoutKind::Int4Interleaved && block == 32;
  int64_t radixCodes =
      perGroup && !op.getZeroPoints() ? getRadixBf16Codes(plan, op) : 0;
  bool radixWords = radixCodes > 0;
  if (dot == Bf16Dot::None || (offset && !radixWords) || vectorBits < 512 ||
      !(int4Pairs || radixWords || plan.kind == LayoutKind::Int8) ||
      (!radixWords && plan.segmentCodes % 32 != 0))
    return;
  plan.bf16Dot = dot;
  plan.bf16Codes = radixCodes;
  // Line prefetches: not for the radix codes, bound by their decode (no
  // clear gain measured).
  plan.prefetchLines = !radixWords;
  // bfmmla takes 4 codes of each of two weight rows: the segments' code
  // chunks (32 codes, blocks of 8 or more) hold whole groups of 4.
  plan.bf16Mmla = dot == Bf16Dot::ArmBf16;
  plan.narrow = false;
  plan.codeFactor = 1;
  plan.accLanes = 16;
  if (radixWords) {
    // Two independent chains of vdpbf16ps (the chunks alternate parts).
    plan.accLanes = 32;
  } else if (int4Pairs) {
    plan.blocksPerSegment = 4;
    plan.segmentCodes = 4 * block;
    plan.segmentUnits = 2 * block;
  } else {
    // Unblocked int8 in segments of 32 (two per iteration of a single
    // row's loop), the low and high nibbles' products in separate halves
    // of 32 lanes: four independent chains of vdpbf16ps.
    if (block == 0)
      plan.segmentCodes = plan.segmentUnits = 32;
    plan.accLanes = 32;
  }
  // Per-group scales are read one per accumulator lane
  // (Int8DotSegments::readBlockScales).
  plan.lanes = plan.accLanes;
  int64_t k = op.getInput().getType().getDimSize(1);
  plan.numSegments = llvm::divideCeil(k, plan.segmentCodes);
}

LogicalResult lowbit::getCodeAffine(SchemeAttr scheme, float &alpha,
                                    float &beta, std::string &why) {
  alpha = 1.0f;
  beta = 0.0f;
  if (scheme.getForm() == ParamForm::MinScale) {
    // t(q) = (v(q) - vlo) / (vhi - vlo), which must be linear in q here.
    auto quantizer = numerics::Quantizer::create(scheme.getNumericsScheme());
    ArrayRef<float> levels = quantizer->getNormalizedLevels();
    int64_t last = int64_t(levels.size()) - 1;
    for (auto [i, level] : llvm::enumerate(levels))
      if (std::fabs(level - float(i) / float(last)) > 1e-6f) {
        why = "codebook levels are not evenly spaced";
        return failure();
      }
    alpha = 1.0f / float(last);
    beta = -float(scheme.getQmin()) * alpha;
  } else if (CodebookAttr codebook = scheme.getCodebook()) {
    ArrayRef<float> levels = codebook.getValues();
    float step = (levels.back() - levels.front()) / float(levels.size() - 1);
    for (auto [i, level] : llvm::enumerate(levels))
      if (std::fabs(level - (levels.front() + step * float(i))) >
          1e-6f * std::fabs(step)) {
        why = "codebook levels are not evenly spaced";
        return failure();
      }
    alpha = step;
    beta = levels.front();
  }
  return success();
}

FailureOr<KernelPlan> lowbit::planKernel(MatmulOp op, Int8Dot dot, bool i8mm,
                                         int64_t vectorBits, std::string &why,
                                         Bf16Dot bf16Dot, bool vbmi) {
  SchemeAttr scheme = op.getScheme();
  int64_t k = op.getInput().getType().getDimSize(1);
  if (!op.getInput().getType().hasStaticShape() ||
      !op.getPacked().getType().hasStaticShape()) {
    why = "dynamic shapes";
    return failure();
  }
  KernelPlan plan;
  plan.kind = op.getLayout().getKind();
  plan.registerLanes = std::max<int64_t>(vectorBits / 32, 1);
  plan.vbmi = vbmi;
  const LayoutKernels *layout = getLayoutKernels(plan.kind);
  if (!layout) {
    why = "no vector kernel for the layout";
    return failure();
  }
  layout->planSegments(plan, op);
  if (scheme.getGranularity() == GranularityKind::PerGroup &&
      scheme.getGroupSize() != plan.segmentCodes) {
    why = "groups do not coincide with packing blocks";
    return failure();
  }
  plan.numSegments = llvm::divideCeil(k, plan.segmentCodes);

  if (failed(getCodeAffine(scheme, plan.alpha, plan.beta, why)))
    return failure();
  if (op.getDynamicInt8Activations()) {
    if (!layout->planInt8Segments) {
      why = "dynamic int8 activations need int8, int4_interleaved, int3, "
            "int2 or radix weights";
      return failure();
    }
    plan.dynamicInt8 = true;
    if (failed(layout->planInt8Segments(plan, op, why)))
      return failure();
    plan.numSegments = llvm::divideCeil(k, plan.segmentCodes);
    return planInt8Dots(plan, op, dot, i8mm, vectorBits, why);
  }

  // The slotted layouts keep their per-slot vectors (not measured narrow).
  plan.narrow = vectorBits < 512 && !plan.slotted;
  plan.expandHalf = vectorBits <= 128;
  plan.accLanes =
      plan.narrow ? std::min(plan.lanes, vectorBits / 32) : plan.lanes;
  if (op.hasBf16Activations())
    planBf16(plan, op, bf16Dot, vectorBits);
  return plan;
}

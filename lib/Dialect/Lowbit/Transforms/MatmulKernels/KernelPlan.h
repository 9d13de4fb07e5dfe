//===- KernelPlan.h - how a lowbit.matmul kernel walks its operands -*- C++
//-*-===//
//
// The first step of lowering a lowbit.matmul to vector loops: decide, from
// the op (layout, scheme, shapes) and the target (int8 dot product, i8mm,
// vector width), the segments the packed rows are cut into, the width of
// the accumulators, the row and column tiles and how codes meet
// activations. Everything the emitters do follows from this plan; nothing
// here builds IR.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_KERNELPLAN_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_KERNELPLAN_H

#include "../Int8Dot.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace lowbit {

/// The bf16 dot product of a target (lowbit-vectorize-matmul's bf16-dot):
/// none (f32 multiply-adds on activations rounded to bf16), x86
/// AVX512-BF16 `vdpbf16ps` or AArch64 `bfdot` (lowbit.dot_bf16).
enum class Bf16Dot { None, X86Avx512, ArmBf16 };

/// Parses none, avx512-bf16 or arm-bf16.
std::optional<Bf16Dot> parseBf16Dot(llvm::StringRef name);

/// How dynamic int8 weights enter the target's dot product.
enum class Int8WeightForm {
  /// Signed codes q (sdot, SSE2 pmaddwd, portable code, smmla).
  Signed,
  /// q + weightOffset, unsigned, against signed activations (x86 unsigned x
  /// signed bytes); a precomputed -weightOffset * sum(x) starts every lane.
  /// The slotted sub-4-bit codes are unsigned already (weightOffset 0;
  /// their offsets meet per-group activation sums instead).
  Offset,
  /// |q|, unsigned, against activations carrying q's sign: where the offset
  /// form's pair sums would not fit i16 (AVX2/SSSE3 int8).
  Magnitude,
};

/// Bytes of a row tile's activations that stay in L1 while its columns are
/// computed (two thirds of a 48 KiB L1D, next to the weight stream).
constexpr int64_t kL1ActivationBytes = 32 * 1024;

/// How one lowbit.matmul is walked: segments of `segmentCodes` codes stored
/// in `segmentUnits` storage units, accumulated in `lanes`-wide vectors.
struct KernelPlan {
  LayoutKind kind;
  /// Units hold several codes in "slots" (radix digits, bit fields): slot i
  /// of every unit of a segment is decoded at once and meets activations
  /// regrouped per slot. Otherwise codes meet the activations in place.
  bool slotted = false;
  /// Dynamic int8 activations: how segments' integer dot products are done,
  /// and how many bytes one dot product consumes.
  bool dynamicInt8 = false;
  Int8Dot dot = Int8Dot::Generic;
  Int8WeightForm weightForm = Int8WeightForm::Signed;
  /// Dynamic int8 on interleaved int4: packing blocks per segment. The low
  /// nibbles of a segment's bytes (and then the high nibbles) make one dot
  /// product over several groups, whose activations are stored regrouped to
  /// match (ContiguousDecoder::arrangeQuantized).
  int64_t blocksPerSegment = 1;
  /// Dynamic int8 with x86 VNNI or AVX2 (unsigned x signed bytes): weight
  /// codes enter the dot product as q + weightOffset (unsigned), activations
  /// as they are; -weightOffset * (sum of each lane's activations) is
  /// precomputed per row and starts every lane's sum. (AVX2 int8 weights
  /// instead enter as |q|, meeting activations with q's sign:
  /// Int8WeightForm::Magnitude.)
  int64_t weightOffset = 0;
  /// Dynamic int8 with AArch64 i8mm: tiles of activation rows meet pairs of
  /// weight rows in 2x2 smmla blocks (SmmlaTiles).
  bool mmla = false;
  /// activation_type = bf16: the activations are rounded to bf16 once per
  /// call. With a bf16 dot product (contiguous layouts without offsets,
  /// segments of whole 32-code chunks) they are stored as bf16, codes are
  /// converted to bf16 (exact) and every 32 of them meet the activations
  /// in one 512-bit `vdpbf16ps` into 16 f32 lanes; otherwise
  /// the f32 kernels run on the rounded values.
  bool bf16Activations = false;
  Bf16Dot bf16Dot = Bf16Dot::None;
  /// AArch64 +bf16: tiles of activation rows meet pairs of weight rows in
  /// 2x2 bfmmla blocks (BfmmlaTiles), single rows and columns in bfdot.
  bool bf16Mmla = false;
  /// bf16 dot products: stored activations of one segment as its dot
  /// products read them (radix words' padding slots included; 0: all
  /// segmentCodes, in place or rearranged).
  int64_t bf16Codes = 0;
  /// x86 AVX512-VBMI: byte permutes over 128-byte tables (vpermi2b,
  /// lowbit.lookup_bytes) and multishifts spreading bit fields into bytes
  /// (vpmultishiftqb, lowbit.multishift_bytes).
  bool vbmi = false;
  /// Dynamic int8 on nine-digit radix words: digit pairs from the 16-bit
  /// chunks and two 128-byte table lookups per word vector (vpermi2b,
  /// RadixPairQuads.cpp) instead of a 16-bit multiply per digit.
  bool radixDigitPairs = false;
  int64_t segmentCodes;
  int64_t segmentUnits;
  /// Dynamic int8: bytes of one dot-product operand (a segment may take
  /// several), and bytes of a segment's quantized activations as the dot
  /// products read them (the slotted layouts' padding slots included).
  int64_t dotBytes = 0;
  int64_t quantizedCodes = 0;
  /// Dynamic int8 with several blocks per segment: dot-product lane i
  /// belongs to block min(i / lanesPerBlock, blocksPerSegment - 1) (0:
  /// lanes / blocksPerSegment).
  int64_t lanesPerBlock = 0;
  int64_t numSegments;
  int64_t lanes;
  /// Lanes of the accumulators: `lanes`, or one register on targets with 16
  /// narrow vector registers (SSE, AVX2), where a segment's `lanes`-wide
  /// products are added into them slice by slice (accumulate).
  int64_t accLanes;
  /// Tiles of several activation rows stay within 16 registers.
  bool narrow = false;
  /// f32 lanes of one vector register (the target's vector-bits / 32).
  int64_t registerLanes = 16;
  /// f16 parameters are extended with integer operations (x86 SSE: no F16C,
  /// where LLVM would call __extendhfsf2 once per element).
  bool expandHalf = false;
  /// The layout decodes one segment once for tiles of 8 weight-only rows
  /// (int4: a dequantized segment is few registers).
  bool eightRowTiles = false;
  /// The layout wants the next weight row prefetched (see prefetches()).
  bool prefetchWeights = true;
  /// A dynamic int8 or bf16-dot GEMV prefetches every line of its stream
  /// some rows ahead (see kLinesAheadBytes in SegmentLoop.cpp): set where
  /// that was measured faster (int8 dots on int8, int4, int3 and radix
  /// words, not int2 bytes; bf16 dots on int8 and int4, not radix words).
  bool prefetchLines = false;
  /// Codes are decoded scaled by this power of two (int4 nibbles left in the
  /// high half of their byte, as 16 * q): exact, and undone on the
  /// multiplier or on the row's total.
  int64_t codeFactor = 1;
  unsigned radix = 0;
  unsigned digits = 0;
  /// Dequantization: w = (q * alpha + beta) * s (+ m), where q is the code
  /// value (or index); affine schemes subtract the zero point instead.
  float alpha = 1.0f;
  float beta = 0.0f;

  /// Row tiles, largest first (ending with single rows): tiles of 8 where
  /// one decoded weight-only segment fits the registers next to 8
  /// accumulators, otherwise 4 (int8's 64-lane segments and the slotted
  /// layouts' per-segment sums would not fit); bf16 dot products take 4
  /// where 4 rows of their activations fit kL1ActivationBytes and 8 do not.
  llvm::SmallVector<int64_t> rowTiles() const;

  /// Weight rows (output columns) computed together, sharing each
  /// activation load. A single row of activations reads one weight row at a
  /// time: the packed matrix is then one sequential stream, which the cold
  /// (DRAM-bound) case needs more than the shared loads. Row tiles take two
  /// columns, which halves the activation traffic from L2 per multiply-add.
  /// On narrow targets (16 registers) a tile is one column: its 8 row
  /// accumulators, the column's decoded slice and an activation fit.
  int64_t columnTile(int64_t rowTile) const;

  /// Whether the segment loop of single activation rows prefetches the next
  /// weight row (measured: it helps the slotted and weight-only int4 kernels
  /// cold, and slows int8 and the dynamic int8 kernels, whose segments are
  /// whole cache lines the hardware prefetcher already follows; dynamic
  /// int8 GEMVs prefetch lines instead, see prefetchLines).
  bool prefetches() const { return prefetchWeights && !dynamicInt8; }
};

/// The walk for `op` on a target with the int8 dot product `dot`, AArch64
/// i8mm or not, and vector registers of `vectorBits`; or a reason it has no
/// vector kernel.
/// Dequantization as an affine function of the code q the kernels read:
/// w = (q * alpha + beta) * s (+ m), from the scheme's form (min/scale:
/// evenly spaced normalized levels; codebooks: evenly spaced levels);
/// alpha = 1, beta = 0 otherwise. Fails (with `why`) for uneven levels.
mlir::LogicalResult getCodeAffine(SchemeAttr scheme, float &alpha, float &beta,
                                  std::string &why);

mlir::FailureOr<KernelPlan> planKernel(MatmulOp op, Int8Dot dot, bool i8mm,
                                       int64_t vectorBits, std::string &why,
                                       Bf16Dot bf16Dot = Bf16Dot::None,
                                       bool vbmi = false);

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_KERNELPLAN_H

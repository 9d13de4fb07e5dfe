//===- SegmentEmitters.h - the parts of a matmul kernel ---------*- C++ -*-===//
//
// The parts the loop skeleton (KernelBuilder.cpp) calls, one file each:
//
// * ActivationPreparer: the activations, once per call, in the form the
//   segments read (padded rows, regrouped per slot, or quantized to int8);
// * WeightOnlySegments: f32 activations meet decoded codes in multiply-adds;
// * Int8DotSegments: int8 activations meet weight bytes in lowbit.dot_i8
//   (vpdpbusd, vpmaddubsw, pmaddwd, sdot or portable code, chosen later by
//   lowbit-lower-dot-i8);
// * SmmlaTiles: AArch64 i8mm, 2x2 blocks of rows and columns per smmla;
// * Bf16DotSegments, BfmmlaTiles: bf16 activations in bf16 dot products.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_SEGMENTEMITTERS_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_SEGMENTEMITTERS_H

#include "Layouts.h"

namespace lowbit {

/// Fills the PreparedOperands.
class ActivationPreparer : public KernelEmitter {
public:
  explicit ActivationPreparer(const KernelEmitter &emitter)
      : KernelEmitter(emitter) {}

  /// Copies the activations into rows of a stride that is not a multiple of
  /// 4 KiB: a row tile reads every row at the same offset, and rows 16 KiB
  /// apart (K = 4096) would fall into the same L1 sets.
  void pad(bool roundToBf16 = false);

  /// The activations rounded to bf16 and stored as bf16 rows
  /// (`bf16Input`), zero past K up to whole segments, in the order the
  /// segments' bf16 dot products read them, with c times each block's sum of
  /// the rounded values in `segmentSums` (Bf16DotSegments.cpp).
  void storeBf16();

  /// Regroups every activation row for the slotted kernels: for segment s
  /// and slot i, the `plan.lanes` activations that meet slot i of the
  /// segment's units (x[s * B + w * n + i], zero past the segment or K) lie
  /// contiguously in `regroupedInput`; `segmentSums` holds each segment's
  /// sum of activations, for the offsets of min/scale schemes.
  void regroup();

  /// Quantizes every activation row to int8 (lowbit.matmul's definition):
  /// fills `quantizedInput` [M, segments * quantizedCodes] (zero past K,
  /// each segment in the layout's order, Int8DotDecoder::arrangeQuantized),
  /// `inputScales` [M], with a weight offset `corrections` [M, segments *
  /// lanes], and with slotted offsets or mins `segmentSums` [M, segments *
  /// blocksPerSegment] (each block's sum of q).
  void quantize();

private:
  mlir::Value laneCorrections(mlir::Value q);
  /// Rows [M, stride] of `element`: columns [0, end) in chunks of `chunk`,
  /// each `convert`ed from the activations there (zero past K).
  mlir::Value copyRows(mlir::Type element, int64_t stride, int64_t chunk,
                       int64_t end,
                       llvm::function_ref<mlir::Value(mlir::Value)> convert);
  mlir::Value blockSumsOf(mlir::Value q);
};

/// Segments of f32 activations: each column's segment is decoded once per
/// tile and meets every row in multiply-adds.
class WeightOnlySegments : public KernelEmitter {
public:
  explicit WeightOnlySegments(const KernelEmitter &emitter)
      : KernelEmitter(emitter) {}

  /// Decodes one weight segment per column and adds x * w to the
  /// accumulator of each (column, row): accs[c * rows.size() + r].
  llvm::SmallVector<mlir::Value>
  accumulateSegment(llvm::ArrayRef<mlir::Value> rows,
                    llvm::ArrayRef<mlir::Value> columns, mlir::Value kBase,
                    mlir::Value valid, mlir::Value unit,
                    llvm::ArrayRef<Dequantization> params, bool partial,
                    mlir::ValueRange accs);

  /// Per row, sum over segments s of offset(column, s) * segmentSums[row, s]
  /// (the offsets of min/scale schemes on slotted layouts meet each
  /// segment's activation sum), 16 segments at a time.
  llvm::SmallVector<mlir::Value> offsetTerms(llvm::ArrayRef<mlir::Value> rows,
                                             mlir::Value column);

private:
  llvm::SmallVector<mlir::Value>
  accumulateCodes(llvm::ArrayRef<mlir::Value> rows,
                  llvm::ArrayRef<mlir::Value> columns, mlir::Value kBase,
                  mlir::Value valid, mlir::Value unit,
                  llvm::ArrayRef<Dequantization> params, bool partial,
                  mlir::ValueRange accs);
  llvm::SmallVector<mlir::Value>
  accumulateSlottedSegment(llvm::ArrayRef<mlir::Value> rows,
                           llvm::ArrayRef<mlir::Value> columns,
                           mlir::Value kBase, mlir::Value unit,
                           llvm::ArrayRef<Dequantization> params, bool partial,
                           mlir::ValueRange accs);
};

/// Segments of bf16 activations as bf16 dot products (vdpbf16ps): codes
/// are made bf16 in 16-bit lanes as c + q (exact; see Bf16DotSegments.cpp)
/// and meet 32 activations at a time in 16 f32 lanes; c times the
/// activation sums is subtracted after the segment loop (offsetTerms).
class Bf16DotSegments : public KernelEmitter {
public:
  explicit Bf16DotSegments(const KernelEmitter &emitter)
      : KernelEmitter(emitter) {}

  /// As WeightOnlySegments::accumulateSegment: the products of one segment
  /// per (column, row), times the per-group scales when the scheme has
  /// them, otherwise summed into the accumulators.
  llvm::SmallVector<mlir::Value>
  accumulateSegment(llvm::ArrayRef<mlir::Value> rows,
                    llvm::ArrayRef<mlir::Value> columns, mlir::Value kBase,
                    mlir::Value segment, mlir::Value unit, bool partial,
                    mlir::ValueRange accs);

  /// Per row, -c * sum over blocks of scale(block) * (sum of the block's
  /// activations), or -c * the row's sum without per-group scales; with
  /// min/scale codes (w = (q alpha + beta) s + m), sum over blocks of
  /// (m + beta s - c alpha s) * (sum of the block's activations), to add
  /// to alpha times the dot products' total.
  llvm::SmallVector<mlir::Value> offsetTerms(llvm::ArrayRef<mlir::Value> rows,
                                             mlir::Value column);

  /// The c of the codes c + q.
  int64_t codeOffset();

  /// 32 bf16 codes of a segment that meet activation chunk `chunk` (32
  /// values from chunk * 32 of the segment's stored activations), into
  /// accumulator part `part`.
  using CodeChunk = Bf16CodeChunk;
  /// The bf16 codes of one segment of `column`.
  llvm::SmallVector<CodeChunk> decodeCodes(mlir::Value column, mlir::Value unit,
                                           bool partial);
  /// The stored bf16 activations of segment `segment` of `row`, per chunk.
  llvm::SmallVector<mlir::Value> readActivationChunks(mlir::Value row,
                                                      mlir::Value segment);
  /// The block (group) of the segment that lane `lane` of a code chunk
  /// meeting activation chunk `chunk` belongs to.
  int64_t blockOfCode(int64_t chunk, int64_t lane);
};

/// bf16 activations with AArch64 bfmmla: pairs of rows and of columns meet
/// in 2x2 tiles, 4 codes at a time (BfmmlaTiles.cpp).
class BfmmlaTiles : public KernelEmitter {
public:
  explicit BfmmlaTiles(const KernelEmitter &emitter) : KernelEmitter(emitter) {}

  /// sum_k bf16(x[row, k]) * W[column, k] + bias[column] for pairs of
  /// `rows` and two `columns`: result[c * rows.size() + r].
  llvm::SmallVector<mlir::Value> buildDots(llvm::ArrayRef<mlir::Value> rows,
                                           llvm::ArrayRef<mlir::Value> columns);
};

/// Segments of dynamic int8 activations as integer dot products.
class Int8DotSegments : public KernelEmitter {
public:
  explicit Int8DotSegments(const KernelEmitter &emitter)
      : KernelEmitter(emitter) {}

  /// Integer dot products of one weight segment with the quantized
  /// activations of each row, scaled by the weight scale (a scalar, one per
  /// lane, or null to accumulate in i32).
  llvm::SmallVector<mlir::Value>
  accumulateSegment(llvm::ArrayRef<mlir::Value> rows, mlir::Value column,
                    mlir::Value kBase, mlir::Value segment, mlir::Value unit,
                    mlir::Value scale, bool partial, mlir::ValueRange accs);

  /// The per-group scales of the blocks of `segment` as f32, one per
  /// dot-product lane (lane i belongs to block i / (lanes / blocks)); only
  /// the last segment may have fewer blocks (read as scale 0).
  mlir::Value readBlockScales(mlir::Value column, mlir::Value segment,
                              bool partial);

  /// The f32 scales of blocks [firstBlock, firstBlock + blocksPerSegment)
  /// of `scales` (one vector of several segments' scales, converted once),
  /// one per dot-product lane as readBlockScales lays them out.
  mlir::Value spreadBlockScales(mlir::Value scales, int64_t firstBlock);

  /// The weight operands of one segment of `column` in the plan's weight
  /// form (see ContiguousDecoder::decodeDotOperands).
  llvm::SmallVector<mlir::Value> decodeWeightOperands(mlir::Value column,
                                                      mlir::Value unit,
                                                      bool partial,
                                                      mlir::Value &negative);

private:
  mlir::Value readCorrections(mlir::Value row, mlir::Value segment);
  mlir::Value zeroLanes();
};

/// Dynamic int8 activations with AArch64 i8mm.
class SmmlaTiles : public KernelEmitter {
public:
  explicit SmmlaTiles(const KernelEmitter &emitter) : KernelEmitter(emitter) {}

  /// sum_k x[row, k] * W[column, k] + bias[column] for pairs of `rows` and
  /// two `columns`: result[c * rows.size() + r].
  llvm::SmallVector<mlir::Value> buildDots(llvm::ArrayRef<mlir::Value> rows,
                                           llvm::ArrayRef<mlir::Value> columns);
};

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_SEGMENTEMITTERS_H

//===- KernelEmitter.h - what every part of a matmul kernel uses -*- C++
//-*-===//
//
// A lowbit.matmul kernel is built by several parts: the loop skeleton
// (KernelBuilder), the preparation of the activations, the segment emitters
// of each dot-product form (f32 multiply-adds, int8 dot products, smmla
// tiles) and the decoders of each weight layout. They share one op, one
// plan, one builder and the operands prepared once per call; KernelEmitter
// holds those, with the small vector helpers every part uses. Each part
// derives from it and is made from the skeleton's emitter (a cheap copy:
// references and values).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_KERNELEMITTER_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_KERNELEMITTER_H

#include "KernelPlan.h"
#include "VectorEmission.h"

#include "mlir/IR/Builders.h"

namespace lowbit {

/// Operands a kernel prepares once per call, before its loops
/// (ActivationPreparer).
struct PreparedOperands {
  /// The activations the kernel reads: the input, or its padded copy.
  mlir::Value activations;
  /// Dynamic int8: the quantized rows, their scales and, with a weight
  /// offset, every lane's correction.
  mlir::Value quantizedInput, inputScales, corrections;
  /// Slotted layouts: the activations regrouped per slot, and each
  /// segment's sum.
  mlir::Value regroupedInput, segmentSums;
  /// bf16 dot products: the rounded activations as bf16 [M, stride], zero
  /// past K up to whole segments.
  mlir::Value bf16Input;
};

class KernelEmitter : public VectorEmission {
public:
  KernelEmitter(mlir::OpBuilder &b, MatmulOp op, const KernelPlan &plan,
                PreparedOperands &prepared);

  const KernelPlan &getPlan() const { return plan; }
  mlir::OpBuilder &getBuilder() const { return b; }
  mlir::Location getLoc() const { return loc; }

  // Constants (index, f32Constant, vectorOf and splat: VectorEmission).
  mlir::Value byteConstant(int64_t value, int64_t lanes);
  /// first, first + 1, ..., first + count - 1.
  llvm::SmallVector<mlir::Value> consecutive(mlir::Value first, int64_t count);

  // Arithmetic.
  /// x * y + acc, contractible into an FMA where the target has one.
  mlir::Value multiplyAdd(mlir::Value x, mlir::Value y, mlir::Value acc);
  /// acc + x * y where x and y may be wider than the accumulator (narrow
  /// targets): slice by slice, chained into acc (multiply-adds a target
  /// with FMA contracts; row tiles bring enough independent chains), or
  /// the products summed as a tree first (a single row's few chains).
  mlir::Value accumulate(mlir::Value x, mlir::Value y, mlir::Value acc,
                         bool chained);
  /// The sum of the `lanes`-wide slices of `v` (a tree; integer or float
  /// with `reassoc`).
  mlir::Value sumSlices(mlir::Value v, int64_t lanes);
  /// acc + float(dot) * scale (a scalar or one per lane), or acc + dot in
  /// i32 without a scale.
  mlir::Value accumulateDot(mlir::Value dot, mlir::Value scale,
                            mlir::Value acc);

  // Reads.
  /// A scalar parameter as f32 (f16 is extended; integers converted with
  /// the scheme's signedness).
  mlir::Value readParam(mlir::Value tensor, mlir::ValueRange indices);
  /// Parameters (a scalar or a vector) as f32: floats extended, integers
  /// converted with the scheme's signedness.
  mlir::Value toF32(mlir::Value value);
  /// The zero point of a parameter group as i32, read with the scheme's
  /// signedness.
  mlir::Value readZeroPoint(mlir::ValueRange indices);
  /// `lanes` activations x[row, k ...], zero past `valid` (may be <= 0);
  /// without `valid`, all lanes exist.
  mlir::Value readActivations(mlir::Value row, mlir::Value k, mlir::Value valid,
                              int64_t lanes);
  /// Reads `lanes` storage units of the packed row from unit `unit`.
  /// Blocked rows are padded to whole blocks, so only an unblocked row's
  /// last segment can run past the row.
  mlir::Value readUnits(mlir::Value column, mlir::Value unit, int64_t lanes,
                        bool lastSegment);
  /// `lanes` quantized activations of `row` from `k` (always in bounds: the
  /// quantized rows are padded to whole segments).
  mlir::Value readQuantized(mlir::Value row, mlir::Value k, int64_t lanes);

  // Dequantization.
  /// The dequantization of one segment as w = q * multiplier + offset,
  /// folding the plan's (alpha, beta), the scale, and the zero point or
  /// minimum into two scalars per segment.
  struct Dequantization {
    mlir::Value multiplier;
    mlir::Value offset;    ///< null when zero
    mlir::Value zeroPoint; ///< i32, subtracted from the codes exactly (affine)
  };
  Dequantization getDequantization(mlir::Value scale, mlir::Value zeroPoint,
                                   mlir::Value min);
  /// Dequantized weights of integer codes (of at most 8 significant bits).
  mlir::Value dequantize(mlir::Value codes, bool isSigned,
                         const Dequantization &params);

  // 2x2 tiles (smmla, bfmmla).
  /// Lanes [offset, offset + count) of `first`, then the same of `second`
  /// (of the same type): a 2 x count operand of two rows.
  mlir::Value sideBySide(mlir::Value first, mlir::Value second, int64_t offset,
                         int64_t count);
  /// [s(c0, g), s(c1, g), s(c0, g), s(c1, g)] for group g of `segment`
  /// (`groups` per segment) of the two `columns`; a last partial segment's
  /// missing groups read the last group's (their sums are zero).
  mlir::Value tileScales(llvm::ArrayRef<mlir::Value> columns,
                         mlir::Value segment, int64_t groups, int64_t g,
                         bool partial);
  /// The scale of `column` without groups (per channel or per tensor).
  mlir::Value channelScale(mlir::Value column);
  /// Output (rows[r], columns[c]) of tiles [r0.c0, r0.c1, r1.c0, r1.c1]
  /// of row pairs.
  mlir::Value tileOutput(llvm::ArrayRef<mlir::Value> tiles, int64_t r,
                         int64_t c);
  /// total * multiplier (when there is one) + bias[column] (when the op
  /// has one).
  mlir::Value scaleAndBias(mlir::Value total, mlir::Value multiplier,
                           mlir::Value column);
  /// The segment loop of a tile: whole segments in a loop from `init`, then
  /// the last, partial one; `body` maps a segment's accumulators.
  llvm::SmallVector<mlir::Value> walkSegments(
      mlir::ValueRange init,
      llvm::function_ref<llvm::SmallVector<mlir::Value>(
          mlir::Value segment, mlir::ValueRange accs, bool partial)>
          body);

  // What the op asks for.
  /// Whether dequantization adds an offset (besides the scale) per segment.
  bool hasOffset();
  /// Whether the slotted kernel adds sum_s offset(s) * sum(x over s) after
  /// the segment loop.
  bool hasSlottedOffsets();
  /// Dynamic int8 with one scale per row (or tensor): the integer dot
  /// products accumulate exactly in i32 lanes over the whole row and are
  /// converted and scaled once.
  bool accumulatesIntegers();

protected:
  /// f16 `value` (scalar or vector) as f32 `target`, exactly, in integer
  /// and f32 operations.
  mlir::Value extendHalf(mlir::Value value, mlir::Type target);

  MatmulOp op;
  const KernelPlan &plan;
  PreparedOperands &prepared;
  mlir::Type f32;
};

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_KERNELEMITTER_H

//===- WeightOnlySegments.cpp - f32 activations times decoded codes -------===//
//
// The segments of weight-only kernels (f32 activations): every column's
// segment is decoded once per tile and meets each row in vector
// multiply-adds. Without an offset, w = q * m: x . q is summed over the
// segment and scaled once (or, with one scale per row, after the
// reduction); from kDequantizeRows rows on, the segment is dequantized
// once (w = q * m) so that every row needs only multiply-adds.
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"
#include "SegmentEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

/// From this many rows on, non-slotted kernels dequantize each segment
/// (w = q * m) once per column and meet every row with plain multiply-adds,
/// instead of summing x * q per row and scaling every row's sum.
static constexpr int64_t kDequantizeRows = 4;

SmallVector<Value> WeightOnlySegments::accumulateSegment(
    ArrayRef<Value> rows, ArrayRef<Value> columns, Value kBase, Value valid,
    Value unit, ArrayRef<Dequantization> params, bool partial,
    ValueRange accs) {
  if (plan.slotted)
    return accumulateSlottedSegment(rows, columns, kBase, unit, params, partial,
                                    accs);
  int64_t numRows = rows.size();
  // Without an offset, w = q * m: sum x * q over the segment from zero
  // (independent of the running total) and scale the sum once; without a
  // multiplier either (scaled after the reduction), sum into the totals.
  if (!hasOffset() &&
      (!params.front().multiplier || numRows < kDequantizeRows)) {
    SmallVector<Dequantization> unscaled(params.size(), Dequantization{});
    if (!params.front().multiplier)
      return accumulateCodes(rows, columns, kBase, valid, unit, unscaled,
                             partial, accs);
    SmallVector<Value> zeros(accs.size(),
                             splat(f32Constant(0.0f), plan.accLanes));
    SmallVector<Value> sums = accumulateCodes(rows, columns, kBase, valid, unit,
                                              unscaled, partial, zeros);
    SmallVector<Value> result;
    for (auto [i, sum, acc] : llvm::enumerate(sums, accs))
      result.push_back(multiplyAdd(
          sum, splat(params[i / numRows].multiplier, plan.accLanes), acc));
    return result;
  }
  // Codes scaled by the code factor meet a multiplier divided by it (an
  // offset must not be scaled; otherwise the totals are divided).
  SmallVector<Dequantization> adjusted(params.begin(), params.end());
  if (plan.codeFactor != 1 && hasOffset())
    for (Dequantization &p : adjusted)
      p.multiplier = arith::MulFOp::create(
          b, loc, p.multiplier, f32Constant(1.0f / float(plan.codeFactor)));
  return accumulateCodes(rows, columns, kBase, valid, unit, adjusted, partial,
                         accs);
}

/// The codes of one segment per column, from the layout's decoder, meet
/// the activations in place, piece by piece; each activation load is shared
/// by the columns (w unscaled when the multipliers are null).
SmallVector<Value> WeightOnlySegments::accumulateCodes(
    ArrayRef<Value> rows, ArrayRef<Value> columns, Value kBase, Value valid,
    Value unit, ArrayRef<Dequantization> params, bool partial,
    ValueRange accs) {
  std::unique_ptr<ContiguousDecoder> decoder = makeContiguousDecoder(*this);
  bool isSigned = op.getScheme().getQmin() < 0;
  int64_t numRows = rows.size();
  bool chained = numRows * int64_t(columns.size()) >= 4;
  SmallVector<Value> result(accs.begin(), accs.end());
  // Where each piece of activations starts, and how many of its lanes
  // exist (past K: none).
  SmallVector<Value> pieceK, pieceValid;
  for (int64_t offset : decoder->getPieceOffsets()) {
    if (offset == 0) {
      pieceK.push_back(kBase);
      pieceValid.push_back(valid);
      continue;
    }
    pieceK.push_back(arith::AddIOp::create(b, loc, kBase, index(offset)));
    pieceValid.push_back(
        valid ? Value(arith::SubIOp::create(b, loc, valid, index(offset)))
              : Value());
  }
  int64_t numPieces = pieceK.size();
  SmallVector<Value> xs; // xs[r * numPieces + p]
  for (Value row : rows)
    for (int64_t p = 0; p < numPieces; ++p)
      xs.push_back(readActivations(row, pieceK[p], pieceValid[p], plan.lanes));
  for (auto [c, column] : llvm::enumerate(columns)) {
    Value units = readUnits(column, unit, plan.lanes, partial);
    SmallVector<Value> weights;
    for (Value codes : decoder->decodeCodes(units))
      weights.push_back(dequantize(codes, isSigned, params[c]));
    for (int64_t r = 0; r < numRows; ++r) {
      Value &acc = result[c * numRows + r];
      for (int64_t p = 0; p < numPieces; ++p)
        acc = accumulate(xs[r * numPieces + p], weights[p], acc, chained);
    }
  }
  return result;
}

/// Slot i of every unit of the segment (a radix digit, or the bit field of
/// code i) is decoded at once and meets the contiguous regrouped
/// activations of slot i, each load shared by the columns. Per (column,
/// row), x . q is summed over the segment and scaled once; the offset
/// (min/scale) multiplies the segment's activation sum (offsetTerms).
SmallVector<Value> WeightOnlySegments::accumulateSlottedSegment(
    ArrayRef<Value> rows, ArrayRef<Value> columns, Value kBase, Value unit,
    ArrayRef<Dequantization> params, bool partial, ValueRange accs) {
  int64_t lanes = plan.lanes, n = plan.digits;
  int64_t numRows = rows.size(), numColumns = columns.size();
  SmallVector<Value> packed;
  for (Value column : columns)
    packed.push_back(readUnits(column, unit, lanes, partial));
  std::unique_ptr<SlotDecoder> decoder = makeSlotDecoder(*this);
  decoder->begin(packed);
  Value segment =
      arith::DivUIOp::create(b, loc, kBase, index(plan.segmentCodes));
  SmallVector<Value> sums(numRows * numColumns,
                          splat(f32Constant(0.0f), lanes));
  for (int64_t i = 0; i < n; ++i) {
    Value offset = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, segment, index(n * lanes)),
        index(i * lanes));
    SmallVector<Value> xs;
    for (Value row : rows)
      xs.push_back(vector::TransferReadOp::create(
          b, loc, vectorOf(lanes, f32), prepared.regroupedInput,
          ValueRange{row, offset}, f32Constant(0.0f), ArrayRef<bool>{true}));
    for (int64_t c = 0; c < numColumns; ++c) {
      Value code = decoder->decodeSlot(c, i); // i32 code values of slot i
      if (params[c].zeroPoint)
        code = arith::SubIOp::create(b, loc, code,
                                     splat(params[c].zeroPoint, lanes));
      Value codes = arith::SIToFPOp::create(b, loc, vectorOf(lanes, f32), code);
      for (int64_t r = 0; r < numRows; ++r)
        sums[c * numRows + r] =
            multiplyAdd(xs[r], codes, sums[c * numRows + r]);
    }
  }
  // Offsets (min/scale) are added after the segment loop (offsetTerms).
  SmallVector<Value> result;
  for (auto [i, sum, acc] : llvm::enumerate(sums, accs))
    result.push_back(
        multiplyAdd(sum, splat(params[i / numRows].multiplier, lanes), acc));
  return result;
}

/// 16 segments (blocks with dynamic int8) at a time: scales and minimums
/// are read as vectors.
SmallVector<Value> WeightOnlySegments::offsetTerms(ArrayRef<Value> rows,
                                                   Value column) {
  constexpr int64_t chunk = 16;
  SchemeAttr scheme = op.getScheme();
  bool perGroup = scheme.getGranularity() == GranularityKind::PerGroup;
  auto params = [&](Value tensor, Value segment) -> Value {
    if (!perGroup) {
      SmallVector<Value> indices;
      if (scheme.getGranularity() == GranularityKind::PerChannel)
        indices.push_back(column);
      return splat(readParam(tensor, indices), chunk);
    }
    Type element = cast<RankedTensorType>(tensor.getType()).getElementType();
    Value values = vector::TransferReadOp::create(
        b, loc, vectorOf(chunk, element), tensor, ValueRange{column, segment},
        arith::ConstantOp::create(b, loc, b.getZeroAttr(element)),
        ArrayRef<bool>{false});
    return toF32(values);
  };
  SmallVector<Value> zeros(rows.size(), splat(f32Constant(0.0f), chunk));
  auto loop = scf::ForOp::create(
      b, loc, index(0), index(plan.numSegments * plan.blocksPerSegment),
      index(chunk), zeros,
      [&](OpBuilder &, Location, Value segment, ValueRange accs) {
        Value offset;
        if (plan.beta != 0.0f)
          offset =
              arith::MulFOp::create(b, loc, params(op.getScales(), segment),
                                    splat(f32Constant(plan.beta), chunk));
        if (op.getMins()) {
          Value min = params(op.getMins(), segment);
          offset =
              offset ? Value(arith::AddFOp::create(b, loc, offset, min)) : min;
        }
        SmallVector<Value> next;
        for (auto [row, acc] : llvm::zip(rows, accs)) {
          Value sums = vector::TransferReadOp::create(
              b, loc, vectorOf(chunk, f32), prepared.segmentSums,
              ValueRange{row, segment}, f32Constant(0.0f),
              ArrayRef<bool>{false});
          next.push_back(multiplyAdd(offset, sums, acc));
        }
        scf::YieldOp::create(b, loc, next);
      });
  SmallVector<Value> result;
  for (Value acc : loop.getResults())
    result.push_back(
        vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, acc,
                                    arith::FastMathFlags::reassoc));
  return result;
}

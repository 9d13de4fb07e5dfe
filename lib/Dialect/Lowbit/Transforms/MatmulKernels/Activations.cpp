//===- Activations.cpp - activations in the form the segments read --------===//
//
// Once per call, before the loops: f32 rows padded to a stride that keeps
// the rows of a tile in different L1 sets, rows regrouped per slot for the
// slotted layouts, or rows quantized to int8 (with the corrections of
// offset weight operands) for the integer dot products.
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"
#include "SegmentEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

Value ActivationPreparer::copyRows(Type element, int64_t stride, int64_t chunk,
                                   int64_t end,
                                   function_ref<Value(Value)> convert) {
  int64_t m = op.getType().getDimSize(0);
  int64_t k = op.getInput().getType().getDimSize(1);
  Value copy =
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, stride}, element);
  auto rows = scf::ForOp::create(
      b, loc, index(0), index(m), index(1), ValueRange{copy},
      [&](OpBuilder &, Location, Value row, ValueRange state) {
        auto chunks = scf::ForOp::create(
            b, loc, index(0), index(end), index(chunk), state,
            [&](OpBuilder &, Location, Value first, ValueRange inner) {
              Value valid = arith::SubIOp::create(b, loc, index(k), first);
              Value x = convert(readActivations(row, first, valid, chunk));
              scf::YieldOp::create(
                  b, loc,
                  vector::TransferWriteOp::create(b, loc, x, inner[0],
                                                  ValueRange{row, first},
                                                  ArrayRef<bool>{true})
                      .getResult());
            });
        scf::YieldOp::create(b, loc, chunks.getResults());
      });
  return rows.getResult(0);
}

void ActivationPreparer::pad(bool roundToBf16) {
  int64_t k = op.getInput().getType().getDimSize(1);
  constexpr int64_t kChunk = 16;
  int64_t stride = llvm::alignTo(k, kChunk) + kChunk;
  prepared.activations = copyRows(f32, stride, kChunk, k, [&](Value x) {
    return roundToBf16 ? buildRoundToBf16(b, loc, x) : x;
  });
}

void ActivationPreparer::regroup() {
  int64_t m = op.getType().getDimSize(0);
  int64_t k = op.getInput().getType().getDimSize(1);
  int64_t n = plan.digits, words = plan.segmentUnits, lanes = plan.lanes;
  Value regrouped = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{m, plan.numSegments * n * lanes}, f32);
  Value sums = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{m, plan.numSegments}, f32);
  auto rows = scf::ForOp::create(
      b, loc, index(0), index(m), index(1), ValueRange{regrouped, sums},
      [&](OpBuilder &, Location, Value row, ValueRange state) {
        auto segments = scf::ForOp::create(
            b, loc, index(0), index(plan.numSegments), index(1), state,
            [&](OpBuilder &, Location, Value segment, ValueRange inner) {
              Value kBase = arith::MulIOp::create(b, loc, segment,
                                                  index(plan.segmentCodes));
              Value valid = arith::MinSIOp::create(
                  b, loc, arith::SubIOp::create(b, loc, index(k), kBase),
                  index(plan.segmentCodes));
              Value x = readActivations(row, kBase, valid, words * n);
              Value zeros = splat(f32Constant(0.0f), words * n);
              Value out = inner[0];
              for (int64_t i = 0; i < n; ++i) {
                SmallVector<int64_t> lanesOfDigit;
                for (int64_t w = 0; w < lanes; ++w)
                  lanesOfDigit.push_back(w < words ? w * n + i
                                                   : words * n); // a zero
                Value digitX =
                    vector::ShuffleOp::create(b, loc, x, zeros, lanesOfDigit);
                Value offset =
                    arith::MulIOp::create(b, loc, segment, index(n * lanes));
                offset =
                    arith::AddIOp::create(b, loc, offset, index(i * lanes));
                out = vector::TransferWriteOp::create(b, loc, digitX, out,
                                                      ValueRange{row, offset},
                                                      ArrayRef<bool>{true})
                          .getResult();
              }
              Value sum = vector::ReductionOp::create(
                  b, loc, vector::CombiningKind::ADD, x);
              Value updated = tensor::InsertOp::create(
                  b, loc, sum, inner[1], ValueRange{row, segment});
              scf::YieldOp::create(b, loc, ValueRange{out, updated});
            });
        scf::YieldOp::create(b, loc, segments.getResults());
      });
  prepared.regroupedInput = rows.getResult(0);
  prepared.segmentSums = rows.getResult(1);
}

void ActivationPreparer::quantize() {
  int64_t m = op.getType().getDimSize(0);
  int64_t k = op.getInput().getType().getDimSize(1);
  int64_t lanes = plan.segmentCodes, stored = plan.quantizedCodes;
  int64_t blocks = plan.blocksPerSegment;
  bool corrections = plan.weightOffset != 0;
  // Slotted layouts' offsets and mins meet each block's sum of q.
  bool blockSums = hasSlottedOffsets();
  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  Value codes = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{m, plan.numSegments * stored}, i8);
  Value scales = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m}, f32);
  // The tensors the segment loop writes: codes, then corrections and block
  // sums when used.
  SmallVector<Value> written{codes};
  if (corrections)
    written.push_back(tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{m, plan.numSegments * plan.lanes}, i32));
  if (blockSums)
    written.push_back(tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{m, plan.numSegments * blocks}, f32));
  SmallVector<Value> state{codes, scales};
  llvm::append_range(state, ArrayRef<Value>(written).drop_front());
  auto rows = scf::ForOp::create(
      b, loc, index(0), index(m), index(1), state,
      [&](OpBuilder &, Location, Value row, ValueRange state) {
        auto segmentValid = [&](Value segment) {
          Value kBase = arith::MulIOp::create(b, loc, segment, index(lanes));
          return std::make_pair(
              kBase, Value(arith::SubIOp::create(b, loc, index(k), kBase)));
        };
        // max |x| over the row.
        auto amax = scf::ForOp::create(
            b, loc, index(0), index(plan.numSegments), index(1),
            ValueRange{
                splat(arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)),
                      lanes)},
            [&](OpBuilder &, Location, Value segment, ValueRange acc) {
              auto [kBase, valid] = segmentValid(segment);
              Value x = readActivations(row, kBase, valid, lanes);
              scf::YieldOp::create(b, loc, buildAbsMaxStep(b, loc, acc[0], x));
            });
        Value scale = buildInt8RowScale(
            b, loc, buildAbsMaxResult(b, loc, amax.getResult(0)));
        // q = clamp(round_even(x / s), -127, 127).
        SmallVector<Value> segmentState{state[0]};
        llvm::append_range(segmentState, state.drop_front(2));
        auto quantized = scf::ForOp::create(
            b, loc, index(0), index(plan.numSegments), index(1), segmentState,
            [&](OpBuilder &, Location, Value segment, ValueRange acc) {
              auto [kBase, valid] = segmentValid(segment);
              Value x = readActivations(row, kBase, valid, lanes);
              Value q = buildQuantizeInt8(b, loc, x, scale);
              // In the order the segment's dot products read them.
              Value arranged = makeInt8DotDecoder(*this)->arrangeQuantized(q);
              auto write = [&](Value v, Value tensor, int64_t stride) {
                return vector::TransferWriteOp::create(
                           b, loc, v, tensor,
                           ValueRange{row, arith::MulIOp::create(
                                               b, loc, segment, index(stride))},
                           ArrayRef<bool>{true})
                    .getResult();
              };
              SmallVector<Value> next{write(arranged, acc[0], stored)};
              if (corrections)
                next.push_back(
                    write(laneCorrections(arranged), acc[1], plan.lanes));
              if (blockSums)
                next.push_back(write(blockSumsOf(q), acc.back(), blocks));
              scf::YieldOp::create(b, loc, next);
            });
        SmallVector<Value> next{
            quantized.getResult(0),
            tensor::InsertOp::create(b, loc, scale, state[1], row)};
        llvm::append_range(next, quantized.getResults().drop_front());
        scf::YieldOp::create(b, loc, next);
      });
  prepared.quantizedInput = rows.getResult(0);
  prepared.inputScales = rows.getResult(1);
  if (corrections)
    prepared.corrections = rows.getResult(2);
  if (blockSums)
    prepared.segmentSums = rows.getResults().back();
}

/// The sum of each block's quantized activations (as f32: exact).
Value ActivationPreparer::blockSumsOf(Value q) {
  int64_t blocks = plan.blocksPerSegment;
  int64_t block = plan.segmentCodes / blocks;
  Type i32 = b.getI32Type();
  Value wide =
      arith::ExtSIOp::create(b, loc, vectorOf(plan.segmentCodes, i32), q);
  Value grid = vector::ShapeCastOp::create(
      b, loc, VectorType::get({blocks, block}, i32), wide);
  Value zero =
      splat(arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)), blocks);
  Value sums = vector::MultiDimReductionOp::create(b, loc, grid, zero,
                                                   ArrayRef<bool>{false, true},
                                                   vector::CombiningKind::ADD);
  return arith::SIToFPOp::create(b, loc, vectorOf(blocks, f32), sums);
}

/// -weightOffset * the sum of the activations that meet each dot-product
/// lane of a (regrouped) segment: lane i takes bytes [4i, 4i + 4) of each
/// dot product (one for int8, the low and high nibble halves for int4).
Value ActivationPreparer::laneCorrections(Value q) {
  Type i32 = b.getI32Type();
  int64_t bytes = cast<VectorType>(q.getType()).getNumElements();
  int64_t parts = bytes / (4 * plan.lanes);
  Value wide = arith::ExtSIOp::create(b, loc, vectorOf(bytes, i32), q);
  Value grid = vector::ShapeCastOp::create(
      b, loc, VectorType::get({parts, plan.lanes, 4}, i32), wide);
  Value zero = splat(arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)),
                     plan.lanes);
  Value sums = vector::MultiDimReductionOp::create(
      b, loc, grid, zero, ArrayRef<bool>{true, false, true},
      vector::CombiningKind::ADD);
  return arith::MulIOp::create(
      b, loc, sums,
      splat(arith::ConstantOp::create(
                b, loc, b.getI32IntegerAttr(int32_t(-plan.weightOffset))),
            plan.lanes));
}

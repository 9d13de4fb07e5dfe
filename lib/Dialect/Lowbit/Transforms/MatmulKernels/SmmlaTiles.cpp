//===- SmmlaTiles.cpp - AArch64 i8mm: 2x2 blocks per smmla ----------------===//
//
// With i8mm, tiles of activation rows meet pairs of weight rows in 2x2
// smmla blocks: per 8 bytes, the two weight rows' bytes side by side
// against each pair of activation rows'. Pairs of rows share each
// instruction, which a dot product per (row, column) (sdot) cannot. Block
// sums are exact in i32 per group (or over the whole row with one scale per
// row), groups scaled per column in f32 into lanes [r0.c0, r0.c1, r1.c0,
// r1.c1].
//
//===----------------------------------------------------------------------===//

#include "SegmentEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ArmNeon/ArmNeonDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

SmallVector<Value> SmmlaTiles::buildDots(ArrayRef<Value> rows,
                                         ArrayRef<Value> columns) {
  int64_t k = op.getInput().getType().getDimSize(1);
  int64_t numPairs = rows.size() / 2, bytes = plan.segmentUnits;
  bool perGroup = !accumulatesIntegers();
  int64_t groups = perGroup ? plan.blocksPerSegment : 1;
  int64_t groupBytes = bytes / groups;
  int64_t numGroups =
      perGroup ? cast<RankedTensorType>(op.getScales().getType()).getDimSize(1)
               : 1;
  Value zeroI32 =
      splat(arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)), 4);
  SmallVector<Value> zeros(numPairs,
                           perGroup ? splat(f32Constant(0.0f), 4) : zeroI32);
  auto segmentBody = [&](Value segment, ValueRange accs, bool partial) {
    Value kBase =
        arith::MulIOp::create(b, loc, segment, index(plan.segmentCodes));
    Value unit =
        arith::MulIOp::create(b, loc, segment, index(plan.segmentUnits));
    // Weight operands per column; activations per row and operand.
    SmallVector<SmallVector<Value>> weights;
    for (Value column : columns) {
      Value negative;
      weights.push_back(Int8DotSegments(*this).decodeWeightOperands(
          column, unit, partial, negative));
    }
    int64_t numOperands = weights.front().size();
    SmallVector<SmallVector<Value>> xs;
    for (Value row : rows) {
      xs.emplace_back();
      for (int64_t i = 0; i < numOperands; ++i)
        xs.back().push_back(readQuantized(
            row, arith::AddIOp::create(b, loc, kBase, index(i * bytes)),
            bytes));
    }
    // Eight bytes from `offset` of two vectors, side by side.
    auto pairOf = [&](Value first, Value second, int64_t offset) {
      SmallVector<int64_t> lanes;
      for (int64_t i = 0; i < 8; ++i)
        lanes.push_back(offset + i);
      for (int64_t i = 0; i < 8; ++i)
        lanes.push_back(bytes + offset + i);
      return Value(vector::ShuffleOp::create(b, loc, first, second, lanes));
    };
    SmallVector<Value> next(accs.begin(), accs.end());
    for (int64_t g = 0; g < groups; ++g) {
      SmallVector<Value> sums(numPairs, zeroI32);
      if (!perGroup)
        sums.assign(next.begin(), next.end());
      for (int64_t i = 0; i < numOperands; ++i)
        for (int64_t offset = g * groupBytes; offset < (g + 1) * groupBytes;
             offset += 8) {
          Value w = pairOf(weights[0][i], weights[1][i], offset);
          for (int64_t p = 0; p < numPairs; ++p)
            sums[p] = arm_neon::SmmlaOp::create(
                b, loc, zeroI32.getType(), sums[p],
                pairOf(xs[2 * p][i], xs[2 * p + 1][i], offset), w);
        }
      if (!perGroup) {
        next.assign(sums.begin(), sums.end());
        continue;
      }
      // [s(c0, g), s(c1, g), s(c0, g), s(c1, g)]; a last partial segment's
      // missing groups have zero codes (any scale will do).
      Value group = arith::AddIOp::create(
          b, loc, arith::MulIOp::create(b, loc, segment, index(groups)),
          index(g));
      if (partial)
        group = arith::MinSIOp::create(b, loc, group, index(numGroups - 1));
      Value s0 = readParam(op.getScales(), {columns[0], group});
      Value s1 = readParam(op.getScales(), {columns[1], group});
      Value scales = vector::FromElementsOp::create(b, loc, vectorOf(4, f32),
                                                    ValueRange{s0, s1, s0, s1});
      for (int64_t p = 0; p < numPairs; ++p)
        next[p] = accumulateDot(sums[p], scales, next[p]);
    }
    return next;
  };
  int64_t fullSegments = k / plan.segmentCodes;
  auto loop = scf::ForOp::create(
      b, loc, index(0), index(fullSegments), index(1), zeros,
      [&](OpBuilder &, Location, Value segment, ValueRange accs) {
        scf::YieldOp::create(b, loc, segmentBody(segment, accs, false));
      });
  SmallVector<Value> accs(loop.getResults());
  if (fullSegments < plan.numSegments)
    accs = segmentBody(index(fullSegments), accs, true);
  // accs[p] = [r0.c0, r0.c1, r1.c0, r1.c1] of rows 2p, 2p + 1.
  SmallVector<Value> totals(rows.size() * columns.size());
  for (auto [c, column] : llvm::enumerate(columns)) {
    Value multiplier;
    if (!perGroup) {
      SmallVector<Value> indices;
      if (op.getScheme().getGranularity() == GranularityKind::PerChannel)
        indices.push_back(column);
      multiplier = readParam(op.getScales(), indices);
    }
    for (auto [r, row] : llvm::enumerate(rows)) {
      Value total = vector::ExtractOp::create(
          b, loc, accs[r / 2], ArrayRef<int64_t>{int64_t(2 * (r % 2) + c)});
      if (!perGroup)
        total = arith::SIToFPOp::create(b, loc, f32, total);
      total = arith::MulFOp::create(
          b, loc, total,
          tensor::ExtractOp::create(b, loc, prepared.inputScales, row));
      if (multiplier)
        total = arith::MulFOp::create(b, loc, total, multiplier);
      if (Value bias = op.getBias())
        total = arith::AddFOp::create(
            b, loc, total, tensor::ExtractOp::create(b, loc, bias, column));
      totals[c * rows.size() + r] = total;
    }
  }
  return totals;
}

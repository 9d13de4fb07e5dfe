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
  int64_t numPairs = rows.size() / 2, bytes = plan.segmentUnits;
  bool perGroup = !accumulatesIntegers();
  int64_t groups = perGroup ? plan.blocksPerSegment : 1;
  int64_t groupBytes = bytes / groups;
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
    SmallVector<Value> next(accs.begin(), accs.end());
    for (int64_t g = 0; g < groups; ++g) {
      SmallVector<Value> sums(numPairs, zeroI32);
      if (!perGroup)
        sums.assign(next.begin(), next.end());
      for (int64_t i = 0; i < numOperands; ++i)
        for (int64_t offset = g * groupBytes; offset < (g + 1) * groupBytes;
             offset += 8) {
          Value w = sideBySide(weights[0][i], weights[1][i], offset, 8);
          for (int64_t p = 0; p < numPairs; ++p)
            sums[p] = arm_neon::SmmlaOp::create(
                b, loc, zeroI32.getType(), sums[p],
                sideBySide(xs[2 * p][i], xs[2 * p + 1][i], offset, 8), w);
        }
      if (!perGroup) {
        next.assign(sums.begin(), sums.end());
        continue;
      }
      Value scales = tileScales(columns, segment, groups, g, partial);
      for (int64_t p = 0; p < numPairs; ++p)
        next[p] = accumulateDot(sums[p], scales, next[p]);
    }
    return next;
  };
  SmallVector<Value> accs = walkSegments(zeros, segmentBody);
  // accs[p] = [r0.c0, r0.c1, r1.c0, r1.c1] of rows 2p, 2p + 1.
  SmallVector<Value> totals(rows.size() * columns.size());
  for (auto [c, column] : llvm::enumerate(columns)) {
    Value multiplier;
    if (!perGroup)
      multiplier = channelScale(column);
    for (auto [r, row] : llvm::enumerate(rows)) {
      Value total = tileOutput(accs, r, c);
      if (!perGroup)
        total = arith::SIToFPOp::create(b, loc, f32, total);
      total = arith::MulFOp::create(
          b, loc, total,
          tensor::ExtractOp::create(b, loc, prepared.inputScales, row));
      totals[c * rows.size() + r] = scaleAndBias(total, multiplier, column);
    }
  }
  return totals;
}

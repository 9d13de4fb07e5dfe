//===- BfmmlaTiles.cpp - AArch64 +bf16: 2x2 blocks per bfmmla -------------===//
//
// bf16 activations on AArch64 +bf16 for tiles of rows: the bf16 codes of
// Bf16DotSegments (c + q, exact) of two weight rows meet the stored bf16
// activations of two rows in lowbit.mmla_bf16 (bfmmla), 4 codes of each
// at a time, into lanes [r0.c0, r0.c1, r1.c0, r1.c1]: 4 codes of 2 rows
// and 2 columns per instruction, where bfdot (one row and column per lane)
// takes two.
// Per-group sums are scaled per column once per group; c times the
// activation sums is subtracted per output after the loop
// (Bf16DotSegments::offsetTerms), as the bfdot segments do.
//
//===----------------------------------------------------------------------===//

#include "SegmentEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

/// Codes of one chunk (Bf16DotSegments) and of one bfmmla operand row.
static constexpr int64_t kChunk = 32;
static constexpr int64_t kQuad = 4;

SmallVector<Value> BfmmlaTiles::buildDots(ArrayRef<Value> rows,
                                          ArrayRef<Value> columns) {
  Bf16DotSegments segments(*this);
  int64_t numPairs = rows.size() / 2;
  bool perGroup = op.getScheme().getGranularity() == GranularityKind::PerGroup;
  int64_t groups = perGroup ? plan.blocksPerSegment : 1;
  // Independent accumulator chains per row pair: one per code part (int8's
  // low and high nibbles).
  int64_t parts = std::max<int64_t>(1, plan.accLanes / 16);
  Value zero = splat(f32Constant(0.0f), 4);
  SmallVector<Value> zeros(numPairs * parts, zero);
  auto segmentBody = [&](Value segment, ValueRange accs, bool partial) {
    Value unit =
        arith::MulIOp::create(b, loc, segment, index(plan.segmentUnits));
    SmallVector<SmallVector<Bf16DotSegments::CodeChunk>> codes;
    for (Value column : columns)
      codes.push_back(segments.decodeCodes(column, unit, partial));
    SmallVector<SmallVector<Value>> xs;
    for (Value row : rows)
      xs.push_back(segments.readActivationChunks(row, segment));
    // sums[(p * parts + part) * groups + g]: per-group sums start from
    // zero; otherwise the accumulators carry them.
    SmallVector<Value> sums;
    for (Value acc : accs)
      for (int64_t g = 0; g < groups; ++g)
        sums.push_back(perGroup ? zero : acc);
    for (auto [i, chunk] : llvm::enumerate(codes[0])) {
      for (int64_t offset = 0; offset < kChunk; offset += kQuad) {
        int64_t g = perGroup ? segments.blockOfCode(chunk.chunk, offset) : 0;
        Value w = sideBySide(chunk.codes, codes[1][i].codes, offset, kQuad);
        for (int64_t p = 0; p < numPairs; ++p) {
          Value &sum = sums[(p * parts + chunk.part % parts) * groups + g];
          sum = MmlaBf16Op::create(b, loc, sum.getType(), sum,
                                   sideBySide(xs[2 * p][chunk.chunk],
                                              xs[2 * p + 1][chunk.chunk],
                                              offset, kQuad),
                                   w);
        }
      }
    }
    if (!perGroup)
      return sums;
    SmallVector<Value> next(accs.begin(), accs.end());
    for (int64_t g = 0; g < groups; ++g) {
      Value scales = tileScales(columns, segment, groups, g, partial);
      for (int64_t chain = 0; chain < numPairs * parts; ++chain)
        next[chain] =
            multiplyAdd(sums[chain * groups + g], scales, next[chain]);
    }
    return next;
  };
  SmallVector<Value> accs = walkSegments(zeros, segmentBody);
  // tiles[p] = [r0.c0, r0.c1, r1.c0, r1.c1] of rows 2p, 2p + 1.
  SmallVector<Value> tiles;
  for (int64_t p = 0; p < numPairs; ++p) {
    Value tile = accs[p * parts];
    for (int64_t part = 1; part < parts; ++part)
      tile = arith::AddFOp::create(b, loc, tile, accs[p * parts + part]);
    tiles.push_back(tile);
  }
  SmallVector<Value> totals(rows.size() * columns.size());
  for (auto [c, column] : llvm::enumerate(columns)) {
    // Without groups the scale multiplies the corrected total.
    Value multiplier;
    if (!perGroup)
      multiplier =
          getDequantization(channelScale(column), Value(), Value()).multiplier;
    SmallVector<Value> offsets = segments.offsetTerms(rows, column);
    for (auto [r, row] : llvm::enumerate(rows)) {
      // Radix digits are code indices: w = (q alpha + beta) s + m.
      Value dots = tileOutput(tiles, r, c);
      if (plan.alpha != 1.0f)
        dots = arith::MulFOp::create(b, loc, dots, f32Constant(plan.alpha));
      Value total = arith::AddFOp::create(b, loc, dots, offsets[r]);
      totals[c * rows.size() + r] = scaleAndBias(total, multiplier, column);
    }
  }
  return totals;
}

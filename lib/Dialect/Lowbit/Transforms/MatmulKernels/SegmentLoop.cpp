//===- SegmentLoop.cpp - the segment loop of one tile ---------------------===//
//
// For one tile of rows and columns, the inner loop walks the packed weight
// rows one segment (a packing block, or a fixed chunk for unblocked
// layouts) at a time into vector accumulators, each segment's body from the
// plan's segment emitter; then one horizontal reduction (a tree) per output
// element, the scale when it applies to the whole row, and the bias.
//
// A single activation row reads one weight row at a time: the loop
// prefetches the next weight row and its per-group parameters once per 64
// bytes (weight-only layouts that want it; the others touch one line per
// page a few pages ahead, for the page walks, and int8 and bf16 dot GEMVs
// every line they read a few rows ahead), taking as many segments per
// iteration (each with its own accumulators, at most kAccumulators vectors)
// and reading their scales as one vector. Whole segments are unmasked; only
// a final partial one masks activations past K.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "SegmentEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

/// Accumulator vectors of the segment loop, at most.
static constexpr int64_t kAccumulators = 8;
/// Dynamic int8 per-group scales read (and converted) at once by a single
/// row's segment loop, and the segments it unrolls for that at most.
static constexpr int64_t kScalesPerRead = 16, kMaxScaleUnroll = 4;
/// A GEMV streams the packed matrix from DRAM one weight row after the
/// other. With 4 KiB pages the hardware prefetcher stops at each page
/// boundary and the stream then waits on a page walk: touching one line of
/// every page this far ahead starts the walk (and that line) early.
/// (Prefetching every line of the next row instead was slower: see
/// docs/Lowering.md.) The dynamic int8 and bf16 kernels do it (beside the
/// bf16 kernels' row prefetches), except the bf16 radix codes (c11a16),
/// bound by their decode; rows shorter than a page prefetch only in the
/// iterations where a page starts (a prefetch per row, several per page,
/// cost more than the walks).
static constexpr int64_t kPageBytes = 4096, kPageAheadBytes = 4 * kPageBytes;
/// A dynamic int8 or bf16-dot GEMV decodes and multiplies at about the DRAM
/// rate, so its out-of-order window holds fewer of the stream's lines than
/// the latency needs (the fewer, the more work per byte: int3 and radix
/// words most), and the hardware prefetcher does not make up for it. Its
/// segment loop prefetches every line it reads this far ahead, rounded up to
/// whole weight rows (where the plan wants it: measured faster for int8,
/// int4, int3 and radix words with int8 dots, int8 and int4 with bf16 dots;
/// docs/Lowering.md).
static constexpr int64_t kLinesAheadBytes = 4096, kLineBytes = 64;

/// Bytes of one row of `packed` ([N, units]).
static int64_t getRowBytes(ShapedType packed) {
  return packed.getDimSize(1) * packed.getElementTypeBitWidth() / 8;
}

bool KernelBuilder::pagePrefetches() {
  if (op.getType().getDimSize(0) != 1)
    return false;
  return plan.dynamicInt8 || (plan.bf16Dot != Bf16Dot::None && !plan.radix);
}

void KernelBuilder::prefetchPagesAhead(ArrayRef<Value> columns) {
  auto type = cast<MemRefType>(packedBuffer.getType());
  int64_t rowBytes = getRowBytes(type);
  int64_t rowsAhead = llvm::divideCeil(kPageAheadBytes, rowBytes);
  int64_t tileBytes = rowBytes * columns.size();
  OpBuilder::InsertionGuard guard(b);
  if (tileBytes < kPageBytes) {
    // Whether a page starts inside this tile's bytes
    // [first * rowBytes, (last + 1) * rowBytes): the tile's last byte lies
    // fewer than tileBytes past a page boundary.
    Value lastByte = arith::SubIOp::create(
        b, loc,
        arith::MulIOp::create(
            b, loc,
            arith::AddIOp::create(b, loc, columns.back(), index(1)),
            index(rowBytes)),
        index(1));
    Value pageStarts = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ult,
        arith::RemUIOp::create(b, loc, lastByte, index(kPageBytes)),
        index(tileBytes));
    auto ifOp = scf::IfOp::create(b, loc, pageStarts, /*withElse=*/false);
    b.setInsertionPointToStart(ifOp.thenBlock());
  }
  Value row = getRowAhead(columns, rowsAhead);
  int64_t pageElements = kPageBytes * 8 / type.getElementTypeBitWidth();
  for (int64_t offset = 0; offset < type.getDimSize(1); offset += pageElements)
    memref::PrefetchOp::create(b, loc, packedBuffer,
                               ValueRange{row, index(offset)},
                               /*isWrite=*/false, /*localityHint=*/3,
                               /*isDataCache=*/true);
}

// (Only the dynamic int8 and bf16-dot plans set prefetchLines.)
bool KernelBuilder::linePrefetches() {
  return plan.prefetchLines && op.getType().getDimSize(0) == 1;
}

Value KernelBuilder::getRowAhead(ArrayRef<Value> columns, int64_t rows) {
  return arith::MinSIOp::create(
      b, loc, arith::AddIOp::create(b, loc, columns.back(), index(rows)),
      index(op.getType().getDimSize(1) - 1));
}

void KernelBuilder::prefetchLines(Value rowAhead, Value unit, int64_t bytes) {
  auto type = cast<MemRefType>(packedBuffer.getType());
  int64_t lineUnits = kLineBytes * 8 / type.getElementTypeBitWidth();
  // A line per 64 bytes from the first: every line the bytes touch, since
  // the next iteration's first prefetch follows fewer than 64 bytes after
  // this one's last; all within the iteration's own units of the row.
  for (int64_t offset = 0; offset < bytes; offset += kLineBytes)
    memref::PrefetchOp::create(
        b, loc, packedBuffer,
        ValueRange{rowAhead,
                   arith::AddIOp::create(
                       b, loc, unit, index(offset / kLineBytes * lineUnits))},
        /*isWrite=*/false, /*localityHint=*/3, /*isDataCache=*/true);
}

SmallVector<Value> KernelBuilder::buildDots(ArrayRef<Value> rows,
                                            ArrayRef<Value> columns) {
  SchemeAttr scheme = op.getScheme();
  int64_t k = op.getInput().getType().getDimSize(1);
  int64_t numRows = rows.size();
  SmallVector<Value> zeros(
      numRows * columns.size(),
      accumulatesIntegers()
          ? splat(arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)),
                  plan.accLanes)
          : splat(f32Constant(0.0f), plan.accLanes));
  // Without an offset, a per-channel or per-tensor scale multiplies the
  // row's total once, after the reduction.
  bool scaleAfter = !plan.dynamicInt8 && !plan.slotted && !hasOffset() &&
                    scheme.getGranularity() != GranularityKind::PerGroup;
  auto paramIndicesOf = [&](Value column, Value segment) {
    switch (scheme.getGranularity()) {
    case GranularityKind::PerTensor:
      return SmallVector<Value>{};
    case GranularityKind::PerChannel:
      return SmallVector<Value>{column};
    case GranularityKind::PerGroup:
      break;
    }
    return SmallVector<Value>{column, segment};
  };
  // Whole segments run unmasked; a final partial one masks activations
  // past K.
  int64_t fullSegments = k / plan.segmentCodes;
  // Slotted units are read as a wider vector than a block holds: the last
  // block's read must be bounds-checked.
  if (plan.slotted)
    fullSegments = std::min(fullSegments, plan.numSegments - 1);
  // `scales`: the columns' scales of this segment when read already.
  auto segmentBody = [&](Value segment, ValueRange acc, bool partial,
                         ArrayRef<Value> scales = {}) {
    Value kBase =
        arith::MulIOp::create(b, loc, segment, index(plan.segmentCodes));
    Value valid;
    if (partial)
      valid = arith::SubIOp::create(b, loc, index(k), kBase);
    else if (plan.slotted) // units hold padding codes
      valid = index(plan.segmentCodes);
    Value unit =
        arith::MulIOp::create(b, loc, segment, index(plan.segmentUnits));
    if (plan.bf16Dot != Bf16Dot::None)
      return Bf16DotSegments(*this).accumulateSegment(
          rows, columns, kBase, segment, unit, partial, acc);
    SmallVector<Value> result;
    SmallVector<Dequantization> params;
    for (auto [c, column] : llvm::enumerate(columns)) {
      SmallVector<Value> paramIndices = paramIndicesOf(column, segment);
      if (scaleAfter) {
        params.push_back(Dequantization{});
        continue;
      }
      if (plan.dynamicInt8) {
        Value scale;
        if (!scales.empty())
          scale = scales[c];
        else if (plan.blocksPerSegment > 1 && !accumulatesIntegers())
          scale =
              Int8DotSegments(*this).readBlockScales(column, segment, partial);
        else if (!accumulatesIntegers())
          // Broadcast, then extend: a vpbroadcastw from memory and one
          // vcvtph2ps, where the scalar f16 load, extension and broadcast
          // are three instructions (c11a8: 2-3% less time in cache).
          scale = toF32(vector::BroadcastOp::create(
              b, loc,
              vectorOf(plan.lanes,
                       cast<RankedTensorType>(op.getScales().getType())
                           .getElementType()),
              tensor::ExtractOp::create(b, loc, op.getScales(), paramIndices)));
        llvm::append_range(result,
                           Int8DotSegments(*this).accumulateSegment(
                               rows, column, kBase, segment, unit, scale,
                               partial, acc.slice(c * numRows, numRows)));
        continue;
      }
      Value scale =
          scales.empty() ? readParam(op.getScales(), paramIndices) : scales[c];
      Value zeroPoint =
          op.getZeroPoints() ? readZeroPoint(paramIndices) : Value();
      // (Slotted kernels add offsets after the loop.)
      Value min = op.getMins() && !plan.slotted
                      ? readParam(op.getMins(), paramIndices)
                      : Value();
      Dequantization dequantization = getDequantization(scale, zeroPoint, min);
      if (plan.slotted)
        dequantization.offset = Value();
      params.push_back(dequantization);
    }
    if (plan.dynamicInt8)
      return result;
    return WeightOnlySegments(*this).accumulateSegment(
        rows, columns, kBase, valid, unit, params, partial, acc);
  };
  // The segment loop prefetches the next weight row (the next column, one
  // row ahead in the sequential stream of the packed matrix) once per 64
  // bytes: whole segments go `unroll` at a time, each into its own set of
  // accumulators (independent chains), the sets added after the loop.
  Type unitType = op.getPacked().getType().getElementType();
  int64_t segmentBytes =
      plan.segmentUnits * unitType.getIntOrFloatBitWidth() / 8;
  // Row tiles go one segment at a time (fewer live registers; they
  // prefetch every segment).
  int64_t unroll = std::max<int64_t>(1, 64 / segmentBytes);
  // Dynamic int8 with several groups per segment: a single row's
  // iteration takes enough segments to read about 16 scales as one vector,
  // converted once, then spread to each segment's lanes by one permute
  // (per segment, a broadcast, a byte shuffle and a conversion cost as much
  // as its dot products), each segment into its own accumulators. (One
  // group per segment: a scalar conversion and broadcast are cheaper.)
  bool int8GroupScales = plan.dynamicInt8 && !accumulatesIntegers() &&
                         plan.blocksPerSegment > 1 &&
                         scheme.getGranularity() == GranularityKind::PerGroup;
  if (int8GroupScales)
    unroll = std::max(
        unroll, std::min<int64_t>(
                    kMaxScaleUnroll,
                    llvm::divideCeil(kScalesPerRead, plan.blocksPerSegment)));
  unroll = rows.size() == 1
               ? std::max<int64_t>(1, std::min(unroll, fullSegments))
               : 1;
  bool prefetching = plan.prefetches();
  if (rows.size() == 1 && pagePrefetches())
    prefetchPagesAhead(columns);
  Value lineRowAhead;
  if (rows.size() == 1 && linePrefetches())
    lineRowAhead = getRowAhead(
        columns, llvm::divideCeil(
                     kLinesAheadBytes,
                     getRowBytes(cast<MemRefType>(packedBuffer.getType()))));
  Value ahead;
  if (prefetching)
    ahead = getRowAhead(columns, 1);
  int64_t unrolled = fullSegments - fullSegments % unroll;
  int64_t tile = zeros.size();
  // Accumulator sets: segment u of an iteration goes into set u % numSets,
  // at most kAccumulators vectors in all (a tile brings its own
  // independent chains).
  int64_t numSets =
      std::max<int64_t>(1, std::min(unroll, kAccumulators / tile));
  SmallVector<Value> allZeros;
  for (int64_t u = 0; u < numSets; ++u)
    llvm::append_range(allZeros, zeros);
  auto segments = scf::ForOp::create(
      b, loc, index(0), index(unrolled), index(unroll), allZeros,
      [&](OpBuilder &, Location, Value first, ValueRange acc) {
        if (lineRowAhead)
          prefetchLines(
              lineRowAhead,
              arith::MulIOp::create(b, loc, first, index(plan.segmentUnits)),
              unroll * segmentBytes);
        if (prefetching) {
          memref::PrefetchOp::create(
              b, loc, packedBuffer,
              ValueRange{ahead, arith::MulIOp::create(
                                    b, loc, first, index(plan.segmentUnits))},
              /*isWrite=*/false, /*localityHint=*/3, /*isDataCache=*/true);
          Value firstGroup =
              plan.blocksPerSegment == 1
                  ? first
                  : Value(arith::MulIOp::create(b, loc, first,
                                                index(plan.blocksPerSegment)));
          for (Value params : paramBuffers)
            memref::PrefetchOp::create(
                b, loc, params, ValueRange{ahead, firstGroup},
                /*isWrite=*/false, /*localityHint=*/3, /*isDataCache=*/true);
        }
        // Per-group scales of the `unroll` segments: one vector load and
        // conversion per column.
        // (Dynamic int8: the scales of the segments' blocks.)
        SmallVector<Value> scaleVectors;
        int64_t blocks = plan.blocksPerSegment;
        if (unroll > 1 && !scaleAfter &&
            (!plan.dynamicInt8 || int8GroupScales) &&
            plan.bf16Dot == Bf16Dot::None &&
            scheme.getGranularity() == GranularityKind::PerGroup)
          for (Value column : columns) {
            Type element = cast<RankedTensorType>(op.getScales().getType())
                               .getElementType();
            Value firstBlock = blocks == 1 ? first
                                           : Value(arith::MulIOp::create(
                                                 b, loc, first, index(blocks)));
            scaleVectors.push_back(toF32(vector::TransferReadOp::create(
                b, loc, vectorOf(unroll * blocks, element), op.getScales(),
                ValueRange{column, firstBlock},
                arith::ConstantOp::create(b, loc, b.getZeroAttr(element)),
                ArrayRef<bool>{true})));
          }
        SmallVector<Value> next(acc.begin(), acc.end());
        for (int64_t u = 0; u < unroll; ++u) {
          Value segment =
              u == 0 ? first
                     : Value(arith::AddIOp::create(b, loc, first, index(u)));
          SmallVector<Value> scales;
          for (Value vector : scaleVectors)
            scales.push_back(plan.dynamicInt8 && blocks > 1
                                 ? Int8DotSegments(*this).spreadBlockScales(
                                       vector, u * blocks)
                                 : Value(vector::ExtractOp::create(
                                       b, loc, vector, ArrayRef<int64_t>{u})));
          int64_t set = u % numSets;
          SmallVector<Value> updated = segmentBody(
              segment, ArrayRef<Value>(next).slice(set * tile, tile), false,
              scales);
          llvm::copy(updated, next.begin() + set * tile);
        }
        scf::YieldOp::create(b, loc, next);
      });
  SmallVector<Value> sets(segments.getResults());
  for (int64_t width = numSets; width > 1; width = (width + 1) / 2)
    for (int64_t u = 0; u < width / 2; ++u)
      for (int64_t i = 0; i < tile; ++i)
        sets[u * tile + i] =
            accumulatesIntegers()
                ? Value(arith::AddIOp::create(b, loc, sets[u * tile + i],
                                              sets[(width - 1 - u) * tile + i]))
                : Value(
                      arith::AddFOp::create(b, loc, sets[u * tile + i],
                                            sets[(width - 1 - u) * tile + i]));
  SmallVector<Value> accs(sets.begin(), sets.begin() + tile);
  for (int64_t segment = unrolled; segment < fullSegments; ++segment)
    accs = segmentBody(index(segment), accs, false);
  if (fullSegments < plan.numSegments)
    accs = segmentBody(index(fullSegments), accs, true);
  SmallVector<Value> totals;
  for (auto [c, column] : llvm::enumerate(columns)) {
    Value biasValue;
    if (Value bias = op.getBias())
      biasValue = tensor::ExtractOp::create(b, loc, bias, column);
    // What multiplies the reduced sums: the scale (when applied after the
    // reduction) and the inverse of the code factor (when the offset
    // path has not already folded it into the multiplier).
    Value multiplier;
    if (scaleAfter || accumulatesIntegers())
      multiplier = getDequantization(
                       readParam(op.getScales(), paramIndicesOf(column, {})),
                       Value(), Value())
                       .multiplier;
    if (plan.codeFactor != 1 && !hasOffset()) {
      Value inverse = f32Constant(1.0f / float(plan.codeFactor));
      multiplier =
          multiplier ? Value(arith::MulFOp::create(b, loc, multiplier, inverse))
                     : inverse;
    }
    SmallVector<Value> offsets;
    if (plan.bf16Dot != Bf16Dot::None)
      offsets = Bf16DotSegments(*this).offsetTerms(rows, column);
    else if (hasSlottedOffsets())
      offsets = WeightOnlySegments(*this).offsetTerms(rows, column);
    for (auto [r, row] : llvm::enumerate(rows)) {
      // The reduction may reassociate: a tree of vector adds (exact for
      // integer accumulators, converted once).
      Value total;
      if (accumulatesIntegers())
        total = arith::SIToFPOp::create(
            b, loc, f32,
            vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                        accs[c * numRows + r]));
      else
        total = vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                            accs[c * numRows + r],
                                            arith::FastMathFlags::reassoc);
      // Slotted dynamic int8 and bf16 codes are indices: w = (q alpha +
      // beta) s + m.
      if (plan.slotted && (plan.dynamicInt8 || plan.bf16Dot != Bf16Dot::None) &&
          plan.alpha != 1.0f)
        total = arith::MulFOp::create(b, loc, total, f32Constant(plan.alpha));
      if (!offsets.empty())
        total = arith::AddFOp::create(b, loc, total, offsets[r]);
      if (plan.dynamicInt8)
        total = arith::MulFOp::create(
            b, loc, total,
            tensor::ExtractOp::create(b, loc, prepared.inputScales, row));
      if (multiplier)
        total = arith::MulFOp::create(b, loc, total, multiplier);
      if (biasValue)
        total = arith::AddFOp::create(b, loc, total, biasValue);
      totals.push_back(total);
    }
  }
  return totals;
}

//===- VectorizeMatmul.cpp - lowbit.matmul as vector loops ----------------===//
//
// Lowers lowbit.matmul on packed weights to loops over output elements whose
// inner loop walks the packed row one segment (a packing block, or a fixed
// chunk for unblocked layouts) at a time: load the segment's storage units
// as a vector, unpack the codes in registers (masks and shifts, or the
// multiply-only radix decode), dequantize them with the segment's scale
// (and zero point or minimum), and accumulate x * w in a vector register
// with multiply-add. One horizontal reduction (a tree) per output element.
//
// Tiles: activation rows in fours (eights for weight-only int4) share each
// decoded segment, walking the weight rows in blocks of about 256 KiB that stay
// in cache from one row tile to the next; with a single activation row, weight
// rows are read one at a time (one sequential stream through the packed
// matrix, prefetched a weight row ahead). Offsets of
// min/scale schemes on slotted layouts are added after the segment loop,
// vectorized over segments.
//
// The vector code is target-independent: LLVM selects AVX2 / AVX-512 / NEON
// instructions for the CPU lowbitc is given.
//
//===----------------------------------------------------------------------===//

#include "Int8Dot.h"
#include "Parallel.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ArmNeon/ArmNeonDialect.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace lowbit {
#define GEN_PASS_DEF_LOWBITVECTORIZEMATMUL
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// How one lowbit.matmul is walked: segments of `segmentCodes` codes stored
/// in `segmentUnits` storage units, accumulated in `lanes`-wide vectors.
struct KernelPlan {
  LayoutKind kind;
  /// Dynamic int8 activations: how segments' integer dot products are done,
  /// and how many bytes one dot product consumes.
  bool dynamicInt8 = false;
  Int8Dot dot = Int8Dot::Generic;
  /// Dynamic int8 on interleaved int4: packing blocks per segment. The low
  /// nibbles of a segment's bytes (and then the high nibbles) make one dot
  /// product over several groups, whose activations are stored regrouped to
  /// match (regroupQuantized).
  int64_t blocksPerSegment = 1;
  /// Dynamic int8 with x86 VNNI or AVX2 (unsigned x signed bytes): weight
  /// codes enter the dot product as q + weightOffset (unsigned), activations
  /// as they are; -weightOffset * (sum of each lane's activations) is
  /// precomputed per row and starts every lane's sum. (AVX2 int8 weights
  /// instead enter as |q|, meeting activations with q's sign: see
  /// accumulateIntegerSegment.)
  int64_t weightOffset = 0;
  /// Dynamic int8 with AArch64 i8mm: tiles of activation rows meet pairs of
  /// weight rows in 2x2 smmla blocks (buildMmlaDots).
  bool mmla = false;
  int64_t segmentCodes;
  int64_t segmentUnits;
  int64_t numSegments;
  int64_t lanes;
  /// Lanes of the accumulators: `lanes`, or one register on targets with 16
  /// narrow vector registers (SSE, AVX2), where a segment's `lanes`-wide
  /// products are added into them slice by slice (accumulate).
  int64_t accLanes;
  /// Tiles of several activation rows stay within 16 registers.
  bool narrow = false;
  /// f16 parameters are extended with integer operations (x86 SSE: no F16C,
  /// where LLVM would call __extendhfsf2 once per element).
  bool expandHalf = false;
  unsigned radix = 0;
  unsigned digits = 0;
  /// Dequantization: w = (q * alpha + beta) * s (+ m), where q is the code
  /// value (or index); affine schemes subtract the zero point instead.
  float alpha = 1.0f;
  float beta = 0.0f;
};

/// The walk for `op`, or a reason it has no vector kernel.
static FailureOr<KernelPlan> planKernel(MatmulOp op, Int8Dot dot, bool i8mm,
                                        int64_t vectorBits, std::string &why) {
  SchemeAttr scheme = op.getScheme();
  LayoutAttr layout = op.getLayout();
  int64_t k = op.getInput().getType().getDimSize(1);
  if (!op.getInput().getType().hasStaticShape() ||
      !op.getPacked().getType().hasStaticShape()) {
    why = "dynamic shapes";
    return failure();
  }
  KernelPlan plan;
  plan.kind = layout.getKind();
  int64_t block = layout.getBlock();
  switch (plan.kind) {
  case LayoutKind::Int8:
    plan.segmentCodes = block > 0 ? block : 64;
    plan.segmentUnits = plan.segmentCodes;
    plan.lanes = plan.segmentCodes;
    break;
  case LayoutKind::Int4Interleaved:
    plan.segmentCodes = block;
    plan.segmentUnits = block / 2;
    plan.lanes = block / 2;
    break;
  case LayoutKind::Radix:
  case LayoutKind::Int4:
  case LayoutKind::Int3:
  case LayoutKind::Int2:
    // Units holding several codes in "slots" (digits, bit fields): slot i of
    // every unit of a segment is decoded at once and meets activations
    // regrouped per slot.
    plan.radix = layout.getRadix();
    plan.digits = numerics::codesPerUnit(layout.getPackFormat());
    plan.segmentCodes =
        block > 0 ? block
                  : plan.digits * (plan.kind == LayoutKind::Radix ? 8 : 16);
    plan.segmentUnits = llvm::divideCeil(plan.segmentCodes, plan.digits);
    // Units are processed as a power-of-two vector; the extra lanes meet
    // zero activations.
    plan.lanes = llvm::PowerOf2Ceil(plan.segmentUnits);
    break;
  }
  if (scheme.getGranularity() == GranularityKind::PerGroup &&
      scheme.getGroupSize() != plan.segmentCodes) {
    why = "groups do not coincide with packing blocks";
    return failure();
  }
  plan.numSegments = llvm::divideCeil(k, plan.segmentCodes);

  if (op.getDynamicInt8Activations()) {
    if (plan.kind != LayoutKind::Int8 &&
        plan.kind != LayoutKind::Int4Interleaved) {
      why = "dynamic int8 activations need int8 or int4_interleaved weights";
      return failure();
    }
    plan.dynamicInt8 = true;
    if (plan.kind == LayoutKind::Int4Interleaved && block % 8 != 0) {
      why = "dynamic int8 activations need segments of whole 4-byte groups";
      return failure();
    }
    if (plan.kind == LayoutKind::Int4Interleaved) {
      // Four blocks per segment: one dot product of 2 * block bytes per
      // nibble half (a 512-bit vpdpbusd for groups of 32).
      plan.blocksPerSegment = 4;
      plan.segmentCodes = 4 * block;
      plan.segmentUnits = 2 * block;
      plan.numSegments = llvm::divideCeil(k, plan.segmentCodes);
    }
    // Bytes of one integer dot product: the int8 segment, or one nibble half.
    int64_t bytes = plan.segmentUnits;
    plan.dot = dot;
    if (bytes % 4 != 0) {
      why = "dynamic int8 activations need segments of whole 4-byte groups";
      return failure();
    }
    if ((isVpdpbusd(dot) || isPmaddubsw(dot)) && bytes % 16 != 0)
      plan.dot = Int8Dot::Generic;
    // AVX2's pair sums fit i16 with q + 8 <= 15 against |x| <= 127, not with
    // q + 128.
    if (isVpdpbusd(plan.dot) ||
        (isPmaddubsw(plan.dot) && plan.kind != LayoutKind::Int8))
      plan.weightOffset = plan.kind == LayoutKind::Int8 ? 128 : 8;
    plan.lanes = bytes / 4;
    // smmla takes 8 bytes of each row, signed: every group's bytes of a
    // weight operand must be whole 8-byte chunks.
    int64_t groupBytes = scheme.getGranularity() == GranularityKind::PerGroup
                             ? bytes / plan.blocksPerSegment
                             : bytes;
    plan.mmla = i8mm && !plan.weightOffset && !isPmaddubsw(plan.dot) &&
                groupBytes % 8 == 0;
    plan.narrow = vectorBits < 512 && !plan.mmla;
    plan.expandHalf = vectorBits <= 128 && !plan.mmla;
    plan.accLanes =
        plan.narrow ? std::min(plan.lanes, vectorBits / 32) : plan.lanes;
    return plan;
  }

  // Dequantization as an affine function of the code.
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
    plan.alpha = 1.0f / float(last);
    plan.beta = -float(scheme.getQmin()) * plan.alpha;
  } else if (CodebookAttr codebook = scheme.getCodebook()) {
    ArrayRef<float> levels = codebook.getValues();
    float step = (levels.back() - levels.front()) / float(levels.size() - 1);
    for (auto [i, level] : llvm::enumerate(levels))
      if (std::fabs(level - (levels.front() + step * float(i))) >
          1e-6f * std::fabs(step)) {
        why = "codebook levels are not evenly spaced";
        return failure();
      }
    plan.alpha = step;
    plan.beta = levels.front();
  }
  // The slotted layouts keep their per-slot vectors (not measured narrow).
  plan.narrow = vectorBits < 512 && (plan.kind == LayoutKind::Int8 ||
                                     plan.kind == LayoutKind::Int4Interleaved);
  plan.expandHalf = vectorBits <= 128;
  plan.accLanes =
      plan.narrow ? std::min(plan.lanes, vectorBits / 32) : plan.lanes;
  return plan;
}

/// Emits the loops of one lowbit.matmul.
class KernelBuilder {
public:
  KernelBuilder(OpBuilder &builder, MatmulOp op, const KernelPlan &plan,
                bool parallel)
      : b(builder), loc(op.getLoc()), op(op), plan(plan), parallel(parallel),
        f32(builder.getF32Type()) {}

  Value build() {
    auto resultType = op.getType();
    int64_t m = resultType.getDimSize(0);
    Value result = tensor::EmptyOp::create(b, loc, resultType.getShape(), f32);
    activations = op.getInput();
    if (plan.dynamicInt8)
      quantizeActivations();
    else if (isSlotted())
      regroupActivations();
    else if (m >= 4)
      padActivations();
    if (prefetches()) {
      auto tensorType = cast<RankedTensorType>(op.getPacked().getType());
      packedBuffer = bufferization::ToBufferOp::create(
          b, loc,
          MemRefType::get(tensorType.getShape(), tensorType.getElementType()),
          op.getPacked(), b.getUnitAttr());
      // Per-group parameters ([N, groups]) are prefetched with the weights.
      for (Value params : {op.getScales(), op.getMins(), op.getZeroPoints()}) {
        if (!params)
          continue;
        auto type = cast<RankedTensorType>(params.getType());
        if (type.getRank() == 2)
          paramBuffers.push_back(bufferization::ToBufferOp::create(
              b, loc, MemRefType::get(type.getShape(), type.getElementType()),
              params, b.getUnitAttr()));
      }
    }
    // Rows in tiles share each decoded weight segment: as many of the
    // largest tile as fit, then of the smaller ones, then single rows.
    auto allRows = [&](Value init, Value firstColumn, Value endColumn) {
      int64_t done = 0;
      for (int64_t tile : rowTiles()) {
        int64_t end = done + (m - done) / tile * tile;
        if (end > done)
          init = buildRows(init, done, end, tile, columnTile(tile), firstColumn,
                           endColumn);
        done = end;
      }
      return init;
    };
    // Several activation rows read the weights once per row tile: in blocks
    // of columns whose weights stay in L2 between tiles (one block for a
    // single row, which reads the weights once as one stream).
    int64_t n = resultType.getDimSize(1);
    int64_t block = m > 1 ? columnBlock() : n;
    // Threads take chunks of columns (each reads its own part of the
    // weights), fixed here: an output is computed the same way whatever the
    // thread count.
    if (int64_t chunk = parallelChunk(block)) {
      return buildParallelChunks(b, loc, result, /*dim=*/1, n, chunk,
                                 [&](Value slice, Value first, Value end) {
                                   columnOrigin = first;
                                   return allRows(slice, first, end);
                                 });
    }
    if (block >= n)
      return allRows(result, index(0), index(n));
    auto blocks = scf::ForOp::create(
        b, loc, index(0), index(n), index(block), ValueRange{result},
        [&](OpBuilder &, Location, Value first, ValueRange state) {
          Value end = arith::MinSIOp::create(
              b, loc, arith::AddIOp::create(b, loc, first, index(block)),
              index(n));
          scf::YieldOp::create(b, loc, allRows(state[0], first, end));
        });
    return blocks.getResult(0);
  }

private:
  /// Row tiles, largest first (ending with single rows).
  /// Int4 weights take tiles of 8 rows (one dequantized segment meets 8
  /// rows), other layouts tiles of 4: int8's 64-lane segments and the
  /// slotted layouts' per-segment sums would not fit the registers.
  SmallVector<int64_t> rowTiles() const {
    if ((plan.kind == LayoutKind::Int4Interleaved && !plan.dynamicInt8) ||
        (plan.narrow && !plan.dynamicInt8))
      return {8, 4, 1};
    return {4, 1};
  }
  /// Accumulator vectors of the segment loop, at most.
  static constexpr int64_t kAccumulators = 8;
  /// From this many rows on, non-slotted kernels dequantize each segment
  /// (w = q * m) once per column and meet every row with plain multiply-adds,
  /// instead of summing x * q per row and scaling every row's sum.
  static constexpr int64_t kDequantizeRows = 4;

  /// Weight rows (output columns) computed together, sharing each activation
  /// load. A single row of activations reads one weight row at a time: the
  /// packed matrix is then one sequential stream, which the cold (DRAM-bound)
  /// case needs more than the shared loads. Row tiles take two columns, which
  /// halves the activation traffic from L2 per multiply-add.
  /// On narrow targets (16 registers) a tile is one column: its 8 row
  /// accumulators, the column's decoded slice and an activation fit.
  int64_t columnTile(int64_t rowTile) const {
    return rowTile == 1 || (plan.narrow && !plan.dynamicInt8) ? 1 : 2;
  }

  /// Weight rows (output columns) per block when several activation rows
  /// are computed: about 256 KiB of packed weights and parameters, a
  /// multiple of every column tile.
  int64_t columnBlock() {
    constexpr int64_t kBlockBytes = 256 * 1024;
    return std::max<int64_t>(4, kBlockBytes / std::max<int64_t>(rowBytes(), 1) /
                                    4 * 4);
  }

  /// Bytes of packed codes and per-group parameters per weight row.
  int64_t rowBytes() {
    auto bytesOf = [](Value tensor) -> int64_t {
      if (!tensor)
        return 0;
      auto type = cast<RankedTensorType>(tensor.getType());
      if (type.getRank() < 2)
        return 0;
      return type.getDimSize(1) * type.getElementTypeBitWidth() / 8;
    };
    return bytesOf(op.getPacked()) + bytesOf(op.getScales()) +
           bytesOf(op.getMins()) + bytesOf(op.getZeroPoints());
  }

  /// Output columns per parallel chunk, or 0 for a serial kernel: column
  /// blocks of several activation rows (at least two column tiles otherwise),
  /// for a single row at least 16 KiB of weights each.
  int64_t parallelChunk(int64_t block) {
    int64_t m = op.getType().getDimSize(0), n = op.getType().getDimSize(1);
    int64_t k = op.getInput().getType().getDimSize(1);
    if (!parallel || m * n * k < kMinParallelWork)
      return 0;
    if (m > 1)
      return block < n ? block : getParallelChunk(n, 4);
    constexpr int64_t kMinChunkBytes = 16 * 1024;
    return getParallelChunk(n, 1,
                            kMinChunkBytes / std::max<int64_t>(rowBytes(), 1));
  }

  /// Whether the segment loop of single activation rows prefetches the next
  /// weight row (measured: it helps the slotted and weight-only int4 kernels
  /// cold, and slows int8 and the dynamic int8 kernels, whose segments are
  /// whole cache lines the hardware prefetcher already follows).
  bool prefetches() const {
    return plan.kind != LayoutKind::Int8 && !plan.dynamicInt8;
  }

  bool isSlotted() const {
    return plan.kind == LayoutKind::Radix || plan.kind == LayoutKind::Int4 ||
           plan.kind == LayoutKind::Int3 || plan.kind == LayoutKind::Int2;
  }

  /// Quantizes every activation row to int8 (lowbit.matmul's definition):
  /// fills `quantizedInput` [M, segments * segmentCodes] (zero past K, each
  /// segment in the order of regroupQuantized), `inputScales` [M] and, with
  /// a weight offset, `corrections` [M, segments * lanes].
  void quantizeActivations() {
    int64_t m = op.getType().getDimSize(0);
    int64_t k = op.getInput().getType().getDimSize(1);
    int64_t lanes = plan.segmentCodes;
    Type i8 = b.getI8Type(), i32 = b.getI32Type();
    Value codes = tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{m, plan.numSegments * lanes}, i8);
    Value scales = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m}, f32);
    SmallVector<Value> state{codes, scales};
    if (plan.weightOffset)
      state.push_back(tensor::EmptyOp::create(
          b, loc, ArrayRef<int64_t>{m, plan.numSegments * plan.lanes}, i32));
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
              ValueRange{splat(f32Constant(0.0f), lanes)},
              [&](OpBuilder &, Location, Value segment, ValueRange acc) {
                auto [kBase, valid] = segmentValid(segment);
                Value x = readActivations(row, kBase, valid, lanes);
                scf::YieldOp::create(
                    b, loc,
                    Value(arith::MaximumFOp::create(
                        b, loc, acc[0], math::AbsFOp::create(b, loc, x))));
              });
          Value maximum = vector::ReductionOp::create(
              b, loc, vector::CombiningKind::MAXIMUMF, amax.getResult(0));
          Value positive = arith::CmpFOp::create(
              b, loc, arith::CmpFPredicate::OGT, maximum, f32Constant(0.0f));
          Value scale = arith::SelectOp::create(
              b, loc, positive,
              arith::DivFOp::create(b, loc, maximum, f32Constant(127.0f)),
              f32Constant(1.0f));
          // q = clamp(round_even(x / s), -127, 127).
          SmallVector<Value> written{state[0]};
          if (plan.weightOffset)
            written.push_back(state[2]);
          auto quantized = scf::ForOp::create(
              b, loc, index(0), index(plan.numSegments), index(1), written,
              [&](OpBuilder &, Location, Value segment, ValueRange acc) {
                auto [kBase, valid] = segmentValid(segment);
                Value x = readActivations(row, kBase, valid, lanes);
                Value y = arith::DivFOp::create(b, loc, x, splat(scale, lanes));
                y = arith::MaximumFOp::create(b, loc, y,
                                              splat(f32Constant(-127.0f), lanes));
                y = arith::MinimumFOp::create(b, loc, y,
                                              splat(f32Constant(127.0f), lanes));
                // Round half to even without a libm call: for |y| <= 127,
                // (y + 1.5 * 2^23) - 1.5 * 2^23 rounds y in the FPU's default
                // nearest-even mode.
                Value magic = splat(f32Constant(12582912.0f), lanes);
                Value rounded = arith::SubFOp::create(
                    b, loc, arith::AddFOp::create(b, loc, y, magic), magic);
                Value q = regroupQuantized(arith::FPToSIOp::create(
                    b, loc, vectorOf(lanes, i8), rounded));
                SmallVector<Value> next{
                    vector::TransferWriteOp::create(b, loc, q, acc[0],
                                                    ValueRange{row, kBase},
                                                    ArrayRef<bool>{true})
                        .getResult()};
                if (plan.weightOffset)
                  next.push_back(vector::TransferWriteOp::create(
                                     b, loc, laneCorrections(q), acc[1],
                                     ValueRange{row, arith::MulIOp::create(
                                                         b, loc, segment,
                                                         index(plan.lanes))},
                                     ArrayRef<bool>{true})
                                     .getResult());
                scf::YieldOp::create(b, loc, next);
              });
          SmallVector<Value> next{
              quantized.getResult(0),
              tensor::InsertOp::create(b, loc, scale, state[1], row)};
          if (plan.weightOffset)
            next.push_back(quantized.getResult(1));
          scf::YieldOp::create(b, loc, next);
        });
    quantizedInput = rows.getResult(0);
    inputScales = rows.getResult(1);
    if (plan.weightOffset)
      corrections = rows.getResult(2);
  }

  /// The quantized activations of one segment in the order its dot products
  /// read them: with several interleaved int4 blocks per segment, first the
  /// activations of every block's low nibbles (codes [0, B/2) of each
  /// block), then those of the high nibbles.
  Value regroupQuantized(Value q) {
    if (plan.blocksPerSegment == 1)
      return q;
    int64_t block = plan.segmentCodes / plan.blocksPerSegment, half = block / 2;
    SmallVector<int64_t> order;
    for (int64_t nibble = 0; nibble < 2; ++nibble)
      for (int64_t blockIndex = 0; blockIndex < plan.blocksPerSegment;
           ++blockIndex)
        for (int64_t j = 0; j < half; ++j)
          order.push_back(blockIndex * block + nibble * half + j);
    return vector::ShuffleOp::create(b, loc, q, q, order);
  }

  /// -weightOffset * the sum of the activations that meet each dot-product
  /// lane of a (regrouped) segment: lane i takes bytes [4i, 4i + 4) of each
  /// dot product (one for int8, the low and high nibble halves for int4).
  Value laneCorrections(Value q) {
    Type i32 = b.getI32Type();
    int64_t bytes = cast<VectorType>(q.getType()).getNumElements();
    int64_t parts = bytes / (4 * plan.lanes);
    Value wide = arith::ExtSIOp::create(b, loc, vectorOf(bytes, i32), q);
    Value grid = vector::ShapeCastOp::create(
        b, loc, VectorType::get({parts, plan.lanes, 4}, i32), wide);
    Value zero = splat(
        arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)), plan.lanes);
    Value sums = vector::MultiDimReductionOp::create(
        b, loc, grid, zero, ArrayRef<bool>{true, false, true},
        vector::CombiningKind::ADD);
    return arith::MulIOp::create(
        b, loc, sums,
        splat(arith::ConstantOp::create(
                  b, loc, b.getI32IntegerAttr(int32_t(-plan.weightOffset))),
              plan.lanes));
  }

  /// Copies the activations into rows of a stride that is not a multiple of
  /// 4 KiB: a row tile reads every row at the same offset, and rows 16 KiB
  /// apart (K = 4096) would fall into the same L1 sets.
  void padActivations() {
    int64_t m = op.getType().getDimSize(0);
    int64_t k = op.getInput().getType().getDimSize(1);
    constexpr int64_t kChunk = 16;
    int64_t stride = llvm::alignTo(k, kChunk) + kChunk;
    Value padded =
        tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, stride}, f32);
    auto rows = scf::ForOp::create(
        b, loc, index(0), index(m), index(1), ValueRange{padded},
        [&](OpBuilder &, Location, Value row, ValueRange state) {
          auto chunks = scf::ForOp::create(
              b, loc, index(0), index(k), index(kChunk), state,
              [&](OpBuilder &, Location, Value first, ValueRange inner) {
                Value valid = arith::SubIOp::create(b, loc, index(k), first);
                Value x = readActivations(row, first, valid, kChunk);
                scf::YieldOp::create(
                    b, loc,
                    vector::TransferWriteOp::create(b, loc, x, inner[0],
                                                    ValueRange{row, first},
                                                    ArrayRef<bool>{true})
                        .getResult());
              });
          scf::YieldOp::create(b, loc, chunks.getResults());
        });
    activations = rows.getResult(0);
  }

  /// Regroups every activation row for the radix kernel: for segment s and
  /// digit i, the `plan.lanes` activations that meet digit i of the
  /// segment's words (x[s * B + w * n + i], zero past the segment or K) lie
  /// contiguously in `regroupedInput`; `segmentSums` holds each segment's
  /// sum of activations, for the offsets of min/scale schemes.
  void regroupActivations() {
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
                Value kBase =
                    arith::MulIOp::create(b, loc, segment, index(plan.segmentCodes));
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
                  Value offset = arith::MulIOp::create(
                      b, loc, segment, index(n * lanes));
                  offset = arith::AddIOp::create(b, loc, offset, index(i * lanes));
                  out = vector::TransferWriteOp::create(
                            b, loc, digitX, out, ValueRange{row, offset},
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
    regroupedInput = rows.getResult(0);
    segmentSums = rows.getResult(1);
  }

  /// `lanes` quantized activations of `row` from `k` (always in bounds: the
  /// quantized rows are padded to whole segments).
  Value readQuantized(Value row, Value k, int64_t lanes) {
    Value padding = arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(0));
    return vector::TransferReadOp::create(b, loc, vectorOf(lanes, b.getI8Type()),
                                          quantizedInput, ValueRange{row, k},
                                          padding, ArrayRef<bool>{true});
  }

  /// Dynamic int8 with one scale per row (or tensor): the integer dot
  /// products accumulate exactly in i32 lanes over the whole row and are
  /// converted and scaled once.
  bool accumulatesIntegers() {
    return plan.dynamicInt8 &&
           op.getScheme().getGranularity() != GranularityKind::PerGroup;
  }

  /// acc + float(dot) * scale (a scalar or one per lane), or acc + dot in
  /// i32 without a scale.
  Value accumulateDot(Value dot, Value scale, Value acc) {
    if (!scale) // i32 sums are exact in any order
      return arith::AddIOp::create(
          b, loc, acc,
          sumSlices(dot, cast<VectorType>(acc.getType()).getNumElements()));
    int64_t lanes = cast<VectorType>(dot.getType()).getNumElements();
    Value asFloat = arith::SIToFPOp::create(b, loc, vectorOf(lanes, f32), dot);
    if (!isa<VectorType>(scale.getType()))
      scale = splat(scale, lanes);
    return accumulate(asFloat, scale, acc, /*chained=*/true);
  }

  /// The sum of the `lanes`-wide slices of `v` (a tree; integer or float
  /// with `reassoc`).
  Value sumSlices(Value v, int64_t lanes) {
    int64_t total = cast<VectorType>(v.getType()).getNumElements();
    SmallVector<Value> parts;
    for (int64_t offset = 0; offset < total; offset += lanes)
      parts.push_back(total == lanes
                          ? v
                          : Value(vector::ExtractStridedSliceOp::create(
                                b, loc, v, {offset}, {lanes}, {1})));
    while (parts.size() > 1) {
      SmallVector<Value> next;
      for (size_t i = 0; i + 1 < parts.size(); i += 2)
        next.push_back(
            isa<FloatType>(getElementTypeOrSelf(v.getType()))
                ? Value(arith::AddFOp::create(b, loc, parts[i], parts[i + 1],
                                              arith::FastMathFlags::reassoc))
                : Value(arith::AddIOp::create(b, loc, parts[i], parts[i + 1])));
      if (parts.size() % 2)
        next.push_back(parts.back());
      parts = std::move(next);
    }
    return parts.front();
  }

  /// acc + x * y where x and y may be wider than the accumulator (narrow
  /// targets): slice by slice, chained into acc (multiply-adds a target
  /// with FMA contracts; row tiles bring enough independent chains), or
  /// the products summed as a tree first (a single row's few chains).
  Value accumulate(Value x, Value y, Value acc, bool chained) {
    int64_t lanes = cast<VectorType>(x.getType()).getNumElements();
    int64_t accLanes = cast<VectorType>(acc.getType()).getNumElements();
    if (lanes == accLanes)
      return multiplyAdd(x, y, acc);
    auto slice = [&](Value v, int64_t offset) {
      return Value(vector::ExtractStridedSliceOp::create(b, loc, v, {offset},
                                                         {accLanes}, {1}));
    };
    if (!chained) {
      Value products = arith::MulFOp::create(b, loc, x, y);
      return arith::AddFOp::create(b, loc, acc, sumSlices(products, accLanes),
                                   arith::FastMathFlags::reassoc);
    }
    for (int64_t offset = 0; offset < lanes; offset += accLanes)
      acc = multiplyAdd(slice(x, offset), slice(y, offset), acc);
    return acc;
  }

  /// The first output column of the slice that buildColumns writes (a
  /// parallel chunk's), or null for the whole output.
  Value columnOrigin;
  /// The activations the kernel reads: the input, or its padded copy.
  Value activations;
  Value quantizedInput, inputScales, corrections;
  Value regroupedInput, segmentSums;
  /// The packed weights and per-group parameters as read-only buffers, for
  /// prefetches.
  Value packedBuffer;
  SmallVector<Value> paramBuffers;

  /// Output rows [begin, end) in tiles of `rowTile` rows; columns in tiles
  /// of `columnTile`, the columns that do not fill a tile one at a time.
  Value buildRows(Value init, int64_t begin, int64_t end, int64_t rowTile,
                  int64_t columnTile, Value firstColumn, Value endColumn) {
    auto rows = scf::ForOp::create(
        b, loc, index(begin), index(end), index(rowTile), ValueRange{init},
        [&](OpBuilder &, Location, Value firstRow, ValueRange outer) {
          SmallVector<Value> rowIndices = consecutive(firstRow, rowTile);
          Value updated = outer[0];
          // Whole column tiles, then the columns that do not fill one
          // (known statically without column blocks).
          std::optional<int64_t> first = getConstantIntValue(firstColumn);
          std::optional<int64_t> last = getConstantIntValue(endColumn);
          Value tiled = endColumn;
          bool hasRest = columnTile > 1;
          if (first && last) {
            int64_t rest = (*last - *first) % columnTile;
            tiled = index(*last - rest);
            hasRest = rest > 0;
          } else if (columnTile > 1) {
            tiled = arith::SubIOp::create(
                b, loc, endColumn,
                arith::RemUIOp::create(
                    b, loc,
                    arith::SubIOp::create(b, loc, endColumn, firstColumn),
                    index(columnTile)));
          }
          updated =
              buildColumns(updated, rowIndices, firstColumn, tiled, columnTile);
          if (hasRest)
            updated = buildColumns(updated, rowIndices, tiled, endColumn, 1);
          scf::YieldOp::create(b, loc, updated);
        });
    return rows.getResult(0);
  }

  /// Output columns [begin, end) of `rows` in tiles of `tile` columns.
  Value buildColumns(Value init, ArrayRef<Value> rows, Value begin, Value end,
                     int64_t tile) {
    auto columns = scf::ForOp::create(
        b, loc, begin, end, index(tile), ValueRange{init},
        [&](OpBuilder &, Location, Value firstColumn, ValueRange inner) {
          SmallVector<Value> columnIndices = consecutive(firstColumn, tile);
          SmallVector<Value> values =
              plan.mmla && rows.size() % 2 == 0 && tile == 2
                  ? buildMmlaDots(rows, columnIndices)
                  : buildDots(rows, columnIndices);
          Value updated = inner[0];
          for (auto [c, column] : llvm::enumerate(columnIndices)) {
            // A parallel chunk writes its slice of the output.
            Value outColumn =
                columnOrigin
                    ? Value(arith::SubIOp::create(b, loc, column, columnOrigin))
                    : column;
            for (auto [r, row] : llvm::enumerate(rows))
              updated =
                  tensor::InsertOp::create(b, loc, values[c * rows.size() + r],
                                           updated, ValueRange{row, outColumn});
          }
          scf::YieldOp::create(b, loc, updated);
        });
    return columns.getResult(0);
  }

private:
  /// first, first + 1, ..., first + count - 1.
  SmallVector<Value> consecutive(Value first, int64_t count) {
    SmallVector<Value> result;
    for (int64_t i = 0; i < count; ++i)
      result.push_back(i == 0 ? first
                              : Value(arith::AddIOp::create(b, loc, first,
                                                            index(i))));
    return result;
  }
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value f32Constant(float value) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
  }
  VectorType vectorOf(int64_t lanes, Type element) {
    return VectorType::get({lanes}, element);
  }
  Value splat(Value scalar, int64_t lanes) {
    return vector::BroadcastOp::create(b, loc,
                                       vectorOf(lanes, scalar.getType()), scalar);
  }
  /// x * y + acc, contractible into an FMA where the target has one.
  Value multiplyAdd(Value x, Value y, Value acc) {
    auto contract = arith::FastMathFlags::contract;
    Value product = arith::MulFOp::create(b, loc, x, y, contract);
    return arith::AddFOp::create(b, loc, acc, product, contract);
  }
  /// A scalar parameter as f32 (f16 is extended; integers converted with the
  /// scheme's signedness).
  Value readParam(Value tensor, ValueRange indices) {
    return toF32(tensor::ExtractOp::create(b, loc, tensor, indices));
  }
  /// Parameters (a scalar or a vector) as f32: floats extended, integers
  /// converted with the scheme's signedness.
  Value toF32(Value value) {
    Type type = value.getType();
    Type target = f32;
    if (auto vector = dyn_cast<VectorType>(type))
      target = vectorOf(vector.getNumElements(), f32);
    Type element = getElementTypeOrSelf(type);
    if (element.isF16() && plan.expandHalf)
      return extendHalf(value, target);
    if (isa<FloatType>(element))
      return element.isF32() ? value
                             : Value(arith::ExtFOp::create(b, loc, target, value));
    if (op.getScheme().getIsSigned())
      return arith::SIToFPOp::create(b, loc, target, value);
    return arith::UIToFPOp::create(b, loc, target, value);
  }
  /// f16 `value` (scalar or vector) as f32 `target`, exactly, in integer
  /// and f32 operations: the magnitude's bits shifted into place are the
  /// f32 of value * 2^-112 (subnormal halves included), multiplied back;
  /// infinities and NaNs get the f32 exponent; the sign is or-ed in.
  Value extendHalf(Value value, Type target) {
    Type i32 = b.getI32Type(), i16 = b.getI16Type();
    int64_t lanes = 0;
    if (auto vector = dyn_cast<VectorType>(value.getType()))
      lanes = vector.getNumElements();
    auto typeOf = [&](Type element) -> Type {
      return lanes ? Type(vectorOf(lanes, element)) : element;
    };
    auto constant = [&](Type element, TypedAttr attr) {
      Value scalar = arith::ConstantOp::create(b, loc, attr);
      return lanes ? splat(scalar, lanes) : scalar;
    };
    auto i32Constant = [&](int64_t v) {
      return constant(i32, b.getI32IntegerAttr(int32_t(v)));
    };
    Value bits = arith::ExtUIOp::create(
        b, loc, typeOf(i32),
        arith::BitcastOp::create(b, loc, typeOf(i16), value));
    Value sign = arith::ShLIOp::create(
        b, loc, arith::AndIOp::create(b, loc, bits, i32Constant(0x8000)),
        i32Constant(16));
    Value magnitude = arith::ShLIOp::create(
        b, loc, arith::AndIOp::create(b, loc, bits, i32Constant(0x7FFF)),
        i32Constant(13));
    Value scaled = arith::MulFOp::create(
        b, loc, arith::BitcastOp::create(b, loc, target, magnitude),
        constant(f32, b.getF32FloatAttr(0x1p112f)));
    Value special = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                          magnitude, i32Constant(0x7C00 << 13));
    Value result = arith::SelectOp::create(
        b, loc, special,
        arith::OrIOp::create(b, loc, magnitude, i32Constant(0x7F800000)),
        arith::BitcastOp::create(b, loc, typeOf(i32), scaled));
    return arith::BitcastOp::create(b, loc, target,
                                    arith::OrIOp::create(b, loc, result, sign));
  }
  /// The zero point of a parameter group as i32, read with the scheme's
  /// signedness.
  Value readZeroPoint(ValueRange indices) {
    Value value = tensor::ExtractOp::create(b, loc, op.getZeroPoints(), indices);
    auto type = cast<IntegerType>(value.getType());
    Type i32 = b.getI32Type();
    if (type.getWidth() > 32)
      return arith::TruncIOp::create(b, loc, i32, value);
    if (type.getWidth() == 32)
      return value;
    if (op.getScheme().getIsSigned())
      return arith::ExtSIOp::create(b, loc, i32, value);
    return arith::ExtUIOp::create(b, loc, i32, value);
  }
  /// `lanes` activations x[row, k ...], zero past `valid` (may be <= 0);
  /// without `valid`, all lanes exist.
  Value readActivations(Value row, Value k, Value valid, int64_t lanes) {
    if (!valid)
      return vector::TransferReadOp::create(
          b, loc, vectorOf(lanes, f32), activations, ValueRange{row, k},
          f32Constant(0.0f), ArrayRef<bool>{true});
    Value clamped = arith::MaxSIOp::create(
        b, loc, arith::MinSIOp::create(b, loc, valid, index(lanes)), index(0));
    Value mask = vector::CreateMaskOp::create(
        b, loc, vectorOf(lanes, b.getI1Type()), ValueRange{clamped});
    Value x = activations;
    AffineMap minor = AffineMap::getMinorIdentityMap(2, 1, b.getContext());
    return vector::TransferReadOp::create(
        b, loc, vectorOf(lanes, f32), x, ValueRange{row, k}, minor,
        f32Constant(0.0f), mask, b.getBoolArrayAttr({false}));
  }
  /// Reads `lanes` storage units of the packed row from unit `unit`. Blocked
  /// rows are padded to whole blocks, so only an unblocked row's last
  /// segment can run past the row.
  Value readUnits(Value column, Value unit, int64_t lanes, bool lastSegment) {
    Type unitType = op.getPacked().getType().getElementType();
    Value padding = arith::ConstantOp::create(b, loc, b.getIntegerAttr(unitType, 0));
    int64_t rowUnits = op.getPacked().getType().getDimSize(1);
    bool inBounds =
        !lastSegment ||
        (plan.numSegments - 1) * plan.segmentUnits + lanes <= rowUnits;
    return vector::TransferReadOp::create(
        b, loc, vectorOf(lanes, unitType), op.getPacked(),
        ValueRange{column, unit}, padding, ArrayRef<bool>{inBounds});
  }
  /// The dequantization of one segment as w = q * multiplier + offset,
  /// folding the plan's (alpha, beta), the scale, and the zero point or
  /// minimum into two scalars per segment.
  struct Dequantization {
    Value multiplier;
    Value offset;    ///< null when zero
    Value zeroPoint; ///< i32, subtracted from the codes exactly (affine)
  };
  Dequantization getDequantization(Value scale, Value zeroPoint, Value min) {
    Dequantization result;
    result.multiplier =
        plan.alpha == 1.0f
            ? scale
            : arith::MulFOp::create(b, loc, scale, f32Constant(plan.alpha));
    result.zeroPoint = zeroPoint;
    if (plan.beta != 0.0f) // (q * alpha + beta) * s
      result.offset =
          arith::MulFOp::create(b, loc, scale, f32Constant(plan.beta));
    if (min)
      result.offset = result.offset
                          ? Value(arith::AddFOp::create(b, loc, result.offset, min))
                          : min;
    return result;
  }
  /// Dequantized weights of integer codes (of at most 8 significant bits).
  Value dequantize(Value codes, bool isSigned, const Dequantization &params) {
    auto type = cast<VectorType>(codes.getType());
    int64_t lanes = type.getNumElements();
    // Codes wider than i32 (radix digits) fit in i32; signed conversion is
    // the cheap one and exact for non-negative values.
    if (type.getElementTypeBitWidth() > 32) {
      codes = arith::TruncIOp::create(b, loc, vectorOf(lanes, b.getI32Type()),
                                      codes);
      isSigned = true;
    }
    // (q - z) in i32 is exact; subtracting after scaling would cancel.
    if (params.zeroPoint) {
      auto wide = vectorOf(lanes, b.getI32Type());
      if (type.getElementTypeBitWidth() < 32)
        codes = isSigned ? Value(arith::ExtSIOp::create(b, loc, wide, codes))
                         : Value(arith::ExtUIOp::create(b, loc, wide, codes));
      codes = arith::SubIOp::create(b, loc, codes,
                                    splat(params.zeroPoint, lanes));
      isSigned = true;
    }
    Value values =
        isSigned ? Value(arith::SIToFPOp::create(b, loc, vectorOf(lanes, f32), codes))
                 : Value(arith::UIToFPOp::create(b, loc, vectorOf(lanes, f32), codes));
    Value weights = values;
    if (params.multiplier)
      weights = arith::MulFOp::create(b, loc, values,
                                      splat(params.multiplier, lanes));
    if (params.offset)
      weights = arith::AddFOp::create(b, loc, weights,
                                      splat(params.offset, lanes));
    return weights;
  }

  /// Whether codes are decoded scaled by a power of two (int4 nibbles are
  /// left in the high half of their byte, as 16 * q): exact, and undone on
  /// the multiplier or on the row's total.
  int64_t codeFactor() {
    return plan.kind == LayoutKind::Int4Interleaved && !plan.dynamicInt8 &&
                   !op.getZeroPoints()
               ? 16
               : 1;
  }
  /// Whether dequantization adds an offset (besides the scale) per segment.
  bool hasOffset() {
    return plan.beta != 0.0f || op.getMins() || op.getZeroPoints();
  }

  /// sum_k x[row, k] * W[column, k] + bias[column] for each of `rows` and
  /// `columns`: result[c * rows.size() + r] for rows[r] and columns[c].
  SmallVector<Value> buildDots(ArrayRef<Value> rows, ArrayRef<Value> columns) {
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
    bool scaleAfter = !plan.dynamicInt8 && !isSlotted() && !hasOffset() &&
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
    if (isSlotted())
      fullSegments = std::min(fullSegments, plan.numSegments - 1);
    // `scales`: the columns' scales of this segment when read already.
    auto segmentBody = [&](Value segment, ValueRange acc, bool partial,
                           ArrayRef<Value> scales = {}) {
      Value kBase = arith::MulIOp::create(b, loc, segment,
                                          index(plan.segmentCodes));
      Value valid;
      if (partial)
        valid = arith::SubIOp::create(b, loc, index(k), kBase);
      else if (isSlotted()) // units hold padding codes
        valid = index(plan.segmentCodes);
      Value unit = arith::MulIOp::create(b, loc, segment,
                                         index(plan.segmentUnits));
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
          if (plan.blocksPerSegment > 1 && !accumulatesIntegers())
            scale = readBlockScales(column, segment, partial);
          else if (!accumulatesIntegers())
            scale = readParam(op.getScales(), paramIndices);
          llvm::append_range(result,
                             accumulateIntegerSegment(
                                 rows, column, kBase, segment, unit, scale,
                                 partial, acc.slice(c * numRows, numRows)));
          continue;
        }
        Value scale = scales.empty() ? readParam(op.getScales(), paramIndices)
                                     : scales[c];
        Value zeroPoint =
            op.getZeroPoints() ? readZeroPoint(paramIndices) : Value();
        // (Slotted kernels add offsets after the loop.)
        Value min = op.getMins() && !isSlotted()
                        ? readParam(op.getMins(), paramIndices)
                        : Value();
        Dequantization dequantization =
            getDequantization(scale, zeroPoint, min);
        if (isSlotted())
          dequantization.offset = Value();
        params.push_back(dequantization);
      }
      if (plan.dynamicInt8)
        return result;
      return accumulateSegment(rows, columns, kBase, valid, unit, params,
                               partial, acc);
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
    int64_t unroll =
        rows.size() == 1
            ? std::max<int64_t>(
                  1, std::min(std::max<int64_t>(1, 64 / segmentBytes),
                              fullSegments))
            : 1;
    bool prefetching = prefetches();
    Value ahead;
    if (prefetching)
      ahead = arith::MinSIOp::create(
          b, loc, arith::AddIOp::create(b, loc, columns.back(), index(1)),
          index(op.getType().getDimSize(1) - 1));
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
          if (prefetching) {
            memref::PrefetchOp::create(
                b, loc, packedBuffer,
                ValueRange{ahead, arith::MulIOp::create(
                                      b, loc, first, index(plan.segmentUnits))},
                /*isWrite=*/false, /*localityHint=*/3, /*isDataCache=*/true);
            Value firstGroup =
                plan.blocksPerSegment == 1
                    ? first
                    : Value(arith::MulIOp::create(
                          b, loc, first, index(plan.blocksPerSegment)));
            for (Value params : paramBuffers)
              memref::PrefetchOp::create(
                  b, loc, params, ValueRange{ahead, firstGroup},
                  /*isWrite=*/false, /*localityHint=*/3, /*isDataCache=*/true);
          }
          // Per-group scales of the `unroll` segments: one vector load and
          // conversion per column.
          SmallVector<Value> scaleVectors;
          if (unroll > 1 && !scaleAfter && !plan.dynamicInt8 &&
              scheme.getGranularity() == GranularityKind::PerGroup)
            for (Value column : columns) {
              Type element = cast<RankedTensorType>(op.getScales().getType())
                                 .getElementType();
              scaleVectors.push_back(toF32(vector::TransferReadOp::create(
                  b, loc, vectorOf(unroll, element), op.getScales(),
                  ValueRange{column, first},
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
              scales.push_back(vector::ExtractOp::create(b, loc, vector,
                                                         ArrayRef<int64_t>{u}));
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
                  ? Value(arith::AddIOp::create(
                        b, loc, sets[u * tile + i],
                        sets[(width - 1 - u) * tile + i]))
                  : Value(arith::AddFOp::create(
                        b, loc, sets[u * tile + i],
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
      if (codeFactor() != 1 && !hasOffset()) {
        Value inverse = f32Constant(1.0f / float(codeFactor()));
        multiplier = multiplier ? Value(arith::MulFOp::create(
                                      b, loc, multiplier, inverse))
                                : inverse;
      }
      SmallVector<Value> offsets;
      if (hasSlottedOffsets())
        offsets = offsetTerms(rows, column);
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
          total = vector::ReductionOp::create(
              b, loc, vector::CombiningKind::ADD, accs[c * numRows + r],
              arith::FastMathFlags::reassoc);
        if (!offsets.empty())
          total = arith::AddFOp::create(b, loc, total, offsets[r]);
        if (plan.dynamicInt8)
          total = arith::MulFOp::create(
              b, loc, total,
              tensor::ExtractOp::create(b, loc, inputScales, row));
        if (multiplier)
          total = arith::MulFOp::create(b, loc, total, multiplier);
        if (biasValue)
          total = arith::AddFOp::create(b, loc, total, biasValue);
        totals.push_back(total);
      }
    }
    return totals;
  }

  /// buildDots for dynamic int8 activations with smmla: pairs of `rows`
  /// meet the two `columns` in 2x2 blocks, 8 bytes of each of the four rows
  /// per instruction. Block sums are exact in i32 per group (or over the
  /// whole row with one scale per row), groups scaled per column in f32.
  SmallVector<Value> buildMmlaDots(ArrayRef<Value> rows,
                                   ArrayRef<Value> columns) {
    int64_t k = op.getInput().getType().getDimSize(1);
    int64_t numPairs = rows.size() / 2, bytes = plan.segmentUnits;
    bool perGroup = !accumulatesIntegers();
    int64_t groups = perGroup ? plan.blocksPerSegment : 1;
    int64_t groupBytes = bytes / groups;
    int64_t numGroups =
        perGroup
            ? cast<RankedTensorType>(op.getScales().getType()).getDimSize(1)
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
        weights.push_back(
            decodeWeightOperands(column, unit, partial, negative));
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
        Value scales = vector::FromElementsOp::create(
            b, loc, vectorOf(4, f32), ValueRange{s0, s1, s0, s1});
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
            b, loc, total, tensor::ExtractOp::create(b, loc, inputScales, row));
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

  /// Integer dot products of one weight segment with the quantized
  /// activations of each row, scaled by the weight scale (a scalar, or one
  /// per lane).
  SmallVector<Value> accumulateIntegerSegment(ArrayRef<Value> rows,
                                              Value column, Value kBase,
                                              Value segment, Value unit,
                                              Value scale, bool partial,
                                              ValueRange accs) {
    int64_t bytes = plan.segmentUnits;
    Value negative;
    SmallVector<Value> operands =
        decodeWeightOperands(column, unit, partial, negative);
    bool transfersSign = bool(negative);
    // Unsigned weight operands fit AVX2's 16-bit pair sums (see
    // decodeWeightOperands).
    bool unsignedWeights = plan.weightOffset || transfersSign;
    bool pairsFitI16 = unsignedWeights && isPmaddubsw(plan.dot);
    SmallVector<Value> result(accs.begin(), accs.end());
    // Narrow targets go one register of bytes (its accLanes lanes) at a
    // time through every row, so that few decoded bytes stay live.
    int64_t chunk = 4 * plan.accLanes;
    if (chunk >= bytes || bytes % chunk != 0)
      chunk = bytes;
    auto slice = [&](Value v, int64_t offset, int64_t size) {
      if (size == cast<VectorType>(v.getType()).getNumElements())
        return v;
      return Value(vector::ExtractStridedSliceOp::create(b, loc, v, {offset},
                                                         {size}, {1}));
    };
    for (int64_t first = 0; first < bytes; first += chunk) {
      int64_t lanes = chunk / 4;
      for (auto [row, acc] : llvm::zip(rows, result)) {
        Value dot = plan.weightOffset
                        ? slice(readCorrections(row, segment), first / 4, lanes)
                        : slice(zeroLanes(), 0, lanes);
        for (auto [i, operand] : llvm::enumerate(operands)) {
          Value x = readQuantized(
              row,
              arith::AddIOp::create(b, loc, kBase, index(i * bytes + first)),
              chunk);
          if (transfersSign)
            x = arith::SelectOp::create(
                b, loc, slice(negative, first, chunk),
                arith::SubIOp::create(b, loc, byteConstant(0, chunk), x), x);
          Value w = slice(operand, first, chunk);
          dot = unsignedWeights
                    ? Value(DotI8Op::create(b, loc, dot, w, x,
                                            /*unsigned_lhs=*/true, pairsFitI16))
                    : Value(DotI8Op::create(b, loc, dot, x, w,
                                            /*unsigned_lhs=*/false));
        }
        Value chunkScale = scale && isa<VectorType>(scale.getType())
                               ? slice(scale, first / 4, lanes)
                               : scale;
        acc = accumulateDot(dot, chunkScale, acc);
      }
    }
    return result;
  }

  Value byteConstant(int64_t value, int64_t lanes) {
    return splat(arith::ConstantOp::create(
                     b, loc, b.getIntegerAttr(b.getI8Type(), value)),
                 lanes);
  }

  /// The weight operands of one dynamic-int8 segment of `column`
  /// (`plan.segmentUnits` bytes each): the int8 segment, or the low and then
  /// the high nibbles of an int4 one, as q + plan.weightOffset (unsigned),
  /// as signed q, or (AVX2 int8, which then sets `negative` to q < 0) as |q|.
  SmallVector<Value> decodeWeightOperands(Value column, Value unit,
                                          bool partial, Value &negative) {
    int64_t bytes = plan.segmentUnits;
    auto constant = [&](int64_t value) { return byteConstant(value, bytes); };
    Value w = readUnits(column, unit, bytes, partial);
    SmallVector<Value> operands;
    // AVX2 int8: |q| (at most 128, unsigned) meets x with q's sign (|x| <=
    // 127): each pair sum is at most 2 * 128 * 127 in magnitude, within i16.
    negative = Value();
    if (plan.kind == LayoutKind::Int8 && isPmaddubsw(plan.dot)) {
      operands.push_back(math::AbsIOp::create(b, loc, w));
      negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, w,
                                       constant(0));
    } else if (plan.kind == LayoutKind::Int8) {
      operands.push_back(plan.weightOffset ? Value(arith::XOrIOp::create(
                                                 b, loc, w, constant(0x80)))
                                           : w);
    } else if (plan.weightOffset) {
      // q + 8 = (nibble xor 8) for both nibbles at once.
      Value offset = arith::XOrIOp::create(b, loc, w, constant(0x88));
      operands.push_back(arith::AndIOp::create(b, loc, offset, constant(0x0F)));
      operands.push_back(arith::ShRUIOp::create(b, loc, offset, constant(4)));
    } else {
      auto signExtend = [&](Value nibbles) {
        return arith::SubIOp::create(
            b, loc, arith::XOrIOp::create(b, loc, nibbles, constant(8)),
            constant(8));
      };
      operands.push_back(
          signExtend(arith::AndIOp::create(b, loc, w, constant(0x0F))));
      operands.push_back(
          signExtend(arith::ShRUIOp::create(b, loc, w, constant(4))));
    }
    return operands;
  }

  /// The precomputed corrections of `row` for the lanes of `segment`.
  Value readCorrections(Value row, Value segment) {
    Value padding = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0));
    return vector::TransferReadOp::create(
        b, loc, vectorOf(plan.lanes, b.getI32Type()), corrections,
        ValueRange{row,
                   arith::MulIOp::create(b, loc, segment, index(plan.lanes))},
        padding, ArrayRef<bool>{true});
  }
  Value zeroLanes() {
    return splat(arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)),
                 plan.lanes);
  }

  /// The per-group scales of the blocks of `segment` as f32, one per
  /// dot-product lane (lane i belongs to block i / (lanes / blocks)); only
  /// the last segment may have fewer blocks (read as scale 0).
  Value readBlockScales(Value column, Value segment, bool partial) {
    Type element =
        cast<RankedTensorType>(op.getScales().getType()).getElementType();
    int64_t blocks = plan.blocksPerSegment;
    Value first = arith::MulIOp::create(b, loc, segment, index(blocks));
    Value scales = toF32(vector::TransferReadOp::create(
        b, loc, vectorOf(blocks, element), op.getScales(),
        ValueRange{column, first},
        arith::ConstantOp::create(b, loc, b.getZeroAttr(element)),
        ArrayRef<bool>{!partial}));
    SmallVector<int64_t> lanesToBlocks;
    for (int64_t lane = 0; lane < plan.lanes; ++lane)
      lanesToBlocks.push_back(lane / (plan.lanes / blocks));
    return vector::ShuffleOp::create(b, loc, scales, scales, lanesToBlocks);
  }

  /// Decodes one weight segment per column and adds x * w to the
  /// accumulator of each (column, row).
  SmallVector<Value> accumulateSegment(ArrayRef<Value> rows,
                                       ArrayRef<Value> columns, Value kBase,
                                       Value valid, Value unit,
                                       ArrayRef<Dequantization> params,
                                       bool partial, ValueRange accs) {
    if (isSlotted())
      return accumulateSlottedSegment(rows, columns, kBase, unit, params,
                                      partial, accs);
    int64_t numRows = rows.size();
    // Without an offset, w = q * m: sum x * q over the segment from zero
    // (independent of the running total) and scale the sum once; without a
    // multiplier either (scaled after the reduction), sum into the totals.
    if (!hasOffset() && (!params.front().multiplier || numRows < kDequantizeRows)) {
      SmallVector<Dequantization> unscaled(params.size(), Dequantization{});
      if (!params.front().multiplier)
        return accumulateCodes(rows, columns, kBase, valid, unit, unscaled,
                               partial, accs);
      SmallVector<Value> zeros(accs.size(),
                               splat(f32Constant(0.0f), plan.accLanes));
      SmallVector<Value> sums = accumulateCodes(
          rows, columns, kBase, valid, unit, unscaled, partial, zeros);
      SmallVector<Value> result;
      for (auto [i, sum, acc] : llvm::enumerate(sums, accs))
        result.push_back(multiplyAdd(
            sum, splat(params[i / numRows].multiplier, plan.accLanes), acc));
      return result;
    }
    // Codes scaled by the code factor meet a multiplier divided by it (an
    // offset must not be scaled; otherwise the totals are divided).
    SmallVector<Dequantization> adjusted(params.begin(), params.end());
    if (codeFactor() != 1 && hasOffset())
      for (Dequantization &p : adjusted)
        p.multiplier = arith::MulFOp::create(
            b, loc, p.multiplier, f32Constant(1.0f / float(codeFactor())));
    return accumulateCodes(rows, columns, kBase, valid, unit, adjusted,
                           partial, accs);
  }

  /// Slot i of every unit of the segment (a radix digit, or the bit field of
  /// code i) is decoded at once and meets the contiguous regrouped
  /// activations of slot i, each load shared by the columns. Per (column,
  /// row), x . q is summed over the segment and scaled once; the offset
  /// (min/scale) multiplies the segment's activation sum.
  ///
  /// Radix digits: with u_0 = q and u_{i+1} = (u_i * R) mod 2^32, digit i is
  /// (u_i * R) >> 32. The 32-bit units are processed as 64-bit lanes holding
  /// an even and an odd unit: the 32 x 32 -> 64 products of both halves give
  /// the digits in their high halves and the next u in their low halves.
  SmallVector<Value> accumulateSlottedSegment(ArrayRef<Value> rows,
                                              ArrayRef<Value> columns,
                                              Value kBase, Value unit,
                                              ArrayRef<Dequantization> params,
                                              bool partial, ValueRange accs) {
    int64_t lanes = plan.lanes, n = plan.digits;
    int64_t numRows = rows.size(), numColumns = columns.size();
    Type i32 = b.getI32Type(), i64 = b.getI64Type();
    unsigned codeBits = op.getLayout().getCodeBits();
    bool isSigned = op.getScheme().getQmin() < 0;
    SmallVector<Value> packed;
    for (Value column : columns)
      packed.push_back(readUnits(column, unit, lanes, partial));
    auto unitType = cast<IntegerType>(
        cast<VectorType>(packed.front().getType()).getElementType());
    auto unitConstant = [&](int64_t value) {
      return splat(arith::ConstantOp::create(b, loc,
                                             b.getIntegerAttr(unitType, value)),
                   lanes);
    };
    auto i64Constant = [&](int64_t value, int64_t count) {
      return splat(
          arith::ConstantOp::create(b, loc, b.getIntegerAttr(i64, value)),
          count);
    };
    bool pairedRadix = plan.kind == LayoutKind::Radix && lanes % 2 == 0 &&
                       unitType.getWidth() == 32;
    // Radix state per column: u of the even and odd units, zero-extended.
    // A second chain of u starts at digit n / 2 from q * R^(n/2) mod 2^32:
    // two chains of dependent multiplies half as long.
    SmallVector<Value> even, odd, evenLate, oddLate;
    int64_t restart = n >= 4 ? n / 2 : 0;
    if (pairedRadix) {
      uint64_t late = 1;
      for (int64_t i = 0; i < restart; ++i)
        late = (late * plan.radix) & 0xFFFFFFFFull;
      for (Value words : packed) {
        Value pairs = vector::BitCastOp::create(b, loc, vectorOf(lanes / 2, i64),
                                                words);
        even.push_back(arith::AndIOp::create(b, loc, pairs,
                                             i64Constant(0xFFFFFFFF, lanes / 2)));
        odd.push_back(arith::ShRUIOp::create(b, loc, pairs,
                                             i64Constant(32, lanes / 2)));
        if (restart) {
          Value factor = i64Constant(int64_t(late), lanes / 2);
          Value lowMask = i64Constant(0xFFFFFFFF, lanes / 2);
          evenLate.push_back(arith::AndIOp::create(
              b, loc, arith::MulIOp::create(b, loc, even.back(), factor),
              lowMask));
          oddLate.push_back(arith::AndIOp::create(
              b, loc, arith::MulIOp::create(b, loc, odd.back(), factor),
              lowMask));
        }
      }
    }
    Value segment =
        arith::DivUIOp::create(b, loc, kBase, index(plan.segmentCodes));
    SmallVector<Value> sums(numRows * numColumns,
                            splat(f32Constant(0.0f), lanes));
    uint32_t power = 1;
    for (int64_t i = 0; i < n; ++i) {
      Value offset = arith::AddIOp::create(
          b, loc, arith::MulIOp::create(b, loc, segment, index(n * lanes)),
          index(i * lanes));
      SmallVector<Value> xs;
      for (Value row : rows)
        xs.push_back(vector::TransferReadOp::create(
            b, loc, vectorOf(lanes, f32), regroupedInput,
            ValueRange{row, offset}, f32Constant(0.0f), ArrayRef<bool>{true}));
      for (int64_t c = 0; c < numColumns; ++c) {
        Value code; // i32 code values of slot i
        if (pairedRadix) {
          if (restart && i == restart) {
            even[c] = evenLate[c];
            odd[c] = oddLate[c];
          }
          Value radix = i64Constant(plan.radix, lanes / 2);
          Value evenProduct = arith::MulIOp::create(b, loc, even[c], radix);
          Value oddProduct = arith::MulIOp::create(b, loc, odd[c], radix);
          Value lowMask = i64Constant(0xFFFFFFFF, lanes / 2);
          Value digits = arith::OrIOp::create(
              b, loc,
              arith::ShRUIOp::create(b, loc, evenProduct,
                                     i64Constant(32, lanes / 2)),
              arith::AndIOp::create(b, loc, oddProduct,
                                    i64Constant(~int64_t(0xFFFFFFFF),
                                                lanes / 2)));
          code = vector::BitCastOp::create(b, loc, vectorOf(lanes, i32),
                                           digits);
          even[c] = arith::AndIOp::create(b, loc, evenProduct, lowMask);
          odd[c] = arith::AndIOp::create(b, loc, oddProduct, lowMask);
        } else if (plan.kind == LayoutKind::Radix) {
          Value scaled = packed[c];
          if (i > 0)
            scaled = arith::MulIOp::create(b, loc, packed[c],
                                           unitConstant(int32_t(power)));
          Value wide =
              arith::ExtUIOp::create(b, loc, vectorOf(lanes, i64), scaled);
          code = arith::TruncIOp::create(
              b, loc, vectorOf(lanes, i32),
              arith::ShRUIOp::create(
                  b, loc,
                  arith::MulIOp::create(b, loc, wide,
                                        i64Constant(plan.radix, lanes)),
                  i64Constant(32, lanes)));
        } else {
          Value field = packed[c];
          if (i > 0)
            field = arith::ShRUIOp::create(b, loc, field,
                                           unitConstant(int64_t(i) * codeBits));
          field = arith::AndIOp::create(
              b, loc, field, unitConstant((int64_t(1) << codeBits) - 1));
          if (isSigned) { // sign-extend the field: (v ^ sign) - sign
            Value sign = unitConstant(int64_t(1) << (codeBits - 1));
            field = arith::SubIOp::create(
                b, loc, arith::XOrIOp::create(b, loc, field, sign), sign);
          }
          code = unitType.getWidth() == 32
                     ? field
                     : Value(arith::ExtSIOp::create(b, loc,
                                                    vectorOf(lanes, i32), field));
        }
        if (params[c].zeroPoint)
          code = arith::SubIOp::create(b, loc, code,
                                       splat(params[c].zeroPoint, lanes));
        Value codes =
            arith::SIToFPOp::create(b, loc, vectorOf(lanes, f32), code);
        for (int64_t r = 0; r < numRows; ++r)
          sums[c * numRows + r] =
              multiplyAdd(xs[r], codes, sums[c * numRows + r]);
      }
      power *= plan.radix;
    }
    // Offsets (min/scale) are added after the segment loop (addOffsets).
    SmallVector<Value> result;
    for (auto [i, sum, acc] : llvm::enumerate(sums, accs))
      result.push_back(
          multiplyAdd(sum, splat(params[i / numRows].multiplier, lanes), acc));
    return result;
  }

  /// Whether the slotted kernel adds sum_s offset(s) * sum(x over s) after
  /// the segment loop.
  bool hasSlottedOffsets() {
    return isSlotted() && (plan.beta != 0.0f || op.getMins());
  }

  /// Per row, sum over segments s of offset(column, s) * segmentSums[row, s]
  /// (the offsets of min/scale schemes meet each segment's activation sum),
  /// 16 segments at a time: scales and minimums are read as vectors.
  SmallVector<Value> offsetTerms(ArrayRef<Value> rows, Value column) {
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
        b, loc, index(0), index(plan.numSegments), index(chunk), zeros,
        [&](OpBuilder &, Location, Value segment, ValueRange accs) {
          Value offset;
          if (plan.beta != 0.0f)
            offset = arith::MulFOp::create(
                b, loc, params(op.getScales(), segment),
                splat(f32Constant(plan.beta), chunk));
          if (op.getMins()) {
            Value min = params(op.getMins(), segment);
            offset =
                offset ? Value(arith::AddFOp::create(b, loc, offset, min)) : min;
          }
          SmallVector<Value> next;
          for (auto [row, acc] : llvm::zip(rows, accs)) {
            Value sums = vector::TransferReadOp::create(
                b, loc, vectorOf(chunk, f32), segmentSums,
                ValueRange{row, segment}, f32Constant(0.0f),
                ArrayRef<bool>{false});
            next.push_back(multiplyAdd(offset, sums, acc));
          }
          scf::YieldOp::create(b, loc, next);
        });
    SmallVector<Value> result;
    for (Value acc : loop.getResults())
      result.push_back(vector::ReductionOp::create(
          b, loc, vector::CombiningKind::ADD, acc,
          arith::FastMathFlags::reassoc));
    return result;
  }

  /// Decodes one weight segment per column and adds x * w to the
  /// accumulator of each (column, row) (w unscaled when the multipliers are
  /// null); each activation load is shared by the columns.
  SmallVector<Value> accumulateCodes(ArrayRef<Value> rows,
                                     ArrayRef<Value> columns, Value kBase,
                                     Value valid, Value unit,
                                     ArrayRef<Dequantization> params,
                                     bool partial, ValueRange accs) {
    bool isSigned = op.getScheme().getQmin() < 0;
    int64_t numRows = rows.size();
    bool chained = numRows * int64_t(columns.size()) >= 4;
    SmallVector<Value> result(accs.begin(), accs.end());
    switch (plan.kind) {
    case LayoutKind::Int8: {
      SmallVector<Value> xs;
      for (Value row : rows)
        xs.push_back(readActivations(row, kBase, valid, plan.lanes));
      for (auto [c, column] : llvm::enumerate(columns)) {
        Value codes = readUnits(column, unit, plan.lanes, partial);
        Value weights = dequantize(codes, isSigned, params[c]);
        for (int64_t r = 0; r < numRows; ++r)
          result[c * numRows + r] =
              accumulate(xs[r], weights, result[c * numRows + r], chained);
      }
      return result;
    }
    case LayoutKind::Int4Interleaved: {
      // Byte j: code j in the low nibble, code j + B/2 in the high nibble.
      int64_t half = plan.lanes;
      Value kHigh = arith::AddIOp::create(b, loc, kBase, index(half));
      Value validHigh =
          valid ? Value(arith::SubIOp::create(b, loc, valid, index(half)))
                : Value();
      SmallVector<Value> xLow, xHigh;
      for (Value row : rows) {
        xLow.push_back(readActivations(row, kBase, valid, half));
        xHigh.push_back(readActivations(row, kHigh, validHigh, half));
      }
      Type i8 = b.getI8Type();
      auto constant = [&](int64_t value) {
        return splat(
            arith::ConstantOp::create(b, loc, b.getIntegerAttr(i8, value)),
            half);
      };
      for (auto [c, column] : llvm::enumerate(columns)) {
        Value bytes = readUnits(column, unit, half, partial);
        Value low, high;
        if (codeFactor() == 16) {
          // Nibbles in the high half of a byte are 16 * q, signed or not:
          // no sign extension, one conversion each.
          low = arith::ShLIOp::create(b, loc, bytes, constant(4));
          high = arith::AndIOp::create(b, loc, bytes, constant(0xF0));
        } else {
          low = arith::AndIOp::create(b, loc, bytes, constant(0x0F));
          high = arith::ShRUIOp::create(b, loc, bytes, constant(4));
          if (isSigned) { // sign-extend the nibbles: (v ^ 8) - 8
            low = arith::SubIOp::create(
                b, loc, arith::XOrIOp::create(b, loc, low, constant(8)),
                constant(8));
            high = arith::SubIOp::create(
                b, loc, arith::XOrIOp::create(b, loc, high, constant(8)),
                constant(8));
          }
        }
        Value lowWeights = dequantize(low, isSigned, params[c]);
        Value highWeights = dequantize(high, isSigned, params[c]);
        for (int64_t r = 0; r < numRows; ++r) {
          Value &acc = result[c * numRows + r];
          acc = accumulate(xLow[r], lowWeights, acc, chained);
          acc = accumulate(xHigh[r], highWeights, acc, chained);
        }
      }
      return result;
    }
    default:
      llvm_unreachable("planKernel admits only the layouts above");
    }
  }

  OpBuilder &b;
  Location loc;
  MatmulOp op;
  const KernelPlan &plan;
  /// Whether large kernels are split across threads.
  bool parallel;
  Type f32;
};

struct VectorizeMatmulPattern : public OpRewritePattern<MatmulOp> {
  VectorizeMatmulPattern(MLIRContext *context, Int8Dot dot, bool i8mm,
                         bool parallel, int64_t vectorBits)
      : OpRewritePattern(context), dot(dot), i8mm(i8mm), parallel(parallel),
        vectorBits(vectorBits) {}
  Int8Dot dot;
  bool i8mm;
  bool parallel;
  int64_t vectorBits;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "only f32 activations");
    std::string why;
    FailureOr<KernelPlan> plan = planKernel(op, dot, i8mm, vectorBits, why);
    if (failed(plan))
      return rewriter.notifyMatchFailure(op, why);
    KernelBuilder kernel(rewriter, op, *plan, parallel);
    rewriter.replaceOp(op, kernel.build());
    return success();
  }
};

struct LowbitVectorizeMatmulPass
    : public lowbit::impl::LowbitVectorizeMatmulBase<LowbitVectorizeMatmulPass> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    registry.insert<bufferization::BufferizationDialect,
                    memref::MemRefDialect>();
  }

  void runOnOperation() override {
    FailureOr<Int8Dot> dot = parseInt8Dot(getOperation(), "int8-dot", int8Dot);
    if (failed(dot))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    patterns.add<VectorizeMatmulPattern>(&getContext(), *dot, i8mm, parallel,
                                         vectorBits);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

//===- SuperblockRadixMatmul.cpp - radix superblocks in vector kernels ----===//
//
// The geometry is numerics::getSuperblockSegments' (SuperblockRadix.h): a
// row is F full superblocks of n groups of g codes in g words, then a tail
// of T codes in W_t = ceil(T / n) words. Digit i of word w is code i g + w
// of a superblock (code i W_t + w of the tail), and digit i is slot i of the
// radix decode (RadixLayout.cpp, called through makeSlotDecoder).
//
// Per output column and tile of up to 4 activation rows (which share each
// decode): every superblock's parameter bytes are decoded once (two fp16
// factors d, e, then per group s = a d, m = b e, exactly as
// numerics::decodeSuperblockParams), folded with the codebook's affine map
// (getCodeAffine: w = q (alpha s) + (beta s + m)); then per 16 words, slot
// i dequantized with group i's pair meets 16 contiguous activations of group
// i in one multiply-add per row. The tail is unrolled (its size is static):
// the group of every lane is known, so its pair per lane is a static shuffle
// of the tail's parameters, and lanes without a code are zero.
//
//===----------------------------------------------------------------------===//

#include "SuperblockRadixMatmul.h"
#include "../Parallel.h"
#include "Epilogue.h"
#include "Layouts.h"

#include "lowbit/Numerics/SuperblockRadix.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

namespace {

/// Words (codes of one slot) per decoded vector, and rows per tile.
constexpr int64_t kLanes = 16, kRowTile = 4;

class SuperblockKernel : public KernelEmitter {
public:
  SuperblockKernel(OpBuilder &b, MatmulOp op, const KernelPlan &plan,
                   PreparedOperands &prepared,
                   ArrayRef<numerics::SuperblockSegment> segments)
      : KernelEmitter(b, op, plan, prepared), segments(segments) {}

  /// out[rows, column] for up to kRowTile rows.
  SmallVector<Value> buildDots(ArrayRef<Value> rows, Value column) {
    int64_t n = plan.digits;
    int64_t full = 0;
    while (full < int64_t(segments.size()) && segments[full].numGroups == n &&
           segments[full].numCodes == n * segments[full].numWords)
      ++full;
    SmallVector<Value> zeros(rows.size(), splat(f32Constant(0.0f), kLanes));
    SmallVector<Value> accs = zeros;
    if (full > 0) {
      const numerics::SuperblockSegment &first = segments.front();
      int64_t words = first.numWords, codes = first.numCodes,
              bytes = first.numParamBytes;
      auto loop = scf::ForOp::create(
          b, loc, index(0), index(full), index(1), accs,
          [&](OpBuilder &, Location, Value sb, ValueRange sbAccs) {
            auto [factors, offsets] =
                readParams(column, mul(sb, bytes), n, /*lanes=*/n);
            SmallVector<Value> multipliers, addends;
            for (int64_t i = 0; i < n; ++i) {
              multipliers.push_back(splat(extract(factors, i), kLanes));
              addends.push_back(splat(extract(offsets, i), kLanes));
            }
            auto chunks = scf::ForOp::create(
                b, loc, index(0), index(words), index(kLanes), sbAccs,
                [&](OpBuilder &, Location, Value word, ValueRange chunkAccs) {
                  Value unit =
                      arith::AddIOp::create(b, loc, mul(sb, words), word);
                  Value k = arith::AddIOp::create(b, loc, mul(sb, codes), word);
                  SmallVector<Value> next(chunkAccs);
                  accumulateChunk(rows, column, unit, k, words, multipliers,
                                  addends, /*masks=*/{}, /*lastRead=*/false,
                                  next);
                  scf::YieldOp::create(b, loc, next);
                });
            scf::YieldOp::create(b, loc, chunks.getResults());
          });
      accs = loop.getResults();
    }
    if (full < int64_t(segments.size()))
      accumulateTail(rows, column, segments.back(), accs);
    SmallVector<Value> totals;
    for (Value acc : accs) {
      Value total =
          vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, acc,
                                      arith::FastMathFlags::reassoc);
      if (Value bias = op.getBias())
        total = arith::AddFOp::create(
            b, loc, total, tensor::ExtractOp::create(b, loc, bias, column));
      totals.push_back(total);
    }
    return totals;
  }

private:
  Value mul(Value x, int64_t y) {
    return arith::MulIOp::create(b, loc, x, index(y));
  }
  Value extract(Value v, int64_t i) {
    return vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{i});
  }

  /// The parameter bytes of a segment of `groups` groups at byte `base` of
  /// `column`'s row, as `lanes` pairs (alpha s, beta s + m) (zero past the
  /// groups): d and e are little-endian fp16 at bytes 0-1 and 2-3, a_j
  /// unsigned at 4 + j, b_j signed at 4 + groups + j; s = a_j d, m = b_j e.
  std::pair<Value, Value> readParams(Value column, Value base, int64_t groups,
                                     int64_t lanes) {
    Value params = op.getScales();
    Type i8 = b.getI8Type();
    auto bytesAt = [&](int64_t offset, int64_t count) {
      return vector::TransferReadOp::create(
          b, loc, vectorOf(count, i8), params,
          ValueRange{column,
                     arith::AddIOp::create(b, loc, base, index(offset))},
          arith::ConstantOp::create(b, loc, b.getIntegerAttr(i8, 0)),
          ArrayRef<bool>{true});
    };
    Value halves = vector::BitCastOp::create(
        b, loc, vectorOf(2, b.getF16Type()), bytesAt(0, 4));
    Value factors =
        arith::ExtFOp::create(b, loc, vectorOf(2, f32), halves).getResult();
    Value d = splat(extract(factors, 0), lanes);
    Value e = splat(extract(factors, 1), lanes);
    // Lanes past the groups read as zero codes (a = b = 0).
    auto codesAt = [&](int64_t offset) -> Value {
      Value bytes = bytesAt(offset, groups);
      if (groups == lanes)
        return bytes;
      SmallVector<int64_t> order;
      for (int64_t j = 0; j < lanes; ++j)
        order.push_back(j < groups ? j : groups);
      return vector::ShuffleOp::create(b, loc, bytes, byteConstant(0, groups),
                                       order);
    };
    Value scales = arith::MulFOp::create(
        b, loc,
        arith::UIToFPOp::create(b, loc, vectorOf(lanes, f32), codesAt(4)), d);
    Value mins = arith::MulFOp::create(
        b, loc,
        arith::SIToFPOp::create(b, loc, vectorOf(lanes, f32),
                                codesAt(4 + groups)),
        e);
    Value multipliers = arith::MulFOp::create(
        b, loc, scales, splat(f32Constant(plan.alpha), lanes));
    Value addends = mins;
    if (plan.beta != 0.0f)
      addends = multiplyAdd(scales, splat(f32Constant(plan.beta), lanes), mins);
    return {multipliers, addends};
  }

  /// Slots 0..n-1 of the kLanes words of `column` from `unit`: slot i meets
  /// activations [k + i * stride, + kLanes) dequantized with multipliers[i]
  /// and addends[i] (per lane), its lanes where masks[i] is false zero.
  void accumulateChunk(ArrayRef<Value> rows, Value column, Value unit, Value k,
                       int64_t stride, ArrayRef<Value> multipliers,
                       ArrayRef<Value> addends, ArrayRef<Value> masks,
                       bool lastRead, SmallVector<Value> &accs) {
    Value words = readUnits(column, unit, kLanes, lastRead);
    std::unique_ptr<SlotDecoder> decoder = makeSlotDecoder(*this);
    decoder->begin({words});
    for (int64_t i = 0; i < plan.digits; ++i) {
      Value codes = decoder->decodeSlot(0, i);
      Value w = multiplyAdd(
          arith::UIToFPOp::create(b, loc, vectorOf(kLanes, f32), codes),
          multipliers[i], addends[i]);
      Value at = arith::AddIOp::create(b, loc, k, index(i * stride));
      for (auto [r, row] : llvm::enumerate(rows)) {
        Value x = vector::TransferReadOp::create(
            b, loc, vectorOf(kLanes, f32), op.getInput(), ValueRange{row, at},
            f32Constant(0.0f), ArrayRef<bool>{masks.empty()});
        if (!masks.empty())
          x = arith::SelectOp::create(b, loc, masks[i], x,
                                      splat(f32Constant(0.0f), kLanes));
        accs[r] = multiplyAdd(x, w, accs[r]);
      }
    }
  }

  /// The tail segment, unrolled: lane l of chunk c, slot i holds code p =
  /// i W_t + 16 c + l of the tail (when 16 c + l < W_t and p < T), of group
  /// p / g of the tail.
  void accumulateTail(ArrayRef<Value> rows, Value column,
                      const numerics::SuperblockSegment &tail,
                      SmallVector<Value> &accs) {
    int64_t n = plan.digits, words = tail.numWords, codes = tail.numCodes;
    int64_t g = op.getLayout().getBlock();
    auto [factors, offsets] =
        readParams(column, index(tail.firstParamByte), tail.numGroups, kLanes);
    for (int64_t first = 0; first < words; first += kLanes) {
      SmallVector<Value> multipliers, addends, masks;
      for (int64_t i = 0; i < n; ++i) {
        SmallVector<int64_t> groups;
        SmallVector<bool> valid;
        for (int64_t l = 0; l < kLanes; ++l) {
          int64_t p = i * words + first + l;
          bool exists = first + l < words && p < codes;
          valid.push_back(exists);
          groups.push_back(exists ? p / g : 0);
        }
        multipliers.push_back(
            vector::ShuffleOp::create(b, loc, factors, factors, groups));
        addends.push_back(
            vector::ShuffleOp::create(b, loc, offsets, offsets, groups));
        masks.push_back(arith::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(vectorOf(kLanes, b.getI1Type()),
                                   ArrayRef<bool>(valid))));
      }
      accumulateChunk(rows, column, index(tail.firstWord + first),
                      index(tail.firstCode + first), words, multipliers,
                      addends, masks, /*lastRead=*/true, accs);
    }
  }

  ArrayRef<numerics::SuperblockSegment> segments;
};

} // namespace

FailureOr<Value> lowbit::buildSuperblockRadixMatmul(OpBuilder &b, MatmulOp op,
                                                    bool parallel,
                                                    std::string &why) {
  LayoutAttr layout = op.getLayout();
  numerics::PackFormat format = layout.getPackFormat();
  auto resultType = op.getType();
  int64_t m = resultType.getDimSize(0), n = resultType.getDimSize(1);
  int64_t k = op.getInput().getType().getDimSize(1);
  if (!op.getInput().getType().hasStaticShape() ||
      !op.getPacked().getType().hasStaticShape()) {
    why = "dynamic shapes";
    return failure();
  }
  if (op.getDynamicInt8Activations() || op.hasBf16Activations()) {
    why = "radix superblocks have a vector kernel for f32 activations only";
    return failure();
  }
  if (!op.getPacked().getType().getElementType().isInteger(32) ||
      layout.getBlock() % kLanes != 0) {
    why = "radix superblocks need 32-bit words and groups of a multiple of 16";
    return failure();
  }
  KernelPlan plan;
  plan.kind = LayoutKind::Radix; // the radix digit decode
  plan.slotted = true;
  plan.radix = format.radix;
  plan.digits = numerics::digitsPerWord(format.radix);
  plan.lanes = kLanes;
  plan.segmentCodes = kLanes * plan.digits;
  plan.segmentUnits = kLanes;
  if (failed(getCodeAffine(op.getScheme(), plan.alpha, plan.beta, why)))
    return failure();
  SmallVector<numerics::SuperblockSegment> segments =
      numerics::getSuperblockSegments(numerics::getSuperblockFormat(format), k);
  // readUnits bounds-checks only reads of the last segment: the tail's.
  plan.numSegments = 1;
  PreparedOperands prepared;
  SuperblockKernel kernel(b, op, plan, prepared, segments);
  Location loc = op.getLoc();
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v).getResult();
  };
  auto columnsOf = [&](Value init, Value begin, Value end, Value origin) {
    auto columns = scf::ForOp::create(
        b, loc, begin, end, index(1), ValueRange{init},
        [&](OpBuilder &, Location, Value column, ValueRange state) {
          Value out = state[0];
          Value outColumn =
              origin ? Value(arith::SubIOp::create(b, loc, column, origin))
                     : column;
          // Tiles of kRowTile rows, then single rows.
          int64_t tiled = m / kRowTile * kRowTile;
          auto rowsOf = [&](Value current, int64_t from, int64_t to,
                            int64_t tile) {
            if (to <= from)
              return current;
            auto loop = scf::ForOp::create(
                b, loc, index(from), index(to), index(tile),
                ValueRange{current},
                [&](OpBuilder &, Location, Value row, ValueRange rowState) {
                  SmallVector<Value> rows;
                  for (int64_t r = 0; r < tile; ++r)
                    rows.push_back(r == 0 ? row
                                          : Value(arith::AddIOp::create(
                                                b, loc, row, index(r))));
                  SmallVector<Value> totals = kernel.buildDots(rows, column);
                  Value updated = rowState[0];
                  for (auto [r, total] : llvm::enumerate(totals))
                    updated = tensor::InsertOp::create(
                        b, loc, total, updated, ValueRange{rows[r], outColumn});
                  scf::YieldOp::create(b, loc, updated);
                });
            return loop.getResult(0);
          };
          out = rowsOf(out, 0, tiled, kRowTile);
          out = rowsOf(out, tiled, m, 1);
          scf::YieldOp::create(b, loc, out);
        });
    // The epilogue maps the computed columns while they are in cache.
    if (!op.hasEpilogue())
      return columns.getResult(0);
    return applyEpilogue(b, op, kLanes, columns.getResult(0), 0, m, begin, end,
                         origin);
  };
  Value result =
      tensor::EmptyOp::create(b, loc, resultType.getShape(), b.getF32Type());
  if (parallel && m * n * k >= kMinParallelWork)
    if (int64_t chunk = getParallelChunk(n, 1))
      return buildParallelChunks(b, loc, result, /*dim=*/1, n, chunk,
                                 [&](Value slice, Value first, Value end) {
                                   return columnsOf(slice, first, end, first);
                                 });
  return columnsOf(result, index(0), index(n), Value());
}

//===- VectorizeIntegerMatmul.cpp - lowbit.integer_matmul as dot loops ----===//
//
// Lowers lowbit.integer_matmul (zero input zero point) to loops over output
// elements whose inner loop reads one segment of an activation row and of a
// weight row as byte vectors and accumulates lowbit.dot_i8 into i32 lanes;
// lowbit-lower-dot-i8 then selects vpdpbusd, sdot or widening arithmetic.
// With `i8mm`, pairs of rows meet pairs of weight rows in 2x2 blocks of
// AArch64 `smmla` (8 bytes of each of the four rows per instruction).
//
//===----------------------------------------------------------------------===//

#include "Int8Dot.h"
#include "Parallel.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ArmNeon/ArmNeonDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITVECTORIZEINTEGERMATMUL
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// Bytes of one segment: a 512-bit vpdpbusd, or four 128-bit sdot.
constexpr int64_t kSegmentBytes = 64;
/// Bytes of each row one smmla consumes.
constexpr int64_t kMmlaBytes = 8;

class IntegerMatmulBuilder {
public:
  IntegerMatmulBuilder(PatternRewriter &b, IntegerMatmulOp op, Int8Dot dot)
      : b(b), loc(op.getLoc()), op(op), dot(dot) {
    k = op.getInput().getType().getDimSize(1);
  }

  /// Outputs of rows [rowBegin, rowEnd) x columns [colBegin, colEnd) into
  /// `result` (the output, or a parallel chunk's slice of it from
  /// rowOrigin / columnOrigin): with i8mm, the pairs of rows and columns
  /// below `pairedRows` x `pairedColumns` in 2x2 smmla blocks (begins even),
  /// everything else one output at a time.
  Value buildRange(Value result, Value rowBegin, Value rowEnd, Value colBegin,
                   Value colEnd, int64_t pairedRows, int64_t pairedColumns) {
    if (pairedRows == 0 || pairedColumns == 0)
      return buildElements(result, rowBegin, rowEnd, colBegin, colEnd);
    Value pairsEnd =
        b.createOrFold<arith::MinSIOp>(loc, rowEnd, index(pairedRows));
    Value pairColumnsEnd =
        b.createOrFold<arith::MinSIOp>(loc, colEnd, index(pairedColumns));
    result = loop(rowBegin, pairsEnd, 2, result, [&](Value row, Value acc) {
      return loop(colBegin, pairColumnsEnd, 2, acc,
                  [&](Value column, Value inner) {
                    return mmlaBlock(row, column, inner);
                  });
    });
    // The last column of the paired rows, then the last row.
    result = buildElements(result, rowBegin, pairsEnd, pairColumnsEnd, colEnd);
    return buildElements(result, pairsEnd, rowEnd, colBegin, colEnd);
  }

  /// Rows [rowBegin, rowEnd) x columns [colBegin, colEnd) one output at a
  /// time.
  Value buildElements(Value result, Value rowBegin, Value rowEnd,
                      Value colBegin, Value colEnd) {
    return loop(rowBegin, rowEnd, 1, result, [&](Value row, Value acc) {
      return loop(colBegin, colEnd, 1, acc, [&](Value column, Value inner) {
        Value total = addBias(dotElement(row, column), column);
        return insert(total, inner, row, column);
      });
    });
  }

  /// The first row and column of the slice the builder writes (a parallel
  /// chunk's); null for the whole output.
  Value rowOrigin, columnOrigin;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

private:
  /// An scf.for (none when its bounds are equal constants).
  Value loop(Value begin, Value end, int64_t step, Value init,
             function_ref<Value(Value, Value)> body) {
    std::optional<int64_t> first = getConstantIntValue(begin);
    std::optional<int64_t> last = getConstantIntValue(end);
    if (first && last && *first >= *last)
      return init;
    auto forOp = scf::ForOp::create(
        b, loc, begin, end, index(step), ValueRange{init},
        [&](OpBuilder &, Location, Value iv, ValueRange state) {
          scf::YieldOp::create(b, loc, body(iv, state[0]));
        });
    return forOp.getResult(0);
  }

  /// `bytes` bytes of row `row` of `tensor` from `kBase`; zero past K.
  Value readRow(Value tensor, Value row, Value kBase, int64_t bytes,
                bool partial) {
    Value zero = arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(0));
    return vector::TransferReadOp::create(
               b, loc, VectorType::get({bytes}, b.getI8Type()), tensor,
               ValueRange{row, kBase}, zero, ArrayRef<bool>{!partial})
        .getResult();
  }

  /// `value` into `result` at output [row, column].
  Value insert(Value value, Value result, Value row, Value column) {
    if (rowOrigin)
      row = arith::SubIOp::create(b, loc, row, rowOrigin);
    if (columnOrigin)
      column = arith::SubIOp::create(b, loc, column, columnOrigin);
    return tensor::InsertOp::create(b, loc, value, result,
                                    ValueRange{row, column});
  }

  Value addBias(Value total, Value column) {
    if (Value bias = op.getBias())
      total = arith::AddIOp::create(
          b, loc, total, tensor::ExtractOp::create(b, loc, bias, column));
    return total;
  }

  /// sum_k x[row, k] * w[column, k] in segments of dot_i8, accumulated in
  /// i32 lanes and reduced once.
  Value dotElement(Value row, Value column) {
    auto accType = VectorType::get({kSegmentBytes / 4}, b.getI32Type());
    Value zeroAcc = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(accType, b.getI32IntegerAttr(0)));
    auto segment = [&](Value s, Value acc, bool partial) {
      Value kBase = arith::MulIOp::create(b, loc, s, index(kSegmentBytes));
      Value x = readRow(op.getInput(), row, kBase, kSegmentBytes, partial);
      Value w = readRow(op.getWeights(), column, kBase, kSegmentBytes, partial);
      return Value(arith::AddIOp::create(
          b, loc, acc, buildSignedInt8Dot(b, loc, x, w, dot)));
    };
    int64_t full = k / kSegmentBytes;
    auto segments = scf::ForOp::create(
        b, loc, index(0), index(full), index(1), ValueRange{zeroAcc},
        [&](OpBuilder &, Location, Value s, ValueRange accs) {
          scf::YieldOp::create(b, loc, segment(s, accs[0], false));
        });
    Value acc = segments.getResult(0);
    if (full * kSegmentBytes < k)
      acc = segment(index(full), acc, true);
    return vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, acc);
  }

  /// out[row + i, column + j] for i, j in {0, 1}: smmla multiplies the 2x8
  /// bytes of two activation rows by the 8x2 bytes of two weight rows.
  Value mmlaBlock(Value row, Value column, Value result) {
    auto accType = VectorType::get({4}, b.getI32Type());
    auto pairType = VectorType::get({2 * kMmlaBytes}, b.getI8Type());
    Value zeroAcc = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(accType, b.getI32IntegerAttr(0)));
    Value row1 = arith::AddIOp::create(b, loc, row, index(1));
    Value column1 = arith::AddIOp::create(b, loc, column, index(1));
    auto pair = [&](Value tensor, Value first, Value second, Value kBase,
                    bool partial) {
      Value a = readRow(tensor, first, kBase, kMmlaBytes, partial);
      Value c = readRow(tensor, second, kBase, kMmlaBytes, partial);
      SmallVector<int64_t> both;
      for (int64_t i = 0; i < 2 * kMmlaBytes; ++i)
        both.push_back(i);
      return Value(vector::ShuffleOp::create(b, loc, pairType, a, c, both));
    };
    auto chunk = [&](Value s, Value acc, bool partial) {
      Value kBase = arith::MulIOp::create(b, loc, s, index(kMmlaBytes));
      Value x = pair(op.getInput(), row, row1, kBase, partial);
      Value w = pair(op.getWeights(), column, column1, kBase, partial);
      return Value(arm_neon::SmmlaOp::create(b, loc, accType, acc, x, w));
    };
    int64_t full = k / kMmlaBytes;
    auto chunks = scf::ForOp::create(
        b, loc, index(0), index(full), index(1), ValueRange{zeroAcc},
        [&](OpBuilder &, Location, Value s, ValueRange accs) {
          scf::YieldOp::create(b, loc, chunk(s, accs[0], false));
        });
    Value acc = chunks.getResult(0);
    if (full * kMmlaBytes < k)
      acc = chunk(index(full), acc, true);
    // acc = [r0.c0, r0.c1, r1.c0, r1.c1].
    Value rows[2] = {row, row1}, columns[2] = {column, column1};
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 2; ++j) {
        Value value = vector::ExtractOp::create(b, loc, acc,
                                                ArrayRef<int64_t>{2 * i + j});
        result =
            insert(addBias(value, columns[j]), result, rows[i], columns[j]);
      }
    return result;
  }

  PatternRewriter &b;
  Location loc;
  IntegerMatmulOp op;
  Int8Dot dot;
  int64_t k;
};

struct VectorizeIntegerMatmulPattern
    : public OpRewritePattern<IntegerMatmulOp> {
  VectorizeIntegerMatmulPattern(MLIRContext *context, Int8Dot dot, bool i8mm,
                                bool parallel)
      : OpRewritePattern(context), dot(dot), i8mm(i8mm), parallel(parallel) {}
  Int8Dot dot;
  bool i8mm;
  bool parallel;

  LogicalResult matchAndRewrite(IntegerMatmulOp op,
                                PatternRewriter &b) const override {
    if (op.getInputZeroPoint() != 0)
      return b.notifyMatchFailure(op, "non-zero input zero point");
    if (!op.getInput().getType().hasStaticShape() ||
        !op.getWeights().getType().hasStaticShape() ||
        !op.getType().hasStaticShape())
      return b.notifyMatchFailure(op, "dynamic shapes");
    int64_t m = op.getType().getDimSize(0), n = op.getType().getDimSize(1);
    int64_t k = op.getInput().getType().getDimSize(1);
    IntegerMatmulBuilder builder(b, op, dot);
    Value result = tensor::EmptyOp::create(b, op.getLoc(),
                                           op.getType().getShape(),
                                           b.getI32Type());
    int64_t pairedRows = i8mm ? m - m % 2 : 0;
    int64_t pairedColumns = i8mm ? n - n % 2 : 0;
    // Threads take chunks of the longer output dimension (even, so that
    // smmla pairs stay whole), fixed here: an output is computed the same
    // way whatever the thread count.
    unsigned dim = m >= n ? 0 : 1;
    int64_t chunk = parallel && m * n * k >= kMinParallelWork
                        ? getParallelChunk(dim == 0 ? m : n, 2)
                        : 0;
    if (chunk == 0) {
      result = builder.buildRange(result, builder.index(0), builder.index(m),
                                  builder.index(0), builder.index(n),
                                  pairedRows, pairedColumns);
    } else {
      result = buildParallelChunks(
          b, op.getLoc(), result, dim, dim == 0 ? m : n, chunk,
          [&](Value slice, Value first, Value end) {
            if (dim == 0) {
              builder.rowOrigin = first;
              return builder.buildRange(slice, first, end, builder.index(0),
                                        builder.index(n), pairedRows,
                                        pairedColumns);
            }
            builder.columnOrigin = first;
            return builder.buildRange(slice, builder.index(0), builder.index(m),
                                      first, end, pairedRows, pairedColumns);
          });
    }
    b.replaceOp(op, result);
    return success();
  }
};

struct LowbitVectorizeIntegerMatmulPass
    : public lowbit::impl::LowbitVectorizeIntegerMatmulBase<
          LowbitVectorizeIntegerMatmulPass> {
  using Base::Base;

  void runOnOperation() override {
    FailureOr<Int8Dot> dot = parseInt8Dot(getOperation(), "int8-dot", int8Dot);
    if (failed(dot))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    patterns.add<VectorizeIntegerMatmulPattern>(&getContext(), *dot, i8mm,
                                                parallel);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

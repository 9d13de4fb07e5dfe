//===- VectorizeIntegerMatmul.cpp - lowbit.integer_matmul as dot loops ----===//
//
// Lowers lowbit.integer_matmul (zero input zero point) to loops over output
// elements whose inner loop reads one segment of an activation row and of a
// weight row as byte vectors and accumulates lowbit.dot_i8 into i32 lanes;
// lowbit-lower-dot-i8 then selects vpdpbusd, sdot or widening arithmetic.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
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

struct VectorizeIntegerMatmulPattern
    : public OpRewritePattern<IntegerMatmulOp> {
  VectorizeIntegerMatmulPattern(MLIRContext *context, bool unsignedActivations)
      : OpRewritePattern(context), unsignedActivations(unsignedActivations) {}
  /// vpdpbusd multiplies unsigned by signed bytes.
  bool unsignedActivations;

  LogicalResult matchAndRewrite(IntegerMatmulOp op,
                                PatternRewriter &b) const override {
    if (op.getInputZeroPoint() != 0)
      return b.notifyMatchFailure(op, "non-zero input zero point");
    if (!op.getInput().getType().hasStaticShape() ||
        !op.getWeights().getType().hasStaticShape())
      return b.notifyMatchFailure(op, "dynamic shapes");
    Location loc = op.getLoc();
    int64_t m = op.getType().getDimSize(0), n = op.getType().getDimSize(1);
    int64_t k = op.getInput().getType().getDimSize(1);
    int64_t segments = llvm::divideCeil(k, kSegmentBytes);
    int64_t lanes = kSegmentBytes / 4;
    Type i8 = b.getI8Type(), i32 = b.getI32Type();
    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    auto bytesType = VectorType::get({kSegmentBytes}, i8);
    auto accType = VectorType::get({lanes}, i32);
    Value zeroAcc = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(accType, b.getI32IntegerAttr(0)));
    Value zeroByte = arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(0));
    Value offsetBytes = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(bytesType, b.getI8IntegerAttr(int8_t(0x80))));
    // Bytes of `tensor` row `row` from `kBase`; past K they read as zero.
    auto readRow = [&](Value tensor, Value row, Value kBase, bool partial) {
      return vector::TransferReadOp::create(b, loc, bytesType, tensor,
                                            ValueRange{row, kBase}, zeroByte,
                                            ArrayRef<bool>{!partial})
          .getResult();
    };

    Value result = tensor::EmptyOp::create(b, loc, op.getType().getShape(), i32);
    auto rows = scf::ForOp::create(
        b, loc, index(0), index(m), index(1), ValueRange{result},
        [&](OpBuilder &, Location, Value row, ValueRange rowState) {
          auto columns = scf::ForOp::create(
              b, loc, index(0), index(n), index(1), rowState,
              [&](OpBuilder &, Location, Value column, ValueRange state) {
                // acc += x . w per segment; with unsigned activations also
                // corr += 128 . w, subtracted at the end.
                auto segment = [&](Value s, ValueRange accs, bool partial) {
                  Value kBase = arith::MulIOp::create(b, loc, s,
                                                      index(kSegmentBytes));
                  Value x = readRow(op.getInput(), row, kBase, partial);
                  Value w = readRow(op.getWeights(), column, kBase, partial);
                  if (!unsignedActivations)
                    return SmallVector<Value>{
                        DotI8Op::create(b, loc, accs[0], x, w, false)};
                  Value ux = arith::XOrIOp::create(b, loc, x, offsetBytes);
                  return SmallVector<Value>{
                      DotI8Op::create(b, loc, accs[0], ux, w, true),
                      DotI8Op::create(b, loc, accs[1], offsetBytes, w, true)};
                };
                SmallVector<Value> init{zeroAcc};
                if (unsignedActivations)
                  init.push_back(zeroAcc);
                int64_t full = k / kSegmentBytes;
                auto loop = scf::ForOp::create(
                    b, loc, index(0), index(full), index(1), init,
                    [&](OpBuilder &, Location, Value s, ValueRange accs) {
                      scf::YieldOp::create(b, loc, segment(s, accs, false));
                    });
                SmallVector<Value> accs(loop.getResults());
                if (full < segments)
                  accs = segment(index(full), accs, true);
                Value total = vector::ReductionOp::create(
                    b, loc, vector::CombiningKind::ADD, accs[0]);
                if (unsignedActivations)
                  total = arith::SubIOp::create(
                      b, loc, total,
                      vector::ReductionOp::create(
                          b, loc, vector::CombiningKind::ADD, accs[1]));
                if (Value bias = op.getBias())
                  total = arith::AddIOp::create(
                      b, loc, total,
                      tensor::ExtractOp::create(b, loc, bias, column));
                Value updated = tensor::InsertOp::create(
                    b, loc, total, state[0], ValueRange{row, column});
                scf::YieldOp::create(b, loc, updated);
              });
          scf::YieldOp::create(b, loc, columns.getResults());
        });
    b.replaceOp(op, rows.getResult(0));
    return success();
  }
};

struct LowbitVectorizeIntegerMatmulPass
    : public lowbit::impl::LowbitVectorizeIntegerMatmulBase<
          LowbitVectorizeIntegerMatmulPass> {
  using Base::Base;

  void runOnOperation() override {
    if (int8Dot != "generic" && int8Dot != "avx512-vnni" &&
        int8Dot != "arm-dotprod") {
      getOperation()->emitError()
          << "unknown int8-dot '" << int8Dot
          << "' (expected generic, avx512-vnni or arm-dotprod)";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<VectorizeIntegerMatmulPattern>(&getContext(),
                                                int8Dot == "avx512-vnni");
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

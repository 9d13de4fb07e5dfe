//===- LowerMultishiftBytes.cpp - multishift_bytes to vpmultishiftqb ------===//
//
// x86 vpmultishiftqb per 64 bytes with AVX512-VBMI; otherwise rotations of
// 64-bit lanes that any target runs.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITLOWERMULTISHIFTBYTES
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// Bytes one vpmultishiftqb takes (the 512-bit form: the 256- and 128-bit
/// ones would need AVX512VL, and the kernels use 64-byte vectors).
constexpr int64_t kChunk = 64;

struct LowerMultishiftBytes : public OpRewritePattern<MultishiftBytesOp> {
  LowerMultishiftBytes(MLIRContext *context, bool vbmi)
      : OpRewritePattern(context), vbmi(vbmi) {}
  bool vbmi;

  LogicalResult matchAndRewrite(MultishiftBytesOp op,
                                PatternRewriter &rewriter) const override {
    int64_t bytes = op.getType().getNumElements();
    Value result = vbmi && bytes % kChunk == 0 ? multishiftChunks(rewriter, op)
                                               : rotateLanes(rewriter, op);
    rewriter.replaceOp(op, result);
    return success();
  }

  /// One vpmultishiftqb per 64 bytes of both operands.
  static Value multishiftChunks(PatternRewriter &rewriter,
                                MultishiftBytesOp op) {
    Location loc = op.getLoc();
    int64_t bytes = op.getType().getNumElements();
    auto chunkType = VectorType::get({kChunk}, rewriter.getI8Type());
    Value result = op.getData();
    for (int64_t offset = 0; offset < bytes; offset += kChunk) {
      auto slice = [&](Value v) -> Value {
        if (kChunk == bytes)
          return v;
        return vector::ExtractStridedSliceOp::create(rewriter, loc, v, {offset},
                                                     {kChunk}, {1});
      };
      Value part =
          LLVM::CallIntrinsicOp::create(
              rewriter, loc, chunkType,
              rewriter.getStringAttr("llvm.x86.avx512.pmultishift.qb.512"),
              ValueRange{slice(op.getControls()), slice(op.getData())})
              .getResult(0);
      result = kChunk == bytes ? part
                               : vector::InsertStridedSliceOp::create(
                                     rewriter, loc, part, result, {offset}, {1})
                                     .getResult();
    }
    return result;
  }

  /// Portable: every 64-bit lane repeated for its eight bytes, rotated right
  /// by its control's low 6 bits ((v >> c) | (v << ((64 - c) & 63)): no
  /// shift by 64) and truncated to a byte.
  static Value rotateLanes(PatternRewriter &rewriter, MultishiftBytesOp op) {
    Location loc = op.getLoc();
    int64_t bytes = op.getType().getNumElements();
    Type i64 = rewriter.getI64Type();
    auto wideType = VectorType::get({bytes}, i64);
    auto splat = [&](int64_t value) -> Value {
      return arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(wideType,
                                 rewriter.getIntegerAttr(i64, value)));
    };
    Value lanes = vector::BitCastOp::create(
        rewriter, loc, VectorType::get({bytes / 8}, i64), op.getData());
    SmallVector<int64_t> spread;
    for (int64_t i = 0; i < bytes; ++i)
      spread.push_back(i / 8);
    Value data = vector::ShuffleOp::create(rewriter, loc, lanes, lanes, spread);
    Value shift = arith::AndIOp::create(
        rewriter, loc,
        arith::ExtUIOp::create(rewriter, loc, wideType, op.getControls()),
        splat(63));
    Value back = arith::AndIOp::create(
        rewriter, loc, arith::SubIOp::create(rewriter, loc, splat(64), shift),
        splat(63));
    Value rotated = arith::OrIOp::create(
        rewriter, loc, arith::ShRUIOp::create(rewriter, loc, data, shift),
        arith::ShLIOp::create(rewriter, loc, data, back));
    return arith::TruncIOp::create(rewriter, loc, op.getType(), rotated);
  }
};

struct LowbitLowerMultishiftBytesPass
    : public lowbit::impl::LowbitLowerMultishiftBytesBase<
          LowbitLowerMultishiftBytesPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerMultishiftBytes>(&getContext(), vbmi);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

//===- LowerDotI8.cpp - lowbit.dot_i8 to target instructions --------------===//
//
// x86 AVX512-VNNI: llvm.x86.avx512.vpdpbusd.{128,256,512}; x86 AVX2, for
// unsigned x signed products whose pair sums fit i16: vpmaddubsw then
// vpmaddwd by ones per 32 (or 16) bytes; AArch64 dotprod: arm_neon.intr.sdot
// per 16 bytes; otherwise widening multiplies and a four-way reduction that
// any target can run.
//
//===----------------------------------------------------------------------===//

#include "Int8Dot.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ArmNeon/ArmNeonDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITLOWERDOTI8
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// Elements [offset, offset + size) of a 1-D vector.
Value sliceOf(OpBuilder &b, Location loc, Value v, int64_t offset,
              int64_t size) {
  return vector::ExtractStridedSliceOp::create(b, loc, v, {offset}, {size}, {1})
      .getResult();
}

struct LowerDotI8 : public OpRewritePattern<DotI8Op> {
  LowerDotI8(MLIRContext *context, Int8Dot isa)
      : OpRewritePattern(context), isa(isa) {}
  Int8Dot isa;

  LogicalResult matchAndRewrite(DotI8Op op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    VectorType accType = op.getAcc().getType();
    int64_t lanes = accType.getNumElements(), bytes = 4 * lanes;
    if (isa == Int8Dot::X86Vnni && op.getUnsignedLhs() &&
        (bytes == 16 || bytes == 32 || bytes == 64)) {
      std::string name =
          "llvm.x86.avx512.vpdpbusd." + std::to_string(bytes * 8);
      rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
          op, accType, rewriter.getStringAttr(name),
          ValueRange{op.getAcc(), op.getLhs(), op.getRhs()});
      return success();
    }
    if (isa == Int8Dot::X86Avx2 && op.getUnsignedLhs() &&
        op.getPairsFitI16() && bytes % 16 == 0) {
      rewriter.replaceOp(op, lowerToPairwiseMultiplyAdds(rewriter, op));
      return success();
    }
    if (isa == Int8Dot::ArmDotprod && !op.getUnsignedLhs() && bytes % 16 == 0) {
      Value result = op.getAcc();
      for (int64_t chunk = 0; chunk < bytes / 16; ++chunk) {
        auto slice = [&](Value v, int64_t offset, int64_t size) {
          return sliceOf(rewriter, loc, v, offset, size);
        };
        Value dot = arm_neon::SdotOp::create(
            rewriter, loc, VectorType::get({4}, rewriter.getI32Type()),
            slice(op.getAcc(), 4 * chunk, 4), slice(op.getLhs(), 16 * chunk, 16),
            slice(op.getRhs(), 16 * chunk, 16));
        result = vector::InsertStridedSliceOp::create(rewriter, loc, dot,
                                                      result, {4 * chunk}, {1});
      }
      rewriter.replaceOp(op, result);
      return success();
    }
    // Widen, multiply, and add each group of four into its lane.
    auto wide = VectorType::get({bytes}, rewriter.getI32Type());
    Value lhs = op.getUnsignedLhs()
                    ? Value(arith::ExtUIOp::create(rewriter, loc, wide, op.getLhs()))
                    : Value(arith::ExtSIOp::create(rewriter, loc, wide, op.getLhs()));
    Value rhs = arith::ExtSIOp::create(rewriter, loc, wide, op.getRhs());
    Value products = arith::MulIOp::create(rewriter, loc, lhs, rhs);
    Value result = op.getAcc();
    for (int64_t j = 0; j < 4; ++j) {
      SmallVector<int64_t> lanesOfJ;
      for (int64_t i = 0; i < lanes; ++i)
        lanesOfJ.push_back(4 * i + j);
      Value part = vector::ShuffleOp::create(rewriter, loc, products, products,
                                             lanesOfJ);
      result = arith::AddIOp::create(rewriter, loc, result, part);
    }
    rewriter.replaceOp(op, result);
    return success();
  }

  /// Per 32 bytes (16 for a remainder): pmaddubsw (u8 x s8, adjacent
  /// products summed into i16), pmaddwd by ones (adjacent i16 summed into
  /// i32: four products per lane), added to the accumulator's lanes.
  static Value lowerToPairwiseMultiplyAdds(PatternRewriter &rewriter,
                                           DotI8Op op) {
    Location loc = op.getLoc();
    int64_t bytes = 4 * op.getAcc().getType().getNumElements();
    Type i16 = rewriter.getI16Type(), i32 = rewriter.getI32Type();
    Value result = op.getAcc();
    for (int64_t offset = 0; offset < bytes;) {
      int64_t width = bytes - offset >= 32 ? 32 : 16;
      auto slice = [&](Value v, int64_t begin, int64_t size) {
        return sliceOf(rewriter, loc, v, begin, size);
      };
      auto pairs = VectorType::get({width / 2}, i16);
      auto lanes = VectorType::get({width / 4}, i32);
      StringRef pairwise = width == 32 ? "llvm.x86.avx2.pmadd.ub.sw"
                                       : "llvm.x86.ssse3.pmadd.ub.sw.128";
      StringRef widen =
          width == 32 ? "llvm.x86.avx2.pmadd.wd" : "llvm.x86.sse2.pmadd.wd";
      Value pairSums = LLVM::CallIntrinsicOp::create(
                           rewriter, loc, pairs, rewriter.getStringAttr(pairwise),
                           ValueRange{slice(op.getLhs(), offset, width),
                                      slice(op.getRhs(), offset, width)})
                           .getResult(0);
      Value ones = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(pairs, rewriter.getIntegerAttr(i16, 1)));
      Value quads = LLVM::CallIntrinsicOp::create(
                        rewriter, loc, lanes, rewriter.getStringAttr(widen),
                        ValueRange{pairSums, ones})
                        .getResult(0);
      Value sum = arith::AddIOp::create(
          rewriter, loc, slice(result, offset / 4, width / 4), quads);
      result = vector::InsertStridedSliceOp::create(rewriter, loc, sum, result,
                                                    {offset / 4}, {1});
      offset += width;
    }
    return result;
  }
};

struct LowbitLowerDotI8Pass
    : public lowbit::impl::LowbitLowerDotI8Base<LowbitLowerDotI8Pass> {
  using Base::Base;

  void runOnOperation() override {
    FailureOr<Int8Dot> dot = parseInt8Dot(getOperation(), "isa", isa);
    if (failed(dot))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerDotI8>(&getContext(), *dot);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

//===- LowerDotI8.cpp - lowbit.dot_i8 to target instructions --------------===//
//
// x86 AVX512-VNNI: llvm.x86.avx512.vpdpbusd.{128,256,512} (AVX-VNNI: the
// 128/256-bit ones, which LLVM encodes with VEX); x86 AVX2, for
// unsigned x signed products whose pair sums fit i16: vpmaddubsw then
// vpmaddwd by ones per 32 (or 16) bytes (SSSE3: per 16); x86 SSE2:
// pmaddwd on both operands widened to i16 per 16 bytes, each half's pair
// sums then added into quads; AArch64 dotprod: arm_neon.intr.sdot
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

/// The dot product computed in chunks of `maxBytes` (a power of two, at
/// least 16) or, for what remains, the widest power of two that fits:
/// `emit(acc, lhs, rhs, bytes)` returns acc (bytes / 4 lanes) plus the dot
/// product of one chunk.
using ChunkEmitter =
    function_ref<Value(Value acc, Value lhs, Value rhs, int64_t bytes)>;
Value lowerInChunks(OpBuilder &b, DotI8Op op, int64_t maxBytes,
                    ChunkEmitter emit) {
  Location loc = op.getLoc();
  int64_t bytes = 4 * op.getAcc().getType().getNumElements();
  if (bytes <= maxBytes && llvm::isPowerOf2_64(bytes))
    return emit(op.getAcc(), op.getLhs(), op.getRhs(), bytes);
  Value result = op.getAcc();
  for (int64_t offset = 0; offset < bytes;) {
    int64_t width = maxBytes;
    while (width > bytes - offset)
      width /= 2;
    Value sum = emit(sliceOf(b, loc, result, offset / 4, width / 4),
                     sliceOf(b, loc, op.getLhs(), offset, width),
                     sliceOf(b, loc, op.getRhs(), offset, width), width);
    result = vector::InsertStridedSliceOp::create(b, loc, sum, result,
                                                  {offset / 4}, {1});
    offset += width;
  }
  return result;
}

Value callIntrinsic(OpBuilder &b, Location loc, Type type, const Twine &name,
                    ValueRange operands) {
  return LLVM::CallIntrinsicOp::create(b, loc, type,
                                       b.getStringAttr(name.str()), operands)
      .getResult(0);
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
    Type i16 = rewriter.getI16Type(), i32 = rewriter.getI32Type();
    auto lanesOf = [&](int64_t chunk) {
      return VectorType::get({chunk / 4}, i32);
    };
    // vpdpbusd: AVX512-VNNI up to 64 bytes at once; AVX-VNNI (the same
    // intrinsics, VEX-encoded on CPUs without AVX512-VL) up to 32.
    if (isVpdpbusd(isa) && op.getUnsignedLhs() && bytes % 16 == 0) {
      rewriter.replaceOp(
          op,
          lowerInChunks(rewriter, op, isa == Int8Dot::X86Vnni ? 64 : 32,
                        [&](Value acc, Value lhs, Value rhs, int64_t chunk) {
                          return callIntrinsic(rewriter, loc, lanesOf(chunk),
                                               "llvm.x86.avx512.vpdpbusd." +
                                                   Twine(chunk * 8),
                                               {acc, lhs, rhs});
                        }));
      return success();
    }
    // AVX2: pmaddubsw (u8 x s8, adjacent products summed into i16), pmaddwd
    // by ones (adjacent i16 summed into i32: four products per lane).
    if (isPmaddubsw(isa) && op.getUnsignedLhs() && op.getPairsFitI16() &&
        bytes % 16 == 0) {
      rewriter.replaceOp(
          op, lowerInChunks(
                  rewriter, op, isa == Int8Dot::X86Avx2 ? 32 : 16,
                  [&](Value acc, Value lhs, Value rhs, int64_t chunk) {
                    auto pairs = VectorType::get({chunk / 2}, i16);
                    Value pairSums = callIntrinsic(
                        rewriter, loc, pairs,
                        chunk == 32 ? "llvm.x86.avx2.pmadd.ub.sw"
                                    : "llvm.x86.ssse3.pmadd.ub.sw.128",
                        {lhs, rhs});
                    Value ones = arith::ConstantOp::create(
                        rewriter, loc,
                        DenseElementsAttr::get(
                            pairs, rewriter.getIntegerAttr(i16, 1)));
                    Value quads =
                        callIntrinsic(rewriter, loc, lanesOf(chunk),
                                      chunk == 32 ? "llvm.x86.avx2.pmadd.wd"
                                                  : "llvm.x86.sse2.pmadd.wd",
                                      {pairSums, ones});
                    return arith::AddIOp::create(rewriter, loc, acc, quads)
                        .getResult();
                  }));
      return success();
    }
    // SSE2 (any signs): bytes widened to i16 (products and pair sums are
    // exact in pmaddwd's i32 lanes), pair sums of bytes [0, 8) and [8, 16)
    // added into quads: lane i = pairs 2i and 2i + 1.
    if ((isa == Int8Dot::X86Sse2 || isa == Int8Dot::X86Ssse3) &&
        bytes % 16 == 0) {
      rewriter.replaceOp(
          op,
          lowerInChunks(
              rewriter, op, 16, [&](Value acc, Value lhs, Value rhs, int64_t) {
                auto words = VectorType::get({16}, i16);
                Value wideLhs =
                    op.getUnsignedLhs()
                        ? Value(
                              arith::ExtUIOp::create(rewriter, loc, words, lhs))
                        : Value(arith::ExtSIOp::create(rewriter, loc, words,
                                                       lhs));
                Value wideRhs =
                    arith::ExtSIOp::create(rewriter, loc, words, rhs);
                SmallVector<Value> halves;
                for (int64_t half = 0; half < 2; ++half)
                  halves.push_back(callIntrinsic(
                      rewriter, loc, lanesOf(16), "llvm.x86.sse2.pmadd.wd",
                      {sliceOf(rewriter, loc, wideLhs, 8 * half, 8),
                       sliceOf(rewriter, loc, wideRhs, 8 * half, 8)}));
                Value even = vector::ShuffleOp::create(
                    rewriter, loc, halves[0], halves[1],
                    ArrayRef<int64_t>{0, 2, 4, 6});
                Value odd = vector::ShuffleOp::create(
                    rewriter, loc, halves[0], halves[1],
                    ArrayRef<int64_t>{1, 3, 5, 7});
                Value quads = arith::AddIOp::create(rewriter, loc, even, odd);
                return arith::AddIOp::create(rewriter, loc, acc, quads)
                    .getResult();
              }));
      return success();
    }
    if (isa == Int8Dot::ArmDotprod && !op.getUnsignedLhs() && bytes % 16 == 0) {
      rewriter.replaceOp(
          op, lowerInChunks(rewriter, op, 16,
                            [&](Value acc, Value lhs, Value rhs, int64_t) {
                              return arm_neon::SdotOp::create(rewriter, loc,
                                                              lanesOf(16), acc,
                                                              lhs, rhs)
                                  .getResult();
                            }));
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

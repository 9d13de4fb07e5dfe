//===- LowerDotBf16.cpp - lowbit.dot_bf16 to target instructions ----------===//
//
// AArch64 +bf16: llvm.aarch64.neon.bfdot per 4 lanes (8 values of each
// operand); x86 AVX512-BF16: x86vector.avx512.dot
// (vdpbf16ps) per 16 lanes; otherwise f32 products of the even and odd
// values added into the lanes, which any target can run.
//
//===----------------------------------------------------------------------===//

#include "MatmulKernels/KernelPlan.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITLOWERDOTBF16
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// acc + lhs[2i] * rhs[2i] + lhs[2i + 1] * rhs[2i + 1] in f32 operations.
Value portableDot(OpBuilder &b, Location loc, Value acc, Value lhs, Value rhs) {
  int64_t lanes = cast<VectorType>(acc.getType()).getNumElements();
  auto wide = VectorType::get({2 * lanes}, b.getF32Type());
  Value products =
      arith::MulFOp::create(b, loc, arith::ExtFOp::create(b, loc, wide, lhs),
                            arith::ExtFOp::create(b, loc, wide, rhs));
  Value result = acc;
  for (int64_t j = 0; j < 2; ++j) {
    SmallVector<int64_t> lanesOfJ;
    for (int64_t i = 0; i < lanes; ++i)
      lanesOfJ.push_back(2 * i + j);
    result = arith::AddFOp::create(
        b, loc, result,
        vector::ShuffleOp::create(b, loc, products, products, lanesOfJ));
  }
  return result;
}

struct LowerDotBf16 : public OpRewritePattern<DotBf16Op> {
  LowerDotBf16(MLIRContext *context, Bf16Dot isa)
      : OpRewritePattern(context), isa(isa) {}
  Bf16Dot isa;

  LogicalResult matchAndRewrite(DotBf16Op op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t lanes = op.getAcc().getType().getNumElements();
    // Lanes of one instruction.
    int64_t chunk = 0;
    if (isa == Bf16Dot::ArmBf16)
      chunk = 4;
    else if (isa == Bf16Dot::X86Avx512)
      chunk = 16;
    if (chunk == 0 || lanes % chunk != 0) {
      rewriter.replaceOp(op, portableDot(rewriter, loc, op.getAcc(),
                                         op.getLhs(), op.getRhs()));
      return success();
    }
    // One instruction per `chunk` lanes, on its slices of the operands.
    auto slice = [&](Value v, int64_t offset, int64_t size) -> Value {
      if (size == cast<VectorType>(v.getType()).getNumElements())
        return v;
      return vector::ExtractStridedSliceOp::create(rewriter, loc, v, {offset},
                                                   {size}, {1});
    };
    Value result = op.getAcc();
    for (int64_t lane = 0; lane < lanes; lane += chunk) {
      Value acc = slice(result, lane, chunk);
      Value lhs = slice(op.getLhs(), 2 * lane, 2 * chunk);
      Value rhs = slice(op.getRhs(), 2 * lane, 2 * chunk);
      Value sum;
      if (isa == Bf16Dot::ArmBf16)
        sum =
            LLVM::CallIntrinsicOp::create(
                rewriter, loc, acc.getType(),
                rewriter.getStringAttr("llvm.aarch64.neon.bfdot.v4f32.v8bf16"),
                ValueRange{acc, lhs, rhs})
                .getResult(0);
      else
        sum = x86vector::DotBF16Op::create(rewriter, loc, acc.getType(), acc,
                                           lhs, rhs);
      result = lanes == chunk ? sum
                              : Value(vector::InsertStridedSliceOp::create(
                                    rewriter, loc, sum, result, {lane}, {1}));
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowbitLowerDotBf16Pass
    : public lowbit::impl::LowbitLowerDotBf16Base<LowbitLowerDotBf16Pass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<Bf16Dot> dot = parseBf16Dot(isa);
    if (!dot) {
      getOperation()->emitError()
          << "unknown isa '" << isa
          << "' (expected none, avx512-bf16 or arm-bf16)";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerDotBf16>(&getContext(), *dot);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

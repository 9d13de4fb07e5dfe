//===- LowerDotI8.cpp - lowbit.dot_i8 to target instructions --------------===//
//
// x86 AVX512-VNNI: llvm.x86.avx512.vpdpbusd.{128,256,512}; AArch64 dotprod:
// arm_neon.intr.sdot per 16 bytes; otherwise widening multiplies and a
// four-way reduction that any target can run.
//
//===----------------------------------------------------------------------===//

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

enum class DotIsa { Generic, X86Vnni, ArmDotprod };

struct LowerDotI8 : public OpRewritePattern<DotI8Op> {
  LowerDotI8(MLIRContext *context, DotIsa isa)
      : OpRewritePattern(context), isa(isa) {}
  DotIsa isa;

  LogicalResult matchAndRewrite(DotI8Op op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    VectorType accType = op.getAcc().getType();
    int64_t lanes = accType.getNumElements(), bytes = 4 * lanes;
    if (isa == DotIsa::X86Vnni && op.getUnsignedLhs() &&
        (bytes == 16 || bytes == 32 || bytes == 64)) {
      std::string name =
          "llvm.x86.avx512.vpdpbusd." + std::to_string(bytes * 8);
      rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
          op, accType, rewriter.getStringAttr(name),
          ValueRange{op.getAcc(), op.getLhs(), op.getRhs()});
      return success();
    }
    if (isa == DotIsa::ArmDotprod && !op.getUnsignedLhs() && bytes % 16 == 0) {
      Value result = op.getAcc();
      for (int64_t chunk = 0; chunk < bytes / 16; ++chunk) {
        auto slice = [&](Value v, int64_t offset, int64_t size) {
          return vector::ExtractStridedSliceOp::create(rewriter, loc, v,
                                                       {offset}, {size}, {1})
              .getResult();
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
};

struct LowbitLowerDotI8Pass
    : public lowbit::impl::LowbitLowerDotI8Base<LowbitLowerDotI8Pass> {
  using Base::Base;

  void runOnOperation() override {
    DotIsa dot;
    if (isa == "generic") {
      dot = DotIsa::Generic;
    } else if (isa == "avx512-vnni") {
      dot = DotIsa::X86Vnni;
    } else if (isa == "arm-dotprod") {
      dot = DotIsa::ArmDotprod;
    } else {
      getOperation()->emitError() << "unknown isa '" << isa
                                  << "' (expected generic, avx512-vnni or "
                                     "arm-dotprod)";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerDotI8>(&getContext(), dot);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

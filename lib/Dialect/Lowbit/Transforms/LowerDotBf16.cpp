//===- LowerDotBf16.cpp - lowbit.dot_bf16 to target instructions ----------===//
//
// AArch64 +bf16: llvm.aarch64.neon.bfdot per 4 lanes (8 values of each
// operand); x86 AVX512-BF16: x86vector.avx512.dot
// (vdpbf16ps) per 16 lanes; otherwise f32 products of the even and odd
// values added into the lanes, which any target can run. lowbit.mmla_bf16:
// llvm.aarch64.neon.bfmmla per 2x2 tile on AArch64 +bf16, otherwise the
// same f32 pair sums, added in bfmmla's order.
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

/// One `instruction` per `chunk` lanes of `acc`, on its slices of the
/// operands (2 values per lane), the results inserted back.
Value perInstruction(
    OpBuilder &b, Location loc, Value acc, Value lhs, Value rhs, int64_t chunk,
    llvm::function_ref<Value(Value, Value, Value)> instruction) {
  int64_t lanes = cast<VectorType>(acc.getType()).getNumElements();
  auto slice = [&](Value v, int64_t offset, int64_t size) -> Value {
    if (size == cast<VectorType>(v.getType()).getNumElements())
      return v;
    return vector::ExtractStridedSliceOp::create(b, loc, v, {offset}, {size},
                                                 {1});
  };
  Value result = acc;
  for (int64_t lane = 0; lane < lanes; lane += chunk) {
    Value sum =
        instruction(slice(result, lane, chunk), slice(lhs, 2 * lane, 2 * chunk),
                    slice(rhs, 2 * lane, 2 * chunk));
    result = lanes == chunk ? sum
                            : Value(vector::InsertStridedSliceOp::create(
                                  b, loc, sum, result, {lane}, {1}));
  }
  return result;
}

/// The portable lowbit.mmla_bf16: per lane 2i + j of each tile, the f32
/// products lhs[4i + k] * rhs[4j + k], their pairs k = 0, 1 and k = 2, 3
/// summed, the pair sums added to the accumulator in that order (bfmmla's).
Value portableMmla(OpBuilder &b, Location loc, Value acc, Value lhs,
                   Value rhs) {
  int64_t lanes = cast<VectorType>(acc.getType()).getNumElements();
  // Product p of lane l (p = 0..3) at 4 l + p.
  SmallVector<int64_t> lhsLanes, rhsLanes;
  for (int64_t l = 0; l < lanes; ++l)
    for (int64_t k = 0; k < 4; ++k) {
      int64_t tile = l / 4, i = l % 4 / 2, j = l % 2;
      lhsLanes.push_back(8 * tile + 4 * i + k);
      rhsLanes.push_back(8 * tile + 4 * j + k);
    }
  auto wide = VectorType::get({2 * lanes}, b.getF32Type());
  Value lhsF = arith::ExtFOp::create(b, loc, wide, lhs);
  Value rhsF = arith::ExtFOp::create(b, loc, wide, rhs);
  Value products = arith::MulFOp::create(
      b, loc, vector::ShuffleOp::create(b, loc, lhsF, lhsF, lhsLanes),
      vector::ShuffleOp::create(b, loc, rhsF, rhsF, rhsLanes));
  auto productsOf = [&](int64_t p) {
    SmallVector<int64_t> indices;
    for (int64_t l = 0; l < lanes; ++l)
      indices.push_back(4 * l + p);
    return Value(
        vector::ShuffleOp::create(b, loc, products, products, indices));
  };
  Value result = acc;
  for (int64_t pair = 0; pair < 2; ++pair)
    result = arith::AddFOp::create(
        b, loc, result,
        arith::AddFOp::create(b, loc, productsOf(2 * pair),
                              productsOf(2 * pair + 1)));
  return result;
}

struct LowerMmlaBf16 : public OpRewritePattern<MmlaBf16Op> {
  LowerMmlaBf16(MLIRContext *context, Bf16Dot isa)
      : OpRewritePattern(context), isa(isa) {}
  Bf16Dot isa;

  LogicalResult matchAndRewrite(MmlaBf16Op op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    if (isa != Bf16Dot::ArmBf16) {
      rewriter.replaceOp(op, portableMmla(rewriter, loc, op.getAcc(),
                                          op.getLhs(), op.getRhs()));
      return success();
    }
    Value result = perInstruction(
        rewriter, loc, op.getAcc(), op.getLhs(), op.getRhs(), 4,
        [&](Value acc, Value lhs, Value rhs) {
          return LLVM::CallIntrinsicOp::create(
                     rewriter, loc, acc.getType(),
                     rewriter.getStringAttr("llvm.aarch64.neon.bfmmla"),
                     ValueRange{acc, lhs, rhs})
              .getResult(0);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

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
    Value result = perInstruction(
        rewriter, loc, op.getAcc(), op.getLhs(), op.getRhs(), chunk,
        [&](Value acc, Value lhs, Value rhs) -> Value {
          if (isa == Bf16Dot::ArmBf16)
            return LLVM::CallIntrinsicOp::create(
                       rewriter, loc, acc.getType(),
                       rewriter.getStringAttr(
                           "llvm.aarch64.neon.bfdot.v4f32.v8bf16"),
                       ValueRange{acc, lhs, rhs})
                .getResult(0);
          return x86vector::DotBF16Op::create(rewriter, loc, acc.getType(),
                                              acc, lhs, rhs);
        });
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
    patterns.add<LowerDotBf16, LowerMmlaBf16>(&getContext(), *dot);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

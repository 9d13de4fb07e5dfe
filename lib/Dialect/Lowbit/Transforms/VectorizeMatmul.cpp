//===- VectorizeMatmul.cpp - lowbit.matmul as vector loops ----------------===//
//
// Lowers lowbit.matmul on packed weights to loops over output elements whose
// inner loop walks the packed row one segment (a packing block, or a fixed
// chunk for unblocked layouts) at a time: load the segment's storage units
// as a vector, unpack the codes in registers (masks and shifts, or the
// multiply-only radix decode), dequantize them with the segment's scale
// (and zero point or minimum), and accumulate x * w in a vector register
// with multiply-add (or integer dot products on dynamically quantized
// activations). One horizontal reduction (a tree) per output element.
//
// The kernels are built in MatmulKernels/: the plan for the op and target
// (KernelPlan), the loops (KernelBuilder, SegmentLoop), the activations'
// preparation, one segment emitter per dot-product form (WeightOnlySegments,
// Int8DotSegments, SmmlaTiles) and one decoder per weight layout (Layouts).
// Panel layouts take the outer-product kernels (BroadcastInt8Gemm) instead,
// bit planes the lookup-table kernels (LutMatmul).
// This file holds the pattern and the pass.
//
// The vector code is target-independent apart from the int8 dot products
// (lowbit.dot_i8, lowered per target later) and smmla: LLVM selects AVX2 /
// AVX-512 / NEON instructions for the CPU lowbitc is given.
//
//===----------------------------------------------------------------------===//

#include "MatmulKernels/BroadcastInt8Gemm.h"
#include "MatmulKernels/KernelBuilder.h"
#include "MatmulKernels/LutMatmul.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ArmNeon/ArmNeonDialect.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITVECTORIZEMATMUL
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

struct VectorizeMatmulPattern : public OpRewritePattern<MatmulOp> {
  VectorizeMatmulPattern(MLIRContext *context, Int8Dot dot, bool i8mm,
                         bool parallel, int64_t vectorBits, Bf16Dot bf16Dot,
                         bool vbmi)
      : OpRewritePattern(context), dot(dot), i8mm(i8mm), parallel(parallel),
        vectorBits(vectorBits), bf16Dot(bf16Dot), vbmi(vbmi) {}
  Int8Dot dot;
  bool i8mm;
  bool parallel;
  int64_t vectorBits;
  Bf16Dot bf16Dot;
  bool vbmi;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "only f32 activations");
    std::string why;
    // Bit planes: the lookup-table kernels (LutMatmul).
    if (op.getLayout().getKind() == LayoutKind::Int2Planes) {
      FailureOr<Value> result =
          buildLutMatmul(rewriter, op, {parallel, vectorBits}, why);
      if (failed(result))
        return rewriter.notifyMatchFailure(op, why);
      rewriter.replaceOp(op, *result);
      return success();
    }
    // Panel layouts: the outer-product kernels (BroadcastInt8Gemm).
    if (op.getLayout().isPanel()) {
      FailureOr<Value> result = buildBroadcastInt8Gemm(
          rewriter, op, {dot, parallel, vectorBits}, why);
      if (failed(result))
        return rewriter.notifyMatchFailure(op, why);
      rewriter.replaceOp(op, *result);
      return success();
    }
    FailureOr<KernelPlan> plan =
        planKernel(op, dot, i8mm, vectorBits, why, bf16Dot, vbmi);
    if (failed(plan))
      return rewriter.notifyMatchFailure(op, why);
    rewriter.replaceOp(op, buildMatmulKernel(rewriter, op, *plan, parallel));
    return success();
  }
};

struct LowbitVectorizeMatmulPass
    : public lowbit::impl::LowbitVectorizeMatmulBase<LowbitVectorizeMatmulPass> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    registry.insert<bufferization::BufferizationDialect, memref::MemRefDialect,
                    x86vector::X86VectorDialect>();
  }

  void runOnOperation() override {
    FailureOr<Int8Dot> dot = parseInt8Dot(getOperation(), "int8-dot", int8Dot);
    if (failed(dot))
      return signalPassFailure();
    std::optional<Bf16Dot> bf16 = parseBf16Dot(bf16Dot);
    if (!bf16) {
      getOperation()->emitError()
          << "unknown bf16-dot '" << bf16Dot
          << "' (expected none, avx512-bf16 or arm-bf16)";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<VectorizeMatmulPattern>(&getContext(), *dot, i8mm, parallel,
                                         vectorBits, *bf16, vbmi);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

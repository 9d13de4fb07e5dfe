//===- FuseMatmul.cpp - dequantized weights + matmul -> lowbit.matmul -----===//

#include "LayerPatterns.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITFUSEMATMUL
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// linalg.matmul(x, transpose(dequantize(unpack(packed_weight)))) on a zero
/// accumulator -> lowbit.matmul, absorbing a following bias addition.
struct FuseDequantizedMatmul : public OpRewritePattern<linalg::MatmulOp> {
  FuseDequantizedMatmul(MLIRContext *context, bool dynamicInt8Activations,
                        bool bf16Activations)
      : OpRewritePattern(context),
        dynamicInt8Activations(dynamicInt8Activations),
        bf16Activations(bf16Activations) {}
  bool dynamicInt8Activations;
  bool bf16Activations;

  LogicalResult matchAndRewrite(linalg::MatmulOp matmul,
                                PatternRewriter &rewriter) const override {
    if (matmul.getNumDpsInputs() != 2 || matmul->getNumResults() != 1 ||
        !isZeroFilled(matmul.getDpsInits()[0]))
      return rewriter.notifyMatchFailure(matmul, "not a matmul on zero");
    Value x = matmul.getDpsInputs()[0];
    // The [N, K] weight: transposed by the indexing maps, or by a
    // linalg.transpose of a plain matmul.
    Value weightNK;
    if (matmul.hasUserDefinedMaps()) {
      MLIRContext *context = matmul.getContext();
      AffineExpr m, n, k;
      bindDims(context, m, n, k);
      auto map = [&](ArrayRef<AffineExpr> results) {
        return AffineMap::get(3, 0, results, context);
      };
      if (matmul.getIndexingMapsArray() ==
          SmallVector<AffineMap>{map({m, k}), map({n, k}), map({m, n})})
        weightNK = matmul.getDpsInputs()[1];
    } else if (auto transpose = matmul.getDpsInputs()[1]
                                    .getDefiningOp<linalg::TransposeOp>()) {
      if (transpose.getPermutation() == ArrayRef<int64_t>{1, 0})
        weightNK = transpose.getInput();
    }
    if (!weightNK)
      return rewriter.notifyMatchFailure(matmul, "weight is not transposed");
    auto dequantize = weightNK.getDefiningOp<DequantizeOp>();
    if (!dequantize)
      return rewriter.notifyMatchFailure(matmul, "weight is not dequantized");
    auto unpack = dequantize.getInput().getDefiningOp<UnpackOp>();
    auto weight = unpack ? unpack.getInput().getDefiningOp<PackedWeightOp>()
                         : PackedWeightOp();
    if (!weight || unpack.getLayout() != weight.getLayout() ||
        dequantize.getScheme() != weight.getScheme() ||
        dequantize.getScales() != weight.getScaleValues())
      return rewriter.notifyMatchFailure(matmul, "weight is not packed");
    auto resultType = cast<RankedTensorType>(matmul->getResult(0).getType());
    if (resultType.getElementType() !=
            cast<ShapedType>(x.getType()).getElementType() ||
        dequantize.getType().getElementType() != resultType.getElementType())
      return rewriter.notifyMatchFailure(matmul, "mixed element types");

    // Absorb out[m, n] + bias[n] when it is the only use.
    Operation *replaced = matmul;
    Value bias;
    if (matmul->getResult(0).hasOneUse()) {
      if (auto generic =
              dyn_cast<linalg::GenericOp>(*matmul->getUsers().begin())) {
        if (Value found = matchBiasAdd(generic, matmul->getResult(0))) {
          if (cast<ShapedType>(found.getType()).getElementType() ==
              resultType.getElementType()) {
            bias = found;
            replaced = generic;
          }
        }
      }
    }
    rewriter.setInsertionPoint(replaced);
    auto fused = MatmulOp::create(
        rewriter, matmul.getLoc(), resultType, x, weight.getPacked(),
        weight.getScaleValues(), dequantize.getZeroPoints(),
        dequantize.getMins(), bias, weight.getScheme(), weight.getLayout());
    SchemeAttr scheme = weight.getScheme();
    LayoutKind layout = weight.getLayout().getKind();
    bool signedSymmetric = scheme.getForm() == ParamForm::Symmetric &&
                           scheme.getIsSigned() && !scheme.getCodebook();
    // The slotted sub-4-bit layouts take any scheme (codes enter unsigned;
    // offsets and mins meet per-group activation sums).
    bool slotted = numerics::takesUnsignedDotCodes(
        weight.getLayout().getPackFormat().kind);
    if (dynamicInt8Activations &&
        (slotted ||
         (signedSymmetric && (layout == LayoutKind::Int8 ||
                              layout == LayoutKind::Int4Interleaved ||
                              layout == LayoutKind::Int8Panel ||
                              layout == LayoutKind::Int4Panel))))
      fused.setDynamicInt8Activations(true);
    if (bf16Activations && !fused.getDynamicInt8Activations() &&
        !weight.getLayout().isPanel() &&
        fused.getInput().getType().getElementType().isF32())
      fused.setActivationType(rewriter.getBF16Type());
    rewriter.replaceOp(replaced, fused.getResult());
    return success();
  }
};

struct LowbitFuseMatmulPass
    : public lowbit::impl::LowbitFuseMatmulBase<LowbitFuseMatmulPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseDequantizedMatmul>(&getContext(), dynamicInt8Activations,
                                        bf16Activations);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

//===- FuseMatmulEpilogue.cpp - elementwise consumers into lowbit.matmul --===//
//
// An activation or a residual addition after a matmul is a second pass over
// its output in memory; as the matmul's epilogue it is a few vector ops on
// each output tile in registers. The fold is by pattern, one consumer at a
// time, so that chains (matmul -> GELU -> residual) fold completely.
//
//===----------------------------------------------------------------------===//

#include "LayerPatterns.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITFUSEMATMULEPILOGUE
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// How a consumer generic's body is folded: which of its block arguments is
/// the matmul's value, which become new epilogue inputs, and the constants
/// it captures.
struct EpilogueFold {
  /// Per input of the generic: the matmul result (-1) or the index of the
  /// new epilogue input it becomes.
  SmallVector<int64_t> roles;
  SmallVector<Value> newInputs;
  SmallVector<Operation *> capturedConstants;
};

/// Whether `op` may sit in an epilogue (MatmulOp::verifyRegions).
bool isEpilogueOp(Operation &op) {
  auto scalar = [](Type type) { return type.isIntOrFloat(); };
  return isa<arith::ArithDialect, math::MathDialect>(op.getDialect()) &&
         op.getNumRegions() == 0 && isMemoryEffectFree(&op) &&
         llvm::all_of(op.getOperandTypes(), scalar) &&
         llvm::all_of(op.getResultTypes(), scalar);
}

/// How `generic` folds into the epilogue of the matmul producing `result`,
/// or the reason it does not.
FailureOr<EpilogueFold> analyzeConsumer(linalg::GenericOp generic, Value result,
                                        std::string &why) {
  auto type = cast<RankedTensorType>(result.getType());
  if (generic.getNumDpsInits() != 1 || generic->getNumResults() != 1 ||
      !generic.hasPureTensorSemantics() ||
      generic->getResult(0).getType() != type) {
    why = "does not produce one tensor of the matmul's type";
    return failure();
  }
  if (generic.getNumLoops() != 2 ||
      generic.getNumParallelLoops() != generic.getNumLoops()) {
    why = "is not elementwise over [M, N]";
    return failure();
  }
  auto [identity, row] = getMatrixAndRowMaps(generic.getContext());
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  if (maps.back() != identity) {
    why = "does not write its output with the identity map";
    return failure();
  }
  Block &body = generic.getRegion().front();
  if (!body.getArgument(generic.getNumDpsInputs()).use_empty()) {
    why = "reads its output";
    return failure();
  }
  int64_t columns = type.getDimSize(1);
  EpilogueFold fold;
  for (auto [i, operand] : llvm::enumerate(generic.getDpsInputs())) {
    if (operand == result) {
      if (maps[i] != identity) {
        why = "reads the matmul result with a map other than the identity";
        return failure();
      }
      fold.roles.push_back(-1);
      continue;
    }
    auto operandType = dyn_cast<RankedTensorType>(operand.getType());
    bool matrix = operandType && maps[i] == identity &&
                  operandType.getShape() == type.getShape();
    bool perColumn = operandType && maps[i] == row &&
                     operandType.getShape() == ArrayRef<int64_t>{columns};
    if (!matrix && !perColumn) {
      why = "has an input that is neither [M, N] nor [N] broadcast along rows";
      return failure();
    }
    if (!isa<FloatType>(operandType.getElementType())) {
      why = "has an input that is not a float tensor";
      return failure();
    }
    fold.roles.push_back(fold.newInputs.size());
    fold.newInputs.push_back(operand);
  }
  // Values the body uses: its own, or constants (cloned into the epilogue).
  auto admit = [&](Value value) {
    if (auto arg = dyn_cast<BlockArgument>(value))
      return arg.getOwner() == &body;
    Operation *producer = value.getDefiningOp();
    if (producer->getBlock() == &body)
      return true;
    if (!matchPattern(value, m_Constant()))
      return false;
    if (!llvm::is_contained(fold.capturedConstants, producer))
      fold.capturedConstants.push_back(producer);
    return true;
  };
  for (Operation &op : body.without_terminator()) {
    if (!isEpilogueOp(op)) {
      why = "holds an op other than side-effect free scalar arith or math";
      return failure();
    }
    if (!llvm::all_of(op.getOperands(), admit)) {
      why = "uses a value from outside its body that is not a constant";
      return failure();
    }
  }
  if (!admit(body.getTerminator()->getOperand(0))) {
    why = "yields a value from outside its body that is not a constant";
    return failure();
  }
  return fold;
}

/// matmul -> elementwise linalg.generic becomes one lowbit.matmul whose
/// epilogue is the generic's body after the matmul's own epilogue.
struct FoldConsumerIntoEpilogue : public OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    Value result = op.getResult();
    if (!result.hasOneUse())
      return rewriter.notifyMatchFailure(op, "the result has several users");
    auto generic = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
    if (!generic)
      return rewriter.notifyMatchFailure(op, "the user is not linalg.generic");
    Location loc = generic.getLoc();
    // The consumer's operands may be defined after the matmul.
    rewriter.setInsertionPoint(generic);

    // A plain bias addition is the op's bias.
    if (!op.getBias() && !op.hasEpilogue()) {
      Value bias = matchBiasAdd(generic, result);
      if (bias && cast<ShapedType>(bias.getType()).getElementType() ==
                      op.getType().getElementType()) {
        auto fused = MatmulOp::create(
            rewriter, op.getLoc(), op.getType(), op.getInput(), op.getPacked(),
            op.getScales(), op.getZeroPoints(), op.getMins(), bias,
            ValueRange(), op.getScheme(), op.getLayout(),
            op.getDynamicInt8ActivationsAttr(), op.getActivationTypeAttr());
        rewriter.replaceOp(generic, fused.getResult());
        rewriter.eraseOp(op);
        return success();
      }
    }

    std::string why;
    FailureOr<EpilogueFold> fold = analyzeConsumer(generic, result, why);
    if (failed(fold))
      return rewriter.notifyMatchFailure(op, "the user " + why);

    SmallVector<Value> inputs(op.getEpilogueInputs());
    llvm::append_range(inputs, fold->newInputs);
    auto fused = MatmulOp::create(
        rewriter, op.getLoc(), op.getType(), op.getInput(), op.getPacked(),
        op.getScales(), op.getZeroPoints(), op.getMins(), op.getBias(), inputs,
        op.getScheme(), op.getLayout(), op.getDynamicInt8ActivationsAttr(),
        op.getActivationTypeAttr());
    SmallVector<Type> argTypes{op.getType().getElementType()};
    for (Value input : inputs)
      argTypes.push_back(cast<ShapedType>(input.getType()).getElementType());
    SmallVector<Location> argLocs(argTypes.size(), loc);
    Block *block =
        rewriter.createBlock(&fused.getEpilogue(), {}, argTypes, argLocs);

    // The matmul's own epilogue first: its yielded value is what the
    // consumer reads.
    IRMapping mapping;
    Value value = block->getArgument(0);
    if (op.hasEpilogue()) {
      Block &old = op.getEpilogue().front();
      for (auto [oldArg, newArg] :
           llvm::zip(old.getArguments(), block->getArguments()))
        mapping.map(oldArg, newArg);
      for (Operation &inner : old.without_terminator())
        rewriter.clone(inner, mapping);
      value = mapping.lookupOrDefault(
          cast<YieldOp>(old.getTerminator()).getValue());
    }
    Block &body = generic.getRegion().front();
    int64_t firstNew = 1 + op.getEpilogueInputs().size();
    for (auto [arg, role] : llvm::zip(body.getArguments(), fold->roles))
      mapping.map(arg, role < 0 ? value : block->getArgument(firstNew + role));
    for (Operation *constant : fold->capturedConstants)
      rewriter.clone(*constant, mapping);
    for (Operation &inner : body.without_terminator())
      rewriter.clone(inner, mapping);
    YieldOp::create(
        rewriter, loc,
        mapping.lookupOrDefault(
            cast<linalg::YieldOp>(body.getTerminator()).getOperand(0)));
    rewriter.replaceOp(generic, fused.getResult());
    rewriter.eraseOp(op);
    return success();
  }
};

struct LowbitFuseMatmulEpiloguePass
    : public lowbit::impl::LowbitFuseMatmulEpilogueBase<
          LowbitFuseMatmulEpiloguePass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldConsumerIntoEpilogue>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

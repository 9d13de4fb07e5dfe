//===- InsertObservers.cpp - mark activations for calibration -------------===//

#include "LayerPatterns.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITINSERTOBSERVERS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

/// Float tensors of rank >= 1 (scalars are not worth a quantizer).
static bool isFloatTensor(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.getRank() > 0 && isa<FloatType>(type.getElementType());
}

/// Convolutions, pooling and contractions: the ops whose inputs and outputs
/// a static quantization needs ranges for.
static bool isLayer(linalg::LinalgOp op) {
  return linalg::isaContractionOpInterface(op) ||
         linalg::isaConvolutionOpInterface(op);
}

/// The end of the chain of single-use elementwise ops (bias, activation)
/// that starts at `value`.
static Value getLayerOutput(Value value) {
  while (value.hasOneUse()) {
    auto generic = dyn_cast<linalg::GenericOp>(*value.getUsers().begin());
    if (!generic || !isElementwise(generic) ||
        !llvm::is_contained(generic.getDpsInputs(), value) ||
        !isFloatTensor(generic->getResult(0)))
      break;
    value = generic->getResult(0);
  }
  return value;
}

namespace {
struct LowbitInsertObserversPass
    : public lowbit::impl::LowbitInsertObserversBase<LowbitInsertObserversPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool calibrated = false;
    module.walk([&](Operation *op) {
      if (isa<ObserveOp, StatsOp>(op))
        calibrated = true;
    });
    if (calibrated) {
      module.emitRemark()
          << "the module already holds observers or statistics; no observers "
             "inserted";
      return;
    }

    llvm::SetVector<Value> observed;
    // Public functions are the entry points calibration runs; private ones
    // are inlined into them by the lowering and are not instrumented.
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal() || !func.isPublic())
        continue;
      for (BlockArgument arg : func.getArguments())
        if (isFloatTensor(arg))
          observed.insert(arg);
      func.walk([&](Operation *op) {
        if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
            linalgOp && isLayer(linalgOp) && linalgOp->getNumResults() == 1) {
          for (Value input : linalgOp.getDpsInputs())
            if (isFloatTensor(input) && !isComputedFromConstants(input))
              observed.insert(input);
          Value output = getLayerOutput(linalgOp->getResult(0));
          if (isFloatTensor(output))
            observed.insert(output);
        } else if (auto ret = dyn_cast<func::ReturnOp>(op)) {
          for (Value operand : ret.getOperands())
            if (isFloatTensor(operand) && !isComputedFromConstants(operand))
              observed.insert(operand);
        }
      });
    }

    OpBuilder builder(module.getContext());
    for (auto [id, value] : llvm::enumerate(observed)) {
      if (auto arg = dyn_cast<BlockArgument>(value))
        builder.setInsertionPointToStart(arg.getOwner());
      else
        builder.setInsertionPointAfter(value.getDefiningOp());
      auto type = cast<RankedTensorType>(value.getType());
      IntegerAttr axis;
      if (perChannel && type.getRank() >= 2)
        axis = builder.getI64IntegerAttr(1);
      auto observe = ObserveOp::create(builder, value.getLoc(), value,
                                       builder.getI64IntegerAttr(id), axis);
      Value(value).replaceAllUsesExcept(observe, observe);
    }
  }
};
} // namespace

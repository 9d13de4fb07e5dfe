//===- ExportCInterface.cpp - plain C entry points ------------------------===//
//
// Wraps each public tensor function in a function over statically shaped
// buffers that returns an i32 status, which the bare-pointer calling
// convention turns into `int lowbit_NAME(const float *in0, ..., float *out0)`.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITEXPORTCINTERFACE
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

/// Whether every argument and result of `type` is a static tensor.
static LogicalResult checkExportable(func::FuncOp func) {
  FunctionType type = func.getFunctionType();
  for (auto [what, types] :
       {std::pair<StringRef, TypeRange>("argument", type.getInputs()),
        std::pair<StringRef, TypeRange>("result", type.getResults())}) {
    for (auto [i, t] : llvm::enumerate(types)) {
      auto tensor = dyn_cast<RankedTensorType>(t);
      if (!tensor || !tensor.hasStaticShape() ||
          !tensor.getElementType().isIntOrFloat())
        return func.emitError()
               << "cannot export @" << func.getSymName() << " to C: " << what
               << " " << i << " has type " << t
               << " (only statically shaped tensors of integers or floats)";
      if (tensor.getNumElements() == 0)
        return func.emitError()
               << "cannot export @" << func.getSymName() << " to C: " << what
               << " " << i << " has type " << t
               << ", which has no elements (lowbit does not compile tensors "
                  "with a zero-sized dimension)";
    }
  }
  return success();
}

namespace {
struct LowbitExportCInterfacePass
    : public lowbit::impl::LowbitExportCInterfaceBase<
          LowbitExportCInterfacePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> functions;
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal())
        functions.push_back(func);
    for (func::FuncOp func : functions) {
      if (failed(checkExportable(func)))
        return signalPassFailure();
      std::string name = prefix + func.getSymName().str();
      if (symbols.lookup(name)) {
        func.emitError() << "cannot export @" << func.getSymName()
                         << ": a symbol named @" << name << " exists";
        return signalPassFailure();
      }
      exportFunction(func, name, symbols);
    }
  }

  void exportFunction(func::FuncOp func, StringRef name, SymbolTable &symbols) {
    OpBuilder builder(func);
    builder.setInsertionPointAfter(func);
    Location loc = func.getLoc();
    FunctionType type = func.getFunctionType();
    auto toBuffer = [](Type tensor) -> Type {
      auto ranked = cast<RankedTensorType>(tensor);
      return MemRefType::get(ranked.getShape(), ranked.getElementType());
    };
    SmallVector<Type> bufferTypes;
    llvm::transform(type.getInputs(), std::back_inserter(bufferTypes),
                    toBuffer);
    llvm::transform(type.getResults(), std::back_inserter(bufferTypes),
                    toBuffer);
    auto wrapper = func::FuncOp::create(
        builder, loc, name,
        builder.getFunctionType(bufferTypes, builder.getI32Type()));
    // lowbit-plan-workspace gives the entry point its workspace forms.
    wrapper->setAttr("lowbit.entry_point", builder.getUnitAttr());
    Block *body = wrapper.addEntryBlock();
    builder.setInsertionPointToStart(body);
    SmallVector<Value> inputs;
    for (auto [i, t] : llvm::enumerate(type.getInputs()))
      inputs.push_back(bufferization::ToTensorOp::create(
          builder, loc, t, body->getArgument(i), builder.getUnitAttr()));
    auto call = func::CallOp::create(builder, loc, func, inputs);
    for (auto [i, result] : llvm::enumerate(call.getResults())) {
      auto materialize = bufferization::MaterializeInDestinationOp::create(
          builder, loc, result, body->getArgument(type.getNumInputs() + i));
      materialize.setRestrict(true);
      materialize.setWritable(true);
    }
    Value ok = arith::ConstantOp::create(builder, loc, builder.getI32IntegerAttr(0));
    func::ReturnOp::create(builder, loc, ok);
    func.setPrivate();
    symbols.insert(wrapper);
  }
};
} // namespace

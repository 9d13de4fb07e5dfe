//===- OrderConstantGlobals.cpp - deterministic constant globals ----------===//
//
// One-shot module bufferization names the globals of tensor constants in the
// order it visits functions, which is unspecified for functions that call
// nothing. This pass renames and places them by first use, so that the
// object file depends on the model alone.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITORDERCONSTANTGLOBALS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// The prefix of the globals bufferization makes for tensor constants.
constexpr llvm::StringLiteral kConstantPrefix = "__constant_";

bool isBufferizedConstant(memref::GlobalOp global) {
  return global.isPrivate() && global.getConstant() &&
         global.getSymName().starts_with(kConstantPrefix);
}

/// `name` without the `_N` a symbol table appends to make it unique.
StringRef getBaseName(StringRef name) {
  size_t underscore = name.rfind('_');
  if (underscore < kConstantPrefix.size() || underscore + 1 == name.size() ||
      !llvm::all_of(name.drop_front(underscore + 1), llvm::isDigit))
    return name;
  return name.take_front(underscore);
}

struct LowbitOrderConstantGlobalsPass
    : public lowbit::impl::LowbitOrderConstantGlobalsBase<
          LowbitOrderConstantGlobalsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);

    SmallVector<memref::GlobalOp> order;
    llvm::SmallPtrSet<Operation *, 32> seen;
    module.walk([&](memref::GetGlobalOp get) {
      auto global = symbols.lookup<memref::GlobalOp>(get.getName());
      if (global && isBufferizedConstant(global) && seen.insert(global).second)
        order.push_back(global);
    });
    SmallVector<memref::GlobalOp> unused;
    for (memref::GlobalOp global : module.getOps<memref::GlobalOp>())
      if (isBufferizedConstant(global) && !seen.contains(global))
        unused.push_back(global);
    llvm::sort(unused, [](memref::GlobalOp a, memref::GlobalOp b) {
      return a.getSymName() < b.getSymName();
    });
    llvm::append_range(order, unused);
    if (order.empty())
      return;

    SmallVector<std::string> baseNames;
    for (memref::GlobalOp global : order)
      baseNames.push_back(getBaseName(global.getSymName()).str());

    // Through temporary names first: a final name may still be taken.
    MLIRContext *context = module.getContext();
    for (auto [index, global] : llvm::enumerate(order)) {
      auto temporary = StringAttr::get(context, "__lowbit_ordering_constant_" +
                                                    Twine(index));
      if (symbols.lookup(temporary) ||
          failed(symbols.rename(global, temporary))) {
        global.emitError("cannot rename to ") << temporary;
        return signalPassFailure();
      }
    }
    // The first of a base name keeps it, the next ones get _1, _2, ...
    llvm::StringMap<unsigned> nextSuffix;
    for (auto [global, base] : llvm::zip_equal(order, baseNames)) {
      unsigned &next = nextSuffix[base];
      std::string name;
      do {
        name = next == 0 ? base : base + "_" + std::to_string(next);
        ++next;
      } while (symbols.lookup(name));
      if (failed(symbols.rename(global, StringAttr::get(context, name)))) {
        global.emitError("cannot rename to ") << name;
        return signalPassFailure();
      }
    }

    // In that order, before the first other operation of the module.
    Block *body = module.getBody();
    Operation *anchor = nullptr;
    for (Operation &op : *body) {
      auto global = dyn_cast<memref::GlobalOp>(op);
      if (!global || !isBufferizedConstant(global)) {
        anchor = &op;
        break;
      }
    }
    for (memref::GlobalOp global : order) {
      if (anchor)
        global->moveBefore(anchor);
      else
        global->moveBefore(body, body->end());
    }
  }
};

} // namespace

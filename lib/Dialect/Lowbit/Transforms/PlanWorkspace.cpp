//===- PlanWorkspace.cpp - intermediate buffers in one planned workspace --===//
//
// After bufferization a model allocates every intermediate tensor on the
// heap and frees it again on every call. Upstream MLIR has no static memory
// planner for this (buffer deallocation only decides where to free), so this
// pass computes each buffer's lifetime in the entry point's body and packs
// the buffers into one workspace whose size is known at compile time; the
// caller may own the workspace, and a call then allocates nothing.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SetVector.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITPLANWORKSPACE
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

constexpr int64_t kAlignment = 64;

int64_t alignTo(int64_t bytes) {
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

/// A buffer to place: its allocation, byte size and lifetime as positions of
/// top-level operations of the function body (inclusive).
struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  int64_t first = 0, last = 0;
  int64_t offset = -1;
  SmallVector<memref::DeallocOp> deallocs;
};

/// The byte size of a static, identity-layout memref of a scalar type.
std::optional<int64_t> getStaticBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      !type.getElementType().isIntOrFloat())
    return std::nullopt;
  int64_t bits = type.getElementTypeBitWidth();
  if (bits % 8 != 0)
    return std::nullopt;
  return type.getNumElements() * (bits / 8);
}

/// Fills in `buffer`'s lifetime: every value that may alias the allocation
/// (views of it, results and block arguments of ops that take it) is
/// followed, and each use counts at its ancestor in `body`. Fails when the
/// buffer escapes (returned, or stored somewhere).
LogicalResult computeLifetime(Buffer &buffer, Block &body,
                              const DenseMap<Operation *, int64_t> &position) {
  llvm::SetVector<Value> aliases;
  aliases.insert(buffer.alloc.getResult());
  buffer.first = buffer.last = position.lookup(buffer.alloc);
  for (size_t i = 0; i < aliases.size(); ++i) {
    Value value = aliases[i];
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (isa<func::ReturnOp>(user) && user->getBlock() == &body)
        return failure();
      if (auto store = dyn_cast<memref::StoreOp>(user);
          store && store.getValueToStore() == value)
        return failure();
      if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
        buffer.deallocs.push_back(dealloc);
        continue;
      }
      Operation *ancestor = body.findAncestorOpInBlock(*user);
      if (!ancestor)
        return failure();
      buffer.last = std::max(buffer.last, position.lookup(ancestor));
      // Conservatively, anything an op makes from the buffer may alias it:
      // views, loop results, and the block arguments its regions receive.
      for (Value result : user->getResults())
        if (isa<BaseMemRefType>(result.getType()))
          aliases.insert(result);
      for (Region &region : user->getRegions())
        for (Block &block : region)
          for (BlockArgument argument : block.getArguments())
            if (isa<BaseMemRefType>(argument.getType()))
              aliases.insert(argument);
      // A value yielded by a loop body becomes the loop's result (already
      // an alias above when the loop took the buffer as an operand).
      if (user->hasTrait<OpTrait::IsTerminator>())
        for (Value result : user->getParentOp()->getResults())
          if (isa<BaseMemRefType>(result.getType()))
            aliases.insert(result);
    }
  }
  return success();
}

/// Assigns offsets: largest buffers first, each at the lowest 64-byte
/// aligned offset that no placed buffer with an overlapping lifetime
/// occupies. Returns the workspace size.
int64_t placeBuffers(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &buffer : buffers)
    order.push_back(&buffer);
  llvm::stable_sort(order, [](const Buffer *a, const Buffer *b) {
    return a->bytes > b->bytes;
  });
  int64_t total = 0;
  SmallVector<Buffer *> placed;
  for (Buffer *buffer : order) {
    SmallVector<std::pair<int64_t, int64_t>> taken; // [begin, end)
    for (Buffer *other : placed)
      if (other->first <= buffer->last && buffer->first <= other->last)
        taken.push_back({other->offset, other->offset + alignTo(other->bytes)});
    llvm::sort(taken);
    int64_t offset = 0;
    for (auto [begin, end] : taken) {
      if (offset + buffer->bytes <= begin)
        break;
      offset = std::max(offset, end);
    }
    buffer->offset = offset;
    total = std::max(total, offset + alignTo(buffer->bytes));
    placed.push_back(buffer);
  }
  return total;
}

struct LowbitPlanWorkspacePass
    : public lowbit::impl::LowbitPlanWorkspaceBase<LowbitPlanWorkspacePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> entries;
    for (auto func : module.getOps<func::FuncOp>())
      if (func->hasAttr("lowbit.entry_point") && !func.isExternal())
        entries.push_back(func);
    SymbolTable symbols(module);
    SmallVector<NamedAttribute> sizes;
    for (func::FuncOp func : entries) {
      StringAttr name = func.getSymNameAttr();
      FailureOr<int64_t> size = planFunction(func, symbols);
      if (failed(size))
        return signalPassFailure();
      sizes.push_back(NamedAttribute(
          name, IntegerAttr::get(IntegerType::get(&getContext(), 64), *size)));
    }
    if (!sizes.empty())
      module->setAttr("lowbit.workspace_sizes",
                      DictionaryAttr::get(&getContext(), sizes));
  }

  FailureOr<int64_t> planFunction(func::FuncOp func, SymbolTable &symbols) {
    MLIRContext *context = &getContext();
    std::string name = func.getSymName().str();
    for (StringRef suffix : {"_with_workspace", "_workspace_size"})
      if (symbols.lookup(name + suffix.str())) {
        func.emitError() << "cannot plan a workspace for @" << name
                         << ": a symbol named @" << name << suffix << " exists";
        return failure();
      }

    Block &body = func.getBody().front();
    DenseMap<Operation *, int64_t> position;
    for (auto [i, op] : llvm::enumerate(body))
      position[&op] = i;
    SmallVector<Buffer> buffers;
    int64_t unplanned = 0;
    func.walk([&](memref::AllocOp alloc) {
      std::optional<int64_t> bytes = getStaticBytes(alloc.getType());
      Buffer buffer;
      buffer.alloc = alloc;
      if (alloc->getBlock() != &body || !bytes ||
          failed(computeLifetime(buffer, body, position))) {
        ++unplanned;
        return;
      }
      buffer.bytes = std::max<int64_t>(*bytes, 1);
      buffers.push_back(std::move(buffer));
    });
    if (unplanned)
      func.emitRemark() << unplanned
                        << " buffer(s) stay heap allocations: dynamic shapes, "
                           "allocations in loops, or buffers that escape";
    // At least one line, so that the workspace argument is never empty.
    int64_t size = std::max(placeBuffers(buffers), kAlignment);

    // The planned body becomes NAME_with_workspace(..., workspace).
    Location loc = func.getLoc();
    auto workspaceType = MemRefType::get({size}, IntegerType::get(context, 8));
    FunctionType type = func.getFunctionType();
    SmallVector<Type> inputs(type.getInputs());
    inputs.push_back(workspaceType);
    if (failed(symbols.rename(func, name + "_with_workspace")))
      return failure();
    func.setType(FunctionType::get(context, inputs, type.getResults()));
    func->removeAttr("lowbit.entry_point");
    BlockArgument workspace = body.addArgument(workspaceType, loc);
    for (Buffer &buffer : buffers) {
      OpBuilder builder(buffer.alloc);
      Value offset =
          arith::ConstantIndexOp::create(builder, loc, buffer.offset);
      Value view = memref::ViewOp::create(builder, buffer.alloc.getLoc(),
                                          buffer.alloc.getType(), workspace,
                                          offset, ValueRange());
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
      for (memref::DeallocOp dealloc : buffer.deallocs)
        dealloc.erase();
    }

    // NAME(...): the workspace on the heap for one call.
    OpBuilder builder(func);
    builder.setInsertionPointAfter(func);
    auto simple = func::FuncOp::create(builder, loc, name, type);
    Block *entry = simple.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    auto heap = memref::AllocOp::create(builder, loc, workspaceType,
                                        builder.getI64IntegerAttr(kAlignment));
    SmallVector<Value> operands(entry->getArguments());
    operands.push_back(heap);
    // buffer-deallocation-pipeline, which runs next, frees it after the
    // call (it rejects deallocations that are already there).
    auto call = func::CallOp::create(builder, loc, func, operands);
    func::ReturnOp::create(builder, loc, call.getResults());
    symbols.insert(simple);

    // NAME_workspace_size() -> i64.
    builder.setInsertionPointAfter(simple);
    auto query =
        func::FuncOp::create(builder, loc, name + "_workspace_size",
                             builder.getFunctionType({}, builder.getI64Type()));
    builder.setInsertionPointToStart(query.addEntryBlock());
    Value bytes = arith::ConstantOp::create(builder, loc,
                                            builder.getI64IntegerAttr(size));
    func::ReturnOp::create(builder, loc, bytes);
    symbols.insert(query);
    return size;
  }
};

} // namespace

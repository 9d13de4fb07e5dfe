//===- LowbitDialect.cpp - lowbit dialect ---------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace lowbit;

#include "lowbit/Dialect/Lowbit/IR/LowbitDialect.cpp.inc"

namespace {
/// Every lowbit op is pure arithmetic on its operands (no regions, no
/// symbols), so inlining a function that holds one is always legal. Without
/// this interface the inliner keeps the model out of its C entry point, and
/// the entry point allocates and copies the model's results.
struct LowbitInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void lowbit::registerX86VectorInlining(DialectRegistry &registry) {
  // The bf16 kernels' x86vector.avx512.dot (an intrinsic wrapper, pure) must
  // not keep the model out of its entry point either.
  registry.addExtension(+[](MLIRContext *, x86vector::X86VectorDialect *d) {
    d->addInterfaces<LowbitInlinerInterface>();
  });
}

void LowbitDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.cpp.inc"
      >();
  addInterfaces<LowbitInlinerInterface>();
}

Operation *LowbitDialect::materializeConstant(OpBuilder &builder,
                                              Attribute value, Type type,
                                              Location loc) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != type)
    return nullptr;
  return arith::ConstantOp::create(builder, loc, type, typed);
}

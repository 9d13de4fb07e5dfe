//===- LowbitDialect.cpp - lowbit dialect ---------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

using namespace mlir;
using namespace lowbit;

#include "lowbit/Dialect/Lowbit/IR/LowbitDialect.cpp.inc"

void LowbitDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.cpp.inc"
      >();
}

Operation *LowbitDialect::materializeConstant(OpBuilder &builder,
                                              Attribute value, Type type,
                                              Location loc) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != type)
    return nullptr;
  return arith::ConstantOp::create(builder, loc, type, typed);
}

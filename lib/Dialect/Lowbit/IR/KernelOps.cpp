//===- KernelOps.cpp - the kernel-level lowbit ops -----------------------===//
//
// Verifiers of the ops the vector kernels emit and the lowering passes turn
// into target instructions: lowbit.dot_i8, lowbit.dot_bf16,
// lowbit.mmla_bf16, lowbit.lookup_bytes and lowbit.multishift_bytes.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

using namespace mlir;
using namespace lowbit;

LogicalResult DotBf16Op::verify() {
  int64_t lanes = getAcc().getType().getNumElements();
  int64_t elements = getLhs().getType().getNumElements();
  if (elements != 2 * lanes)
    return emitOpError() << "needs 2 bf16 values per f32 lane: " << lanes
                         << " lanes but " << elements << " values";
  return success();
}

LogicalResult LookupBytesOp::verify() {
  int64_t bytes = getIndices().getType().getNumElements();
  if (isWholeTable()) {
    int64_t table = getTable().getType().getNumElements();
    if (table != 128)
      return emitOpError() << "needs a table of the indices' type (16-byte "
                              "lanes) or of 128 bytes, got "
                           << table << " bytes";
    return success();
  }
  if (bytes % 16 != 0)
    return emitOpError() << "needs whole 16-byte lanes, got " << bytes
                         << " bytes";
  return success();
}

LogicalResult MultishiftBytesOp::verify() {
  int64_t bytes = getData().getType().getNumElements();
  if (bytes % 8 != 0)
    return emitOpError() << "needs whole 64-bit lanes, got " << bytes
                         << " bytes";
  return success();
}

LogicalResult MmlaBf16Op::verify() {
  int64_t lanes = getAcc().getType().getNumElements();
  int64_t elements = getLhs().getType().getNumElements();
  if (lanes % 4 != 0)
    return emitOpError() << "needs whole 2x2 tiles: " << lanes
                         << " lanes is not a multiple of 4";
  if (elements != 2 * lanes)
    return emitOpError() << "needs 2x4 bf16 values of each operand per 2x2 "
                            "tile: "
                         << lanes << " lanes but " << elements << " values";
  return success();
}

LogicalResult DotI8Op::verify() {
  int64_t lanes = getAcc().getType().getNumElements();
  int64_t bytes = getLhs().getType().getNumElements();
  if (bytes != 4 * lanes)
    return emitOpError() << "needs 4 bytes per i32 lane: " << lanes
                         << " lanes but " << bytes << " bytes";
  return success();
}

//===- Layouts.cpp - the table of weight layouts the kernels decode -------===//

#include "Layouts.h"

#include "lowbit/Numerics/Packing.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace lowbit;

const LayoutKernels *lowbit::getLayoutKernels(LayoutKind kind) {
  switch (kind) {
  case LayoutKind::Int8:
    return &kInt8LayoutKernels;
  case LayoutKind::Int4Interleaved:
    return &kInt4InterleavedLayoutKernels;
  case LayoutKind::Int4:
  case LayoutKind::Int3:
  case LayoutKind::Int2:
    return &kBitFieldLayoutKernels;
  case LayoutKind::Radix:
    return &kRadixLayoutKernels;
  case LayoutKind::RadixFields:
    return &kRadixFieldLayoutKernels;
  case LayoutKind::Int8Panel:
  case LayoutKind::Int4Panel:
  case LayoutKind::Int2Panel:
  case LayoutKind::Int3Panel:
  case LayoutKind::RadixPanel:
  case LayoutKind::Int2Planes:
    break; // outer-product or lookup-table kernels (no dot-form segments)
  case LayoutKind::RadixSuperblock:
    break; // no vector kernel yet: lowered through linalg
  }
  return nullptr;
}

void lowbit::planSlottedSegments(KernelPlan &plan, MatmulOp op,
                                 int64_t unblockedUnits) {
  LayoutAttr layout = op.getLayout();
  int64_t block = layout.getBlock();
  plan.slotted = true;
  plan.radix = layout.getRadix();
  plan.digits = numerics::codesPerUnit(layout.getPackFormat());
  plan.segmentCodes = block > 0 ? block : plan.digits * unblockedUnits;
  plan.segmentUnits = llvm::divideCeil(plan.segmentCodes, plan.digits);
  plan.lanes = llvm::PowerOf2Ceil(plan.segmentUnits);
}

std::unique_ptr<ContiguousDecoder>
lowbit::makeContiguousDecoder(const KernelEmitter &emitter) {
  return getLayoutKernels(emitter.getPlan().kind)
      ->makeContiguousDecoder(emitter);
}

std::unique_ptr<SlotDecoder>
lowbit::makeSlotDecoder(const KernelEmitter &emitter) {
  return getLayoutKernels(emitter.getPlan().kind)->makeSlotDecoder(emitter);
}

std::unique_ptr<Int8DotDecoder>
lowbit::makeInt8DotDecoder(const KernelEmitter &emitter) {
  const LayoutKernels *layout = getLayoutKernels(emitter.getPlan().kind);
  if (layout->makeInt8DotDecoder)
    return layout->makeInt8DotDecoder(emitter);
  return layout->makeContiguousDecoder(emitter);
}

Value Int8DotDecoder::gatherBytes(Value q, ArrayRef<int64_t> order) {
  int64_t count = cast<VectorType>(q.getType()).getNumElements();
  Value zeros = byteConstant(0, count);
  SmallVector<int64_t> indices;
  for (int64_t i : order)
    indices.push_back(i < 0 ? count : i); // count: the first zero
  return vector::ShuffleOp::create(b, loc, q, zeros, indices);
}

Value lowbit::shiftBytesInWords(OpBuilder &b, Location loc, Value bytes,
                                int64_t bits) {
  auto type = cast<VectorType>(bytes.getType());
  assert(type.getNumElements() % 2 == 0 && "whole 16-bit lanes");
  VectorType words =
      VectorType::get({type.getNumElements() / 2}, b.getI16Type());
  Value shift = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(words, b.getI16IntegerAttr(bits)));
  return vector::BitCastOp::create(
      b, loc, type,
      arith::ShRUIOp::create(
          b, loc, vector::BitCastOp::create(b, loc, words, bytes), shift));
}

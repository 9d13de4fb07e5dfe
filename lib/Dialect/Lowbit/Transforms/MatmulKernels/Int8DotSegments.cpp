//===- Int8DotSegments.cpp - int8 activations in integer dot products -----===//
//
// The segments of dynamic int8 kernels: each row's quantized activations
// meet a segment's weight bytes in lowbit.dot_i8 (four-byte dot products
// into i32 lanes), which lowbit-lower-dot-i8 turns into the target's
// instruction. The weights enter in the form the instruction takes
// (KernelPlan::weightForm): as unsigned q + offset against the activations,
// with every lane's sum starting from the precomputed correction; as |q|
// against activations carrying q's sign; or signed.
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"
#include "SegmentEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

SmallVector<Value> Int8DotSegments::decodeWeightOperands(Value column,
                                                         Value unit,
                                                         bool partial,
                                                         Value &negative) {
  std::unique_ptr<Int8DotDecoder> decoder = makeInt8DotDecoder(*this);
  Value w = readUnits(column, unit, decoder->getUnitsPerRead(), partial);
  return decoder->decodeDotOperands(w, negative);
}

SmallVector<Value> Int8DotSegments::accumulateSegment(ArrayRef<Value> rows,
                                                      Value column, Value kBase,
                                                      Value segment, Value unit,
                                                      Value scale, bool partial,
                                                      ValueRange accs) {
  int64_t bytes = plan.dotBytes;
  // The segment's quantized activations, as the dot products read them.
  Value qBase =
      arith::MulIOp::create(b, loc, segment, index(plan.quantizedCodes));
  Value negative;
  SmallVector<Value> operands =
      decodeWeightOperands(column, unit, partial, negative);
  bool transfersSign = bool(negative);
  // Unsigned weight operands fit AVX2's 16-bit pair sums (see
  // decodeWeightOperands).
  bool unsignedWeights =
      plan.weightForm == Int8WeightForm::Offset || transfersSign;
  bool pairsFitI16 = unsignedWeights && isPmaddubsw(plan.dot);
  SmallVector<Value> result(accs.begin(), accs.end());
  // Narrow targets go one register of bytes (its accLanes lanes) at a
  // time through every row, so that few decoded bytes stay live.
  int64_t chunk = 4 * plan.accLanes;
  if (chunk >= bytes || bytes % chunk != 0)
    chunk = bytes;
  auto slice = [&](Value v, int64_t offset, int64_t size) {
    if (size == cast<VectorType>(v.getType()).getNumElements())
      return v;
    return Value(vector::ExtractStridedSliceOp::create(b, loc, v, {offset},
                                                       {size}, {1}));
  };
  for (int64_t first = 0; first < bytes; first += chunk) {
    int64_t lanes = chunk / 4;
    for (auto [row, acc] : llvm::zip(rows, result)) {
      Value dot = plan.weightOffset
                      ? slice(readCorrections(row, segment), first / 4, lanes)
                      : slice(zeroLanes(), 0, lanes);
      for (auto [i, operand] : llvm::enumerate(operands)) {
        Value x = readQuantized(
            row, arith::AddIOp::create(b, loc, qBase, index(i * bytes + first)),
            chunk);
        if (transfersSign)
          x = arith::SelectOp::create(
              b, loc, slice(negative, first, chunk),
              arith::SubIOp::create(b, loc, byteConstant(0, chunk), x), x);
        Value w = slice(operand, first, chunk);
        dot = unsignedWeights
                  ? Value(DotI8Op::create(b, loc, dot, w, x,
                                          /*unsigned_lhs=*/true, pairsFitI16))
                  : Value(DotI8Op::create(b, loc, dot, x, w,
                                          /*unsigned_lhs=*/false));
      }
      Value chunkScale = scale && isa<VectorType>(scale.getType())
                             ? slice(scale, first / 4, lanes)
                             : scale;
      acc = accumulateDot(dot, chunkScale, acc);
    }
  }
  return result;
}

/// The precomputed corrections of `row` for the lanes of `segment`.
Value Int8DotSegments::readCorrections(Value row, Value segment) {
  Value padding = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0));
  return vector::TransferReadOp::create(
      b, loc, vectorOf(plan.lanes, b.getI32Type()), prepared.corrections,
      ValueRange{row,
                 arith::MulIOp::create(b, loc, segment, index(plan.lanes))},
      padding, ArrayRef<bool>{true});
}

Value Int8DotSegments::zeroLanes() {
  return splat(arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)),
               plan.lanes);
}

Value Int8DotSegments::readBlockScales(Value column, Value segment,
                                       bool partial) {
  Type element =
      cast<RankedTensorType>(op.getScales().getType()).getElementType();
  int64_t blocks = plan.blocksPerSegment;
  Value first = arith::MulIOp::create(b, loc, segment, index(blocks));
  Value scales = toF32(vector::TransferReadOp::create(
      b, loc, vectorOf(blocks, element), op.getScales(),
      ValueRange{column, first},
      arith::ConstantOp::create(b, loc, b.getZeroAttr(element)),
      ArrayRef<bool>{!partial}));
  return spreadBlockScales(scales, 0);
}

Value Int8DotSegments::spreadBlockScales(Value scales, int64_t firstBlock) {
  int64_t blocks = plan.blocksPerSegment;
  int64_t lanesPerBlock =
      plan.lanesPerBlock ? plan.lanesPerBlock : plan.lanes / blocks;
  SmallVector<int64_t> lanesToBlocks;
  for (int64_t lane = 0; lane < plan.lanes; ++lane)
    lanesToBlocks.push_back(firstBlock +
                            std::min(lane / lanesPerBlock, blocks - 1));
  return vector::ShuffleOp::create(b, loc, scales, scales, lanesToBlocks);
}

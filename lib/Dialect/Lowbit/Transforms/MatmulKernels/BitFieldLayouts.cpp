//===- BitFieldLayouts.cpp - int4/int3/int2 codes as bit fields -----------===//
//
// Code i of a unit is the bit field [i * bits, (i + 1) * bits): slot i of
// all units of a segment comes out of one shift and one mask (and a sign
// extension for signed codes).
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace lowbit;

namespace {

class BitFieldDecoder : public SlotDecoder {
public:
  using SlotDecoder::SlotDecoder;

  void begin(ArrayRef<Value> units) override {
    packed.assign(units.begin(), units.end());
  }

  Value decodeSlot(int64_t column, int64_t slot) override {
    int64_t lanes = plan.lanes;
    unsigned codeBits = op.getLayout().getCodeBits();
    bool isSigned = op.getScheme().getQmin() < 0;
    auto unitType = cast<IntegerType>(
        cast<VectorType>(packed.front().getType()).getElementType());
    auto unitConstant = [&](int64_t value) {
      return splat(
          arith::ConstantOp::create(b, loc, b.getIntegerAttr(unitType, value)),
          lanes);
    };
    Value field = packed[column];
    if (slot > 0)
      field = arith::ShRUIOp::create(b, loc, field,
                                     unitConstant(slot * int64_t(codeBits)));
    field = arith::AndIOp::create(b, loc, field,
                                  unitConstant((int64_t(1) << codeBits) - 1));
    if (isSigned) { // sign-extend the field: (v ^ sign) - sign
      Value sign = unitConstant(int64_t(1) << (codeBits - 1));
      field = arith::SubIOp::create(
          b, loc, arith::XOrIOp::create(b, loc, field, sign), sign);
    }
    if (unitType.getWidth() == 32)
      return field;
    return arith::ExtSIOp::create(b, loc, vectorOf(lanes, b.getI32Type()),
                                  field);
  }

private:
  SmallVector<Value> packed;
};

void planSegments(KernelPlan &plan, MatmulOp op) {
  planSlottedSegments(plan, op, /*unblockedUnits=*/16);
}

std::unique_ptr<SlotDecoder> makeDecoder(const KernelEmitter &emitter) {
  return std::make_unique<BitFieldDecoder>(emitter);
}

/// Dynamic int8: word layouts (int3) as quads of slots per word, byte
/// layouts (int2, int4) one slot per dot product.
LogicalResult planInt8Segments(KernelPlan &plan, MatmulOp op,
                               std::string &why) {
  if (op.getLayout().getUnitBits() == 32)
    return planInt8WordQuads(plan, op, why);
  return planInt8ByteSlots(plan, op, why);
}

std::unique_ptr<Int8DotDecoder> makeInt8Decoder(const KernelEmitter &emitter) {
  if (emitter.getPlan().dotBytes != emitter.getPlan().segmentUnits)
    return makeInt8WordQuadDecoder(emitter);
  return makeInt8ByteSlotDecoder(emitter);
}

} // namespace

const LayoutKernels lowbit::kBitFieldLayoutKernels = {
    planSegments, planInt8Segments, nullptr, makeDecoder, makeInt8Decoder};

//===- Int4InterleavedLayout.cpp - int4 weights, two nibbles per byte -----===//
//
// Byte j of a block of B codes holds code j in its low nibble and code
// j + B/2 in its high nibble: one load of B/2 bytes gives two vectors of
// codes, each meeting B/2 contiguous activations. With f32 activations the
// nibbles are left in the high half of a byte (low ones shifted there) and
// converted as 16 * q: no sign extension, and the factor 16 is undone
// exactly on the row's total (or on the multiplier when there is an
// offset). With int8 activations a segment is four blocks, whose low
// nibbles (and then high nibbles) make one dot product each.
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

namespace {

class Int4InterleavedDecoder : public ContiguousDecoder {
public:
  using ContiguousDecoder::ContiguousDecoder;

  SmallVector<int64_t> getPieceOffsets() const override {
    return {0, plan.lanes};
  }

  SmallVector<Value> decodeCodes(Value bytes) override {
    bool isSigned = op.getScheme().getQmin() < 0;
    auto constant = [&](int64_t value) {
      return byteConstant(value, plan.lanes);
    };
    Value low, high;
    if (plan.codeFactor == 16) {
      // Nibbles in the high half of a byte are 16 * q, signed or not:
      // no sign extension, one conversion each.
      low = arith::ShLIOp::create(b, loc, bytes, constant(4));
      high = arith::AndIOp::create(b, loc, bytes, constant(0xF0));
    } else {
      low = arith::AndIOp::create(b, loc, bytes, constant(0x0F));
      high = arith::ShRUIOp::create(b, loc, bytes, constant(4));
      if (isSigned) { // sign-extend the nibbles: (v ^ 8) - 8
        low = arith::SubIOp::create(
            b, loc, arith::XOrIOp::create(b, loc, low, constant(8)),
            constant(8));
        high = arith::SubIOp::create(
            b, loc, arith::XOrIOp::create(b, loc, high, constant(8)),
            constant(8));
      }
    }
    return {low, high};
  }

  SmallVector<Value> decodeDotOperands(Value w, Value &negative) override {
    auto constant = [&](int64_t value) {
      return byteConstant(value, plan.segmentUnits);
    };
    negative = Value();
    assert(plan.weightForm != Int8WeightForm::Magnitude &&
           "offset int4 pair sums fit i16");
    if (plan.weightForm == Int8WeightForm::Offset) {
      // q + 8 = (nibble xor 8) for both nibbles at once.
      Value offset = arith::XOrIOp::create(b, loc, w, constant(0x88));
      return {arith::AndIOp::create(b, loc, offset, constant(0x0F)),
              arith::ShRUIOp::create(b, loc, offset, constant(4))};
    }
    auto signExtend = [&](Value nibbles) {
      return arith::SubIOp::create(
          b, loc, arith::XOrIOp::create(b, loc, nibbles, constant(8)),
          constant(8));
    };
    Value low = signExtend(arith::AndIOp::create(b, loc, w, constant(0x0F)));
    Value high = signExtend(arith::ShRUIOp::create(b, loc, w, constant(4)));
    return {low, high};
  }

  /// With several blocks per segment: first the activations of every
  /// block's low nibbles (codes [0, B/2) of each block), then those of the
  /// high nibbles.
  Value arrangeQuantized(Value q) override {
    if (plan.blocksPerSegment == 1)
      return q;
    int64_t block = plan.segmentCodes / plan.blocksPerSegment, half = block / 2;
    SmallVector<int64_t> order;
    for (int64_t nibble = 0; nibble < 2; ++nibble)
      for (int64_t blockIndex = 0; blockIndex < plan.blocksPerSegment;
           ++blockIndex)
        for (int64_t j = 0; j < half; ++j)
          order.push_back(blockIndex * block + nibble * half + j);
    return vector::ShuffleOp::create(b, loc, q, q, order);
  }
};

void planSegments(KernelPlan &plan, MatmulOp op) {
  int64_t block = op.getLayout().getBlock();
  plan.segmentCodes = block;
  plan.segmentUnits = block / 2;
  plan.lanes = block / 2;
  // One dequantized segment meets 8 rows.
  plan.eightRowTiles = true;
  // 16 * q; zero points are subtracted from the codes themselves.
  plan.codeFactor = op.getZeroPoints() ? 1 : 16;
}

LogicalResult planInt8Segments(KernelPlan &plan, MatmulOp op,
                               std::string &why) {
  int64_t block = op.getLayout().getBlock();
  if (block % 8 != 0) {
    why = "dynamic int8 activations need segments of whole 4-byte groups";
    return failure();
  }
  plan.codeFactor = 1;
  // Four blocks per segment: one dot product of 2 * block bytes per nibble
  // half (a 512-bit vpdpbusd for groups of 32).
  plan.blocksPerSegment = 4;
  plan.segmentCodes = 4 * block;
  plan.segmentUnits = 2 * block;
  plan.prefetchLines = true;
  return success();
}

std::unique_ptr<ContiguousDecoder> makeDecoder(const KernelEmitter &emitter) {
  return std::make_unique<Int4InterleavedDecoder>(emitter);
}

} // namespace

const LayoutKernels lowbit::kInt4InterleavedLayoutKernels = {
    planSegments, planInt8Segments, makeDecoder, nullptr};

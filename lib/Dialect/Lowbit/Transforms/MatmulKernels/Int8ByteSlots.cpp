//===- Int8ByteSlots.cpp - bytes of bit fields in int8 dot products -------===//
//
// Dynamic int8 activations on byte layouts of several codes per byte (int2:
// four 2-bit fields): slot i of every byte of a segment comes out of one
// shift and one mask on the byte vector, and is one dot product against
// activations stored regrouped to match (when the row is quantized). A
// segment is as many blocks as make 64 bytes (int2 in groups of 32: 8
// blocks, 256 codes, four 64-byte dot products); lane i (4 bytes) belongs
// to block i / lanesPerBlock. Signed fields enter as q + 2^(bits - 1).
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace lowbit;

namespace {

/// Bytes of one dot product, at most.
constexpr int64_t kSegmentBytes = 64;

class ByteSlotDecoder : public Int8DotDecoder {
public:
  using Int8DotDecoder::Int8DotDecoder;

  SmallVector<Value> decodeDotOperands(Value bytes, Value &negative) override {
    negative = Value();
    unsigned bits = op.getLayout().getCodeBits();
    int64_t count = plan.segmentUnits;
    bool offset = op.getScheme().getQmin() < 0;
    SmallVector<Value> operands;
    for (int64_t slot = 0; slot < plan.digits; ++slot) {
      Value field = bytes;
      bool masked = slot + 1 < plan.digits; // the top field needs no mask
      if (slot > 0 && masked && count % 2 == 0)
        field = shiftBytesInWords(b, loc, field, bits * slot);
      else if (slot > 0)
        field = arith::ShRUIOp::create(b, loc, field,
                                       byteConstant(bits * slot, count));
      if (masked)
        field = arith::AndIOp::create(
            b, loc, field, byteConstant((int64_t(1) << bits) - 1, count));
      if (offset) // q + 2^(bits - 1): the sign bit flipped
        field = arith::XOrIOp::create(
            b, loc, field, byteConstant(int64_t(1) << (bits - 1), count));
      operands.push_back(field);
    }
    return operands;
  }

  /// Operand i, byte j meets code (j mod B) * n + i of block j / B (B bytes
  /// per block).
  Value arrangeQuantized(Value q) override {
    int64_t n = plan.digits, block = op.getLayout().getBlock();
    int64_t bytesPerBlock = block / n;
    SmallVector<int64_t> order;
    for (int64_t slot = 0; slot < n; ++slot)
      for (int64_t j = 0; j < plan.segmentUnits; ++j)
        order.push_back((j / bytesPerBlock) * block + (j % bytesPerBlock) * n +
                        slot);
    return gatherBytes(q, order);
  }
};

} // namespace

LogicalResult lowbit::planInt8ByteSlots(KernelPlan &plan, MatmulOp op,
                                        std::string &why) {
  int64_t block = op.getLayout().getBlock();
  int64_t n = plan.digits;
  if (block <= 0 || block % (4 * n) != 0 ||
      op.getScheme().getGranularity() != GranularityKind::PerGroup) {
    why = "dynamic int8 activations on bit fields in bytes need groups "
          "packed as blocks of whole 4-byte lanes";
    return failure();
  }
  int64_t bytesPerBlock = block / n;
  int64_t blocks = std::max<int64_t>(1, kSegmentBytes / bytesPerBlock);
  plan.blocksPerSegment = blocks;
  plan.lanesPerBlock = bytesPerBlock / 4;
  plan.segmentCodes = blocks * block;
  plan.segmentUnits = blocks * bytesPerBlock;
  plan.dotBytes = plan.segmentUnits;
  plan.quantizedCodes = plan.segmentCodes;
  return success();
}

std::unique_ptr<Int8DotDecoder>
lowbit::makeInt8ByteSlotDecoder(const KernelEmitter &emitter) {
  return std::make_unique<ByteSlotDecoder>(emitter);
}

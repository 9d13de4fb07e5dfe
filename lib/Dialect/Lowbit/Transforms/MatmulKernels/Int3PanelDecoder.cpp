//===- Int3PanelDecoder.cpp - int3_panel operands -------------------------===//
//
// Eight quads in three 64-byte vectors: two planes of 2-bit fields (quads
// 0-3, 4-7, as int2_panel) and one of bit 2 (bit t for quad t), as ggml's
// Q3_K splits its codes. Quad t is
//   ((lo[t / 4] >> 2 (t % 4)) & 3) | ((hi << 2 >> t) & 4)
// on 32-bit lanes (every field stays within its byte): two shifts, a mask
// and a masked or (one vpternlogd on AVX-512) per 64-byte dot product,
// against 3-4 per quad for the int3 words of the dot-form kernels. Signed
// codes enter as q + 4 (bit 2 flipped: one xor per 8 quads).
//
//===----------------------------------------------------------------------===//

#include "PanelDecoders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace lowbit;

namespace {

/// Signed codes flip bit 2 of every code (q + 4): the whole third plane.
class Int3PanelDecoder : public SmallCodePanelDecoder {
public:
  Int3PanelDecoder(OpBuilder &b, Location loc, int64_t bytes)
      : SmallCodePanelDecoder(b, loc, bytes, 3, 2, 0xFFFFFFFF) {}

  Value decodeQuad(ArrayRef<Value> prepared, int64_t quad,
                   const PanelOperandForm &) override {
    Value low = twoBitField(prepared[quad / 4], quad % 4);
    // Bit `quad` of each byte to bit 2.
    Value high = prepared[2];
    if (quad < 2)
      high = arith::ShLIOp::create(b, loc, high, wordSplat(2 - quad));
    else if (quad > 2)
      high = arith::ShRUIOp::create(b, loc, high, wordSplat(quad - 2));
    high = arith::AndIOp::create(b, loc, high, wordSplat(0x04040404));
    return toBytes(arith::OrIOp::create(b, loc, low, high));
  }
};

} // namespace

std::unique_ptr<PanelDecoder>
lowbit::makeInt3PanelDecoder(OpBuilder &b, Location loc, int64_t bytes,
                             const numerics::PackFormat &) {
  return std::make_unique<Int3PanelDecoder>(b, loc, bytes);
}

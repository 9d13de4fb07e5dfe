//===- Int2PanelDecoder.cpp - int2_panel operands -------------------------===//
//
// A 64-byte vector holds four quads of 2-bit fields: quad t is
// (w >> 2t) & 3 on 32-bit lanes (no field crosses a byte, so the wide
// shift is exact after the mask): one shift and one mask per quad (no
// shift for the first). Codes enter every dot form as
// 0..3 (signed codes flipped to q + 2 once per vector).
//
//===----------------------------------------------------------------------===//

#include "PanelDecoders.h"

using namespace mlir;
using namespace lowbit;

namespace {

/// Signed codes flip every field's sign bit (q + 2).
class Int2PanelDecoder : public SmallCodePanelDecoder {
public:
  Int2PanelDecoder(OpBuilder &b, Location loc, int64_t bytes)
      : SmallCodePanelDecoder(b, loc, bytes, 2, 0, 0xAAAAAAAA) {}

  Value decodeQuad(ArrayRef<Value> prepared, int64_t quad,
                   const PanelOperandForm &) override {
    return toBytes(twoBitField(prepared[0], quad));
  }
};

} // namespace

std::unique_ptr<PanelDecoder>
lowbit::makeInt2PanelDecoder(OpBuilder &b, Location loc, int64_t bytes,
                             const numerics::PackFormat &) {
  return std::make_unique<Int2PanelDecoder>(b, loc, bytes);
}

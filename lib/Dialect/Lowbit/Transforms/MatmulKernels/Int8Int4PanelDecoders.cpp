//===- Int8Int4PanelDecoders.cpp - int8_panel and int4_panel operands -----===//
//
// int8_panel: a vector is one quad; x86 vpdpbusd (unsigned x signed bytes)
// takes q + 128 (xor 0x80), the other forms q. int4_panel: a vector is two
// quads, low and high nibbles; vpdpbusd and AVX2 vpmaddubsw take q + 8
// (nibble xor 8, pair sums within 2 * 15 * 127), the others sign-extended
// nibbles.
//
//===----------------------------------------------------------------------===//

#include "PanelDecoders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace lowbit;

namespace {

class Int8PanelDecoder : public PanelDecoder {
public:
  using PanelDecoder::PanelDecoder;

  PanelOperandForm getForm(Int8Dot dot, bool) const override {
    PanelOperandForm form;
    if (isVpdpbusd(dot))
      form.offset = 128;
    form.unsignedLhs = form.offset != 0;
    return form;
  }

  Value decodeQuad(ArrayRef<Value> slices, int64_t,
                   const PanelOperandForm &form) override {
    if (!form.offset)
      return slices[0];
    return arith::XOrIOp::create(b, loc, slices[0], byteSplat(0x80));
  }
};

class Int4PanelDecoder : public PanelDecoder {
public:
  using PanelDecoder::PanelDecoder;

  PanelOperandForm getForm(Int8Dot dot, bool) const override {
    PanelOperandForm form;
    if (isVpdpbusd(dot) || isPmaddubsw(dot))
      form.offset = 8;
    form.unsignedLhs = form.pairsFitI16 = form.offset != 0;
    return form;
  }

  SmallVector<Value> prepare(ArrayRef<Value> slices,
                             const PanelOperandForm &form) override {
    if (!form.offset)
      return SmallVector<Value>(slices);
    // q + 8 = (nibble ^ 8), as unsigned bytes.
    return {arith::XOrIOp::create(b, loc, slices[0], byteSplat(0x88))};
  }

  Value decodeQuad(ArrayRef<Value> prepared, int64_t quad,
                   const PanelOperandForm &form) override {
    Value w = prepared[0];
    if (form.offset) {
      if (quad == 1)
        w = arith::ShRUIOp::create(b, loc, w, byteSplat(4));
      return arith::AndIOp::create(b, loc, w, byteSplat(0x0F));
    }
    // Sign-extended nibbles.
    Value four = byteSplat(4);
    if (quad == 0)
      w = arith::ShLIOp::create(b, loc, w, four);
    return arith::ShRSIOp::create(b, loc, w, four);
  }
};

} // namespace

std::unique_ptr<PanelDecoder>
lowbit::makeInt8PanelDecoder(OpBuilder &b, Location loc, int64_t bytes,
                             const numerics::PackFormat &) {
  return std::make_unique<Int8PanelDecoder>(b, loc, bytes);
}

std::unique_ptr<PanelDecoder>
lowbit::makeInt4PanelDecoder(OpBuilder &b, Location loc, int64_t bytes,
                             const numerics::PackFormat &) {
  return std::make_unique<Int4PanelDecoder>(b, loc, bytes);
}

//===- PanelDecoders.cpp - the table of panel decoders --------------------===//

#include "PanelDecoders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

namespace {

struct PanelDecoderEntry {
  numerics::PackKind kind;
  std::unique_ptr<PanelDecoder> (*make)(OpBuilder &, Location, int64_t,
                                        const numerics::PackFormat &);
};

const PanelDecoderEntry kPanelDecoders[] = {
    {numerics::PackKind::Int8Panel, makeInt8PanelDecoder},
    {numerics::PackKind::Int4Panel, makeInt4PanelDecoder},
    {numerics::PackKind::Int2Panel, makeInt2PanelDecoder},
    {numerics::PackKind::Int3Panel, makeInt3PanelDecoder},
    {numerics::PackKind::RadixPanel, makeRadixPanelDecoder},
};

} // namespace

std::unique_ptr<PanelDecoder>
lowbit::makePanelDecoder(const numerics::PackFormat &format, OpBuilder &b,
                         Location loc, int64_t bytes) {
  for (const PanelDecoderEntry &entry : kPanelDecoders)
    if (entry.kind == format.kind)
      return entry.make(b, loc, bytes, format);
  return nullptr;
}

PanelOperandForm SmallCodePanelDecoder::getForm(Int8Dot dot,
                                                bool signedCodes) const {
  PanelOperandForm form;
  form.offset = signedCodes ? int64_t(1) << (bits - 1) : 0;
  form.unsignedLhs = isVpdpbusd(dot) || isPmaddubsw(dot);
  form.pairsFitI16 = true; // 2 * 7 * 127
  return form;
}

SmallVector<Value>
SmallCodePanelDecoder::prepare(ArrayRef<Value> slices,
                               const PanelOperandForm &form) {
  SmallVector<Value> words;
  for (Value slice : slices)
    words.push_back(toWords(slice));
  if (form.offset)
    words[signPlane] = arith::XOrIOp::create(b, loc, words[signPlane],
                                             wordSplat(int32_t(signMask)));
  return words;
}

Value SmallCodePanelDecoder::twoBitField(Value words, int64_t t) {
  if (t > 0)
    words = arith::ShRUIOp::create(b, loc, words, wordSplat(2 * t));
  // Masked even for the top field: the shift is on 32-bit lanes.
  return arith::AndIOp::create(b, loc, words, wordSplat(0x03030303));
}

Value PanelDecoder::byteSplat(int64_t v) {
  Type i8 = b.getI8Type();
  return arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(VectorType::get({bytes}, i8),
                             b.getIntegerAttr(i8, int8_t(v))));
}

Value PanelDecoder::wordSplat(int64_t v) {
  Type i32 = b.getI32Type();
  return arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(VectorType::get({bytes / 4}, i32),
                             b.getIntegerAttr(i32, int32_t(v))));
}

Value PanelDecoder::toWords(Value slice) {
  return vector::BitCastOp::create(
      b, loc, VectorType::get({bytes / 4}, b.getI32Type()), slice);
}

Value PanelDecoder::toBytes(Value words) {
  return vector::BitCastOp::create(
      b, loc, VectorType::get({bytes}, b.getI8Type()), words);
}

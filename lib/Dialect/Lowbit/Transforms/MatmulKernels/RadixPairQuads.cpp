//===- RadixPairQuads.cpp - radix words as int8 quads via digit pairs -----===//
//
// The pair form of the chunked radix decode (lowbit/Numerics/RadixPairs.h),
// for targets with a 128-byte table lookup (x86 AVX512-VBMI vpermi2b, the
// plan's radixDigitPairs): the head and tail fractions of every word
// (RadixWordChunks) give the pairs R d5 + d6, R d7 + d8 (low half) and
// R d0 + d1, R d2 + d3 (high half) in two 16-bit multiply-highs and one
// multiply-low, their bytes [p56 p78 p01 p23] index a table of high digits
// and one of low digits, whose results are the quads [d5 d7 d0 d2] and
// [d6 d8 d1 d3]; digit 4 stays one multiply-high (byte 2 of the third). Per 16
// words: two 32-bit multiplies, four 16-bit ones and two vpermi2b, against two
// and eight multiplies of the digit-by-digit chains.
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"
#include "RadixWordChunks.h"

#include "lowbit/Numerics/RadixPairs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

namespace {

/// Bytes of indices one whole-table lookup takes (a 128-byte index vector
/// would read 16-byte lanes).
constexpr int64_t kLookupBytes = 64;

class RadixPairQuads : public RadixWordChunks {
public:
  RadixPairQuads(OpBuilder &b, Location loc,
                 const numerics::RadixPairDecode &pairs)
      : RadixWordChunks(b, loc, pairs.chunks), pairs(pairs) {}

  /// Operand p holds digits getRadixPairQuadSlot(p, 0..3) of each word in
  /// its lane's bytes.
  SmallVector<Value> decodeQuads(Value words) {
    split(words);
    uint32_t p = pairs.pairRadix;
    // The second pair comes shifted into its half's high byte (see
    // RadixPairs.h): masked, and or-ed with the first (one ternary op).
    Value first = halves(fractions, p, /*high=*/true);
    Value rest = halves(fractions, p, /*high=*/false);
    Value second = mask(halves(rest, p << 8, /*high=*/true), 0xFF00FF00);
    Value indices = toBytes(unite(first, second));
    return {lookUpBytes(b, loc, pairs.high, indices),
            lookUpBytes(b, loc, pairs.low, indices), toBytes(middle)};
  }

private:
  numerics::RadixPairDecode pairs;
};

} // namespace

Value lowbit::lookUpBytes(OpBuilder &b, Location loc, ArrayRef<uint8_t> entries,
                          Value indices) {
  Type i8 = b.getI8Type();
  SmallVector<int8_t> bytes(entries.begin(), entries.end());
  auto tableType = VectorType::get({int64_t(entries.size())}, i8);
  Value table = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(tableType, ArrayRef<int8_t>(bytes)));
  int64_t total = cast<VectorType>(indices.getType()).getNumElements();
  if (total == kLookupBytes)
    return LookupBytesOp::create(b, loc, table, indices);
  Value result = indices;
  for (int64_t offset = 0; offset < total; offset += kLookupBytes) {
    Value part = vector::ExtractStridedSliceOp::create(
        b, loc, indices, {offset}, {kLookupBytes}, {1});
    result = vector::InsertStridedSliceOp::create(
        b, loc, LookupBytesOp::create(b, loc, table, part), result, {offset},
        {1});
  }
  return result;
}

int64_t lowbit::getRadixPairQuadSlot(int64_t quad, int64_t byte) {
  static const int64_t kQuadSlots[3][4] = {
      {5, 7, 0, 2}, {6, 8, 1, 3}, {-1, -1, 4, -1}};
  return kQuadSlots[quad][byte];
}

bool lowbit::hasRadixPairQuads(const KernelPlan &plan) {
  return plan.kind == LayoutKind::Radix &&
         numerics::getRadixPairDecode(plan.radix).has_value();
}

SmallVector<Value> lowbit::decodeRadixPairQuads(const KernelEmitter &emitter,
                                                Value words) {
  const KernelPlan &plan = emitter.getPlan();
  assert(hasRadixPairQuads(plan) && "radix without the pair decode");
  return RadixPairQuads(emitter.getBuilder(), emitter.getLoc(),
                        *numerics::getRadixPairDecode(plan.radix))
      .decodeQuads(words);
}

//===- RadixFieldLayout.cpp - radix_fields words in the kernels -----------===//
//
// The radix_fields layout (lowbit/Numerics/RadixFields.h): nine base-R
// codes per word as two 14-bit base-R numbers and a top nibble.
//
// Dynamic int8 activations (the layout's purpose): a word's fields become
// the 16-bit halves of its lane (one shift and a masked select), one 16-bit
// multiply-high per half gives the base-R^2 pair q = x / R^2, and one
// multiply-low and an add x + (256 - R^2) q = (x mod R^2) + 256 q put it in
// the half's high byte next to the pair x mod R^2;
// with AVX512-VBMI two 128-byte table lookups (vpermi2b) make the lanes'
// bytes [c0 c2 c4 c6] and [c1 c3 c5 c7], other x86 CPUs two more 16-bit
// multiply-highs (RadixFields.h), AArch64 a byte division by R.
// Code 8 is one shift. Per 16 words: one 16-bit multiply-high, one
// multiply-low and two lookups, against two 32-bit multiplies, four 16-bit
// ones and two lookups of the radix(R) words' pair decode
// (RadixPairQuads.cpp).
//
// f32 activations (the generic slot decode): slot i is field i / 4 divided
// by R^(i mod 4), mod R.
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"

#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/RadixFields.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

namespace {

constexpr uint32_t kFieldMask = (1u << numerics::kRadixFieldBits) - 1;

class RadixFieldDecoder : public SlotDecoder {
public:
  using SlotDecoder::SlotDecoder;

  void begin(ArrayRef<Value> units) override {
    words.assign(units.begin(), units.end());
  }

  Value decodeSlot(int64_t column, int64_t slot) override {
    int64_t lanes = plan.lanes;
    Type i32 = b.getI32Type();
    auto constant = [&](int64_t value) {
      return splat(intConstant(i32, int32_t(uint32_t(value))), lanes);
    };
    int64_t field = slot / 4;
    Value bits = words[column];
    if (field > 0)
      bits = arith::ShRUIOp::create(
          b, loc, bits, constant(numerics::kRadixFieldBits * field));
    if (field < 2)
      bits = arith::AndIOp::create(b, loc, bits, constant(kFieldMask));
    int64_t power = 1;
    for (int64_t i = 0; i < slot % 4; ++i)
      power *= plan.radix;
    if (power > 1)
      bits = arith::DivUIOp::create(b, loc, bits, constant(power));
    if (field < 2)
      bits = arith::RemUIOp::create(b, loc, bits, constant(plan.radix));
    return bits;
  }

private:
  SmallVector<Value> words;
};

/// How the pairs become digits: 128-byte table lookups (AVX512-VBMI),
/// multiply-highs in 16-bit lanes (x86 without VBMI: no byte multiply;
/// radix 7 to 11), or LLVM's division of bytes (AArch64 multiplies bytes).
enum class PairSplit { Tables, HalfWords, Bytes };

/// The int8 quads of i32 lanes of radix_fields words.
class RadixFieldQuads : public VectorEmission {
public:
  RadixFieldQuads(OpBuilder &b, Location loc,
                  const numerics::RadixFieldDecode &decode, PairSplit split)
      : VectorEmission(b, loc), decode(decode), split(split) {}

  SmallVector<Value> decodeQuads(Value words) {
    int64_t lanes = cast<VectorType>(words.getType()).getNumElements();
    Type i8 = b.getI8Type(), i16 = b.getI16Type(), i32 = b.getI32Type();
    auto constant = [&](Type type, int64_t count, int64_t value) {
      return splat(intConstant(type, value), count);
    };
    auto words32 = [&](int64_t value) {
      return constant(i32, lanes, int32_t(uint32_t(value)));
    };
    auto halves = [&](int64_t value) {
      return constant(i16, 2 * lanes, value);
    };
    auto multiplyHigh = [&](Value v, uint32_t factor) {
      return arith::MulUIExtendedOp::create(b, loc, v, halves(int16_t(factor)))
          .getHigh();
    };
    // Field 0 in the low half as it is, field 1 shifted up by 2 into the
    // high half (a select of the two by a constant mask: one ternary op).
    Value raised = arith::AndIOp::create(
        b, loc,
        arith::ShLIOp::create(b, loc, words,
                              words32(16 - numerics::kRadixFieldBits)),
        words32(kFieldMask << 16));
    Value fields = arith::OrIOp::create(
        b, loc, arith::AndIOp::create(b, loc, words, words32(kFieldMask)),
        raised);
    Value x =
        vector::BitCastOp::create(b, loc, vectorOf(2 * lanes, i16), fields);
    // q = mulhi16(x, M) >> s = x / R^2; the pair bytes (x mod R^2) | q << 8
    // = x + (256 - R^2) q: one multiply-low and one add.
    Value quotient = arith::ShRUIOp::create(
        b, loc, multiplyHigh(x, decode.pairMultiplier),
        halves(decode.pairShift));
    Value pairs = vector::BitCastOp::create(
        b, loc, vectorOf(4 * lanes, i8),
        arith::AddIOp::create(
            b, loc, x,
            arith::MulIOp::create(b, loc, quotient,
                                  halves(256 - decode.pairRadix))));
    Value last = vector::BitCastOp::create(
        b, loc, vectorOf(4 * lanes, i8),
        arith::ShRUIOp::create(b, loc, words,
                               words32(2 * numerics::kRadixFieldBits)));
    if (split == PairSplit::Tables)
      return {lookUpBytes(b, loc, decode.low, pairs),
              lookUpBytes(b, loc, decode.high, pairs), last};
    if (split == PairSplit::Bytes) {
      Value radix = constant(i8, 4 * lanes, decode.radix);
      Value high = arith::DivUIOp::create(b, loc, pairs, radix);
      Value low = arith::SubIOp::create(
          b, loc, pairs, arith::MulIOp::create(b, loc, high, radix));
      return {low, high, last};
    }
    // c1 = mulhi16(x mod R^2, D); c3 straight into the high byte from x
    // (a shift back from it would make LLVM widen the multiply-high);
    // [c0, c2] = [x mod R^2, x / R^2] - R [c1, c3] (no carry: R c < 256).
    VectorType i16s = vectorOf(2 * lanes, i16);
    Value both = vector::BitCastOp::create(b, loc, i16s, pairs);
    Value first =
        multiplyHigh(arith::AndIOp::create(b, loc, both, halves(0xFF)),
                     decode.digitMultiplier);
    Value top = arith::AndIOp::create(
        b, loc,
        arith::ShRUIOp::create(b, loc,
                               multiplyHigh(x, decode.topDigitMultiplier),
                               halves(decode.topDigitShift)),
        halves(int16_t(0xFF00)));
    Value high = arith::OrIOp::create(b, loc, first, top);
    Value low = arith::SubIOp::create(
        b, loc, both,
        arith::MulIOp::create(b, loc, high, halves(decode.radix)));
    VectorType bytes = vectorOf(4 * lanes, i8);
    return {vector::BitCastOp::create(b, loc, bytes, low),
            vector::BitCastOp::create(b, loc, bytes, high), last};
  }

private:
  numerics::RadixFieldDecode decode;
  PairSplit split;
};

void planSegments(KernelPlan &plan, MatmulOp op) {
  planSlottedSegments(plan, op, /*unblockedUnits=*/8);
}

std::unique_ptr<SlotDecoder> makeDecoder(const KernelEmitter &emitter) {
  return std::make_unique<RadixFieldDecoder>(emitter);
}

} // namespace

int64_t lowbit::getRadixFieldQuadSlot(int64_t quad, int64_t byte) {
  static const int64_t kQuadSlots[3][4] = {
      {0, 2, 4, 6}, {1, 3, 5, 7}, {8, -1, -1, -1}};
  return kQuadSlots[quad][byte];
}

SmallVector<Value> lowbit::decodeRadixFieldQuads(const KernelEmitter &emitter,
                                                 Value words) {
  const KernelPlan &plan = emitter.getPlan();
  assert(plan.kind == LayoutKind::RadixFields && "not radix_fields words");
  numerics::RadixFieldDecode decode =
      *numerics::getRadixFieldDecode(plan.radix);
  PairSplit split = PairSplit::Bytes;
  if (plan.radixDigitPairs)
    split = PairSplit::Tables;
  else if (plan.dot != Int8Dot::Generic && plan.dot != Int8Dot::ArmDotprod &&
           decode.topDigitMultiplier)
    split = PairSplit::HalfWords;
  return RadixFieldQuads(emitter.getBuilder(), emitter.getLoc(), decode, split)
      .decodeQuads(words);
}

const LayoutKernels lowbit::kRadixFieldLayoutKernels = {
    planSegments, planInt8WordQuads, nullptr, makeDecoder,
    makeInt8WordQuadDecoder};

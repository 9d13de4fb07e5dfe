//===- RadixLayout.cpp - base-R digits packed in words --------------------===//
//
// A unit holds n digits as q = sum_i d_i * R^i. Digit i comes out without a
// division: with u_0 = q and u_{i+1} = (u_i * R) mod 2^32, d_i =
// (u_i * R) >> 32 (units store the ceiling of q * 2^32 / R^n). 32-bit units
// are processed as 64-bit lanes holding an even and an odd unit: two
// 32 x 32 -> 64 multiplies per digit give the digits (high halves) and the
// next u (low halves). A second chain starts halfway from
// u_{n/2} = (q * R^(n/2)) mod 2^32 (a 32-bit multiply): two chains of
// dependent multiplies half as long, and no 64 x 64-bit multiply.
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

namespace {

class RadixDecoder : public SlotDecoder {
public:
  using SlotDecoder::SlotDecoder;

  void begin(ArrayRef<Value> units) override {
    int64_t lanes = plan.lanes, n = plan.digits;
    packed.assign(units.begin(), units.end());
    unitType = cast<IntegerType>(
        cast<VectorType>(packed.front().getType()).getElementType());
    paired = lanes % 2 == 0 && unitType.getWidth() == 32;
    // Per column: u of the even and odd units, zero-extended.
    restart = n >= 4 ? n / 2 : 0;
    if (!paired)
      return;
    uint64_t late = 1;
    for (int64_t i = 0; i < restart; ++i)
      late = (late * plan.radix) & 0xFFFFFFFFull;
    Type i64 = b.getI64Type();
    for (Value words : packed) {
      Value pairs =
          vector::BitCastOp::create(b, loc, vectorOf(lanes / 2, i64), words);
      even.push_back(arith::AndIOp::create(b, loc, pairs,
                                           i64Constant(0xFFFFFFFF, lanes / 2)));
      odd.push_back(
          arith::ShRUIOp::create(b, loc, pairs, i64Constant(32, lanes / 2)));
      if (restart) {
        // (q * R^(n/2)) mod 2^32 as a 32-bit multiply: in 64-bit lanes LLVM
        // drops the mask of the operand and emits a 64 x 64 multiply.
        Value lateWords = arith::MulIOp::create(
            b, loc, words,
            splat(arith::ConstantOp::create(
                      b, loc, b.getIntegerAttr(unitType, int32_t(late))),
                  lanes));
        Value latePairs = vector::BitCastOp::create(
            b, loc, vectorOf(lanes / 2, i64), lateWords);
        evenLate.push_back(arith::AndIOp::create(
            b, loc, latePairs, i64Constant(0xFFFFFFFF, lanes / 2)));
        oddLate.push_back(arith::ShRUIOp::create(b, loc, latePairs,
                                                 i64Constant(32, lanes / 2)));
      }
    }
  }

  Value decodeSlot(int64_t c, int64_t i) override {
    int64_t lanes = plan.lanes;
    Type i32 = b.getI32Type(), i64 = b.getI64Type();
    if (paired) {
      if (restart && i == restart) {
        even[c] = evenLate[c];
        odd[c] = oddLate[c];
      }
      Value radix = i64Constant(plan.radix, lanes / 2);
      Value evenProduct = arith::MulIOp::create(b, loc, even[c], radix);
      Value oddProduct = arith::MulIOp::create(b, loc, odd[c], radix);
      Value lowMask = i64Constant(0xFFFFFFFF, lanes / 2);
      Value digits = arith::OrIOp::create(
          b, loc,
          arith::ShRUIOp::create(b, loc, evenProduct,
                                 i64Constant(32, lanes / 2)),
          arith::AndIOp::create(b, loc, oddProduct,
                                i64Constant(~int64_t(0xFFFFFFFF), lanes / 2)));
      Value code =
          vector::BitCastOp::create(b, loc, vectorOf(lanes, i32), digits);
      even[c] = arith::AndIOp::create(b, loc, evenProduct, lowMask);
      odd[c] = arith::AndIOp::create(b, loc, oddProduct, lowMask);
      return code;
    }
    // One unit per 64-bit lane: u_i = q * R^i mod 2^32.
    uint32_t power = 1;
    for (int64_t j = 0; j < i; ++j)
      power *= plan.radix;
    Value scaled = packed[c];
    if (i > 0)
      scaled = arith::MulIOp::create(
          b, loc, packed[c],
          splat(arith::ConstantOp::create(
                    b, loc, b.getIntegerAttr(unitType, int32_t(power))),
                lanes));
    Value wide = arith::ExtUIOp::create(b, loc, vectorOf(lanes, i64), scaled);
    return arith::TruncIOp::create(
        b, loc, vectorOf(lanes, i32),
        arith::ShRUIOp::create(
            b, loc,
            arith::MulIOp::create(b, loc, wide, i64Constant(plan.radix, lanes)),
            i64Constant(32, lanes)));
  }

private:
  Value i64Constant(int64_t value, int64_t count) {
    return splat(arith::ConstantOp::create(
                     b, loc, b.getIntegerAttr(b.getI64Type(), value)),
                 count);
  }

  SmallVector<Value> packed;
  IntegerType unitType;
  bool paired = false;
  int64_t restart = 0;
  SmallVector<Value> even, odd, evenLate, oddLate;
};

void planSegments(KernelPlan &plan, MatmulOp op) {
  planSlottedSegments(plan, op, /*unblockedUnits=*/8);
}

std::unique_ptr<SlotDecoder> makeDecoder(const KernelEmitter &emitter) {
  return std::make_unique<RadixDecoder>(emitter);
}

} // namespace

const LayoutKernels lowbit::kRadixLayoutKernels = {
    planSegments, planInt8WordQuads, nullptr, makeDecoder,
    makeInt8WordQuadDecoder};

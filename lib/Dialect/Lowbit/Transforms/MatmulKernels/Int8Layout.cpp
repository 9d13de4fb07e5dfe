//===- Int8Layout.cpp - int8 weights: one code per byte -------------------===//
//
// A segment is a packing block (or 64 codes when unblocked), loaded as one
// vector of codes that meets the activations in place.
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace lowbit;

namespace {

class Int8Decoder : public ContiguousDecoder {
public:
  using ContiguousDecoder::ContiguousDecoder;

  SmallVector<int64_t> getPieceOffsets() const override { return {0}; }

  SmallVector<Value> decodeCodes(Value units) override { return {units}; }

  SmallVector<Value> decodeDotOperands(Value w, Value &negative) override {
    auto constant = [&](int64_t value) {
      return byteConstant(value, plan.segmentUnits);
    };
    negative = Value();
    switch (plan.weightForm) {
    case Int8WeightForm::Magnitude: {
      // |q| (at most 128, unsigned) meets x with q's sign (|x| <= 127): each
      // pair sum is at most 2 * 128 * 127 in magnitude, within i16.
      Value magnitude = math::AbsIOp::create(b, loc, w);
      negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, w,
                                       constant(0));
      return {magnitude};
    }
    case Int8WeightForm::Offset: // q + 128 = q xor 0x80
      return {arith::XOrIOp::create(b, loc, w, constant(0x80))};
    case Int8WeightForm::Signed:
      return {w};
    }
    llvm_unreachable("unknown weight form");
  }
};

void planSegments(KernelPlan &plan, MatmulOp op) {
  int64_t block = op.getLayout().getBlock();
  plan.segmentCodes = block > 0 ? block : 64;
  plan.segmentUnits = plan.segmentCodes;
  plan.lanes = plan.segmentCodes;
  // Segments are whole cache lines the hardware prefetcher follows.
  plan.prefetchWeights = false;
}

LogicalResult planInt8Segments(KernelPlan &plan, MatmulOp, std::string &) {
  plan.prefetchLines = true;
  return success();
}

std::unique_ptr<ContiguousDecoder> makeDecoder(const KernelEmitter &emitter) {
  return std::make_unique<Int8Decoder>(emitter);
}

} // namespace

const LayoutKernels lowbit::kInt8LayoutKernels = {
    planSegments, planInt8Segments, makeDecoder, nullptr};

//===- KernelEmitter.cpp - vector helpers of the matmul kernels -----------===//

#include "KernelEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace lowbit;

KernelEmitter::KernelEmitter(OpBuilder &b, MatmulOp op, const KernelPlan &plan,
                             PreparedOperands &prepared)
    : VectorEmission(b, op.getLoc()), op(op), plan(plan), prepared(prepared),
      f32(b.getF32Type()) {}

Value KernelEmitter::byteConstant(int64_t value, int64_t lanes) {
  return splat(
      arith::ConstantOp::create(b, loc, b.getIntegerAttr(b.getI8Type(), value)),
      lanes);
}

SmallVector<Value> KernelEmitter::consecutive(Value first, int64_t count) {
  SmallVector<Value> result;
  for (int64_t i = 0; i < count; ++i)
    result.push_back(
        i == 0 ? first : Value(arith::AddIOp::create(b, loc, first, index(i))));
  return result;
}

Value KernelEmitter::multiplyAdd(Value x, Value y, Value acc) {
  auto contract = arith::FastMathFlags::contract;
  Value product = arith::MulFOp::create(b, loc, x, y, contract);
  return arith::AddFOp::create(b, loc, acc, product, contract);
}

Value KernelEmitter::accumulate(Value x, Value y, Value acc, bool chained) {
  int64_t lanes = cast<VectorType>(x.getType()).getNumElements();
  int64_t accLanes = cast<VectorType>(acc.getType()).getNumElements();
  if (lanes == accLanes)
    return multiplyAdd(x, y, acc);
  auto slice = [&](Value v, int64_t offset) {
    return Value(vector::ExtractStridedSliceOp::create(b, loc, v, {offset},
                                                       {accLanes}, {1}));
  };
  if (!chained) {
    Value products = arith::MulFOp::create(b, loc, x, y);
    return arith::AddFOp::create(b, loc, acc, sumSlices(products, accLanes),
                                 arith::FastMathFlags::reassoc);
  }
  for (int64_t offset = 0; offset < lanes; offset += accLanes)
    acc = multiplyAdd(slice(x, offset), slice(y, offset), acc);
  return acc;
}

Value KernelEmitter::sumSlices(Value v, int64_t lanes) {
  int64_t total = cast<VectorType>(v.getType()).getNumElements();
  SmallVector<Value> parts;
  for (int64_t offset = 0; offset < total; offset += lanes)
    parts.push_back(total == lanes
                        ? v
                        : Value(vector::ExtractStridedSliceOp::create(
                              b, loc, v, {offset}, {lanes}, {1})));
  while (parts.size() > 1) {
    SmallVector<Value> next;
    for (size_t i = 0; i + 1 < parts.size(); i += 2)
      next.push_back(
          isa<FloatType>(getElementTypeOrSelf(v.getType()))
              ? Value(arith::AddFOp::create(b, loc, parts[i], parts[i + 1],
                                            arith::FastMathFlags::reassoc))
              : Value(arith::AddIOp::create(b, loc, parts[i], parts[i + 1])));
    if (parts.size() % 2)
      next.push_back(parts.back());
    parts = std::move(next);
  }
  return parts.front();
}

Value KernelEmitter::accumulateDot(Value dot, Value scale, Value acc) {
  if (!scale) // i32 sums are exact in any order
    return arith::AddIOp::create(
        b, loc, acc,
        sumSlices(dot, cast<VectorType>(acc.getType()).getNumElements()));
  int64_t lanes = cast<VectorType>(dot.getType()).getNumElements();
  Value asFloat = arith::SIToFPOp::create(b, loc, vectorOf(lanes, f32), dot);
  if (!isa<VectorType>(scale.getType()))
    scale = splat(scale, lanes);
  return accumulate(asFloat, scale, acc, /*chained=*/true);
}

Value KernelEmitter::sideBySide(Value first, Value second, int64_t offset,
                                int64_t count) {
  int64_t size = cast<VectorType>(first.getType()).getNumElements();
  SmallVector<int64_t> lanes;
  for (int64_t i = 0; i < count; ++i)
    lanes.push_back(offset + i);
  for (int64_t i = 0; i < count; ++i)
    lanes.push_back(size + offset + i);
  return vector::ShuffleOp::create(b, loc, first, second, lanes);
}

Value KernelEmitter::tileScales(ArrayRef<Value> columns, Value segment,
                                int64_t groups, int64_t g, bool partial) {
  int64_t numGroups =
      cast<RankedTensorType>(op.getScales().getType()).getDimSize(1);
  Value group = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, segment, index(groups)), index(g));
  if (partial)
    group = arith::MinSIOp::create(b, loc, group, index(numGroups - 1));
  Value s0 = readParam(op.getScales(), {columns[0], group});
  Value s1 = readParam(op.getScales(), {columns[1], group});
  return vector::FromElementsOp::create(b, loc, vectorOf(4, f32),
                                        ValueRange{s0, s1, s0, s1});
}

Value KernelEmitter::channelScale(Value column) {
  SmallVector<Value> indices;
  if (op.getScheme().getGranularity() == GranularityKind::PerChannel)
    indices.push_back(column);
  return readParam(op.getScales(), indices);
}

Value KernelEmitter::tileOutput(ArrayRef<Value> tiles, int64_t r, int64_t c) {
  return vector::ExtractOp::create(b, loc, tiles[r / 2],
                                   ArrayRef<int64_t>{2 * (r % 2) + c});
}

Value KernelEmitter::scaleAndBias(Value total, Value multiplier,
                                  Value column) {
  if (multiplier)
    total = arith::MulFOp::create(b, loc, total, multiplier);
  if (Value bias = op.getBias())
    total = arith::AddFOp::create(
        b, loc, total, tensor::ExtractOp::create(b, loc, bias, column));
  return total;
}

SmallVector<Value> KernelEmitter::walkSegments(
    ValueRange init,
    function_ref<SmallVector<Value>(Value, ValueRange, bool)> body) {
  int64_t k = op.getInput().getType().getDimSize(1);
  int64_t fullSegments = k / plan.segmentCodes;
  // Slotted units are read as a wider vector than a block holds: the last
  // block's read must be bounds-checked.
  if (plan.slotted)
    fullSegments = std::min(fullSegments, plan.numSegments - 1);
  auto loop = scf::ForOp::create(
      b, loc, index(0), index(fullSegments), index(1), init,
      [&](OpBuilder &, Location, Value segment, ValueRange accs) {
        scf::YieldOp::create(b, loc, body(segment, accs, false));
      });
  SmallVector<Value> accs(loop.getResults());
  if (fullSegments < plan.numSegments)
    accs = body(index(fullSegments), accs, true);
  return accs;
}

Value KernelEmitter::readParam(Value tensor, ValueRange indices) {
  return toF32(tensor::ExtractOp::create(b, loc, tensor, indices));
}

Value KernelEmitter::toF32(Value value) {
  Type type = value.getType();
  Type target = f32;
  if (auto vector = dyn_cast<VectorType>(type))
    target = vectorOf(vector.getNumElements(), f32);
  Type element = getElementTypeOrSelf(type);
  if (element.isF16() && plan.expandHalf)
    return extendHalf(value, target);
  if (isa<FloatType>(element))
    return element.isF32()
               ? value
               : Value(arith::ExtFOp::create(b, loc, target, value));
  if (op.getScheme().getIsSigned())
    return arith::SIToFPOp::create(b, loc, target, value);
  return arith::UIToFPOp::create(b, loc, target, value);
}

/// The magnitude's bits shifted into place are the f32 of value * 2^-112
/// (subnormal halves included), multiplied back; infinities and NaNs get the
/// f32 exponent; the sign is or-ed in.
Value KernelEmitter::extendHalf(Value value, Type target) {
  Type i32 = b.getI32Type(), i16 = b.getI16Type();
  int64_t lanes = 0;
  if (auto vector = dyn_cast<VectorType>(value.getType()))
    lanes = vector.getNumElements();
  auto typeOf = [&](Type element) -> Type {
    return lanes ? Type(vectorOf(lanes, element)) : element;
  };
  auto constant = [&](Type element, TypedAttr attr) {
    Value scalar = arith::ConstantOp::create(b, loc, attr);
    return lanes ? splat(scalar, lanes) : scalar;
  };
  auto i32Constant = [&](int64_t v) {
    return constant(i32, b.getI32IntegerAttr(int32_t(v)));
  };
  Value bits = arith::ExtUIOp::create(
      b, loc, typeOf(i32),
      arith::BitcastOp::create(b, loc, typeOf(i16), value));
  Value sign = arith::ShLIOp::create(
      b, loc, arith::AndIOp::create(b, loc, bits, i32Constant(0x8000)),
      i32Constant(16));
  Value magnitude = arith::ShLIOp::create(
      b, loc, arith::AndIOp::create(b, loc, bits, i32Constant(0x7FFF)),
      i32Constant(13));
  Value scaled = arith::MulFOp::create(
      b, loc, arith::BitcastOp::create(b, loc, target, magnitude),
      constant(f32, b.getF32FloatAttr(0x1p112f)));
  Value special = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                        magnitude, i32Constant(0x7C00 << 13));
  Value result = arith::SelectOp::create(
      b, loc, special,
      arith::OrIOp::create(b, loc, magnitude, i32Constant(0x7F800000)),
      arith::BitcastOp::create(b, loc, typeOf(i32), scaled));
  return arith::BitcastOp::create(b, loc, target,
                                  arith::OrIOp::create(b, loc, result, sign));
}

Value KernelEmitter::readZeroPoint(ValueRange indices) {
  Value value = tensor::ExtractOp::create(b, loc, op.getZeroPoints(), indices);
  auto type = cast<IntegerType>(value.getType());
  Type i32 = b.getI32Type();
  if (type.getWidth() > 32)
    return arith::TruncIOp::create(b, loc, i32, value);
  if (type.getWidth() == 32)
    return value;
  if (op.getScheme().getIsSigned())
    return arith::ExtSIOp::create(b, loc, i32, value);
  return arith::ExtUIOp::create(b, loc, i32, value);
}

Value KernelEmitter::readActivations(Value row, Value k, Value valid,
                                     int64_t lanes) {
  if (!valid)
    return vector::TransferReadOp::create(
        b, loc, vectorOf(lanes, f32), prepared.activations, ValueRange{row, k},
        f32Constant(0.0f), ArrayRef<bool>{true});
  Value clamped = arith::MaxSIOp::create(
      b, loc, arith::MinSIOp::create(b, loc, valid, index(lanes)), index(0));
  Value mask = vector::CreateMaskOp::create(
      b, loc, vectorOf(lanes, b.getI1Type()), ValueRange{clamped});
  AffineMap minor = AffineMap::getMinorIdentityMap(2, 1, b.getContext());
  return vector::TransferReadOp::create(
      b, loc, vectorOf(lanes, f32), prepared.activations, ValueRange{row, k},
      minor, f32Constant(0.0f), mask, b.getBoolArrayAttr({false}));
}

Value KernelEmitter::readUnits(Value column, Value unit, int64_t lanes,
                               bool lastSegment) {
  Type unitType = op.getPacked().getType().getElementType();
  Value padding =
      arith::ConstantOp::create(b, loc, b.getIntegerAttr(unitType, 0));
  int64_t rowUnits = op.getPacked().getType().getDimSize(1);
  bool inBounds =
      !lastSegment ||
      (plan.numSegments - 1) * plan.segmentUnits + lanes <= rowUnits;
  return vector::TransferReadOp::create(
      b, loc, vectorOf(lanes, unitType), op.getPacked(),
      ValueRange{column, unit}, padding, ArrayRef<bool>{inBounds});
}

Value KernelEmitter::readQuantized(Value row, Value k, int64_t lanes) {
  Value padding = arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(0));
  return vector::TransferReadOp::create(
      b, loc, vectorOf(lanes, b.getI8Type()), prepared.quantizedInput,
      ValueRange{row, k}, padding, ArrayRef<bool>{true});
}

KernelEmitter::Dequantization
KernelEmitter::getDequantization(Value scale, Value zeroPoint, Value min) {
  Dequantization result;
  result.multiplier =
      plan.alpha == 1.0f
          ? scale
          : arith::MulFOp::create(b, loc, scale, f32Constant(plan.alpha));
  result.zeroPoint = zeroPoint;
  if (plan.beta != 0.0f) // (q * alpha + beta) * s
    result.offset =
        arith::MulFOp::create(b, loc, scale, f32Constant(plan.beta));
  if (min)
    result.offset =
        result.offset ? Value(arith::AddFOp::create(b, loc, result.offset, min))
                      : min;
  return result;
}

Value KernelEmitter::dequantize(Value codes, bool isSigned,
                                const Dequantization &params) {
  auto type = cast<VectorType>(codes.getType());
  int64_t lanes = type.getNumElements();
  // Codes wider than i32 (radix digits) fit in i32; signed conversion is
  // the cheap one and exact for non-negative values.
  if (type.getElementTypeBitWidth() > 32) {
    codes =
        arith::TruncIOp::create(b, loc, vectorOf(lanes, b.getI32Type()), codes);
    isSigned = true;
  }
  // (q - z) in i32 is exact; subtracting after scaling would cancel.
  if (params.zeroPoint) {
    auto wide = vectorOf(lanes, b.getI32Type());
    if (type.getElementTypeBitWidth() < 32)
      codes = isSigned ? Value(arith::ExtSIOp::create(b, loc, wide, codes))
                       : Value(arith::ExtUIOp::create(b, loc, wide, codes));
    codes =
        arith::SubIOp::create(b, loc, codes, splat(params.zeroPoint, lanes));
    isSigned = true;
  }
  Value values =
      isSigned
          ? Value(arith::SIToFPOp::create(b, loc, vectorOf(lanes, f32), codes))
          : Value(arith::UIToFPOp::create(b, loc, vectorOf(lanes, f32), codes));
  Value weights = values;
  if (params.multiplier)
    weights =
        arith::MulFOp::create(b, loc, values, splat(params.multiplier, lanes));
  if (params.offset)
    weights =
        arith::AddFOp::create(b, loc, weights, splat(params.offset, lanes));
  return weights;
}

bool KernelEmitter::hasOffset() {
  return plan.beta != 0.0f || op.getMins() || op.getZeroPoints();
}

bool KernelEmitter::hasSlottedOffsets() {
  return plan.slotted && (plan.beta != 0.0f || op.getMins());
}

bool KernelEmitter::accumulatesIntegers() {
  return plan.dynamicInt8 &&
         op.getScheme().getGranularity() != GranularityKind::PerGroup;
}

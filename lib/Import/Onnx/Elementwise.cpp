//===- Elementwise.cpp - unary, binary and variadic elementwise ops -------===//
//
// Every op here is one linalg.generic under numpy broadcasting whose body
// is arith/math on scalars; the lowering approximates math ops without libm
// and vectorizes the generic.
//
//===----------------------------------------------------------------------===//

#include "Converters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {
using Body = Value (*)(NodeContext &, OpBuilder &, Location, ValueRange);

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

Value constantLike(OpBuilder &b, Location loc, Value like, double value) {
  return scalarConstant(b, loc, like.getType(), value);
}

/// Before opset 7, `broadcast = 1` with `axis` places B's dimensions at
/// `axis` of A (not right-aligned), and PRelu's [C] slope follows axis 1:
/// reshaped here so that numpy broadcasting gives the old semantics.
LogicalResult legacyBroadcast(NodeContext &ctx, SmallVector<Value> &inputs) {
  ctx.intAttr("broadcast", 0);
  bool prelu = ctx.node.op_type() == "PRelu";
  if (inputs.size() != 2 || (!ctx.hasAttr("axis") && !prelu))
    return success();
  auto a = cast<RankedTensorType>(inputs[0].getType());
  auto bType = cast<RankedTensorType>(inputs[1].getType());
  int64_t axis = prelu ? 1 : ctx.intAttr("axis", 0);
  if (prelu && (bType.getRank() != 1 || a.getRank() < 2))
    return success();
  if (axis < 0)
    axis += a.getRank();
  if (axis < 0 || axis + bType.getRank() > a.getRank())
    return ctx.emitError() << "broadcast axis " << axis << " out of range";
  SmallVector<int64_t> shape(axis, 1);
  llvm::append_range(shape, bType.getShape());
  shape.append(a.getRank() - shape.size(), 1);
  inputs[1] = reshapeTo(ctx.b, ctx.loc, inputs[1], bType.clone(shape));
  return success();
}

/// Converts a node whose inputs (all of them, numpy-broadcast) map to its
/// one output through `body`.
template <Body body> LogicalResult elementwise(NodeContext &ctx) {
  SmallVector<Value> inputs;
  if (failed(presentInputs(ctx, inputs)))
    return failure();
  RankedTensorType type = ctx.outputType(0);
  if (!type)
    return failure();
  if ((ctx.opset < 7 && failed(legacyBroadcast(ctx, inputs))) ||
      failed(checkBroadcast(ctx, inputs, type)))
    return failure();
  // The body runs once, while the generic is built.
  LogicalResult status = success();
  Value result = buildElementwise(
      ctx.b, ctx.loc, inputs, type,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Value v = body(ctx, b, loc, args);
        if (!v) {
          status = failure();
          // A placeholder keeps the generic well formed until it is erased.
          return scalarConstant(b, loc, type.getElementType(), 0);
        }
        return v;
      });
  if (failed(status)) {
    result.getDefiningOp()->erase();
    return failure();
  }
  ctx.setOutput(0, result);
  return success();
}

Value unsupportedType(NodeContext &ctx, Value v) {
  ctx.emitUnsupported() << ctx.node.op_type() << " on " << v.getType()
                        << " is not supported";
  return {};
}

// Arithmetic ------------------------------------------------------------------

Value add(NodeContext &, OpBuilder &b, Location loc, ValueRange a) {
  Value sum = a[0];
  for (Value v : a.drop_front())
    sum = isFloat(v) ? (Value)arith::AddFOp::create(b, loc, sum, v)
                     : (Value)arith::AddIOp::create(b, loc, sum, v);
  return sum;
}
Value sub(NodeContext &, OpBuilder &b, Location loc, ValueRange a) {
  return isFloat(a[0]) ? (Value)arith::SubFOp::create(b, loc, a[0], a[1])
                       : (Value)arith::SubIOp::create(b, loc, a[0], a[1]);
}
Value mul(NodeContext &, OpBuilder &b, Location loc, ValueRange a) {
  return isFloat(a[0]) ? (Value)arith::MulFOp::create(b, loc, a[0], a[1])
                       : (Value)arith::MulIOp::create(b, loc, a[0], a[1]);
}
Value div(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return arith::DivFOp::create(b, loc, a[0], a[1]);
  // Integer division truncates toward zero (as ONNX Runtime computes it).
  if (ctx.isUnsignedInput(0))
    return arith::DivUIOp::create(b, loc, a[0], a[1]);
  return arith::DivSIOp::create(b, loc, a[0], a[1]);
}
Value pow(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  Value base = a[0], exponent = a[1];
  if (isFloat(base)) {
    if (!isFloat(exponent))
      exponent = castScalar(b, loc, exponent, base.getType(),
                            ctx.isUnsignedInput(1), false);
    else if (exponent.getType() != base.getType())
      exponent = castScalar(b, loc, exponent, base.getType(), false, false);
    return math::PowFOp::create(b, loc, base, exponent);
  }
  if (isFloat(exponent)) {
    // int ^ float: computed in the exponent's type, truncated back.
    Value fbase = castScalar(b, loc, base, exponent.getType(),
                             ctx.isUnsignedInput(0), false);
    Value result = math::PowFOp::create(b, loc, fbase, exponent);
    return castScalar(b, loc, result, base.getType(), false,
                      ctx.isUnsignedInput(0));
  }
  exponent = castScalar(b, loc, exponent, base.getType(),
                        ctx.isUnsignedInput(1), ctx.isUnsignedInput(0));
  return math::IPowIOp::create(b, loc, base, exponent);
}
Value maxOf(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  Value m = a[0];
  for (Value v : a.drop_front())
    m = isFloat(v) ? (Value)arith::MaximumFOp::create(b, loc, m, v)
        : ctx.isUnsignedInput(0) ? (Value)arith::MaxUIOp::create(b, loc, m, v)
                                 : (Value)arith::MaxSIOp::create(b, loc, m, v);
  return m;
}
Value minOf(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  Value m = a[0];
  for (Value v : a.drop_front())
    m = isFloat(v) ? (Value)arith::MinimumFOp::create(b, loc, m, v)
        : ctx.isUnsignedInput(0) ? (Value)arith::MinUIOp::create(b, loc, m, v)
                                 : (Value)arith::MinSIOp::create(b, loc, m, v);
  return m;
}
Value mean(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  if (!isFloat(a[0]))
    return unsupportedType(ctx, a[0]);
  Value sum = add(ctx, b, loc, a);
  return arith::DivFOp::create(b, loc, sum,
                               constantLike(b, loc, sum, a.size()));
}
Value mod(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  bool fmod = ctx.intAttr("fmod", 0);
  if (isFloat(a[0])) {
    if (!fmod) {
      ctx.emitError() << "Mod on floats needs fmod = 1";
      return {};
    }
    return arith::RemFOp::create(b, loc, a[0], a[1]);
  }
  if (ctx.isUnsignedInput(0))
    return arith::RemUIOp::create(b, loc, a[0], a[1]);
  Value rem = arith::RemSIOp::create(b, loc, a[0], a[1]);
  if (fmod)
    return rem;
  // Python semantics: the result takes the divisor's sign.
  Value zero = constantLike(b, loc, rem, 0);
  Value remNeg =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, rem, zero);
  Value divNeg =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a[1], zero);
  Value nonzero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, rem, zero);
  Value differ = arith::XOrIOp::create(b, loc, remNeg, divNeg);
  Value fix = arith::AndIOp::create(b, loc, differ, nonzero);
  Value adjusted = arith::AddIOp::create(b, loc, rem, a[1]);
  return arith::SelectOp::create(b, loc, fix, adjusted, rem);
}

// Unary math
// -------------------------------------------------------------------

template <typename OpTy>
Value floatUnary(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  if (!isFloat(a[0]))
    return unsupportedType(ctx, a[0]);
  return OpTy::create(b, loc, a[0]);
}
Value neg(NodeContext &, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return arith::NegFOp::create(b, loc, a[0]);
  return arith::SubIOp::create(b, loc, constantLike(b, loc, a[0], 0), a[0]);
}
Value abs(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return math::AbsFOp::create(b, loc, a[0]);
  if (ctx.isUnsignedInput(0))
    return a[0];
  return math::AbsIOp::create(b, loc, a[0]);
}
Value reciprocal(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  if (!isFloat(a[0]))
    return unsupportedType(ctx, a[0]);
  return arith::DivFOp::create(b, loc, constantLike(b, loc, a[0], 1), a[0]);
}
Value sign(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  Value zero = constantLike(b, loc, a[0], 0);
  Value one = constantLike(b, loc, a[0], 1);
  Value minusOne = constantLike(b, loc, a[0], -1);
  Value pos, neg;
  if (isFloat(a[0])) {
    pos = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a[0], zero);
    neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, a[0], zero);
  } else {
    auto gt = ctx.isUnsignedInput(0) ? arith::CmpIPredicate::ugt
                                     : arith::CmpIPredicate::sgt;
    pos = arith::CmpIOp::create(b, loc, gt, a[0], zero);
    neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a[0], zero);
    if (ctx.isUnsignedInput(0))
      neg = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
  }
  Value negOrZero = arith::SelectOp::create(b, loc, neg, minusOne, zero);
  // NaN stays NaN.
  Value result = arith::SelectOp::create(b, loc, pos, one, negOrZero);
  if (isFloat(a[0])) {
    Value isNan =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, a[0], a[0]);
    result = arith::SelectOp::create(b, loc, isNan, a[0], result);
  }
  return result;
}
Value isNan(NodeContext &, OpBuilder &b, Location loc, ValueRange a) {
  return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, a[0], a[0]);
}
Value isInf(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  bool positive = ctx.intAttr("detect_positive", 1);
  bool negative = ctx.intAttr("detect_negative", 1);
  double inf = std::numeric_limits<double>::infinity();
  Value result = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
  if (positive)
    result = arith::OrIOp::create(
        b, loc, result,
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, a[0],
                              constantLike(b, loc, a[0], inf)));
  if (negative)
    result = arith::OrIOp::create(
        b, loc, result,
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, a[0],
                              constantLike(b, loc, a[0], -inf)));
  return result;
}

// Activations
// ----------------------------------------------------------------------

Value relu(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  Value zero = constantLike(b, loc, a[0], 0);
  if (!isFloat(a[0]))
    return arith::MaxSIOp::create(b, loc, a[0], zero);
  // max(x, 0) keeping NaN: what lenet.mlir's cmpf ugt + select computes.
  Value gt =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UGT, a[0], zero);
  return arith::SelectOp::create(b, loc, gt, a[0], zero);
}
Value sigmoidOf(OpBuilder &b, Location loc, Value x) {
  Value one = constantLike(b, loc, x, 1);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, e));
}
Value sigmoid(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  if (!isFloat(a[0]))
    return unsupportedType(ctx, a[0]);
  return sigmoidOf(b, loc, a[0]);
}
Value leakyRelu(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  Value alpha = constantLike(b, loc, a[0], ctx.floatAttr("alpha", 0.01f));
  Value zero = constantLike(b, loc, a[0], 0);
  Value neg =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, a[0], zero);
  return arith::SelectOp::create(
      b, loc, neg, arith::MulFOp::create(b, loc, a[0], alpha), a[0]);
}
Value prelu(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  Value zero = constantLike(b, loc, a[0], 0);
  if (!isFloat(a[0]))
    return unsupportedType(ctx, a[0]);
  Value neg =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, a[0], zero);
  return arith::SelectOp::create(
      b, loc, neg, arith::MulFOp::create(b, loc, a[0], a[1]), a[0]);
}
Value clampFloat(OpBuilder &b, Location loc, Value x, double lo, double hi) {
  x = arith::MaximumFOp::create(b, loc, x, constantLike(b, loc, x, lo));
  return arith::MinimumFOp::create(b, loc, x, constantLike(b, loc, x, hi));
}
Value hardSigmoid(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  Value alpha = constantLike(b, loc, a[0], ctx.floatAttr("alpha", 0.2f));
  Value beta = constantLike(b, loc, a[0], ctx.floatAttr("beta", 0.5f));
  Value y = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, a[0], alpha), beta);
  return clampFloat(b, loc, y, 0, 1);
}
Value hardSwish(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  Value alpha = constantLike(b, loc, a[0], 1.0 / 6);
  Value beta = constantLike(b, loc, a[0], 0.5);
  Value y = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, a[0], alpha), beta);
  return arith::MulFOp::create(b, loc, a[0], clampFloat(b, loc, y, 0, 1));
}
Value elu(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  Value alpha = constantLike(b, loc, a[0], ctx.floatAttr("alpha", 1.0f));
  Value zero = constantLike(b, loc, a[0], 0);
  Value neg =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, a[0], zero);
  Value em1 = math::ExpM1Op::create(b, loc, a[0]);
  return arith::SelectOp::create(
      b, loc, neg, arith::MulFOp::create(b, loc, alpha, em1), a[0]);
}
Value selu(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  Value alpha = constantLike(
      b, loc, a[0], ctx.floatAttr("alpha", 1.67326319217681884765625f));
  Value gamma = constantLike(
      b, loc, a[0], ctx.floatAttr("gamma", 1.05070102214813232421875f));
  Value zero = constantLike(b, loc, a[0], 0);
  Value neg =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, a[0], zero);
  Value e = math::ExpOp::create(b, loc, a[0]);
  Value negative = arith::SubFOp::create(
      b, loc, arith::MulFOp::create(b, loc, alpha, e), alpha);
  return arith::MulFOp::create(
      b, loc, gamma, arith::SelectOp::create(b, loc, neg, negative, a[0]));
}
Value celu(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  Value alpha = constantLike(b, loc, a[0], ctx.floatAttr("alpha", 1.0f));
  Value zero = constantLike(b, loc, a[0], 0);
  Value em1 =
      math::ExpM1Op::create(b, loc, arith::DivFOp::create(b, loc, a[0], alpha));
  Value negative = arith::MinimumFOp::create(
      b, loc, zero, arith::MulFOp::create(b, loc, alpha, em1));
  return arith::AddFOp::create(
      b, loc, arith::MaximumFOp::create(b, loc, zero, a[0]), negative);
}
Value thresholdedRelu(NodeContext &ctx, OpBuilder &b, Location loc,
                      ValueRange a) {
  Value alpha = constantLike(b, loc, a[0], ctx.floatAttr("alpha", 1.0f));
  Value gt =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a[0], alpha);
  return arith::SelectOp::create(b, loc, gt, a[0],
                                 constantLike(b, loc, a[0], 0));
}
Value softplus(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  // log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large x.
  Value zero = constantLike(b, loc, a[0], 0);
  Value absX = math::AbsFOp::create(b, loc, a[0]);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, absX));
  return arith::AddFOp::create(b, loc,
                               arith::MaximumFOp::create(b, loc, a[0], zero),
                               math::Log1pOp::create(b, loc, e));
}
Value softsign(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  Value one = constantLike(b, loc, a[0], 1);
  Value denominator =
      arith::AddFOp::create(b, loc, one, math::AbsFOp::create(b, loc, a[0]));
  return arith::DivFOp::create(b, loc, a[0], denominator);
}

Value shrink(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  Value lambd = constantLike(b, loc, a[0], ctx.floatAttr("lambd", 0.5f));
  Value bias = constantLike(b, loc, a[0], ctx.floatAttr("bias", 0.0f));
  if (!isFloat(a[0]))
    return unsupportedType(ctx, a[0]);
  Value zero = constantLike(b, loc, a[0], 0);
  Value below = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, a[0],
                                      arith::NegFOp::create(b, loc, lambd));
  Value above =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a[0], lambd);
  Value result = arith::SelectOp::create(
      b, loc, above, arith::SubFOp::create(b, loc, a[0], bias), zero);
  return arith::SelectOp::create(
      b, loc, below, arith::AddFOp::create(b, loc, a[0], bias), result);
}

// Comparisons and logic
// ------------------------------------------------------------

template <arith::CmpFPredicate fp, arith::CmpIPredicate sp,
          arith::CmpIPredicate up>
Value compare(NodeContext &ctx, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return arith::CmpFOp::create(b, loc, fp, a[0], a[1]);
  return arith::CmpIOp::create(b, loc, ctx.isUnsignedInput(0) ? up : sp, a[0],
                               a[1]);
}
Value logicalAnd(NodeContext &, OpBuilder &b, Location loc, ValueRange a) {
  return arith::AndIOp::create(b, loc, a[0], a[1]);
}
Value logicalOr(NodeContext &, OpBuilder &b, Location loc, ValueRange a) {
  return arith::OrIOp::create(b, loc, a[0], a[1]);
}
Value logicalXor(NodeContext &, OpBuilder &b, Location loc, ValueRange a) {
  return arith::XOrIOp::create(b, loc, a[0], a[1]);
}
Value logicalNot(NodeContext &, OpBuilder &b, Location loc, ValueRange a) {
  return arith::XOrIOp::create(
      b, loc, a[0], arith::ConstantOp::create(b, loc, b.getBoolAttr(true)));
}
Value where(NodeContext &, OpBuilder &b, Location loc, ValueRange a) {
  return arith::SelectOp::create(b, loc, a[0], a[1], a[2]);
}

// Ops with special operands
// ---------------------------------------------------------

/// f32 -> bf16 as ONNX 1.12's Cast (opsets up to 17) produces it: the spec
/// names no rounding and its reference drops the low 16 bits (round toward
/// zero); arith.truncf would round to nearest even. A NaN keeps its sign
/// and gets the quiet bit, so that no payload truncates to infinity.
Value truncateToBF16(OpBuilder &b, Location loc, Value x) {
  Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), x);
  Value isNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
  Value quiet = arith::OrIOp::create(
      b, loc, bits, scalarConstant(b, loc, b.getI32Type(), 0x00400000));
  bits = arith::SelectOp::create(b, loc, isNaN, quiet, bits);
  Value high = arith::ShRUIOp::create(
      b, loc, bits, scalarConstant(b, loc, b.getI32Type(), 16));
  Value half = arith::TruncIOp::create(b, loc, b.getI16Type(), high);
  return arith::BitcastOp::create(b, loc, b.getBF16Type(), half);
}

LogicalResult convertCast(NodeContext &ctx) {
  RankedTensorType type = ctx.outputType(0);
  Value input = ctx.input(0);
  if (!type || !input)
    return failure();
  // CastLike takes the target type from its second input.
  int32_t to = ctx.node.op_type() == "CastLike" ? ctx.inputOnnxType(1)
                                                : ctx.intAttr("to", 0);
  bool toUnsigned =
      to == onnx::TensorProto::UINT8 || to == onnx::TensorProto::UINT16 ||
      to == onnx::TensorProto::UINT32 || to == onnx::TensorProto::UINT64;
  bool fromUnsigned = ctx.isUnsignedInput(0);
  ctx.setOutput(
      0, buildElementwise(ctx.b, ctx.loc, input, type,
                          [&](OpBuilder &b, Location loc, ValueRange a) {
                            Type element = type.getElementType();
                            if (!element.isBF16() || a[0].getType().isBF16())
                              return castScalar(b, loc, a[0], element,
                                                fromUnsigned, toUnsigned);
                            // Other sources reach bf16 through f32.
                            Value f32 = castScalar(b, loc, a[0], b.getF32Type(),
                                                   fromUnsigned, false);
                            return truncateToBF16(b, loc, f32);
                          }));
  if (std::optional<SmallVector<int64_t>> ints = ctx.inputInts(0))
    if (!isa<FloatType>(type.getElementType()))
      ctx.setOutputInts(0, *ints);
  return success();
}

LogicalResult convertIdentity(NodeContext &ctx) {
  Value input = ctx.input(0);
  if (!input)
    return failure();
  ctx.setOutput(0, input);
  if (std::optional<SmallVector<int64_t>> ints = ctx.inputInts(0))
    ctx.setOutputInts(0, *ints);
  return success();
}

LogicalResult convertDropout(NodeContext &ctx) {
  // Inference: the identity; the mask is all true. The seed does not matter.
  ctx.intAttr("seed", 0);
  if (ctx.opset < 12 && ctx.intAttr("is_test", 1) == 0)
    return ctx.emitUnsupported() << "Dropout in training mode is not supported";
  ctx.floatAttr("ratio", 0.5f);
  if (ctx.hasInput(2)) {
    std::optional<SmallVector<int64_t>> training = ctx.inputInts(2);
    if (!training || training->empty() || (*training)[0] != 0)
      return ctx.emitUnsupported()
             << "Dropout needs training_mode to be a constant false";
  }
  Value input = ctx.input(0);
  if (!input)
    return failure();
  ctx.setOutput(0, input);
  if (ctx.hasOutput(1)) {
    RankedTensorType maskType = ctx.outputType(1);
    if (!maskType)
      return failure();
    ctx.setOutput(1, filledTensor(ctx.b, ctx.loc, maskType, 1));
  }
  return success();
}

LogicalResult convertClip(NodeContext &ctx) {
  RankedTensorType type = ctx.outputType(0);
  Value input = ctx.input(0);
  if (!type || !input)
    return failure();
  SmallVector<Value> inputs{input};
  int minIndex = -1, maxIndex = -1;
  double minValue = -std::numeric_limits<double>::infinity();
  double maxValue = std::numeric_limits<double>::infinity();
  if (ctx.opset < 11) {
    minValue = ctx.floatAttr("min", -std::numeric_limits<float>::max());
    maxValue = ctx.floatAttr("max", std::numeric_limits<float>::max());
  } else {
    // min / max are tensors (scalars), possibly computed at run time.
    if (ctx.hasInput(1)) {
      minIndex = inputs.size();
      inputs.push_back(ctx.input(1));
    }
    if (ctx.hasInput(2)) {
      maxIndex = inputs.size();
      inputs.push_back(ctx.input(2));
    }
    if (llvm::is_contained(inputs, Value()))
      return failure();
  }
  bool isUnsigned = ctx.isUnsignedInput(0);
  ctx.setOutput(
      0, buildElementwise(
             ctx.b, ctx.loc, inputs, type,
             [&](OpBuilder &b, Location loc, ValueRange a) {
               Value x = a[0];
               bool f = isFloat(x);
               auto maxOp = [&](Value p, Value q) -> Value {
                 if (f)
                   return arith::MaximumFOp::create(b, loc, p, q);
                 return isUnsigned
                            ? (Value)arith::MaxUIOp::create(b, loc, p, q)
                            : (Value)arith::MaxSIOp::create(b, loc, p, q);
               };
               auto minOp = [&](Value p, Value q) -> Value {
                 if (f)
                   return arith::MinimumFOp::create(b, loc, p, q);
                 return isUnsigned
                            ? (Value)arith::MinUIOp::create(b, loc, p, q)
                            : (Value)arith::MinSIOp::create(b, loc, p, q);
               };
               if (minIndex >= 0)
                 x = maxOp(x, a[minIndex]);
               else if (ctx.opset < 11)
                 x = maxOp(x, constantLike(b, loc, x, minValue));
               if (maxIndex >= 0)
                 x = minOp(x, a[maxIndex]);
               else if (ctx.opset < 11)
                 x = minOp(x, constantLike(b, loc, x, maxValue));
               return x;
             }));
  return success();
}

constexpr int64_t kMaxOpset = 17;

const OpConverter kConverters[] = {
    {"Add", 6, kMaxOpset, elementwise<add>},
    {"Sub", 6, kMaxOpset, elementwise<sub>},
    {"Mul", 6, kMaxOpset, elementwise<mul>},
    {"Div", 6, kMaxOpset, elementwise<div>},
    {"Pow", 6, kMaxOpset, elementwise<pow>},
    {"Mod", 10, kMaxOpset, elementwise<mod>},
    {"Max", 6, kMaxOpset, elementwise<maxOf>},
    {"Min", 6, kMaxOpset, elementwise<minOf>},
    {"Sum", 6, kMaxOpset, elementwise<add>},
    {"Mean", 6, kMaxOpset, elementwise<mean>},
    {"Sqrt", 6, kMaxOpset, elementwise<floatUnary<math::SqrtOp>>},
    {"Exp", 6, kMaxOpset, elementwise<floatUnary<math::ExpOp>>},
    {"Log", 6, kMaxOpset, elementwise<floatUnary<math::LogOp>>},
    {"Tanh", 6, kMaxOpset, elementwise<floatUnary<math::TanhOp>>},
    {"Erf", 9, kMaxOpset, elementwise<floatUnary<math::ErfOp>>},
    {"Sin", 7, kMaxOpset, elementwise<floatUnary<math::SinOp>>},
    {"Cos", 7, kMaxOpset, elementwise<floatUnary<math::CosOp>>},
    {"Tan", 7, kMaxOpset, elementwise<floatUnary<math::TanOp>>},
    {"Asin", 7, kMaxOpset, elementwise<floatUnary<math::AsinOp>>},
    {"Acos", 7, kMaxOpset, elementwise<floatUnary<math::AcosOp>>},
    {"Atan", 7, kMaxOpset, elementwise<floatUnary<math::AtanOp>>},
    {"Sinh", 9, kMaxOpset, elementwise<floatUnary<math::SinhOp>>},
    {"Cosh", 9, kMaxOpset, elementwise<floatUnary<math::CoshOp>>},
    {"Asinh", 9, kMaxOpset, elementwise<floatUnary<math::AsinhOp>>},
    {"Acosh", 9, kMaxOpset, elementwise<floatUnary<math::AcoshOp>>},
    {"Atanh", 9, kMaxOpset, elementwise<floatUnary<math::AtanhOp>>},
    {"Floor", 6, kMaxOpset, elementwise<floatUnary<math::FloorOp>>},
    {"Ceil", 6, kMaxOpset, elementwise<floatUnary<math::CeilOp>>},
    {"Round", 11, kMaxOpset, elementwise<floatUnary<math::RoundEvenOp>>},
    {"Neg", 6, kMaxOpset, elementwise<neg>},
    {"Abs", 6, kMaxOpset, elementwise<abs>},
    {"Reciprocal", 6, kMaxOpset, elementwise<reciprocal>},
    {"Sign", 9, kMaxOpset, elementwise<sign>},
    {"IsNaN", 9, kMaxOpset, elementwise<isNan>},
    {"IsInf", 10, kMaxOpset, elementwise<isInf>},
    {"Relu", 6, kMaxOpset, elementwise<relu>},
    {"Sigmoid", 6, kMaxOpset, elementwise<sigmoid>},
    {"LeakyRelu", 6, kMaxOpset, elementwise<leakyRelu>},
    {"PRelu", 6, kMaxOpset, elementwise<prelu>},
    {"HardSigmoid", 6, kMaxOpset, elementwise<hardSigmoid>},
    {"HardSwish", 14, kMaxOpset, elementwise<hardSwish>},
    {"Elu", 6, kMaxOpset, elementwise<elu>},
    {"Selu", 6, kMaxOpset, elementwise<selu>},
    {"Celu", 12, kMaxOpset, elementwise<celu>},
    {"ThresholdedRelu", 10, kMaxOpset, elementwise<thresholdedRelu>},
    {"Softplus", 1, kMaxOpset, elementwise<softplus>},
    {"Softsign", 1, kMaxOpset, elementwise<softsign>},
    {"Equal", 7, kMaxOpset,
     elementwise<compare<arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq,
                         arith::CmpIPredicate::eq>>},
    {"Less", 7, kMaxOpset,
     elementwise<compare<arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt,
                         arith::CmpIPredicate::ult>>},
    {"LessOrEqual", 12, kMaxOpset,
     elementwise<compare<arith::CmpFPredicate::OLE, arith::CmpIPredicate::sle,
                         arith::CmpIPredicate::ule>>},
    {"Greater", 7, kMaxOpset,
     elementwise<compare<arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt,
                         arith::CmpIPredicate::ugt>>},
    {"GreaterOrEqual", 12, kMaxOpset,
     elementwise<compare<arith::CmpFPredicate::OGE, arith::CmpIPredicate::sge,
                         arith::CmpIPredicate::uge>>},
    {"And", 7, kMaxOpset, elementwise<logicalAnd>},
    {"Or", 7, kMaxOpset, elementwise<logicalOr>},
    {"Xor", 7, kMaxOpset, elementwise<logicalXor>},
    {"Not", 1, kMaxOpset, elementwise<logicalNot>},
    {"Where", 9, kMaxOpset, elementwise<where>},
    {"Cast", 6, kMaxOpset, convertCast},
    {"CastLike", 15, kMaxOpset, convertCast},
    {"Shrink", 9, kMaxOpset, elementwise<shrink>},
    {"Clip", 6, kMaxOpset, convertClip},
    {"Identity", 1, kMaxOpset, convertIdentity},
    {"Dropout", 7, kMaxOpset, convertDropout},
};
} // namespace

ArrayRef<OpConverter> lowbit::onnx_import::getElementwiseConverters() {
  return kConverters;
}

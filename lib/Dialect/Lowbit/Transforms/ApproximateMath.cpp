//===- ApproximateMath.cpp - libm-free math for compiled models -----------===//
//
// Every math op a model may contain becomes arith/vector code (plus the math
// ops that are instructions everywhere: sqrt, absf, copysign), so that
// objects need no libm. Upstream MLIR's polynomial approximations and
// expansions do most of the work; what is written here is what upstream lacks
// or gets wrong:
//
// * f16/bf16 ops are computed in f32 (one generic pattern for every op);
// * exp2 without going through exp(x * ln 2) (whose rounding of x * ln 2
//   costs up to ~60 ulp near the overflow edge);
// * sinh/cosh through expm1 and a split exp (upstream's (e^x - e^-x) / 2
//   cancels for small x and overflows early);
// * powf with C99 special values (negative bases with integer exponents,
//   signed zeros, infinities); fpowi/ipowi by binary exponentiation, with a
//   non-constant exponent too (no llvm.powi, which is a __powisf2 call and
//   cannot take a vector exponent);
// * exact rounding ops, where the target has no rounding instructions;
// * math.fma as a contractable multiply-add (llvm.fma is an fmaf call on
//   CPUs without FMA, and the approximations are full of it);
// * the special values of cbrt, tanh and erf that upstream misses.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <limits>

namespace lowbit {
#define GEN_PASS_DEF_LOWBITAPPROXIMATEMATH
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// Arithmetic on one scalar or vector float type (and the integer type of
/// the same shape and width), so that the formulas below read as formulas.
class FloatBuilder {
public:
  FloatBuilder(ImplicitLocOpBuilder &b, Type type) : b(b), type(type) {
    auto floatType = cast<FloatType>(getElementTypeOrSelf(type));
    width = floatType.getWidth();
    mantissaBits = floatType.getFPMantissaWidth() - 1;
    intType = b.getIntegerType(width);
    if (auto vector = dyn_cast<VectorType>(type))
      intType = vector.clone(intType);
  }

  Value f(double value) { return constant(type, b.getFloatAttr(elt(), value)); }
  Value i(int64_t value) {
    return constant(intType,
                    b.getIntegerAttr(getElementTypeOrSelf(intType), value));
  }
  Value inf() { return f(std::numeric_limits<double>::infinity()); }
  Value nan() { return f(std::numeric_limits<double>::quiet_NaN()); }

  Value add(Value x, Value y) { return arith::AddFOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, x, y); }
  Value neg(Value x) { return arith::NegFOp::create(b, x); }
  /// x * y + z, fused where the target can (see fmaToMulAdd).
  Value fma(Value x, Value y, Value z) {
    return math::FmaOp::create(b, x, y, z);
  }
  Value abs(Value x) { return math::AbsFOp::create(b, x); }
  Value copySign(Value x, Value sign) {
    return math::CopySignOp::create(b, x, sign);
  }
  Value sqrt(Value x) { return math::SqrtOp::create(b, x); }
  Value cmp(arith::CmpFPredicate predicate, Value x, Value y) {
    return arith::CmpFOp::create(b, predicate, x, y);
  }
  Value icmp(arith::CmpIPredicate predicate, Value x, Value y) {
    return arith::CmpIOp::create(b, predicate, x, y);
  }
  Value select(Value condition, Value x, Value y) {
    return arith::SelectOp::create(b, condition, x, y);
  }
  Value andI(Value x, Value y) { return arith::AndIOp::create(b, x, y); }
  Value orI(Value x, Value y) { return arith::OrIOp::create(b, x, y); }
  Value notI(Value x) {
    Value ones = constant(x.getType(), b.getBoolAttr(true));
    return arith::XOrIOp::create(b, x, ones);
  }
  Value isNaN(Value x) { return cmp(arith::CmpFPredicate::UNO, x, x); }
  Value toInt(Value x) { return arith::BitcastOp::create(b, intType, x); }
  Value toFloat(Value x) { return arith::BitcastOp::create(b, type, x); }
  /// The sign bit of x as an i1 (true for -0.0 and negative NaNs).
  Value signBit(Value x) {
    return icmp(arith::CmpIPredicate::slt, toInt(x), i(0));
  }

  /// Rounds to the nearest integer, ties to even, by adding and subtracting
  /// 2^mantissaBits (exact under the default rounding mode; the optimizer
  /// may not fold it without fast-math flags). NaN and large values pass.
  Value roundEven(Value x) {
    Value big = f(std::ldexp(1.0, mantissaBits));
    Value magnitude = abs(x);
    Value rounded = sub(add(magnitude, big), big);
    Value small = cmp(arith::CmpFPredicate::OLT, magnitude, big);
    return copySign(select(small, rounded, magnitude), x);
  }
  Value floor(Value x) {
    Value r = roundEven(x);
    Value above = cmp(arith::CmpFPredicate::OGT, r, x);
    return copySign(select(above, sub(r, f(1.0)), r), x);
  }
  Value ceil(Value x) {
    Value r = roundEven(x);
    Value below = cmp(arith::CmpFPredicate::OLT, r, x);
    return copySign(select(below, add(r, f(1.0)), r), x);
  }
  Value trunc(Value x) { return copySign(floor(abs(x)), x); }
  /// Half away from zero: |x| - trunc(|x|) is exact.
  Value round(Value x) {
    Value magnitude = abs(x);
    Value t = floor(magnitude);
    Value up = cmp(arith::CmpFPredicate::OGE, sub(magnitude, t), f(0.5));
    return copySign(select(up, add(t, f(1.0)), t), x);
  }

  /// 2^x for f32 (see Exp2ToPolynomial).
  Value exp2(Value x);

  Type getType() const { return type; }
  Type getIntType() const { return intType; }
  unsigned getWidth() const { return width; }

private:
  Type elt() { return getElementTypeOrSelf(type); }
  Value constant(Type t, TypedAttr scalar) {
    if (auto vector = dyn_cast<VectorType>(t))
      return arith::ConstantOp::create(b,
                                       DenseElementsAttr::get(vector, scalar));
    return arith::ConstantOp::create(b, scalar);
  }

  ImplicitLocOpBuilder &b;
  Type type, intType;
  unsigned width, mantissaBits;
};

/// Scalars and vectors (of any rank) only: the upstream patterns build
/// vector constants and would produce invalid IR on tensors.
bool isScalarOrVector(Type type) {
  return type.isIntOrIndexOrFloat() || isa<VectorType>(type);
}

/// An integer constant of a scalar or vector integer type.
Value intSplat(ImplicitLocOpBuilder &b, Type type, int64_t value) {
  auto attr = b.getIntegerAttr(getElementTypeOrSelf(type), value);
  if (auto vector = dyn_cast<VectorType>(type))
    return arith::ConstantOp::create(b, DenseElementsAttr::get(vector, attr));
  return arith::ConstantOp::create(b, attr);
}

bool isF32(Type type) { return getElementTypeOrSelf(type).isF32(); }
bool isF32OrF64(Type type) {
  return getElementTypeOrSelf(type).isF32() ||
         getElementTypeOrSelf(type).isF64();
}
bool anyType(Type) { return true; }

/// Marks an op that a formula below re-creates around an upstream
/// approximation (to fix its special values), so that the formula does not
/// match it again and the upstream pattern takes it.
constexpr llvm::StringLiteral kWrapped = "lowbit.wrapped";

template <typename OpTy> Value createWrapped(ImplicitLocOpBuilder &b, Value x) {
  auto op = OpTy::create(b, x);
  op->setAttr(kWrapped, b.getUnitAttr());
  return op;
}

using UnaryFormula = Value (*)(ImplicitLocOpBuilder &, FloatBuilder &, Value);

/// Replaces a unary f32 op by `formula(x)`. Benefit 2: it wins over an
/// upstream pattern for the same op.
template <typename OpTy, UnaryFormula formula>
struct UnaryPattern : OpRewritePattern<OpTy> {
  UnaryPattern(MLIRContext *context)
      : OpRewritePattern<OpTy>(context, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!isF32(op.getType()) || op->hasAttr(kWrapped))
      return failure();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    FloatBuilder fb(b, op.getType());
    rewriter.replaceOp(op, formula(b, fb, op.getOperand()));
    return success();
  }
};

/// Replaces an op whose result type `applies` accepts by the value
/// `expansion` builds in its place.
template <typename OpTy, bool (*applies)(Type),
          Value (*expansion)(ImplicitLocOpBuilder &, OpTy)>
struct ExpansionPattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!applies(op.getType()))
      return failure();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    rewriter.replaceOp(op, expansion(b, op));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// f16 / bf16: compute in f32
//===----------------------------------------------------------------------===//

/// Any math op on f16/bf16 (except the bit operations absf and copysign)
/// becomes the same op on f32 between extf and truncf, so that the f32
/// approximations below apply.
struct ExtendToF32 : RewritePattern {
  ExtendToF32(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/2, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<math::MathDialect>(op->getDialect()) ||
        isa<math::AbsFOp, math::CopySignOp>(op) || op->getNumResults() != 1)
      return failure();
    auto isSmallFloat = [](Type type) {
      Type element = getElementTypeOrSelf(type);
      return element.isF16() || element.isBF16();
    };
    if (!isSmallFloat(op->getResult(0).getType()) ||
        !isScalarOrVector(op->getResult(0).getType()))
      return failure();
    auto widen = [&](Type type) -> Type {
      if (!isSmallFloat(type))
        return type;
      if (auto vector = dyn_cast<VectorType>(type))
        return vector.clone(rewriter.getF32Type());
      return rewriter.getF32Type();
    };
    SmallVector<Value> operands;
    for (Value operand : op->getOperands()) {
      Type wide = widen(operand.getType());
      operands.push_back(
          wide == operand.getType()
              ? operand
              : arith::ExtFOp::create(rewriter, op->getLoc(), wide, operand)
                    .getResult());
    }
    Type narrow = op->getResult(0).getType();
    OperationState state(op->getLoc(), op->getName(), operands, {widen(narrow)},
                         op->getAttrs());
    Operation *wideOp = rewriter.create(state);
    rewriter.replaceOpWithNewOp<arith::TruncFOp>(op, narrow,
                                                 wideOp->getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Rounding, fma
//===----------------------------------------------------------------------===//

template <typename OpTy>
Value expandRounding(ImplicitLocOpBuilder &b, OpTy op) {
  FloatBuilder fb(b, op.getType());
  Value x = op.getOperand();
  if constexpr (std::is_same_v<OpTy, math::FloorOp>)
    return fb.floor(x);
  else if constexpr (std::is_same_v<OpTy, math::CeilOp>)
    return fb.ceil(x);
  else if constexpr (std::is_same_v<OpTy, math::TruncOp>)
    return fb.trunc(x);
  else if constexpr (std::is_same_v<OpTy, math::RoundOp>)
    return fb.round(x);
  else
    return fb.roundEven(x);
}

template <typename OpTy>
using RoundingExpansion =
    ExpansionPattern<OpTy, isF32OrF64, expandRounding<OpTy>>;

/// math.fma -> mulf + addf with `contract`: LLVM fuses them into one
/// instruction where the target has FMA, and never calls fmaf.
Value fmaToMulAdd(ImplicitLocOpBuilder &b, math::FmaOp op) {
  auto flags = arith::FastMathFlagsAttr::get(
      b.getContext(), op.getFastmath() | arith::FastMathFlags::contract);
  Value product = arith::MulFOp::create(b, op.getA(), op.getB(), flags);
  return arith::AddFOp::create(b, product, op.getC(), flags);
}

//===----------------------------------------------------------------------===//
// exp2, log10, rsqrt
//===----------------------------------------------------------------------===//

/// 2^x = 2^n * 2^f with n = roundeven(x), |f| <= 1/2 exact, 2^f by its
/// Taylor series to degree 7 (truncation < 2^-27 relative), and 2^n applied
/// as two factors so that results down to the denormals and up to the
/// overflow edge need no special case.
Value FloatBuilder::exp2(Value x) {
  Value clamped = arith::MaximumFOp::create(
      b, arith::MinimumFOp::create(b, x, f(130.0)), f(-160.0));
  Value n = roundEven(clamped);
  Value r = sub(clamped, n);
  double ln2 = std::log(2.0);
  Value p = f(std::pow(ln2, 7) / 5040);
  double factorial = 720;
  for (int k = 6; k >= 0; --k) {
    p = fma(p, r, f(std::pow(ln2, k) / factorial));
    factorial /= std::max(k, 1);
  }
  // n in [-160, 130]: 2^(n/2) and 2^(n - n/2) are normal floats.
  Value ni = arith::FPToSIOp::create(b, intType, n);
  Value half = arith::ShRSIOp::create(b, ni, i(1));
  Value rest = arith::SubIOp::create(b, ni, half);
  auto pow2 = [&](Value k) {
    Value biased = arith::AddIOp::create(b, k, i(127));
    return toFloat(arith::ShLIOp::create(b, biased, i(23)));
  };
  Value result = mul(mul(p, pow2(half)), pow2(rest));
  return select(isNaN(x), x, result);
}

Value expandExp2(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value x) {
  return fb.exp2(x);
}

/// log10(x) = log2(x) * log10(2): one extra rounding, relative error kept
/// near x = 1 (unlike log(x) / log(10) evaluated from a shifted argument).
Value expandLog10(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value x) {
  Value log2 = math::Log2Op::create(b, x);
  return fb.mul(log2, fb.f(std::log10(2.0)));
}

/// rsqrt(x) = 1 / sqrt(x): both are correctly rounded instructions, so the
/// result is within 1 ulp (see docs/Math.md for why not an estimate).
Value expandRsqrt(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value x) {
  return fb.div(fb.f(1.0), fb.sqrt(x));
}

//===----------------------------------------------------------------------===//
// Hyperbolic functions
//===----------------------------------------------------------------------===//

/// e^|x| / 2 without overflowing before the result does:
/// (e^(|x|/2) / 2) * e^(|x|/2), both factors finite up to |x| < 177.
Value halfExpSplit(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value a) {
  Value e = math::ExpOp::create(b, fb.mul(a, fb.f(0.5)));
  return fb.mul(fb.mul(e, fb.f(0.5)), e);
}

/// sinh(x) = sign(x) * (u + u / (u + 1)) / 2 with u = expm1(|x|): no
/// cancellation for small x; e^|x| / 2 (split) beyond 88, where e^-|x|
/// does not matter and exp(|x|) alone would overflow.
Value expandSinh(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value x) {
  Value a = fb.abs(x);
  Value u = math::ExpM1Op::create(b, a);
  Value small = fb.mul(fb.add(u, fb.div(u, fb.add(u, fb.f(1.0)))), fb.f(0.5));
  Value large = halfExpSplit(b, fb, a);
  Value isLarge = fb.cmp(arith::CmpFPredicate::OGT, a, fb.f(88.0));
  return fb.copySign(fb.select(isLarge, large, small), x);
}

/// cosh(x) = (e + 1/e) / 2 with e = e^|x|; e^|x| / 2 (split) beyond 88.
Value expandCosh(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value x) {
  Value a = fb.abs(x);
  Value e = math::ExpOp::create(b, a);
  Value small = fb.mul(fb.add(e, fb.div(fb.f(1.0), e)), fb.f(0.5));
  Value large = halfExpSplit(b, fb, a);
  Value isLarge = fb.cmp(arith::CmpFPredicate::OGT, a, fb.f(88.0));
  return fb.select(isLarge, large, small);
}

/// asinh(x) = sign(x) * log1p(a + a^2 / (1 + sqrt(1 + a^2))), a = |x|;
/// log(a) + ln 2 beyond 2^12, where a^2 + 1 = a^2 in f32.
Value expandAsinh(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value x) {
  Value a = fb.abs(x);
  Value a2 = fb.mul(a, a);
  Value t =
      fb.add(a, fb.div(a2, fb.add(fb.f(1.0), fb.sqrt(fb.add(fb.f(1.0), a2)))));
  Value small = math::Log1pOp::create(b, t);
  Value large = fb.add(math::LogOp::create(b, a), fb.f(std::log(2.0)));
  Value isLarge = fb.cmp(arith::CmpFPredicate::OGT, a, fb.f(4096.0));
  return fb.copySign(fb.select(isLarge, large, small), x);
}

/// acosh(x) = log1p(t + sqrt(t * (t + 2))), t = x - 1 (exact near 1);
/// log(x) + ln 2 beyond 2^12.
Value expandAcosh(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value x) {
  Value t = fb.sub(x, fb.f(1.0));
  Value small = math::Log1pOp::create(
      b, fb.add(t, fb.sqrt(fb.mul(t, fb.add(t, fb.f(2.0))))));
  Value large = fb.add(math::LogOp::create(b, x), fb.f(std::log(2.0)));
  Value isLarge = fb.cmp(arith::CmpFPredicate::OGT, x, fb.f(4096.0));
  Value result = fb.select(isLarge, large, small);
  return fb.select(fb.cmp(arith::CmpFPredicate::OLT, x, fb.f(1.0)), fb.nan(),
                   result);
}

/// atanh(x) = sign(x) * log1p(2a / (1 - a)) / 2, a = |x|.
Value expandAtanh(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value x) {
  Value a = fb.abs(x);
  Value l =
      math::Log1pOp::create(b, fb.div(fb.add(a, a), fb.sub(fb.f(1.0), a)));
  return fb.copySign(fb.mul(l, fb.f(0.5)), x);
}

//===----------------------------------------------------------------------===//
// Powers
//===----------------------------------------------------------------------===//

/// x^n by binary exponentiation over the bits of n (as compiler-rt's
/// __powisf2 does, so the result is what llvm.powi computes): a constant n
/// gives the multiplications only; a non-constant n (scalar or vector) every
/// bit's multiply and a select. Negative n: 1 / x^|n|.
Value expandFPowI(ImplicitLocOpBuilder &b, math::FPowIOp op) {
  FloatBuilder fb(b, op.getType());
  Value base = op.getLhs();
  Value n = op.getRhs();
  APInt constant;
  if (matchPattern(n, m_ConstantInt(&constant))) {
    int64_t power = constant.getSExtValue();
    uint64_t bits = power < 0 ? 0 - uint64_t(power) : uint64_t(power);
    Value result = fb.f(1.0);
    bool first = true;
    for (Value square = base; bits; bits >>= 1) {
      if (bits & 1) {
        result = first ? square : fb.mul(result, square);
        first = false;
      }
      if (bits > 1)
        square = fb.mul(square, square);
    }
    if (power < 0)
      result = fb.div(fb.f(1.0), result);
    return result;
  }
  Type intType = n.getType();
  unsigned width = getElementTypeOrSelf(intType).getIntOrFloatBitWidth();
  auto intConst = [&](int64_t value) { return intSplat(b, intType, value); };
  Value zero = intConst(0);
  Value negative = fb.icmp(arith::CmpIPredicate::slt, n, zero);
  // |n| as an unsigned number (INT_MIN included).
  Value bits = fb.select(negative, arith::SubIOp::create(b, zero, n), n);
  Value result = fb.f(1.0);
  Value square = base;
  for (unsigned bit = 0; bit < width; ++bit) {
    Value set = fb.icmp(arith::CmpIPredicate::ne,
                        arith::AndIOp::create(b, bits, intConst(1)), zero);
    result = fb.select(set, fb.mul(result, square), result);
    if (bit + 1 < width) {
      square = fb.mul(square, square);
      bits = arith::ShRUIOp::create(b, bits, intConst(1));
    }
  }
  return fb.select(negative, fb.div(fb.f(1.0), result), result);
}

/// Integer x^n by binary exponentiation (wrapping like repeated muli). For
/// n < 0 the result is 1 / x^|n| truncated: 1 for x = 1, +-1 for x = -1, 0
/// otherwise (also for x = 0, where it is undefined).
Value expandIPowI(ImplicitLocOpBuilder &b, math::IPowIOp op) {
  Type type = op.getType();
  unsigned width = getElementTypeOrSelf(type).getIntOrFloatBitWidth();
  auto intConst = [&](int64_t value) { return intSplat(b, type, value); };
  auto icmp = [&](arith::CmpIPredicate predicate, Value x, Value y) {
    return arith::CmpIOp::create(b, predicate, x, y);
  };
  Value x = op.getLhs(), n = op.getRhs();
  Value zero = intConst(0), one = intConst(1), minusOne = intConst(-1);
  Value bits = n;
  Value result = one;
  Value square = x;
  for (unsigned bit = 0; bit + 1 < width; ++bit) {
    Value set = icmp(arith::CmpIPredicate::ne,
                     arith::AndIOp::create(b, bits, one), zero);
    result = arith::SelectOp::create(
        b, set, arith::MulIOp::create(b, result, square), result);
    if (bit + 2 < width) {
      square = arith::MulIOp::create(b, square, square);
      bits = arith::ShRUIOp::create(b, bits, one);
    }
  }
  // n < 0: x = 1 -> 1, x = -1 -> (-1)^n, else 0.
  Value odd =
      icmp(arith::CmpIPredicate::ne, arith::AndIOp::create(b, n, one), zero);
  Value ofMinusOne = arith::SelectOp::create(b, odd, minusOne, one);
  Value negativeResult = arith::SelectOp::create(
      b, icmp(arith::CmpIPredicate::eq, x, one), one,
      arith::SelectOp::create(b, icmp(arith::CmpIPredicate::eq, x, minusOne),
                              ofMinusOne, zero));
  Value negative = icmp(arith::CmpIPredicate::slt, n, zero);
  return arith::SelectOp::create(b, negative, negativeResult, result);
}

/// pow(x, y) = +-2^(y * log2|x|) with the C99 special cases: x^0 = 1 and
/// 1^y = 1 (even for NaN), (+-1)^+-inf = 1, negative finite x with a
/// non-integer y = NaN, the sign of x kept for odd integer y (-0 and -inf
/// included). y = 2, 3, -1, 1/2 are exact or correctly rounded forms.
Value expandPowF(ImplicitLocOpBuilder &b, math::PowFOp op) {
  FloatBuilder fb(b, op.getType());
  using P = arith::CmpFPredicate;
  Value x = op.getLhs(), y = op.getRhs();
  APFloat constant(0.0f);
  if (matchPattern(y, m_ConstantFloat(&constant))) {
    if (constant.isExactlyValue(1.0))
      return x;
    if (constant.isExactlyValue(2.0))
      return fb.mul(x, x);
    if (constant.isExactlyValue(3.0))
      return fb.mul(fb.mul(x, x), x);
    if (constant.isExactlyValue(-1.0))
      return fb.div(fb.f(1.0), x);
    if (constant.isExactlyValue(0.5)) {
      // pow(-0, 0.5) = +0 (sqrt(-0) = -0) and pow(-inf, 0.5) = +inf.
      Value root = fb.add(fb.sqrt(x), fb.f(0.0));
      return fb.select(fb.cmp(P::OEQ, x, fb.neg(fb.inf())), fb.inf(), root);
    }
  }
  Value a = fb.abs(x);
  Value t = fb.mul(y, math::Log2Op::create(b, a));
  Value r = math::Exp2Op::create(b, t);
  // y odd: y an integer and y / 2 not (|y| >= 2^24 are all even).
  Value yIsInt = fb.cmp(P::OEQ, fb.trunc(y), y);
  Value halfY = fb.mul(y, fb.f(0.5));
  Value yIsOdd = fb.andI(yIsInt, fb.cmp(P::ONE, fb.trunc(halfY), halfY));
  r = fb.select(fb.andI(fb.signBit(x), yIsOdd), fb.neg(r), r);
  Value negativeFinite = fb.andI(fb.cmp(P::OLT, x, fb.f(0.0)),
                                 fb.cmp(P::ONE, x, fb.neg(fb.inf())));
  r = fb.select(fb.andI(negativeFinite, fb.notI(yIsInt)), fb.nan(), r);
  Value one =
      fb.orI(fb.orI(fb.cmp(P::OEQ, x, fb.f(1.0)), fb.cmp(P::OEQ, y, fb.f(0.0))),
             fb.andI(fb.cmp(P::OEQ, a, fb.f(1.0)),
                     fb.cmp(P::OEQ, fb.abs(y), fb.inf())));
  return fb.select(one, fb.f(1.0), r);
}

//===----------------------------------------------------------------------===//
// Fixes around upstream approximations
//===----------------------------------------------------------------------===//

/// Upstream log and log2 read the exponent field directly and are wrong for
/// denormal inputs: scale those by 2^24 first.
template <typename OpTy>
Value logOfDenormals(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value x) {
  Value tiny = fb.cmp(arith::CmpFPredicate::OLT, x, fb.f(0x1p-126));
  Value scaled = fb.select(tiny, fb.mul(x, fb.f(0x1p24)), x);
  double shift = std::is_same_v<OpTy, math::LogOp> ? 24 * std::log(2.0) : 24;
  Value log = createWrapped<OpTy>(b, scaled);
  return fb.select(tiny, fb.sub(log, fb.f(shift)), log);
}

/// Upstream exp flushes denormal results to zero: below -87, exp(x / 2)^2.
Value expOfDenormals(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value x) {
  Value small = fb.cmp(arith::CmpFPredicate::OLT, x, fb.f(-87.0));
  Value e =
      createWrapped<math::ExpOp>(b, fb.select(small, fb.mul(x, fb.f(0.5)), x));
  return fb.select(small, fb.mul(e, e), e);
}

/// Upstream erf loses the sign of -0.
Value erfSign(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value x) {
  return fb.copySign(createWrapped<math::ErfOp>(b, x), x);
}

/// Upstream cbrt (bit-trick estimate + Newton steps) gives NaN for +-inf and
/// garbage for denormals: scale those by 2^24 (result by 2^-8), pass 0, inf
/// and NaN through.
Value cbrtSpecials(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value x) {
  Value a = fb.abs(x);
  Value tiny = fb.cmp(arith::CmpFPredicate::OLT, a, fb.f(0x1p-126));
  Value root = createWrapped<math::CbrtOp>(
      b, fb.select(tiny, fb.mul(a, fb.f(0x1p24)), a));
  // One more Newton step, y = (2y + a / y^2) / 3: upstream's two leave
  // up to 12 ulp.
  Value scaledA = fb.select(tiny, fb.mul(a, fb.f(0x1p24)), a);
  root = fb.mul(fb.add(fb.add(root, root), fb.div(scaledA, fb.mul(root, root))),
                fb.f(1.0 / 3));
  root = fb.select(tiny, fb.mul(root, fb.f(0x1p-8)), root);
  Value passThrough = fb.orI(fb.cmp(arith::CmpFPredicate::UEQ, a, fb.f(0.0)),
                             fb.cmp(arith::CmpFPredicate::OEQ, a, fb.inf()));
  return fb.select(passThrough, x, fb.copySign(root, x));
}

//===----------------------------------------------------------------------===//
// sin, cos, tan, atan, atan2
//===----------------------------------------------------------------------===//

// Upstream reduces sin/cos arguments with one rounded pi/2 (errors of 1e-5 at
// |x| ~ 1000, tan NaN for large arguments) and its atan is 40 ulp off. These
// follow the classic Cephes single-precision scheme (S. L. Moshier): a
// three-part Cody-Waite reduction whose products are exact for |k| < 2^13
// with or without FMA, and minimax polynomials on [-pi/4, pi/4].

enum class Trig { Sin, Cos, Tan };

Value trig(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value x, Trig kind) {
  Value k = fb.roundEven(fb.mul(x, fb.f(2 / M_PI)));
  // Quadrants of huge |x| (beyond any accuracy anyway) must not convert
  // out of range.
  Value safeK = fb.select(
      fb.cmp(arith::CmpFPredicate::OLT, fb.abs(k), fb.f(0x1p23)), k, fb.f(0.0));
  Value r = fb.fma(k, fb.f(-1.5703125), x);
  r = fb.fma(k, fb.f(-4.837512969970703125e-4), r);
  r = fb.fma(k, fb.f(-7.54978995489188216e-8), r);
  // Beyond 2^23 the reduction is meaningless: r = 0 keeps results finite.
  r = fb.select(fb.cmp(arith::CmpFPredicate::OGE, fb.abs(k), fb.f(0x1p23)),
                fb.f(0.0), r);
  Value z = fb.mul(r, r);
  Value s = fb.fma(fb.f(-1.9515295891e-4), z, fb.f(8.3321608736e-3));
  s = fb.fma(s, z, fb.f(-1.6666654611e-1));
  s = fb.fma(fb.mul(s, z), r, r);
  Value c = fb.fma(fb.f(2.443315711809948e-5), z, fb.f(-1.388731625493765e-3));
  c = fb.fma(c, z, fb.f(4.166664568298827e-2));
  c = fb.fma(fb.mul(c, z), z, fb.fma(z, fb.f(-0.5), fb.f(1.0)));
  Value q = arith::FPToSIOp::create(b, fb.getIntType(), safeK);
  Value odd = fb.icmp(arith::CmpIPredicate::ne,
                      arith::AndIOp::create(b, q, fb.i(1)), fb.i(0));
  Value second = fb.icmp(arith::CmpIPredicate::ne,
                         arith::AndIOp::create(b, q, fb.i(2)), fb.i(0));
  Value result;
  switch (kind) {
  case Trig::Sin: {
    Value v = fb.select(odd, c, s);
    result = fb.select(second, fb.neg(v), v);
    break;
  }
  case Trig::Cos: {
    // cos(r + q pi/2): c, -s, -c, s.
    Value v = fb.select(odd, s, c);
    Value negate = arith::XOrIOp::create(b, odd, second);
    result = fb.select(negate, fb.neg(v), v);
    break;
  }
  case Trig::Tan:
    result = fb.select(odd, fb.neg(fb.div(c, s)), fb.div(s, c));
    break;
  }
  result = fb.select(fb.cmp(arith::CmpFPredicate::OEQ, fb.abs(x), fb.inf()),
                     fb.nan(), result);
  if (kind == Trig::Cos)
    return result;
  // sin(-0) = tan(-0) = -0 (the reduction yields +0).
  return fb.select(fb.cmp(arith::CmpFPredicate::OEQ, x, fb.f(0.0)), x, result);
}

template <Trig kind>
Value expandTrig(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value x) {
  return trig(b, fb, x, kind);
}

/// atan(a) for a in [0, 1] (or NaN): atan(a) = pi/4 + atan((a-1)/(a+1))
/// above tan(pi/8), and an odd polynomial on [-tan(pi/8), tan(pi/8)].
Value atanUnit(FloatBuilder &fb, Value a) {
  Value mid = fb.cmp(arith::CmpFPredicate::OGT, a, fb.f(0.4142135623730950));
  Value xr =
      fb.select(mid, fb.div(fb.sub(a, fb.f(1.0)), fb.add(a, fb.f(1.0))), a);
  Value base = fb.select(mid, fb.f(M_PI / 4), fb.f(0.0));
  Value z = fb.mul(xr, xr);
  Value p = fb.fma(fb.f(8.05374449538e-2), z, fb.f(-1.38776856032e-1));
  p = fb.fma(p, z, fb.f(1.99777106478e-1));
  p = fb.fma(p, z, fb.f(-3.33329491539e-1));
  p = fb.fma(fb.mul(p, z), xr, xr);
  return fb.add(base, p);
}

Value expandAtan(ImplicitLocOpBuilder &b, FloatBuilder &fb, Value x) {
  Value a = fb.abs(x);
  // atan(a) = pi/2 - atan(1/a) above 1.
  Value big = fb.cmp(arith::CmpFPredicate::OGT, a, fb.f(1.0));
  Value t = atanUnit(fb, fb.select(big, fb.div(fb.f(1.0), a), a));
  t = fb.select(big, fb.sub(fb.f(M_PI / 2), t), t);
  return fb.copySign(t, x);
}

/// atan2(y, x) from atan(min/max) in [0, pi/4], reflected into the octant
/// of (x, y), with C99's zeros and infinities (atan2(+-0, -0) = +-pi,
/// atan2(+-inf, +-inf) = +-pi/4 or +-3pi/4).
struct Atan2Polynomial : OpRewritePattern<math::Atan2Op> {
  Atan2Polynomial(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(math::Atan2Op op,
                                PatternRewriter &rewriter) const override {
    if (!isF32(op.getType()))
      return failure();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    FloatBuilder fb(b, op.getType());
    using P = arith::CmpFPredicate;
    Value y = op.getLhs(), x = op.getRhs();
    Value ax = fb.abs(x), ay = fb.abs(y);
    Value lo = arith::MinimumFOp::create(b, ax, ay);
    Value hi = arith::MaximumFOp::create(b, ax, ay);
    Value ratio = fb.div(lo, hi);
    Value bothInf =
        fb.andI(fb.cmp(P::OEQ, ax, fb.inf()), fb.cmp(P::OEQ, ay, fb.inf()));
    ratio = fb.select(fb.orI(fb.cmp(P::OEQ, hi, fb.f(0.0)), bothInf),
                      fb.select(bothInf, fb.f(1.0), fb.f(0.0)), ratio);
    Value t = atanUnit(fb, ratio);
    t = fb.select(fb.cmp(P::OGT, ay, ax), fb.sub(fb.f(M_PI / 2), t), t);
    t = fb.select(fb.signBit(x), fb.sub(fb.f(M_PI), t), t);
    rewriter.replaceOp(op, fb.copySign(t, y));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct LowbitApproximateMathPass
    : public lowbit::impl::LowbitApproximateMathBase<
          LowbitApproximateMathPass> {
  using LowbitApproximateMathBase::LowbitApproximateMathBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<ExtendToF32>(context);
    patterns.add<UnaryPattern<math::Exp2Op, expandExp2>,
                 UnaryPattern<math::Log10Op, expandLog10>,
                 UnaryPattern<math::RsqrtOp, expandRsqrt>,
                 UnaryPattern<math::SinhOp, expandSinh>,
                 UnaryPattern<math::CoshOp, expandCosh>,
                 UnaryPattern<math::AsinhOp, expandAsinh>,
                 UnaryPattern<math::AcoshOp, expandAcosh>,
                 UnaryPattern<math::AtanhOp, expandAtanh>,
                 UnaryPattern<math::ExpOp, expOfDenormals>,
                 UnaryPattern<math::LogOp, logOfDenormals<math::LogOp>>,
                 UnaryPattern<math::Log2Op, logOfDenormals<math::Log2Op>>,
                 UnaryPattern<math::ErfOp, erfSign>,
                 UnaryPattern<math::CbrtOp, cbrtSpecials>,
                 UnaryPattern<math::SinOp, expandTrig<Trig::Sin>>,
                 UnaryPattern<math::CosOp, expandTrig<Trig::Cos>>,
                 UnaryPattern<math::TanOp, expandTrig<Trig::Tan>>,
                 UnaryPattern<math::AtanOp, expandAtan>>(context);
    patterns.add<ExpansionPattern<math::FPowIOp, isScalarOrVector, expandFPowI>,
                 ExpansionPattern<math::IPowIOp, isScalarOrVector, expandIPowI>,
                 ExpansionPattern<math::PowFOp, isF32, expandPowF>,
                 ExpansionPattern<math::FmaOp, anyType, fmaToMulAdd>,
                 Atan2Polynomial>(context);
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return llvm::is_contained(
          {math::ExpOp::getOperationName(), math::ExpM1Op::getOperationName(),
           math::LogOp::getOperationName(), math::Log2Op::getOperationName(),
           math::Log1pOp::getOperationName(), math::TanhOp::getOperationName(),
           math::ErfOp::getOperationName(), math::ErfcOp::getOperationName(),
           math::AsinOp::getOperationName(), math::AcosOp::getOperationName(),
           math::CbrtOp::getOperationName()},
          name);
    });
    math::populateExpansionPatterns(patterns, {"clampf"});
    if (expandRounding)
      patterns.add<
          RoundingExpansion<math::FloorOp>, RoundingExpansion<math::CeilOp>,
          RoundingExpansion<math::TruncOp>, RoundingExpansion<math::RoundOp>,
          RoundingExpansion<math::RoundEvenOp>>(context);

    // Only math ops on scalars and vectors, and what they turn into.
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<math::MathDialect>(op->getDialect()) &&
          llvm::all_of(op->getResultTypes(), isScalarOrVector))
        ops.push_back(op);
    });
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    if (failed(applyOpPatternsGreedily(ops, std::move(patterns), config)))
      return signalPassFailure();
  }
};

} // namespace

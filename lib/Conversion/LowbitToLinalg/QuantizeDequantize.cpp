//===- QuantizeDequantize.cpp - quantization ops to linalg ----------------===//
//
// lowbit.quantize, lowbit.dequantize and lowbit.requantize as elementwise
// linalg.generic ops whose arithmetic restates the numerics library
// (include/lowbit/Numerics/Quantize.h) operation for operation: IEEE f32,
// the same order, no fast-math flags. Tables (normalized levels, codebooks,
// midpoints) come from numerics::Quantizer itself, so they are the very
// floats the library uses.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "SuperblockLayouts.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::lowbit_to_linalg;

namespace {

//===----------------------------------------------------------------------===//
// quantize / dequantize
//===----------------------------------------------------------------------===//

/// The indices into the parameter tensors for the element at `ivs`.
SmallVector<Value> paramIndices(Emitter &e, SchemeAttr scheme, LoopIndices &ivs,
                                int64_t rank) {
  switch (scheme.getGranularity()) {
  case GranularityKind::PerTensor:
    return {};
  case GranularityKind::PerChannel:
    return {ivs[scheme.getAxis()]};
  case GranularityKind::PerGroup: {
    SmallVector<Value> indices;
    for (int64_t d = 0; d < rank; ++d) {
      Value index = ivs[d];
      if (d == scheme.getAxis() && scheme.getGroupSize() != 1)
        index = e.divu(index, e.index(scheme.getGroupSize()));
      indices.push_back(index);
    }
    return indices;
  }
  }
  llvm_unreachable("unknown granularity");
}

/// The quantizer the numerics library would use for `scheme` (the scheme
/// attribute verifies what numerics::verifyScheme checks).
numerics::Quantizer makeQuantizer(SchemeAttr scheme) {
  numerics::Result<numerics::Quantizer> quantizer =
      numerics::Quantizer::create(scheme.getNumericsScheme());
  assert(quantizer && "scheme attribute admitted an invalid numerics scheme");
  return *quantizer;
}

/// The parameters of one element, as the numerics library reads them.
struct ElementParams {
  Value scale;     ///< f32
  Value zeroPoint; ///< i32, affine only
  Value min;       ///< f32, min_scale only
};

ElementParams readParams(Emitter &e, SchemeAttr scheme, ArrayRef<Value> at,
                         Value scales, Value zeroPoints, Value mins) {
  ElementParams p;
  p.scale = e.toF32(e.extract(scales, at));
  if (scheme.getForm() == ParamForm::Affine)
    p.zeroPoint = e.toI32(e.extract(zeroPoints, at), scheme.getIsSigned());
  if (scheme.getForm() == ParamForm::MinScale)
    p.min = e.toF32(e.extract(mins, at));
  return p;
}

/// `params` (scales or minimums) as f32, converted once up front when they
/// are narrower: f16 -> f32 is exact, and a per-element conversion would be
/// a libcall per element on CPUs without F16C.
Value widenParamsToF32(OpBuilder &b, Location loc, Value params) {
  if (!params)
    return params;
  auto type = cast<RankedTensorType>(params.getType());
  if (type.getElementType().isF32())
    return params;
  auto wideType = RankedTensorType::get(type.getShape(), b.getF32Type());
  Value init = emptyLike(b, loc, wideType, params);
  return buildElementwise(
      b, loc, init, {params},
      [&](OpBuilder &nb, Location l, LoopIndices &, ValueRange args) -> Value {
        Emitter e{nb, l};
        return e.toF32(args[0]);
      });
}

/// An elementwise generic from `input` into `init` whose body `element`
/// gets each input element with its parameters, read as the numerics
/// library reads them.
Value buildWithParams(
    OpBuilder &builder, Location loc, SchemeAttr scheme, Value init,
    Value input, Value scales, Value zeroPoints, Value mins,
    function_ref<Value(Emitter &, Value, const ElementParams &)> element) {
  int64_t rank = cast<RankedTensorType>(init.getType()).getRank();
  return buildElementwise(
      builder, loc, init, {input},
      [&](OpBuilder &b, Location l, LoopIndices &ivs,
          ValueRange args) -> Value {
        Emitter e{b, l};
        SmallVector<Value> at = paramIndices(e, scheme, ivs, rank);
        ElementParams p = readParams(e, scheme, at, scales, zeroPoints, mins);
        return element(e, args[0], p);
      });
}

struct DequantizeLowering : public LowbitPattern<DequantizeOp> {
  // Superblock parameters: rewritten into a dequantize of decoded ones.
  DequantizeLowering(MLIRContext *context) : LowbitPattern(context) {
    setHasBoundedRewriteRecursion();
  }
  FailureOr<SmallVector<Value>>
  lower(DequantizeOp op, OpAdaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    SchemeAttr scheme = op.getScheme();
    if (isSuperblockParams(op.getScales().getType())) {
      // Decode the parameter bytes to f32 scales and mins, then as usual.
      auto [scales, mins] = decodeSuperblockParams(
          rewriter, loc, scheme, type.getShape().back(), adaptor.getScales());
      Value result =
          DequantizeOp::create(rewriter, loc, type, adaptor.getInput(), scales,
                               Value(), mins, scheme);
      return SmallVector<Value>{result};
    }
    numerics::Quantizer quantizer = makeQuantizer(scheme);
    ArrayRef<float> levels = quantizer.getNormalizedLevels();
    bool minScale = scheme.getForm() == ParamForm::MinScale;
    bool codebook = bool(scheme.getCodebook());
    int64_t qmin = quantizer.getQmin();
    // MinScale: T[q - qmin]; codebook symmetric: v[q].
    Value table;
    if (minScale || codebook)
      table = f32Table(rewriter, loc, levels);

    Value input = adaptor.getInput();
    Value init = emptyLike(rewriter, loc, type, input);
    Value scales = widenParamsToF32(rewriter, loc, adaptor.getScales());
    Value zeroPoints = adaptor.getZeroPoints();
    Value mins = widenParamsToF32(rewriter, loc, adaptor.getMins());
    Value result = buildWithParams(
        rewriter, loc, scheme, init, input, scales, zeroPoints, mins,
        [&](Emitter &e, Value code, const ElementParams &p) -> Value {
          // Codes are read with the scheme's signedness.
          Value q = e.toI32(code, scheme.getIsSigned());
          Value x;
          if (minScale) {
            // x = T[q - qmin] * s + m
            Value k = qmin == 0 ? q : e.sub(q, e.i32Const(qmin));
            Value t = e.lookup(table, levels.size(), k);
            x = e.addf(e.mulf(t, p.scale), p.min);
          } else if (codebook) {
            // x = v[q] * s
            x = e.mulf(e.lookup(table, levels.size(), q), p.scale);
          } else {
            // x = float(q - z) * s
            Value d = p.zeroPoint ? e.sub(q, p.zeroPoint) : q;
            x = e.mulf(e.sitofp(d), p.scale);
          }
          return e.castFloat(x, type.getElementType());
        });
    return SmallVector<Value>{result};
  }
};

/// clamp(y, lo, hi) as the numerics library writes it: y > lo ? y : lo, then
/// y < hi ? y : hi (a NaN y becomes lo).
Value clampFloat(Emitter &e, Value y, Value lo, Value hi) {
  y = e.select(e.cmpf(arith::CmpFPredicate::OGT, y, lo), y, lo);
  return e.select(e.cmpf(arith::CmpFPredicate::OLT, y, hi), y, hi);
}

/// R(y) as an i32 for |y| below 2^22 (the callers clamp first). Plain
/// arithmetic, no math.round*: those become libm calls on CPUs without
/// SSE4.1, and compiled models must need only libc.
Value roundToI32(Emitter &e, Value y, RoundingMode mode) {
  switch (mode) {
  case RoundingMode::NearestEven: {
    // y + 1.5 * 2^23 has ulp 1 for |y| < 2^22: the FPU's nearest-even
    // rounding of the sum rounds y; subtracting the constant back is exact.
    Value magic = e.f32Const(12582912.0f);
    return e.fptosi(e.subf(e.addf(y, magic), magic));
  }
  case RoundingMode::NearestAway: {
    // t = trunc(y) exactly; step away from zero when |y - t| >= 1/2.
    Value t = e.fptosi(y);
    Value fraction = e.subf(y, arith::SIToFPOp::create(e.b, e.loc, e.f32(), t));
    Value up = e.cmpf(arith::CmpFPredicate::OGE, fraction, e.f32Const(0.5f));
    Value down = e.cmpf(arith::CmpFPredicate::OLE, fraction, e.f32Const(-0.5f));
    Value one = e.i32Const(1);
    t = e.select(up, e.add(t, one), t);
    return e.select(down, e.sub(t, one), t);
  }
  case RoundingMode::TowardZero:
    return e.fptosi(y); // fptosi truncates
  }
  llvm_unreachable("unknown rounding mode");
}

/// #{ j : t > mids[j] }: the nearest level, ties to the lower index, NaN to 0.
Value nearestIndex(Emitter &e, Value t, ArrayRef<float> mids, Value midTable) {
  Value one = e.i32Const(1), zero = e.i32Const(0);
  if (!midTable) {
    Value k = zero;
    for (float mid : mids) {
      Value above = e.cmpf(arith::CmpFPredicate::OGT, t, e.f32Const(mid));
      k = e.add(k, e.select(above, one, zero));
    }
    return k;
  }
  auto loop = scf::ForOp::create(
      e.b, e.loc, e.index(0), e.index(mids.size()), e.index(1),
      ValueRange{zero},
      [&](OpBuilder &b, Location l, Value j, ValueRange iterArgs) {
        Emitter le{b, l};
        Value mid = le.extract(midTable, {j});
        Value above = le.cmpf(arith::CmpFPredicate::OGT, t, mid);
        Value k = le.add(iterArgs[0], le.select(above, one, zero));
        scf::YieldOp::create(b, l, k);
      });
  return loop.getResult(0);
}

/// Codebooks with more midpoints than this count in an scf.for over a table
/// instead of unrolled comparisons.
constexpr size_t kMaxUnrolledMidpoints = 32;

/// lowbit.quantize as one elementwise generic.
Value lowerQuantize(QuantizeOp op, QuantizeOp::Adaptor adaptor,
                    ConversionPatternRewriter &rewriter, Location loc,
                    RankedTensorType type) {
  SchemeAttr scheme = op.getScheme();
  numerics::Quantizer quantizer = makeQuantizer(scheme);
  bool minScale = scheme.getForm() == ParamForm::MinScale;
  bool codebook = bool(scheme.getCodebook());
  int32_t qmin = quantizer.getQmin(), qmax = quantizer.getQmax();
  RoundingMode rounding = scheme.getRounding();

  // Codebook forms: midpoints between consecutive levels, computed exactly
  // as Quantizer::create does ((T[j] + T[j+1]) / 2 in f32).
  SmallVector<float> mids;
  Value midTable;
  if (codebook) {
    ArrayRef<float> levels = quantizer.getNormalizedLevels();
    for (size_t j = 0; j + 1 < levels.size(); ++j) {
      float sum = levels[j] + levels[j + 1];
      mids.push_back(sum / 2.0f);
    }
    if (mids.size() > kMaxUnrolledMidpoints)
      midTable = f32Table(rewriter, loc, mids);
  }

  Value input = adaptor.getInput();
  Value init = emptyLike(rewriter, loc, type, input);
  Value scales = adaptor.getScales(), zeroPoints = adaptor.getZeroPoints(),
        mins = adaptor.getMins();
  Value result = buildWithParams(
      rewriter, loc, scheme, init, input, scales, zeroPoints, mins,
      [&](Emitter &e, Value element, const ElementParams &p) -> Value {
        Value x = e.toF32(element);
        Value q;
        if (codebook) {
          // t = x / s (symmetric) or (x - m) / s (min_scale).
          Value d = minScale ? e.subf(x, p.min) : x;
          Value t = e.divf(d, p.scale);
          q = nearestIndex(e, t, mids, midTable);
        } else if (minScale) {
          // q = qmin + R(clamp(((x - m) / s) * L, 0, L))
          Value lf = e.f32Const(float(qmax - qmin));
          Value d = e.subf(x, p.min);
          Value t = e.divf(d, p.scale);
          Value y = e.mulf(t, lf);
          Value r =
              roundToI32(e, clampFloat(e, y, e.f32Const(0.0f), lf), rounding);
          q = qmin == 0 ? r : e.add(e.i32Const(qmin), r);
        } else {
          // q = R(clamp(x / s, qmin - z, qmax - z)) + z
          Value y = e.divf(x, p.scale);
          Value lo, hi;
          if (p.zeroPoint) {
            lo = e.sitofp(e.sub(e.i32Const(qmin), p.zeroPoint));
            hi = e.sitofp(e.sub(e.i32Const(qmax), p.zeroPoint));
          } else {
            lo = e.f32Const(float(qmin));
            hi = e.f32Const(float(qmax));
          }
          q = roundToI32(e, clampFloat(e, y, lo, hi), rounding);
          if (p.zeroPoint)
            q = e.add(q, p.zeroPoint);
        }
        // The code value, in the result's integer type.
        return e.castInt(q, type.getElementType(), /*isSigned=*/true);
      });
  return result;
}

//===----------------------------------------------------------------------===//
// requantize
//===----------------------------------------------------------------------===//

/// lowbit.requantize as one elementwise generic.
Value lowerRequantize(RequantizeOp op, RequantizeOp::Adaptor adaptor,
                      ConversionPatternRewriter &rewriter, Location loc,
                      RankedTensorType type) {
  unsigned width = type.getElementTypeBitWidth();
  ArrayRef<int32_t> multipliers = op.getMultiplier(), shifts = op.getShift();
  std::optional<int64_t> axis = op.getAxis();
  // I32Attr getters return the bits as uint32_t; the values are signed.
  int64_t inputZeroPoint = int32_t(op.getInputZeroPoint());
  int64_t outputZeroPoint = int32_t(op.getOutputZeroPoint());
  int64_t lowest = -(int64_t(1) << (width - 1));
  int64_t highest = (int64_t(1) << (width - 1)) - 1;
  int64_t clampMin = op.getClampMin() ? int32_t(*op.getClampMin()) : lowest;
  int64_t clampMax = op.getClampMax() ? int32_t(*op.getClampMax()) : highest;

  Value multiplierTable, shiftTable;
  if (axis) {
    SmallVector<int64_t> m(multipliers.begin(), multipliers.end());
    SmallVector<int64_t> s(shifts.begin(), shifts.end());
    multiplierTable = intTable(rewriter, loc, rewriter.getI64Type(), m);
    shiftTable = intTable(rewriter, loc, rewriter.getI64Type(), s);
  }
  Value input = adaptor.getInput();
  Value init = emptyLike(rewriter, loc, type, input);
  Value result = buildElementwise(
      rewriter, loc, init, {input},
      [&](OpBuilder &b, Location l, LoopIndices &ivs,
          ValueRange args) -> Value {
        Emitter e{b, l};
        Value multiplier, shift, mask, half;
        if (axis) {
          Value c = ivs[*axis];
          multiplier = e.extract(multiplierTable, {c});
          shift = e.extract(shiftTable, {c});
          Value one = e.i64Const(1);
          Value pow = e.shl(one, shift);
          mask = e.sub(pow, one);
          half = e.shl(one, e.sub(shift, one));
        } else {
          multiplier = e.i64Const(multipliers[0]);
          shift = e.i64Const(shifts[0]);
          mask = e.i64Const((int64_t(1) << shifts[0]) - 1);
          half = e.i64Const(int64_t(1) << (shifts[0] - 1));
        }
        // d = x - izp (|d| < 2^32), p = d * M (|p| < 2^63): exact in i64.
        Value x = e.castInt(args[0], e.i64(), /*isSigned=*/true);
        Value d = inputZeroPoint ? e.sub(x, e.i64Const(inputZeroPoint)) : x;
        Value product = e.mul(d, multiplier);
        // (p + 2^(shift-1)) >> shift, without overflowing the addition:
        // (p >> shift) + (((p & (2^shift - 1)) + 2^(shift-1)) >> shift).
        Value high = e.shrs(product, shift);
        Value carry = e.shru(e.add(e.andi(product, mask), half), shift);
        Value y = e.add(high, carry);
        if (outputZeroPoint)
          y = e.add(y, e.i64Const(outputZeroPoint));
        y = arith::MaxSIOp::create(b, l, y, e.i64Const(clampMin));
        y = arith::MinSIOp::create(b, l, y, e.i64Const(clampMax));
        return e.castInt(y, type.getElementType(), /*isSigned=*/true);
      });
  return result;
}

} // namespace

void lowbit::lowbit_to_linalg::populateQuantizeDequantizePatterns(
    RewritePatternSet &patterns) {
  patterns.add<DequantizeLowering, OneResultPattern<QuantizeOp, lowerQuantize>,
               OneResultPattern<RequantizeOp, lowerRequantize>>(
      patterns.getContext());
}

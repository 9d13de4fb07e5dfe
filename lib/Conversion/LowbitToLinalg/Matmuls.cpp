//===- Matmuls.cpp - lowbit matmuls to linalg -----------------------------===//
//
// lowbit.matmul as lowbit.unpack + lowbit.dequantize of the weights and a
// linalg.generic contraction (then the bias, one rounding and the
// epilogue), and lowbit.integer_matmul as an exact i32 contraction.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::lowbit_to_linalg;

namespace {

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

struct MatmulLowering : public LowbitPattern<MatmulOp> {
  using LowbitPattern::LowbitPattern;
  FailureOr<SmallVector<Value>>
  lower(MatmulOp op, OpAdaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput(), packed = adaptor.getPacked();
    RankedTensorType inputType = op.getInput().getType();
    RankedTensorType resultType = op.getType();
    // bf16 activations: rounded once, then the same f32 contraction.
    if (op.hasBf16Activations())
      x = buildElementwise(
          rewriter, loc, emptyLike(rewriter, loc, inputType, x), ValueRange{x},
          [](OpBuilder &b, Location l, LoopIndices &, ValueRange args) {
            return buildRoundToBf16(b, l, args[0]);
          });
    SchemeAttr scheme = op.getScheme();
    auto elementType = cast<FloatType>(inputType.getElementType());
    // Narrow activations accumulate in f32 and are rounded once at the end.
    FloatType accType =
        elementType.getWidth() < 32 ? rewriter.getF32Type() : elementType;
    // Panel layouts store ceil(N / 16) panels: N is the result's.
    int64_t n = op.getLayout().isPanel()
                    ? resultType.getDimSize(1)
                    : op.getPacked().getType().getDimSize(0);
    int64_t k = inputType.getDimSize(1);
    auto packedDim0 = [&](int64_t) -> Value {
      return tensor::DimOp::create(rewriter, loc, packed, 0);
    };

    // W = dequantize(unpack(packed)) as [N, K].
    auto codesType = RankedTensorType::get({n, k}, rewriter.getI8Type());
    Value codes = UnpackOp::create(rewriter, loc, codesType, packed,
                                   op.getLayout(), scheme.getIsSigned());
    auto weightType = RankedTensorType::get({n, k}, accType);
    Value weight = DequantizeOp::create(
        rewriter, loc, weightType, codes, adaptor.getScales(),
        adaptor.getZeroPoints(), adaptor.getMins(), scheme);

    // acc[m, n] = sum_k x[m, k] * W[n, k], k ascending, from 0.
    auto accTensorType = RankedTensorType::get(resultType.getShape(), accType);
    Value empty =
        emptyTensor(rewriter, loc, accTensorType, [&](int64_t d) -> Value {
          if (d == 0)
            return tensor::DimOp::create(rewriter, loc, x, 0);
          return packedDim0(d);
        });
    Value zero = arith::ConstantFloatOp::create(
        rewriter, loc, accType, APFloat::getZero(accType.getFloatSemantics()));
    Value acc = linalg::FillOp::create(rewriter, loc, ValueRange{zero},
                                       ValueRange{empty})
                    .getResult(0);
    acc = buildContraction(rewriter, loc, x, weight, acc,
                           [&](Emitter &e, Value xi, Value wi, Value sum) {
                             return e.addf(
                                 sum, e.mulf(e.castFloat(xi, accType), wi));
                           });

    // + bias[n], then one rounding to the result type, then the epilogue
    // (on the result element type, with its inputs at the same position).
    Value bias = adaptor.getBias();
    ValueRange epilogueInputs = adaptor.getEpilogueInputs();
    if (!bias && accType == elementType && !op.hasEpilogue())
      return SmallVector<Value>{acc};
    Value init =
        emptyTensor(rewriter, loc, resultType, [&](int64_t d) -> Value {
          return tensor::DimOp::create(rewriter, loc, acc, d);
        });
    SmallVector<Value> inputs{acc};
    AffineMap identity = rewriter.getMultiDimIdentityMap(2);
    AffineMap row = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
    SmallVector<AffineMap> maps{identity};
    if (bias) {
      inputs.push_back(bias);
      maps.push_back(row);
    }
    for (Value input : epilogueInputs) {
      inputs.push_back(input);
      maps.push_back(cast<RankedTensorType>(input.getType()).getRank() == 1
                         ? row
                         : identity);
    }
    maps.push_back(identity);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{resultType}, inputs, ValueRange{init},
            maps,
            ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                          utils::IteratorType::parallel},
            [&](OpBuilder &b, Location l, ValueRange args) {
              Emitter e{b, l};
              Value v = args[0];
              if (bias)
                v = e.addf(v, e.castFloat(args[1], accType));
              v = e.castFloat(v, resultType.getElementType());
              if (op.hasEpilogue()) {
                Block &epilogue = op.getEpilogue().front();
                IRMapping mapping;
                mapping.map(epilogue.getArgument(0), v);
                ValueRange elements = args.drop_front(bias ? 2 : 1);
                for (auto [arg, element] :
                     llvm::zip(epilogue.getArguments().drop_front(), elements))
                  mapping.map(arg, element);
                for (Operation &inner : epilogue.without_terminator())
                  b.clone(inner, mapping);
                v = mapping.lookupOrDefault(
                    cast<YieldOp>(epilogue.getTerminator()).getValue());
              }
              linalg::YieldOp::create(b, l, v);
            })
            .getResult(0);
    return SmallVector<Value>{result};
  }
};

//===----------------------------------------------------------------------===//
// integer_matmul
//===----------------------------------------------------------------------===//

struct IntegerMatmulLowering : public LowbitPattern<IntegerMatmulOp> {
  using LowbitPattern::LowbitPattern;
  FailureOr<SmallVector<Value>>
  lower(IntegerMatmulOp op, OpAdaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput(), w = adaptor.getWeights();
    RankedTensorType resultType = op.getType();
    int64_t zeroPoint = int32_t(op.getInputZeroPoint());
    Value empty =
        emptyTensor(rewriter, loc, resultType, [&](int64_t d) -> Value {
          return tensor::DimOp::create(rewriter, loc, d == 0 ? x : w, 0);
        });
    // The accumulator starts at bias[n] (or 0): the sum is exact in i32, so
    // where the bias enters does not matter.
    Value init;
    if (Value bias = adaptor.getBias()) {
      init = linalg::BroadcastOp::create(rewriter, loc, bias, empty,
                                         ArrayRef<int64_t>{0})
                 .getResult()[0];
    } else {
      Value zero =
          arith::ConstantIntOp::create(rewriter, loc, rewriter.getI32Type(), 0);
      init = linalg::FillOp::create(rewriter, loc, ValueRange{zero},
                                    ValueRange{empty})
                 .getResult(0);
    }
    Value acc =
        buildContraction(rewriter, loc, x, w, init,
                         [&](Emitter &e, Value xe, Value we, Value sum) {
                           Value xi = e.castInt(xe, e.i32(), /*isSigned=*/true);
                           if (zeroPoint)
                             xi = e.sub(xi, e.i32Const(zeroPoint));
                           Value wi = e.castInt(we, e.i32(), /*isSigned=*/true);
                           return e.add(sum, e.mul(xi, wi));
                         });
    return SmallVector<Value>{acc};
  }
};

} // namespace

void lowbit::lowbit_to_linalg::populateMatmulPatterns(
    RewritePatternSet &patterns) {
  patterns.add<MatmulLowering, IntegerMatmulLowering>(patterns.getContext());
}

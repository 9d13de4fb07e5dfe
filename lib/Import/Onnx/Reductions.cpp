//===- Reductions.cpp - Reduce*, ArgMax/ArgMin, global pools
//---------------===//
//
// A reduction is one linalg.generic with reduction iterators over the
// reduced axes (pre- and post-processing as elementwise generics);
// keepdims reinserts the axes with expand_shape.
//
//===----------------------------------------------------------------------===//

#include "Converters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

enum class Kind {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  L1,
  L2,
  SumSquare,
  LogSum,
  LogSumExp
};

/// The axes of a Reduce* node: the `axes` attribute, or (ReduceSum from
/// opset 13) the second input; empty means every axis unless
/// noop_with_empty_axes.
std::optional<SmallVector<int64_t>>
reductionAxes(NodeContext &ctx, int64_t rank, bool axesInput) {
  SmallVector<int64_t> axes;
  bool noop = false;
  if (axesInput) {
    noop = ctx.intAttr("noop_with_empty_axes", 0);
    if (ctx.hasInput(1)) {
      std::optional<SmallVector<int64_t>> known = ctx.inputInts(1);
      if (!known) {
        ctx.emitUnsupported() << ctx.node.op_type() << " needs constant axes";
        return std::nullopt;
      }
      axes = *known;
    }
  } else {
    axes = ctx.intsAttr("axes");
  }
  if (axes.empty() && !noop)
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  for (int64_t &axis : axes) {
    std::optional<int64_t> normalized = normalizeAxis(ctx, axis, rank);
    if (!normalized)
      return std::nullopt;
    axis = *normalized;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

Value elementwise1(OpBuilder &b, Location loc, Value v,
                   function_ref<Value(OpBuilder &, Location, Value)> fn) {
  auto type = cast<RankedTensorType>(v.getType());
  return buildElementwise(b, loc, v, type,
                          [&](OpBuilder &nb, Location nl, ValueRange a) {
                            return fn(nb, nl, a[0]);
                          });
}

template <Kind kind> LogicalResult convertReduce(NodeContext &ctx) {
  Value input;
  RankedTensorType inputType, type;
  if (failed(ctx.unaryOperands(input, inputType, type)))
    return failure();
  Type element = inputType.getElementType();
  bool isFloat = isa<FloatType>(element);
  bool axesInput = kind == Kind::Sum && ctx.opset >= 13;
  std::optional<SmallVector<int64_t>> axes =
      reductionAxes(ctx, inputType.getRank(), axesInput);
  if (!axes)
    return failure();
  ctx.intAttr("keepdims", 1);
  if (axes->empty()) {
    ctx.setOutput(0, input);
    return success();
  }
  if (!isFloat && kind != Kind::Sum && kind != Kind::Max && kind != Kind::Min &&
      kind != Kind::Prod)
    return ctx.emitUnsupported()
           << ctx.node.op_type() << " on " << element << " is not supported";
  OpBuilder &b = ctx.b;
  Location loc = ctx.loc;
  bool isUnsigned = ctx.isUnsignedInput(0);

  Value x = input, shift;
  if (kind == Kind::L1)
    x = elementwise1(b, loc, x, [](OpBuilder &nb, Location nl, Value v) {
      return math::AbsFOp::create(nb, nl, v);
    });
  if (kind == Kind::L2 || kind == Kind::SumSquare)
    x = elementwise1(b, loc, x, [](OpBuilder &nb, Location nl, Value v) {
      return arith::MulFOp::create(nb, nl, v, v);
    });
  if (kind == Kind::LogSumExp) {
    // log(sum(exp(x - m))) + m: no overflow for large x.
    Value m = buildReduction(
        b, loc, x, *axes, -std::numeric_limits<double>::infinity(),
        [](OpBuilder &nb, Location nl, Value e, Value acc) {
          return arith::MaximumFOp::create(nb, nl, e, acc);
        });
    shift = keepDims(b, loc, m, inputType.getShape(), *axes);
    x = buildElementwise(b, loc, {x, shift}, inputType,
                         [](OpBuilder &nb, Location nl, ValueRange a) {
                           return math::ExpOp::create(
                               nb, nl,
                               arith::SubFOp::create(nb, nl, a[0], a[1]));
                         });
  }

  double init = 0;
  unsigned width = element.getIntOrFloatBitWidth();
  if (kind == Kind::Max)
    init = isFloat      ? -std::numeric_limits<double>::infinity()
           : isUnsigned ? 0
                        : -std::ldexp(1.0, width - 1);
  if (kind == Kind::Min)
    init = isFloat      ? std::numeric_limits<double>::infinity()
           : isUnsigned ? (width >= 64 ? -1.0 : std::ldexp(1.0, width) - 1)
                        : std::ldexp(1.0, width - 1) - 1;
  if (kind == Kind::Prod)
    init = 1;
  Value reduced = buildReduction(
      b, loc, x, *axes, init,
      [&](OpBuilder &nb, Location nl, Value e, Value acc) -> Value {
        switch (kind) {
        case Kind::Max:
          if (isFloat)
            return arith::MaximumFOp::create(nb, nl, e, acc);
          return isUnsigned ? (Value)arith::MaxUIOp::create(nb, nl, e, acc)
                            : (Value)arith::MaxSIOp::create(nb, nl, e, acc);
        case Kind::Min:
          if (isFloat)
            return arith::MinimumFOp::create(nb, nl, e, acc);
          return isUnsigned ? (Value)arith::MinUIOp::create(nb, nl, e, acc)
                            : (Value)arith::MinSIOp::create(nb, nl, e, acc);
        case Kind::Prod:
          return isFloat ? (Value)arith::MulFOp::create(nb, nl, e, acc)
                         : (Value)arith::MulIOp::create(nb, nl, e, acc);
        default:
          return isFloat ? (Value)arith::AddFOp::create(nb, nl, e, acc)
                         : (Value)arith::AddIOp::create(nb, nl, e, acc);
        }
      });
  int64_t count = 1;
  for (int64_t axis : *axes)
    count *= inputType.getDimSize(axis);
  if (kind == Kind::Mean)
    reduced =
        elementwise1(b, loc, reduced, [&](OpBuilder &nb, Location nl, Value v) {
          return arith::DivFOp::create(
              nb, nl, v, scalarConstant(nb, nl, v.getType(), count));
        });
  if (kind == Kind::L2)
    reduced =
        elementwise1(b, loc, reduced, [](OpBuilder &nb, Location nl, Value v) {
          return math::SqrtOp::create(nb, nl, v);
        });
  if (kind == Kind::LogSum || kind == Kind::LogSumExp)
    reduced =
        elementwise1(b, loc, reduced, [](OpBuilder &nb, Location nl, Value v) {
          return math::LogOp::create(nb, nl, v);
        });
  reduced = reshapeTo(b, loc, reduced, type);
  if (kind == Kind::LogSumExp)
    reduced =
        buildElementwise(b, loc, {reduced, reshapeTo(b, loc, shift, type)},
                         type, [](OpBuilder &nb, Location nl, ValueRange a) {
                           return arith::AddFOp::create(nb, nl, a[0], a[1]);
                         });
  ctx.setOutput(0, reduced);
  return success();
}

/// ArgMax / ArgMin: value and index reduced together; ties keep the first
/// index unless select_last_index.
template <bool isMax> LogicalResult convertArg(NodeContext &ctx) {
  Value input;
  RankedTensorType inputType, type;
  if (failed(ctx.unaryOperands(input, inputType, type)))
    return failure();
  int64_t rank = inputType.getRank();
  std::optional<int64_t> axis =
      normalizeAxis(ctx, ctx.intAttr("axis", 0), rank);
  if (!axis)
    return failure();
  ctx.intAttr("keepdims", 1);
  bool last = ctx.intAttr("select_last_index", 0);
  Type element = inputType.getElementType();
  if (!isa<FloatType>(element))
    return ctx.emitUnsupported()
           << ctx.node.op_type() << " on " << element << " is not supported";
  OpBuilder &b = ctx.b;
  Location loc = ctx.loc;
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> exprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d) {
    iterators.push_back(d == *axis ? utils::IteratorType::reduction
                                   : utils::IteratorType::parallel);
    if (d == *axis)
      continue;
    shape.push_back(inputType.getDimSize(d));
    exprs.push_back(b.getAffineDimExpr(d));
  }
  auto valueType = RankedTensorType::get(shape, element);
  auto indexType = RankedTensorType::get(shape, b.getI64Type());
  double inf = std::numeric_limits<double>::infinity();
  Value values = filledTensor(b, loc, valueType, isMax ? -inf : inf);
  Value indices = filledTensor(b, loc, indexType, 0);
  AffineMap outMap = AffineMap::get(rank, 0, exprs, b.getContext());
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank), outMap, outMap};
  int64_t axisValue = *axis;
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{valueType, indexType}, input,
      ValueRange{values, indices}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = args[0], best = args[1], bestIndex = args[2];
        auto predicate = isMax ? (last ? arith::CmpFPredicate::OGE
                                       : arith::CmpFPredicate::OGT)
                               : (last ? arith::CmpFPredicate::OLE
                                       : arith::CmpFPredicate::OLT);
        Value better = arith::CmpFOp::create(nb, nl, predicate, x, best);
        Value index = arith::IndexCastOp::create(
            nb, nl, nb.getI64Type(),
            linalg::IndexOp::create(nb, nl, axisValue));
        // The first element always wins, so an all -inf row gives index 0.
        Value first =
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, index,
                                  scalarConstant(nb, nl, nb.getI64Type(), 0));
        better = arith::OrIOp::create(nb, nl, better, first);
        linalg::YieldOp::create(
            nb, nl,
            ValueRange{
                arith::SelectOp::create(nb, nl, better, x, best),
                arith::SelectOp::create(nb, nl, better, index, bestIndex)});
      });
  ctx.setOutput(0, reshapeTo(b, loc, generic.getResult(1), type));
  return success();
}

/// GlobalAveragePool / GlobalMaxPool: a reduction over the spatial axes.
template <Kind kind> LogicalResult convertGlobalPool(NodeContext &ctx) {
  Value input;
  RankedTensorType inputType, type;
  if (failed(ctx.unaryOperands(input, inputType, type)))
    return failure();
  SmallVector<int64_t> axes;
  int64_t count = 1;
  for (int64_t d = 2; d < inputType.getRank(); ++d) {
    axes.push_back(d);
    count *= inputType.getDimSize(d);
  }
  bool isMax = kind == Kind::Max;
  Value reduced = buildReduction(
      ctx.b, ctx.loc, input, axes,
      isMax ? -std::numeric_limits<double>::infinity() : 0.0,
      [&](OpBuilder &nb, Location nl, Value e, Value acc) -> Value {
        if (isMax)
          return arith::MaximumFOp::create(nb, nl, e, acc);
        return arith::AddFOp::create(nb, nl, e, acc);
      });
  if (!isMax)
    reduced = elementwise1(
        ctx.b, ctx.loc, reduced, [&](OpBuilder &nb, Location nl, Value v) {
          return arith::DivFOp::create(
              nb, nl, v, scalarConstant(nb, nl, v.getType(), count));
        });
  ctx.setOutput(0, reshapeTo(ctx.b, ctx.loc, reduced, type));
  return success();
}

constexpr int64_t kMaxOpset = 17;

const OpConverter kConverters[] = {
    {"ReduceSum", 1, kMaxOpset, convertReduce<Kind::Sum>},
    {"ReduceMean", 1, kMaxOpset, convertReduce<Kind::Mean>},
    {"ReduceMax", 1, kMaxOpset, convertReduce<Kind::Max>},
    {"ReduceMin", 1, kMaxOpset, convertReduce<Kind::Min>},
    {"ReduceProd", 1, kMaxOpset, convertReduce<Kind::Prod>},
    {"ReduceL1", 1, kMaxOpset, convertReduce<Kind::L1>},
    {"ReduceL2", 1, kMaxOpset, convertReduce<Kind::L2>},
    {"ReduceSumSquare", 1, kMaxOpset, convertReduce<Kind::SumSquare>},
    {"ReduceLogSum", 1, kMaxOpset, convertReduce<Kind::LogSum>},
    {"ReduceLogSumExp", 1, kMaxOpset, convertReduce<Kind::LogSumExp>},
    {"ArgMax", 1, kMaxOpset, convertArg<true>},
    {"ArgMin", 1, kMaxOpset, convertArg<false>},
    {"GlobalAveragePool", 1, kMaxOpset, convertGlobalPool<Kind::Mean>},
    {"GlobalMaxPool", 1, kMaxOpset, convertGlobalPool<Kind::Max>},
};
} // namespace

ArrayRef<OpConverter> lowbit::onnx_import::getReductionConverters() {
  return kConverters;
}

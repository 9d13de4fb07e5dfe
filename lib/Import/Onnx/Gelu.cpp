//===- Gelu.cpp - Gelu and ONNX Runtime's fused Gelu ops ------------------===//
//
// ONNX 1.12 has no Gelu (it joins the default domain at opset 20), but
// models carry it: opset-20 exports, and ONNX Runtime's fusions in the
// com.microsoft domain (Gelu, BiasGelu, FastGelu). Each is one broadcasting
// linalg.generic: the exact form with math.erf, the tanh form with
// math.tanh, both lowered by the project's polynomial approximations.
// ONNX 1.12's shape inference learns their types from the `likeInput0` flag
// of the table (detail::inferShapes).
//
//===----------------------------------------------------------------------===//

#include "Converters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {
enum class GeluForm { Exact, Tanh };

Value constant(OpBuilder &b, Location loc, Value like, double value) {
  return scalarConstant(b, loc, like.getType(), value);
}

/// 0.5 x (1 + erf(x / sqrt(2))).
Value geluExact(OpBuilder &b, Location loc, Value x) {
  Value scaled =
      arith::MulFOp::create(b, loc, x, constant(b, loc, x, M_SQRT1_2));
  Value erf = math::ErfOp::create(b, loc, scaled);
  Value onePlus = arith::AddFOp::create(b, loc, erf, constant(b, loc, x, 1.0));
  Value half = arith::MulFOp::create(b, loc, x, constant(b, loc, x, 0.5));
  return arith::MulFOp::create(b, loc, half, onePlus);
}

/// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), as ONNX's Gelu-20
/// (approximate = "tanh") and ONNX Runtime's FastGelu define it.
Value geluTanh(OpBuilder &b, Location loc, Value x) {
  Value x2 = arith::MulFOp::create(b, loc, x, x);
  Value x3 = arith::MulFOp::create(b, loc, x2, x);
  Value inner = arith::AddFOp::create(
      b, loc, x,
      arith::MulFOp::create(b, loc, x3, constant(b, loc, x, 0.044715)));
  Value scaled = arith::MulFOp::create(
      b, loc, inner, constant(b, loc, x, std::sqrt(2.0 / M_PI)));
  Value tanh = math::TanhOp::create(b, loc, scaled);
  Value onePlus = arith::AddFOp::create(b, loc, tanh, constant(b, loc, x, 1.0));
  Value half = arith::MulFOp::create(b, loc, x, constant(b, loc, x, 0.5));
  return arith::MulFOp::create(b, loc, half, onePlus);
}

/// Gelu of input 0, plus input 1 first when present (BiasGelu, FastGelu's
/// optional bias; numpy broadcasting, the bias is `[C]` against the last
/// axis).
LogicalResult buildGelu(NodeContext &ctx, GeluForm form) {
  if (ctx.numInputs() > 2)
    return ctx.emitError() << ctx.node.op_type() << " takes at most 2 inputs";
  if (!ctx.hasInput(0))
    return ctx.emitError() << ctx.node.op_type() << " needs input 0";
  SmallVector<Value> inputs;
  if (failed(presentInputs(ctx, inputs)))
    return failure();
  RankedTensorType type = ctx.outputType(0);
  if (!type)
    return failure();
  if (failed(checkBroadcast(ctx, inputs, type)))
    return failure();
  if (!isa<FloatType>(type.getElementType()))
    return ctx.emitUnsupported()
           << ctx.node.op_type() << " on " << type.getElementType()
           << " is not supported";
  Value result =
      buildElementwise(ctx.b, ctx.loc, inputs, type,
                       [&](OpBuilder &b, Location loc, ValueRange a) {
                         Value x = a[0];
                         if (a.size() > 1)
                           x = arith::AddFOp::create(b, loc, x, a[1]);
                         return form == GeluForm::Exact ? geluExact(b, loc, x)
                                                        : geluTanh(b, loc, x);
                       });
  ctx.setOutput(0, result);
  return success();
}

/// ONNX Gelu (opset 20): `approximate` is "none" (erf) or "tanh".
LogicalResult convertGelu(NodeContext &ctx) {
  std::string approximate = ctx.stringAttr("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return ctx.emitError() << "Gelu's approximate must be \"none\" or "
                              "\"tanh\", got \""
                           << approximate << "\"";
  if (ctx.numInputs() != 1)
    return ctx.emitError() << "Gelu takes 1 input";
  return buildGelu(ctx,
                   approximate == "tanh" ? GeluForm::Tanh : GeluForm::Exact);
}

LogicalResult convertContribGelu(NodeContext &ctx) {
  if (ctx.numInputs() != 1)
    return ctx.emitError() << "Gelu takes 1 input";
  return buildGelu(ctx, GeluForm::Exact);
}

LogicalResult convertBiasGelu(NodeContext &ctx) {
  if (!ctx.hasInput(1))
    return ctx.emitError() << "BiasGelu needs input 1 (the bias)";
  return buildGelu(ctx, GeluForm::Exact);
}

LogicalResult convertFastGelu(NodeContext &ctx) {
  return buildGelu(ctx, GeluForm::Tanh);
}

constexpr int64_t kAnyOpset = std::numeric_limits<int64_t>::max();

// Gelu in the default domain is taken at any opset a model declares: its
// semantics have one version, and a model that names it at an opset before
// 20 means that one.
const OpConverter kGeluConverters[] = {
    {"Gelu", 1, kAnyOpset, convertGelu, /*likeInput0=*/true},
};

// ONNX Runtime's contrib ops (docs/ContribOperators.md), version 1.
const OpConverter kMicrosoftConverters[] = {
    {"Gelu", 1, 1, convertContribGelu, /*likeInput0=*/true},
    {"BiasGelu", 1, 1, convertBiasGelu, /*likeInput0=*/true},
    {"FastGelu", 1, 1, convertFastGelu, /*likeInput0=*/true},
};
} // namespace

ArrayRef<OpConverter> lowbit::onnx_import::getGeluConverters() {
  return kGeluConverters;
}

ArrayRef<OpConverter> lowbit::onnx_import::getMicrosoftConverters() {
  return kMicrosoftConverters;
}

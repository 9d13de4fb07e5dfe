//===- Quantization.cpp - QDQ and the integer ONNX ops
//---------------------===//
//
// QuantizeLinear / DequantizeLinear with compile-time scales and zero
// points become upstream quant.qcast / quant.dcast (with quant.scast to
// and from the integer codes): lowbit-import-quant then honours the
// model's own parameters at every preset (weights quantized by ONNX
// Runtime stay in their scheme and reach lowbit.matmul). Run-time scales
// (DynamicQuantizeLinear) and the integer ops (MatMulInteger,
// QLinearMatMul, ConvInteger, QLinearConv) are arith: integer products
// accumulated exactly in i32, then requantized as ONNX specifies
// (round half to even, saturate).
//
//===----------------------------------------------------------------------===//

#include "Converters.h"
#include "Importer.h"
#include "Tensors.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cmath>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

/// The range of 8-bit codes.
std::pair<int64_t, int64_t> codeRange(bool isUnsigned) {
  return isUnsigned ? std::make_pair<int64_t, int64_t>(0, 255)
                    : std::make_pair<int64_t, int64_t>(-128, 127);
}

} // namespace

Value lowbit::onnx_import::quantizeScalar(OpBuilder &b, Location loc, Value x,
                                          Value scale, Value zp,
                                          bool isUnsigned) {
  auto [lo, hi] = codeRange(isUnsigned);
  Type f32 = b.getF32Type();
  x = castScalar(b, loc, x, f32, false, false);
  scale = castScalar(b, loc, scale, f32, false, false);
  Value q = math::RoundEvenOp::create(b, loc,
                                      arith::DivFOp::create(b, loc, x, scale));
  if (zp)
    q = arith::AddFOp::create(b, loc, q,
                              castScalar(b, loc, zp, f32, isUnsigned, false));
  q = arith::MaximumFOp::create(b, loc, q, scalarConstant(b, loc, f32, lo));
  q = arith::MinimumFOp::create(b, loc, q, scalarConstant(b, loc, f32, hi));
  Type i8 = b.getI8Type();
  return isUnsigned ? (Value)arith::FPToUIOp::create(b, loc, i8, q)
                    : (Value)arith::FPToSIOp::create(b, loc, i8, q);
}

namespace {

/// Scale and zero point operands of a per-axis op as [D, 1, ..., 1] so
/// that they broadcast along `axis` of a rank-`rank` tensor.
Value alongAxis(OpBuilder &b, Location loc, Value param, int64_t axis,
                int64_t rank) {
  auto type = cast<RankedTensorType>(param.getType());
  if (type.getRank() == 0)
    return param;
  SmallVector<int64_t> shape(rank - axis, 1);
  shape[0] = type.getNumElements();
  return reshapeTo(b, loc, param,
                   RankedTensorType::get(shape, type.getElementType()));
}

/// x, the scale (input 1) and the zero point (input 2, when present) along
/// `axis`, checked to broadcast to `type`: the operands of the run-time
/// (De)QuantizeLinear generic.
LogicalResult paramOperands(NodeContext &ctx, Value x, RankedTensorType type,
                            int64_t axis, SmallVectorImpl<Value> &operands) {
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  operands.push_back(x);
  for (unsigned i : {1u, 2u}) {
    if (i == 2 && !ctx.hasInput(2))
      break;
    Value param = ctx.input(i);
    if (!param)
      return failure();
    operands.push_back(alongAxis(ctx.b, ctx.loc, param, axis, rank));
  }
  return checkBroadcast(ctx, operands, type);
}

/// The axis of per-axis parameters (1-D scales); 0 for per-tensor ones,
/// where the attribute does not apply.
std::optional<int64_t> quantAxis(NodeContext &ctx, int64_t rank) {
  int64_t axis = ctx.intAttr("axis", 1);
  RankedTensorType scaleType = ctx.inputType(1);
  if (!scaleType)
    return std::nullopt;
  if (scaleType.getRank() == 0)
    return 0;
  return normalizeAxis(ctx, axis, rank);
}

/// The !quant.uniform type of codes with these parameters, or null.
Type quantType(NodeContext &ctx, Type expressed, bool isUnsigned,
               ArrayRef<double> scales, ArrayRef<int64_t> zeroPoints,
               int64_t axis, bool perAxis) {
  auto [lo, hi] = codeRange(isUnsigned);
  unsigned flags = isUnsigned ? 0 : quant::QuantizationFlags::Signed;
  Type storage = ctx.b.getI8Type();
  for (double s : scales)
    if (!(s > 0) || !std::isfinite(s))
      return {};
  if (!perAxis)
    return quant::UniformQuantizedType::get(flags, storage, expressed,
                                            scales[0], zeroPoints[0], lo, hi);
  return quant::UniformQuantizedPerAxisType::get(
      flags, storage, expressed, scales, zeroPoints, axis, lo, hi);
}

/// Reads (scale, zero point) inputs 1 and 2 when they are compile-time
/// constants: per tensor (scalars) or per axis (1-D).
bool constantParams(NodeContext &ctx, SmallVector<double> &scales,
                    SmallVector<int64_t> &zeroPoints, bool &perAxis) {
  std::optional<SmallVector<double>> s = ctx.inputFloats(1);
  if (!s || s->empty())
    return false;
  scales = *s;
  if (ctx.hasInput(2)) {
    std::optional<SmallVector<int64_t>> z = ctx.inputInts(2);
    if (!z || z->size() != s->size())
      return false;
    zeroPoints = *z;
  } else {
    zeroPoints.assign(s->size(), 0);
  }
  RankedTensorType scaleType = ctx.inputType(1);
  perAxis = scaleType && scaleType.getRank() == 1;
  return true;
}

LogicalResult convertQuantizeLinear(NodeContext &ctx) {
  Value x;
  RankedTensorType xType, type;
  if (failed(ctx.unaryOperands(x, xType, type)))
    return failure();
  int64_t rank = xType.getRank();
  std::optional<int64_t> axis = quantAxis(ctx, rank);
  if (!axis)
    return failure();
  int32_t codeType = ctx.hasInput(2) ? ctx.inputOnnxType(2)
                                     : (int32_t)onnx::TensorProto::UINT8;
  if (codeType != onnx::TensorProto::UINT8 &&
      codeType != onnx::TensorProto::INT8)
    return ctx.emitUnsupported() << "QuantizeLinear to "
                                 << onnx::TensorProto::DataType_Name(
                                        (onnx::TensorProto::DataType)codeType)
                                 << " is not supported";
  bool isUnsigned = codeType == onnx::TensorProto::UINT8;
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  bool perAxis = false;
  if (xType.getElementType().isF32() &&
      constantParams(ctx, scales, zeroPoints, perAxis)) {
    if (Type q = quantType(ctx, xType.getElementType(), isUnsigned, scales,
                           zeroPoints, *axis, perAxis)) {
      Value cast =
          quant::QuantizeCastOp::create(ctx.b, ctx.loc, xType.clone(q), x);
      ctx.setOutput(0,
                    quant::StorageCastOp::create(ctx.b, ctx.loc, type, cast));
      return success();
    }
  }
  SmallVector<Value> operands;
  if (failed(paramOperands(ctx, x, type, *axis, operands)))
    return failure();
  ctx.setOutput(
      0, buildElementwise(ctx.b, ctx.loc, operands, type,
                          [&](OpBuilder &b, Location loc, ValueRange a) {
                            return quantizeScalar(b, loc, a[0], a[1],
                                                  a.size() > 2 ? a[2] : Value(),
                                                  isUnsigned);
                          }));
  return success();
}

/// ONNX Runtime quantizes a MatMul weight [K, N] per column (axis 1); the
/// quantizer's matmul form is an [N, K] weight quantized per row behind a
/// linalg.transpose (as torch's Linear). For such a constant feeding a
/// MatMul, returns the codes transposed at import, else null.
Value transposedWeightCodes(NodeContext &ctx) {
  const onnx::TensorProto *codes =
      ctx.importer.constants.lookup(ctx.node.input(0));
  if (!codes || codes->dims_size() != 2)
    return {};
  bool feedsMatMul = llvm::any_of(
      ctx.importer.model.graph().node(), [&](const onnx::NodeProto &node) {
        return node.op_type() == "MatMul" && node.input_size() == 2 &&
               node.input(1) == ctx.node.output(0);
      });
  if (!feedsMatMul)
    return {};
  FailureOr<std::string> bytes =
      readTensorBytes(*codes, ctx.importer.baseDirectory, ctx.loc);
  if (failed(bytes))
    return {};
  int64_t k = codes->dims(0), n = codes->dims(1);
  std::string transposed(bytes->size(), 0);
  for (int64_t row = 0; row < k; ++row)
    for (int64_t col = 0; col < n; ++col)
      transposed[col * k + row] = (*bytes)[row * n + col];
  auto type = RankedTensorType::get({n, k}, ctx.b.getI8Type());
  auto attr = DenseResourceElementsAttr::get(
      type, codes->name() + "_transposed",
      HeapAsmResourceBlob::allocateAndCopyInferAlign(
          ArrayRef<char>(transposed.data(), transposed.size())));
  return arith::ConstantOp::create(ctx.b, ctx.loc, attr);
}

LogicalResult convertDequantizeLinear(NodeContext &ctx) {
  Value x;
  RankedTensorType xType, type;
  if (failed(ctx.unaryOperands(x, xType, type)))
    return failure();
  int64_t rank = xType.getRank();
  std::optional<int64_t> axis = quantAxis(ctx, rank);
  if (!axis)
    return failure();
  int32_t codeType = ctx.inputOnnxType(0);
  bool isUnsigned = ctx.isUnsignedInput(0);
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  bool perAxis = false;
  if ((codeType == onnx::TensorProto::UINT8 ||
       codeType == onnx::TensorProto::INT8) &&
      type.getElementType().isF32() &&
      constantParams(ctx, scales, zeroPoints, perAxis)) {
    bool perColumn = perAxis && rank == 2 && *axis == 1;
    Value rows = perColumn ? transposedWeightCodes(ctx) : Value();
    if (Type q = quantType(ctx, type.getElementType(), isUnsigned, scales,
                           zeroPoints, rows ? 0 : *axis, perAxis)) {
      if (rows) {
        auto rowsType = cast<RankedTensorType>(rows.getType());
        Value cast = quant::StorageCastOp::create(ctx.b, ctx.loc,
                                                  rowsType.clone(q), rows);
        Value weight = quant::DequantizeCastOp::create(
            ctx.b, ctx.loc, rowsType.clone(type.getElementType()), cast);
        Value init = tensor::EmptyOp::create(ctx.b, ctx.loc, type.getShape(),
                                             type.getElementType());
        ctx.setOutput(0,
                      linalg::TransposeOp::create(ctx.b, ctx.loc, weight, init,
                                                  ArrayRef<int64_t>{1, 0})
                          .getResult()[0]);
        return success();
      }
      Value cast =
          quant::StorageCastOp::create(ctx.b, ctx.loc, xType.clone(q), x);
      ctx.setOutput(
          0, quant::DequantizeCastOp::create(ctx.b, ctx.loc, type, cast));
      return success();
    }
  }
  // (x - zp) * scale, in f32 (int32 codes included).
  SmallVector<Value> operands;
  if (failed(paramOperands(ctx, x, type, *axis, operands)))
    return failure();
  ctx.setOutput(
      0,
      buildElementwise(
          ctx.b, ctx.loc, operands, type,
          [&](OpBuilder &b, Location loc, ValueRange a) {
            Type f32 = b.getF32Type();
            Value v = castScalar(b, loc, a[0], f32, isUnsigned, false);
            if (a.size() > 2)
              v = arith::SubFOp::create(
                  b, loc, v, castScalar(b, loc, a[2], f32, isUnsigned, false));
            v = arith::MulFOp::create(b, loc, v, a[1]);
            return castScalar(b, loc, v, type.getElementType(), false, false);
          }));
  return success();
}

LogicalResult convertDynamicQuantizeLinear(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType yType = ctx.outputType(0);
  RankedTensorType scaleType = ctx.outputType(1);
  RankedTensorType zpType = ctx.outputType(2);
  if (!x || !yType || !scaleType || !zpType)
    return failure();
  OpBuilder &b = ctx.b;
  Location loc = ctx.loc;
  auto xType = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> all;
  for (int64_t d = 0; d < xType.getRank(); ++d)
    all.push_back(d);
  // The range always includes 0.
  Value max = buildReduction(b, loc, x, all, 0.0,
                             [](OpBuilder &nb, Location nl, Value e, Value a) {
                               return arith::MaximumFOp::create(nb, nl, e, a);
                             });
  Value min = buildReduction(b, loc, x, all, 0.0,
                             [](OpBuilder &nb, Location nl, Value e, Value a) {
                               return arith::MinimumFOp::create(nb, nl, e, a);
                             });
  Value scale = buildElementwise(
      b, loc, {max, min}, scaleType,
      [](OpBuilder &nb, Location nl, ValueRange a) {
        Value range = arith::SubFOp::create(nb, nl, a[0], a[1]);
        return arith::DivFOp::create(
            nb, nl, range, scalarConstant(nb, nl, range.getType(), 255));
      });
  Value zp = buildElementwise(
      b, loc, {min, scale}, zpType,
      [](OpBuilder &nb, Location nl, ValueRange a) {
        Value zero = scalarConstant(nb, nl, a[0].getType(), 0);
        return quantizeScalar(nb, nl, arith::SubFOp::create(nb, nl, zero, a[0]),
                              a[1], Value(), /*isUnsigned=*/true);
      });
  ctx.setOutput(0, buildElementwise(
                       b, loc, {x, scale, zp}, yType,
                       [](OpBuilder &nb, Location nl, ValueRange a) {
                         return quantizeScalar(nb, nl, a[0], a[1], a[2], true);
                       }));
  ctx.setOutput(1, scale);
  ctx.setOutput(2, zp);
  return success();
}

} // namespace

Value lowbit::onnx_import::zeroPointCentered(NodeContext &ctx,
                                             unsigned codesIndex,
                                             unsigned zpIndex, int64_t axis) {
  Value codes = ctx.input(codesIndex);
  if (!codes)
    return {};
  auto type = cast<RankedTensorType>(codes.getType());
  bool isUnsigned = ctx.isUnsignedInput(codesIndex);
  SmallVector<Value> operands{codes};
  if (ctx.hasInput(zpIndex)) {
    Value zp = ctx.input(zpIndex);
    if (!zp)
      return {};
    operands.push_back(
        axis < 0 ? zp : alongAxis(ctx.b, ctx.loc, zp, axis, type.getRank()));
  }
  return buildElementwise(
      ctx.b, ctx.loc, operands, type.clone(ctx.b.getI32Type()),
      [&](OpBuilder &b, Location loc, ValueRange a) {
        Value v = castScalar(b, loc, a[0], b.getI32Type(), isUnsigned, false);
        if (a.size() > 1)
          v = arith::SubIOp::create(
              b, loc, v,
              castScalar(b, loc, a[1], b.getI32Type(), isUnsigned, false));
        return v;
      });
}

namespace {

/// A's codes minus its zero point, which is scalar or per row (the
/// second-to-last axis).
Value centeredLhs(NodeContext &ctx, unsigned codes, unsigned zp) {
  Value lhs = ctx.input(codes);
  if (!lhs)
    return {};
  int64_t rank = cast<RankedTensorType>(lhs.getType()).getRank();
  return zeroPointCentered(ctx, codes, zp, std::max<int64_t>(rank - 2, 0));
}

LogicalResult convertMatMulInteger(NodeContext &ctx) {
  RankedTensorType type = ctx.outputType(0);
  if (!type)
    return failure();
  // A's zero point is per row or scalar, B's per column (numpy-broadcast).
  Value a = centeredLhs(ctx, 0, 2), b = zeroPointCentered(ctx, 1, 3, -1);
  if (!a || !b)
    return failure();
  // i32 products accumulate exactly; batches as MatMul's.
  Value result = buildNumpyMatmul(ctx, a, b, type);
  if (!result)
    return failure();
  ctx.setOutput(0, result);
  return success();
}

LogicalResult convertQLinearMatMul(NodeContext &ctx) {
  // a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp
  RankedTensorType type = ctx.outputType(0);
  if (!type)
    return failure();
  Value a = centeredLhs(ctx, 0, 2), b = zeroPointCentered(ctx, 3, 5, -1);
  Value aScale = ctx.input(1), bScale = ctx.input(4), yScale = ctx.input(6);
  Value yZp = ctx.input(7);
  if (!a || !b || !aScale || !bScale || !yScale || !yZp)
    return failure();
  auto accType = RankedTensorType::get(type.getShape(), ctx.b.getI32Type());
  Value acc = buildNumpyMatmul(ctx, a, b, accType);
  if (!acc)
    return failure();
  bool isUnsigned = ctx.isUnsignedInput(7);
  ctx.setOutput(
      0, buildElementwise(
             ctx.b, ctx.loc, {acc, aScale, bScale, yScale, yZp}, type,
             [&](OpBuilder &nb, Location nl, ValueRange v) {
               // acc * (sa * sb / sy) as a quantization by sy / (sa * sb).
               Type f32 = nb.getF32Type();
               Value real = arith::SIToFPOp::create(nb, nl, f32, v[0]);
               Value factor = arith::DivFOp::create(
                   nb, nl, arith::MulFOp::create(nb, nl, v[1], v[2]), v[3]);
               Value scaled = arith::MulFOp::create(nb, nl, real, factor);
               return quantizeScalar(nb, nl, scaled,
                                     scalarConstant(nb, nl, f32, 1), v[4],
                                     isUnsigned);
             }));
  return success();
}

constexpr int64_t kMaxOpset = 17;

const OpConverter kConverters[] = {
    {"QuantizeLinear", 10, kMaxOpset, convertQuantizeLinear},
    {"DequantizeLinear", 10, kMaxOpset, convertDequantizeLinear},
    {"DynamicQuantizeLinear", 11, kMaxOpset, convertDynamicQuantizeLinear},
    {"MatMulInteger", 10, kMaxOpset, convertMatMulInteger},
    {"QLinearMatMul", 10, kMaxOpset, convertQLinearMatMul},
};
} // namespace

ArrayRef<OpConverter> lowbit::onnx_import::getQuantizationConverters() {
  return kConverters;
}

//===- BroadcastInt8Gemm.cpp - outer-product int8 matmul kernels ----------===//
//
// lowbit.matmul with dynamic int8 activations on panel layouts. The weight
// operand of quad q of a panel holds 4 codes of each of 16 output columns
// (decoded from the layout's unit by its PanelDecoder);
// the 4 quantized activations of a row at quad q, one i32, are broadcast to
// every lane, and lowbit.dot_i8 adds each lane's 4 products into that
// column's i32 accumulator. A tile of R rows x C panels keeps R * C * 16
// columns in registers over a quantization group (or all of K for
// per-channel scales); per group, the lanes are converted and multiplied by
// the 16 columns' group scales (a row of the transposed [groups, N] scales).
// No horizontal reduction.
//
// Weights enter the dot products as the decoder's form says (for x86
// vpdpbusd, unsigned x signed bytes: q + 128 for int8, q + 8 for int4, q + 4
// for int3 in every form), and every lane starts the group at -offset times
// the sum of the row's quantized activations in the group (computed once per
// row when the row is quantized). Min/scale codes (int2 of w2g32) meet
// w = (q alpha + beta) s + m: the lanes' sums are scaled by alpha s, and the
// same per-group activation sums meet beta s + m in f32.
//
// The rows are quantized once per call and the output columns split across
// threads, each chunk followed by the epilogue, as QuantizedRows.h emits them.
//
//===----------------------------------------------------------------------===//

#include "BroadcastInt8Gemm.h"
#include "KernelPlan.h"
#include "PanelDecoders.h"
#include "QuantizedRows.h"
#include "VectorEmission.h"
#include "lowbit/Numerics/Packing.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

namespace {

class BroadcastGemm : VectorEmission {
public:
  BroadcastGemm(OpBuilder &b, MatmulOp op, const BroadcastGemmOptions &options)
      : VectorEmission(b, op.getLoc()), op(op), options(options),
        f32(b.getF32Type()), i8(b.getI8Type()), i32(b.getI32Type()) {}

  LogicalResult plan(std::string &why);
  Value build();

private:
  void quantizeActivations();
  Value columns(Value out, Value first, Value end, Value origin);
  Value tile(Value out, Value row, Value panel, Value origin, int64_t rows,
             int64_t panels);
  SmallVector<Value> groupDots(SmallVector<Value> acc, Value row, Value panel,
                               Value vectorIndex, int64_t rows, int64_t panels);

  // Emission helpers (and VectorEmission's).
  Value byteSplat(int64_t v, int64_t n) {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(vectorOf(n, i8),
                               b.getIntegerAttr(i8, int8_t(v))));
  }
  Value toF32Scalar(Value v) {
    return v.getType().isF32() ? v : arith::ExtFOp::create(b, loc, f32, v);
  }
  Value toF32(Value v) {
    auto type = cast<VectorType>(v.getType());
    if (type.getElementType().isF32())
      return v;
    return arith::ExtFOp::create(b, loc, vectorOf(type.getNumElements(), f32),
                                 v);
  }

  MatmulOp op;
  BroadcastGemmOptions options;
  Type f32, i8, i32;

  int64_t m = 0, n = 0, k = 0;
  bool perGroup = false;
  numerics::PackFormat format;
  PanelOperandForm form;
  int64_t quads = 0;        ///< of the padded K
  int64_t quadsPerUnit = 1; ///< quads per unit of the layout
  int64_t unitBytes = 64;   ///< bytes of a unit (whole 64-byte vectors)
  int64_t groupQuads = 0;   ///< quads per scale group (all of them per channel)
  int64_t groups = 0;       ///< scale groups along K
  int64_t offset = 0;       ///< weight offset for unsigned dot operands
  float alpha = 1.0f, beta = 0.0f; ///< w = (q alpha + beta) s + m
  int64_t lanes = 16;              ///< i32 lanes per vector
  int64_t rowTile = 4, panelTile = 2;

  /// Whether groups meet the sums of their activations in f32 (beta, mins).
  bool hasGroupOffsets() { return beta != 0.0f || op.getMins(); }

  Value quantized;   ///< [M, quads] i32: 4 activation bytes per quad
  Value rowScales;   ///< [M] f32
  Value groupSums;   ///< [M, groups] i32: the sum of the group's codes
  Value groupScales; ///< [groups, N], transposed scales (per group)
  Value groupMins;   ///< [groups, N], transposed mins
};

} // namespace

LogicalResult BroadcastGemm::plan(std::string &why) {
  if (!op.getDynamicInt8Activations() || !op.getLayout().isPanel()) {
    why = "not dynamic int8 activations on a panel layout";
    return failure();
  }
  if (!op.getType().getElementType().isF32() ||
      !op.getInput().getType().hasStaticShape() ||
      !op.getType().hasStaticShape()) {
    why = "needs f32 and static shapes";
    return failure();
  }
  m = op.getType().getDimSize(0);
  n = op.getType().getDimSize(1);
  k = op.getInput().getType().getDimSize(1);
  format = op.getLayout().getPackFormat();
  quads = numerics::panelPaddedDepth(format, k) / numerics::kPanelQuad;
  quadsPerUnit = numerics::panelUnitDepth(format) / numerics::kPanelQuad;
  unitBytes = numerics::panelUnitBytes(format);
  SchemeAttr scheme = op.getScheme();
  perGroup = scheme.getGranularity() == GranularityKind::PerGroup;
  if (perGroup && scheme.getGroupSize() != format.block) {
    why = "scale groups are not the layout's blocks";
    return failure();
  }
  if (op.getZeroPoints()) {
    why = "zero points";
    return failure();
  }
  if (failed(getCodeAffine(scheme, alpha, beta, why)))
    return failure();
  if (!perGroup && (hasGroupOffsets() || alpha != 1.0f)) {
    why = "min/scale codes need per-group parameters";
    return failure();
  }
  groupQuads = perGroup ? format.block / numerics::kPanelQuad : quads;
  groups = quads / groupQuads;
  std::unique_ptr<PanelDecoder> decoder = makePanelDecoder(format, b, loc, 64);
  if (!decoder) {
    why = "no decoder for the panel layout";
    return failure();
  }
  form = decoder->getForm(options.dot, scheme.getQmin() < 0);
  offset = form.offset;
  lanes = std::clamp<int64_t>(options.vectorBits / 32, 4, 16);
  // Tiles: R rows x C panels of 16 columns, R * C * 16 / lanes i32
  // accumulators (and as many f32 ones per group) within the registers.
  if (lanes == 16) {
    rowTile = perGroup ? 4 : 6;
    panelTile = 2;
  } else if (lanes == 8) {
    rowTile = perGroup ? 2 : 4;
    panelTile = 1;
  } else {
    rowTile = perGroup ? 1 : 2;
    panelTile = 1;
  }
  // Radix words cost more to decode than their dot products (about 8
  // operations per quad): each decoded quad meets 8 rows of one panel (16
  // accumulators). Measured at M = 64: 35-38% of the int8 dot-product peak
  // with 4 x 2 tiles, 49% with 8 x 1.
  if (lanes == 16 && format.kind == numerics::PackKind::RadixPanel) {
    rowTile = 8;
    panelTile = 1;
  }
  return success();
}

/// Quantizes every row (QuantizedRows.h) into 4 activation bytes per quad,
/// with the groups' sums of codes when offsets or mins meet them.
void BroadcastGemm::quantizeActivations() {
  int64_t groupCodes = 4 * groupQuads;
  int64_t chunk = groupCodes % 16 == 0 ? 16 : groupCodes % 8 == 0 ? 8 : 4;
  Value first;
  QuantizedRowsSpec spec;
  spec.codesType = RankedTensorType::get({m, quads}, i32);
  spec.groups = groups;
  spec.width = chunk;
  spec.groupSums = offset || hasGroupOffsets();
  spec.parallel = options.parallel;
  auto chunks = [&](Value group) -> QuantizedChunkLoop {
    first = mul(group, groupCodes);
    return {index(0), index(groupCodes), index(chunk)};
  };
  auto column = [&](Value at) { return add(first, at); };
  auto store = [&](Value codes, Value row, Value, Value col, Value q) {
    Value words =
        vector::BitCastOp::create(b, loc, vectorOf(chunk / 4, i32), q);
    return vector::TransferWriteOp::create(
               b, loc, words, codes,
               ValueRange{row, arith::DivUIOp::create(b, loc, col, index(4))},
               ArrayRef<bool>{true})
        .getResult();
  };
  QuantizedRows rows = buildQuantizedRows(b, op, spec, chunks, column, store);
  quantized = rows.codes;
  rowScales = rows.scales;
  groupSums = rows.groupSums;
}

/// The dot products of unit `unitIndex` (quadsPerUnit quads) of `panels`
/// panels from `panel` against `rows` rows from `row`, added to `acc`
/// ([row][panel][vector of the panel]).
SmallVector<Value> BroadcastGemm::groupDots(SmallVector<Value> acc, Value row,
                                            Value panel, Value unitIndex,
                                            int64_t rows, int64_t panels) {
  int64_t perPanel = 16 / lanes, bytes = 4 * lanes;
  std::unique_ptr<PanelDecoder> decoder =
      makePanelDecoder(format, b, loc, bytes);
  // The unit's slices of each panel vector, as the decoder reads them.
  SmallVector<SmallVector<Value>> prepared;
  for (int64_t p = 0; p < panels; ++p)
    for (int64_t v = 0; v < perPanel; ++v) {
      SmallVector<Value> slices;
      for (int64_t plane = 0; plane < unitBytes / 64; ++plane)
        slices.push_back(vector::TransferReadOp::create(
            b, loc, vectorOf(bytes, i8), op.getPacked(),
            ValueRange{add(panel, p),
                       add(mul(unitIndex, unitBytes), plane * 64 + v * bytes)},
            intConstant(i8, 0), ArrayRef<bool>{true}));
      prepared.push_back(decoder->prepare(slices, form));
    }
  // Quad by quad: each decoded operand meets every row of the tile.
  for (int64_t q = 0; q < quadsPerUnit; ++q) {
    SmallVector<Value> weights;
    for (ArrayRef<Value> slices : prepared)
      weights.push_back(decoder->decodeQuad(slices, q, form));
    Value quad = add(mul(unitIndex, quadsPerUnit), q);
    for (int64_t r = 0; r < rows; ++r) {
      Value word = tensor::ExtractOp::create(b, loc, quantized,
                                             ValueRange{add(row, r), quad});
      Value x = vector::BitCastOp::create(b, loc, vectorOf(bytes, i8),
                                          splat(word, lanes));
      for (int64_t pv = 0; pv < panels * perPanel; ++pv) {
        Value &a = acc[r * panels * perPanel + pv];
        a = DotI8Op::create(b, loc, a, weights[pv], x, form.unsignedLhs,
                            form.pairsFitI16);
      }
    }
  }
  return acc;
}

/// One tile: `rows` rows from `row` by `panels` panels from `panel`,
/// written into `out` (whose column 0 is column `origin` of the result).
Value BroadcastGemm::tile(Value out, Value row, Value panel, Value origin,
                          int64_t rows, int64_t panels) {
  int64_t perPanel = 16 / lanes;
  int64_t count = rows * panels * perPanel;
  int64_t unitsPerGroup = groupQuads / quadsPerUnit;
  Value zeroI = splat(intConstant(i32, 0), lanes);
  Value zeroF = splat(f32Constant(0.0f), lanes);
  auto column = [&](int64_t p, int64_t v) { // first column of a vector
    return add(mul(add(panel, p), 16), v * lanes);
  };
  // The i32 sums of group `group`, started at the rows' corrections.
  auto dotSums = [&](Value group) {
    SmallVector<Value> acc;
    for (int64_t r = 0; r < rows; ++r) {
      Value start = zeroI;
      if (offset)
        start = splat(arith::MulIOp::create(b, loc,
                                            tensor::ExtractOp::create(
                                                b, loc, groupSums,
                                                ValueRange{add(row, r), group}),
                                            intConstant(i32, -offset)),
                      lanes);
      acc.append(panels * perPanel, start);
    }
    Value firstUnit = mul(group, unitsPerGroup);
    if (unitsPerGroup <= 8) { // straight-line code for a group
      for (int64_t j = 0; j < unitsPerGroup; ++j)
        acc = groupDots(acc, row, panel, add(firstUnit, j), rows, panels);
      return acc;
    }
    auto loop = scf::ForOp::create(
        b, loc, index(0), index(unitsPerGroup), index(1), acc,
        [&](OpBuilder &, Location, Value j, ValueRange state) {
          scf::YieldOp::create(b, loc,
                               groupDots(SmallVector<Value>(state), row, panel,
                                         add(firstUnit, j), rows, panels));
        });
    return SmallVector<Value>(loop.getResults());
  };
  // f32 per column: sum_g s_w[n, g] * sums_g (per group), or the sums.
  SmallVector<Value> totals;
  if (perGroup) {
    auto loop = scf::ForOp::create(
        b, loc, index(0), index(groups), index(1),
        SmallVector<Value>(count, zeroF),
        [&](OpBuilder &, Location, Value group, ValueRange state) {
          SmallVector<Value> sums = dotSums(group);
          auto contract = arith::FastMathFlags::contract;
          auto readColumns = [&](Value params, Value col) {
            Type element = cast<ShapedType>(params.getType()).getElementType();
            return toF32(vector::TransferReadOp::create(
                b, loc, vectorOf(lanes, element), params,
                ValueRange{group, col},
                arith::ConstantOp::create(b, loc, b.getZeroAttr(element)),
                ArrayRef<bool>{false}));
          };
          // Per panel vector: alpha s, and beta s + m (shared by the rows).
          SmallVector<Value> multipliers, offsets;
          for (int64_t p = 0; p < panels; ++p)
            for (int64_t v = 0; v < perPanel; ++v) {
              Value s = readColumns(groupScales, column(p, v));
              Value groupOffset;
              if (beta != 0.0f)
                groupOffset = arith::MulFOp::create(
                    b, loc, s, splat(f32Constant(beta), lanes));
              if (groupMins) {
                Value min = readColumns(groupMins, column(p, v));
                groupOffset =
                    groupOffset
                        ? Value(arith::AddFOp::create(b, loc, groupOffset, min))
                        : min;
              }
              offsets.push_back(groupOffset);
              if (alpha != 1.0f)
                s = arith::MulFOp::create(b, loc, s,
                                          splat(f32Constant(alpha), lanes));
              multipliers.push_back(s);
            }
          SmallVector<Value> next;
          for (int64_t r = 0; r < rows; ++r) {
            Value activationSum;
            if (hasGroupOffsets())
              activationSum = splat(
                  arith::SIToFPOp::create(
                      b, loc, f32,
                      tensor::ExtractOp::create(
                          b, loc, groupSums, ValueRange{add(row, r), group})),
                  lanes);
            for (int64_t pv = 0; pv < panels * perPanel; ++pv) {
              int64_t i = r * panels * perPanel + pv;
              Value f = arith::SIToFPOp::create(b, loc, vectorOf(lanes, f32),
                                                sums[i]);
              Value total = arith::AddFOp::create(
                  b, loc, state[i],
                  arith::MulFOp::create(b, loc, f, multipliers[pv], contract),
                  contract);
              if (activationSum)
                total = arith::AddFOp::create(
                    b, loc, total,
                    arith::MulFOp::create(b, loc, activationSum, offsets[pv],
                                          contract),
                    contract);
              next.push_back(total);
            }
          }
          scf::YieldOp::create(b, loc, next);
        });
    totals.assign(loop.getResults().begin(), loop.getResults().end());
  } else {
    for (Value sum : dotSums(index(0)))
      totals.push_back(
          arith::SIToFPOp::create(b, loc, vectorOf(lanes, f32), sum));
  }
  // out = total (* s_w per channel) * s_x (+ bias).
  Value scales = op.getScales();
  auto scalesType = cast<RankedTensorType>(scales.getType());
  for (int64_t r = 0; r < rows; ++r) {
    Value rowScale = splat(
        tensor::ExtractOp::create(b, loc, rowScales, ValueRange{add(row, r)}),
        lanes);
    for (int64_t p = 0; p < panels; ++p)
      for (int64_t v = 0; v < perPanel; ++v) {
        Value col = column(p, v);
        Value value = totals[(r * panels + p) * perPanel + v];
        if (!perGroup) {
          Type element = scalesType.getElementType();
          Value s = scalesType.getRank() == 0
                        ? splat(toF32Scalar(tensor::ExtractOp::create(
                                    b, loc, scales, ValueRange{})),
                                lanes)
                        : toF32(vector::TransferReadOp::create(
                              b, loc, vectorOf(lanes, element), scales,
                              ValueRange{col},
                              arith::ConstantOp::create(b, loc,
                                                        b.getZeroAttr(element)),
                              ArrayRef<bool>{false}));
          value = arith::MulFOp::create(b, loc, value, s);
        }
        value = arith::MulFOp::create(b, loc, value, rowScale);
        if (Value bias = op.getBias())
          value = arith::AddFOp::create(
              b, loc, value,
              vector::TransferReadOp::create(b, loc, vectorOf(lanes, f32), bias,
                                             ValueRange{col}, f32Constant(0.0f),
                                             ArrayRef<bool>{false}));
        out = vector::TransferWriteOp::create(
                  b, loc, value, out,
                  ValueRange{add(row, r),
                             arith::SubIOp::create(b, loc, col, origin)},
                  ArrayRef<bool>{false})
                  .getResult();
      }
  }
  return out;
}

/// Output columns [first, end) (whole panels; `out`'s column 0 is column
/// `origin`): tiles of panelTile panels, then single panels, each over
/// tiles of rowTile rows, then single rows. A tile's panels stay in cache
/// from one row tile to the next.
Value BroadcastGemm::columns(Value out, Value first, Value end, Value origin) {
  Value firstPanel = arith::DivUIOp::create(b, loc, first, index(16));
  Value endPanel = arith::DivUIOp::create(b, loc, add(end, 15), index(16));
  Value panels = arith::SubIOp::create(b, loc, endPanel, firstPanel);
  Value fullEnd = add(
      firstPanel,
      mul(arith::DivUIOp::create(b, loc, panels, index(panelTile)), panelTile));
  auto overRows = [&](Value state, Value panel, int64_t tilePanels) {
    int64_t fullRows = m / rowTile * rowTile;
    if (fullRows > 0)
      state = scf::ForOp::create(
                  b, loc, index(0), index(fullRows), index(rowTile),
                  ValueRange{state},
                  [&](OpBuilder &, Location, Value row, ValueRange s) {
                    scf::YieldOp::create(
                        b, loc,
                        tile(s[0], row, panel, origin, rowTile, tilePanels));
                  })
                  .getResult(0);
    if (fullRows < m)
      state =
          scf::ForOp::create(
              b, loc, index(fullRows), index(m), index(1), ValueRange{state},
              [&](OpBuilder &, Location, Value row, ValueRange s) {
                scf::YieldOp::create(
                    b, loc, tile(s[0], row, panel, origin, 1, tilePanels));
              })
              .getResult(0);
    return state;
  };
  out = scf::ForOp::create(
            b, loc, firstPanel, fullEnd, index(panelTile), ValueRange{out},
            [&](OpBuilder &, Location, Value panel, ValueRange s) {
              scf::YieldOp::create(b, loc, overRows(s[0], panel, panelTile));
            })
            .getResult(0);
  if (panelTile == 1)
    return out;
  return scf::ForOp::create(
             b, loc, fullEnd, endPanel, index(1), ValueRange{out},
             [&](OpBuilder &, Location, Value panel, ValueRange s) {
               scf::YieldOp::create(b, loc, overRows(s[0], panel, 1));
             })
      .getResult(0);
}

Value BroadcastGemm::build() {
  quantizeActivations();
  if (perGroup) {
    groupScales = buildTransposedParams(b, loc, op.getScales());
    if (op.getMins())
      groupMins = buildTransposedParams(b, loc, op.getMins());
  }
  return buildColumnChunks(
      b, op, options.parallel, 16 * panelTile, lanes,
      [&](Value out, Value first, Value end, Value origin) {
        return columns(out, first, end, origin);
      });
}

FailureOr<Value>
lowbit::buildBroadcastInt8Gemm(OpBuilder &b, MatmulOp op,
                               const BroadcastGemmOptions &options,
                               std::string &why) {
  BroadcastGemm gemm(b, op, options);
  if (failed(gemm.plan(why)))
    return failure();
  return gemm.build();
}

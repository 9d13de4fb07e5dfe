//===- LutMatmul.cpp - lookup-table matmul kernels (T-MAC) ----------------===//
//
// lowbit.matmul with dynamic int8 activations on int2_planes weights
// (lowbit/Numerics/BitPlanes.h). Each row is quantized once and, per block
// of 16 activations (four quads), its tables are built: entry i of quad j
// is T_j[i] = sum_r bit_r(i) q[4j + r], exact in i16 (|T| <= 508), stored
// as a low-byte and a high-byte table, and likewise 2 T_j for the second
// bit plane, each 64-byte vector one quad per 128-bit lane, as the weights'
// vectors hold them.
//
// Per 64-byte weight vector (16 columns x four quads x both planes) the
// kernel splits the nibbles (plane 0: `& 0xF`, plane 1: `>> 4`), looks up
// the four tables (lowbit.lookup_bytes: vpshufb / tbl), interleaves low and
// high bytes back into i16 (vpunpcklbw / vpunpckhbw order: lane L of the
// accumulators holds quad L's columns 0..7, resp. 8..15) and adds both
// planes into two i16 accumulators. A group's sums (at most 256 codes:
// 16 quads x 1524 per lane) stay within i16; per group the four quads'
// lanes are added, widened and scaled per column in f32:
//
//   out = s_x * ((1/3) sum_g s_g C_g + sum_g m_g A_g) (+ bias)
//
// with C_g = sum_k c q_x and A_g = sum_k q_x over the group (the min meets
// the activation sums once per group). A tile of four panels (64 columns)
// shares each table load with 512-bit vectors.
//
//===----------------------------------------------------------------------===//

#include "LutMatmul.h"
#include "QuantizedRows.h"
#include "VectorEmission.h"
#include "lowbit/Numerics/BitPlanes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

namespace {

/// Bytes of one block's tables: low and high bytes of T and of 2 T.
constexpr int64_t kTableBytes = 4 * 64;

class LutMatmul : VectorEmission {
public:
  LutMatmul(OpBuilder &b, MatmulOp op, const LutMatmulOptions &options)
      : VectorEmission(b, op.getLoc()), op(op), options(options),
        f32(b.getF32Type()), i8(b.getI8Type()), i16(b.getI16Type()),
        i32(b.getI32Type()) {}

  LogicalResult plan(std::string &why);
  Value build();

private:
  void prepareActivations();
  SmallVector<Value> blockTables(Value q);
  Value columns(Value out, Value first, Value end, Value origin);
  Value tile(Value out, Value panel, Value origin, int64_t panels);
  SmallVector<Value> blockLookups(SmallVector<Value> acc, Value row,
                                  Value panel, Value block, int64_t panels);

  Value vectorConstant(VectorType type, ArrayRef<int64_t> values) {
    SmallVector<Attribute> attrs;
    for (int64_t v : values)
      attrs.push_back(b.getIntegerAttr(type.getElementType(), v));
    return arith::ConstantOp::create(b, loc,
                                     DenseElementsAttr::get(type, attrs));
  }
  Value read(VectorType type, Value source, ValueRange at, bool inBounds) {
    Type element = type.getElementType();
    return vector::TransferReadOp::create(
        b, loc, type, source, at,
        arith::ConstantOp::create(b, loc, b.getZeroAttr(element)),
        ArrayRef<bool>{inBounds});
  }
  Value readF32(Value source, ValueRange at) { // 16 lanes, widened
    Type element = cast<ShapedType>(source.getType()).getElementType();
    Value v = read(vectorOf(16, element), source, at, false);
    return element.isF32()
               ? v
               : arith::ExtFOp::create(b, loc, vectorOf(16, f32), v);
  }
  /// Parameters of 16 columns from `column` for group `group`: a row of the
  /// transposed [groups, N] tensor, or a strided read of the [N, groups] one.
  Value readParams(Value params, Value group, Value column) {
    if (paramsTransposed)
      return readF32(params, {group, column});
    Type element = cast<ShapedType>(params.getType()).getElementType();
    AffineMap columns = AffineMap::get(
        2, 0, getAffineDimExpr(0, b.getContext()), b.getContext());
    Value v = vector::TransferReadOp::create(
        b, loc, vectorOf(16, element), params, ValueRange{column, group},
        columns, arith::ConstantOp::create(b, loc, b.getZeroAttr(element)),
        /*mask=*/Value(), b.getBoolArrayAttr({n % 16 == 0}));
    return element.isF32()
               ? v
               : arith::ExtFOp::create(b, loc, vectorOf(16, f32), v);
  }
  /// The i16 lanes of bytes interleaved as vpunpck{l,h}bw do per 128-bit
  /// lane: low bytes from `lo`, high bytes from `hi`, bytes [8h, 8h + 8) of
  /// each lane.
  Value interleave(Value lo, Value hi, int64_t h) {
    SmallVector<int64_t> order;
    for (int64_t lane = 0; lane < 4; ++lane)
      for (int64_t j = 8 * h; j < 8 * h + 8; ++j) {
        order.push_back(16 * lane + j);
        order.push_back(64 + 16 * lane + j);
      }
    Value bytes = vector::ShuffleOp::create(b, loc, lo, hi, order);
    return vector::BitCastOp::create(b, loc, vectorOf(32, i16), bytes);
  }

  MatmulOp op;
  LutMatmulOptions options;
  Type f32, i8, i16, i32;

  int64_t m = 0, n = 0, k = 0;
  int64_t blocks = 0;      ///< of 16 codes, in the padded K
  int64_t groupBlocks = 0; ///< blocks per scale group
  int64_t groups = 0;
  int64_t panelTile = 1;
  float codeStep = 0; ///< T[1] = 1 / (qmax - qmin)
  bool paramsTransposed = true;

  Value tables;      ///< [M, blocks * kTableBytes] i8
  Value groupSums;   ///< [M, groups] i32: sum of the group's q_x
  Value rowScales;   ///< [M] f32
  Value groupScales; ///< [groups, N]
  Value groupMins;   ///< [groups, N]
};

} // namespace

LogicalResult LutMatmul::plan(std::string &why) {
  if (!op.getDynamicInt8Activations() ||
      op.getLayout().getKind() != LayoutKind::Int2Planes) {
    why = "not dynamic int8 activations on int2_planes";
    return failure();
  }
  if (!op.getType().getElementType().isF32() ||
      !op.getInput().getType().hasStaticShape() ||
      !op.getType().hasStaticShape()) {
    why = "needs f32 and static shapes";
    return failure();
  }
  SchemeAttr scheme = op.getScheme();
  if (scheme.getForm() != ParamForm::MinScale || scheme.getCodebook() ||
      scheme.getQmin() != 0 || scheme.getQmax() != 3 || !op.getMins() ||
      scheme.getGranularity() != GranularityKind::PerGroup ||
      scheme.getGroupSize() % 16 != 0 || scheme.getGroupSize() > 256) {
    why = "the lookup tables take 2-bit min/scale codes in groups of 16 to "
          "256 (multiples of 16)";
    return failure();
  }
  m = op.getType().getDimSize(0);
  n = op.getType().getDimSize(1);
  k = op.getInput().getType().getDimSize(1);
  blocks = numerics::bitPlanePaddedDepth(k) / 16;
  groupBlocks = scheme.getGroupSize() / 16;
  groups = llvm::divideCeil(k, scheme.getGroupSize());
  panelTile = options.vectorBits >= 512 ? 4 : 1;
  codeStep = 1.0f / 3.0f;
  return success();
}

/// The four table vectors of one block from its 16 quantized activations:
/// low and high bytes of T, then of 2 T; entry 16 L + i is T_{quad L}[i].
SmallVector<Value> LutMatmul::blockTables(Value q) {
  Value wide = arith::ExtSIOp::create(b, loc, vectorOf(16, i16), q);
  Value table;
  for (int64_t r = 0; r < 4; ++r) {
    SmallVector<int64_t> spread, mask;
    for (int64_t e = 0; e < 64; ++e) {
      spread.push_back(4 * (e / 16) + r);
      mask.push_back((e % 16) >> r & 1 ? -1 : 0);
    }
    Value a = vector::ShuffleOp::create(b, loc, wide, wide, spread);
    Value term = arith::AndIOp::create(b, loc, a,
                                       vectorConstant(vectorOf(64, i16), mask));
    table = r == 0 ? term : arith::AddIOp::create(b, loc, table, term);
  }
  SmallVector<Value> bytes;
  Value eight = splat(intConstant(i16, 8), 64);
  for (Value t : {table, Value(arith::AddIOp::create(b, loc, table, table))}) {
    bytes.push_back(arith::TruncIOp::create(b, loc, vectorOf(64, i8), t));
    bytes.push_back(arith::TruncIOp::create(
        b, loc, vectorOf(64, i8), arith::ShRSIOp::create(b, loc, t, eight)));
  }
  return bytes;
}

/// Quantizes every row (QuantizedRows.h) block by block, builds its tables
/// and its groups' activation sums.
void LutMatmul::prepareActivations() {
  QuantizedRowsSpec spec;
  spec.codesType = RankedTensorType::get({m, blocks * kTableBytes}, i8);
  spec.groups = groups;
  spec.width = 16;
  spec.groupSums = true;
  spec.parallel = options.parallel;
  auto chunks = [&](Value group) -> QuantizedChunkLoop {
    Value firstBlock = mul(group, groupBlocks);
    Value endBlock = arith::MinUIOp::create(
        b, loc, add(firstBlock, index(groupBlocks)), index(blocks));
    return {firstBlock, endBlock, index(1)};
  };
  auto column = [&](Value block) { return mul(block, 16); };
  auto store = [&](Value codes, Value row, Value block, Value, Value q) {
    SmallVector<Value> bytes = blockTables(q);
    for (int64_t t = 0; t < 4; ++t)
      codes = vector::TransferWriteOp::create(
                  b, loc, bytes[t], codes,
                  ValueRange{row, add(mul(block, kTableBytes), index(64 * t))},
                  ArrayRef<bool>{true})
                  .getResult();
    return codes;
  };
  QuantizedRows rows = buildQuantizedRows(b, op, spec, chunks, column, store);
  tables = rows.codes;
  rowScales = rows.scales;
  groupSums = rows.groupSums;
}

/// One block's lookups for `panels` panels from `panel` against row `row`'s
/// tables, added to `acc` (two i16 accumulators per panel).
SmallVector<Value> LutMatmul::blockLookups(SmallVector<Value> acc, Value row,
                                           Value panel, Value block,
                                           int64_t panels) {
  SmallVector<Value> table;
  for (int64_t t = 0; t < 4; ++t)
    table.push_back(read(vectorOf(64, i8), tables,
                         {row, add(mul(block, kTableBytes), index(64 * t))},
                         true));
  Value low = vectorConstant(vectorOf(64, i8), SmallVector<int64_t>(64, 0x0F));
  Value four = vectorConstant(vectorOf(64, i8), SmallVector<int64_t>(64, 4));
  for (int64_t p = 0; p < panels; ++p) {
    Value w = read(vectorOf(64, i8), op.getPacked(),
                   {add(panel, index(p)), mul(block, 64)}, true);
    Value planes[2] = {arith::AndIOp::create(b, loc, w, low),
                       arith::ShRUIOp::create(b, loc, w, four)};
    Value found[4];
    for (int64_t t = 0; t < 4; ++t)
      found[t] = LookupBytesOp::create(b, loc, table[t], planes[t / 2]);
    for (int64_t h = 0; h < 2; ++h) {
      Value &a = acc[2 * p + h];
      a = arith::AddIOp::create(b, loc, a, interleave(found[0], found[1], h));
      a = arith::AddIOp::create(b, loc, a, interleave(found[2], found[3], h));
    }
  }
  return acc;
}

/// `panels` panels from `panel` for every row, written into `out` (whose
/// column 0 is column `origin` of the result).
Value LutMatmul::tile(Value out, Value panel, Value origin, int64_t panels) {
  Value zero16 = splat(intConstant(i16, 0), 32);
  Value zeroF = splat(f32Constant(0.0f), 16);
  auto column = [&](int64_t p) { return mul(add(panel, index(p)), 16); };
  // Columns 0..15 of a panel's two accumulators: the four quad lanes added.
  auto panelSums = [&](Value lo, Value hi) {
    Value halves[2];
    Value accumulators[2] = {lo, hi};
    for (auto [h, a] : llvm::enumerate(accumulators)) {
      Value sum;
      for (int64_t lane = 0; lane < 4; ++lane) {
        Value part = vector::ExtractStridedSliceOp::create(b, loc, a,
                                                           {8 * lane}, {8}, {1});
        sum = lane == 0 ? part : arith::AddIOp::create(b, loc, sum, part);
      }
      halves[h] = sum;
    }
    SmallVector<int64_t> all;
    for (int64_t i = 0; i < 16; ++i)
      all.push_back(i);
    Value both = vector::ShuffleOp::create(b, loc, halves[0], halves[1], all);
    return arith::SIToFPOp::create(
        b, loc, vectorOf(16, f32),
        arith::ExtSIOp::create(b, loc, vectorOf(16, i32), both));
  };
  auto perRow = [&](OpBuilder &, Location, Value row, ValueRange state) {
    auto contract = arith::FastMathFlags::contract;
    auto perGroup = scf::ForOp::create(
        b, loc, index(0), index(groups), index(1),
        SmallVector<Value>(2 * panels, zeroF),
        [&](OpBuilder &, Location, Value group, ValueRange acc) {
          Value firstBlock = mul(group, groupBlocks);
          SmallVector<Value> sums(2 * panels, zero16);
          if (blocks % groupBlocks == 0 && groupBlocks <= 4) {
            for (int64_t j = 0; j < groupBlocks; ++j)
              sums = blockLookups(sums, row, panel, add(firstBlock, index(j)),
                                  panels);
          } else {
            Value endBlock = arith::MinUIOp::create(
                b, loc, add(firstBlock, index(groupBlocks)), index(blocks));
            auto loop = scf::ForOp::create(
                b, loc, firstBlock, endBlock, index(1), sums,
                [&](OpBuilder &, Location, Value block, ValueRange inner) {
                  scf::YieldOp::create(b, loc,
                                       blockLookups(SmallVector<Value>(inner),
                                                    row, panel, block, panels));
                });
            sums.assign(loop.getResults().begin(), loop.getResults().end());
          }
          Value activationSum = splat(
              arith::SIToFPOp::create(
                  b, loc, f32,
                  tensor::ExtractOp::create(b, loc, groupSums,
                                            ValueRange{row, group})),
              16);
          SmallVector<Value> next;
          for (int64_t p = 0; p < panels; ++p) {
            Value codes = panelSums(sums[2 * p], sums[2 * p + 1]);
            Value s = readParams(groupScales, group, column(p));
            Value mins = readParams(groupMins, group, column(p));
            next.push_back(arith::AddFOp::create(
                b, loc, acc[2 * p],
                arith::MulFOp::create(b, loc, codes, s, contract), contract));
            next.push_back(arith::AddFOp::create(
                b, loc, acc[2 * p + 1],
                arith::MulFOp::create(b, loc, activationSum, mins, contract),
                contract));
          }
          scf::YieldOp::create(b, loc, next);
        });
    Value rowScale = splat(
        tensor::ExtractOp::create(b, loc, rowScales, ValueRange{row}), 16);
    Value result = state[0];
    for (int64_t p = 0; p < panels; ++p) {
      Value value = arith::AddFOp::create(
          b, loc,
          arith::MulFOp::create(b, loc, perGroup.getResult(2 * p),
                                splat(f32Constant(codeStep), 16)),
          perGroup.getResult(2 * p + 1));
      value = arith::MulFOp::create(b, loc, value, rowScale);
      if (Value bias = op.getBias())
        value = arith::AddFOp::create(
            b, loc, value, read(vectorOf(16, f32), bias, {column(p)}, false));
      result = vector::TransferWriteOp::create(
                   b, loc, value, result,
                   ValueRange{row,
                              arith::SubIOp::create(b, loc, column(p), origin)},
                   ArrayRef<bool>{false})
                   .getResult();
    }
    scf::YieldOp::create(b, loc, result);
  };
  return scf::ForOp::create(b, loc, index(0), index(m), index(1),
                            ValueRange{out}, perRow)
      .getResult(0);
}

/// Output columns [first, end) (whole panels; `out`'s column 0 is column
/// `origin`): tiles of panelTile panels, then single panels.
Value LutMatmul::columns(Value out, Value first, Value end, Value origin) {
  Value firstPanel = arith::DivUIOp::create(b, loc, first, index(16));
  Value endPanel = arith::DivUIOp::create(b, loc, add(end, index(15)),
                                          index(16));
  Value panels = arith::SubIOp::create(b, loc, endPanel, firstPanel);
  Value fullEnd = add(
      firstPanel,
      mul(arith::DivUIOp::create(b, loc, panels, index(panelTile)), panelTile));
  auto over = [&](Value from, Value to, int64_t tilePanels, Value state) {
    return scf::ForOp::create(
               b, loc, from, to, index(tilePanels), ValueRange{state},
               [&](OpBuilder &, Location, Value panel, ValueRange s) {
                 scf::YieldOp::create(b, loc,
                                      tile(s[0], panel, origin, tilePanels));
               })
        .getResult(0);
  };
  out = over(firstPanel, fullEnd, panelTile, out);
  if (panelTile == 1)
    return out;
  return over(fullEnd, endPanel, 1, out);
}

Value LutMatmul::build() {
  prepareActivations();
  // Parameters computed or passed at run time are read in place, 16
  // columns apart by the group count, rather than transposed on every call.
  paramsTransposed =
      !isa<BlockArgument>(op.getScales()) && !isa<BlockArgument>(op.getMins());
  groupScales = paramsTransposed ? buildTransposedParams(b, loc, op.getScales())
                                 : op.getScales();
  groupMins = paramsTransposed ? buildTransposedParams(b, loc, op.getMins())
                               : op.getMins();
  return buildColumnChunks(
      b, op, options.parallel, 16 * panelTile, 16,
      [&](Value out, Value first, Value end, Value origin) {
        return columns(out, first, end, origin);
      });
}

FailureOr<Value> lowbit::buildLutMatmul(OpBuilder &b, MatmulOp op,
                                        const LutMatmulOptions &options,
                                        std::string &why) {
  LutMatmul kernel(b, op, options);
  if (failed(kernel.plan(why)))
    return failure();
  return kernel.build();
}

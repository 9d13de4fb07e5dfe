//===- Epilogue.cpp - a lowbit.matmul epilogue on a block's outputs -------===//
//
// The epilogue (an activation, a residual addition) maps the outputs of a
// column block (or of a thread's chunk) right after the kernel's loops
// (KernelBuilder's, or the outer-product ones of panel layouts) computed
// them, while they are in cache: rows in fours, one vector
// register of consecutive columns at a time, the region's scalar ops cloned
// onto those vectors, its inputs read at the same positions ([N] ones once
// per vector of columns), constants broadcast. Math ops become polynomial
// vector code later (lowbit-approximate-math), like any other.
//
// Why not in the kernel's registers: its outputs are horizontal
// reductions computed one by one, so a tile's values would first be
// gathered into a vector and scattered back (measured 5-8% slower on
// tinylm's fc1 + GELU than a separate pass); and mapping each row tile's
// outputs inside the row loop puts the polynomial's hoisted constants into
// the registers of the kernel's loop nest (measured 4-5% slower). After the
// kernel's loops, the cost is that of the separate elementwise pass it
// replaces, without its buffer, in the kernel's thread chunks.
//
//===----------------------------------------------------------------------===//

#include "Epilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace lowbit;

namespace {

/// The builder state of applyEpilogue.
struct EpilogueBuilder {
  OpBuilder &b;
  Location loc;
  MatmulOp op;
  int64_t lanes;

  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  VectorType vectorOf(int64_t count, Type element) {
    return VectorType::get({count}, element);
  }
  Value apply(Value out, int64_t firstRow, int64_t endRow, Value begin,
              Value end, Value origin);
  Value applyToRows(Value out, ArrayRef<Value> rows, Value begin, Value end,
                    Value origin);
};

} // namespace

Value EpilogueBuilder::apply(Value out, int64_t firstRow, int64_t endRow,
                             Value begin, Value end, Value origin) {
  // Rows in fours (independent chains of the region's ops), then one by one.
  int64_t tiled = firstRow + (endRow - firstRow) / 4 * 4;
  for (auto [from, to, step] : {std::make_tuple(firstRow, tiled, int64_t(4)),
                                std::make_tuple(tiled, endRow, int64_t(1))}) {
    if (to <= from)
      continue;
    int64_t rowsPerStep = step; // lambdas cannot capture structured bindings
    auto rows = scf::ForOp::create(
        b, loc, index(from), index(to), index(step), ValueRange{out},
        [&](OpBuilder &, Location, Value row, ValueRange state) {
          SmallVector<Value> rowIndices{row};
          for (int64_t i = 1; i < rowsPerStep; ++i)
            rowIndices.push_back(arith::AddIOp::create(b, loc, row, index(i)));
          scf::YieldOp::create(
              b, loc, applyToRows(state[0], rowIndices, begin, end, origin));
        });
    out = rows.getResult(0);
  }
  return out;
}

Value EpilogueBuilder::applyToRows(Value out, ArrayRef<Value> rows, Value begin,
                                   Value end, Value origin) {
  Block &block = op.getEpilogue().front();
  AffineMap minor = AffineMap::getMinorIdentityMap(2, 1, b.getContext());
  // Columns [column, column + lanes) of every row, under `mask` (the last,
  // partial vector) or whole.
  auto mapColumns = [&](Value tile, Value column, Value mask) {
    Value outColumn =
        origin ? Value(arith::SubIOp::create(b, loc, column, origin)) : column;
    auto read = [&](Value source, ValueRange indices) -> Value {
      auto type = cast<RankedTensorType>(source.getType());
      AffineMap map =
          type.getRank() == 2
              ? minor
              : AffineMap::getMultiDimIdentityMap(1, b.getContext());
      Value padding = arith::ConstantOp::create(
          b, loc, b.getZeroAttr(type.getElementType()));
      return vector::TransferReadOp::create(
          b, loc, vectorOf(lanes, type.getElementType()), source, indices, map,
          padding, mask, b.getBoolArrayAttr({true}));
    };
    // [N] inputs are the same for every row.
    SmallVector<Value> perColumn;
    for (Value input : op.getEpilogueInputs())
      perColumn.push_back(cast<RankedTensorType>(input.getType()).getRank() == 1
                              ? read(input, ValueRange{column})
                              : Value());
    for (Value row : rows) {
      IRMapping mapping;
      mapping.map(block.getArgument(0), read(tile, ValueRange{row, outColumn}));
      for (auto [i, input] : llvm::enumerate(op.getEpilogueInputs()))
        mapping.map(block.getArgument(1 + i),
                    perColumn[i] ? perColumn[i]
                                 : read(input, ValueRange{row, column}));
      for (Operation &inner : block.without_terminator()) {
        Operation *cloned = b.clone(inner, mapping);
        // Constants stay scalars, broadcast; every other op is elementwise
        // and takes the vectors.
        if (matchPattern(cloned, m_Constant())) {
          mapping.map(inner.getResult(0),
                      vector::BroadcastOp::create(
                          b, loc,
                          vectorOf(lanes, cloned->getResult(0).getType()),
                          cloned->getResult(0)));
          continue;
        }
        for (OpResult result : cloned->getResults())
          result.setType(vectorOf(lanes, result.getType()));
      }
      Value mapped = mapping.lookupOrDefault(
          cast<YieldOp>(block.getTerminator()).getValue());
      tile = vector::TransferWriteOp::create(
                 b, loc, mapped, tile, ValueRange{row, outColumn},
                 AffineMapAttr::get(minor), mask, b.getBoolArrayAttr({true}))
                 .getResult();
    }
    return tile;
  };

  // Whole vectors, then the rest under a mask.
  std::optional<int64_t> first = getConstantIntValue(begin);
  std::optional<int64_t> last = getConstantIntValue(end);
  Value whole;
  if (first && last)
    whole = index(*last - (*last - *first) % lanes);
  else
    whole = arith::SubIOp::create(
        b, loc, end,
        arith::RemUIOp::create(
            b, loc, arith::SubIOp::create(b, loc, end, begin), index(lanes)));
  if (!first || !last || *last - *first >= lanes) {
    auto loop = scf::ForOp::create(
        b, loc, begin, whole, index(lanes), ValueRange{out},
        [&](OpBuilder &, Location, Value column, ValueRange state) {
          scf::YieldOp::create(b, loc, mapColumns(state[0], column, Value()));
        });
    out = loop.getResult(0);
  }
  if (first && last && (*last - *first) % lanes == 0)
    return out;
  auto rest = [&](Value tile) {
    Value count = arith::SubIOp::create(b, loc, end, whole);
    Value mask = vector::CreateMaskOp::create(
        b, loc, vectorOf(lanes, b.getI1Type()), ValueRange{count});
    return mapColumns(tile, whole, mask);
  };
  if (first && last)
    return rest(out);
  Value partial =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, whole, end);
  auto ifOp = scf::IfOp::create(
      b, loc, partial,
      [&](OpBuilder &, Location) { scf::YieldOp::create(b, loc, rest(out)); },
      [&](OpBuilder &, Location) { scf::YieldOp::create(b, loc, out); });
  return ifOp.getResult(0);
}

Value lowbit::applyEpilogue(OpBuilder &b, MatmulOp op, int64_t lanes, Value out,
                            int64_t firstRow, int64_t endRow, Value begin,
                            Value end, Value origin) {
  return EpilogueBuilder{b, op.getLoc(), op, lanes}.apply(out, firstRow, endRow,
                                                          begin, end, origin);
}

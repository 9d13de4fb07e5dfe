//===- QuantizedRows.cpp - int8 rows and column chunks of row kernels -----===//
//
// The row loop (max |x|, the scale, then each group's chunks quantized,
// stored and summed), its split across threads over rows, and the split of
// the output columns with the epilogue after each chunk, as BroadcastInt8Gemm
// and LutMatmul emit them.
//
//===----------------------------------------------------------------------===//

#include "QuantizedRows.h"
#include "../Int8Dot.h"
#include "../Parallel.h"
#include "Epilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace lowbit;

QuantizedRows lowbit::buildQuantizedRows(
    OpBuilder &b, MatmulOp op, const QuantizedRowsSpec &spec,
    function_ref<QuantizedChunkLoop(Value group)> chunks,
    function_ref<Value(Value at)> column,
    function_ref<Value(Value codes, Value row, Value at, Value column, Value q)>
        store) {
  Location loc = op.getLoc();
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  int64_t m = op.getType().getDimSize(0);
  int64_t k = op.getInput().getType().getDimSize(1);
  Value x = op.getInput();
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto zeros = [&](int64_t n) -> Value {
    return vector::BroadcastOp::create(
        b, loc, VectorType::get({n}, i32),
        arith::ConstantOp::create(b, loc, b.getIntegerAttr(i32, 0)));
  };
  auto readX = [&](Value row, Value col, int64_t width) -> Value {
    return vector::TransferReadOp::create(
        b, loc, VectorType::get({width}, f32), x, ValueRange{row, col},
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f)),
        ArrayRef<bool>{false});
  };
  // Codes, scales, then the groups' sums when kept.
  SmallVector<Value> init = {
      tensor::EmptyOp::create(b, loc, spec.codesType.getShape(),
                              spec.codesType.getElementType()),
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m}, f32)};
  if (spec.groupSums)
    init.push_back(tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{m, spec.groups}, i32));
  // Rows [first, end) into tensors whose row 0 is `first`.
  auto quantizeRows = [&](ValueRange init, Value first,
                          Value end) -> SmallVector<Value> {
    auto rows = scf::ForOp::create(
        b, loc, first, end, index(1), init,
        [&](OpBuilder &, Location, Value row, ValueRange state) {
          Value local = arith::SubIOp::create(b, loc, row, first);
          auto amax = scf::ForOp::create(
              b, loc, index(0), index(k), index(16), ValueRange{zeros(16)},
              [&](OpBuilder &, Location, Value col, ValueRange acc) {
                scf::YieldOp::create(
                    b, loc,
                    buildAbsMaxStep(b, loc, acc[0], readX(row, col, 16)));
              });
          Value scale = buildInt8RowScale(
              b, loc, buildAbsMaxResult(b, loc, amax.getResult(0)));
          SmallVector<Value> carried = {state[0]};
          if (spec.groupSums)
            carried.push_back(state[2]);
          auto perGroup = scf::ForOp::create(
              b, loc, index(0), index(spec.groups), index(1), carried,
              [&](OpBuilder &, Location, Value group, ValueRange acc) {
                QuantizedChunkLoop loop = chunks(group);
                // The group's sum of codes: lane-wise, reduced once.
                auto chunkLoop = scf::ForOp::create(
                    b, loc, loop.lower, loop.upper, loop.step,
                    ValueRange{acc[0], zeros(spec.width)},
                    [&](OpBuilder &, Location, Value at, ValueRange inner) {
                      Value col = column(at);
                      Value q = buildQuantizeInt8(
                          b, loc, readX(row, col, spec.width), scale);
                      Value written = store(inner[0], local, at, col, q);
                      Value sum = arith::AddIOp::create(
                          b, loc, inner[1],
                          arith::ExtSIOp::create(
                              b, loc, VectorType::get({spec.width}, i32), q));
                      scf::YieldOp::create(b, loc, ValueRange{written, sum});
                    });
                SmallVector<Value> next = {chunkLoop.getResult(0)};
                if (spec.groupSums)
                  next.push_back(tensor::InsertOp::create(
                      b, loc,
                      vector::ReductionOp::create(b, loc,
                                                  vector::CombiningKind::ADD,
                                                  chunkLoop.getResult(1)),
                      acc[1], ValueRange{local, group}));
                scf::YieldOp::create(b, loc, next);
              });
          SmallVector<Value> next = {
              perGroup.getResult(0),
              tensor::InsertOp::create(b, loc, scale, state[1], local)};
          if (spec.groupSums)
            next.push_back(perGroup.getResult(1));
          scf::YieldOp::create(b, loc, next);
        });
    return SmallVector<Value>(rows.getResults());
  };
  // Rows split across threads from kMinParallelQuantize elements.
  int64_t rowChunk = spec.parallel && m * k >= kMinParallelQuantize
                         ? getParallelChunk(m, 1)
                         : 0;
  SmallVector<Value> results =
      rowChunk ? buildParallelChunks(b, loc, init, /*dim=*/0, m, rowChunk,
                                     quantizeRows)
               : quantizeRows(init, index(0), index(m));
  return {results[0], results[1], spec.groupSums ? results[2] : Value()};
}

Value lowbit::buildTransposedParams(OpBuilder &b, Location loc, Value params) {
  auto type = cast<RankedTensorType>(params.getType());
  Value init = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{type.getDimSize(1), type.getDimSize(0)},
      type.getElementType());
  return linalg::TransposeOp::create(b, loc, params, init,
                                     ArrayRef<int64_t>{1, 0})
      ->getResult(0);
}

Value lowbit::buildColumnChunks(
    OpBuilder &b, MatmulOp op, bool parallel, int64_t granule, int64_t lanes,
    function_ref<Value(Value out, Value first, Value end, Value origin)>
        columns) {
  Location loc = op.getLoc();
  int64_t m = op.getType().getDimSize(0);
  int64_t n = op.getType().getDimSize(1);
  int64_t k = op.getInput().getType().getDimSize(1);
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value out =
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, n}, b.getF32Type());
  // Columns [first, end) and, once computed, their epilogue.
  auto columnsAndEpilogue = [&](Value out, Value first, Value end,
                                Value origin) {
    out = columns(out, first, end, origin);
    if (!op.hasEpilogue())
      return out;
    return applyEpilogue(b, op, lanes, out, 0, m, first, end,
                         getConstantIntValue(origin) == 0 ? Value() : origin);
  };
  if (parallel && m * n * k >= kMinParallelWork) {
    if (int64_t chunk = getParallelChunk(n, granule))
      return buildParallelChunks(b, loc, out, /*dim=*/1, n, chunk,
                                 [&](Value slice, Value first, Value end) {
                                   return columnsAndEpilogue(slice, first, end,
                                                             first);
                                 });
  }
  return columnsAndEpilogue(out, index(0), index(n), index(0));
}

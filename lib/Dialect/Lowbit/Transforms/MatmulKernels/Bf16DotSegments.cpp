//===- Bf16DotSegments.cpp - bf16 activations times codes in bf16 dots ----===//
//
// The segments of matmuls with activation_type = bf16 on targets with a
// bf16 dot product: a segment's integer codes (|q| <= 128, or 16 * q for
// int4 nibbles) are converted to bf16 exactly and meet the stored bf16
// activations 32 at a time: one 512-bit vdpbf16ps (AVX512-BF16,
// x86vector.avx512.dot) adds pairs of products (exact in f32) into 16 f32
// lanes. Per-group scales multiply each segment's lanes once
// per row; per-channel scales the row's total after the reduction.
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"
#include "SegmentEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"

using namespace mlir;
using namespace lowbit;

/// Codes per dot product (a 512-bit vdpbf16ps).
static constexpr int64_t kChunk = 32;

SmallVector<Value> Bf16DotSegments::accumulateSegment(
    ArrayRef<Value> rows, ArrayRef<Value> columns, Value kBase, Value unit,
    ArrayRef<Dequantization> params, bool partial, ValueRange accs) {
  std::unique_ptr<ContiguousDecoder> decoder = makeContiguousDecoder(*this);
  Type bf16 = b.getBF16Type();
  int64_t codes = plan.segmentCodes, numRows = rows.size();
  // The segment's pieces are consecutive codes: one vector in K order.
  SmallVector<int64_t> pieceOffsets = decoder->getPieceOffsets();
  SmallVector<Value> xs; // xs[r * chunks + j]
  for (Value row : rows)
    for (int64_t j = 0; j < codes; j += kChunk)
      xs.push_back(vector::TransferReadOp::create(
          b, loc, vectorOf(kChunk, bf16), prepared.bf16Input,
          ValueRange{row, arith::AddIOp::create(b, loc, kBase, index(j))},
          arith::ConstantOp::create(b, loc, b.getZeroAttr(bf16)),
          ArrayRef<bool>{true}));
  int64_t chunks = codes / kChunk;
  SmallVector<Value> result(accs.begin(), accs.end());
  for (auto [c, column] : llvm::enumerate(columns)) {
    SmallVector<Value> pieces =
        decoder->decodeCodes(readUnits(column, unit, plan.lanes, partial));
    Value all = pieces.front();
    for (Value piece : ArrayRef<Value>(pieces).drop_front()) {
      int64_t have = cast<VectorType>(all.getType()).getNumElements();
      int64_t more = cast<VectorType>(piece.getType()).getNumElements();
      all = vector::ShuffleOp::create(
          b, loc, all, piece,
          llvm::to_vector(llvm::seq<int64_t>(0, have + more)));
    }
    assert(pieceOffsets.size() == pieces.size() && "a piece per offset");
    // Codes of at most 8 significant bits: exact in f32 and in bf16.
    Value weights = arith::TruncFOp::create(
        b, loc, vectorOf(codes, bf16),
        dequantize(all, op.getScheme().getQmin() < 0, Dequantization{}));
    Value multiplier = params[c].multiplier;
    for (int64_t r = 0; r < numRows; ++r) {
      Value &acc = result[c * numRows + r];
      Value sum = multiplier ? splat(f32Constant(0.0f), 16) : acc;
      for (int64_t j = 0; j < chunks; ++j)
        sum = x86vector::DotBF16Op::create(
            b, loc, sum.getType(), sum, xs[r * chunks + j],
            vector::ExtractStridedSliceOp::create(b, loc, weights, {j * kChunk},
                                                  {kChunk}, {1}));
      acc = multiplier ? multiplyAdd(sum, splat(multiplier, 16), acc) : sum;
    }
  }
  return result;
}

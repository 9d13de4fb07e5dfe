//===- Bf16DotSegments.cpp - bf16 activations times codes in bf16 dots ----===//
//
// The segments of matmuls with activation_type = bf16 on targets with a
// bf16 dot product (AVX512-BF16 vdpbf16ps, x86vector.avx512.dot; AArch64
// bfdot, lowbit.dot_bf16 lowered after bufferization). Codes
// become bf16 in 16-bit lanes with integer operations only: the bf16 bits
// 0x4300 | u are the value 128 + u, exact for u < 128 (8 significant bits),
// and 0x4500 | u is 16 * (128 + u). So
//
// * an int4 code q (u = q + 8 < 16) is the bf16 136 + q;
// * an int8 code q (u = q + 128 = 16 h + l) is the pair 128 + l and
//   16 * (128 + h), which meet the same activation in two dot products:
//   their sum is 2304 + q.
//
// Every product of a bf16 activation and such a code is exact in f32. The
// constant part (c * sum of a group's activations, c = 136 or 2304) is
// subtracted once per row after the segment loop (offsetTerms), from the
// block sums ActivationPreparer::storeBf16 computed with the rounded rows.
// int4 in blocks of 32 goes four blocks (64 bytes) per segment, whose four
// 32-code dot products each take 8 codes of every block (the activations
// are stored in that order): lanes 4K-4K+3 belong to block K, so that one
// multiply-add applies the four blocks' scales.
//
//===----------------------------------------------------------------------===//

#include "SegmentEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"

using namespace mlir;
using namespace lowbit;

/// Codes per dot product (a 512-bit vdpbf16ps) and its f32 lanes.
static constexpr int64_t kChunk = 32;
static constexpr int64_t kDotLanes = 16;

namespace {

using CodeChunk = Bf16DotSegments::CodeChunk;

/// How a layout's bytes become bf16 codes (one line per layout).
struct Bf16CodeLayout {
  LayoutKind kind;
  /// The constant c of the codes' values c + q, for signed codes (unsigned
  /// codes take c minus the signed offset).
  int64_t signedOffset, unsignedOffset;
  SmallVector<CodeChunk> (*decode)(const KernelEmitter &, OpBuilder &, Location,
                                   Value units, bool isSigned);
  /// Where the stored activations come from: stored activation i is code
  /// order[i] of the segment (-1: zero; empty: in place).
  SmallVector<int64_t> (*arrangement)(const KernelPlan &plan);
  /// Units read per segment (0: the segment's units).
  int64_t unitsPerRead = 0;
};

/// `bits` (i16 lanes) as bf16.
Value asBf16(OpBuilder &b, Location loc, Value bits) {
  auto type = cast<VectorType>(bits.getType());
  return arith::BitcastOp::create(
      b, loc, VectorType::get(type.getShape(), b.getBF16Type()), bits);
}

Value wordConstant(OpBuilder &b, Location loc, int64_t value, int64_t lanes) {
  return arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(VectorType::get({lanes}, b.getI16Type()),
                             b.getI16IntegerAttr(int16_t(value))));
}

/// (bits & 0xF) ^ top: the nibble as the low mantissa bits of `top`'s
/// exponent (the xor also adds 8 to signed nibbles).
Value nibbleCode(OpBuilder &b, Location loc, Value words, int64_t top) {
  int64_t lanes = cast<VectorType>(words.getType()).getNumElements();
  Value nibble =
      arith::AndIOp::create(b, loc, words, wordConstant(b, loc, 0xF, lanes));
  return asBf16(
      b, loc,
      arith::XOrIOp::create(b, loc, nibble, wordConstant(b, loc, top, lanes)));
}

Value shiftWords(OpBuilder &b, Location loc, Value words, int64_t bits) {
  int64_t lanes = cast<VectorType>(words.getType()).getNumElements();
  return arith::ShRUIOp::create(b, loc, words,
                                wordConstant(b, loc, bits, lanes));
}

Value widen(OpBuilder &b, Location loc, Value bytes) {
  auto type = cast<VectorType>(bytes.getType());
  return arith::ExtUIOp::create(
      b, loc, VectorType::get(type.getShape(), b.getI16Type()), bytes);
}

/// int8: per 32 bytes, the low nibbles of q + 128 (as 128 + l) and the high
/// ones (as 16 * (128 + h)), both against the same activations.
SmallVector<CodeChunk> decodeInt8(const KernelEmitter &, OpBuilder &b,
                                  Location loc, Value bytes, bool isSigned) {
  SmallVector<CodeChunk> result;
  int64_t count = cast<VectorType>(bytes.getType()).getNumElements();
  for (int64_t j = 0; j * kChunk < count; ++j) {
    Value words = widen(b, loc,
                        vector::ExtractStridedSliceOp::create(
                            b, loc, bytes, {j * kChunk}, {kChunk}, {1}));
    result.push_back({nibbleCode(b, loc, words, 0x4300), j, 0});
    // h = (q >> 4) + 8 for signed q.
    result.push_back({nibbleCode(b, loc, shiftWords(b, loc, words, 4),
                                 isSigned ? 0x4508 : 0x4500),
                      j, 1});
  }
  return result;
}

/// int4, four interleaved blocks of 32 codes (16 bytes each) per segment:
/// bytes [8 part, 8 part + 8) of every block interleaved with zero bytes
/// (vpunpck{l,h}bw: in 128-bit lanes, one per block, where a zero-extension
/// of 32 bytes (vpmovzxbw) crosses lanes and a regrouping (vshufi64x2)
/// follows it) are words holding 8 codes of every block; their low nibbles,
/// then their high ones, make one 32-code dot product whose lanes 4K-4K+3
/// belong to block K.
SmallVector<CodeChunk> decodeInt4Quads(const KernelEmitter &, OpBuilder &b,
                                       Location loc, Value bytes,
                                       bool isSigned) {
  auto type = cast<VectorType>(bytes.getType());
  Value zeros = arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
  int64_t top = isSigned ? 0x4308 : 0x4300;
  SmallVector<CodeChunk> result;
  for (int64_t part = 0; part < 2; ++part) {
    SmallVector<int64_t> order;
    for (int64_t block = 0; block < 4; ++block)
      for (int64_t j = 0; j < 8; ++j) {
        order.push_back(16 * block + 8 * part + j);
        order.push_back(type.getNumElements());
      }
    Value words = vector::BitCastOp::create(
        b, loc, VectorType::get({32}, b.getI16Type()),
        vector::ShuffleOp::create(b, loc, bytes, zeros, order));
    // The high nibbles first: the low ones may then reuse the words'
    // register.
    Value high = nibbleCode(b, loc, shiftWords(b, loc, words, 4), top);
    result.push_back({nibbleCode(b, loc, words, top), 2 * part, 0});
    result.push_back({high, 2 * part + 1, 0});
  }
  return result;
}

SmallVector<int64_t> inPlace(const KernelPlan &) { return {}; }

/// Chunk 2h + n (half h, nibble n) holds codes 16 n + 8 h + [0, 8) of each
/// of the four blocks.
SmallVector<int64_t> int4QuadOrder(const KernelPlan &plan) {
  int64_t block = plan.segmentCodes / 4;
  SmallVector<int64_t> order;
  for (int64_t half = 0; half < 2; ++half)
    for (int64_t nibble = 0; nibble < 2; ++nibble)
      for (int64_t blockIndex = 0; blockIndex < 4; ++blockIndex)
        for (int64_t j = 0; j < 8; ++j)
          order.push_back(blockIndex * block + 16 * nibble + 8 * half + j);
  return order;
}

/// Radix digits are unsigned: 128 + d (RadixBf16Codes.cpp).
SmallVector<CodeChunk> decodeRadixWords(const KernelEmitter &emitter,
                                        OpBuilder &, Location, Value words,
                                        bool) {
  return decodeRadixBf16Codes(emitter, words);
}

const Bf16CodeLayout kBf16CodeLayouts[] = {
    {LayoutKind::Int8, 2304, 2176, decodeInt8, inPlace},
    {LayoutKind::Int4Interleaved, 136, 128, decodeInt4Quads, int4QuadOrder},
    {LayoutKind::Radix, 128, 128, decodeRadixWords, getRadixBf16Order, 16},
};

const Bf16CodeLayout *getBf16CodeLayout(LayoutKind kind) {
  for (const Bf16CodeLayout &layout : kBf16CodeLayouts)
    if (layout.kind == kind)
      return &layout;
  return nullptr;
}

} // namespace

int64_t Bf16DotSegments::codeOffset() {
  const Bf16CodeLayout *layout = getBf16CodeLayout(plan.kind);
  assert(layout && "bf16 dot products on a layout without bf16 codes");
  return op.getScheme().getQmin() < 0 ? layout->signedOffset
                                      : layout->unsignedOffset;
}

SmallVector<CodeChunk> Bf16DotSegments::decodeCodes(Value column, Value unit,
                                                    bool partial) {
  const Bf16CodeLayout *layout = getBf16CodeLayout(plan.kind);
  assert(layout && "bf16 dot products on a layout without bf16 codes");
  int64_t units =
      layout->unitsPerRead ? layout->unitsPerRead : plan.segmentUnits;
  return layout->decode(*this, b, loc, readUnits(column, unit, units, partial),
                        op.getScheme().getQmin() < 0);
}

SmallVector<Value> Bf16DotSegments::readActivationChunks(Value row,
                                                         Value segment) {
  Type bf16 = b.getBF16Type();
  int64_t stored = plan.bf16Codes ? plan.bf16Codes : plan.segmentCodes;
  Value kBase = arith::MulIOp::create(b, loc, segment, index(stored));
  SmallVector<Value> xs;
  for (int64_t j = 0; j < stored / kChunk; ++j)
    xs.push_back(vector::TransferReadOp::create(
        b, loc, vectorOf(kChunk, bf16), prepared.bf16Input,
        ValueRange{row,
                   arith::AddIOp::create(b, loc, kBase, index(j * kChunk))},
        arith::ConstantOp::create(b, loc, b.getZeroAttr(bf16)),
        ArrayRef<bool>{true}));
  return xs;
}

int64_t Bf16DotSegments::blockOfCode(int64_t chunk, int64_t lane) {
  const Bf16CodeLayout *layout = getBf16CodeLayout(plan.kind);
  assert(layout && "bf16 dot products on a layout without bf16 codes");
  int64_t position = chunk * kChunk + lane;
  SmallVector<int64_t> order = layout->arrangement(plan);
  if (!order.empty())
    position = std::max<int64_t>(order[position], 0); // -1: a zero
  return position / (plan.segmentCodes / plan.blocksPerSegment);
}

SmallVector<Value> Bf16DotSegments::accumulateSegment(
    ArrayRef<Value> rows, ArrayRef<Value> columns, Value kBase, Value segment,
    Value unit, bool partial, ValueRange accs) {
  bool perGroup = op.getScheme().getGranularity() == GranularityKind::PerGroup;
  int64_t numRows = rows.size(), parts = plan.accLanes / kDotLanes;
  // Per column: its codes (and scales), decoded once for all rows.
  SmallVector<SmallVector<CodeChunk>> codes;
  SmallVector<Value> scales;
  for (Value column : columns) {
    codes.push_back(decodeCodes(column, unit, partial));
    if (perGroup)
      scales.push_back(
          Int8DotSegments(*this).readBlockScales(column, segment, partial));
  }
  SmallVector<Value> result(accs.begin(), accs.end());
  Value zero = splat(f32Constant(0.0f), kDotLanes);
  for (auto [r, row] : llvm::enumerate(rows)) {
    SmallVector<Value> xs = readActivationChunks(row, segment);
    for (int64_t c = 0; c < int64_t(columns.size()); ++c) {
      Value &acc = result[c * numRows + r];
      // Per-group scales multiply the segment's sums (from zero); without
      // them the sums go into the accumulator directly.
      SmallVector<Value> sums;
      for (int64_t p = 0; p < parts; ++p)
        sums.push_back(
            perGroup ? zero
                     : Value(vector::ExtractStridedSliceOp::create(
                           b, loc, acc, {p * kDotLanes}, {kDotLanes}, {1})));
      for (const CodeChunk &chunk : codes[c]) {
        Value &sum = sums[chunk.part % parts];
        // vdpbf16ps as x86vector's op (it lowers before bufferization);
        // AArch64 bfdot as lowbit.dot_bf16 (lowbit-lower-dot-bf16).
        // The activations second: vdpbf16ps can read its second operand
        // from memory.
        if (plan.bf16Dot == Bf16Dot::X86Avx512)
          sum = x86vector::DotBF16Op::create(b, loc, sum.getType(), sum,
                                             chunk.codes, xs[chunk.chunk]);
        else
          sum = DotBf16Op::create(b, loc, sum.getType(), sum, chunk.codes,
                                  xs[chunk.chunk]);
      }
      Value all = sums.front();
      for (int64_t p = 1; p < parts; ++p)
        all = vector::ShuffleOp::create(
            b, loc, all, sums[p],
            llvm::to_vector(llvm::seq<int64_t>(0, (p + 1) * kDotLanes)));
      acc = perGroup ? multiplyAdd(all, scales[c], acc) : all;
    }
  }
  return result;
}

SmallVector<Value> Bf16DotSegments::offsetTerms(ArrayRef<Value> rows,
                                                Value column) {
  constexpr int64_t chunk = 16;
  bool perGroup = op.getScheme().getGranularity() == GranularityKind::PerGroup;
  int64_t blocks = plan.numSegments * plan.blocksPerSegment;
  // The sums are c times the activations' (storeBf16); c is a power of two
  // where codes are affine (radix digits, 128 + d), so 1 / c is exact.
  float c = float(codeOffset());
  bool affine = op.getMins() || plan.beta != 0.0f;
  assert((perGroup || (!affine && plan.alpha == 1.0f)) &&
         "min/scale codes in bf16 dot products need per-group parameters");
  auto readGroups = [&](Value params, Value block) {
    Type type = cast<RankedTensorType>(params.getType()).getElementType();
    return toF32(vector::TransferReadOp::create(
        b, loc, vectorOf(chunk, type), params, ValueRange{column, block},
        arith::ConstantOp::create(b, loc, b.getZeroAttr(type)),
        ArrayRef<bool>{false}));
  };
  SmallVector<Value> zeros(rows.size(), splat(f32Constant(0.0f), chunk));
  auto loop = scf::ForOp::create(
      b, loc, index(0), index(blocks), index(chunk), zeros,
      [&](OpBuilder &, Location, Value block, ValueRange accs) {
        // Per group (0 past the last): -alpha s, and (m + beta s) / c;
        // otherwise the scale multiplies the row's total later.
        Value weights = splat(f32Constant(-1.0f), chunk);
        if (perGroup) {
          Value scales = readGroups(op.getScales(), block);
          weights = arith::MulFOp::create(
              b, loc, scales, splat(f32Constant(-plan.alpha), chunk));
          if (affine) {
            Value offsets = op.getMins() ? readGroups(op.getMins(), block)
                                         : splat(f32Constant(0.0f), chunk);
            if (plan.beta != 0.0f)
              offsets = multiplyAdd(
                  scales, splat(f32Constant(plan.beta), chunk), offsets);
            weights = multiplyAdd(offsets, splat(f32Constant(1.0f / c), chunk),
                                  weights);
          }
        }
        SmallVector<Value> next;
        for (auto [row, acc] : llvm::zip(rows, accs)) {
          Value sums = vector::TransferReadOp::create(
              b, loc, vectorOf(chunk, f32), prepared.segmentSums,
              ValueRange{row, block}, f32Constant(0.0f), ArrayRef<bool>{false});
          next.push_back(multiplyAdd(weights, sums, acc));
        }
        scf::YieldOp::create(b, loc, next);
      });
  SmallVector<Value> result;
  for (Value acc : loop.getResults())
    result.push_back(
        vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, acc,
                                    arith::FastMathFlags::reassoc));
  return result;
}

void ActivationPreparer::storeBf16() {
  const Bf16CodeLayout *layout = getBf16CodeLayout(plan.kind);
  assert(layout && "bf16 dot products on a layout without bf16 codes");
  int64_t m = op.getType().getDimSize(0);
  int64_t k = op.getInput().getType().getDimSize(1);
  int64_t codes = plan.segmentCodes, blocks = plan.blocksPerSegment;
  int64_t stored = plan.bf16Codes ? plan.bf16Codes : codes;
  // Whole segments (zeros past K), and a stride off multiples of 4 KiB
  // (see pad()).
  int64_t stride = plan.numSegments * stored + kChunk;
  Type bf16 = b.getBF16Type(), i32 = b.getI32Type();
  // Stored activation i is x[order[i]], or a zero (index `codes`).
  SmallVector<int64_t> order = layout->arrangement(plan);
  for (int64_t &i : order)
    i = i < 0 ? codes : i;
  // The sums are of c * x (exact): with tiny activations, partial sums of
  // x alone could fall into the f32 denormals, which the dot products'
  // lanes (c * x, c >= 128) never reach.
  int64_t offset = Bf16DotSegments(*this).codeOffset();
  Value sixteen = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(vectorOf(codes, i32), b.getI32IntegerAttr(16)));
  Value rowsInit =
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, stride}, bf16);
  Value sumsInit = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{m, plan.numSegments * blocks}, f32);
  auto rows = scf::ForOp::create(
      b, loc, index(0), index(m), index(1), ValueRange{rowsInit, sumsInit},
      [&](OpBuilder &, Location, Value row, ValueRange state) {
        auto segments = scf::ForOp::create(
            b, loc, index(0), index(plan.numSegments), index(1), state,
            [&](OpBuilder &, Location, Value segment, ValueRange inner) {
              Value kBase =
                  arith::MulIOp::create(b, loc, segment, index(codes));
              Value valid = arith::SubIOp::create(b, loc, index(k), kBase);
              Value bits = buildRoundToBf16Bits(
                  b, loc, readActivations(row, kBase, valid, codes));
              // Each block's sum of the rounded activations.
              Value rounded = arith::MulFOp::create(
                  b, loc,
                  arith::BitcastOp::create(b, loc, vectorOf(codes, f32), bits),
                  splat(f32Constant(float(offset)), codes));
              Value grid = vector::ShapeCastOp::create(
                  b, loc, VectorType::get({blocks, codes / blocks}, f32),
                  rounded);
              Value sums = vector::MultiDimReductionOp::create(
                  b, loc, grid, splat(f32Constant(0.0f), blocks),
                  ArrayRef<bool>{false, true}, vector::CombiningKind::ADD);
              Value halves = arith::TruncIOp::create(
                  b, loc, vectorOf(codes, b.getI16Type()),
                  arith::ShRUIOp::create(b, loc, bits, sixteen));
              Value x = arith::BitcastOp::create(b, loc, vectorOf(codes, bf16),
                                                 halves);
              if (!order.empty())
                x = vector::ShuffleOp::create(
                    b, loc, x,
                    arith::ConstantOp::create(
                        b, loc, b.getZeroAttr(vectorOf(codes, bf16))),
                    order);
              Value xs =
                  vector::TransferWriteOp::create(
                      b, loc, x, inner[0],
                      ValueRange{row, arith::MulIOp::create(b, loc, segment,
                                                            index(stored))},
                      ArrayRef<bool>{true})
                      .getResult();
              Value sumsOut =
                  vector::TransferWriteOp::create(
                      b, loc, sums, inner[1],
                      ValueRange{row, arith::MulIOp::create(b, loc, segment,
                                                            index(blocks))},
                      ArrayRef<bool>{true})
                      .getResult();
              scf::YieldOp::create(b, loc, ValueRange{xs, sumsOut});
            });
        scf::YieldOp::create(b, loc, segments.getResults());
      });
  prepared.bf16Input = rows.getResult(0);
  prepared.segmentSums = rows.getResult(1);
}

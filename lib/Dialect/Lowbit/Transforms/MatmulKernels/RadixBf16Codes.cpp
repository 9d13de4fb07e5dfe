//===- RadixBf16Codes.cpp - nine-digit radix words as bf16 codes ----------===//
//
// bf16 activations on radix words (c11a16) with a bf16 dot product: the
// digits come out as the int8 quads of RadixChunkQuads.cpp (one digit per
// byte, four per 32-bit word) and every other byte of a quad, or-ed into
// 0x4300, is the bf16 128 + d in a 16-bit lane: one masked or (a ternary
// logic op on AVX-512) per 32 codes, plus a shift for the odd bytes. A
// segment is one group of at most 16 words (c11g128: 15, 128 codes of 135
// slots): quads [d5 d6 d0 d1] and [d7 d8 d2 d3] give two chunks each,
// digit 4 ([- - d4 -]) one (its other lanes meet zero activations), five 32-lane dot
// products per group. The activations are stored in the chunks' order,
// zero where a lane holds no code.
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace lowbit;

namespace {

/// Words per segment read (32 16-bit lanes), the operands of
/// decodeRadixChunkQuads and the bf16 lanes of one chunk.
constexpr int64_t kWords = 16, kQuads = 3, kChunk = 32;

/// A chunk: the even (sub 0) or odd (sub 1) bytes of quad `quad`.
struct ChunkSource {
  int64_t quad, sub;
};

/// The chunks that hold digits, in the order they are stored.
SmallVector<ChunkSource> getChunkSources() {
  SmallVector<ChunkSource> sources;
  for (int64_t quad = 0; quad < kQuads; ++quad)
    for (int64_t sub = 0; sub < 2; ++sub)
      if (getRadixChunkQuadSlot(quad, sub) >= 0 ||
          getRadixChunkQuadSlot(quad, 2 + sub) >= 0)
        sources.push_back({quad, sub});
  return sources;
}

class RadixBf16Codes : public KernelEmitter {
public:
  explicit RadixBf16Codes(const KernelEmitter &emitter)
      : KernelEmitter(emitter) {}

  SmallVector<Bf16CodeChunk> decode(Value words) {
    std::optional<SmallVector<Value>> quads =
        decodeRadixChunkQuads(*this, words);
    assert(quads && "bf16 codes of radix words without the chunked decode");
    Type i32 = b.getI32Type();
    auto constant = [&](uint32_t value) {
      return splat(arith::ConstantOp::create(
                       b, loc, b.getIntegerAttr(i32, int32_t(value))),
                   kWords);
    };
    SmallVector<Bf16CodeChunk> chunks;
    for (auto [index, source] : llvm::enumerate(getChunkSources())) {
      Value lanes = vector::BitCastOp::create(b, loc, vectorOf(kWords, i32),
                                              (*quads)[source.quad]);
      if (source.sub)
        lanes = arith::ShRUIOp::create(b, loc, lanes, constant(8));
      lanes = arith::OrIOp::create(
          b, loc, arith::AndIOp::create(b, loc, lanes, constant(0x00FF00FF)),
          constant(0x43004300));
      Value codes = vector::BitCastOp::create(
          b, loc, vectorOf(kChunk, b.getBF16Type()), lanes);
      // Alternate chunks go to the two accumulator parts (independent
      // chains).
      chunks.push_back({codes, int64_t(index), int64_t(index) % 2});
    }
    return chunks;
  }
};

} // namespace

int64_t lowbit::getRadixBf16Codes(const KernelPlan &plan, MatmulOp op) {
  if (!hasRadixChunkQuads(plan) || plan.digits != 9 ||
      op.getLayout().getBlock() <= 0 || plan.segmentUnits > kWords ||
      !op.getPacked().getType().getElementType().isInteger(32))
    return 0;
  return kChunk * int64_t(getChunkSources().size());
}

SmallVector<Bf16CodeChunk>
lowbit::decodeRadixBf16Codes(const KernelEmitter &emitter, Value words) {
  return RadixBf16Codes(emitter).decode(words);
}

/// Lane 2 l + h of a chunk is word l's byte 2 h + sub of its quad.
SmallVector<int64_t> lowbit::getRadixBf16Order(const KernelPlan &plan) {
  SmallVector<int64_t> order;
  for (ChunkSource source : getChunkSources())
    for (int64_t word = 0; word < kWords; ++word)
      for (int64_t half = 0; half < 2; ++half) {
        int64_t slot =
            getRadixChunkQuadSlot(source.quad, 2 * half + source.sub);
        int64_t code = word * plan.digits + slot;
        bool exists =
            word < plan.segmentUnits && slot >= 0 && code < plan.segmentCodes;
        order.push_back(exists ? code : -1);
      }
  return order;
}

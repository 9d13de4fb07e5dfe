//===- Int8WordQuads.cpp - 32-bit words of codes in int8 dot products -----===//
//
// Dynamic int8 activations on the word layouts (int3: 10 bit fields per
// word; radix: 9 base-R digits per word). A dot-product lane is one word:
// quad p of a word's slots (slots 4p .. 4p + 3) goes into the lane's four
// bytes, so each quad of every word of a segment is one dot product whose
// activations are the word's own consecutive codes. Segments take as many
// whole blocks as 16 words hold (int3 in groups of 64: 2 x 7 words;
// c11g128: 15 words); lanes past them meet zero activations.
//
// Bit fields are spread into their bytes four at a time (two shifts and two
// masked ors per quad, after one xor per word that makes signed fields
// q + 2^(bits - 1); with AVX512-VBMI one vpmultishiftqb and one ternary
// logic op per quad). Base-10/11 radix digits come in 16-bit chunks
// (RadixChunkQuads.cpp, in their own slot order), or with AVX512-VBMI as
// digit pairs through byte tables (RadixPairQuads.cpp); other radices from
// the RadixDecoder (32 x 32 -> 64-bit multiplies on pairs of words).
//
//===----------------------------------------------------------------------===//

#include "Layouts.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace lowbit;

namespace {

/// Words of a segment: as many whole blocks as fit kWordsPerSegment.
constexpr int64_t kWordsPerSegment = 16;

int64_t numQuads(const KernelPlan &plan) {
  return llvm::divideCeil(plan.digits, 4);
}

/// A decode of nine-digit radix words into quads in its own slot order.
struct RadixQuadForm {
  std::optional<SmallVector<Value>> (*decode)(const KernelEmitter &emitter,
                                              Value words);
  int64_t (*getSlot)(int64_t quad, int64_t byte);
};

std::optional<SmallVector<Value>> decodePairs(const KernelEmitter &emitter,
                                              Value words) {
  return decodeRadixPairQuads(emitter, words);
}

std::optional<SmallVector<Value>> decodeFields(const KernelEmitter &emitter,
                                               Value words) {
  return decodeRadixFieldQuads(emitter, words);
}

const RadixQuadForm kChunkQuads = {decodeRadixChunkQuads,
                                   getRadixChunkQuadSlot};
const RadixQuadForm kPairQuads = {decodePairs, getRadixPairQuadSlot};
const RadixQuadForm kFieldQuads = {decodeFields, getRadixFieldQuadSlot};

/// The plan's form, or null for the generic slot-by-slot decode.
const RadixQuadForm *getRadixQuadForm(const KernelPlan &plan) {
  if (plan.kind == LayoutKind::RadixFields)
    return &kFieldQuads;
  if (plan.radixDigitPairs)
    return &kPairQuads;
  return hasRadixChunkQuads(plan) ? &kChunkQuads : nullptr;
}

class WordQuadDecoder : public Int8DotDecoder {
public:
  using Int8DotDecoder::Int8DotDecoder;

  int64_t getUnitsPerRead() const override { return plan.lanes; }

  SmallVector<Value> decodeDotOperands(Value words, Value &negative) override {
    negative = Value();
    int64_t lanes = plan.lanes, n = plan.digits;
    Type i32 = b.getI32Type();
    auto constant = [&](int64_t value) {
      return splat(arith::ConstantOp::create(
                       b, loc, b.getIntegerAttr(i32, int32_t(value))),
                   lanes);
    };
    if (plan.kind == LayoutKind::Int3)
      return spreadFields(words, constant);
    if (const RadixQuadForm *form = getRadixQuadForm(plan))
      if (std::optional<SmallVector<Value>> quads = form->decode(*this, words))
        return *quads;
    std::unique_ptr<SlotDecoder> digits = makeSlotDecoder(*this);
    digits->begin({words});
    SmallVector<Value> operands;
    for (int64_t p = 0; p < numQuads(plan); ++p) {
      Value quad;
      for (int64_t t = 0; t < 4 && 4 * p + t < n; ++t) {
        Value field = digits->decodeSlot(0, 4 * p + t);
        if (t > 0)
          field = arith::ShLIOp::create(b, loc, field, constant(8 * t));
        quad = quad ? Value(arith::OrIOp::create(b, loc, quad, field)) : field;
      }
      operands.push_back(vector::BitCastOp::create(
          b, loc, vectorOf(4 * lanes, b.getI8Type()), quad));
    }
    return operands;
  }

  /// Bit fields of `bits` <= 4 bits, four at a time: t = the quad's 4b
  /// bits, a = (t | t << (16 - 2b)) puts fields 2, 3 at bit 16, and
  /// (a | a << (8 - b)) fields 1, 3 at bits 8, 24; each step one shift and
  /// one masked or (a ternary logic op on AVX-512). Signed fields are
  /// flipped to q + 2^(bits - 1) once per word first.
  SmallVector<Value> spreadFields(Value words,
                                  llvm::function_ref<Value(int64_t)> constant) {
    int64_t bits = op.getLayout().getCodeBits(), n = plan.digits;
    assert(bits <= 4 && "four fields per 16 bits");
    int64_t field = (int64_t(1) << bits) - 1;
    if (plan.vbmi)
      return multishiftFields(words);
    if (op.getScheme().getQmin() < 0) {
      int64_t signs = 0;
      for (int64_t slot = 0; slot < n; ++slot)
        signs |= int64_t(1) << (bits * slot + bits - 1);
      words = arith::XOrIOp::create(b, loc, words, constant(int32_t(signs)));
    }
    SmallVector<Value> operands;
    for (int64_t p = 0; p < numQuads(plan); ++p) {
      Value t = words;
      if (p > 0)
        t = arith::ShRUIOp::create(b, loc, t, constant(4 * bits * p));
      if (4 * bits * (p + 1) < 32)
        t = arith::AndIOp::create(b, loc, t,
                                  constant((int64_t(1) << (4 * bits)) - 1));
      int64_t pairs = (int64_t(1) << (2 * bits)) - 1;
      Value a = arith::AndIOp::create(
          b, loc,
          arith::OrIOp::create(
              b, loc, t,
              arith::ShLIOp::create(b, loc, t, constant(16 - 2 * bits))),
          constant(pairs | pairs << 16));
      Value quad = arith::AndIOp::create(
          b, loc,
          arith::OrIOp::create(
              b, loc, a, arith::ShLIOp::create(b, loc, a, constant(8 - bits))),
          constant(field * 0x01010101));
      operands.push_back(vector::BitCastOp::create(
          b, loc, vectorOf(4 * plan.lanes, b.getI8Type()), quad));
    }
    return operands;
  }

  /// AVX512-VBMI: byte t of word w (0 even, 1 odd) of each 64-bit lane of
  /// operand p is the lane's 8 bits from bit bits * (4p + t) + 32 w (field
  /// 4p + t of the word in its low bits: one vpmultishiftqb), then one mask
  /// and, for signed fields, the sign flip (q + 2^(bits - 1)): one ternary
  /// logic op per quad, cheaper than a flip per word. Bytes of padding slots
  /// (past the word's fields) hold other bits and meet zero activations.
  SmallVector<Value> multishiftFields(Value words) {
    int64_t bits = op.getLayout().getCodeBits(), bytes = 4 * plan.lanes;
    Type i8 = b.getI8Type();
    VectorType byteType = vectorOf(bytes, i8);
    Value data = vector::BitCastOp::create(b, loc, byteType, words);
    auto byteConstant = [&](int64_t value) {
      return splat(
          arith::ConstantOp::create(b, loc, b.getIntegerAttr(i8, value)),
          bytes);
    };
    Value mask = byteConstant((int64_t(1) << bits) - 1);
    bool flip = op.getScheme().getQmin() < 0;
    SmallVector<Value> operands;
    for (int64_t p = 0; p < numQuads(plan); ++p) {
      SmallVector<int8_t> controls;
      for (int64_t i = 0; i < bytes; ++i)
        controls.push_back(
            int8_t((bits * (4 * p + i % 4) + 32 * (i / 4 % 2)) % 64));
      Value control = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(byteType, ArrayRef(controls)));
      Value quad = arith::AndIOp::create(
          b, loc, MultishiftBytesOp::create(b, loc, control, data), mask);
      if (flip)
        quad = arith::XOrIOp::create(b, loc, quad,
                                     byteConstant(int64_t(1) << (bits - 1)));
      operands.push_back(quad);
    }
    return operands;
  }

  /// Operand p, lane l, byte t meets code (l mod U) * n + s of block l / U
  /// (U words per block), when it exists: slot s = 4p + t, or the radix
  /// quad form's order.
  Value arrangeQuantized(Value q) override {
    int64_t n = plan.digits, block = op.getLayout().getBlock();
    int64_t unitsPerBlock = plan.lanesPerBlock;
    const RadixQuadForm *form = getRadixQuadForm(plan);
    SmallVector<int64_t> order;
    for (int64_t p = 0; p < numQuads(plan); ++p)
      for (int64_t l = 0; l < plan.lanes; ++l)
        for (int64_t t = 0; t < 4; ++t) {
          int64_t slot = form ? form->getSlot(p, t) : 4 * p + t;
          int64_t code = (l % unitsPerBlock) * n + slot;
          bool exists =
              l < plan.segmentUnits && slot >= 0 && slot < n && code < block;
          order.push_back(exists ? (l / unitsPerBlock) * block + code : -1);
        }
    return gatherBytes(q, order);
  }
};

} // namespace

LogicalResult lowbit::planInt8WordQuads(KernelPlan &plan, MatmulOp op,
                                        std::string &why) {
  int64_t block = op.getLayout().getBlock();
  if (block <= 0 ||
      op.getScheme().getGranularity() != GranularityKind::PerGroup) {
    why = "dynamic int8 activations on int3 or radix words need groups "
          "packed as blocks";
    return failure();
  }
  int64_t unitsPerBlock = plan.segmentUnits;
  int64_t blocks = std::max<int64_t>(1, kWordsPerSegment / unitsPerBlock);
  plan.blocksPerSegment = blocks;
  plan.lanesPerBlock = unitsPerBlock;
  plan.segmentCodes = blocks * block;
  plan.segmentUnits = blocks * unitsPerBlock;
  plan.lanes = llvm::PowerOf2Ceil(plan.segmentUnits);
  plan.dotBytes = 4 * plan.lanes;
  plan.quantizedCodes = numQuads(plan) * plan.dotBytes;
  plan.prefetchLines = true;
  // Digit pairs: 64-byte lookups in 128-byte tables (vpermi2b).
  plan.radixDigitPairs =
      plan.vbmi &&
      (hasRadixPairQuads(plan) || plan.kind == LayoutKind::RadixFields) &&
      plan.dotBytes % 64 == 0;
  return success();
}

std::unique_ptr<Int8DotDecoder>
lowbit::makeInt8WordQuadDecoder(const KernelEmitter &emitter) {
  return std::make_unique<WordQuadDecoder>(emitter);
}

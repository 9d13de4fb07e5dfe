//===- Layouts.h - weight layouts of the matmul kernels ---------*- C++ -*-===//
//
// What each packed weight layout brings to the vector kernels: the geometry
// of its segments (part of the plan) and a decoder that turns a segment's
// storage units into integer codes in registers. Layouts come in two
// families:
//
// * contiguous (int8, int4_interleaved): a segment's codes meet the
//   activations in place, in one or more pieces of `plan.lanes` codes
//   (ContiguousDecoder);
// * slotted (int4/int3/int2 bit fields, radix digits): every unit holds
//   several codes, slot i of all units of a segment comes out at once and
//   meets activations regrouped per slot (SlotDecoder).
//
// A new layout is one file defining its LayoutKernels and a line in
// getLayoutKernels (Layouts.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_LAYOUTS_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_LAYOUTS_H

#include "KernelEmitter.h"

#include <memory>
#include <optional>

namespace lowbit {

/// Turns a segment's storage units into the byte operands of integer dot
/// products (dynamic int8 activations), and arranges the quantized
/// activations to meet them.
class Int8DotDecoder : public KernelEmitter {
public:
  explicit Int8DotDecoder(const KernelEmitter &emitter)
      : KernelEmitter(emitter) {}
  virtual ~Int8DotDecoder() = default;

  /// Storage units one segment's decodeDotOperands takes.
  virtual int64_t getUnitsPerRead() const { return plan.segmentUnits; }

  /// The weight operands of one dynamic int8 segment from its
  /// getUnitsPerRead() units, in `plan.weightForm`: one byte vector per
  /// dot product (each `plan.dotBytes` bytes). The Magnitude form sets
  /// `negative` to the lanes where q < 0 (the activations take q's sign).
  virtual llvm::SmallVector<mlir::Value>
  decodeDotOperands(mlir::Value units, mlir::Value &negative) = 0;

  /// The quantized activations `q` of one dynamic int8 segment
  /// (`plan.segmentCodes` of them) in the order the dot products of
  /// decodeDotOperands read them (`plan.quantizedCodes` bytes).
  virtual mlir::Value arrangeQuantized(mlir::Value q) { return q; }

protected:
  /// The bytes q[order[i]], zero where order[i] < 0.
  mlir::Value gatherBytes(mlir::Value q, llvm::ArrayRef<int64_t> order);
};

/// Decodes the units of a layout whose codes meet activations in place.
class ContiguousDecoder : public Int8DotDecoder {
public:
  explicit ContiguousDecoder(const KernelEmitter &emitter)
      : Int8DotDecoder(emitter) {}

  /// Where the pieces of a segment's activations start, in codes from the
  /// segment's first: one piece of `plan.lanes` activations per vector
  /// decodeCodes returns.
  virtual llvm::SmallVector<int64_t> getPieceOffsets() const = 0;

  /// The codes of one segment from its `plan.lanes` storage units, one
  /// integer vector per piece, for dequantize (with the scheme's
  /// signedness), scaled by `plan.codeFactor`.
  virtual llvm::SmallVector<mlir::Value> decodeCodes(mlir::Value units) = 0;
};

/// Decodes the units of a slotted layout, one slot of every unit at a time.
class SlotDecoder : public KernelEmitter {
public:
  explicit SlotDecoder(const KernelEmitter &emitter) : KernelEmitter(emitter) {}
  virtual ~SlotDecoder() = default;

  /// Starts a segment whose `plan.lanes` units of each column are `units`.
  virtual void begin(llvm::ArrayRef<mlir::Value> units) = 0;

  /// The i32 codes of slot `slot` of the units of column `column` (slots in
  /// increasing order, every column's slot before the next slot).
  virtual mlir::Value decodeSlot(int64_t column, int64_t slot) = 0;
};

/// One weight layout's part of the vector kernels.
struct LayoutKernels {
  /// The segment geometry for f32 activations (plan.segmentCodes,
  /// segmentUnits, lanes; radix and digits) and the layout's choices
  /// (slotted, eightRowTiles, prefetchWeights, codeFactor).
  void (*planSegments)(KernelPlan &plan, MatmulOp op);
  /// The segment geometry for dynamic int8 activations, after planSegments;
  /// null when the layout has no integer dot-product kernel.
  mlir::LogicalResult (*planInt8Segments)(KernelPlan &plan, MatmulOp op,
                                          std::string &why);
  /// The decoder of a contiguous layout (null for slotted ones).
  std::unique_ptr<ContiguousDecoder> (*makeContiguousDecoder)(
      const KernelEmitter &emitter);
  /// The decoder of a slotted layout (null for contiguous ones).
  std::unique_ptr<SlotDecoder> (*makeSlotDecoder)(const KernelEmitter &emitter);
  /// The dynamic int8 decoder of a slotted layout (contiguous layouts use
  /// their ContiguousDecoder).
  std::unique_ptr<Int8DotDecoder> (*makeInt8DotDecoder)(
      const KernelEmitter &emitter) = nullptr;
};

/// The vector kernels' part of `kind`, or null if it has none.
const LayoutKernels *getLayoutKernels(LayoutKind kind);

/// The layouts, one per file.
extern const LayoutKernels kInt8LayoutKernels;
extern const LayoutKernels kInt4InterleavedLayoutKernels;
extern const LayoutKernels kBitFieldLayoutKernels;
extern const LayoutKernels kRadixLayoutKernels;
extern const LayoutKernels kRadixFieldLayoutKernels;

/// Segments of units that hold several codes (bit fields, radix digits):
/// blocks, or a fixed number of units when unblocked, processed as a
/// power-of-two vector whose extra lanes meet zero activations.
void planSlottedSegments(KernelPlan &plan, MatmulOp op, int64_t unblockedUnits);

/// Dynamic int8 on the slotted sub-4-bit layouts (Int8WordQuads.cpp,
/// Int8ByteSlots.cpp): the segment geometry of their integer dot products.
mlir::LogicalResult planInt8WordQuads(KernelPlan &plan, MatmulOp op,
                                      std::string &why);
mlir::LogicalResult planInt8ByteSlots(KernelPlan &plan, MatmulOp op,
                                      std::string &why);
std::unique_ptr<Int8DotDecoder>
makeInt8WordQuadDecoder(const KernelEmitter &emitter);
std::unique_ptr<Int8DotDecoder>
makeInt8ByteSlotDecoder(const KernelEmitter &emitter);
/// The int8 quads of nine-digit radix words by 16-bit chunks
/// (RadixChunkQuads.cpp), or none if the radix lacks that decode.
std::optional<llvm::SmallVector<mlir::Value>>
decodeRadixChunkQuads(const KernelEmitter &emitter, mlir::Value words);
/// The same for i32 lanes of words of `radix` (which has the chunked
/// decode), from a builder alone (the panel decoder's).
llvm::SmallVector<mlir::Value> decodeRadixChunkQuads(mlir::OpBuilder &b,
                                                     mlir::Location loc,
                                                     unsigned radix,
                                                     mlir::Value words);
/// Whether the plan's words take decodeRadixChunkQuads, and the slot byte
/// `byte` of its quad `quad` holds (-1: none).
bool hasRadixChunkQuads(const KernelPlan &plan);
int64_t getRadixChunkQuadSlot(int64_t quad, int64_t byte);

/// bf16 dot products on radix words (RadixBf16Codes.cpp): the bf16
/// activations one segment's dot products read (0: the plan's words cannot
/// take them), and one segment's codes made bf16 from its `plan.lanes`
/// words, as Bf16DotSegments::decodeCodes returns them.
int64_t getRadixBf16Codes(const KernelPlan &plan, MatmulOp op);
struct Bf16CodeChunk {
  mlir::Value codes;
  int64_t chunk;
  int64_t part;
};
llvm::SmallVector<Bf16CodeChunk>
decodeRadixBf16Codes(const KernelEmitter &emitter, mlir::Value words);
/// Where code i of a segment's stored bf16 activations comes from (-1:
/// zero), for the radix words' chunks.
llvm::SmallVector<int64_t> getRadixBf16Order(const KernelPlan &plan);
/// The int8 quads of nine-digit radix words as digit pairs and 128-byte
/// table lookups (RadixPairQuads.cpp; plan.radixDigitPairs), whether the
/// plan's radix has that decode, and the slot byte `byte` of quad `quad`
/// holds (-1: none).
llvm::SmallVector<mlir::Value>
decodeRadixPairQuads(const KernelEmitter &emitter, mlir::Value words);
bool hasRadixPairQuads(const KernelPlan &plan);
int64_t getRadixPairQuadSlot(int64_t quad, int64_t byte);
/// table[indices[i]] for every byte of `indices`, 64 bytes at a time
/// (lowbit.lookup_bytes: vpermi2b for 128-byte tables).
mlir::Value lookUpBytes(mlir::OpBuilder &b, mlir::Location loc,
                        llvm::ArrayRef<uint8_t> table, mlir::Value indices);
/// The int8 quads of radix_fields words (RadixFieldLayout.cpp; table
/// lookups with plan.radixDigitPairs), and the slot byte `byte` of quad
/// `quad` holds (-1: none).
llvm::SmallVector<mlir::Value>
decodeRadixFieldQuads(const KernelEmitter &emitter, mlir::Value words);
int64_t getRadixFieldQuadSlot(int64_t quad, int64_t byte);

/// `bytes` shifted right by `bits` in 16-bit lanes: each byte takes the
/// low bits of the next one above its own, for a mask to clear. x86 has no
/// byte shift (a vpsrlw and a mask, or a vgf2p8affineqb that takes two
/// FP pipes on Zen 4 where vpsrlw takes one).
mlir::Value shiftBytesInWords(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value bytes, int64_t bits);

/// The decoder of the plan's layout (which must be of that family).
std::unique_ptr<ContiguousDecoder>
makeContiguousDecoder(const KernelEmitter &emitter);
std::unique_ptr<SlotDecoder> makeSlotDecoder(const KernelEmitter &emitter);
/// The dynamic int8 decoder of the plan's layout.
std::unique_ptr<Int8DotDecoder>
makeInt8DotDecoder(const KernelEmitter &emitter);

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_LAYOUTS_H

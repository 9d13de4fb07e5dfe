//===- PanelDecoders.h - weight operands of the outer-product kernels -*- C++
//-*-===//
//
// How BroadcastInt8Gemm reads one panel layout: a unit of
// numerics::panelUnitBytes bytes (one or more 64-byte vectors) of a panel
// holds numerics::panelUnitDepth / 4 quads of its 16 columns; a decoder
// turns the unit's slices (the same lanes of each of its vectors) into one
// dot-product operand per quad. One decoder per layout, in its own file,
// listed in the table of PanelDecoders.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_PANELDECODERS_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_PANELDECODERS_H

#include "../Int8Dot.h"
#include "lowbit/Numerics/Packing.h"

#include "mlir/IR/Builders.h"

#include <memory>

namespace lowbit {

/// How weight codes q meet the activations in lowbit.dot_i8: as
/// u = q + offset (each group's lanes then start at -offset times the sum
/// of the row's quantized activations in the group), as unsigned bytes or
/// not, with pair sums within i16 or not.
struct PanelOperandForm {
  int64_t offset = 0;
  bool unsignedLhs = false;
  bool pairsFitI16 = false;
};

class PanelDecoder {
public:
  /// Slices of `bytes` bytes (16, 32 or 64).
  PanelDecoder(mlir::OpBuilder &b, mlir::Location loc, int64_t bytes)
      : b(b), loc(loc), bytes(bytes) {}
  virtual ~PanelDecoder() = default;

  /// The operand form for `dot`; `signedCodes`: the scheme's codes are
  /// signed.
  virtual PanelOperandForm getForm(Int8Dot dot, bool signedCodes) const = 0;
  /// Once per unit: the slices as decodeQuad reads them (sign flips).
  virtual llvm::SmallVector<mlir::Value>
  prepare(llvm::ArrayRef<mlir::Value> slices, const PanelOperandForm &form) {
    return llvm::SmallVector<mlir::Value>(slices);
  }
  /// The i8 operand of quad `quad` of the unit.
  virtual mlir::Value decodeQuad(llvm::ArrayRef<mlir::Value> prepared,
                                 int64_t quad,
                                 const PanelOperandForm &form) = 0;

protected:
  /// `v` splat over the slice's bytes.
  mlir::Value byteSplat(int64_t v);
  /// `v` splat over the slice's 32-bit lanes.
  mlir::Value wordSplat(int64_t v);
  /// A slice as i32 lanes, and back to bytes.
  mlir::Value toWords(mlir::Value slice);
  mlir::Value toBytes(mlir::Value words);

  mlir::OpBuilder &b;
  mlir::Location loc;
  int64_t bytes;
};

/// The decoder of panel layout `format`, or null.
std::unique_ptr<PanelDecoder>
makePanelDecoder(const numerics::PackFormat &format, mlir::OpBuilder &b,
                 mlir::Location loc, int64_t bytes);

// One per layout file.
std::unique_ptr<PanelDecoder>
makeInt8PanelDecoder(mlir::OpBuilder &b, mlir::Location loc, int64_t bytes,
                     const numerics::PackFormat &format);
std::unique_ptr<PanelDecoder>
makeInt4PanelDecoder(mlir::OpBuilder &b, mlir::Location loc, int64_t bytes,
                     const numerics::PackFormat &format);
std::unique_ptr<PanelDecoder>
makeInt2PanelDecoder(mlir::OpBuilder &b, mlir::Location loc, int64_t bytes,
                     const numerics::PackFormat &format);
std::unique_ptr<PanelDecoder>
makeInt3PanelDecoder(mlir::OpBuilder &b, mlir::Location loc, int64_t bytes,
                     const numerics::PackFormat &format);
std::unique_ptr<PanelDecoder>
makeRadixPanelDecoder(mlir::OpBuilder &b, mlir::Location loc, int64_t bytes,
                      const numerics::PackFormat &format);

/// The sub-4-bit panels: codes enter every dot form as small unsigned values
/// (at most 7: x86's unsigned operand with pairs within i16; sdot and the
/// portable code read them as the same signed bytes), signed ones offset by
/// 2^(bits - 1), i.e. with their sign bits flipped: `signMask` on the 32-bit
/// lanes of slice `signPlane`, once per unit.
class SmallCodePanelDecoder : public PanelDecoder {
public:
  SmallCodePanelDecoder(mlir::OpBuilder &b, mlir::Location loc, int64_t bytes,
                        unsigned bits, int64_t signPlane, uint32_t signMask)
      : PanelDecoder(b, loc, bytes), bits(bits), signPlane(signPlane),
        signMask(signMask) {}

  PanelOperandForm getForm(Int8Dot dot, bool signedCodes) const override;
  /// The slices as 32-bit lanes, sign bits flipped for offset codes.
  llvm::SmallVector<mlir::Value> prepare(llvm::ArrayRef<mlir::Value> slices,
                                         const PanelOperandForm &form) override;

protected:
  /// Field `t` (0-3) of the 2-bit fields of every byte of the 32-bit lanes
  /// `words`: (w >> 2t) & 3 (no field crosses a byte).
  mlir::Value twoBitField(mlir::Value words, int64_t t);

private:
  unsigned bits;
  int64_t signPlane;
  uint32_t signMask;
};

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_PANELDECODERS_H

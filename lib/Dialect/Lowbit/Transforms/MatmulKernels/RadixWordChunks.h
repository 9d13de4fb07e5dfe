//===- RadixWordChunks.h - 16-bit chunks of radix words in lanes -*- C++
//-*-===//
//
// The first half of the int8 decodes of nine-digit radix words
// (lowbit/Numerics/RadixChunks.h), shared by their two forms: each 32-bit
// lane's head fraction (digits 0..3) in its high half and tail fraction
// (5..8) in its low half (the head's carry is a masked add at bit 16, no
// shift), and digit 4 alone in byte 2. RadixChunkQuads.cpp takes
// the fractions' digits one 16-bit multiply at a time, RadixPairQuads.cpp
// two at a time through byte tables.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_RADIXWORDCHUNKS_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_RADIXWORDCHUNKS_H

#include "lowbit/Numerics/RadixChunks.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace lowbit {

/// Needs only a builder: the dot-form kernels and the panel decoder
/// (RadixPanelDecoder.cpp) share it.
class RadixWordChunks {
public:
  RadixWordChunks(mlir::OpBuilder &b, mlir::Location loc,
                  const numerics::RadixChunkDecode &decode)
      : b(b), loc(loc), decode(decode) {}

  /// Starts the decode of `words` (i32 lanes): sets `fractions` (head in
  /// the high, tail in the low 16 bits of every lane) and `middle` (digit 4
  /// in every lane's byte 2, bytes 1 and 3 zero, byte 0 below R: it must
  /// meet zero activations).
  void split(mlir::Value words);

  mlir::Value fractions, middle;

  /// Both 16-bit halves of every lane of `x` times `factor` (< 2^16): the
  /// high or the low halves of the 32-bit products.
  mlir::Value halves(mlir::Value x, uint32_t factor, bool high);
  /// x & splat(y).
  mlir::Value mask(mlir::Value x, uint32_t y);
  /// x | y.
  mlir::Value unite(mlir::Value x, mlir::Value y);
  /// The lanes of `x` as 4 * lanes bytes (a dot-product operand).
  mlir::Value toBytes(mlir::Value x);

protected:
  mlir::VectorType vectorOf(int64_t lanes, mlir::Type element) {
    return mlir::VectorType::get({lanes}, element);
  }
  mlir::Value splat(mlir::Value scalar, int64_t lanes);
  mlir::Value constant(uint32_t value);
  template <typename OpT> mlir::Value with(mlir::Value x, uint32_t y);

  mlir::OpBuilder &b;
  mlir::Location loc;
  numerics::RadixChunkDecode decode;
  int64_t lanes = 0;
};

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_MATMULKERNELS_RADIXWORDCHUNKS_H

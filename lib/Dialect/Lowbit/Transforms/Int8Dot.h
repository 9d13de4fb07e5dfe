//===- Int8Dot.h - the target's int8 dot products for the kernels -*- C++ -*-===//
//
// One definition of the `int8-dot` / `isa` pass options and of the signed
// int8 dot product the vector kernels emit as lowbit.dot_i8, shared by
// lowbit-vectorize-matmul, lowbit-vectorize-integer-matmul and
// lowbit-lower-dot-i8.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_INT8DOT_H
#define LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_INT8DOT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"

namespace lowbit {

/// The int8 dot products a target has: AVX512-VNNI `vpdpbusd`, AVX-VNNI
/// `{vex} vpdpbusd` (at most 256-bit), AVX2 `vpmaddubsw` (16-bit pair sums,
/// so only where they cannot saturate), SSSE3 `pmaddubsw` (the same at 128
/// bits), SSE2 `pmaddwd` on operands widened to i16 (signed x signed, like
/// `sdot`), AArch64 `sdot`, or portable widening code.
enum class Int8Dot {
  Generic,
  X86Vnni,
  X86AvxVnni,
  X86Avx2,
  X86Ssse3,
  X86Sse2,
  ArmDotprod
};

/// Whether `dot` is `pmaddubsw` (unsigned x signed bytes whose pair sums
/// must fit i16), of either width.
inline bool isPmaddubsw(Int8Dot dot) {
  return dot == Int8Dot::X86Avx2 || dot == Int8Dot::X86Ssse3;
}

/// Whether `dot` is x86 `vpdpbusd` (unsigned x signed bytes), of either
/// encoding.
inline bool isVpdpbusd(Int8Dot dot) {
  return dot == Int8Dot::X86Vnni || dot == Int8Dot::X86AvxVnni;
}

/// Parses generic, avx512-vnni, avx-vnni, avx2, ssse3, sse2 or arm-dotprod;
/// otherwise
/// emits "unknown OPTION 'VALUE' (expected ...)" at `op` and fails.
mlir::FailureOr<Int8Dot> parseInt8Dot(mlir::Operation *op,
                                      llvm::StringRef option,
                                      llvm::StringRef value);

/// sum over the bytes of signed `a` times signed `w`, as i32 lanes of four
/// bytes each, in the form `dot` computes: for x86 VNNI (unsigned x signed
/// bytes) `a xor 0x80` = a + 128 meets `w` and the correction 128 * sum(w),
/// itself a dot of 0x80 bytes, is subtracted; otherwise both stay signed
/// (AVX2 included: its pair sums of arbitrary bytes could saturate).
mlir::Value buildSignedInt8Dot(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value a, mlir::Value w, Int8Dot dot);

/// Folds max|x| of the f32 vector `x` into `acc`, an i32 vector of as many
/// lanes holding float bit patterns (start: zeros). With the sign bit
/// cleared, float order is integer order and NaNs sort above infinity, so
/// one integer max does the absolute value and the maximum, and a NaN
/// stays a NaN as with arith.maximumf (which needs compares and blends).
mlir::Value buildAbsMaxStep(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value acc, mlir::Value x);

/// The f32 max|x| of the lanes of a buildAbsMaxStep accumulator.
mlir::Value buildAbsMaxResult(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value acc);

/// The scale of a row of dynamic int8 activations (lowbit.matmul's
/// definition) from its largest magnitude: max|x| / 127, or 1 for a zero
/// row (f32 scalars).
mlir::Value buildInt8RowScale(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value maxAbs);

/// The int8 codes of f32 activations `x` (a vector) under the row scale:
/// clamp(round_even(x / scale), -127, 127), rounded without libm.
mlir::Value buildQuantizeInt8(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value x, mlir::Value scale);

} // namespace lowbit

#endif // LOWBIT_LIB_DIALECT_LOWBIT_TRANSFORMS_INT8DOT_H

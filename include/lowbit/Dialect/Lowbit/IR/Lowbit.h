//===- Lowbit.h - lowbit dialect, attributes and ops -------------*- C++ -*-===//
//
// The one header to include for the lowbit dialect.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBIT_H
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBIT_H

#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/Quantize.h"
#include "lowbit/Numerics/SuperblockRadix.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitDialect.h.inc"
#include "lowbit/Dialect/Lowbit/IR/LowbitEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "lowbit/Dialect/Lowbit/IR/LowbitAttributes.h.inc"

#define GET_OP_CLASSES
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h.inc"

namespace lowbit {

/// The attributes that describe a numerics-library scheme (with its
/// granularity) and packing format: the inverses of
/// SchemeAttr::getNumericsScheme / getNumericsGranularity and
/// LayoutAttr::getPackFormat. Null when the combination is invalid.
SchemeAttr getSchemeAttr(mlir::MLIRContext *context,
                         const numerics::Scheme &scheme,
                         const numerics::Granularity &granularity);
LayoutAttr getLayoutAttr(mlir::MLIRContext *context,
                         const numerics::PackFormat &format);

/// Whether quantization parameters of type `scalesType` are superblock
/// parameter bytes (an i8 tensor) rather than float scales.
bool isSuperblockParams(mlir::Type scalesType);
/// The superblock format superblock parameters of `scheme` follow: radix =
/// the scheme's number of levels, groups of the scheme's group size.
numerics::SuperblockFormat getSuperblockFormat(SchemeAttr scheme);

/// The f32 (scalar or vector) `x` rounded to bf16 as lowbit.matmul's
/// `activation_type = bf16` defines it (numerics::floatToBf16Bits), as the
/// i32 bits of the f32 value (low 16 bits zero), or as that f32 value.
mlir::Value buildRoundToBf16Bits(mlir::OpBuilder &b, mlir::Location loc,
                                 mlir::Value x);
mlir::Value buildRoundToBf16(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value x);

/// Makes functions holding x86vector ops inlinable (the inliner would keep
/// a model with a vdpbf16ps kernel out of its C entry point).
void registerX86VectorInlining(mlir::DialectRegistry &registry);

/// A shape as diagnostics print it: `64x4` (`?` for dynamic sizes, `scalar`
/// for rank 0).
std::string formatShape(llvm::ArrayRef<int64_t> shape);

} // namespace lowbit

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBIT_H

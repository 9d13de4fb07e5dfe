//===- OpVerification.h - checks shared by the op verifiers -----*- C++ -*-===//
//
// Private to the dialect: the checks that the verifiers of the quantize,
// pack, packed-weight and matmul ops (QuantizeOps.cpp, LowbitOps.cpp) share.
// Each reports through `emitError` and fails on the first problem.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_IR_OPVERIFICATION_H
#define LOWBIT_LIB_DIALECT_LOWBIT_IR_OPVERIFICATION_H

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

namespace lowbit::detail {

using EmitErrorFn = llvm::function_ref<mlir::InFlightDiagnostic()>;

/// Whether `actual` can be `expected` (dynamic sizes match anything).
bool isCompatibleShape(llvm::ArrayRef<int64_t> actual,
                       llvm::ArrayRef<int64_t> expected);

/// Checks that quantization parameters fit a tensor of `shape` quantized
/// under `scheme`: the axis exists, scales / zero points / mins have the
/// shape the granularity asks for, and the operands match the form.
mlir::LogicalResult
verifyQuantParams(EmitErrorFn emitError, llvm::ArrayRef<int64_t> shape,
                  SchemeAttr scheme, mlir::ShapedType scalesType,
                  mlir::ShapedType zeroPointsType, mlir::ShapedType minsType);

/// Checks that integer codes of `codeType` are wide enough for the scheme.
mlir::LogicalResult verifyCodeType(EmitErrorFn emitError, mlir::Type codeType,
                                   SchemeAttr scheme);

/// Checks that a layout can store every code of a scheme.
mlir::LogicalResult verifyLayoutFitsScheme(EmitErrorFn emitError,
                                           LayoutAttr layout,
                                           SchemeAttr scheme);

/// Checks the shapes and element types of codes and their packed storage.
mlir::LogicalResult verifyPackedStorage(EmitErrorFn emitError,
                                        mlir::ShapedType codesType,
                                        mlir::ShapedType packedType,
                                        LayoutAttr layout);

/// Checks that `axis` is a dimension of `type`.
mlir::LogicalResult verifyAxis(EmitErrorFn emitError, mlir::ShapedType type,
                               int64_t axis);

/// Checks that `axis` is a dimension of `type` and that `count` values
/// (`what`: "multipliers", ...) give one per index along it, where its size
/// is static.
mlir::LogicalResult verifyPerAxisCount(EmitErrorFn emitError,
                                       mlir::ShapedType type, int64_t axis,
                                       size_t count, llvm::StringRef what);

/// Checks a matmul's [M, N] result type and its optional [N] bias.
mlir::LogicalResult verifyMatmulResult(EmitErrorFn emitError,
                                       mlir::ShapedType resultType, int64_t m,
                                       int64_t n, mlir::Value bias);

/// The type of an optional operand, or null.
mlir::ShapedType typeOrNull(mlir::Value value);

/// Checks a [N, K] weight packed as [N, units(K)] storage with parameters.
mlir::LogicalResult
verifyPackedWeight(EmitErrorFn emit, llvm::ArrayRef<int64_t> weightShape,
                   mlir::ShapedType packedType, SchemeAttr scheme,
                   LayoutAttr layout, mlir::ShapedType scalesType,
                   mlir::ShapedType zeroPointsType, mlir::ShapedType minsType);

} // namespace lowbit::detail

#endif // LOWBIT_LIB_DIALECT_LOWBIT_IR_OPVERIFICATION_H

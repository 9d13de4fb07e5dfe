//===- Onnx.h - importing ONNX models ---------------------------*- C++ -*-===//
//
// The ONNX front door: a ModelProto (binary, or ONNX's text syntax) becomes
// one func.func over static tensors in upstream dialects, which lowbitc and
// lowbit-opt take like any other model. Built when CMake finds the ONNX
// package (LOWBIT_HAVE_ONNX).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_IMPORT_ONNX_H
#define LOWBIT_IMPORT_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace lowbit::onnx_import {

struct ImportOptions {
  /// --input-shape=NAME:1x3x224x224 fixes dynamic input dimensions.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Name of the emitted func.func (exported by lowbitc / the JIT as
  /// lowbit_<name>).
  std::string functionName = "main";
  /// --constant-input=NAME:v0,v1,...: compile-time values of graph inputs
  /// (Slice starts, Pad pads, ReduceSum axes, Range limits, Reshape shapes),
  /// which then are no arguments of the function.
  llvm::StringMap<llvm::SmallVector<double>> constantInputs;
};

/// How an import ended, for tools that classify models (the conformance
/// runner) without reading the diagnostics' text, which stays as it is.
enum class ImportStatus {
  Success,
  /// A valid model outside what lowbit imports: an op (or its opset), an
  /// attribute or attribute value, an element type, a value the importer
  /// needs at compile time that is a run-time input, a dimension that stays
  /// dynamic after shape inference, an empty tensor, training mode.
  Unsupported,
  /// Anything else: an unreadable or malformed model, failing ONNX shape
  /// inference, inconsistent data, a bad --input-shape, a dynamic graph
  /// input dimension without --input-shape.
  Error,
};

/// Registers the dialects the importer emits (func, arith, tensor, linalg,
/// math, tosa, quant, lowbit, ...).
void registerOnnxImportDialects(mlir::DialectRegistry &registry);

/// Reads a binary ONNX model (external data resolved relative to the file's
/// directory), runs ONNX shape inference, and builds one func.func:
/// arguments = graph inputs that are not initializers, in graph order;
/// results = graph outputs, in order; all static shapes. Returns null after
/// emitting located diagnostics (loc("node_name") / file locations) through
/// the context's diagnostic engine. A path ending in `.onnxtxt` is read in
/// ONNX's text syntax. When `status` is given, it receives how the import
/// ended (for every import function).
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxFile(mlir::MLIRContext &context, llvm::StringRef path,
               const ImportOptions &options = {},
               ImportStatus *status = nullptr);

/// The same for a model already in memory (bytes of a ModelProto);
/// `baseDirectory` resolves external data.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxBytes(mlir::MLIRContext &context, llvm::StringRef bytes,
                llvm::StringRef baseDirectory,
                const ImportOptions &options = {},
                ImportStatus *status = nullptr);

/// The same for a model in ONNX's text syntax
/// (`<ir_version: 8, opset_import: ["" : 17]> g (float[2] X) => ...`);
/// `sourceName` names the text in locations.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxText(mlir::MLIRContext &context, llvm::StringRef text,
               llvm::StringRef sourceName, llvm::StringRef baseDirectory,
               const ImportOptions &options = {},
               ImportStatus *status = nullptr);

/// True when the importer converts (domain, op_type); domain "" and
/// "ai.onnx" are the same. The conformance runner uses it to classify a test
/// as "unsupported" before importing.
bool isSupportedOnnxOp(llvm::StringRef domain, llvm::StringRef opType);

/// True for the file names the tools hand to the importer (`.onnx`,
/// `.onnxtxt`).
bool isOnnxPath(llvm::StringRef path);

/// Parses `NAME:1x3x224x224` into `options.inputShapes`; false (with
/// `error` set) when malformed.
bool parseInputShape(llvm::StringRef spec, ImportOptions &options,
                     std::string &error);

/// Parses `NAME:v0,v1,...` into `options.constantInputs`; false (with
/// `error` set) when malformed.
bool parseConstantInput(llvm::StringRef spec, ImportOptions &options,
                        std::string &error);

/// The tools' import: `--input-shape` and `--constant-input` specs parsed
/// into the options, then importOnnxFile. Null with `error` set for a
/// malformed spec, or after the import's diagnostics (`error` empty).
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxFileWithShapes(mlir::MLIRContext &context, llvm::StringRef path,
                         llvm::ArrayRef<std::string> inputShapeSpecs,
                         ImportOptions options, std::string &error,
                         ImportStatus *status = nullptr,
                         llvm::ArrayRef<std::string> constantInputSpecs = {});

} // namespace lowbit::onnx_import

#endif // LOWBIT_IMPORT_ONNX_H

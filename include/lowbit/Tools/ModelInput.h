//===- ModelInput.h - how the lowbit tools read a model ---------*- C++ -*-===//
//
// Shared by lowbitc and lowbit-calibrate (as upstream tools share theirs in
// mlir/lib/Tools): a model file is ONNX (imported) or MLIR text or bytecode
// (parsed), so that both tools see the same module for the same file.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_MODELINPUT_H
#define LOWBIT_TOOLS_MODELINPUT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>
#include <string>
#include <vector>

namespace lowbit {

/// How ONNX models are imported (ignored for MLIR files, and when lowbit is
/// built without the importer).
struct ModelInputOptions {
  /// `NAME:1x3x224x224`: fixed shapes of graph inputs (--input-shape).
  std::vector<std::string> onnxInputShapes;
  /// `NAME:V0,V1,...`: compile-time values of graph inputs.
  std::vector<std::string> onnxConstantInputs;
  /// The imported function's name.
  std::string onnxFunctionName = "main";
};

/// The command-line options every model tool takes, in the tool's category:
/// the model file (positional) and, when lowbit is built with the ONNX
/// importer, --input-shape. A tool declares one as a static, next to its own
/// options.
class ModelInputCLOptions {
public:
  explicit ModelInputCLOptions(llvm::cl::OptionCategory &category);
  ~ModelInputCLOptions();

  /// The model file.
  llvm::StringRef getInputFilename() const { return inputFilename; }
  /// The import options given on the command line.
  ModelInputOptions getOptions() const;

private:
  llvm::cl::opt<std::string> inputFilename;
  /// Null without the importer.
  std::unique_ptr<llvm::cl::list<std::string>> onnxInputShapes;
};

/// Reads the model at `path` into `context`: `.onnx` / `.onnxtxt` through
/// the ONNX importer, anything else as MLIR text or bytecode (its buffer
/// kept in `sourceMgr` for diagnostics). On failure returns null, with
/// `error` set, or empty when the diagnostics were already reported.
mlir::OwningOpRef<mlir::ModuleOp> readModel(llvm::StringRef path,
                                            mlir::MLIRContext &context,
                                            llvm::SourceMgr &sourceMgr,
                                            const ModelInputOptions &options,
                                            std::string &error);

/// What a model tool works in: a context with the model dialects loaded,
/// whose diagnostics point at the model's source without printing the op
/// (a whole lowered module would bury them), and that reads models into it.
class ModelToolContext {
public:
  ModelToolContext();

  mlir::MLIRContext &getContext() { return context; }
  /// readModel into this context, the model's buffer kept for diagnostics.
  mlir::OwningOpRef<mlir::ModuleOp> readModel(llvm::StringRef path,
                                              const ModelInputOptions &options,
                                              std::string &error);

private:
  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics;
};

} // namespace lowbit

#endif // LOWBIT_TOOLS_MODELINPUT_H

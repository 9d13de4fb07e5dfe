//===- Model.h - reading a model for the lowbit tools -----------*- C++ -*-===//
//
// What lowbitc, lowbit-calibrate and the JIT share to read a model: the
// dialects a model and its lowering may use, and parsing a model file (text
// or bytecode) so that diagnostics point into it.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_MODEL_H
#define LOWBIT_TARGET_MODEL_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

#include <string>

namespace lowbit {

/// Every upstream dialect and extension, and the lowbit dialect.
void registerModelDialects(mlir::DialectRegistry &registry);

/// Parses the model at `path` ("-": standard input) into `context`, its
/// buffer kept in `sourceMgr` for diagnostics. On failure returns null: with
/// `error` set when the file cannot be read, otherwise after the parser's
/// diagnostics were reported through the context.
mlir::OwningOpRef<mlir::ModuleOp> parseModelFile(llvm::StringRef path,
                                                 mlir::MLIRContext &context,
                                                 llvm::SourceMgr &sourceMgr,
                                                 std::string &error);

} // namespace lowbit

#endif // LOWBIT_TARGET_MODEL_H

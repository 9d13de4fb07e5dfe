//===- OnnxImporter.cpp - ONNX model -> func.func -------------------------===//
//
// The import API: models read from bytes, ONNX text or files (with their
// external data), the dialects an import needs, import status, and input
// shapes given on the command line. Importer.cpp walks the graph.
//
//===----------------------------------------------------------------------===//
#include "Importer.h"
#include "OnnxModel.h"

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace lowbit::onnx_import;

//===----------------------------------------------------------------------===//
// The API
//===----------------------------------------------------------------------===//

void lowbit::onnx_import::registerOnnxImportDialects(
    DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                  math::MathDialect, quant::QuantDialect, tensor::TensorDialect,
                  tosa::TosaDialect, lowbit::LowbitDialect>();
}

static OwningOpRef<ModuleOp>
importModel(MLIRContext &context, onnx::ModelProto &model, StringRef sourceName,
            StringRef baseDirectory, StringRef text,
            const ImportOptions &options) {
  DialectRegistry registry;
  registerOnnxImportDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadDialect<arith::ArithDialect, func::FuncDialect,
                      linalg::LinalgDialect, math::MathDialect,
                      quant::QuantDialect, tensor::TensorDialect,
                      tosa::TosaDialect, lowbit::LowbitDialect>();
  Importer importer(context, model, sourceName, baseDirectory, text, options);
  return importer.run();
}

static OwningOpRef<ModuleOp> importBytes(MLIRContext &context, StringRef bytes,
                                         StringRef baseDirectory,
                                         const ImportOptions &options) {
  onnx::ModelProto model;
  std::string error =
      lowbit::onnx_import::detail::parseModelBytes(bytes.str(), model);
  if (!error.empty())
    return emitError(FileLineColLoc::get(&context, "<onnx>", 0, 0)) << error,
           nullptr;
  return importModel(context, model, "<onnx>", baseDirectory, "", options);
}

static OwningOpRef<ModuleOp> importText(MLIRContext &context, StringRef text,
                                        StringRef sourceName,
                                        StringRef baseDirectory,
                                        const ImportOptions &options) {
  onnx::ModelProto model;
  std::string error =
      lowbit::onnx_import::detail::parseModelText(text.str(), model);
  if (!error.empty()) {
    // "[ParseError at position (line: L column: C)]\nError context: ...".
    unsigned line = 0, column = 0;
    StringRef rest = error;
    size_t at = rest.find("(line: ");
    if (at != StringRef::npos) {
      rest = rest.drop_front(at + 7);
      rest.consumeInteger(10, line);
      rest.consume_front(" column: ");
      rest.consumeInteger(10, column);
    }
    StringRef message = StringRef(error).rsplit('\n').second;
    if (message.empty())
      message = error;
    return emitError(FileLineColLoc::get(&context, sourceName, line, column))
               << "cannot parse ONNX text: " << message.trim(),
           nullptr;
  }
  return importModel(context, model, sourceName, baseDirectory, text, options);
}

static OwningOpRef<ModuleOp> importFile(MLIRContext &context, StringRef path,
                                        const ImportOptions &options) {
  auto file = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false);
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  if (!file)
    return emitError(fileLoc)
               << "cannot read '" << path << "': " << file.getError().message(),
           nullptr;
  SmallString<256> directory(path);
  llvm::sys::path::remove_filename(directory);
  if (directory.empty())
    directory = ".";
  StringRef contents = (*file)->getBuffer();
  if (path.ends_with(".onnxtxt"))
    return importText(context, contents, path, directory, options);
  onnx::ModelProto model;
  std::string error =
      lowbit::onnx_import::detail::parseModelBytes(contents.str(), model);
  if (!error.empty())
    return emitError(fileLoc) << error, nullptr;
  return importModel(context, model, path, directory, "", options);
}

namespace {
/// Watches an import's errors for emitUnsupported's marker and passes every
/// diagnostic on to the caller's handlers unchanged.
class StatusRecorder {
public:
  StatusRecorder(MLIRContext &context, ImportStatus *status)
      : status(status), handler(&context, [this](Diagnostic &diagnostic) {
          if (diagnostic.getSeverity() == DiagnosticSeverity::Error &&
              isUnsupportedDiagnostic(diagnostic))
            unsupported = true;
          return failure();
        }) {}

  OwningOpRef<ModuleOp> finish(OwningOpRef<ModuleOp> module) {
    if (status)
      *status = module        ? ImportStatus::Success
                : unsupported ? ImportStatus::Unsupported
                              : ImportStatus::Error;
    return module;
  }

private:
  ImportStatus *status;
  bool unsupported = false;
  ScopedDiagnosticHandler handler;
};
} // namespace

OwningOpRef<ModuleOp> lowbit::onnx_import::importOnnxBytes(
    MLIRContext &context, StringRef bytes, StringRef baseDirectory,
    const ImportOptions &options, ImportStatus *status) {
  StatusRecorder recorder(context, status);
  return recorder.finish(importBytes(context, bytes, baseDirectory, options));
}

OwningOpRef<ModuleOp> lowbit::onnx_import::importOnnxText(
    MLIRContext &context, StringRef text, StringRef sourceName,
    StringRef baseDirectory, const ImportOptions &options,
    ImportStatus *status) {
  StatusRecorder recorder(context, status);
  return recorder.finish(
      importText(context, text, sourceName, baseDirectory, options));
}

OwningOpRef<ModuleOp>
lowbit::onnx_import::importOnnxFile(MLIRContext &context, StringRef path,
                                    const ImportOptions &options,
                                    ImportStatus *status) {
  StatusRecorder recorder(context, status);
  return recorder.finish(importFile(context, path, options));
}

bool lowbit::onnx_import::isSupportedOnnxOp(StringRef domain,
                                            StringRef opType) {
  if (isDefaultDomain(domain) && opType == "Constant")
    return true;
  // Any opset: the table lists each converter's range.
  return lookupConverter(domain, opType, -1) != nullptr;
}

bool lowbit::onnx_import::isOnnxPath(StringRef path) {
  return path.ends_with(".onnx") || path.ends_with(".onnxtxt");
}

bool lowbit::onnx_import::parseInputShape(StringRef spec,
                                          ImportOptions &options,
                                          std::string &error) {
  auto [name, dims] = spec.rsplit(':');
  if (name.empty() || dims.empty()) {
    error = "expected --input-shape=NAME:D0xD1x..., got '" + spec.str() + "'";
    return false;
  }
  SmallVector<int64_t> shape;
  if (dims != "scalar") {
    SmallVector<StringRef> parts;
    dims.split(parts, 'x');
    for (StringRef part : parts) {
      int64_t size;
      if (part.getAsInteger(10, size) || size < 0) {
        error =
            "bad dimension '" + part.str() + "' in --input-shape=" + spec.str();
        return false;
      }
      shape.push_back(size);
    }
  }
  options.inputShapes[name] = shape;
  return true;
}

OwningOpRef<ModuleOp> lowbit::onnx_import::importOnnxFileWithShapes(
    MLIRContext &context, StringRef path, ArrayRef<std::string> inputShapeSpecs,
    ImportOptions options, std::string &error, ImportStatus *status,
    ArrayRef<std::string> constantInputSpecs) {
  bool parsed = llvm::all_of(inputShapeSpecs,
                             [&](const std::string &spec) {
                               return parseInputShape(spec, options, error);
                             }) &&
                llvm::all_of(constantInputSpecs, [&](const std::string &spec) {
                  return parseConstantInput(spec, options, error);
                });
  if (!parsed) {
    if (status)
      *status = ImportStatus::Error;
    return nullptr;
  }
  return importOnnxFile(context, path, options, status);
}

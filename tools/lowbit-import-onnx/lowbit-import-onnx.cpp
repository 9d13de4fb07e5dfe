//===- lowbit-import-onnx.cpp - ONNX model -> MLIR ------------------------===//
//
// lowbit-import-onnx MODEL.onnx [-o OUT.mlir] [--input-shape=NAME:1x3x8x8]
//                    [--constant-input=NAME:0,2]
// Prints the imported module (func/arith/tensor/linalg); `.onnxtxt` files
// (or --text) are read in ONNX's text syntax. The exit status tells a model
// lowbit does not take (2) from a broken one or a bad invocation (1), so
// that scripts sorting many models need not read the diagnostics.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Import/Onnx.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::opt<std::string>
    inputFilename(cl::Positional, cl::desc("<model.onnx|model.onnxtxt>"),
                  cl::init("-"));
static cl::opt<std::string> outputFilename("o", cl::desc("Output file"),
                                           cl::value_desc("file"),
                                           cl::init("-"));
static cl::opt<bool>
    textInput("text", cl::desc("Read the model in ONNX's text syntax"));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Fix the shape of a graph input: NAME:1x3x224x224"),
                cl::value_desc("NAME:DIMS"));
static cl::list<std::string> constantInputs(
    "constant-input",
    cl::desc("Give a graph input compile-time values (an initializer, no "
             "function argument), for ops that need constants: "
             "NAME:V0,V1,..."),
    cl::value_desc("NAME:VALUES"));
static cl::opt<std::string> functionName("function-name",
                                         cl::desc("Name of the func.func"),
                                         cl::init("main"));

/// Exit statuses (docs/Import.md).
enum ExitStatus {
  kImported = 0,
  /// Unreadable or malformed model, failing ONNX shape inference,
  /// inconsistent data, a bad option, an unwritable output.
  kError = 1,
  /// A valid model outside what lowbit imports (ImportStatus::Unsupported):
  /// an op or its opset, an attribute value, an element type, a run-time
  /// value needed at compile time, a dimension dynamic after inference.
  kUnsupported = 2,
};

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(
      argc, argv,
      "ONNX model -> MLIR\n\n"
      "Exit status: 0 imported; 1 error (unreadable or malformed model, "
      "failing shape\ninference, bad option, output not written); 2 "
      "unsupported (a valid model with\nan op, attribute value, element "
      "type, or dimension still dynamic after shape\ninference, that lowbit "
      "does not take).\n");

  lowbit::onnx_import::ImportOptions options;
  options.functionName = functionName;
  std::string specError;
  if (!llvm::all_of(inputShapes,
                    [&](const std::string &spec) {
                      return lowbit::onnx_import::parseInputShape(spec, options,
                                                                  specError);
                    }) ||
      !llvm::all_of(constantInputs, [&](const std::string &spec) {
        return lowbit::onnx_import::parseConstantInput(spec, options,
                                                       specError);
      })) {
    llvm::errs() << "lowbit-import-onnx: error: " << specError << "\n";
    return kError;
  }

  DialectRegistry registry;
  lowbit::onnx_import::registerOnnxImportDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  OwningOpRef<ModuleOp> module;
  lowbit::onnx_import::ImportStatus status;
  if (textInput) {
    std::string error;
    std::unique_ptr<llvm::MemoryBuffer> file =
        openInputFile(inputFilename, &error);
    if (!file) {
      llvm::errs() << "lowbit-import-onnx: error: " << error << "\n";
      return kError;
    }
    SmallString<256> directory(inputFilename);
    llvm::sys::path::remove_filename(directory);
    module = lowbit::onnx_import::importOnnxText(
        context, file->getBuffer(), inputFilename,
        directory.empty() ? "." : directory.str(), options, &status);
  } else {
    module = lowbit::onnx_import::importOnnxFile(context, inputFilename,
                                                 options, &status);
  }
  if (!module)
    return status == lowbit::onnx_import::ImportStatus::Unsupported
               ? kUnsupported
               : kError;

  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << "lowbit-import-onnx: error: " << error << "\n";
    return kError;
  }
  module->print(output->os());
  output->os() << "\n";
  output->keep();
  return kImported;
}

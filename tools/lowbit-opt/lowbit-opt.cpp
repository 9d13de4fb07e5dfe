//===- lowbit-opt.cpp - the lowbit optimizer driver -----------------------===//
//
// MlirOptMain with the lowbit dialect and passes plus every upstream dialect,
// extension and pass, so quant, tosa, linalg and the transform dialect work
// in the same driver. An ONNX input (`.onnx`, `.onnxtxt`) is imported first
// (see docs/Import.md) and then processed like an MLIR file.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Pipelines/Pipelines.h"
#ifdef LOWBIT_HAVE_ONNX
#include "lowbit/Import/Onnx.h"
#endif

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#ifdef LOWBIT_HAVE_ONNX
static llvm::cl::list<std::string> onnxInputShapes(
    "input-shape",
    llvm::cl::desc("ONNX input: fix the shape of a graph input, "
                   "NAME:1x3x224x224"),
    llvm::cl::value_desc("NAME:DIMS"));

/// Imports the ONNX model at `path` and runs MlirOptMain on its text (with
/// locations, so diagnostics still name the ONNX nodes).
static int runOnOnnx(llvm::StringRef path, llvm::StringRef outputFilename,
                     mlir::DialectRegistry &registry) {
  std::string error, text;
  {
    mlir::MLIRContext context(registry);
    llvm::SourceMgr sourceMgr;
    mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
    mlir::OwningOpRef<mlir::ModuleOp> module =
        lowbit::onnx_import::importOnnxFileWithShapes(
            context, path, onnxInputShapes, {}, error);
    if (!module) {
      if (!error.empty())
        llvm::errs() << "lowbit-opt: error: " << error << "\n";
      return 1;
    }
    llvm::raw_string_ostream os(text);
    module->print(os, mlir::OpPrintingFlags().enableDebugInfo());
  }
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << "lowbit-opt: error: " << error << "\n";
    return 1;
  }
  if (mlir::failed(mlir::MlirOptMain(
          output->os(), llvm::MemoryBuffer::getMemBufferCopy(text, path),
          registry, mlir::MlirOptMainConfig::createFromCLOptions())))
    return 1;
  output->keep();
  return 0;
}
#endif

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  lowbit::registerLowbitPasses();
  lowbit::registerLowbitConversionPasses();
  lowbit::registerLowbitPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<lowbit::LowbitDialect>();
  lowbit::registerX86VectorInlining(registry);

  auto [inputFilename, outputFilename] = mlir::registerAndParseCLIOptions(
      argc, argv, "lowbit optimizer driver\n", registry);
#ifdef LOWBIT_HAVE_ONNX
  if (lowbit::onnx_import::isOnnxPath(inputFilename))
    return runOnOnnx(inputFilename, outputFilename, registry);
#endif
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, inputFilename, outputFilename, registry));
}

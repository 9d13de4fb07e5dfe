//===- ModelInput.cpp - how the lowbit tools read a model -----------------===//
//
// The model file options of the tools, readModel (ONNX files through the
// importer when lowbit is built with it, everything else through
// parseModelFile), and the context the tools read models into.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Tools/ModelInput.h"
#ifdef LOWBIT_HAVE_ONNX
#include "lowbit/Import/Onnx.h"
#endif
#include "lowbit/Target/Model.h"

using namespace mlir;
namespace cl = llvm::cl;

lowbit::ModelInputCLOptions::ModelInputCLOptions(cl::OptionCategory &category)
    : inputFilename(cl::Positional,
                    cl::desc("<model.mlir|model.mlirbc|model.onnx>"),
                    cl::Required, cl::cat(category)) {
#ifdef LOWBIT_HAVE_ONNX
  onnxInputShapes = std::make_unique<cl::list<std::string>>(
      "input-shape",
      cl::desc("ONNX models: fix the shape of a graph input, NAME:1x3x224x224"),
      cl::value_desc("NAME:DIMS"), cl::cat(category));
#endif
}

lowbit::ModelInputCLOptions::~ModelInputCLOptions() = default;

lowbit::ModelInputOptions lowbit::ModelInputCLOptions::getOptions() const {
  ModelInputOptions options;
  if (onnxInputShapes)
    options.onnxInputShapes = *onnxInputShapes;
  return options;
}

OwningOpRef<ModuleOp> lowbit::readModel(StringRef path, MLIRContext &context,
                                        llvm::SourceMgr &sourceMgr,
                                        const ModelInputOptions &options,
                                        std::string &error) {
#ifdef LOWBIT_HAVE_ONNX
  if (onnx_import::isOnnxPath(path)) {
    onnx_import::ImportOptions importOptions;
    importOptions.functionName = options.onnxFunctionName;
    return onnx_import::importOnnxFileWithShapes(
        context, path, options.onnxInputShapes, importOptions, error,
        /*status=*/nullptr, options.onnxConstantInputs);
  }
#endif
  return parseModelFile(path, context, sourceMgr, error);
}

static DialectRegistry getModelDialects() {
  DialectRegistry registry;
  lowbit::registerModelDialects(registry);
  return registry;
}

lowbit::ModelToolContext::ModelToolContext()
    : context(getModelDialects()), diagnostics(sourceMgr, &context) {
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
}

OwningOpRef<ModuleOp> lowbit::ModelToolContext::readModel(
    StringRef path, const ModelInputOptions &options, std::string &error) {
  return lowbit::readModel(path, context, sourceMgr, options, error);
}

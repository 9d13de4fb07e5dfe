//===- Model.cpp - reading a model for the lowbit tools -------------------===//

#include "lowbit/Target/Model.h"

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;

void lowbit::registerModelDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<LowbitDialect>();
  registerX86VectorInlining(registry);
}

OwningOpRef<ModuleOp> lowbit::parseModelFile(StringRef path,
                                             MLIRContext &context,
                                             llvm::SourceMgr &sourceMgr,
                                             std::string &error) {
  std::unique_ptr<llvm::MemoryBuffer> input = openInputFile(path, &error);
  if (!input)
    return nullptr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, &context);
}

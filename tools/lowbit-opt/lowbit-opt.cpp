//===- lowbit-opt.cpp - the lowbit optimizer driver -----------------------===//
//
// MlirOptMain with the lowbit dialect and passes plus every upstream dialect,
// extension and pass, so quant, tosa, linalg and the transform dialect work
// in the same driver.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

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

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "lowbit optimizer driver\n", registry));
}

// Uses the installed dialect, passes and numerics: parses a scheme, runs
// lowbit-pack-weights through a pass manager, and asks the numerics library
// for a packed row size.
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

int main() {
  mlir::MLIRContext context;
  context.loadDialect<lowbit::LowbitDialect, mlir::func::FuncDialect,
                      mlir::arith::ArithDialect>();
  auto scheme = llvm::dyn_cast_if_present<lowbit::SchemeAttr>(
      mlir::parseAttribute(
          "#lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>",
          &context));
  if (!scheme)
    return 1;
  lowbit::numerics::PackFormat format;
  format.kind = lowbit::numerics::PackKind::Int4;
  llvm::outs() << "qmin " << scheme.getQmin() << " qmax " << scheme.getQmax()
               << " units " << lowbit::numerics::packedUnitsPerRow(format, 400)
               << "\n";

  const char *source = R"mlir(
    func.func @w() -> tensor<1x4xf32> {
      %c = arith.constant dense<[[1, 2, 3, 4]]> : tensor<1x4xi8>
      %s = arith.constant dense<0.5> : tensor<f32>
      %w = lowbit.dequantize %c scales(%s : tensor<f32>)
             {scheme = #lowbit.scheme<i4, symmetric, per_tensor>}
             : tensor<1x4xi8> -> tensor<1x4xf32>
      return %w : tensor<1x4xf32>
    })mlir";
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  if (!module)
    return 1;
  mlir::PassManager pm(&context);
  lowbit::LowbitPackWeightsOptions options;
  options.layout = "int4";
  pm.addPass(lowbit::createLowbitPackWeights(options));
  if (mlir::failed(pm.run(*module)))
    return 1;
  int packed = 0;
  module->walk([&](lowbit::PackedWeightOp) { ++packed; });
  llvm::outs() << "packed weights " << packed << "\n";
  return 0;
}

//===- Importer.h - graph-level state of one import -------------*- C++ -*-===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_IMPORTER_H
#define LOWBIT_LIB_IMPORT_ONNX_IMPORTER_H

#include "Converters.h"

#include "lowbit/Import/Onnx.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"

#include <deque>
#include <unordered_map>

namespace lowbit::onnx_import {

/// Builds the func.func of one graph: the value table (ONNX names -> SSA
/// values), the types shape inference computed, the compile-time values of
/// constants, and locations.
class Importer {
public:
  Importer(mlir::MLIRContext &context, onnx::ModelProto &model,
           llvm::StringRef sourceName, llvm::StringRef baseDirectory,
           llvm::StringRef text, const ImportOptions &options)
      : context(context), model(model), sourceName(sourceName),
        baseDirectory(baseDirectory), text(text), options(options) {}

  mlir::OwningOpRef<mlir::ModuleOp> run();

  /// The value of `name`: an argument, a node output, or an initializer /
  /// Constant materialized at the top of the function.
  mlir::Value lookup(llvm::StringRef name, mlir::Location loc);
  const onnx::TypeProto *typeOf(llvm::StringRef name) const;
  mlir::RankedTensorType staticType(llvm::StringRef name, mlir::Location loc,
                                    bool report = true);
  std::optional<llvm::SmallVector<int64_t>> knownInts(llvm::StringRef name,
                                                      mlir::Location loc);
  std::optional<llvm::SmallVector<double>> knownFloats(llvm::StringRef name,
                                                       mlir::Location loc);
  mlir::Location nodeLocation(const onnx::NodeProto &node, int index);
  mlir::Location nameLocation(llvm::StringRef name);

  mlir::MLIRContext &context;
  onnx::ModelProto &model;
  std::string sourceName, baseDirectory;
  llvm::StringRef text;
  const ImportOptions &options;

  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<const onnx::TensorProto *> constants;
  llvm::StringMap<llvm::SmallVector<int64_t>> computedInts;
  llvm::StringMap<const onnx::TypeProto *> types;
  std::unordered_map<std::string, onnx::TensorShapeProto> shapeData;
  std::deque<onnx::TensorProto> ownedTensors;
  int64_t defaultOpset = 0;
  /// The versions of the other domains the model imports (com.microsoft).
  llvm::StringMap<int64_t> domainOpsets;
  /// The model's version of `domain`, none when it does not import it.
  std::optional<int64_t> opsetOf(llvm::StringRef domain) const;
  mlir::func::FuncOp function;

private:
  mlir::LogicalResult fixInputShapes();
  /// Every node input is defined before the node (ONNX's graph rule).
  mlir::LogicalResult checkTopologicalOrder();
  /// Required inputs and attribute types (against the op's schema), window
  /// attributes (strides, dilations, kernel_shape, group) of every node, before
  /// ONNX's inference divides by them (NodeValidation.cpp).
  mlir::LogicalResult checkNodeAttributes();
  /// Turns the graph inputs of --constant-input into initializers
  /// (ConstantInputs.cpp).
  mlir::LogicalResult bindConstantInputs();
  mlir::LogicalResult convertNode(const onnx::NodeProto &node, int index);
  mlir::LogicalResult recordConstantNode(NodeContext &ctx);
};

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_IMPORTER_H

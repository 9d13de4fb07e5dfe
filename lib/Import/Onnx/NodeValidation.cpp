//===- NodeValidation.cpp - node checks before ONNX's inference ----------===//
//
// ONNX 1.12's shape inference trusts attribute types, required inputs and
// window sizes: a stride of 0 divides by zero inside it, and a converter
// reading an attribute of another type reads an unset field. Checked here once
// for every node, with the node's location, before inference runs.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "OnnxModel.h"

using namespace mlir;
using namespace lowbit::onnx_import;

LogicalResult Importer::checkNodeAttributes() {
  for (auto [index, node] : llvm::enumerate(model.graph().node())) {
    auto fail = [&, index = index, &node = node]() {
      return mlir::emitError(nodeLocation(node, index))
             << "node '"
             << cast<NameLoc>(nodeLocation(node, index)).getName().getValue()
             << "': ";
    };
    if (std::optional<int64_t> opset = opsetOf(node.domain())) {
      std::string error = detail::checkAgainstSchema(
          node, isDefaultDomain(node.domain()) ? "" : node.domain(),
          (int)*opset);
      if (!error.empty())
        return fail() << error;
    }
    for (const onnx::AttributeProto &attribute : node.attribute()) {
      const std::string &name = attribute.name();
      bool window =
          name == "strides" || name == "dilations" || name == "kernel_shape";
      if (window &&
          llvm::any_of(attribute.ints(), [](int64_t v) { return v < 1; }))
        return fail() << "attribute '" << name << "' of " << node.op_type()
                      << " must be positive";
      if (name == "group" && attribute.i() < 1)
        return fail() << "attribute 'group' of " << node.op_type()
                      << " must be positive";
    }
  }
  return success();
}

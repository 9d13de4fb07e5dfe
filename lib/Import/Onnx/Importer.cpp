//===- Importer.cpp - the graph walk of one import ------------------------===//
//
// Importer::run: the model's input shapes fixed, shape inference, the checks
// before it, then every node in order to the converter Registry.cpp finds for
// its op type and opset, into one func.func.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "OnnxModel.h"
#include "ShapeFolding.h"
#include "Tensors.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace lowbit::onnx_import;

//===----------------------------------------------------------------------===//
// The graph
//===----------------------------------------------------------------------===//

LogicalResult Importer::fixInputShapes() {
  onnx::GraphProto &graph = *model.mutable_graph();
  llvm::StringSet<> initializers;
  for (const onnx::TensorProto &tensor : graph.initializer())
    initializers.insert(tensor.name());
  llvm::StringSet<> inputs;
  for (const onnx::ValueInfoProto &input : graph.input())
    if (!initializers.contains(input.name()))
      inputs.insert(input.name());
  for (const auto &entry : options.inputShapes)
    if (!inputs.contains(entry.getKey()))
      return emitError(FileLineColLoc::get(&context, sourceName, 0, 0))
             << "--input-shape names '" << entry.getKey()
             << "', which is not a graph input";
  for (onnx::ValueInfoProto &input : *graph.mutable_input()) {
    if (initializers.contains(input.name()))
      continue;
    Location loc = nameLocation(input.name());
    if (!input.type().has_tensor_type())
      return emitError(loc)
             << "graph input '" << input.name() << "' is not a tensor";
    onnx::TypeProto::Tensor &tensor =
        *input.mutable_type()->mutable_tensor_type();
    if (!convertElementType(&context, tensor.elem_type()))
      return emitUnsupported(loc) << "graph input '" << input.name()
                                  << "' has unsupported element type "
                                  << elementTypeName(tensor.elem_type());
    auto shape = options.inputShapes.find(input.name());
    if (shape != options.inputShapes.end()) {
      if (tensor.has_shape() &&
          tensor.shape().dim_size() != (int)shape->second.size())
        return emitError(loc)
               << "--input-shape gives " << shape->second.size()
               << " dimensions for '" << input.name() << "', which has rank "
               << tensor.shape().dim_size();
      onnx::TensorShapeProto *dims = tensor.mutable_shape();
      for (auto [i, size] : llvm::enumerate(shape->second)) {
        if (i >= (size_t)dims->dim_size())
          dims->add_dim();
        onnx::TensorShapeProto::Dimension *dim = dims->mutable_dim(i);
        if (dim->has_dim_value() && dim->dim_value() != size)
          return emitError(loc)
                 << "--input-shape gives size " << size << " to dimension " << i
                 << " of '" << input.name() << "', which is "
                 << dim->dim_value();
        dim->set_dim_value(size);
      }
      continue;
    }
    if (!tensor.has_shape())
      return emitError(loc)
             << "graph input '" << input.name()
             << "' has no shape: give it with --input-shape=" << input.name()
             << ":D0xD1x...";
    for (auto [i, dim] : llvm::enumerate(tensor.shape().dim()))
      if (!dim.has_dim_value())
        return emitError(loc)
               << "dimension " << i << " of graph input '" << input.name()
               << "' is dynamic"
               << (dim.has_dim_param() ? " ('" + dim.dim_param() + "')"
                                       : std::string())
               << ": give its size with --input-shape=" << input.name()
               << ":D0xD1x...";
  }
  return success();
}

LogicalResult Importer::checkTopologicalOrder() {
  // ONNX 1.12's shape inference dereferences the type of an input nothing
  // defines (a segfault in Shape's data propagation): say so first.
  const onnx::GraphProto &graph = model.graph();
  llvm::StringSet<> defined;
  for (const onnx::ValueInfoProto &input : graph.input())
    defined.insert(input.name());
  for (const onnx::TensorProto &tensor : graph.initializer())
    defined.insert(tensor.name());
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    for (const std::string &input : node.input())
      if (!input.empty() && !defined.contains(input))
        return mlir::emitError(nodeLocation(node, index))
               << "node '"
               << cast<NameLoc>(nodeLocation(node, index)).getName().getValue()
               << "': input '" << input
               << "' is no graph input, initializer or output of an earlier "
                  "node";
    for (const std::string &output : node.output())
      defined.insert(output);
  }
  return success();
}

LogicalResult Importer::recordConstantNode(NodeContext &ctx) {
  if (!ctx.hasOutput(0))
    return ctx.emitError() << "Constant needs output 0";
  onnx::TensorProto tensor;
  if (const onnx::AttributeProto *value = ctx.attr("value")) {
    tensor = value->t();
  } else if (const onnx::AttributeProto *value = ctx.attr("value_float")) {
    tensor.set_data_type(onnx::TensorProto::FLOAT);
    tensor.add_float_data(value->f());
  } else if (const onnx::AttributeProto *value = ctx.attr("value_floats")) {
    tensor.set_data_type(onnx::TensorProto::FLOAT);
    tensor.add_dims(value->floats_size());
    for (float f : value->floats())
      tensor.add_float_data(f);
  } else if (const onnx::AttributeProto *value = ctx.attr("value_int")) {
    tensor.set_data_type(onnx::TensorProto::INT64);
    tensor.add_int64_data(value->i());
  } else if (const onnx::AttributeProto *value = ctx.attr("value_ints")) {
    tensor.set_data_type(onnx::TensorProto::INT64);
    tensor.add_dims(value->ints_size());
    for (int64_t i : value->ints())
      tensor.add_int64_data(i);
  } else if (ctx.node.attribute_size()) {
    return ctx.emitUnsupported() << "Constant with unsupported attribute '"
                                 << ctx.node.attribute(0).name() << "'";
  } else {
    return ctx.emitError() << "Constant with no value";
  }
  tensor.set_name(ctx.node.output(0));
  ownedTensors.push_back(std::move(tensor));
  constants[ctx.node.output(0)] = &ownedTensors.back();
  return success();
}

std::optional<int64_t> Importer::opsetOf(StringRef domain) const {
  if (isDefaultDomain(domain))
    return defaultOpset;
  auto it = domainOpsets.find(domain);
  if (it == domainOpsets.end())
    return std::nullopt;
  return it->second;
}

LogicalResult Importer::convertNode(const onnx::NodeProto &node, int index) {
  Location loc = nodeLocation(node, index);
  std::optional<int64_t> opset = opsetOf(node.domain());
  OpBuilder builder(&context);
  builder.setInsertionPoint(function.getBody().front().getTerminator());
  NodeContext ctx(*this, node, builder, loc, opset.value_or(0));
  if (!opset)
    return ctx.emitError() << "the model imports no opset of domain '"
                           << node.domain() << "' (op '" << node.op_type()
                           << "')";
  bool inDefaultDomain = isDefaultDomain(node.domain());
  if (inDefaultDomain && node.op_type() == "Constant") {
    if (failed(recordConstantNode(ctx)))
      return failure();
  } else {
    const OpConverter *converter =
        lookupConverter(node.domain(), node.op_type(), *opset);
    if (!converter)
      return ctx.emitUnsupported()
             << "unsupported ONNX op '"
             << (inDefaultDomain ? "" : node.domain() + ".") << node.op_type()
             << "' (opset " << *opset << ")";
    if (failed(converter->convert(ctx)) || ctx.attributeTypeError)
      return failure();
  }
  SmallVector<std::string> unread = ctx.unreadAttributes();
  if (!unread.empty())
    return ctx.emitUnsupported() << "unsupported attribute '" << unread.front()
                                 << "' of " << node.op_type();
  for (int i = 0; i < node.output_size(); ++i)
    if (!node.output(i).empty() && !values.count(node.output(i)) &&
        !constants.count(node.output(i)))
      return ctx.emitError() << node.op_type() << " does not produce output "
                             << i << " ('" << node.output(i) << "')";
  return success();
}

OwningOpRef<ModuleOp> Importer::run() {
  Location fileLoc = FileLineColLoc::get(&context, sourceName, 0, 0);
  for (const onnx::OperatorSetIdProto &opset : model.opset_import()) {
    if (isDefaultDomain(opset.domain()))
      defaultOpset = opset.version();
    else
      domainOpsets[opset.domain()] = opset.version();
  }
  if (!defaultOpset)
    return emitError(fileLoc) << "the model imports no default ONNX opset",
           nullptr;
  if (failed(checkTopologicalOrder()) || failed(checkNodeAttributes()) ||
      failed(bindConstantInputs()) || failed(fixInputShapes()))
    return nullptr;
  // Old PyTorch exports break op type constraints ONNX Runtime does not
  // enforce either (e.g. an int64 Constant at opset 6, for Reshape's shape):
  // take them without the type checks, and say so.
  bool checkTypes = true;
  auto likeInput0 = [&](const onnx::NodeProto &node) {
    std::optional<int64_t> opset = opsetOf(node.domain());
    if (!opset)
      return false;
    const OpConverter *converter =
        lookupConverter(node.domain(), node.op_type(), *opset);
    std::string domain = isDefaultDomain(node.domain()) ? "" : node.domain();
    return converter && converter->likeInput0 &&
           !detail::hasSchema(domain, node.op_type(), *opset);
  };
  std::string error =
      detail::inferShapes(model, shapeData, checkTypes, likeInput0);
  if (!error.empty()) {
    shapeData.clear();
    if (detail::inferShapes(model, shapeData, /*checkTypes=*/false, likeInput0)
            .empty()) {
      emitWarning(fileLoc) << "the model breaks ONNX's type constraints ("
                           << error << "); imported without type checks";
      checkTypes = false;
      error.clear();
    }
  }
  // Shape computations ONNX's data propagation leaves open are folded and
  // inference rerun (each round resolves at least one more shape operand).
  for (int round = 0;
       error.empty() && round < 8 && foldShapeComputations(model); ++round) {
    shapeData.clear();
    error = detail::inferShapes(model, shapeData, checkTypes, likeInput0);
  }
  if (!error.empty())
    return emitError(fileLoc) << "ONNX shape inference failed: " << error,
           nullptr;

  const onnx::GraphProto &graph = model.graph();
  for (const onnx::TensorProto &tensor : graph.initializer())
    constants[tensor.name()] = &tensor;
  for (const onnx::ValueInfoProto &info : graph.value_info())
    types[info.name()] = &info.type();
  for (const onnx::ValueInfoProto &info : graph.input())
    types[info.name()] = &info.type();
  for (const onnx::ValueInfoProto &info : graph.output())
    types[info.name()] = &info.type();

  // Bools cross the C interface as one byte per element: the function
  // takes and returns i8 (0 / 1) and converts at the boundary, since C has
  // no i1 buffer type.
  auto boundaryType = [&](RankedTensorType type) -> Type {
    if (type.getElementType().isInteger(1))
      return type.clone(IntegerType::get(&context, 8));
    return type;
  };
  SmallVector<Type> argumentTypes, resultTypes, valueResultTypes;
  SmallVector<Location> argumentLocs;
  SmallVector<std::string> argumentNames;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (constants.count(input.name()))
      continue;
    Location loc = nameLocation(input.name());
    RankedTensorType type = staticType(input.name(), loc);
    if (!type)
      return nullptr;
    argumentTypes.push_back(boundaryType(type));
    argumentLocs.push_back(loc);
    argumentNames.push_back(input.name());
  }
  for (const onnx::ValueInfoProto &output : graph.output()) {
    RankedTensorType type =
        staticType(output.name(), nameLocation(output.name()));
    if (!type)
      return nullptr;
    resultTypes.push_back(boundaryType(type));
    valueResultTypes.push_back(type);
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  OpBuilder builder(&context);
  builder.setInsertionPointToEnd(module->getBody());
  function =
      func::FuncOp::create(builder, fileLoc, options.functionName,
                           builder.getFunctionType(argumentTypes, resultTypes));
  Block *entry = function.addEntryBlock();
  builder.setInsertionPointToEnd(entry);
  for (auto [i, name] : llvm::enumerate(argumentNames)) {
    BlockArgument argument = entry->getArgument(i);
    argument.setLoc(argumentLocs[i]);
    values[name] = argument;
    auto type = cast<RankedTensorType>(argument.getType());
    if (type.getElementType().isInteger(8) &&
        typeOf(name)->tensor_type().elem_type() == onnx::TensorProto::BOOL)
      values[name] = buildElementwise(
          builder, argumentLocs[i], argument, type.clone(builder.getI1Type()),
          [](OpBuilder &b, Location loc, ValueRange a) {
            return castScalar(b, loc, a[0], b.getI1Type(), false, false);
          });
  }
  auto ret = func::ReturnOp::create(builder, fileLoc, ValueRange());

  for (auto [index, node] : llvm::enumerate(graph.node()))
    if (failed(convertNode(node, index)))
      return nullptr;

  SmallVector<Value> results;
  for (auto [i, output] : llvm::enumerate(graph.output())) {
    Location loc = nameLocation(output.name());
    Value value = lookup(output.name(), loc);
    if (!value)
      return nullptr;
    builder.setInsertionPoint(ret);
    auto type = cast<RankedTensorType>(value.getType());
    auto expected = cast<RankedTensorType>(valueResultTypes[i]);
    if (type != expected)
      return emitError(loc)
                 << "graph output '" << output.name() << "' was computed as "
                 << type << " but shape inference says " << expected,
             nullptr;
    if (resultTypes[i] != expected)
      value = buildElementwise(
          builder, loc, value, cast<RankedTensorType>(resultTypes[i]),
          [](OpBuilder &b, Location loc, ValueRange a) {
            return castScalar(b, loc, a[0], b.getI8Type(), true, true);
          });
    results.push_back(value);
  }
  ret->setOperands(results);
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

//===- OnnxImporter.cpp - ONNX model -> func.func -------------------------===//
//
// Loading (binary or text), fixing input shapes, shape inference, the value
// table and locations; each node goes to the converter Registry.cpp finds
// for its op type and opset.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "OnnxModel.h"
#include "ShapeFolding.h"
#include "Tensors.h"

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace lowbit::onnx_import;

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

Type lowbit::onnx_import::convertElementType(MLIRContext *context,
                                             int32_t onnxType) {
  Builder b(context);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return b.getI8Type();
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return b.getI16Type();
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return b.getI32Type();
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    return b.getI64Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  default:
    return {};
  }
}

static std::string typeName(int32_t onnxType) {
  return onnx::TensorProto::DataType_Name(
      (onnx::TensorProto::DataType)onnxType);
}

//===----------------------------------------------------------------------===//
// Locations
//===----------------------------------------------------------------------===//

/// The line of ONNX text that defines `output` (`output = Op(...)` or
/// `a, output = ...`), 0 when not found.
static std::pair<unsigned, unsigned> findDefinition(StringRef text,
                                                    StringRef output) {
  unsigned lineNumber = 0;
  for (StringRef line : llvm::split(text, '\n')) {
    ++lineNumber;
    StringRef trimmed = line.ltrim();
    size_t eq = trimmed.find('=');
    if (eq == StringRef::npos || trimmed.starts_with("<"))
      continue;
    SmallVector<StringRef> names;
    trimmed.take_front(eq).split(names, ',');
    for (StringRef name : names)
      if (name.trim() == output)
        return {lineNumber, unsigned(line.size() - trimmed.size() + 1)};
  }
  return {0, 0};
}

/// The first place `name` appears in ONNX text as a whole identifier.
static std::pair<unsigned, unsigned> findName(StringRef text, StringRef name) {
  auto isIdentifier = [](char c) {
    return llvm::isAlnum(c) || c == '_' || c == '.';
  };
  unsigned lineNumber = 0;
  for (StringRef line : llvm::split(text, '\n')) {
    ++lineNumber;
    if (line.ltrim().starts_with("#"))
      continue;
    for (size_t at = line.find(name); at != StringRef::npos;
         at = line.find(name, at + 1)) {
      size_t end = at + name.size();
      if ((at == 0 || !isIdentifier(line[at - 1])) &&
          (end == line.size() || !isIdentifier(line[end])))
        return {lineNumber, unsigned(at + 1)};
    }
  }
  return {0, 0};
}

Location Importer::nameLocation(StringRef name) {
  unsigned line = 0, column = 0;
  if (!text.empty())
    std::tie(line, column) = findName(text, name);
  return NameLoc::get(StringAttr::get(&context, name),
                      FileLineColLoc::get(&context, sourceName, line, column));
}

Location Importer::nodeLocation(const onnx::NodeProto &node, int index) {
  std::string name = node.name();
  if (name.empty())
    name = node.op_type() + "_" + std::to_string(index);
  unsigned line = 0, column = 0;
  if (!text.empty() && node.output_size())
    std::tie(line, column) = findDefinition(text, node.output(0));
  return NameLoc::get(StringAttr::get(&context, name),
                      FileLineColLoc::get(&context, sourceName, line, column));
}

//===----------------------------------------------------------------------===//
// Value table
//===----------------------------------------------------------------------===//

const onnx::TypeProto *Importer::typeOf(StringRef name) const {
  auto it = types.find(name);
  return it == types.end() ? nullptr : it->second;
}

RankedTensorType Importer::staticType(StringRef name, Location loc,
                                      bool report) {
  if (const onnx::TensorProto *tensor = constants.lookup(name)) {
    Type element = convertElementType(&context, tensor->data_type());
    if (!element) {
      if (report)
        emitUnsupported(loc) << "'" << name << "' has unsupported element type "
                             << typeName(tensor->data_type());
      return {};
    }
    if (llvm::any_of(tensor->dims(), [](int64_t d) { return d < 0; })) {
      if (report)
        emitError(loc) << "'" << name << "' has a negative dimension";
      return {};
    }
    SmallVector<int64_t> dims(tensor->dims().begin(), tensor->dims().end());
    if (!checkedElementCount(dims)) {
      if (report)
        emitError(loc) << "'" << name << "' has more than "
                       << kMaxTensorElements << " elements";
      return {};
    }
    return RankedTensorType::get(dims, element);
  }
  const onnx::TypeProto *type = typeOf(name);
  if (!type || !type->has_tensor_type()) {
    if (report)
      emitError(loc) << "no tensor type for '" << name
                     << "' after ONNX shape inference";
    return {};
  }
  const onnx::TypeProto::Tensor &tensor = type->tensor_type();
  Type element = convertElementType(&context, tensor.elem_type());
  if (!element) {
    if (report)
      emitUnsupported(loc) << "'" << name << "' has unsupported element type "
                           << typeName(tensor.elem_type());
    return {};
  }
  if (!tensor.has_shape()) {
    if (report)
      emitError(loc) << "the rank of '" << name
                     << "' is unknown after ONNX shape inference";
    return {};
  }
  SmallVector<int64_t> shape;
  for (const onnx::TensorShapeProto::Dimension &dim : tensor.shape().dim()) {
    if (!dim.has_dim_value()) {
      if (report)
        emitUnsupported(loc)
            << "dimension " << shape.size() << " of '" << name
            << "' is dynamic after ONNX shape inference"
            << (dim.has_dim_param() ? " ('" + dim.dim_param() + "')"
                                    : std::string());
      return {};
    }
    if (dim.dim_value() < 0) {
      // ONNX's inference passes a negative shape operand through.
      if (report)
        emitError(loc) << "dimension " << shape.size() << " of '" << name
                       << "' is negative (" << dim.dim_value()
                       << ") after ONNX shape inference";
      return {};
    }
    if (dim.dim_value() == 0) {
      // The pipeline compiles no empty tensors; say so at the node.
      if (report)
        emitUnsupported(loc) << "dimension " << shape.size() << " of '" << name
                             << "' is 0: lowbit does not compile empty tensors";
      return {};
    }
    shape.push_back(dim.dim_value());
  }
  if (!checkedElementCount(shape)) {
    if (report)
      emitError(loc) << "'" << name << "' has more than " << kMaxTensorElements
                     << " elements after ONNX shape inference";
    return {};
  }
  return RankedTensorType::get(shape, element);
}

Value Importer::lookup(StringRef name, Location loc) {
  if (Value value = values.lookup(name))
    return value;
  const onnx::TensorProto *tensor = constants.lookup(name);
  if (!tensor) {
    emitError(loc) << "'" << name << "' is used before it is defined";
    return {};
  }
  FailureOr<ElementsAttr> attr =
      convertTensor(*tensor, baseDirectory, nameLocation(name));
  if (failed(attr))
    return {};
  // Constants sit at the top of the function, in the order first used.
  OpBuilder builder(&context);
  Block &entry = function.getBody().front();
  builder.setInsertionPoint(&entry, entry.begin());
  while (builder.getInsertionPoint() != entry.end() &&
         isa<arith::ConstantOp>(*builder.getInsertionPoint()))
    builder.setInsertionPointAfter(&*builder.getInsertionPoint());
  Value value = arith::ConstantOp::create(builder, nameLocation(name),
                                          cast<TypedAttr>(*attr));
  values[name] = value;
  return value;
}

std::optional<SmallVector<int64_t>> Importer::knownInts(StringRef name,
                                                        Location loc) {
  auto computed = computedInts.find(name);
  if (computed != computedInts.end())
    return computed->second;
  if (const onnx::TensorProto *tensor = constants.lookup(name))
    return readTensorInts(*tensor, baseDirectory, loc);
  auto data = shapeData.find(name.str());
  if (data != shapeData.end()) {
    SmallVector<int64_t> ints;
    for (const onnx::TensorShapeProto::Dimension &dim : data->second.dim()) {
      if (!dim.has_dim_value())
        return std::nullopt;
      ints.push_back(dim.dim_value());
    }
    return ints;
  }
  return std::nullopt;
}

std::optional<SmallVector<double>> Importer::knownFloats(StringRef name,
                                                         Location loc) {
  if (const onnx::TensorProto *tensor = constants.lookup(name))
    return readTensorFloats(*tensor, baseDirectory, loc);
  if (std::optional<SmallVector<int64_t>> ints = knownInts(name, loc))
    return SmallVector<double>(ints->begin(), ints->end());
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

Value NodeContext::input(unsigned i) {
  if (!hasInput(i)) {
    emitError() << node.op_type() << " needs input " << i;
    return {};
  }
  return importer.lookup(node.input(i), loc);
}

RankedTensorType NodeContext::inputType(unsigned i) {
  if (Value value =
          hasInput(i) ? importer.values.lookup(node.input(i)) : Value())
    return cast<RankedTensorType>(value.getType());
  if (!hasInput(i))
    return {};
  return importer.staticType(node.input(i), loc);
}

int32_t NodeContext::inputOnnxType(unsigned i) {
  if (!hasInput(i))
    return 0;
  if (const onnx::TensorProto *tensor =
          importer.constants.lookup(node.input(i)))
    return tensor->data_type();
  const onnx::TypeProto *type = importer.typeOf(node.input(i));
  return type && type->has_tensor_type() ? type->tensor_type().elem_type() : 0;
}

bool NodeContext::isUnsignedInput(unsigned i) {
  switch (inputOnnxType(i)) {
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    return true;
  default:
    return false;
  }
}

std::optional<SmallVector<int64_t>> NodeContext::inputInts(unsigned i) {
  if (!hasInput(i))
    return std::nullopt;
  return importer.knownInts(node.input(i), loc);
}

std::optional<SmallVector<double>> NodeContext::inputFloats(unsigned i) {
  if (!hasInput(i))
    return std::nullopt;
  return importer.knownFloats(node.input(i), loc);
}

LogicalResult NodeContext::unaryOperands(Value &input,
                                         RankedTensorType &inputType,
                                         RankedTensorType &outputType) {
  input = this->input(0);
  outputType = this->outputType(0);
  if (!input || !outputType)
    return failure();
  inputType = cast<RankedTensorType>(input.getType());
  return success();
}

RankedTensorType NodeContext::outputType(unsigned i) {
  if (!hasOutput(i)) {
    emitError() << node.op_type() << " needs output " << i;
    return {};
  }
  return importer.staticType(node.output(i), loc);
}

void NodeContext::setOutput(unsigned i, Value value) {
  if (hasOutput(i))
    importer.values[node.output(i)] = value;
}

void NodeContext::setOutputInts(unsigned i, ArrayRef<int64_t> values) {
  if (hasOutput(i))
    importer.computedInts[node.output(i)] = SmallVector<int64_t>(values);
}

const onnx::AttributeProto *NodeContext::attr(StringRef name) {
  readAttributes.insert(name);
  for (const onnx::AttributeProto &attribute : node.attribute())
    if (attribute.name() == name)
      return &attribute;
  return nullptr;
}

bool NodeContext::hasAttr(StringRef name) { return attr(name) != nullptr; }

const onnx::AttributeProto *
NodeContext::typedAttr(StringRef name,
                       onnx::AttributeProto::AttributeType type) {
  const onnx::AttributeProto *a = attr(name);
  if (!a || a->type() == onnx::AttributeProto::UNDEFINED || a->type() == type)
    return a;
  // ONNX's inference does not check attribute types; converters would read
  // an unset field (0, empty) and divide by it or index it.
  if (!attributeTypeError)
    emitError() << "attribute '" << name << "' of " << node.op_type()
                << " must be " << onnx::AttributeProto::AttributeType_Name(type)
                << ", not "
                << onnx::AttributeProto::AttributeType_Name(a->type());
  attributeTypeError = true;
  return nullptr;
}

int64_t NodeContext::intAttr(StringRef name, int64_t defaultValue) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::INT);
  return a ? a->i() : defaultValue;
}

float NodeContext::floatAttr(StringRef name, float defaultValue) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::FLOAT);
  return a ? a->f() : defaultValue;
}

std::string NodeContext::stringAttr(StringRef name, StringRef defaultValue) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::STRING);
  return a ? a->s() : defaultValue.str();
}

SmallVector<int64_t> NodeContext::intsAttr(StringRef name) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::INTS);
  return a ? SmallVector<int64_t>(a->ints().begin(), a->ints().end())
           : SmallVector<int64_t>();
}

SmallVector<float> NodeContext::floatsAttr(StringRef name) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::FLOATS);
  return a ? SmallVector<float>(a->floats().begin(), a->floats().end())
           : SmallVector<float>();
}

SmallVector<std::string> NodeContext::unreadAttributes() const {
  SmallVector<std::string> unread;
  for (const onnx::AttributeProto &attribute : node.attribute())
    if (!readAttributes.contains(attribute.name()))
      unread.push_back(attribute.name());
  return unread;
}

InFlightDiagnostic NodeContext::emitError() {
  // Binary models have no line to point at: the message names the node.
  StringRef name = cast<NameLoc>(loc).getName();
  return mlir::emitError(loc) << "node '" << name << "': ";
}

static constexpr llvm::StringLiteral kUnsupportedMarker =
    "lowbit.onnx.unsupported";

InFlightDiagnostic NodeContext::emitUnsupported() {
  InFlightDiagnostic diagnostic = emitError();
  diagnostic.getUnderlyingDiagnostic()->getMetadata().push_back(
      DiagnosticArgument(kUnsupportedMarker));
  return diagnostic;
}

InFlightDiagnostic lowbit::onnx_import::emitUnsupported(Location loc) {
  InFlightDiagnostic diagnostic = mlir::emitError(loc);
  diagnostic.getUnderlyingDiagnostic()->getMetadata().push_back(
      DiagnosticArgument(kUnsupportedMarker));
  return diagnostic;
}

bool lowbit::onnx_import::isUnsupportedDiagnostic(Diagnostic &diagnostic) {
  return llvm::any_of(diagnostic.getMetadata(), [](DiagnosticArgument &a) {
    return a.getKind() == DiagnosticArgument::DiagnosticArgumentKind::String &&
           a.getAsString() == kUnsupportedMarker;
  });
}

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
                                  << typeName(tensor.elem_type());
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

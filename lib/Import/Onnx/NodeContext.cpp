//===- NodeContext.cpp - what a converter sees of a node ------------------===//
//
// A node's inputs, outputs and attributes as the converters read them, and
// their diagnostics (emitUnsupported marks what the importer does not take,
// as opposed to invalid models).
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;
using namespace lowbit::onnx_import;

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

//===- OnnxModel.cpp - reading and checking a ModelProto ------------------===//
//
// Compiled with -fexceptions: ONNX reports parse, check and inference
// failures by throwing, and an exception crossing LLVM-style code would
// terminate the process.
//
//===----------------------------------------------------------------------===//

#include "OnnxModel.h"

#include "onnx/defs/parser.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

#include <exception>
#include <utility>
#include <vector>

using namespace lowbit::onnx_import;

std::string detail::parseModelBytes(const std::string &bytes,
                                    onnx::ModelProto &model) {
  try {
    if (!model.ParseFromString(bytes))
      return "not a valid ONNX ModelProto (protobuf parse failed)";
  } catch (const std::exception &e) {
    return e.what();
  }
  return "";
}

std::string detail::parseModelText(const std::string &text,
                                   onnx::ModelProto &model) {
  try {
    onnx::OnnxParser parser(text.c_str());
    onnx::Common::Status status = parser.Parse(model);
    if (!status.IsOK())
      return status.ErrorMessage();
  } catch (const std::exception &e) {
    return e.what();
  }
  return "";
}

static std::string
runInference(onnx::ModelProto &model,
             std::unordered_map<std::string, onnx::TensorShapeProto> &shapeData,
             bool checkTypes) {
  try {
    onnx::ShapeInferenceOptions options;
    options.check_type = checkTypes;
    // Node errors are reported by the importer with the node's location when
    // a shape it needs is missing; only graph-level failures stop here.
    options.error_mode = 0;
    options.enable_data_propagation = true;
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), options, &shapeData);
  } catch (const std::exception &e) {
    return e.what();
  }
  return "";
}

std::string detail::inferShapes(
    onnx::ModelProto &model,
    std::unordered_map<std::string, onnx::TensorShapeProto> &shapeData,
    bool checkTypes,
    const std::function<bool(const onnx::NodeProto &)> &likeInput0) {
  // Ops without a schema get no output type, and neither does anything
  // computed from them. Registering schemas is no way out: ONNX 1.12's
  // registry refuses versions past its default domain's opset 17 (Gelu is
  // opset 20) and domains the checker does not know (com.microsoft), and it
  // is process-wide state. Standing in an Identity for the inference only
  // gives their type rule in the same single inference run.
  google::protobuf::RepeatedPtrField<onnx::NodeProto> &nodes =
      *model.mutable_graph()->mutable_node();
  std::vector<std::pair<int, onnx::NodeProto>> replaced;
  for (int i = 0; i < nodes.size(); ++i) {
    onnx::NodeProto &node = nodes[i];
    if (!likeInput0 || !likeInput0(node) || node.input_size() < 1 ||
        node.input(0).empty() || node.output_size() < 1)
      continue;
    onnx::NodeProto identity;
    identity.set_name(node.name());
    identity.set_op_type("Identity");
    identity.add_input(node.input(0));
    identity.add_output(node.output(0));
    replaced.emplace_back(i, std::move(identity));
    nodes[i].Swap(&replaced.back().second);
  }
  std::string error = runInference(model, shapeData, checkTypes);
  for (auto &[index, original] : replaced)
    nodes[index].Swap(&original);
  return error;
}

bool detail::hasSchema(const std::string &domain, const std::string &opType,
                       int opset) {
  try {
    return onnx::OpSchemaRegistry::Schema(opType, opset, domain) != nullptr;
  } catch (const std::exception &) {
    return false;
  }
}

std::string detail::checkAgainstSchema(const onnx::NodeProto &node,
                                       const std::string &domain, int opset) {
  try {
    const onnx::OpSchema *schema =
        onnx::OpSchemaRegistry::Schema(node.op_type(), opset, domain);
    if (!schema)
      return "";
    // Converters take a required input for granted.
    const auto &formals = schema->inputs();
    for (size_t i = 0; i < formals.size(); ++i)
      if (formals[i].GetOption() == onnx::OpSchema::Single &&
          ((int)i >= node.input_size() || node.input((int)i).empty()))
        return node.op_type() + " needs input " + std::to_string(i) + " ('" +
               formals[i].GetName() + "')";
    for (const onnx::AttributeProto &attribute : node.attribute()) {
      auto it = schema->attributes().find(attribute.name());
      if (it == schema->attributes().end() ||
          attribute.type() == onnx::AttributeProto::UNDEFINED ||
          attribute.type() == it->second.type)
        continue;
      return "attribute '" + attribute.name() + "' of " + node.op_type() +
             " must be " +
             onnx::AttributeProto::AttributeType_Name(it->second.type) +
             ", not " +
             onnx::AttributeProto::AttributeType_Name(attribute.type());
    }
  } catch (const std::exception &e) {
    return e.what();
  }
  return "";
}

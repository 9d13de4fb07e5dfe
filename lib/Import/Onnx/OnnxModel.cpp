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

std::string detail::inferShapes(
    onnx::ModelProto &model,
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

bool detail::hasSchema(const std::string &domain, const std::string &opType,
                       int opset) {
  try {
    return onnx::OpSchemaRegistry::Schema(opType, opset, domain) != nullptr;
  } catch (const std::exception &) {
    return false;
  }
}

//===- OnnxModel.h - reading and checking a ModelProto ----------*- C++ -*-===//
//
// The calls into the ONNX library that may throw (the text parser, the
// checker, shape inference) live behind this header, in the one translation
// unit compiled with exceptions; everything else is built like LLVM, without.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_ONNXMODEL_H
#define LOWBIT_LIB_IMPORT_ONNX_ONNXMODEL_H

#include "onnx/onnx_pb.h"

#include <functional>
#include <string>
#include <unordered_map>

namespace lowbit::onnx_import::detail {

/// Parses a binary ModelProto; returns an error message, empty on success.
std::string parseModelBytes(const std::string &bytes, onnx::ModelProto &model);

/// Parses ONNX's text syntax; returns an error message, empty on success.
std::string parseModelText(const std::string &text, onnx::ModelProto &model);

/// Runs ONNX shape inference (with data propagation, so shapes computed by
/// Shape/Gather/Concat chains become static); returns an error message,
/// empty on success.
/// `shapeData` receives the values data propagation computed for small
/// integer tensors (the outputs of Shape and what is computed from them).
/// `checkTypes` enforces every op schema's type constraints.
/// `likeInput0` marks the nodes ONNX 1.12 has no schema for whose output 0
/// has input 0's type (Gelu, com.microsoft.FastGelu): inference sees them as
/// Identity of input 0.
std::string
inferShapes(onnx::ModelProto &model,
            std::unordered_map<std::string, onnx::TensorShapeProto> &shapeData,
            bool checkTypes,
            const std::function<bool(const onnx::NodeProto &)> &likeInput0);

/// True when ONNX's schema registry knows (domain, opType) at `opset`.
bool hasSchema(const std::string &domain, const std::string &opType, int opset);

/// Checks that `node` has its schema's required inputs (at `opset`) and
/// attributes of the schema's types (ONNX's inference does not); returns an
/// error message, empty when they match or there is no schema.
std::string checkAgainstSchema(const onnx::NodeProto &node,
                               const std::string &domain, int opset);

} // namespace lowbit::onnx_import::detail

#endif // LOWBIT_LIB_IMPORT_ONNX_ONNXMODEL_H

//===- ConstantInputs.cpp - graph inputs given values at compile time -----===//
//
// Some exports feed an op's compile-time operand (Slice starts, Pad pads,
// ReduceSum axes, Range limits, a Reshape shape) from a graph input. With
// --constant-input=NAME:v0,v1,... the input becomes an initializer of those
// values before shape inference, so ONNX's data propagation and every
// converter see a constant, and the function takes no argument for it.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace mlir;
using namespace lowbit::onnx_import;

bool lowbit::onnx_import::parseConstantInput(StringRef spec,
                                             ImportOptions &options,
                                             std::string &error) {
  auto [name, list] = spec.rsplit(':');
  if (name.empty() || list.empty() || name == spec) {
    error =
        "expected --constant-input=NAME:V0,V1,..., got '" + spec.str() + "'";
    return false;
  }
  SmallVector<double> values;
  SmallVector<StringRef> parts;
  list.split(parts, ',');
  for (StringRef part : parts) {
    double value;
    if (part.trim().getAsDouble(value) || !std::isfinite(value)) {
      error =
          "bad value '" + part.str() + "' in --constant-input=" + spec.str();
      return false;
    }
    values.push_back(value);
  }
  options.constantInputs[name] = values;
  return true;
}

/// `value` stored as ONNX element type `type`; false when it does not fit.
static bool appendValue(onnx::TensorProto &tensor, double value) {
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    tensor.add_float_data(value);
    return true;
  case onnx::TensorProto::DOUBLE:
    tensor.add_double_data(value);
    return true;
  case onnx::TensorProto::INT64:
    if (value != std::trunc(value) || std::fabs(value) > 0x1p62)
      return false;
    tensor.add_int64_data(int64_t(value));
    return true;
  case onnx::TensorProto::INT32:
    if (value != std::trunc(value) || std::fabs(value) > 0x1p31 - 1)
      return false;
    tensor.add_int32_data(int32_t(value));
    return true;
  case onnx::TensorProto::BOOL:
    if (value != 0 && value != 1)
      return false;
    tensor.add_int32_data(int32_t(value));
    return true;
  default:
    return false;
  }
}

LogicalResult Importer::bindConstantInputs() {
  onnx::GraphProto &graph = *model.mutable_graph();
  for (const auto &entry : options.constantInputs) {
    StringRef name = entry.getKey();
    ArrayRef<double> values = entry.getValue();
    auto input = llvm::find_if(
        graph.input(), [&](const auto &info) { return info.name() == name; });
    bool isInitializer = llvm::any_of(
        graph.initializer(), [&](const auto &t) { return t.name() == name; });
    if (input == graph.input().end() || isInitializer)
      return emitError(FileLineColLoc::get(&context, sourceName, 0, 0))
             << "--constant-input names '" << name
             << "', which is not a graph input";
    Location loc = nameLocation(name);
    const onnx::TypeProto::Tensor &type = input->type().tensor_type();
    onnx::TensorProto tensor;
    tensor.set_name(name.str());
    tensor.set_data_type(type.elem_type());
    // The declared shape; a rank-1 input of unknown size takes the number
    // of values.
    int64_t count = 1;
    bool dynamic = !type.has_shape();
    for (const onnx::TensorShapeProto::Dimension &dim : type.shape().dim()) {
      dynamic |= !dim.has_dim_value();
      count *= dim.dim_value();
      tensor.add_dims(dim.dim_value());
    }
    if (dynamic) {
      if (type.has_shape() && type.shape().dim_size() != 1)
        return emitError(loc) << "--constant-input '" << name
                              << "': the input's shape is dynamic, and only "
                                 "a rank-1 input takes its size from the "
                                 "values";
      tensor.clear_dims();
      tensor.add_dims(values.size());
      count = values.size();
    }
    if (count != (int64_t)values.size())
      return emitError(loc)
             << "--constant-input gives " << values.size() << " values for '"
             << name << "', which has " << count << " elements";
    for (double value : values)
      if (!appendValue(tensor, value))
        return emitError(loc)
               << "--constant-input value " << value << " for '" << name
               << "' cannot be stored as "
               << onnx::TensorProto::DataType_Name(
                      (onnx::TensorProto::DataType)type.elem_type());
    // The input's declared type follows the values' shape for inference.
    onnx::TypeProto::Tensor *declared =
        graph.mutable_input(input - graph.input().begin())
            ->mutable_type()
            ->mutable_tensor_type();
    declared->mutable_shape()->clear_dim();
    for (int64_t dim : tensor.dims())
      declared->mutable_shape()->add_dim()->set_dim_value(dim);
    *graph.add_initializer() = std::move(tensor);
  }
  return success();
}

//===- ValueTable.cpp - ONNX names to SSA values and types ----------------===//
//
// ONNX element types as MLIR types, and the importer's value table: the
// value of a name (argument, node output, or an initializer / Constant
// materialized at the top of the function), its type from shape inference,
// and the compile-time values of constants and folded shapes.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "Tensors.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

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

std::string lowbit::onnx_import::elementTypeName(int32_t onnxType) {
  return onnx::TensorProto::DataType_Name(
      (onnx::TensorProto::DataType)onnxType);
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
                             << elementTypeName(tensor->data_type());
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
                           << elementTypeName(tensor.elem_type());
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

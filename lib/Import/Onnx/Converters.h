//===- Converters.h - the interface of the op converters --------*- C++ -*-===//
//
// Each ONNX op family (Elementwise.cpp, LinearAlgebra.cpp, ...) converts
// nodes through a NodeContext: operands as MLIR values, attributes (every
// attribute a converter does not read is reported as unsupported), the
// output types shape inference computed, and compile-time values of small
// integer inputs. Registry.cpp holds the one table of converters.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_CONVERTERS_H
#define LOWBIT_LIB_IMPORT_ONNX_CONVERTERS_H

#include "onnx/onnx_pb.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringSet.h"

#include <optional>

namespace lowbit::onnx_import {

class Importer;

/// ONNX TensorProto::DataType -> MLIR element type (unsigned and signed
/// integers are both signless); null when unsupported.
mlir::Type convertElementType(mlir::MLIRContext *context, int32_t onnxType);

/// The name of ONNX element type `onnxType` (FLOAT, INT64, ...), for
/// messages.
std::string elementTypeName(int32_t onnxType);

/// One node being converted.
class NodeContext {
public:
  NodeContext(Importer &importer, const onnx::NodeProto &node,
              mlir::OpBuilder &builder, mlir::Location loc, int64_t opset)
      : b(builder), loc(loc), node(node), opset(opset), importer(importer) {}

  mlir::OpBuilder &b;
  mlir::Location loc;
  const onnx::NodeProto &node;
  /// The opset version of the node's domain in the model.
  int64_t opset;

  unsigned numInputs() const { return node.input_size(); }
  /// Present and not the empty name of an omitted optional input.
  bool hasInput(unsigned i) const {
    return i < numInputs() && !node.input(i).empty();
  }
  mlir::Value input(unsigned i);
  mlir::RankedTensorType inputType(unsigned i);
  /// The ONNX element type of input i (to tell uint from int).
  int32_t inputOnnxType(unsigned i);
  bool isUnsignedInput(unsigned i);
  /// The values of input i when they are known at compile time
  /// (initializer, Constant, or computed by ONNX's data propagation).
  std::optional<llvm::SmallVector<int64_t>> inputInts(unsigned i);
  std::optional<llvm::SmallVector<double>> inputFloats(unsigned i);

  unsigned numOutputs() const { return node.output_size(); }
  bool hasOutput(unsigned i) const {
    return i < numOutputs() && !node.output(i).empty();
  }
  /// Input 0 and output 0 with their types, the start of most converters;
  /// failure after an error.
  mlir::LogicalResult unaryOperands(mlir::Value &input,
                                    mlir::RankedTensorType &inputType,
                                    mlir::RankedTensorType &outputType);

  /// The static type shape inference gave output i; null after an error.
  mlir::RankedTensorType outputType(unsigned i);
  void setOutput(unsigned i, mlir::Value value);
  /// Records a compile-time value of output i for later shape operands.
  void setOutputInts(unsigned i, llvm::ArrayRef<int64_t> values);

  bool hasAttr(llvm::StringRef name);
  const onnx::AttributeProto *attr(llvm::StringRef name);
  int64_t intAttr(llvm::StringRef name, int64_t defaultValue);
  float floatAttr(llvm::StringRef name, float defaultValue);
  std::string stringAttr(llvm::StringRef name, llvm::StringRef defaultValue);
  llvm::SmallVector<int64_t> intsAttr(llvm::StringRef name);
  llvm::SmallVector<float> floatsAttr(llvm::StringRef name);
  /// Attributes the converter never read.
  llvm::SmallVector<std::string> unreadAttributes() const;

  mlir::InFlightDiagnostic emitError();
  /// emitError for a model outside what lowbit imports (see
  /// emitUnsupported).
  mlir::InFlightDiagnostic emitUnsupported();

  Importer &importer;
  /// Set when an attribute had another type than its getter reads (the
  /// getter reported it and returned the default); the node fails.
  bool attributeTypeError = false;

private:
  /// attr(name) if it has `type` (or none, as old exporters leave it).
  const onnx::AttributeProto *
  typedAttr(llvm::StringRef name, onnx::AttributeProto::AttributeType type);

  llvm::StringSet<> readAttributes;
};

/// mlir::emitError for a model outside what lowbit imports (ImportStatus::
/// Unsupported: an op, attribute value, element type, run-time value needed
/// constant, dynamic or empty dimension, training mode). The diagnostic
/// carries a marker the import functions read; its text is the caller's.
mlir::InFlightDiagnostic emitUnsupported(mlir::Location loc);
/// True for a diagnostic emitUnsupported made.
bool isUnsupportedDiagnostic(mlir::Diagnostic &diagnostic);

using ConvertFn = mlir::LogicalResult (*)(NodeContext &);

struct OpConverter {
  const char *opType;
  /// The opset versions whose semantics the converter implements.
  int64_t minOpset, maxOpset;
  ConvertFn convert;
  /// For ops ONNX 1.12 has no schema for: shape inference gives output 0
  /// the type of input 0 (detail::inferShapes).
  bool likeInput0 = false;
};

llvm::ArrayRef<OpConverter> getElementwiseConverters();
llvm::ArrayRef<OpConverter> getLinearAlgebraConverters();
llvm::ArrayRef<OpConverter> getShapeConverters();
llvm::ArrayRef<OpConverter> getReductionConverters();
llvm::ArrayRef<OpConverter> getNormalizationConverters();
llvm::ArrayRef<OpConverter> getConvolutionConverters();
llvm::ArrayRef<OpConverter> getQuantizationConverters();
/// Gelu of the default domain (Gelu.cpp).
llvm::ArrayRef<OpConverter> getGeluConverters();
/// ONNX Runtime's com.microsoft ops the importer takes (Gelu.cpp).
llvm::ArrayRef<OpConverter> getMicrosoftConverters();

/// "" and "ai.onnx" both name ONNX's default domain.
bool isDefaultDomain(llvm::StringRef domain);

/// The converter for (domain, opType) at `opset` (the model's version of
/// that domain; any opset when negative), or null.
const OpConverter *lookupConverter(llvm::StringRef domain,
                                   llvm::StringRef opType, int64_t opset);

//===----------------------------------------------------------------------===//
// Building blocks shared by the families (Builders.cpp)
//===----------------------------------------------------------------------===//

using ScalarBuilder = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// A linalg.generic computing `body` per element of `resultType` from
/// `inputs` under ONNX (numpy) multidirectional broadcasting.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::ValueRange inputs,
                             mlir::RankedTensorType resultType,
                             ScalarBuilder body);

/// Fails with an error unless every input broadcasts (numpy) to
/// `resultType`: what buildElementwise relies on.
mlir::LogicalResult checkBroadcast(NodeContext &ctx, mlir::ValueRange inputs,
                                   mlir::RankedTensorType resultType);

using Combiner = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::Value element, mlir::Value acc)>;

/// A linalg.generic reducing `input` over `dims` (sorted) from `initValue`
/// with `combine`; the result drops the reduced dimensions.
mlir::Value buildReduction(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> dims,
                           double initValue, Combiner combine);

/// `value`'s shape with `dims` (sorted) reinserted as size 1: the ONNX
/// keepdims form of a reduction, which broadcasts against the input.
mlir::Value keepDims(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                     llvm::ArrayRef<int64_t> inputShape,
                     llvm::ArrayRef<int64_t> dims);

/// The values of the node's inputs, in order, skipping omitted optional
/// ones; failure after an error.
mlir::LogicalResult presentInputs(NodeContext &ctx,
                                  llvm::SmallVectorImpl<mlir::Value> &inputs);

/// A scalar arith constant of a float or integer type.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);

/// tensor.empty + linalg.fill.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, double value);

/// Converts a scalar between element types (ONNX Cast semantics: float to
/// int truncates toward zero, bool is `!= 0`).
mlir::Value castScalar(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value value, mlir::Type to, bool fromUnsigned,
                       bool toUnsigned);

/// tensor.reshape-free reshape to a static type (collapse/expand when
/// possible, tensor.reshape with a constant shape otherwise).
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                      mlir::RankedTensorType type);

/// `value` reversed along each of `dims` (a generic reading with
/// tensor.extract: linalg's verifier rejects decreasing index maps).
mlir::Value reverseDims(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value value, llvm::ArrayRef<int64_t> dims);

/// numpy.matmul of `lhs` and `rhs` (vectors, batches with broadcasting) into
/// a zero accumulator of `resultType` (LinearAlgebra.cpp); null after an
/// error. `[..., M, K] x [K, N]` is one linalg.matmul on collapsed rows.
mlir::Value buildNumpyMatmul(NodeContext &ctx, mlir::Value lhs, mlir::Value rhs,
                             mlir::RankedTensorType resultType);

/// Input `codes` minus input `zp` (when present) as i32, the zero point
/// broadcast along `axis` (or a scalar when axis < 0): the operands of
/// integer matmuls and convolutions (Quantization.cpp).
mlir::Value zeroPointCentered(NodeContext &ctx, unsigned codes, unsigned zp,
                              int64_t axis);

/// saturate(round_half_even(x / scale) + zp) as an i8 code (zp optional).
mlir::Value quantizeScalar(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value x, mlir::Value scale, mlir::Value zp,
                           bool isUnsigned);

/// Normalizes a possibly negative axis; emits an error when out of range.
std::optional<int64_t> normalizeAxis(NodeContext &ctx, int64_t axis,
                                     int64_t rank);

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_CONVERTERS_H

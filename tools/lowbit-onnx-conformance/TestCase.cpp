//===- TestCase.cpp - one ONNX backend test: classify and run -------------===//

#include "TestCase.h"

#include "CallEntryPoint.h"
#include "Compare.h"
#include "TensorData.h"

#include "lowbit/Import/Onnx.h"
#include "lowbit/Target/Jit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Parser/Parser.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <vector>

using namespace llvm;

namespace lowbit::onnx_conformance {

static void collectOpTypes(const ::onnx::GraphProto &graph,
                           SmallVectorImpl<std::string> &opTypes,
                           StringSet<> &seen, std::string &unsupported) {
  for (const ::onnx::NodeProto &node : graph.node()) {
    std::string key = node.domain().empty() || node.domain() == "ai.onnx"
                          ? node.op_type()
                          : node.domain() + "." + node.op_type();
    if (seen.insert(key).second) {
      opTypes.push_back(key);
      if (unsupported.empty() &&
          !onnx_import::isSupportedOnnxOp(node.domain(), node.op_type()))
        unsupported = "op " + key + " is not supported";
    }
    for (const ::onnx::AttributeProto &attribute : node.attribute()) {
      if (attribute.has_g())
        collectOpTypes(attribute.g(), opTypes, seen, unsupported);
      for (const ::onnx::GraphProto &subgraph : attribute.graphs())
        collectOpTypes(subgraph, opTypes, seen, unsupported);
    }
  }
}

/// Why a graph input or output cannot be a C ABI buffer, or empty.
static std::string getBufferlessReason(const ::onnx::ValueInfoProto &value,
                                       StringRef kind) {
  const ::onnx::TypeProto &type = value.type();
  if (!type.has_tensor_type())
    return kind.str() + " '" + value.name() +
           "' is not a tensor (sequence, map or optional)";
  int elementType = type.tensor_type().elem_type();
  if (getElementSize(elementType) == 0)
    return kind.str() + " '" + value.name() + "' is a " +
           getDataTypeName(elementType).str() + " tensor";
  return "";
}

static bool hasDynamicDimension(const ::onnx::ValueInfoProto &value) {
  if (!value.type().tensor_type().has_shape())
    return true;
  return any_of(value.type().tensor_type().shape().dim(),
                [](const auto &dim) { return !dim.has_dim_value(); });
}

static bool isFloatTensor(const ::onnx::ValueInfoProto &value) {
  return value.type().has_tensor_type() &&
         value.type().tensor_type().elem_type() == ::onnx::TensorProto::FLOAT;
}

/// Graph inputs that are not initializers (old exporters list weights as
/// inputs too): the model's arguments, in order.
static SmallVector<const ::onnx::ValueInfoProto *>
getArguments(const ::onnx::GraphProto &graph) {
  StringSet<> initializers;
  for (const ::onnx::TensorProto &tensor : graph.initializer())
    initializers.insert(tensor.name());
  SmallVector<const ::onnx::ValueInfoProto *> arguments;
  for (const ::onnx::ValueInfoProto &input : graph.input())
    if (!initializers.contains(input.name()))
      arguments.push_back(&input);
  return arguments;
}

/// Counts the uses of each value name in `graph` and its subgraphs that read
/// its values: CastLike's second operand reads only the element type.
static void countValueUses(const ::onnx::GraphProto &graph,
                           StringMap<int> &uses) {
  for (const ::onnx::NodeProto &node : graph.node()) {
    bool castLike = node.op_type() == "CastLike" &&
                    (node.domain().empty() || node.domain() == "ai.onnx");
    for (auto [i, name] : enumerate(node.input()))
      if (!castLike || i != 1)
        ++uses[name];
    for (const ::onnx::AttributeProto &attribute : node.attribute()) {
      if (attribute.has_g())
        countValueUses(attribute.g(), uses);
      for (const ::onnx::GraphProto &subgraph : attribute.graphs())
        countValueUses(subgraph, uses);
    }
  }
  for (const ::onnx::ValueInfoProto &output : graph.output())
    ++uses[output.name()];
}

static Expected<::onnx::ModelProto> readModel(StringRef path,
                                              std::string *bytes = nullptr) {
  auto file = MemoryBuffer::getFile(path, /*IsText=*/false,
                                    /*RequiresNullTerminator=*/false);
  if (!file)
    return createStringError(path + ": " + file.getError().message());
  ::onnx::ModelProto model;
  StringRef buffer = (*file)->getBuffer();
  if (!model.ParseFromArray(buffer.data(), static_cast<int>(buffer.size())))
    return createStringError(path + ": not a serialized onnx.ModelProto");
  if (bytes)
    *bytes = buffer.str();
  return model;
}

Expected<TestCase> loadTestCase(StringRef directory) {
  TestCase test;
  test.directory = directory.str();
  SmallString<256> absolute(directory);
  sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
  StringRef name = sys::path::filename(absolute);
  test.category = sys::path::filename(sys::path::parent_path(absolute)).str();
  test.id = test.category + "/" + name.str();
  test.group = test.category;

  SmallString<256> mlirPath(directory);
  sys::path::append(mlirPath, "model.mlir");
  if (sys::fs::exists(mlirPath)) {
    test.isMlir = true;
    return test;
  }
  SmallString<256> modelPath(directory);
  sys::path::append(modelPath, "model.onnx");
  auto model = readModel(modelPath);
  if (!model)
    return model.takeError();
  const ::onnx::GraphProto &graph = model->graph();
  StringSet<> seen;
  collectOpTypes(graph, test.opTypes, seen, test.unsupportedReason);
  for (const ::onnx::ValueInfoProto *input : getArguments(graph))
    if (test.unsupportedReason.empty())
      test.unsupportedReason = getBufferlessReason(*input, "input");
  for (const ::onnx::ValueInfoProto &output : graph.output())
    if (test.unsupportedReason.empty())
      test.unsupportedReason = getBufferlessReason(output, "output");
  if (test.category == "node")
    test.group = test.opTypes.size() == 1 ? test.opTypes.front() : "(several ops)";
  StringMap<int> uses;
  countValueUses(graph, uses);
  for (const ::onnx::ValueInfoProto *input : getArguments(graph))
    test.typeOnlyArguments.push_back(!uses.lookup(input->name()));
  test.float32 = all_of(getArguments(graph),
                        [](auto *input) { return isFloatTensor(*input); }) &&
                 all_of(graph.output(), isFloatTensor);
  return test;
}

namespace {
struct DataSet {
  std::string name;
  SmallVector<TensorData> inputs, outputs;
};
} // namespace

/// test_data_set_0, test_data_set_1, ... with their input_K / output_K.
static Expected<std::vector<DataSet>> readDataSets(StringRef directory) {
  std::vector<DataSet> sets;
  for (int n = 0;; ++n) {
    SmallString<256> setPath(directory);
    sys::path::append(setPath, "test_data_set_" + std::to_string(n));
    if (!sys::fs::is_directory(setPath))
      break;
    DataSet set;
    set.name = sys::path::filename(setPath).str();
    for (StringRef kind : {"input", "output"}) {
      auto &tensors = kind == "input" ? set.inputs : set.outputs;
      for (int k = 0;; ++k) {
        SmallString<256> path(setPath);
        sys::path::append(path, kind + "_" + std::to_string(k) + ".pb");
        if (!sys::fs::exists(path))
          break;
        auto tensor = readTensorFile(path);
        if (!tensor)
          return tensor.takeError();
        tensors.push_back(std::move(*tensor));
      }
    }
    sets.push_back(std::move(set));
  }
  if (sets.empty())
    return createStringError(directory + ": no test_data_set_0");
  return sets;
}

static unsigned getByteWidth(mlir::Type type) {
  return (type.getIntOrFloatBitWidth() + 7) / 8;
}

/// Checks that `value`'s tensor type takes `tensor` at the C ABI.
static std::optional<std::string>
checkBuffer(mlir::Type type, const TensorData &tensor, StringRef what) {
  auto shaped = dyn_cast<mlir::RankedTensorType>(type);
  std::string message;
  raw_string_ostream os(message);
  if (!shaped || !shaped.hasStaticShape()) {
    os << what << " has type " << type << ", not a static tensor";
    return message;
  }
  if (!shaped.getElementType().isIntOrFloat() ||
      getByteWidth(shaped.getElementType()) !=
          getElementSize(tensor.dataType) ||
      shaped.getNumElements() != tensor.getNumElements() ||
      (shaped.getElementType().isFloat() != isFloatingPoint(tensor.dataType))) {
    os << what << " has type " << type << ", the test data "
       << getDataTypeName(tensor.dataType) << " [";
    interleave(tensor.dims, os, "x");
    os << "]";
    return message;
  }
  return std::nullopt;
}

TestResult runTestCase(const TestCase &test) {
  auto fail = [](const Twine &message) {
    TestResult failure;
    failure.message = message.str();
    return failure;
  };
  auto sets = readDataSets(test.directory);
  if (!sets)
    return fail(toString(sets.takeError()));

  mlir::DialectRegistry registry;
  onnx_import::registerOnnxImportDialects(registry);
  registerJitDialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  context.loadAllAvailableDialects();

  std::string diagnostics;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  onnx_import::ImportStatus importStatus = onnx_import::ImportStatus::Error;
  {
    mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
      raw_string_ostream os(diagnostics);
      os << d.getLocation() << ": " << d << "\n";
      return mlir::success();
    });
    if (test.isMlir) {
      SmallString<256> path(test.directory);
      sys::path::append(path, "model.mlir");
      module = mlir::parseSourceFile<mlir::ModuleOp>(path.str(), &context);
    } else {
      SmallString<256> path(test.directory);
      sys::path::append(path, "model.onnx");
      std::string bytes;
      auto model = readModel(path, &bytes);
      if (!model)
        return fail(toString(model.takeError()));
      onnx_import::ImportOptions options;
      auto arguments = getArguments(model->graph());
      // Fix only the dimensions the model leaves open: the test data of a
      // few tests disagrees with static shapes, which then fails below.
      for (auto [argument, tensor] : zip(arguments, sets->front().inputs))
        if (hasDynamicDimension(*argument))
          options.inputShapes[argument->name()] = tensor.dims;
      module = onnx_import::importOnnxBytes(context, bytes, test.directory,
                                            options, &importStatus);
    }
  }
  if (!module) {
    TestResult result;
    result.status = importStatus == onnx_import::ImportStatus::Unsupported
                        ? Status::Unsupported
                        : Status::Failed;
    result.message = "import: " + StringRef(diagnostics).rtrim().str();
    return result;
  }

  auto function = module->lookupSymbol<mlir::func::FuncOp>("main");
  if (!function)
    return fail("the module has no func.func @main");
  mlir::FunctionType type = function.getFunctionType();
  for (DataSet &set : *sets) {
    // The data of bf16 tensors is stored as UINT16 (numpy has no bf16).
    auto retype = [](mlir::Type type, TensorData &tensor) {
      auto shaped = dyn_cast<mlir::RankedTensorType>(type);
      if (shaped && shaped.getElementType().isBF16() &&
          tensor.dataType == ::onnx::TensorProto::UINT16)
        tensor.dataType = ::onnx::TensorProto::BFLOAT16;
    };
    for (auto [input, tensor] : zip(type.getInputs(), set.inputs))
      retype(input, tensor);
    for (auto [result, tensor] : zip(type.getResults(), set.outputs))
      retype(result, tensor);
    if (set.inputs.size() != type.getNumInputs() ||
        set.outputs.size() != type.getNumResults())
      return fail(set.name + ": " + Twine(set.inputs.size()) + " inputs and " +
                  Twine(set.outputs.size()) + " outputs, @main takes " +
                  Twine(type.getNumInputs()) + " and returns " +
                  Twine(type.getNumResults()));
    for (auto [k, input] : enumerate(set.inputs)) {
      // ONNX 1.12's CastLike data gives `target_type` one element where the
      // graph declares 3x4: an argument whose values nothing reads becomes a
      // zero buffer of the declared shape.
      auto shaped = dyn_cast<mlir::RankedTensorType>(type.getInput(k));
      if (k < test.typeOnlyArguments.size() && test.typeOnlyArguments[k] &&
          shaped && shaped.hasStaticShape() &&
          shaped.getElementType().isIntOrFloat() &&
          getByteWidth(shaped.getElementType()) ==
              getElementSize(input.dataType)) {
        input.dims.assign(shaped.getShape().begin(), shaped.getShape().end());
        input.bytes.assign(
            shaped.getNumElements() * getElementSize(input.dataType), 0);
      }
      if (auto error = checkBuffer(type.getInput(k), input,
                                   "input " + std::to_string(k)))
        return fail(set.name + ": " + *error);
    }
    for (auto [k, output] : enumerate(set.outputs))
      if (auto error = checkBuffer(type.getResult(k), output,
                                   "output " + std::to_string(k)))
        return fail(set.name + ": " + *error);
  }

  // Serial kernels: the tests run one per process, several processes at once.
  JitOptions jitOptions;
  jitOptions.threads = false;
  std::string error;
  auto jit = compileForHost(std::move(module), error, jitOptions);
  if (mlir::failed(jit))
    return fail("compile: " + StringRef(error).rtrim());
  void *entry = (*jit)->lookup("lowbit_main");
  if (!entry)
    return fail("compile: no symbol lowbit_main");

  for (DataSet &set : *sets) {
    SmallVector<std::vector<uint8_t>> outputs;
    SmallVector<void *> args;
    for (TensorData &input : set.inputs)
      args.push_back(input.bytes.data());
    // A pattern no test expects, so an output the model never writes fails.
    for (const TensorData &want : set.outputs)
      outputs.emplace_back(std::max<size_t>(want.bytes.size(), 1), 0xA5);
    for (auto &output : outputs)
      args.push_back(output.data());
    std::optional<int> status = callEntryPoint(entry, args);
    if (!status)
      return fail("lowbit_main takes " + Twine(args.size()) +
                  " pointers, more than the runner's limit of " +
                  Twine(kMaxEntryPointArgs));
    if (*status != 0)
      return fail(set.name + ": lowbit_main returned " + Twine(*status));
    for (auto [k, want] : enumerate(set.outputs)) {
      Tolerance tolerance = getTolerance(
          test.opTypes.size() == 1 ? StringRef(test.opTypes.front()) : "",
          test.id, want.dataType);
      if (auto mismatch = compareTensor(want, outputs[k].data(), tolerance))
        return fail(set.name + " output " + Twine(k) + ": " + *mismatch);
    }
  }
  TestResult passed;
  passed.status = Status::Passed;
  return passed;
}

} // namespace lowbit::onnx_conformance

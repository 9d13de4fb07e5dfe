//===- TestCase.h - one ONNX backend test: classify and run -----*- C++ -*-===//
//
// A test directory holds `model.onnx` (or, for the runner's own tests, a
// hand-written `model.mlir` with `func.func @main`) and `test_data_set_N/`
// directories of `input_K.pb` / `output_K.pb`. runTestCase imports the model
// (input shapes fixed from test_data_set_0), compiles it for the host with the
// JIT (lowbitc's lowering pipeline, fp32, serial kernels), calls
// `lowbit_main` on every data set and compares every output.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_ONNXCONFORMANCE_TESTCASE_H
#define LOWBIT_TOOLS_ONNXCONFORMANCE_TESTCASE_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace lowbit::onnx_conformance {

struct TestCase {
  std::string directory;
  /// "node/test_abs": the category (the parent directory) and the test.
  std::string id;
  std::string category;
  /// The row of the table: a node test's single op type (or "(several ops)"
  /// when its graph has several ops); the category for other tests.
  std::string group;
  /// Op types of every node, nested graphs included, deduplicated.
  llvm::SmallVector<std::string> opTypes;
  /// Every graph input and output is a FLOAT tensor.
  bool float32 = false;
  /// Why the importer cannot take the model (an op isSupportedOnnxOp
  /// rejects), or empty.
  std::string unsupportedReason;
  bool isMlir = false;
  /// Per argument: the model reads at most its element type (no use, or
  /// only as CastLike's `target_type`), so its data's shape does not matter.
  llvm::SmallVector<bool> typeOnlyArguments;
};

enum class Status { Passed, Failed, Unsupported };

struct TestResult {
  Status status = Status::Failed;
  std::string message;
};

/// Reads the model of the test in `directory` (its graph, not the weights'
/// meaning) and classifies it.
llvm::Expected<TestCase> loadTestCase(llvm::StringRef directory);

/// Imports, compiles and runs the test; every failure is a message.
TestResult runTestCase(const TestCase &test);

} // namespace lowbit::onnx_conformance

#endif // LOWBIT_TOOLS_ONNXCONFORMANCE_TESTCASE_H

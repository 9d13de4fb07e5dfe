//===- lowbit-fuzz-onnx.cpp - fuzz the ONNX importer ----------------------===//
//
// A libFuzzer target: imports its input as a binary ONNX ModelProto
// (importOnnxBytes, what `lowbitc model.onnx` runs after reading the file).
// An import either gives a module that verifies, or ends with at least one
// error whose location is not unknown (a node's name, or the model); the
// ImportStatus agrees with the outcome. Crashes, sanitizer reports, aborts
// (an exception ONNX throws outside OnnxModel.cpp's handlers) and timeouts
// are findings. External data resolves against a directory that does not
// exist, so no input reads a file. See utils/fuzz.sh.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Import/Onnx.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <cstdint>
#include <cstdlib>

using namespace mlir;

namespace {

/// Larger models are skipped: mutations of small ones find more per second
/// (the checked-in seeds are at most ~140 KiB).
constexpr size_t kMaxInputBytes = 256 * 1024;

DialectRegistry *registry;

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  registry = new DialectRegistry();
  lowbit::onnx_import::registerOnnxImportDialects(*registry);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > kMaxInputBytes)
    return 0;
  MLIRContext context(*registry);
  context.disableMultithreading();
  bool sawError = false, sawUnknownLoc = false;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    if (diagnostic.getSeverity() == DiagnosticSeverity::Error) {
      sawError = true;
      sawUnknownLoc |= isa<UnknownLoc>(diagnostic.getLocation());
    }
    return success();
  });
  lowbit::onnx_import::ImportStatus status;
  OwningOpRef<ModuleOp> module = lowbit::onnx_import::importOnnxBytes(
      context, StringRef(reinterpret_cast<const char *>(data), size),
      "/nonexistent/lowbit-fuzz-onnx", {}, &status);
  if (module) {
    if (status != lowbit::onnx_import::ImportStatus::Success ||
        failed(verify(*module)))
      std::abort();
    return 0;
  }
  // Failing is fine, silently or without a location is not.
  if (!sawError || sawUnknownLoc ||
      status == lowbit::onnx_import::ImportStatus::Success)
    std::abort();
  return 0;
}

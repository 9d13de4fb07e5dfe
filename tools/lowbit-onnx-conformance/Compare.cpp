//===- Compare.cpp - element-wise comparison with ONNX tolerances ---------===//

#include "Compare.h"

#include "onnx/onnx_pb.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <vector>

using namespace llvm;

namespace lowbit::onnx_conformance {

namespace {
/// Per-op tolerances wider than the default, each with the reason.
struct ToleranceOverride {
  StringRef opType;
  Tolerance tolerance;
  StringRef reason;
};
} // namespace

// None so far: every supported op's tests pass at the default tolerance.
static const std::vector<ToleranceOverride> kOverrides = {};

Tolerance getTolerance(StringRef opType, StringRef testName, int dataType) {
  Tolerance tolerance;
  // A conversion's element is one rounding of one input: exact, so that a
  // different rounding (bf16's truncation) shows.
  if (opType == "Cast" || opType == "CastLike")
    return {0, 0};
  // One rounding unit of the storage type, not of f32.
  if (dataType == ::onnx::TensorProto::FLOAT16)
    tolerance = {1.0 / 1024, 1e-3};
  else if (dataType == ::onnx::TensorProto::BFLOAT16)
    tolerance = {1.0 / 128, 1e-2};
  for (const ToleranceOverride &entry : kOverrides)
    if (entry.opType == opType) {
      tolerance.rtol = std::max(tolerance.rtol, entry.tolerance.rtol);
      tolerance.atol = std::max(tolerance.atol, entry.tolerance.atol);
    }
  (void)testName;
  return tolerance;
}

static bool floatsMatch(double want, double got, const Tolerance &tolerance) {
  if (std::isnan(want) || std::isnan(got))
    return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got))
    return want == got;
  return std::fabs(got - want) <=
         tolerance.atol + tolerance.rtol * std::fabs(want);
}

std::optional<std::string> compareTensor(const TensorData &want,
                                         const uint8_t *got,
                                         const Tolerance &tolerance) {
  int64_t count = want.getNumElements();
  unsigned size = getElementSize(want.dataType);
  bool isFloat = isFloatingPoint(want.dataType);
  int64_t first = -1, mismatches = 0;
  for (int64_t i = 0; i < count; ++i) {
    bool match;
    if (isFloat)
      match =
          floatsMatch(getElementAsDouble(want.dataType, want.bytes.data(), i),
                      getElementAsDouble(want.dataType, got, i), tolerance);
    else if (want.dataType == ::onnx::TensorProto::BOOL)
      match = (want.bytes[i] != 0) == (got[i] != 0);
    else
      match =
          std::memcmp(want.bytes.data() + i * size, got + i * size, size) == 0;
    if (match)
      continue;
    if (first < 0)
      first = i;
    ++mismatches;
  }
  if (first < 0)
    return std::nullopt;
  std::string message;
  raw_string_ostream os(message);
  os << "first mismatch at index " << first << ": got "
     << format("%.9g", getElementAsDouble(want.dataType, got, first))
     << ", want "
     << format("%.9g",
               getElementAsDouble(want.dataType, want.bytes.data(), first))
     << " (" << mismatches << " of " << count << " elements differ";
  if (isFloat)
    os << format("; rtol %g, atol %g", tolerance.rtol, tolerance.atol);
  os << ")";
  return message;
}

} // namespace lowbit::onnx_conformance

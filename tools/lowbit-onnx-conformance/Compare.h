//===- Compare.h - element-wise comparison with ONNX tolerances -*- C++ -*-===//
//
// An output element passes when |got - want| <= atol + rtol * |want|
// (rtol 1e-4, atol 1e-5 for f32/f64; wider for f16/bf16, whose rounding
// unit is larger), NaN matches only NaN, infinities only themselves; integer
// and bool outputs must be equal bit for bit. Ops whose specification allows
// more get an override from a table with the reason (Compare.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_ONNXCONFORMANCE_COMPARE_H
#define LOWBIT_TOOLS_ONNXCONFORMANCE_COMPARE_H

#include "TensorData.h"

#include <optional>
#include <string>

namespace lowbit::onnx_conformance {

struct Tolerance {
  double rtol = 1e-4;
  double atol = 1e-5;
};

/// The tolerance for a floating-point output of `dataType` in a test whose
/// op (node tests) or name is `opType` / `testName`.
Tolerance getTolerance(llvm::StringRef opType, llvm::StringRef testName,
                       int dataType);

/// Compares `got` (a buffer of want's type and element count) with `want`.
/// Returns a message naming the first mismatching flat index and both
/// values, and how many elements differ, or nullopt when all match.
std::optional<std::string> compareTensor(const TensorData &want,
                                         const uint8_t *got,
                                         const Tolerance &tolerance);

} // namespace lowbit::onnx_conformance

#endif // LOWBIT_TOOLS_ONNXCONFORMANCE_COMPARE_H

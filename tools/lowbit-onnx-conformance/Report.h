//===- Report.h - the conformance table and the xfail check -----*- C++ -*-===//

#ifndef LOWBIT_TOOLS_ONNXCONFORMANCE_REPORT_H
#define LOWBIT_TOOLS_ONNXCONFORMANCE_REPORT_H

#include "TestCase.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <vector>

namespace lowbit::onnx_conformance {

struct Outcome {
  TestCase test;
  TestResult result;
};

/// Rows per op type (node tests) or per category (the others), totals per
/// category and overall, and the pass rate of the float32 node tests whose
/// ops are all supported.
void printTable(llvm::ArrayRef<Outcome> outcomes, llvm::raw_ostream &os);

/// Every outcome of `status` with its message, one per line.
void printOutcomes(llvm::ArrayRef<Outcome> outcomes, Status status,
                   llvm::raw_ostream &os);

/// How many unsupported tests each reason accounts for, most first: which
/// op would unlock the most tests.
void printUnsupportedReasons(llvm::ArrayRef<Outcome> outcomes,
                             llvm::raw_ostream &os);

/// Test id -> reason, from a file of `category/test reason...` lines
/// (`#` starts a comment).
llvm::Expected<llvm::StringMap<std::string>>
readExpectedFailures(llvm::StringRef path);

/// Reports every failure not listed in `expected` and every listed test that
/// ran and did not fail (it passes, or is unsupported now). Returns the count.
unsigned checkExpectedFailures(llvm::ArrayRef<Outcome> outcomes,
                               const llvm::StringMap<std::string> &expected,
                               llvm::raw_ostream &os);

} // namespace lowbit::onnx_conformance

#endif // LOWBIT_TOOLS_ONNXCONFORMANCE_REPORT_H

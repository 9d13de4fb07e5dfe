//===- Json.h - JSON helpers of the calibration library ---------*- C++ -*-===//
//
// Private to the calibration library: what the statistics file
// (StatisticsJson.cpp) and the vocabulary reader (Samples.cpp) share.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_CALIBRATION_JSON_H
#define LOWBIT_LIB_CALIBRATION_JSON_H

#include "mlir/Support/LLVM.h"

#include <string>

namespace lowbit::detail {

/// Fails when `text` nests arrays and objects deeper than `limit` (the JSON
/// parser recurses once per level), with the position of the first level
/// too deep in `error`.
llvm::LogicalResult checkJsonDepth(llvm::StringRef text, unsigned limit,
                                   std::string &error);

} // namespace lowbit::detail

#endif // LOWBIT_LIB_CALIBRATION_JSON_H

//===- Passes.h - lowbit conversion passes ----------------------*- C++ -*-===//

#ifndef LOWBIT_CONVERSION_PASSES_H
#define LOWBIT_CONVERSION_PASSES_H

#include "lowbit/Conversion/LowbitToLinalg/LowbitToLinalg.h"

#include "mlir/Pass/Pass.h"

namespace lowbit {

#define GEN_PASS_DECL
#include "lowbit/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lowbit/Conversion/Passes.h.inc"

} // namespace lowbit

#endif // LOWBIT_CONVERSION_PASSES_H

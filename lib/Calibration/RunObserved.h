//===- RunObserved.h - run a model, read its observed tensors ---*- C++ -*-===//
//
// Private to the calibration library: the part of the runner that both
// activation statistics (Calibrate.cpp) and layer input statistics
// (LayerStatistics.cpp) use.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_CALIBRATION_RUNOBSERVED_H
#define LOWBIT_LIB_CALIBRATION_RUNOBSERVED_H

#include "lowbit/Calibration/Calibrate.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace lowbit::detail {

/// The public function `name` (or the only one when empty) of `module`,
/// which must take one static f32 or i32 tensor; fails with a message.
mlir::FailureOr<mlir::func::FuncOp>
findEntry(mlir::ModuleOp module, llvm::StringRef name, std::string &error);

/// The observers of `func` in id order; fails for duplicate ids and
/// tensors that are not static f32 of rank >= 1.
mlir::FailureOr<llvm::SmallVector<ObserveOp>>
sortedObservers(mlir::func::FuncOp func, std::string &error);

/// Compiles a variant of `entry` (a public function of `module` taking one
/// f32 or i32 tensor) that also returns every `lowbit.observe`'d tensor,
/// flattened into one f32 buffer in id order, and runs it over every sample
/// `passes` times: `startPass(p)` before pass p, `visit(p, buffer)` after
/// each sample. `module` is not changed. Fails with a message when the
/// observers are invalid, the samples do not fit the input (token ids for i32
/// inputs), or the model cannot be compiled or fails.
mlir::LogicalResult runObserved(
    mlir::ModuleOp module, mlir::func::FuncOp entry, SampleSource &samples,
    const JitOptions &jitOptions, int passes,
    llvm::function_ref<void(int pass)> startPass,
    llvm::function_ref<void(int pass, llvm::ArrayRef<float> observed)> visit,
    std::string &error);

} // namespace lowbit::detail

#endif // LOWBIT_LIB_CALIBRATION_RUNOBSERVED_H

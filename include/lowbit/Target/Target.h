//===- Target.h - object code and C headers from lowered modules -*- C++ -*-===//
//
// The last steps of compilation: pick an LLVM TargetMachine for an explicit
// triple, CPU and feature list (never more than the CPU has), translate an
// LLVM-dialect module to LLVM IR, optimize it, and emit an object file or
// assembly; and write the C header that declares the exported entry points.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_TARGET_H
#define LOWBIT_TARGET_TARGET_H

#include "lowbit/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lowbit {

/// What to compile for. `cpu` may be `native` (the host CPU and the features
/// it reports); `features` is an LLVM feature string such as "+avx2,-fma".
struct TargetOptions {
  std::string triple = "x86_64-linux-gnu";
  std::string cpu;      ///< empty: the triple's baseline (x86-64, generic)
  std::string features; ///< added to / removed from the CPU's features
  unsigned optLevel = 3;
};

/// Creates the TargetMachine, or describes what is wrong with the options
/// (unknown triple, CPU or feature) in `error`.
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const TargetOptions &options, std::string &error);

/// The lowering choices `machine`'s CPU allows: int8-dot=avx512-vnni with
/// AVX512-VNNI and AVX512-VL, arm-dotprod with +dotprod, i8mm on AArch64
/// with +i8mm; generic code otherwise.
LowerToLLVMOptions getLowerToLLVMOptions(const llvm::TargetMachine &machine);

enum class EmitKind { Object, Assembly, LLVMIR };

/// Translates `module` (LLVM dialect only) to LLVM IR for `machine`, runs the
/// LLVM optimization pipeline and writes the requested form to `os`.
llvm::LogicalResult emitModule(mlir::ModuleOp module,
                               llvm::TargetMachine &machine, EmitKind kind,
                               unsigned optLevel, llvm::raw_pwrite_stream &os);

/// The bytes of constant data (weights and their parameters) in a module
/// lowered to the LLVM dialect: the sizes of its constant globals.
uint64_t getConstantBytes(mlir::ModuleOp module);

/// A C entry point of a compiled model: `PREFIX_NAME` for the tensor-level
/// function `@NAME` of type `type`, and the size of its workspace once the
/// lowering has planned it (lowbit-plan-workspace).
struct CEntryPoint {
  std::string function; ///< the model's function, without '@'
  std::string name;
  mlir::FunctionType type;
  std::optional<int64_t> workspaceBytes;
  /// With external weights (lowbit-externalize-constants): the weights
  /// file's size; every form then takes `const void *weights` first.
  std::optional<int64_t> weightsBytes;
};

/// The entry points that `lowbit-export-c-interface` will make for the
/// public functions of `module` (before lowering). Fails with a diagnostic
/// at the function for a name or type C cannot declare.
llvm::FailureOr<std::vector<CEntryPoint>>
getCEntryPoints(mlir::ModuleOp module, llvm::StringRef prefix);

/// Reads the workspace sizes that lowbit-plan-workspace recorded on the
/// lowered `module` into `entryPoints`.
void setWorkspaceSizes(mlir::ModuleOp module,
                       llvm::MutableArrayRef<CEntryPoint> entryPoints);

/// Reads the weights file's size that lowbit-externalize-constants recorded
/// on the lowered `module` into `entryPoints` (nothing if it did not run).
void setWeightsSizes(mlir::ModuleOp module,
                     llvm::MutableArrayRef<CEntryPoint> entryPoints);

/// The size of the weights file of a module lowered with external weights.
std::optional<uint64_t> getExternalWeightsSize(mlir::ModuleOp module);

/// Writes the weights file (lowbit/Numerics/WeightsFile.h) of a module
/// lowered with external weights.
llvm::LogicalResult writeWeightsFile(mlir::ModuleOp module,
                                     llvm::raw_ostream &os);

/// Writes a C header declaring `int NAME(const T *in0, ..., T *out0)` for
/// every entry point, with the shapes as macros, and, where the workspace is
/// known, `size_t NAME_workspace_size(void)` and
/// `int NAME_with_workspace(..., void *workspace)`; with external weights,
/// `const void *weights` first in both, `size_t NAME_weights_size(void)` and
/// `int NAME_check_weights(const void *weights, size_t size)`. `guard` names
/// the include guard.
void emitCHeader(llvm::ArrayRef<CEntryPoint> entryPoints, llvm::StringRef guard,
                 llvm::raw_ostream &os);

} // namespace lowbit

#endif // LOWBIT_TARGET_TARGET_H

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
#include <string>

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

/// Writes a C header declaring `int PREFIX_NAME(const T *in0, ..., T *out0)`
/// for every public tensor function of `module` (before lowering), with the
/// shapes as macros. `guard` names the include guard.
llvm::LogicalResult emitCHeader(mlir::ModuleOp module, llvm::StringRef prefix,
                                llvm::StringRef guard, llvm::raw_ostream &os);

} // namespace lowbit

#endif // LOWBIT_TARGET_TARGET_H

//===- Jit.h - compile lowbit kernels in process for the host ---*- C++ -*-===//
//
// A small JIT for tests and benchmarks: parse a tensor-level module, lower it
// with the same `lowbit-lower-to-llvm` pipeline lowbitc uses, optimize it at
// O3 for the host CPU and its features (the same TargetMachine options as
// `lowbitc --mcpu=native`), and hand out raw entry-point addresses. Large
// kernels run on OpenMP threads as in lowbitc's objects: the engine loads
// LLVM's libomp for them.
//
// Every public `func.func @NAME` with static tensor arguments and results is
// exported by the pipeline as
//
//   int lowbit_NAME(const T0 *in0, ..., T *out0)   // bare pointers, returns 0
//
// so a caller casts lookup("lowbit_NAME") to that C function type:
//
//   std::string error;
//   auto jit = lowbit::compileForHost(context, source, error);
//   if (failed(jit)) ...;
//   using Gemv = int(const float *, const int8_t *, const uint16_t *, float *);
//   auto *gemv = (*jit)->lookupAs<Gemv>("lowbit_gemv");
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_JIT_H
#define LOWBIT_TARGET_JIT_H

#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/Quantize.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/LogicalResult.h"

#include <memory>
#include <string>

namespace mlir {
class DialectRegistry;
class ExecutionEngine;
} // namespace mlir

namespace lowbit {

struct JitOptions {
  /// `native` = the host CPU and every feature it reports; otherwise an LLVM
  /// CPU name for the host's architecture.
  std::string cpu = "native";
  /// Features added to / removed from the CPU's, e.g. "-avx512f".
  std::string features;
  /// Integer dot products (lowbit-vectorize-matmul's int8-dot): "host" picks
  /// what the CPU has, as lowbitc does (getLowerToLLVMOptions); or generic,
  /// avx512-vnni, arm-dotprod (the CPU must have the instructions).
  std::string int8Dot = "host";
  /// bf16 dot products of matmuls with bf16 activations: "host" as lowbitc
  /// picks them, or none (f32 multiply-adds), avx512-bf16.
  std::string bf16Dot = "host";
  /// LLVM IR optimization and code generation level (0-3).
  unsigned optLevel = 3;
  /// Split large kernels across threads as lowbitc does (--threading=omp):
  /// the engine loads LLVM's OpenMP runtime for their `__kmpc_*` calls, and
  /// omp_set_num_threads / OMP_NUM_THREADS choose the thread count. Serial
  /// code when false, or when the build found no libomp
  /// (getJitOpenMPRuntime() is empty).
  bool threads = true;
  /// Register the code with LLVM's perf JIT listener (for `perf record -k 1`
  /// + `perf inject --jit`); needs an LLVM built with perf support.
  bool enablePerfListener = false;
  /// When set, the constants go to a weights file (lowbitc
  /// --weights=external) whose bytes are stored here; every entry point then
  /// takes them (64-byte aligned) as its first argument.
  std::string *externalWeights = nullptr;
};

/// A compiled module. Entry points stay valid while the JitModule lives.
class JitModule {
public:
  explicit JitModule(std::unique_ptr<mlir::ExecutionEngine> engine);
  ~JitModule();
  JitModule(const JitModule &) = delete;
  JitModule &operator=(const JitModule &) = delete;

  /// The address of symbol `name` (e.g. "lowbit_gemv"), or null if the module
  /// has no such symbol.
  void *lookup(llvm::StringRef name) const;

  /// lookup() cast to a function type, e.g.
  /// lookupAs<int(const float *, float *)>("lowbit_f").
  template <typename FunctionType>
  FunctionType *lookupAs(llvm::StringRef name) const {
    return reinterpret_cast<FunctionType *>(lookup(name));
  }

private:
  std::unique_ptr<mlir::ExecutionEngine> engine;
};

/// Adds what compileForHost needs to `registry`: every upstream dialect and
/// extension, the lowbit dialect, and the LLVM IR translations. compileForHost
/// appends this registry to its context itself; this is for callers that
/// build their own context up front.
void registerJitDialects(mlir::DialectRegistry &registry);

/// The OpenMP runtime (libomp.so) the JIT loads for parallel kernels, or
/// empty if the build found none.
llvm::StringRef getJitOpenMPRuntime();

/// Parses `mlirSource` (a tensor-level module: lowbit, func, arith, tensor,
/// linalg, ...) into `context`, runs lowbit::buildLowerToLLVMPipeline, and
/// JIT-compiles the result for the host. On failure returns failure() and puts
/// a message in `error` (including the MLIR diagnostics).
///
/// Registers the upstream, lowbit and lowbit conversion passes with the
/// global pass registry on first use (so the textual pipeline resolves).
/// Not thread-safe with respect to other uses of the same context.
mlir::FailureOr<std::unique_ptr<JitModule>>
compileForHost(mlir::MLIRContext &context, llvm::StringRef mlirSource,
               std::string &error, const JitOptions &options = {});

/// The same for a module already in memory (e.g. a model quantized in
/// process); it is lowered in place and owned by the result.
mlir::FailureOr<std::unique_ptr<JitModule>>
compileForHost(mlir::OwningOpRef<mlir::ModuleOp> module, std::string &error,
               const JitOptions &options = {});

} // namespace lowbit

namespace lowbit {

/// One `lowbit.matmul` kernel as a function over its operands, for tests and
/// benchmarks that pack weights themselves with the numerics library.
struct MatmulKernelSpec {
  std::string name;              ///< the function; exported as lowbit_NAME
  numerics::Scheme scheme;       ///< paramStorage picks f16 or f32 params
  numerics::Granularity granularity;
  numerics::PackFormat format;
  int64_t m = 1, n = 1, k = 1;
  bool bias = false;
  bool dynamicInt8Activations = false;
  bool bf16Activations = false; ///< activation_type = bf16
};

/// The source of `func.func @NAME(%x: [M, K] f32, %p: packed [N, units],
/// %s: scales [, %z: i32 zero points | %mn: mins] [, %b: bias [N]])
/// -> [M, N] f32` computing the spec's lowbit.matmul. Empty when the scheme
/// or format is invalid.
std::string getMatmulKernelSource(mlir::MLIRContext &context,
                                  const MatmulKernelSpec &spec);

} // namespace lowbit

#endif // LOWBIT_TARGET_JIT_H

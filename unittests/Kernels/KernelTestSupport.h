//===- KernelTestSupport.h - shared parts of the kernel gtests --*- C++ -*-===//
//
// The cases, shapes, random weights (quantized with numerics::quantizeTensor
// and packed with numerics::packRow / packPanels), the C entry-point call and
// the reference-plus-tolerance checks that the kernel gtests share. Each test
// file checks one kind of kernel (weight-only, bf16, dynamic int8, fused
// epilogues, threads) against the numerics reference with these.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_UNITTESTS_KERNELS_KERNELTESTSUPPORT_H
#define LOWBIT_UNITTESTS_KERNELS_KERNELTESTSUPPORT_H

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Numerics/Float16.h"
#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/Presets.h"
#include "lowbit/Numerics/Quantize.h"
#include "lowbit/Numerics/Reference.h"
#include "lowbit/Target/Jit.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace lowbit::kernel_test {

using mlir::MLIRContext;
namespace nx = lowbit::numerics;

/// The unit roundoff of f32, in the tolerances.
constexpr double u = 0x1p-24;

struct KernelCase {
  std::string name;
  nx::Scheme scheme;
  nx::Granularity granularity;
  nx::PackFormat format;
  /// Whether lowbit-vectorize-matmul takes it (else the generic lowering).
  bool vectorized;
};

struct Shape {
  int64_t m, n, k;
  bool bias;

  std::string name() const {
    return llvm::formatv("mm_{0}_{1}_{2}{3}", m, n, k, bias ? "_bias" : "");
  }
};

/// A quantized, packed [N, K] weight and what the kernel and the reference
/// need of it.
struct Weight {
  nx::QuantizedTensor quantized;
  std::vector<float> dequantized; ///< the reference weights
  std::vector<uint8_t> bytes;     ///< packed rows (byte layouts)
  std::vector<uint32_t> words;    ///< packed rows (word layouts)
  std::vector<uint16_t> halfScales, halfMins;
  std::vector<float> bias;
  /// Per element: a bound on the magnitude of the terms the kernel may
  /// dequantize with (see the tolerance below).
  std::vector<double> termMagnitude;

  void *packed() { return bytes.empty() ? (void *)words.data() : bytes.data(); }
};

nx::Scheme makeScheme(unsigned bits, bool isSigned, nx::ParamForm form,
                      nx::ParamStorage storage);

nx::PackFormat makeFormat(nx::PackKind kind, int64_t block);

std::vector<KernelCase> getKernelCases();

bool isWordFormat(const nx::PackFormat &format);

std::string kernelFunction(MLIRContext &context, const KernelCase &c,
                           const Shape &s, bool dynamicInt8 = false,
                           bool bf16 = false);

/// Activations uniform in [-1, 1).
std::vector<float> makeActivations(int64_t count, std::mt19937 &rng);

Weight makeWeight(const KernelCase &c, int64_t n, int64_t k, std::mt19937 &rng);

int callKernel(void *function, llvm::ArrayRef<void *> a);

std::vector<Shape> getShapes();

/// Rows long enough (K = 1153, 1409: odd, partial groups) that a single
/// activation row's segment loop runs several unrolled iterations, then
/// leftover whole segments and a partial one: M = 1 (N = 1, 5, 17) and the
/// single rows after row tiles (M = 4, 9).
std::vector<Shape> getLongRowShapes();

/// The arguments of kernel `s` of case `c`: x, the packed weight, its
/// parameters, the bias, the output.
std::vector<void *> kernelArguments(const KernelCase &c, const Shape &s,
                                    std::vector<float> &x, Weight &w,
                                    std::vector<float> &out);

/// Runs the kernel of `s` in `jit` on random activations `x` (in [-1, 1])
/// into `out` (NaN first).
void runKernel(const JitModule &jit, const KernelCase &c, const Shape &s,
               Weight &w, std::mt19937 &rng, std::vector<float> &x,
               std::vector<float> &out);

/// The weight-only tolerance (KernelTestSupport.cpp) for out[i, j], and sum |x
/// w^| + |b| in `magnitude`.
double weightOnlyTolerance(const Shape &s, llvm::ArrayRef<float> x,
                           const Weight &w, int64_t i, int64_t j,
                           double &magnitude);

/// numerics::referenceMatmul in double, rounded to f32.
std::vector<float> weightOnlyReference(const Shape &s, llvm::ArrayRef<float> x,
                                       const Weight &w);

void checkWeightOnly(const Shape &s, llvm::ArrayRef<float> x, const Weight &w,
                     llvm::ArrayRef<float> out, double &worstRatio,
                     double &worstRelative);

/// Groups of the dynamic int8 case `c` (0: one scale per row).
int64_t dynamicGroupSize(const KernelCase &c);

/// The layouts whose dynamic int8 kernels take any scheme (unsigned codes,
/// offsets and mins against per-group activation sums).
bool isSubFourBit(const nx::PackFormat &format);

std::vector<float> subFourBitDynamicReference(const KernelCase &c,
                                              const Shape &s,
                                              llvm::ArrayRef<float> x,
                                              const Weight &w,
                                              std::vector<double> &tolerances);

/// numerics::referenceMatmulDynamicInt8 (or its sub-4-bit form) for `s`, and
/// in `tolerances` the bound (KernelTestSupport.cpp) for every output.
std::vector<float> dynamicInt8Reference(const KernelCase &c, const Shape &s,
                                        llvm::ArrayRef<float> x,
                                        const Weight &w,
                                        std::vector<double> &tolerances);

void checkDynamicInt8(const KernelCase &c, const Shape &s,
                      llvm::ArrayRef<float> x, const Weight &w,
                      llvm::ArrayRef<float> out, double &worstRatio);

} // namespace lowbit::kernel_test

#endif // LOWBIT_UNITTESTS_KERNELS_KERNELTESTSUPPORT_H

// Ops the lowering cannot take to LLVM are named at their source location,
// with a non-zero exit; no object is written. (math.erf has an f32
// approximation, see lowbit-approximate-math, but none in f64.)
// RUN: rm -f %t.o
// RUN: not lowbitc %s -o %t.o 2>&1 | FileCheck %s
// RUN: not test -e %t.o

// CHECK: unsupported.mlir:[[@LINE+3]]:8: error: 'math.erf' cannot be compiled: lowbitc has no lowering for it
// CHECK-NOT: unrealized_conversion_cast
func.func @erf(%x: tensor<4xf64>) -> tensor<4xf64> {
  %y = math.erf %x : tensor<4xf64>
  return %y : tensor<4xf64>
}

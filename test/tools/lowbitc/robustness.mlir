// Inputs that used to crash or exhaust memory are located errors at every
// preset: a tensor with a zero-sized dimension, a splat declaring 16 GiB.
// RUN: not lowbitc %s -o %t.o 2>&1 | FileCheck %s
// RUN: not lowbitc %s --quantize=w4g32 -o %t.o 2>&1 | FileCheck %s --check-prefixes=CHECK,QUANTIZE
// RUN: not lowbitc %s --quantize=c11g128 -o %t.o 2>&1 | FileCheck %s --check-prefixes=CHECK,QUANTIZE
// RUN: not lowbitc %s --quantize=w8a8-dynamic -o %t.o 2>&1 | FileCheck %s --check-prefixes=CHECK,QUANTIZE

// QUANTIZE: remark: weight left in float: weight '{{.*}}' has no elements (a 0x8 tensor)
// CHECK: robustness.mlir:[[@LINE+6]]:8: error: 'linalg.matmul' op has an operand of type 'tensor<1x0xf32>', which has no elements (lowbit does not compile tensors with a zero-sized dimension)
func.func @empty_k(%x: tensor<1x0xf32>) -> tensor<1x8xf32> {
  %w = arith.constant dense<1.0> : tensor<0x8xf32>
  %c = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8xf32>
  %f = linalg.fill ins(%c : f32) outs(%e : tensor<1x8xf32>) -> tensor<1x8xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x0xf32>, tensor<0x8xf32>) outs(%f : tensor<1x8xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// RUN: not lowbitc %S/Inputs/huge-splat.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=HUGE
// RUN: not lowbitc %S/Inputs/huge-splat.mlir --quantize=w4g32 -o %t.o 2>&1 | FileCheck %s --check-prefix=HUGE
// HUGE: huge-splat.mlir:3:8: error: constant of type 'tensor<1x4294967296xf32>' takes 17179869184 bytes in memory once expanded, over the limit of 4294967296 bytes (option max-constant-bytes)

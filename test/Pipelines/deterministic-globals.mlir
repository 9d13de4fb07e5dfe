// The compiled model depends on the model alone: bufferization visits
// functions that call nothing in an unspecified order, and the globals of
// their constants used to be named and placed in that order (now fixed by
// lowbit-order-constant-globals).
// RUN: lowbit-opt %s --pass-pipeline='builtin.module(lowbit-lower-to-llvm)' -o %t.1.mlir
// RUN: lowbit-opt %s --pass-pipeline='builtin.module(lowbit-lower-to-llvm)' -o %t.2.mlir
// RUN: lowbit-opt %s --pass-pipeline='builtin.module(lowbit-lower-to-llvm)' -o %t.3.mlir
// RUN: lowbit-opt %s --pass-pipeline='builtin.module(lowbit-lower-to-llvm)' -o %t.4.mlir
// RUN: cmp %t.1.mlir %t.2.mlir
// RUN: cmp %t.1.mlir %t.3.mlir
// RUN: cmp %t.1.mlir %t.4.mlir
// RUN: FileCheck %s < %t.1.mlir

// The constants in the order of the functions that read them.
// CHECK: llvm.mlir.global private constant @__constant_4x4xf32({{.*}}1.000000e+00
// CHECK-NEXT: llvm.mlir.global private constant @__constant_4x4xf32_1({{.*}}2.000000e+00
// CHECK-NEXT: llvm.mlir.global private constant @__constant_4x4xf32_2({{.*}}3.000000e+00
// CHECK-LABEL: llvm.func @lowbit_a_with_workspace(
// CHECK: llvm.mlir.addressof @__constant_4x4xf32 :
// CHECK-LABEL: llvm.func @lowbit_b_with_workspace(
// CHECK: llvm.mlir.addressof @__constant_4x4xf32_1 :
// CHECK-LABEL: llvm.func @lowbit_c_with_workspace(
// CHECK: llvm.mlir.addressof @__constant_4x4xf32_2 :

func.func @a(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]> : tensor<4x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x4xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

func.func @b(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<[[2.0, 0.0, 0.0, 0.0], [0.0, 2.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 2.0]]> : tensor<4x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x4xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

func.func @c(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<[[3.0, 0.0, 0.0, 0.0], [0.0, 3.0, 0.0, 0.0], [0.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0, 3.0]]> : tensor<4x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x4xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

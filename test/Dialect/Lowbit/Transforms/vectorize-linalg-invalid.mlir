// Inputs lowbit-vectorize-linalg cannot compile are errors at the op, not
// crashes: tensors with a zero-sized dimension (upstream tiling would divide
// by zero) and constants larger than max-constant-bytes once expanded.
// RUN: lowbit-opt %s -split-input-file -verify-diagnostics -pass-pipeline='builtin.module(func.func(lowbit-vectorize-linalg))'

func.func @fill_4x0() -> tensor<4x0xf32> {
  %c = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<4x0xf32>
  // expected-error @+1 {{'linalg.fill' op has an operand of type 'tensor<4x0xf32>', which has no elements (lowbit does not compile tensors with a zero-sized dimension)}}
  %f = linalg.fill ins(%c : f32) outs(%e : tensor<4x0xf32>) -> tensor<4x0xf32>
  return %f : tensor<4x0xf32>
}

// -----

func.func @matmul_k0(%x: tensor<1x0xf32>, %w: tensor<0x8xf32>) -> tensor<1x8xf32> {
  %c = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8xf32>
  %f = linalg.fill ins(%c : f32) outs(%e : tensor<1x8xf32>) -> tensor<1x8xf32>
  // expected-error @+1 {{'linalg.matmul' op has an operand of type 'tensor<1x0xf32>', which has no elements}}
  %y = linalg.matmul ins(%x, %w : tensor<1x0xf32>, tensor<0x8xf32>) outs(%f : tensor<1x8xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

func.func @huge_splat(%x: tensor<1x4294967296xf32>) -> tensor<4294967296x1xf32> {
  // expected-error @+1 {{constant of type 'tensor<1x4294967296xf32>' takes 17179869184 bytes in memory once expanded, over the limit of 4294967296 bytes (option max-constant-bytes)}}
  %w = arith.constant dense<1.0> : tensor<1x4294967296xf32>
  %e = tensor.empty() : tensor<4294967296x1xf32>
  %t = linalg.transpose ins(%w : tensor<1x4294967296xf32>) outs(%e : tensor<4294967296x1xf32>) permutation = [1, 0]
  return %t : tensor<4294967296x1xf32>
}

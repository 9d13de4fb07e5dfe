// Every matmul or convolution lowbit-quantize-weights leaves in float gets a
// remark saying why (a preset that quantizes nothing must not pass
// silently); with report=true, a summary per function too. A weight too large
// to expand in memory is an error with its size and the limit.
// RUN: lowbit-opt %s -split-input-file -verify-diagnostics -lowbit-quantize-weights -o /dev/null
// RUN: not lowbit-opt %s -split-input-file -lowbit-quantize-weights="report=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT

// The weights are function arguments: nothing can be quantized at compile time.
// REPORT: remark: lowbit-quantize-weights: 0 of 2 matmul(s)/convolution(s) quantized, 2 left in float
func.func @argument_weights(%x: tensor<1x8xf32>, %w: tensor<8x4xf32>, %f: tensor<4x1x3x3xf32>, %img: tensor<1x1x8x8xf32>) -> (tensor<1x4xf32>, tensor<1x4x6x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4xf32>) -> tensor<1x4xf32>
  // expected-remark @+1 {{weight left in float: input 1 is function argument 1, not a constant (only constant weights are quantized at compile time)}}
  %y = linalg.matmul ins(%x, %w : tensor<1x8xf32>, tensor<8x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  %ce = tensor.empty() : tensor<1x4x6x6xf32>
  %cacc = linalg.fill ins(%zero : f32) outs(%ce : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  // expected-remark @+1 {{weight left in float: input 1 is function argument 2, not a constant}}
  %c = linalg.conv_2d_nchw_fchw ins(%img, %f : tensor<1x1x8x8xf32>, tensor<4x1x3x3xf32>) outs(%cacc : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %y, %c : tensor<1x4xf32>, tensor<1x4x6x6xf32>
}

// -----

// A weight with K = 0 has nothing to quantize.
func.func @empty_weight(%x: tensor<1x0xf32>) -> tensor<1x8xf32> {
  %w = arith.constant dense<1.0> : tensor<0x8xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8xf32>) -> tensor<1x8xf32>
  // expected-remark-re @+1 {{weight left in float: weight '{{.*}}' has no elements (a 0x8 tensor)}}
  %y = linalg.matmul ins(%x, %w : tensor<1x0xf32>, tensor<0x8xf32>) outs(%acc : tensor<1x8xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// A product of two computed values (attention) has no weight: no remark
// unless report=true.
// REPORT: remark: weight left in float: no operand is a constant weight (both are computed at run time)
func.func @activations_only(%a: tensor<2x8xf32>, %b: tensor<2x8xf32>) -> tensor<2x2xf32> {
  %ea = tensor.empty() : tensor<2x8xf32>
  %x = linalg.exp ins(%a : tensor<2x8xf32>) outs(%ea : tensor<2x8xf32>) -> tensor<2x8xf32>
  %eb = tensor.empty() : tensor<8x2xf32>
  %t = linalg.transpose ins(%b : tensor<2x8xf32>) outs(%eb : tensor<8x2xf32>) permutation = [1, 0]
  %tt = linalg.exp ins(%t : tensor<8x2xf32>) outs(%eb : tensor<8x2xf32>) -> tensor<8x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %tt : tensor<2x8xf32>, tensor<8x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// A 300-byte splat declaring 16 GiB: an error before anything is expanded.
func.func @huge_splat(%x: tensor<1x4294967296xf32>) -> tensor<1x1xf32> {
  // expected-error @+1 {{constant of type 'tensor<1x4294967296xf32>' takes 17179869184 bytes in memory once expanded, over the limit of 4294967296 bytes (option max-constant-bytes)}}
  %w = arith.constant dense<1.0> : tensor<1x4294967296xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1xf32>) -> tensor<1x1xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<1x4294967296xf32>, tensor<1x4294967296xf32>) outs(%acc : tensor<1x1xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// The limit is an option.
// RUN: not lowbit-opt %s -split-input-file -lowbit-quantize-weights="max-constant-bytes=64" -o /dev/null 2>&1 | FileCheck %s --check-prefix=LIMIT
// LIMIT: error: constant of type 'tensor<4x8xf32>' takes 128 bytes in memory once expanded, over the limit of 64 bytes (option max-constant-bytes)
func.func @limit(%x: tensor<1x8xf32>) -> tensor<1x4xf32> {
  %w = arith.constant dense<0.5> : tensor<4x8xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4xf32>) -> tensor<1x4xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<1x8xf32>, tensor<4x8xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

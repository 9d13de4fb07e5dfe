// RUN: not lowbit-opt %s -lowbit-quantize-weights="param-type=superblock" 2>&1 | FileCheck %s --check-prefix=SYMMETRIC
// RUN: not lowbit-opt %s -lowbit-gptq="bits=4 symmetric=false asymmetric-form=min-scale granularity=per-group group-size=2 param-type=superblock" 2>&1 | FileCheck %s --check-prefix=GPTQ
// RUN: lowbit-opt %s -verify-diagnostics -lowbit-quantize-weights="bits=4 symmetric=false asymmetric-form=min-scale granularity=per-group group-size=2 codebook=linspace(-1,1,11) param-type=superblock"

// SYMMETRIC: error: param-type=superblock needs a min-scale scheme in groups (symmetric=false asymmetric-form=min-scale granularity=per-group)
// GPTQ: error: param-type=superblock is only supported by lowbit-quantize-weights

func.func @nan(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  // expected-error-re @+1 {{weight '{{.*}}' has a non-finite value (nan) at index [0, 1]}}
  %w = arith.constant dense<[[0.5, 0x7FC00000, 0.0, 0.25], [1.0, 2.0, -3.0, 3.0]]> : tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
         ins(%x, %w : tensor<1x4xf32>, tensor<2x4xf32>) outs(%init : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

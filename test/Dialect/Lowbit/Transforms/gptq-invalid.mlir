// RUN: lowbit-opt %s -split-input-file -verify-diagnostics -lowbit-gptq="bits=4"

// A weight without statistics.
func.func @missing(%x: tensor<1x4xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{weight 'w' has no layer input statistics (lowbit.layer_stats): run lowbit-calibrate --layer-stats, or give lowbitc calibration samples}}
  %w = arith.constant dense_resource<w> : tensor<4x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F"
    }
  }
#-}
// -----

// NaN in H.
module attributes {lowbit.layer_stats = {w = {rows = 1 : i64,
    hessian = dense<[[1.0, 0x7FF8000000000000], [0.0, 1.0]]> : tensor<2x2xf64>,
    mean_abs = dense<1.0> : tensor<2xf32>}}} {
func.func @nan(%x: tensor<1x2xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{statistics of weight 'w': 'hessian' has a non-finite value at [0, 1]}}
  %w = arith.constant dense_resource<w> : tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000803F0000803F0000803F"
    }
  }
#-}
// -----

// Statistics of another K (the model changed since calibration).
module attributes {lowbit.layer_stats = {w = {rows = 1 : i64,
    hessian = dense<1.0> : tensor<3x3xf64>,
    mean_abs = dense<1.0> : tensor<3xf32>}}} {
func.func @size(%x: tensor<1x2xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{statistics of weight 'w': expected 'hessian', a 2x2xf64 tensor}}
  %w = arith.constant dense_resource<w> : tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000803F0000803F0000803F"
    }
  }
#-}
// -----

// mean_abs must be non-negative.
module attributes {lowbit.layer_stats = {w = {rows = 1 : i64,
    hessian = dense<1.0> : tensor<2x2xf64>,
    mean_abs = dense<-1.0> : tensor<2xf32>}}} {
func.func @mean(%x: tensor<1x2xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{statistics of weight 'w': 'mean_abs' has a value that is negative or not finite}}
  %w = arith.constant dense_resource<w> : tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000803F0000803F0000803F"
    }
  }
#-}

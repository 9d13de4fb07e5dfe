// RUN: lowbit-opt %s -split-input-file -verify-diagnostics -lowbit-quantize-weights="report=true"

// The report: shape, scheme, bytes (codes at 8 bits + f32 scales), errors.
// Rows [127, -3] and [1, 127]: s = 1 per row, every value is a code, so
// the error is 0; 4 bytes of codes + 8 bytes of scales.
// expected-remark @+1 {{lowbit-quantize-weights: 1 of 1 matmul(s)/convolution(s) quantized, 0 left in float}}
module {
func.func @report(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  // expected-remark @+1 {{quantized weight 'fc1' 2x2 as [2, 2] under #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>: 16 -> 12 bytes (1.33x), mse 0.000e+00, max abs error 0.000e+00, SQNR inf dB}}
  %w = arith.constant dense_resource<fc1> : tensor<2x2xf32>
  %e = tensor.empty() : tensor<2x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %t : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
}

{-#
  dialect_resources: {
    builtin: {
      fc1: "0x040000000000FE42000040C00000803F0000FE42"
    }
  }
#-}

// -----

func.func @nan_weight(%x: tensor<1x2xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{weight 'fc2' has a non-finite value (nan) at index [1, 0]}}
  %w = arith.constant dense_resource<fc2> : tensor<2x3xf32>
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x3xf32>) -> tensor<1x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x3xf32>) outs(%acc : tensor<1x3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// [[1, 2, 3], [nan, 1, 2]]
{-#
  dialect_resources: {
    builtin: {
      fc2: "0x040000000000803F00000040000040400000C07F0000803F00000040"
    }
  }
#-}

// -----

func.func @inf_weight(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  // expected-error-re @+1 {{weight 'loc({{.*}}quantize-weights-diagnostics.mlir":{{[0-9]+}}:{{[0-9]+}})' has a non-finite value (-inf) at index [0, 1]}}
  %w = arith.constant dense<[[1.0, 0xFF800000], [1.0, 2.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// A filter without an output-channel dimension has nothing to attach
// per-channel parameters to: it stays float, with a remark.
// expected-remark @+1 {{lowbit-quantize-weights: 0 of 1 matmul(s)/convolution(s) quantized, 1 left in float}}
module {
func.func @conv_2d_no_channels(%x: tensor<4x4xf32>) -> tensor<3x3xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<3x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<3x3xf32>) -> tensor<3x3xf32>
  // expected-remark @+1 {{weight left in float: it needs both output and reduction dimensions}}
  %y = linalg.conv_2d ins(%x, %w : tensor<4x4xf32>, tensor<2x2xf32>) outs(%acc : tensor<3x3xf32>) -> tensor<3x3xf32>
  return %y : tensor<3x3xf32>
}
}

// RUN: lowbit-opt %s -split-input-file -lowbit-gptq="bits=4 dampening=0" | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-gptq="bits=4 dampening=0 block-size=1" | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-gptq="bits=4 dampening=0 act-order=true" | FileCheck %s --check-prefix=ACT
// RUN: lowbit-opt %s -split-input-file -lowbit-quantize-weights="bits=4" | FileCheck %s --check-prefix=RTN

// The hand-checked case of unittests/Numerics/GptqTest.cpp: H =
// blockdiag(B, B), B = [[1.25, -0.5], [-0.5, 1]], so the upper Cholesky
// factor of H^-1 is blockdiag([[1, 0.5], [0, 1]], ...); int4 per-channel
// scales are 1 (each row's max |w| is 7; row 3 is constant: scale 7, codes 1).
//  row 0: 0.45 -> 0 with error 0.45 moves 0.7 to 0.7 - 0.225 = 0.475 -> 0
//         (round to nearest: 1);
//  row 1: 6.6 -> 7 with error -0.4 moves 0.4 to 0.6 -> 1 (round to
//         nearest: 0).
// The statistics are consumed: the attribute is gone afterwards.
// CHECK-NOT: lowbit.layer_stats
// CHECK-LABEL: func @linear
// CHECK-DAG: %[[CODES:.*]] = arith.constant dense<{{\[}}[7, 0, 0, 0], [7, 1, -7, 0], [0, 0, 0, 7], [1, 1, 1, 1]]> : tensor<4x4xi8>
// CHECK-DAG: %[[SCALES:.*]] = arith.constant dense<[1.000000e+00, 1.000000e+00, 1.000000e+00, 7.000000e+00]> : tensor<4xf32>
// CHECK: lowbit.dequantize %[[CODES]] scales(%[[SCALES]] : tensor<4xf32>) {scheme = #lowbit.scheme<i4, symmetric, per_channel(axis = 0)>} : tensor<4x4xi8> -> tensor<4x4xf32>
// RTN-LABEL: func @linear
// RTN: arith.constant dense<{{\[}}[7, 0, 0, 1], [7, 0, -7, 0], [0, 0, 0, 7], [1, 1, 1, 1]]> : tensor<4x4xi8>
// Act-order visits columns 0 and 2 (diag 1.25) first, then 1 and 3: each
// coupled pair is still visited in the order (0, 1), (2, 3), so the codes
// are the same.
// ACT-LABEL: func @linear
// ACT: arith.constant dense<{{\[}}[7, 0, 0, 0], [7, 1, -7, 0], [0, 0, 0, 7], [1, 1, 1, 1]]> : tensor<4x4xi8>
module attributes {lowbit.layer_stats = {w = {rows = 4 : i64,
    hessian = dense<[[1.25, -0.5, 0.0, 0.0], [-0.5, 1.0, 0.0, 0.0],
                     [0.0, 0.0, 1.25, -0.5], [0.0, 0.0, -0.5, 1.0]]> : tensor<4x4xf64>,
    mean_abs = dense<1.0> : tensor<4xf32>}}} {
func.func @linear(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<[[7.0, 0.4, 0.45, 0.7], [6.6, 0.4, -7.0, 0.0],
                             [0.0, 0.0, 0.0, 7.0], [7.0, 7.0, 7.0, 7.0]]> : tensor<4x4xf32> loc("w")
  %e = tensor.empty() : tensor<4x4xf32>
  %t = linalg.transpose ins(%w : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<2x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %t : tensor<2x4xf32>, tensor<4x4xf32>) outs(%acc : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
}

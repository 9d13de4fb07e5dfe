// RUN: lowbit-opt %s -split-input-file -lowbit-awq="bits=3" | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -verify-diagnostics -lowbit-awq="bits=3 report=true" -o /dev/null

// Two layers read the output of a LayerNorm-style affine (x * gamma + beta).
// Input 0 is 100x larger than the others (H and mean |x|), but the weights'
// column 0 is small: 3-bit per-channel round-to-nearest zeroes it. AWQ
// scales column 0 up for both weights together (alpha 0.55 on the grid of
// 20: s = mean|x|^0.55 / sqrt(max * min) = [10^0.55, 10^-0.55, ...] =
// [3.548, 0.2818, ...]) and divides gamma and beta by the same scales: new
// constants feed the affine, no multiply is added, and the statistics are
// consumed.
// CHECK-NOT: lowbit.layer_stats
// CHECK-LABEL: func @norm
// CHECK-DAG: %[[G:.*]] = arith.constant dense<[0.281838298, 7.0962677, 10.6444016, 14.1925354]> : tensor<4xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[0.140919149, 1.77406693, 1.77406693, 1.77406693]> : tensor<4xf32>
// CHECK: %[[N:.*]] = linalg.generic
// CHECK-SAME: ins(%{{.*}}, %[[G]], %[[B]] : tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: arith.mulf
// CHECK-NEXT: arith.addf
// CHECK-NOT: linalg.generic
// CHECK: linalg.matmul ins(%[[N]]
// CHECK-NOT: linalg.generic
// CHECK: linalg.matmul ins(%[[N]]
// expected-remark @+1 {{lowbit-awq: 2 of 2 matmul(s)/convolution(s) quantized, 0 left in float}}
module attributes {lowbit.layer_stats = {
    w = {rows = 8 : i64,
         hessian = dense<[[10000.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]> : tensor<4x4xf64>,
         mean_abs = dense<[100.0, 1.0, 1.0, 1.0]> : tensor<4xf32>},
    v = {rows = 8 : i64,
         hessian = dense<[[10000.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]> : tensor<4x4xf64>,
         mean_abs = dense<[100.0, 1.0, 1.0, 1.0]> : tensor<4xf32>}}} {
func.func @norm(%x: tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %g = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %b = arith.constant dense<0.5> : tensor<4xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  %n = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %g, %b : tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %gg: f32, %bb: f32, %o: f32):
    %m = arith.mulf %a, %gg : f32
    %s = arith.addf %m, %bb : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32>
  %w = arith.constant dense_resource<w> : tensor<2x4xf32>
  %v = arith.constant dense_resource<v> : tensor<2x4xf32>
  %t = tensor.empty() : tensor<4x2xf32>
  %wt = linalg.transpose ins(%w : tensor<2x4xf32>) outs(%t : tensor<4x2xf32>) permutation = [1, 0]
  %vt = linalg.transpose ins(%v : tensor<2x4xf32>) outs(%t : tensor<4x2xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<2x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-remark @below {{AWQ of 2 weight(s) reading one 4-channel input: alpha 0.55, output error per row 3.0834e-02 (round to nearest 3.6138e+01)}}
  %y = linalg.matmul ins(%n, %wt : tensor<2x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32>
  %z = linalg.matmul ins(%n, %vt : tensor<2x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y, %z : tensor<2x2xf32>, tensor<2x2xf32>
}
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x04000000CDCCCC3D0000803F000080BF0000003FCDCC4C3D000080BF0000803F0000803E",
      v: "0x040000000AD7A33D0000003F000040BF0000803FCDCCCCBD0000803E0000003F000080BF"
    }
  }
#-}

// -----

// The input is a function argument: nothing can absorb 1/s, so an explicit
// multiply by a constant vector feeds the layer.
// CHECK-LABEL: func @argument
// CHECK: %[[INV:.*]] = arith.constant dense<[0.281838298, 3.54813385, 3.54813385, 3.54813385]> : tensor<4xf32>
// CHECK: %[[S:.*]] = linalg.generic {{.*}} ins(%arg0, %[[INV]] : tensor<2x4xf32>, tensor<4xf32>)
// CHECK: arith.mulf
// CHECK: lowbit.dequantize
// CHECK: linalg.matmul ins(%[[S]]
// expected-remark @+1 {{lowbit-awq: 1 of 1 matmul(s)/convolution(s) quantized, 0 left in float}}
module attributes {lowbit.layer_stats = {
    w = {rows = 8 : i64,
         hessian = dense<[[10000.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]> : tensor<4x4xf64>,
         mean_abs = dense<[100.0, 1.0, 1.0, 1.0]> : tensor<4xf32>}}} {
func.func @argument(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense_resource<w> : tensor<2x4xf32>
  %t = tensor.empty() : tensor<4x2xf32>
  %wt = linalg.transpose ins(%w : tensor<2x4xf32>) outs(%t : tensor<4x2xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<2x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-remark @below {{AWQ of 1 weight(s) reading one 4-channel input: alpha 0.55}}
  %y = linalg.matmul ins(%x, %wt : tensor<2x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x04000000CDCCCC3D0000803F000080BF0000003FCDCC4C3D000080BF0000803F0000803E"
    }
  }
#-}

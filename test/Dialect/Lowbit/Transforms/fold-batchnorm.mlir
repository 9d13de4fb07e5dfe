// RUN: lowbit-opt %s -split-input-file -lowbit-fold-batchnorm | FileCheck %s

// (x - m) * a + b after a convolution with bias c: W' = W * a,
// c' = (c - m) * a + b = (1 - 2) * 3 + 0.5 = -2.5 and (1 - 0) * -1 + 1 = 0.
// CHECK-LABEL: func @conv
// CHECK-DAG: arith.constant dense<{{\[\[\[\[}}3.000000e+00]]], {{\[\[\[}}-2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: arith.constant dense<[-2.500000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = linalg.conv_2d_nchw_fchw
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %c = arith.constant dense<1.0> : tensor<2xf32>
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %init = linalg.broadcast ins(%c : tensor<2xf32>) outs(%e : tensor<1x2x2x2xf32>) dimensions = [0, 2, 3]
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) outs(%init : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %m = arith.constant dense<[2.0, 0.0]> : tensor<2xf32>
  %a = arith.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %b = arith.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %n = linalg.generic {indexing_maps = [#id, #ch, #ch, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y, %m, %a, %b : tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) outs(%e : tensor<1x2x2x2xf32>) {
  ^bb0(%v: f32, %mv: f32, %av: f32, %bv: f32, %out: f32):
    %d = arith.subf %v, %mv : f32
    %p = arith.mulf %d, %av : f32
    %s = arith.addf %p, %bv : f32
    linalg.yield %s : f32
  } -> tensor<1x2x2x2xf32>
  return %n : tensor<1x2x2x2xf32>
}

// -----

// x * a + b after a fully-connected layer without bias: rows of W scaled,
// the shift becomes the bias.
// CHECK-LABEL: func @fc
// CHECK-DAG: arith.constant dense<{{\[\[}}2.000000e+00, 4.000000e+00], [-1.000000e+00, -1.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[5.000000e-01, 1.000000e+00]> : tensor<2xf32>
// CHECK: linalg.matmul
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[B]] : tensor<1x2xf32>, tensor<2xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.addf
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @fc(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [1.0, 1.0]]> : tensor<2x2xf32>
  %e = tensor.empty() : tensor<2x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %t : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  %a = arith.constant dense<[2.0, -1.0]> : tensor<2xf32>
  %b = arith.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %n = linalg.generic {indexing_maps = [#id2, #col, #col, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%y, %a, %b : tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>) outs(%o : tensor<1x2xf32>) {
  ^bb0(%v: f32, %av: f32, %bv: f32, %out: f32):
    %p = arith.mulf %v, %av : f32
    %s = arith.addf %p, %bv : f32
    linalg.yield %s : f32
  } -> tensor<1x2xf32>
  return %n : tensor<1x2xf32>
}

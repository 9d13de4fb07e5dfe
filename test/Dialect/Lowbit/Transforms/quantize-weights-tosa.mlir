// TOSA models: lowered to linalg by the upstream passes, their weights are
// then found like any other (tosa.matmul -> batch_matmul, tosa.conv2d ->
// conv_2d_nhwc_fhwc with [F, KH, KW, C] filters: already canonical).
// RUN: lowbit-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith),lowbit-quantize-weights{bits=4 granularity=per-group group-size=4})' | FileCheck %s

// CHECK-LABEL: func @tosa_matmul
// CHECK: %[[W:.*]] = lowbit.dequantize %{{.*}} {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 4)>} : tensor<3x4xi8> -> tensor<3x4xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2]] output_shape [1, 3, 4]
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[E]] : tensor<1x3x4xf32>) outs(%{{.*}} : tensor<1x4x3xf32>) permutation = [0, 2, 1]
// CHECK: linalg.batch_matmul ins(%{{.*}}, %[[T]] :
func.func @tosa_matmul(%x: tensor<1x1x4xf32>) -> tensor<1x1x3xf32> {
  %w = "tosa.const"() {values = dense<[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [1.0, 2.0, 3.0]]]> : tensor<1x4x3xf32>} : () -> tensor<1x4x3xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x4xf32>, tensor<1x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32>
  return %y : tensor<1x1x3xf32>
}

// -----

// CHECK-LABEL: func @tosa_conv2d
// CHECK: %[[W:.*]] = lowbit.dequantize %{{.*}} : tensor<3x8xi8> -> tensor<3x8xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[W]] {{\[}}[0], [1, 2, 3]] output_shape [3, 2, 2, 2]
// CHECK-NOT: linalg.transpose
// CHECK: linalg.conv_2d_nhwc_fhwc {{.*}} ins(%{{.*}}, %[[E]] :
func.func @tosa_conv2d(%x: tensor<1x4x4x2xf32>) -> tensor<1x3x3x3xf32> {
  %w = "tosa.const"() {values = dense<0.5> : tensor<3x2x2x2xf32>} : () -> tensor<3x2x2x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<3xf32>} : () -> tensor<3xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<3x2x2x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x3xf32>
  return %y : tensor<1x3x3x3xf32>
}

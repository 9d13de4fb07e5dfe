// RUN: lowbit-opt %s -split-input-file -lowbit-fold-calibration | FileCheck %s

// [0, 6]: scale 6 / 255, zero point -128 (0 maps to the lowest code).
// CHECK-LABEL: func @relu_output
// CHECK-DAG: %[[S:.*]] = arith.constant dense<0.0235294122> : tensor<f32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<-128> : tensor<i32>
// CHECK: %[[Q:.*]] = lowbit.quantize %arg0 scales(%[[S]] : tensor<f32>) zero_points(%[[Z]] : tensor<i32>) {scheme = #lowbit.scheme<i8, affine, per_tensor>} : tensor<1x4xf32> -> tensor<1x4xi8>
// CHECK: %[[D:.*]] = lowbit.dequantize %[[Q]] scales(%[[S]] : tensor<f32>) zero_points(%[[Z]] : tensor<i32>) {scheme = #lowbit.scheme<i8, affine, per_tensor>} : tensor<1x4xi8> -> tensor<1x4xf32>
// CHECK: return %[[D]]
func.func @relu_output(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = lowbit.stats %x {min = array<f32: 0.0>, max = array<f32: 6.0>} : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// [-1, 3]: scale 4 / 255; -1 / scale = -63.75 rounds to -64, so z = -64.
// CHECK-LABEL: func @two_sided
// CHECK-DAG: arith.constant dense<0.0156862754> : tensor<f32>
// CHECK-DAG: arith.constant dense<-64> : tensor<i32>
func.func @two_sided(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = lowbit.stats %x {min = array<f32: -1.0>, max = array<f32: 3.0>,
                        histogram = array<i64: 0, 0, 1, 1, 1, 7, 0, 0>,
                        histogram_range = array<f32: -8.0, 8.0>} : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Per-channel statistics give per-channel parameters; a constant-zero
// channel gets scale 1.
// CHECK-LABEL: func @per_channel
// CHECK-DAG: arith.constant dense<[0.0235294122, 1.000000e+00]> : tensor<2xf32>
// CHECK-DAG: arith.constant dense<-128> : tensor<2xi32>
// CHECK: lowbit.quantize {{.*}} {scheme = #lowbit.scheme<i8, affine, per_channel(axis = 1)>}
func.func @per_channel(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %0 = lowbit.stats %x {axis = 1 : i64, min = array<f32: 0.0, 0.0>, max = array<f32: 6.0, 0.0>} : tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Statistics on a constant fold into constant codes.
// CHECK-LABEL: func @constant
// CHECK-NOT: lowbit.quantize
// CHECK: %[[C:.*]] = arith.constant dense<[-128, 127]> : tensor<2xi8>
// CHECK: lowbit.dequantize %[[C]]
func.func @constant() -> tensor<2xf32> {
  %c = arith.constant dense<[0.0, 6.0]> : tensor<2xf32>
  %0 = lowbit.stats %c {min = array<f32: 0.0>, max = array<f32: 6.0>} : tensor<2xf32>
  return %0 : tensor<2xf32>
}

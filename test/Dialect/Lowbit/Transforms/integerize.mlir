// RUN: lowbit-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(lowbit-integerize,canonicalize))" | FileCheck %s

// A fully-connected layer with bias and ReLU between int8 activations
// (s_x = 0.5, z_x = 2) and a requantized output (s_y = 0.125, z_y = -100):
//   bias[0] = round(1.0 / (0.5 * 0.25)) - 2 * (1 + 2 + 3 + 4) = 8 - 20 = -12
//   bias[1] = round(-0.5 / (0.5 * 0.125)) - 2 * (-1 + 0 + 1 + 0) = -8
//   rescale[0] = 0.5 * 0.25 / 0.125 = 1 = 2^30 * 2^-30
//   rescale[1] = 0.5 * 0.125 / 0.125 = 0.5 = 2^30 * 2^-31
// and the ReLU becomes a clamp at the output zero point.
// CHECK-LABEL: func @fc
// CHECK-SAME: (%[[XQ:.*]]: tensor<1x4xi8>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[}}1, 2, 3, 4], [-1, 0, 1, 0]]> : tensor<2x4xi8>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[-12, -8]> : tensor<2xi32>
// CHECK: %[[ACC:.*]] = lowbit.integer_matmul %[[XQ]], %[[W]] bias(%[[B]] : tensor<2xi32>) : tensor<1x4xi8>, tensor<2x4xi8> -> tensor<1x2xi32>
// CHECK: %[[Y:.*]] = lowbit.requantize %[[ACC]] {axis = 1 : i64, clamp_min = -100 : i32, multiplier = array<i32: 1073741824, 1073741824>, output_zero_point = -100 : i32, shift = array<i32: 30, 31>} : tensor<1x2xi32> -> tensor<1x2xi8>
// CHECK: return %[[Y]]
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @fc(%xq: tensor<1x4xi8>) -> tensor<1x2xi8> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<2> : tensor<i32>
  %x = lowbit.dequantize %xq scales(%sx : tensor<f32>) zero_points(%zx : tensor<i32>) {scheme = #lowbit.scheme<i8, affine, per_tensor>} : tensor<1x4xi8> -> tensor<1x4xf32>
  %wq = arith.constant dense<[[1, 2, 3, 4], [-1, 0, 1, 0]]> : tensor<2x4xi8>
  %sw = arith.constant dense<[0.25, 0.125]> : tensor<2xf32>
  %w = lowbit.dequantize %wq scales(%sw : tensor<2xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>} : tensor<2x4xi8> -> tensor<2x4xf32>
  %e = tensor.empty() : tensor<4x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x4xf32>) outs(%e : tensor<4x2xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %t : tensor<1x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  %b = arith.constant dense<[1.0, -0.5]> : tensor<2xf32>
  %z = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y, %b : tensor<1x2xf32>, tensor<2xf32>) outs(%o : tensor<1x2xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x2xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%z : tensor<1x2xf32>) outs(%o : tensor<1x2xf32>) {
  ^bb0(%a: f32, %out: f32):
    %gt = arith.cmpf ugt, %a, %zero : f32
    %m = arith.select %gt, %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2xf32>
  %sy = arith.constant dense<0.125> : tensor<f32>
  %zy = arith.constant dense<-100> : tensor<i32>
  %q = lowbit.quantize %r scales(%sy : tensor<f32>) zero_points(%zy : tensor<i32>) {scheme = #lowbit.scheme<i8, affine, per_tensor>} : tensor<1x2xf32> -> tensor<1x2xi8>
  return %q : tensor<1x2xi8>
}

// -----

// A convolution onto a broadcast bias whose output stays in float: an int8
// convolution into i32 (bias quantized at s_x * s_w[f] = 0.5 * [1, 0.5],
// minus z_x = 1 times each filter's sum 4 and 0), then acc * s_x * s_w[f].
// CHECK-LABEL: func @conv
// CHECK-SAME: (%[[XQ:.*]]: tensor<1x1x3x3xi8>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<2x1x2x2xi8>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[-2, 4]> : tensor<2xi32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[B]] : tensor<2xi32>)
// CHECK: %[[ACC:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%[[XQ]], %[[W]] : tensor<1x1x3x3xi8>, tensor<2x1x2x2xi8>) outs(%[[INIT]] : tensor<1x2x2x2xi32>) -> tensor<1x2x2x2xi32>
// CHECK: linalg.generic {{.*}} ins(%[[ACC]], %[[S]] : tensor<1x2x2x2xi32>, tensor<2xf32>)
// CHECK: arith.sitofp
// CHECK: arith.mulf
func.func @conv(%xq: tensor<1x1x3x3xi8>) -> tensor<1x2x2x2xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<1> : tensor<i32>
  %x = lowbit.dequantize %xq scales(%sx : tensor<f32>) zero_points(%zx : tensor<i32>) {scheme = #lowbit.scheme<i8, affine, per_tensor>} : tensor<1x1x3x3xi8> -> tensor<1x1x3x3xf32>
  %wq = arith.constant dense<[[1, 1, 1, 1], [1, -1, 1, -1]]> : tensor<2x4xi8>
  %sw = arith.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %w2 = lowbit.dequantize %wq scales(%sw : tensor<2xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>} : tensor<2x4xi8> -> tensor<2x4xf32>
  %w = tensor.expand_shape %w2 [[0], [1, 2, 3]] output_shape [2, 1, 2, 2] : tensor<2x4xf32> into tensor<2x1x2x2xf32>
  %b = arith.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %init = linalg.broadcast ins(%b : tensor<2xf32>) outs(%e : tensor<1x2x2x2xf32>) dimensions = [0, 2, 3]
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : tensor<1x1x3x3xf32>, tensor<2x1x2x2xf32>) outs(%init : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// Per-group weights are left in float.
// CHECK-LABEL: func @per_group
// CHECK: linalg.matmul
// CHECK-NOT: lowbit.integer_matmul
func.func @per_group(%xq: tensor<1x4xi8>) -> tensor<1x2xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %x = lowbit.dequantize %xq scales(%sx : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<1x4xi8> -> tensor<1x4xf32>
  %wq = arith.constant dense<1> : tensor<2x4xi8>
  %sw = arith.constant dense<0.25> : tensor<2x2xf32>
  %w = lowbit.dequantize %wq scales(%sw : tensor<2x2xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_group(axis = 1, size = 2)>} : tensor<2x4xi8> -> tensor<2x4xf32>
  %e = tensor.empty() : tensor<4x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x4xf32>) outs(%e : tensor<4x2xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %t : tensor<1x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// An output quantize with narrow codes: the requantize clamps at -127 (and
// at the zero point after a ReLU only when that is higher).
// CHECK-LABEL: func @narrow_output
// CHECK: lowbit.requantize %{{.*}} {axis = 1 : i64, clamp_min = -127 : i32, multiplier = array<i32: 1073741824>, shift = array<i32: 30>}
func.func @narrow_output(%xq: tensor<1x4xi8>) -> tensor<1x1xi8> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %x = lowbit.dequantize %xq scales(%sx : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<1x4xi8> -> tensor<1x4xf32>
  %wq = arith.constant dense<1> : tensor<1x4xi8>
  %sw = arith.constant dense<0.25> : tensor<1xf32>
  %w = lowbit.dequantize %wq scales(%sw : tensor<1xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>} : tensor<1x4xi8> -> tensor<1x4xf32>
  %e = tensor.empty() : tensor<4x1xf32>
  %t = linalg.transpose ins(%w : tensor<1x4xf32>) outs(%e : tensor<4x1xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x1xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x1xf32>) -> tensor<1x1xf32>
  %y = linalg.matmul ins(%x, %t : tensor<1x4xf32>, tensor<4x1xf32>) outs(%acc : tensor<1x1xf32>) -> tensor<1x1xf32>
  %sy = arith.constant dense<0.125> : tensor<f32>
  %q = lowbit.quantize %y scales(%sy : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor, narrow>} : tensor<1x1xf32> -> tensor<1x1xi8>
  return %q : tensor<1x1xi8>
}

// -----

// An output quantize rounding toward zero cannot be a requantize (which
// rounds half up): the accumulator is dequantized and the quantize stays.
// CHECK-LABEL: func @toward_zero_output
// CHECK: lowbit.integer_matmul
// CHECK-NOT: lowbit.requantize
// CHECK: arith.sitofp
// CHECK: lowbit.quantize {{.*}}rounding = toward_zero
func.func @toward_zero_output(%xq: tensor<1x4xi8>) -> tensor<1x1xi8> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %x = lowbit.dequantize %xq scales(%sx : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<1x4xi8> -> tensor<1x4xf32>
  %wq = arith.constant dense<1> : tensor<1x4xi8>
  %sw = arith.constant dense<0.25> : tensor<1xf32>
  %w = lowbit.dequantize %wq scales(%sw : tensor<1xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>} : tensor<1x4xi8> -> tensor<1x4xf32>
  %e = tensor.empty() : tensor<4x1xf32>
  %t = linalg.transpose ins(%w : tensor<1x4xf32>) outs(%e : tensor<4x1xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x1xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x1xf32>) -> tensor<1x1xf32>
  %y = linalg.matmul ins(%x, %t : tensor<1x4xf32>, tensor<4x1xf32>) outs(%acc : tensor<1x1xf32>) -> tensor<1x1xf32>
  %sy = arith.constant dense<0.125> : tensor<f32>
  %q = lowbit.quantize %y scales(%sy : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor, rounding = toward_zero>} : tensor<1x1xf32> -> tensor<1x1xi8>
  return %q : tensor<1x1xi8>
}

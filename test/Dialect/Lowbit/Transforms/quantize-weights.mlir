// RUN: lowbit-opt %s -split-input-file -lowbit-quantize-weights | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-quantize-weights="bits=4 granularity=per-group group-size=2" | FileCheck %s --check-prefix=GROUP
// RUN: lowbit-opt %s -split-input-file -lowbit-quantize-weights="bits=8 symmetric=false" | FileCheck %s --check-prefix=AFFINE
// RUN: lowbit-opt %s -split-input-file -lowbit-quantize-weights="bits=2 symmetric=false asymmetric-form=min-scale granularity=per-tensor param-type=f16" | FileCheck %s --check-prefix=MINSCALE
// Filters: only the ops named, only weights of at least N elements, only
// weights whose name matches.
// RUN: lowbit-opt %s -split-input-file -lowbit-quantize-weights="ops=linalg.matvec" | FileCheck %s --check-prefix=OPS
// RUN: lowbit-opt %s -split-input-file -lowbit-quantize-weights="min-elements=7" | FileCheck %s --check-prefix=SIZE
// RUN: lowbit-opt %s -split-input-file -lowbit-quantize-weights="filter=^f" | FileCheck %s --check-prefix=NAME

// A [K, N] matmul weight is quantized in its canonical [N, K] form and
// transposed back. Expected codes by hand: row n of [N, K] = column n of the
// weight; symmetric int8 s = max|x| / 127.
//   n = 0: [127.0, 63.5] -> s = 1, codes [127, 64] (63.5 ties to even)
//   n = 1: [-254.0, 25.0] -> s = 2, codes [-127, 12] (12.5 ties to even)
// OPS-LABEL: func @matmul_kn
// OPS-NOT: lowbit.dequantize
// SIZE-LABEL: func @matmul_kn
// SIZE-NOT: lowbit.dequantize
// NAME-LABEL: func @matmul_kn
// NAME-NOT: lowbit.dequantize
// CHECK-LABEL: func @matmul_kn
// CHECK-DAG: %[[CODES:.*]] = arith.constant dense<{{\[}}[127, 64], [-127, 12]]> : tensor<2x2xi8>
// CHECK-DAG: %[[SCALES:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[W:.*]] = lowbit.dequantize %[[CODES]] scales(%[[SCALES]] : tensor<2xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>} : tensor<2x2xi8> -> tensor<2x2xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[W]] : tensor<2x2xf32>) outs(%{{.*}} : tensor<2x2xf32>) permutation = [1, 0]
// CHECK: linalg.matmul ins(%{{.*}}, %[[T]] : tensor<3x2xf32>, tensor<2x2xf32>)
// The asymmetric run: u8 affine, range widened to include 0.
// AFFINE-LABEL: func @matmul_kn
// AFFINE: lowbit.dequantize %{{.*}} scales(%{{.*}} : tensor<2xf32>) zero_points(%{{.*}} : tensor<2xi32>) {scheme = #lowbit.scheme<u8, affine, per_channel(axis = 0)>}
func.func @matmul_kn(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[127.0, -254.0], [63.5, 25.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// An [N, K] weight reached through linalg.transpose (the form of nn.Linear
// exports) is already canonical: no new transpose. Per group of 2 along K,
// K = 5 ends in a partial group of one element. By hand, in f32:
//   int8 per channel: s = 2/127, -1 / s = -63.5000015 -> -64
//   int4 groups of row 0: [-2, -1 | 0, 1 | 2] -> s = [2/7, 1/7, 2]
//     codes [-7, -3 | 0, 7 | 1] (-1 / fl(2/7) = -3.4999998 -> -3)
//   constant groups (the single 2.0, and all of row 1) take s = |c| and
//   code 1 so they reconstruct exactly; per channel, row 1 does too.
// SIZE-LABEL: func @transposed_nk
// SIZE: lowbit.dequantize
// CHECK-LABEL: func @transposed_nk
// CHECK: arith.constant dense<{{\[}}[-127, -64, 0, 64, 127], [1, 1, 1, 1, 1]]> : tensor<2x5xi8>
// CHECK: %[[W:.*]] = lowbit.dequantize
// CHECK: linalg.transpose ins(%[[W]] : tensor<2x5xf32>) outs(%{{.*}} : tensor<5x2xf32>)
// CHECK-NOT: linalg.transpose
// GROUP-LABEL: func @transposed_nk
// GROUP-DAG: arith.constant dense<{{\[}}[-7, -3, 0, 7, 1], [1, 1, 1, 1, 1]]> : tensor<2x5xi8>
// GROUP-DAG: arith.constant dense<{{\[}}[0.285714298, 0.142857149, 2.000000e+00], [7.000000e+00, 7.000000e+00, 7.000000e+00]]> : tensor<2x3xf32>
// GROUP: lowbit.dequantize %{{.*}} {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 2)>} : tensor<2x5xi8> -> tensor<2x5xf32>
func.func @transposed_nk(%x: tensor<1x5xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[-2.0, -1.0, 0.0, 1.0, 2.0], [7.0, 7.0, 7.0, 7.0, 7.0]]> : tensor<2x5xf32>
  %e = tensor.empty() : tensor<5x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x5xf32>) outs(%e : tensor<5x2xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %t : tensor<1x5xf32>, tensor<5x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// NCHW convolution filters [F, C, KH, KW] collapse to [F, C*KH*KW]; the
// result is expanded back. A constant group reconstructs exactly.
// CHECK-LABEL: func @conv_nchw
// CHECK: %[[W:.*]] = lowbit.dequantize %{{.*}} : tensor<2x4xi8> -> tensor<2x4xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[W]] {{\[}}[0], [1, 2, 3]] output_shape [2, 1, 2, 2] : tensor<2x4xf32> into tensor<2x1x2x2xf32>
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %[[E]] :
// MINSCALE-LABEL: func @conv_nchw
// MINSCALE: lowbit.dequantize %{{.*}} scales(%{{.*}} : tensor<f16>) mins(%{{.*}} : tensor<f16>) {scheme = #lowbit.scheme<u2, min_scale, per_tensor>}
func.func @conv_nchw(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<0.5> : tensor<2x1x2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : tensor<1x1x3x3xf32>, tensor<2x1x2x2xf32>) outs(%acc : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// NHWC filters [KH, KW, C, F] have the output channel last: the canonical
// [F, KH*KW*C] form needs a transpose back ([F, KH, KW, C] -> [KH, KW, C, F]).
// CHECK-LABEL: func @conv_nhwc
// CHECK: %[[W:.*]] = lowbit.dequantize %{{.*}} : tensor<3x8xi8> -> tensor<3x8xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[W]] {{\[}}[0], [1, 2, 3]] output_shape [3, 2, 2, 2] : tensor<3x8xf32> into tensor<3x2x2x2xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[E]] : tensor<3x2x2x2xf32>) outs(%{{.*}} : tensor<2x2x2x3xf32>) permutation = [1, 2, 3, 0]
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} ins(%{{.*}}, %[[T]] :
func.func @conv_nhwc(%x: tensor<1x3x3x2xf32>) -> tensor<1x2x2x3xf32> {
  %w = arith.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[7.0, 8.0, 9.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]]> : tensor<2x2x2x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x2x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : tensor<1x3x3x2xf32>, tensor<2x2x2x3xf32>) outs(%acc : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  return %y : tensor<1x2x2x3xf32>
}

// -----

// Depthwise filters [KH, KW, C]: one parameter set per channel C.
// CHECK-LABEL: func @depthwise
// CHECK: %[[W:.*]] = lowbit.dequantize %{{.*}} : tensor<2x4xi8> -> tensor<2x4xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[W]] {{\[}}[0], [1, 2]] output_shape [2, 2, 2] : tensor<2x4xf32> into tensor<2x2x2xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[E]] : tensor<2x2x2xf32>) outs(%{{.*}} : tensor<2x2x2xf32>) permutation = [1, 2, 0]
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.*}} ins(%{{.*}}, %[[T]] :
func.func @depthwise(%x: tensor<1x4x4x2xf32>) -> tensor<1x3x3x2xf32> {
  %w = arith.constant dense<[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]> : tensor<2x2x2xf32>
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x3x3x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x3x3x2xf32>) -> tensor<1x3x3x2xf32>
  %y = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x4x4x2xf32>, tensor<2x2x2xf32>) outs(%acc : tensor<1x3x3x2xf32>) -> tensor<1x3x3x2xf32>
  return %y : tensor<1x3x3x2xf32>
}

// -----

// matvec: the matrix operand [M, K] is the weight, already canonical.
// OPS-LABEL: func @matvec
// OPS: lowbit.dequantize
// SIZE-LABEL: func @matvec
// SIZE: lowbit.dequantize
// CHECK-LABEL: func @matvec
// CHECK: %[[W:.*]] = lowbit.dequantize %{{.*}} : tensor<2x3xi8> -> tensor<2x3xf32>
// CHECK: linalg.matvec ins(%[[W]], %{{.*}} :
func.func @matvec(%v: tensor<3xf32>) -> tensor<2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  %y = linalg.matvec ins(%w, %v : tensor<2x3xf32>, tensor<3xf32>) outs(%acc : tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

// batch_matmul [B, K, N]: batch and N are parallel, K is the reduction:
// canonical [B*N, K], expanded to [B, N, K] and transposed back.
// CHECK-LABEL: func @batch_matmul
// CHECK: %[[W:.*]] = lowbit.dequantize %{{.*}} : tensor<4x3xi8> -> tensor<4x3xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2]] output_shape [2, 2, 3] : tensor<4x3xf32> into tensor<2x2x3xf32>
// CHECK: linalg.transpose ins(%[[E]] : tensor<2x2x3xf32>) outs(%{{.*}} : tensor<2x3x2xf32>) permutation = [0, 2, 1]
func.func @batch_matmul(%x: tensor<2x1x3xf32>) -> tensor<2x1x2xf32> {
  %w = arith.constant dense<[[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [[7.0, 8.0], [9.0, 1.0], [2.0, 3.0]]]> : tensor<2x3x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2x1x2xf32>) -> tensor<2x1x2xf32>
  %y = linalg.batch_matmul ins(%x, %w : tensor<2x1x3xf32>, tensor<2x3x2xf32>) outs(%acc : tensor<2x1x2xf32>) -> tensor<2x1x2xf32>
  return %y : tensor<2x1x2xf32>
}

// -----

// A contraction written as linalg.generic: the constant input is the weight.
// CHECK-LABEL: func @generic_contraction
// CHECK: %[[W:.*]] = lowbit.dequantize %{{.*}} : tensor<2x3xi8> -> tensor<2x3xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[W]] :
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (n, k)>
#out = affine_map<(m, n, k) -> (m, n)>
func.func @generic_contraction(%x: tensor<1x3xf32>, %acc: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %y = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<1x3xf32>, tensor<2x3xf32>) outs(%acc : tensor<1x2xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Weights stored as dense_resource stay resources, named after the weight.
// NAME-LABEL: func @resource_weight
// NAME: lowbit.dequantize
// CHECK-LABEL: func @resource_weight
// CHECK-DAG: arith.constant dense_resource<fc_codes> : tensor<2x2xi8>
// CHECK-DAG: arith.constant dense_resource<fc_scales> : tensor<2xf32>
// CHECK: fc_codes: "0x010000007F40817F"
func.func @resource_weight(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense_resource<fc> : tensor<2x2xf32>
  %e = tensor.empty() : tensor<2x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %t : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// Rows [127.0, 63.5] and [-254.0, 254.0] as little-endian f32.
{-#
  dialect_resources: {
    builtin: {
      fc: "0x040000000000FE4200007E4200007EC300007E43"
    }
  }
#-}

// RUN: lowbit-opt %s -split-input-file -lowbit-pack-weights | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-pack-weights="layout=int8" | FileCheck %s --check-prefix=INT8

// 4-bit codes pack as interleaved nibbles, one block per group of 4 (by
// hand: block [1, -2, 3, 4] -> bytes {1 | 3 << 4, 0xE | 4 << 4} = {49, 78};
// block [-8, 7, 0, 0] -> {0x8 | 0, 0x7 | 0} = {8, 7}).
// CHECK-LABEL: func @int4_groups
// CHECK: %[[P:.*]], %[[S:.*]] = lowbit.packed_weight {data = dense<{{\[}}[49, 78, 8, 7]]> : tensor<1x4xi8>, layout = #lowbit.layout<int4_interleaved, block = 4>, scales = dense<[{{\[}}5.000000e-01, 2.500000e-01]]> : tensor<1x2xf16>, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 4)>, shape = array<i64: 1, 8>} : tensor<1x4xi8>, tensor<1x2xf16>
// CHECK: %[[C:.*]] = lowbit.unpack %[[P]] {layout = #lowbit.layout<int4_interleaved, block = 4>, signed_codes} : tensor<1x4xi8> -> tensor<1x8xi8>
// CHECK: lowbit.dequantize %[[C]] scales(%[[S]] : tensor<1x2xf16>)
// INT8-LABEL: func @int4_groups
// INT8: lowbit.packed_weight {data = dense<{{\[}}[1, -2, 3, 4, -8, 7, 0, 0]]> : tensor<1x8xi8>, layout = #lowbit.layout<int8, block = 4>
func.func @int4_groups() -> tensor<1x8xf32> {
  %c = arith.constant dense<[[1, -2, 3, 4, -8, 7, 0, 0]]> : tensor<1x8xi8>
  %s = arith.constant dense<[[0.5, 0.25]]> : tensor<1x2xf16>
  %w = lowbit.dequantize %c scales(%s : tensor<1x2xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 4)>} : tensor<1x8xi8> -> tensor<1x8xf32>
  return %w : tensor<1x8xf32>
}

// -----

// An 11-level codebook packs nine base-11 digits per word, the group's 10
// codes padded to two words: [1..9] -> 472446401, [10, 0...] -> by hand
// ceil(10 * 11^8 * 2^32 / 11^9) = 3904515724 (-390451572 as i32).
// CHECK-LABEL: func @codebook_radix
// CHECK: lowbit.packed_weight {data = dense<{{\[}}[472446401, -390451572]]> : tensor<1x2xi32>, layout = #lowbit.layout<radix(11), block = 10>, mins = {{.*}}, scales = {{.*}} : tensor<1x2xi32>, tensor<1x1xf16>, tensor<1x1xf16>
// CHECK: lowbit.unpack %{{.*}} {layout = #lowbit.layout<radix(11), block = 10>} : tensor<1x2xi32> -> tensor<1x10xi8>
// CHECK: lowbit.dequantize %{{.*}} scales(%{{.*}} : tensor<1x1xf16>) mins(%{{.*}} : tensor<1x1xf16>)
func.func @codebook_radix() -> tensor<1x10xf32> {
  %c = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]> : tensor<1x10xi8>
  %s = arith.constant dense<2.0> : tensor<1x1xf16>
  %m = arith.constant dense<-1.0> : tensor<1x1xf16>
  %w = lowbit.dequantize %c scales(%s : tensor<1x1xf16>) mins(%m : tensor<1x1xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 10), codebook = <linspace(-1.0, 1.0, 11)>>} : tensor<1x10xi8> -> tensor<1x10xf32>
  return %w : tensor<1x10xf32>
}

// -----

// 3-bit codes: ten per word (by hand: [-4, 3, -1, 0, 1] -> patterns
// [4, 3, 7, 0, 1] -> 4 | 3 << 3 | 7 << 6 | 0 << 9 | 1 << 12 = 4572).
// CHECK-LABEL: func @int3_per_channel
// CHECK: lowbit.packed_weight {data = dense<4572> : tensor<1x1xi32>, layout = #lowbit.layout<int3>
func.func @int3_per_channel() -> tensor<1x5xf32> {
  %c = arith.constant dense<[[-4, 3, -1, 0, 1]]> : tensor<1x5xi8>
  %s = arith.constant dense<[0.5]> : tensor<1xf32>
  %w = lowbit.dequantize %c scales(%s : tensor<1xf32>) {scheme = #lowbit.scheme<i3, symmetric, per_channel(axis = 0)>} : tensor<1x5xi8> -> tensor<1x5xf32>
  return %w : tensor<1x5xf32>
}

// -----

// 2-bit affine codes with zero points: four per byte
// ([3, 0, 1, 2] -> 3 | 0 << 2 | 1 << 4 | 2 << 6 = 147 = -109 as i8).
// CHECK-LABEL: func @int2_affine
// CHECK: %[[P:.*]], %[[S:.*]], %[[Z:.*]] = lowbit.packed_weight {data = dense<-109> : tensor<1x1xi8>, layout = #lowbit.layout<int2>, scales = {{.*}}, scheme = #lowbit.scheme<u2, affine, per_tensor>, shape = array<i64: 1, 4>, zero_points = dense<1> : tensor<i32>}
// CHECK: lowbit.dequantize %{{.*}} scales(%[[S]] : tensor<f32>) zero_points(%[[Z]] : tensor<i32>)
func.func @int2_affine() -> tensor<1x4xf32> {
  %c = arith.constant dense<[[3, 0, 1, 2]]> : tensor<1x4xi8>
  %s = arith.constant dense<0.5> : tensor<f32>
  %z = arith.constant dense<1> : tensor<i32>
  %w = lowbit.dequantize %c scales(%s : tensor<f32>) zero_points(%z : tensor<i32>) {scheme = #lowbit.scheme<u2, affine, per_tensor>} : tensor<1x4xi8> -> tensor<1x4xf32>
  return %w : tensor<1x4xf32>
}

// -----

// Codes that are not constants, or activations (not [N, K] weights with
// per-row or per-group-along-K parameters), are left alone.
// CHECK-LABEL: func @not_weights
// CHECK-NOT: lowbit.packed_weight
// CHECK-NOT: lowbit.unpack
func.func @not_weights(%q: tensor<2x8xi8>, %s: tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %scales = arith.constant dense<1.0> : tensor<f32>
  %a = lowbit.dequantize %q scales(%scales : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<2x8xi8> -> tensor<2x8xf32>
  %c = arith.constant dense<1> : tensor<2x8xi8>
  %b = lowbit.dequantize %c scales(%s : tensor<8xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 1)>} : tensor<2x8xi8> -> tensor<2x8xf32>
  return %a, %b : tensor<2x8xf32>, tensor<2x8xf32>
}

// -----

// One constant as both scales and mins (CSE makes such pairs): it is erased
// once, after its last use (found by lowbit-fuzz-mlir: a use after free).
// CHECK-LABEL: func @shared_scales_mins
// CHECK: %[[P:.*]], %[[S:.*]], %[[M:.*]] = lowbit.packed_weight {data = dense<{{\[}}[472446401, -390451572]]> : tensor<1x2xi32>, layout = #lowbit.layout<radix(11), block = 10>, mins = dense<5.000000e-01> : tensor<1x1xf16>, scales = dense<5.000000e-01> : tensor<1x1xf16>
// CHECK: lowbit.dequantize %{{.*}} scales(%[[S]] : tensor<1x1xf16>) mins(%[[M]] : tensor<1x1xf16>)
// CHECK-NOT: arith.constant
func.func @shared_scales_mins() -> tensor<1x10xf32> {
  %c = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]> : tensor<1x10xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf16>
  %w = lowbit.dequantize %c scales(%s : tensor<1x1xf16>) mins(%s : tensor<1x1xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 10), codebook = <linspace(-1.0, 1.0, 11)>>} : tensor<1x10xi8> -> tensor<1x10xf32>
  return %w : tensor<1x10xf32>
}

// RUN: lowbit-opt %s -split-input-file | lowbit-opt -split-input-file | FileCheck %s

// The radix superblock layout and its i8 parameter bytes round-trip. With
// K = 1300 and groups of 128 a row is one superblock of 9 x 128 codes (128
// words, 4 + 2 * 9 parameter bytes) and a tail of 148 codes (17 words, two
// groups: 4 + 2 * 2 bytes): 145 words and 30 bytes.

// CHECK-LABEL: func.func private @layout() attributes {l = #lowbit.layout<radix_superblock(11), block = 128>}
func.func private @layout() attributes {l = #lowbit.layout<radix_superblock(11), block = 128>}

// -----

// CHECK-LABEL: func.func @unpack_dequantize
// CHECK: lowbit.unpack %{{.*}} {layout = #lowbit.layout<radix_superblock(11), block = 128>} : tensor<2x145xi32> -> tensor<2x1300xi8>
// CHECK: lowbit.dequantize %{{.*}} scales(%{{.*}} : tensor<2x30xi8>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <{{.*}}>>} : tensor<2x1300xi8> -> tensor<2x1300xf32>
func.func @unpack_dequantize(%p: tensor<2x145xi32>, %params: tensor<2x30xi8>) -> tensor<2x1300xf32> {
  %c = lowbit.unpack %p {layout = #lowbit.layout<radix_superblock(11), block = 128>} : tensor<2x145xi32> -> tensor<2x1300xi8>
  %w = lowbit.dequantize %c scales(%params : tensor<2x30xi8>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>} : tensor<2x1300xi8> -> tensor<2x1300xf32>
  return %w : tensor<2x1300xf32>
}

// -----

// K = 100: only a tail of 12 words and one group (6 bytes: d = e = 1.0 as
// fp16 0x3C00, then a, then b).

// CHECK-LABEL: func.func @packed_matmul
// CHECK: %[[P:[a-z_0-9]+]], %[[S:[a-z_0-9]+]] = lowbit.packed_weight {data = dense<0> : tensor<2x12xi32>, layout = #lowbit.layout<radix_superblock(11), block = 128>, scales = dense<{{\[}}[0, 60, 0, 60, 1, -1], [0, 60, 0, 60, 2, 0]]> : tensor<2x6xi8>
// CHECK: lowbit.matmul %{{.*}}, %[[P]] scales(%[[S]] : tensor<2x6xi8>) {layout = #lowbit.layout<radix_superblock(11), block = 128>
func.func @packed_matmul(%x: tensor<1x100xf32>) -> tensor<1x2xf32> {
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<2x12xi32>, scales = dense<[[0, 60, 0, 60, 1, -1], [0, 60, 0, 60, 2, 0]]> : tensor<2x6xi8>, shape = array<i64: 2, 100>, scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix_superblock(11), block = 128>} : tensor<2x12xi32>, tensor<2x6xi8>
  %y = lowbit.matmul %x, %w#0 scales(%w#1 : tensor<2x6xi8>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix_superblock(11), block = 128>} : tensor<1x100xf32>, tensor<2x12xi32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

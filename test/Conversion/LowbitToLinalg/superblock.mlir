// RUN: lowbit-opt %s -split-input-file -convert-lowbit-to-linalg | FileCheck %s

// radix_superblock(11), groups of 128, K = 100 (a tail only): code c is
// digit p / W of word s g + p % W with s = c / 1152 and W = 128 for whole
// superblocks or 12 for this tail; the digit decode multiplies by 11^i
// (mod 2^32) and takes the high half of the product by 11.
// CHECK-LABEL: func @unpack
// CHECK: arith.constant dense<[1, 11, 121, 1331, 14641, 161051, 1771561, 19487171, 214358881]> : tensor<9xi32>
// CHECK: linalg.generic
// CHECK: arith.divui %{{.*}}, %c1152 : index
// CHECK: arith.select %{{.*}}, %c128, %c12 : index
// CHECK: arith.extui %{{.*}} : i32 to i64
// CHECK: arith.shrui %{{.*}}, %c32_i64 : i64
// CHECK: -> tensor<2x100xi8>
func.func @unpack(%p: tensor<2x12xi32>) -> tensor<2x100xi8> {
  %c = lowbit.unpack %p {layout = #lowbit.layout<radix_superblock(11), block = 128>} : tensor<2x12xi32> -> tensor<2x100xi8>
  return %c : tensor<2x100xi8>
}

// -----

// Packing encodes each word's nine digits (0 past the row) by Horner and
// stores ceil(v 2^32 / 11^9).
// CHECK-LABEL: func @pack
// CHECK: linalg.generic
// CHECK: arith.divui %{{.*}}, %c128 : index
// CHECK: arith.divui %{{.*}}, %c2357947691_i64 : i64
// CHECK: -> tensor<2x12xi32>
func.func @pack(%c: tensor<2x100xi8>) -> tensor<2x12xi32> {
  %p = lowbit.pack %c {layout = #lowbit.layout<radix_superblock(11), block = 128>} : tensor<2x100xi8> -> tensor<2x12xi32>
  return %p : tensor<2x12xi32>
}

// -----

// Superblock parameter bytes decode to f32 scales (a * d) and mins (b * e),
// one value per group, then the dequantization is the min_scale one.
// CHECK-LABEL: func @dequantize
// CHECK: linalg.generic
// CHECK: arith.bitcast %{{.*}} : i16 to f16
// CHECK: arith.uitofp %{{.*}} : i8 to f32
// CHECK: -> tensor<2x1xf32>
// CHECK: linalg.generic
// CHECK: arith.bitcast %{{.*}} : i16 to f16
// CHECK: arith.sitofp %{{.*}} : i8 to f32
// CHECK: -> tensor<2x1xf32>
// CHECK: linalg.generic
// CHECK: -> tensor<2x100xf32>
func.func @dequantize(%c: tensor<2x100xi8>, %p: tensor<2x6xi8>) -> tensor<2x100xf32> {
  %w = lowbit.dequantize %c scales(%p : tensor<2x6xi8>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>} : tensor<2x100xi8> -> tensor<2x100xf32>
  return %w : tensor<2x100xf32>
}

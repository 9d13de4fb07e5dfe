// RUN: lowbit-opt %s -split-input-file -verify-diagnostics -lowbit-pack-weights="layout=int4"
// RUN: lowbit-opt %s -split-input-file -verify-diagnostics -lowbit-pack-weights="layout=radix"

// Superblock parameters take radix_superblock alone.
func.func @not_superblock_layout() -> tensor<1x4xf32> {
  %c = arith.constant dense<[[0, 10, 0, 10]]> : tensor<1x4xi8>
  %p = arith.constant dense<[[5, 28, 9, 28, -1, 64, -127, 0]]> : tensor<1x8xi8>
  // expected-error-re @+1 {{unknown layout '{{int4|radix}}' for this scheme}}
  %w = lowbit.dequantize %c scales(%p : tensor<1x8xi8>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 2), codebook = <linspace(-1.0, 1.0, 11)>>} : tensor<1x4xi8> -> tensor<1x4xf32>
  return %w : tensor<1x4xf32>
}

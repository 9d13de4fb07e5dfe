// RUN: lowbit-opt %s -split-input-file -verify-diagnostics -lowbit-pack-weights="report=true"
// RUN: not lowbit-opt %s -split-input-file -lowbit-pack-weights="layout=int2" 2>&1 | FileCheck %s --check-prefix=NARROW
// RUN: not lowbit-opt %s -split-input-file -lowbit-pack-weights="layout=radix" 2>&1 | FileCheck %s --check-prefix=RADIX
// RUN: not lowbit-opt %s -split-input-file -lowbit-pack-weights="layout=int5" 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// NARROW: error: layout #lowbit.layout<int2, block = 16> cannot hold the codes of #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 16)>
// RADIX: error: unknown layout 'radix' for this scheme (expected auto, int8, int4, int4-interleaved, int3, int2, int2-planes for groups of a multiple of 16 codes, int8-panel for signed symmetric int8 per channel, int4-panel for signed symmetric int4 in groups of a multiple of 8, int3-panel for int3 in groups of a multiple of 32 (w3g64), int2-panel for int2 in groups of a multiple of 16 (w2g32), radix-panel for min/scale codes of 10 or 11 even levels in groups of a multiple of 4 (c11g128), radix for codebook schemes, radix-fields for codebook schemes of 2 to 11 levels, or auto / radix-superblock for superblock parameters)
// UNKNOWN: error: unknown layout 'int5' for this scheme

// 16 codes at 4 bits in one block of 16: 8 bytes, plus one f16 scale.
func.func @report() -> tensor<1x16xf32> {
  %c = arith.constant dense<1> : tensor<1x16xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf16>
  // expected-remark @+1 {{packed weight 1x16 as #lowbit.layout<int4_interleaved, block = 16>: 8 + 2 bytes (f32: 64, 5.000 bits per weight)}}
  %w = lowbit.dequantize %c scales(%s : tensor<1x1xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 16)>} : tensor<1x16xi8> -> tensor<1x16xf32>
  return %w : tensor<1x16xf32>
}

// -----

// A code outside the scheme's range cannot be packed: an error, not wrapped bits.
func.func @out_of_range() -> tensor<1x4xf32> {
  %c = arith.constant dense<[[1, 2, 3, 9]]> : tensor<1x4xi8>
  %s = arith.constant dense<0.5> : tensor<f32>
  // expected-error @+1 {{weight codes do not fit #lowbit.layout<int4_interleaved, block = 32>}}
  %w = lowbit.dequantize %c scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>} : tensor<1x4xi8> -> tensor<1x4xf32>
  return %w : tensor<1x4xf32>
}

// RUN: lowbit-opt %s -split-input-file -canonicalize | FileCheck %s

// quantize(dequantize(q)) with the same parameters is q.
// CHECK-LABEL: func @requantize_same_params
// CHECK-SAME: (%[[Q:.*]]: tensor<4x64xi8>
// CHECK-NOT: lowbit.
// CHECK: return %[[Q]]
func.func @requantize_same_params(%q: tensor<4x64xi8>, %s: tensor<4x2xf32>, %z: tensor<4x2xi8>) -> tensor<4x64xi8> {
  %d = lowbit.dequantize %q scales(%s : tensor<4x2xf32>) zero_points(%z : tensor<4x2xi8>) {scheme = #lowbit.scheme<u8, affine, per_group(axis = 1, size = 32)>} : tensor<4x64xi8> -> tensor<4x64xf32>
  %r = lowbit.quantize %d scales(%s : tensor<4x2xf32>) zero_points(%z : tensor<4x2xi8>) {scheme = #lowbit.scheme<u8, affine, per_group(axis = 1, size = 32)>} : tensor<4x64xf32> -> tensor<4x64xi8>
  return %r : tensor<4x64xi8>
}

// -----

// Different scales: not the identity.
// CHECK-LABEL: func @requantize_other_scales
// CHECK: lowbit.dequantize
// CHECK: lowbit.quantize
func.func @requantize_other_scales(%q: tensor<8xi8>, %s: tensor<f32>, %t: tensor<f32>) -> tensor<8xi8> {
  %d = lowbit.dequantize %q scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<8xi8> -> tensor<8xf32>
  %r = lowbit.quantize %d scales(%t : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<8xf32> -> tensor<8xi8>
  return %r : tensor<8xi8>
}

// -----

// Different schemes (4 vs 8 bits): not the identity.
// CHECK-LABEL: func @requantize_other_scheme
// CHECK: lowbit.quantize
func.func @requantize_other_scheme(%q: tensor<8xi8>, %s: tensor<f32>) -> tensor<8xi8> {
  %d = lowbit.dequantize %q scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<8xi8> -> tensor<8xf32>
  %r = lowbit.quantize %d scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>} : tensor<8xf32> -> tensor<8xi8>
  return %r : tensor<8xi8>
}

// -----

// Truncation may turn k into k - 1 after a rounding error: not folded.
// CHECK-LABEL: func @requantize_toward_zero
// CHECK: lowbit.quantize
func.func @requantize_toward_zero(%q: tensor<8xi8>, %s: tensor<f32>) -> tensor<8xi8> {
  %d = lowbit.dequantize %q scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor, rounding = toward_zero>} : tensor<8xi8> -> tensor<8xf32>
  %r = lowbit.quantize %d scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor, rounding = toward_zero>} : tensor<8xf32> -> tensor<8xi8>
  return %r : tensor<8xi8>
}

// -----

// The min of min_scale can swamp small steps in floating point: not folded.
// CHECK-LABEL: func @requantize_min_scale
// CHECK: lowbit.quantize
func.func @requantize_min_scale(%q: tensor<8xi8>, %s: tensor<f32>, %m: tensor<f32>) -> tensor<8xi8> {
  %d = lowbit.dequantize %q scales(%s : tensor<f32>) mins(%m : tensor<f32>) {scheme = #lowbit.scheme<u4, min_scale, per_tensor>} : tensor<8xi8> -> tensor<8xf32>
  %r = lowbit.quantize %d scales(%s : tensor<f32>) mins(%m : tensor<f32>) {scheme = #lowbit.scheme<u4, min_scale, per_tensor>} : tensor<8xf32> -> tensor<8xi8>
  return %r : tensor<8xi8>
}

// -----

// An f16 round trip loses bits of large codes: not folded.
// CHECK-LABEL: func @requantize_f16
// CHECK: lowbit.quantize
func.func @requantize_f16(%q: tensor<8xi8>, %s: tensor<f32>) -> tensor<8xi8> {
  %d = lowbit.dequantize %q scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<8xi8> -> tensor<8xf16>
  %r = lowbit.quantize %d scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<8xf16> -> tensor<8xi8>
  return %r : tensor<8xi8>
}

// -----

// dequantize(quantize(x)) is lossy and is never folded.
// CHECK-LABEL: func @dequantize_quantize_kept
// CHECK: lowbit.quantize
// CHECK: lowbit.dequantize
func.func @dequantize_quantize_kept(%x: tensor<8xf32>, %s: tensor<f32>) -> tensor<8xf32> {
  %q = lowbit.quantize %x scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<8xf32> -> tensor<8xi8>
  %d = lowbit.dequantize %q scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<8xi8> -> tensor<8xf32>
  return %d : tensor<8xf32>
}

// -----

// CHECK-LABEL: func @unpack_pack
// CHECK-SAME: (%[[C:.*]]: tensor<4x100xi8>)
// CHECK-NEXT: return %[[C]]
func.func @unpack_pack(%c: tensor<4x100xi8>) -> tensor<4x100xi8> {
  %p = lowbit.pack %c {layout = #lowbit.layout<radix(11), block = 32>} : tensor<4x100xi8> -> tensor<4x16xi32>
  %u = lowbit.unpack %p {layout = #lowbit.layout<radix(11), block = 32>} : tensor<4x16xi32> -> tensor<4x100xi8>
  return %u : tensor<4x100xi8>
}

// -----

// Sign extension differs from what was packed: kept.
// CHECK-LABEL: func @unpack_pack_other_signedness
// CHECK: lowbit.pack
// CHECK: lowbit.unpack
func.func @unpack_pack_other_signedness(%c: tensor<4x8xi8>) -> tensor<4x8xi8> {
  %p = lowbit.pack %c {layout = #lowbit.layout<int4>} : tensor<4x8xi8> -> tensor<4x4xi8>
  %u = lowbit.unpack %p {layout = #lowbit.layout<int4>, signed_codes} : tensor<4x4xi8> -> tensor<4x8xi8>
  return %u : tensor<4x8xi8>
}

// -----

// Different layouts: kept.
// CHECK-LABEL: func @unpack_pack_other_layout
// CHECK: lowbit.pack
// CHECK: lowbit.unpack
func.func @unpack_pack_other_layout(%c: tensor<4x8xi8>) -> tensor<4x8xi8> {
  %p = lowbit.pack %c {layout = #lowbit.layout<int4>} : tensor<4x8xi8> -> tensor<4x4xi8>
  %u = lowbit.unpack %p {layout = #lowbit.layout<int4_interleaved, block = 8>} : tensor<4x4xi8> -> tensor<4x8xi8>
  return %u : tensor<4x8xi8>
}

// -----

// Constant codes pack at compile time. Expected values computed by hand from
// the layout definitions.
// CHECK-LABEL: func @pack_constants
// int4 signed: {1,-2} -> 0xE1, {3,4} -> 0x43, {-8,7} -> 0x78; odd tail {5} -> 0x05.
// CHECK-DAG: arith.constant dense<{{\[}}[-31, 67, 120, 5]]> : tensor<1x4xi8>
// int4_interleaved, block 4: {1,2,3,4} -> {0x31, 0x42}; partial {5,6} padded -> {0x05, 0x06}.
// CHECK-DAG: arith.constant dense<{{\[}}[49, 66, 5, 6]]> : tensor<1x4xi8>
// int2 signed: {-2,-1,0,1} -> 2 | 3<<2 | 0<<4 | 1<<6 = 78; {1} -> 1.
// CHECK-DAG: arith.constant dense<{{\[}}[78, 1]]> : tensor<1x2xi8>
// int3: {1,2,3,4,5,6,7,0,1,2} -> sum c_i << 3i = 287267025; {7,7} -> 63.
// CHECK-DAG: arith.constant dense<{{\[}}[287267025, 63]]> : tensor<1x2xi32>
// radix 11: ceil(v * 2^32 / 11^9) with v = sum c_i 11^(8-i).
// CHECK-DAG: arith.constant dense<{{\[}}[472446401], [-1], [2]]> : tensor<3x1xi32>
// CHECK-NOT: lowbit.pack
func.func @pack_constants() -> (tensor<1x4xi8>, tensor<1x4xi8>, tensor<1x2xi8>, tensor<1x2xi32>, tensor<3x1xi32>) {
  %c4 = arith.constant dense<[[1, -2, 3, 4, -8, 7, 5]]> : tensor<1x7xi8>
  %p4 = lowbit.pack %c4 {layout = #lowbit.layout<int4>, signed_codes} : tensor<1x7xi8> -> tensor<1x4xi8>
  %ci = arith.constant dense<[[1, 2, 3, 4, 5, 6]]> : tensor<1x6xi8>
  %pi = lowbit.pack %ci {layout = #lowbit.layout<int4_interleaved, block = 4>} : tensor<1x6xi8> -> tensor<1x4xi8>
  %c2 = arith.constant dense<[[-2, -1, 0, 1, 1]]> : tensor<1x5xi8>
  %p2 = lowbit.pack %c2 {layout = #lowbit.layout<int2>, signed_codes} : tensor<1x5xi8> -> tensor<1x2xi8>
  %c3 = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 7, 7]]> : tensor<1x12xi8>
  %p3 = lowbit.pack %c3 {layout = #lowbit.layout<int3>} : tensor<1x12xi8> -> tensor<1x2xi32>
  %c11 = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 10, 10, 10, 10, 10, 10, 10, 10], [0, 0, 0, 0, 0, 0, 0, 0, 1]]> : tensor<3x9xi8>
  %p11 = lowbit.pack %c11 {layout = #lowbit.layout<radix(11)>} : tensor<3x9xi8> -> tensor<3x1xi32>
  return %p4, %pi, %p2, %p3, %p11 : tensor<1x4xi8>, tensor<1x4xi8>, tensor<1x2xi8>, tensor<1x2xi32>, tensor<3x1xi32>
}

// -----

// A code outside the layout's range would make the result poison: kept.
// CHECK-LABEL: func @pack_out_of_range
// CHECK: lowbit.pack
func.func @pack_out_of_range() -> tensor<1x1xi8> {
  %c = arith.constant dense<[[8, 0]]> : tensor<1x2xi8>
  %p = lowbit.pack %c {layout = #lowbit.layout<int4>, signed_codes} : tensor<1x2xi8> -> tensor<1x1xi8>
  return %p : tensor<1x1xi8>
}

// -----

// Constant storage unpacks at compile time, sign- or zero-extended.
// CHECK-LABEL: func @unpack_constants
// CHECK-DAG: arith.constant dense<{{\[}}[1, -2, 3, 4, -8, 7, 5]]> : tensor<1x7xi8>
// CHECK-DAG: arith.constant dense<{{\[}}[1, 14, 3, 4, 8, 7, 5]]> : tensor<1x7xi8>
// CHECK-DAG: arith.constant dense<{{\[}}[1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 10, 10, 10, 10, 10, 10, 10, 10]]> : tensor<2x9xi8>
// CHECK-NOT: lowbit.unpack
func.func @unpack_constants() -> (tensor<1x7xi8>, tensor<1x7xi8>, tensor<2x9xi8>) {
  %p = arith.constant dense<[[-31, 67, 120, 5]]> : tensor<1x4xi8>
  %s = lowbit.unpack %p {layout = #lowbit.layout<int4>, signed_codes} : tensor<1x4xi8> -> tensor<1x7xi8>
  %u = lowbit.unpack %p {layout = #lowbit.layout<int4>} : tensor<1x4xi8> -> tensor<1x7xi8>
  %w = arith.constant dense<[[472446401], [-1]]> : tensor<2x1xi32>
  %d = lowbit.unpack %w {layout = #lowbit.layout<radix(11)>} : tensor<2x1xi32> -> tensor<2x9xi8>
  return %s, %u, %d : tensor<1x7xi8>, tensor<1x7xi8>, tensor<2x9xi8>
}

// -----

// A dense_resource payload folds into a new dense_resource blob.
// CHECK-LABEL: func @pack_resource
// CHECK: %[[P:.*]] = arith.constant dense_resource<lowbit_constant> : tensor<2x2xi8>
// CHECK: %[[U:.*]] = arith.constant dense_resource<lowbit_constant_1> : tensor<2x4xi8>
// CHECK: return %[[P]], %[[U]]
// Codes {1,2,3,4},{7,1,2,3} pack to bytes 0x21 0x43 0x17 0x32 and back.
// CHECK: lowbit_constant: "0x0100000021431732"
// CHECK: lowbit_constant_1: "0x010000000102030407010203"
func.func @pack_resource() -> (tensor<2x2xi8>, tensor<2x4xi8>) {
  %c = arith.constant dense_resource<codes> : tensor<2x4xi8>
  %p = lowbit.pack %c {layout = #lowbit.layout<int4>} : tensor<2x4xi8> -> tensor<2x2xi8>
  %r = arith.constant dense_resource<packed> : tensor<2x2xi8>
  %u = lowbit.unpack %r {layout = #lowbit.layout<int4>} : tensor<2x2xi8> -> tensor<2x4xi8>
  return %p, %u : tensor<2x2xi8>, tensor<2x4xi8>
}

{-#
  dialect_resources: {
    builtin: {
      codes: "0x010000000102030407010203",
      packed: "0x0100000021431732"
    }
  }
#-}

// -----

// quantize of constants folds to codes. By hand, s = 0.5:
//   [1.0, -2.5, 3.49, 100.0, 0.25, 0.75] / s = [2, -5, 6.98, 200, 0.5, 1.5]
//   -> [2, -5, 7, 127 (saturated), 0 (tie to even), 2 (tie to even)]
// and affine u8 per channel (z = [10, 250], s = [0.5, 1.0]):
//   row 0: [0.0, 1.0] -> [10, 12]; row 1: [10.0, -300.0] -> [260 -> 255, -50]
//   printed as signless i8: 255 -> -1, -50 -> 0 (saturated at qmin = 0).
// CHECK-LABEL: func @quantize_constants
// CHECK-DAG: arith.constant dense<[2, -5, 7, 127, 0, 2]> : tensor<6xi8>
// CHECK-DAG: arith.constant dense<{{\[}}[10, 12], [-1, 0]]> : tensor<2x2xi8>
// CHECK-NOT: lowbit.quantize
func.func @quantize_constants() -> (tensor<6xi8>, tensor<2x2xi8>) {
  %x = arith.constant dense<[1.0, -2.5, 3.49, 100.0, 0.25, 0.75]> : tensor<6xf32>
  %s = arith.constant dense<0.5> : tensor<f32>
  %q = lowbit.quantize %x scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<6xf32> -> tensor<6xi8>
  %y = arith.constant dense<[[0.0, 1.0], [10.0, -300.0]]> : tensor<2x2xf32>
  %t = arith.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %z = arith.constant dense<[10, 250]> : tensor<2xi32>
  %r = lowbit.quantize %y scales(%t : tensor<2xf32>) zero_points(%z : tensor<2xi32>) {scheme = #lowbit.scheme<u8, affine, per_channel(axis = 0)>} : tensor<2x2xf32> -> tensor<2x2xi8>
  return %q, %r : tensor<6xi8>, tensor<2x2xi8>
}

// -----

// A NaN input is not folded (there is no code for it).
// CHECK-LABEL: func @quantize_nan_kept
// CHECK: lowbit.quantize
func.func @quantize_nan_kept() -> tensor<2xi8> {
  %x = arith.constant dense<[1.0, 0x7FC00000]> : tensor<2xf32>
  %s = arith.constant dense<0.5> : tensor<f32>
  %q = lowbit.quantize %x scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<2xf32> -> tensor<2xi8>
  return %q : tensor<2xi8>
}

// -----

// dequantize of constant codes is never folded: it would turn quantized
// weights back into float constants.
// CHECK-LABEL: func @dequantize_constant_kept
// CHECK: lowbit.dequantize
func.func @dequantize_constant_kept() -> tensor<2xf32> {
  %q = arith.constant dense<[1, 2]> : tensor<2xi8>
  %s = arith.constant dense<0.5> : tensor<f32>
  %x = lowbit.dequantize %q scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<2xi8> -> tensor<2xf32>
  return %x : tensor<2xf32>
}

// -----

// Zero points are read with the scheme's signedness: the i8 bits of -56 are
// the u8 zero point 200, so x / s + 200 = [200, 201] (i8 bits -56, -55).
// CHECK-LABEL: func @quantize_unsigned_zero_point
// CHECK: arith.constant dense<[-56, -55]> : tensor<2xi8>
func.func @quantize_unsigned_zero_point() -> tensor<2xi8> {
  %x = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %s = arith.constant dense<1.0> : tensor<f32>
  %z = arith.constant dense<-56> : tensor<i8>
  %q = lowbit.quantize %x scales(%s : tensor<f32>) zero_points(%z : tensor<i8>) {scheme = #lowbit.scheme<u8, affine, per_tensor>} : tensor<2xf32> -> tensor<2xi8>
  return %q : tensor<2xi8>
}

// -----

// Panels fold too (values from the layout definition): int8_panel puts the
// 4 codes of quad 0 of row r at bytes 4r..4r+3; int4_panel codes k and k + 4
// of row 0 share byte k (low, high nibble): {1, 2, 3, 4, -1, 5, 6, 7} ->
// 0xF1, 0x52, 0x63, 0x74; row 1 {1, 0, ...} -> byte 4 = 1. Unpacking those
// bytes as a constant gives the codes back.
// CHECK-LABEL: func @pack_panel_constants
// CHECK-DAG: arith.constant dense<{{\[}}[1, -2, 3, 4, 5, 0, 0, 0, 0, 0,
// CHECK-DAG: arith.constant dense<{{\[}}[-15, 82, 99, 116, 1, 0, 0, 0, 0, 0,
// CHECK-DAG: arith.constant dense<{{\[}}[1, 2, 3, 4, -1, 5, 6, 7], [1, 0, 0, 0, 0, 0, 0, 0]]> : tensor<2x8xi8>
// CHECK-NOT: lowbit.pack
// CHECK-NOT: lowbit.unpack
func.func @pack_panel_constants() -> (tensor<1x64xi8>, tensor<1x64xi8>, tensor<2x8xi8>) {
  %c8 = arith.constant dense<[[1, -2, 3, 4], [5, 0, 0, 0]]> : tensor<2x4xi8>
  %p8 = lowbit.pack %c8 {layout = #lowbit.layout<int8_panel>, signed_codes} : tensor<2x4xi8> -> tensor<1x64xi8>
  %c4 = arith.constant dense<[[1, 2, 3, 4, -1, 5, 6, 7], [1, 0, 0, 0, 0, 0, 0, 0]]> : tensor<2x8xi8>
  %p4 = lowbit.pack %c4 {layout = #lowbit.layout<int4_panel>, signed_codes} : tensor<2x8xi8> -> tensor<1x64xi8>
  %q4 = arith.constant dense<[[-15, 82, 99, 116, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]> : tensor<1x64xi8>
  %u4 = lowbit.unpack %q4 {layout = #lowbit.layout<int4_panel>, signed_codes} : tensor<1x64xi8> -> tensor<2x8xi8>
  return %p8, %p4, %u4 : tensor<1x64xi8>, tensor<1x64xi8>, tensor<2x8xi8>
}

// -----

// Bit planes fold too: row 0 = {1, 2, 3, 0, 3}: quad 0 has plane 0 bits
// 1, 0, 1, 0 (index 5) and plane 1 bits 0, 1, 1, 0 (index 6): byte 0 =
// 0x65; quad 1 = {3, 0, 0, 0}: 0x11 at byte 16 (lane 1); row 1 = {2, 0,
// ...}: 0x10 at byte 1. Unpacking those bytes gives the codes back.
// CHECK-LABEL: func @pack_bit_plane_constants
// CHECK-DAG: arith.constant dense<{{\[}}[101, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0,
// CHECK-DAG: arith.constant dense<{{\[}}[1, 2, 3, 0, 3], [2, 0, 0, 0, 0]]> : tensor<2x5xi8>
// CHECK-NOT: lowbit.pack
// CHECK-NOT: lowbit.unpack
func.func @pack_bit_plane_constants() -> (tensor<1x64xi8>, tensor<2x5xi8>) {
  %c = arith.constant dense<[[1, 2, 3, 0, 3], [2, 0, 0, 0, 0]]> : tensor<2x5xi8>
  %p = lowbit.pack %c {layout = #lowbit.layout<int2_planes>} : tensor<2x5xi8> -> tensor<1x64xi8>
  %q = arith.constant dense<[[101, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]> : tensor<1x64xi8>
  %u = lowbit.unpack %q {layout = #lowbit.layout<int2_planes>} : tensor<1x64xi8> -> tensor<2x5xi8>
  return %p, %u : tensor<1x64xi8>, tensor<2x5xi8>
}

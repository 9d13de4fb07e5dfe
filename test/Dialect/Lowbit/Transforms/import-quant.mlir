// RUN: lowbit-opt %s -split-input-file -lowbit-import-quant | FileCheck %s

// Rounding: lowbit.quantize rounds x / s to nearest even and saturates to the
// storage range (the dialect's defaults, stated nowhere in the IR below).
// Upstream `-lower-quant-ops` emits arith.fptosi instead, which truncates
// toward zero (x / s = 2.7 gives code 3 here, 2 upstream) and, for
// full-range storage, does not clamp (x / s = 300 with i8 storage gives 127
// here, an out-of-range fptosi upstream). The scheme carries no `rounding =`
// entry, i.e. it is nearest_even.
// CHECK-LABEL: func @per_tensor_symmetric
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>) -> tensor<4x8xi8>
// CHECK: %[[S:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK: %[[Q:.*]] = lowbit.quantize %[[X]] scales(%[[S]] : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<4x8xf32> -> tensor<4x8xi8>
// CHECK: return %[[Q]] : tensor<4x8xi8>
// No quant op or type is left anywhere in the output:
// CHECK-NOT: quant.
func.func @per_tensor_symmetric(%x: tensor<4x8xf32>) -> tensor<4x8x!quant.uniform<i8:f32, 0.5>> {
  %q = quant.qcast %x : tensor<4x8xf32> to tensor<4x8x!quant.uniform<i8:f32, 0.5>>
  return %q : tensor<4x8x!quant.uniform<i8:f32, 0.5>>
}

// -----

// The example of the pass description.
// CHECK-LABEL: func @per_tensor_affine
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[S:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<3> : tensor<i8>
// CHECK: %[[Q:.*]] = lowbit.quantize %[[X]] scales(%[[S]] : tensor<f32>) zero_points(%[[Z]] : tensor<i8>)
// CHECK-SAME: {scheme = #lowbit.scheme<i8, affine, per_tensor>} : tensor<4xf32> -> tensor<4xi8>
// CHECK: return %[[Q]]
func.func @per_tensor_affine(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.5:3>> {
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:3>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.5:3>>
}

// -----

// A negative zero point, through quant.dcast.
// CHECK-LABEL: func @dequantize_affine
// CHECK-SAME: (%[[Q:.*]]: tensor<2x3xi8>) -> tensor<2x3xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<2.500000e-01> : tensor<f32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<-3> : tensor<i8>
// CHECK: %[[D:.*]] = lowbit.dequantize %[[Q]] scales(%[[S]] : tensor<f32>) zero_points(%[[Z]] : tensor<i8>)
// CHECK-SAME: {scheme = #lowbit.scheme<i8, affine, per_tensor>} : tensor<2x3xi8> -> tensor<2x3xf32>
// CHECK: return %[[D]]
func.func @dequantize_affine(%q: tensor<2x3x!quant.uniform<i8:f32, 0.25:-3>>) -> tensor<2x3xf32> {
  %d = quant.dcast %q : tensor<2x3x!quant.uniform<i8:f32, 0.25:-3>> to tensor<2x3xf32>
  return %d : tensor<2x3xf32>
}

// -----

// Unsigned storage becomes signless i8 with an unsigned scheme. Zero points
// are codes in the storage type: 200 is stored as its 8-bit pattern, which
// prints as -56 and is read unsigned because the scheme is u8 (upstream
// lower-quant-ops materializes the same i8 constant and uses uitofp).
// CHECK-LABEL: func @unsigned
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>) -> tensor<4xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<1.250000e-01> : tensor<f32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<-56> : tensor<i8>
// CHECK: %[[Q:.*]] = lowbit.quantize %[[X]] scales(%[[S]] : tensor<f32>) zero_points(%[[Z]] : tensor<i8>)
// CHECK-SAME: {scheme = #lowbit.scheme<u8, affine, per_tensor>} : tensor<4xf32> -> tensor<4xi8>
func.func @unsigned(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<u8:f32, 0.125:200>> {
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<u8:f32, 0.125:200>>
  return %q : tensor<4x!quant.uniform<u8:f32, 0.125:200>>
}

// -----

// Unsigned storage with zero point 0 is still affine: lowbit's symmetric
// schemes are signed.
// CHECK-LABEL: func @unsigned_zero
// CHECK-DAG: %[[S:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<0> : tensor<i8>
// CHECK: lowbit.dequantize %{{.*}} scales(%[[S]] : tensor<f32>) zero_points(%[[Z]] : tensor<i8>)
// CHECK-SAME: {scheme = #lowbit.scheme<u8, affine, per_tensor>} : tensor<4xi8> -> tensor<4xf32>
func.func @unsigned_zero(%q: tensor<4x!quant.uniform<u8:f32, 0.5>>) -> tensor<4xf32> {
  %d = quant.dcast %q : tensor<4x!quant.uniform<u8:f32, 0.5>> to tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

// Sub-byte unsigned storage keeps its width: u4 is stored in i4 (zero point
// 9 is the 4-bit pattern printed as -7).
// CHECK-LABEL: func @unsigned_4bit
// CHECK-SAME: (%[[X:.*]]: tensor<8xf32>) -> tensor<8xi4>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<2.000000e+00> : tensor<f32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<-7> : tensor<i4>
// CHECK: lowbit.quantize %[[X]] scales(%[[S]] : tensor<f32>) zero_points(%[[Z]] : tensor<i4>)
// CHECK-SAME: {scheme = #lowbit.scheme<u4, affine, per_tensor>} : tensor<8xf32> -> tensor<8xi4>
func.func @unsigned_4bit(%x: tensor<8xf32>) -> tensor<8x!quant.uniform<u4:f32, 2.0:9>> {
  %q = quant.qcast %x : tensor<8xf32> to tensor<8x!quant.uniform<u4:f32, 2.0:9>>
  return %q : tensor<8x!quant.uniform<u4:f32, 2.0:9>>
}

// -----

// CHECK-LABEL: func @narrow_range
// CHECK-SAME: (%[[X:.*]]: tensor<16xf32>) -> tensor<16xi8>
// CHECK: %[[S:.*]] = arith.constant dense<3.125000e-02> : tensor<f32>
// CHECK: lowbit.quantize %[[X]] scales(%[[S]] : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor, narrow>} : tensor<16xf32> -> tensor<16xi8>
func.func @narrow_range(%x: tensor<16xf32>) -> tensor<16x!quant.uniform<i8<-127:127>:f32, 0.03125>> {
  %q = quant.qcast %x : tensor<16xf32> to tensor<16x!quant.uniform<i8<-127:127>:f32, 0.03125>>
  return %q : tensor<16x!quant.uniform<i8<-127:127>:f32, 0.03125>>
}

// -----

// CHECK-LABEL: func @narrow_range_4bit
// CHECK-SAME: (%[[X:.*]]: tensor<16xf32>) -> tensor<16xi4>
// CHECK: %[[S:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: lowbit.quantize %[[X]] scales(%[[S]] : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor, narrow>} : tensor<16xf32> -> tensor<16xi4>
func.func @narrow_range_4bit(%x: tensor<16xf32>) -> tensor<16x!quant.uniform<i4<-7:7>:f32, 1.0>> {
  %q = quant.qcast %x : tensor<16xf32> to tensor<16x!quant.uniform<i4<-7:7>:f32, 1.0>>
  return %q : tensor<16x!quant.uniform<i4<-7:7>:f32, 1.0>>
}

// -----

// Per-axis: one scale and zero point per index of the quantized dimension.
// CHECK-LABEL: func @per_axis_affine
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>) -> tensor<2x3xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[5.000000e-01, 2.500000e-01, 2.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<[1, 0, -2]> : tensor<3xi8>
// CHECK: lowbit.quantize %[[X]] scales(%[[S]] : tensor<3xf32>) zero_points(%[[Z]] : tensor<3xi8>)
// CHECK-SAME: {scheme = #lowbit.scheme<i8, affine, per_channel(axis = 1)>} : tensor<2x3xf32> -> tensor<2x3xi8>
func.func @per_axis_affine(%x: tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32:1, {0.5:1, 0.25, 2.0:-2}>> {
  %q = quant.qcast %x : tensor<2x3xf32> to tensor<2x3x!quant.uniform<i8:f32:1, {0.5:1, 0.25, 2.0:-2}>>
  return %q : tensor<2x3x!quant.uniform<i8:f32:1, {0.5:1, 0.25, 2.0:-2}>>
}

// -----

// Per-axis with all zero points 0 is symmetric; dynamic sizes are kept.
// CHECK-LABEL: func @per_axis_symmetric_dynamic
// CHECK-SAME: (%[[Q:.*]]: tensor<2x?xi8>) -> tensor<2x?xf32>
// CHECK: %[[S:.*]] = arith.constant dense<[1.000000e+00, 1.500000e+00]> : tensor<2xf32>
// CHECK: lowbit.dequantize %[[Q]] scales(%[[S]] : tensor<2xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>} : tensor<2x?xi8> -> tensor<2x?xf32>
func.func @per_axis_symmetric_dynamic(%q: tensor<2x?x!quant.uniform<i8:f32:0, {1.0, 1.5}>>) -> tensor<2x?xf32> {
  %d = quant.dcast %q : tensor<2x?x!quant.uniform<i8:f32:0, {1.0, 1.5}>> to tensor<2x?xf32>
  return %d : tensor<2x?xf32>
}

// -----

// Sub-channel with one blocked dimension: blocks of 4 along dimension 1 and
// one block per row (block size 1) along dimension 0 is per_group(axis = 1,
// size = 4); the parameters have the tensor's shape with dimension 1 divided
// by 4 (2x8 -> 2x2), in the same row-major order as the quant type's.
// CHECK-LABEL: func @sub_channel_affine
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>) -> tensor<2x8xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<{{\[}}[1, 0], [-3, 4]]> : tensor<2x2xi8>
// CHECK: lowbit.quantize %[[X]] scales(%[[S]] : tensor<2x2xf32>) zero_points(%[[Z]] : tensor<2x2xi8>)
// CHECK-SAME: {scheme = #lowbit.scheme<i8, affine, per_group(axis = 1, size = 4)>} : tensor<2x8xf32> -> tensor<2x8xi8>
func.func @sub_channel_affine(%x: tensor<2x8xf32>) -> tensor<2x8x!quant.uniform<i8:f32:{0:1, 1:4}, {{1.0:1, 2.0}, {3.0:-3, 4.0:4}}>> {
  %q = quant.qcast %x : tensor<2x8xf32> to tensor<2x8x!quant.uniform<i8:f32:{0:1, 1:4}, {{1.0:1, 2.0}, {3.0:-3, 4.0:4}}>>
  return %q : tensor<2x8x!quant.uniform<i8:f32:{0:1, 1:4}, {{1.0:1, 2.0}, {3.0:-3, 4.0:4}}>>
}

// -----

// Blocks along dimension 0 (3 rows each): 6x2 -> 2x2 parameters.
// CHECK-LABEL: func @sub_channel_axis0
// CHECK-SAME: (%[[Q:.*]]: tensor<6x2xi4>) -> tensor<6x2xf32>
// CHECK: %[[S:.*]] = arith.constant dense<{{\[}}[5.000000e-01, 1.000000e+00], [1.500000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK: lowbit.dequantize %[[Q]] scales(%[[S]] : tensor<2x2xf32>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 0, size = 3)>} : tensor<6x2xi4> -> tensor<6x2xf32>
func.func @sub_channel_axis0(%q: tensor<6x2x!quant.uniform<i4:f32:{0:3, 1:1}, {{0.5, 1.0}, {1.5, 2.0}}>>) -> tensor<6x2xf32> {
  %d = quant.dcast %q : tensor<6x2x!quant.uniform<i4:f32:{0:3, 1:1}, {{0.5, 1.0}, {1.5, 2.0}}>> to tensor<6x2xf32>
  return %d : tensor<6x2xf32>
}

// -----

// A dimension without a block size is one block; of size 1 it is the same
// as block size 1. Unsigned sub-channel zero points 255 and 128 are stored
// as the i8 patterns -1 and -128.
// CHECK-LABEL: func @sub_channel_unlisted_unit_dim
// CHECK-SAME: (%[[X:.*]]: tensor<1x8xf32>) -> tensor<1x8xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<{{\[}}[5.000000e-01, 2.500000e-01]]> : tensor<1x2xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<{{\[}}[-1, -128]]> : tensor<1x2xi8>
// CHECK: lowbit.quantize %[[X]] scales(%[[S]] : tensor<1x2xf32>) zero_points(%[[Z]] : tensor<1x2xi8>)
// CHECK-SAME: {scheme = #lowbit.scheme<u8, affine, per_group(axis = 1, size = 4)>} : tensor<1x8xf32> -> tensor<1x8xi8>
func.func @sub_channel_unlisted_unit_dim(%x: tensor<1x8xf32>) -> tensor<1x8x!quant.uniform<u8:f32:{1:4}, {{0.5:255, 0.25:128}}>> {
  %q = quant.qcast %x : tensor<1x8xf32> to tensor<1x8x!quant.uniform<u8:f32:{1:4}, {{0.5:255, 0.25:128}}>>
  return %q : tensor<1x8x!quant.uniform<u8:f32:{1:4}, {{0.5:255, 0.25:128}}>>
}

// -----

// Signatures, calls, returns and declarations carry storage types.
// CHECK-LABEL: func private @external(tensor<4xi8>) -> tensor<4xi8>
// CHECK-LABEL: func @signature
// CHECK-SAME: (%[[A:.*]]: tensor<4xi8>, %[[B:.*]]: tensor<4xf32>) -> (tensor<4xi8>, tensor<4xf32>)
// CHECK: %[[C:.*]] = call @external(%[[A]]) : (tensor<4xi8>) -> tensor<4xi8>
// CHECK: %[[S:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[D:.*]] = lowbit.dequantize %[[C]] scales(%[[S]] : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<4xi8> -> tensor<4xf32>
// CHECK: %[[E:.*]] = arith.addf %[[D]], %[[B]]
// CHECK: return %[[C]], %[[E]] : tensor<4xi8>, tensor<4xf32>
func.func private @external(tensor<4x!quant.uniform<i8:f32, 1.0>>) -> tensor<4x!quant.uniform<i8:f32, 1.0>>
func.func @signature(%a: tensor<4x!quant.uniform<i8:f32, 1.0>>, %b: tensor<4xf32>) -> (tensor<4x!quant.uniform<i8:f32, 1.0>>, tensor<4xf32>) {
  %c = func.call @external(%a) : (tensor<4x!quant.uniform<i8:f32, 1.0>>) -> tensor<4x!quant.uniform<i8:f32, 1.0>>
  %d = quant.dcast %c : tensor<4x!quant.uniform<i8:f32, 1.0>> to tensor<4xf32>
  %e = arith.addf %d, %b : tensor<4xf32>
  return %c, %e : tensor<4x!quant.uniform<i8:f32, 1.0>>, tensor<4xf32>
}

// -----

// qcast -> dcast is not folded (upstream folds it to %x, dropping the
// quantization error): it becomes quantize -> dequantize with equal params.
// CHECK-LABEL: func @qcast_dcast_chain
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK-DAG: %[[S0:.*]] = arith.constant dense<[1.000000e-01, 2.000000e-01, 4.000000e-01]> : tensor<3xf32>
// CHECK-DAG: %[[Z0:.*]] = arith.constant dense<[-128, 0, 127]> : tensor<3xi8>
// CHECK: %[[Q:.*]] = lowbit.quantize %[[X]] scales(%[[S0]] : tensor<3xf32>) zero_points(%[[Z0]] : tensor<3xi8>)
// CHECK-SAME: {scheme = #lowbit.scheme<i8, affine, per_channel(axis = 0)>} : tensor<3x4xf32> -> tensor<3x4xi8>
// CHECK-DAG: %[[S1:.*]] = arith.constant dense<[1.000000e-01, 2.000000e-01, 4.000000e-01]> : tensor<3xf32>
// CHECK-DAG: %[[Z1:.*]] = arith.constant dense<[-128, 0, 127]> : tensor<3xi8>
// CHECK: %[[D:.*]] = lowbit.dequantize %[[Q]] scales(%[[S1]] : tensor<3xf32>) zero_points(%[[Z1]] : tensor<3xi8>)
// CHECK-SAME: {scheme = #lowbit.scheme<i8, affine, per_channel(axis = 0)>} : tensor<3x4xi8> -> tensor<3x4xf32>
// CHECK: return %[[D]]
func.func @qcast_dcast_chain(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %q = quant.qcast %x : tensor<3x4xf32> to tensor<3x4x!quant.uniform<i8:f32:0, {0.1:-128, 0.2, 0.4:127}>>
  %d = quant.dcast %q : tensor<3x4x!quant.uniform<i8:f32:0, {0.1:-128, 0.2, 0.4:127}>> to tensor<3x4xf32>
  return %d : tensor<3x4xf32>
}

// -----

// quant.scast is the identity on storage values, in both directions.
// CHECK-LABEL: func @storage_cast
// CHECK-SAME: (%[[CODES:.*]]: tensor<4xi8>) -> (tensor<4xf32>, tensor<4xi8>)
// CHECK-NOT: quant.scast
// CHECK: %[[S:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK: %[[Z:.*]] = arith.constant dense<7> : tensor<i8>
// CHECK: %[[D:.*]] = lowbit.dequantize %[[CODES]] scales(%[[S]] : tensor<f32>) zero_points(%[[Z]] : tensor<i8>)
// CHECK-NOT: quant.scast
// CHECK: return %[[D]], %[[CODES]] : tensor<4xf32>, tensor<4xi8>
func.func @storage_cast(%codes: tensor<4xi8>) -> (tensor<4xf32>, tensor<4xi8>) {
  %q = quant.scast %codes : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.5:7>>
  %d = quant.dcast %q : tensor<4x!quant.uniform<i8:f32, 0.5:7>> to tensor<4xf32>
  %back = quant.scast %q : tensor<4x!quant.uniform<i8:f32, 0.5:7>> to tensor<4xi8>
  return %d, %back : tensor<4xf32>, tensor<4xi8>
}

// -----

// scast of a quantized argument to its storage; storage casts need no
// scheme, so a 16-bit type passes through as i16.
// CHECK-LABEL: func @storage_cast_of_argument
// CHECK-SAME: (%[[A:.*]]: tensor<4xi16>) -> tensor<4xi16>
// CHECK-NEXT: return %[[A]] : tensor<4xi16>
func.func @storage_cast_of_argument(%a: tensor<4x!quant.uniform<i16:f32, 0.5>>) -> tensor<4xi16> {
  %s = quant.scast %a : tensor<4x!quant.uniform<i16:f32, 0.5>> to tensor<4xi16>
  return %s : tensor<4xi16>
}

// -----

// Any other op carrying quantized types is rebuilt on storage types,
// including region arguments (scf.for) and results (scf.if).
// CHECK-LABEL: func @other_ops
// CHECK-SAME: (%[[C:.*]]: i1, %[[A:.*]]: tensor<8xi8>, %[[N:.*]]: index) -> tensor<4xi8>
// CHECK: %[[R:.*]] = scf.if %[[C]] -> (tensor<4xi8>)
// CHECK: %[[SL:.*]] = tensor.extract_slice %[[A]][0] [4] [1] : tensor<8xi8> to tensor<4xi8>
// CHECK: scf.yield %[[SL]] : tensor<4xi8>
// CHECK: tensor.extract_slice %[[A]][4] [4] [1] : tensor<8xi8> to tensor<4xi8>
// CHECK: %[[L:.*]] = scf.for %{{.*}} = %{{.*}} to %[[N]] step %{{.*}} iter_args(%[[IT:.*]] = %[[R]]) -> (tensor<4xi8>)
// CHECK: scf.yield %[[IT]] : tensor<4xi8>
// CHECK: return %[[L]] : tensor<4xi8>
func.func @other_ops(%c: i1, %a: tensor<8x!quant.uniform<i8:f32, 0.5>>, %n: index) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  %r = scf.if %c -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
    %s = tensor.extract_slice %a[0] [4] [1] : tensor<8x!quant.uniform<i8:f32, 0.5>> to tensor<4x!quant.uniform<i8:f32, 0.5>>
    scf.yield %s : tensor<4x!quant.uniform<i8:f32, 0.5>>
  } else {
    %s = tensor.extract_slice %a[4] [4] [1] : tensor<8x!quant.uniform<i8:f32, 0.5>> to tensor<4x!quant.uniform<i8:f32, 0.5>>
    scf.yield %s : tensor<4x!quant.uniform<i8:f32, 0.5>>
  }
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %l = scf.for %i = %c0 to %n step %c1 iter_args(%it = %r) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
    scf.yield %it : tensor<4x!quant.uniform<i8:f32, 0.5>>
  }
  return %l : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

// Block arguments behind branches are converted with the branches.
// CHECK-LABEL: func @branches
// CHECK-SAME: (%[[C:.*]]: i1, %[[X:.*]]: tensor<4xf32>) -> tensor<4xi8>
// CHECK: %[[Q:.*]] = lowbit.quantize %[[X]]
// CHECK: cf.cond_br %[[C]], ^[[BB:.*]](%[[Q]] : tensor<4xi8>), ^[[BB]](%[[Q]] : tensor<4xi8>)
// CHECK: ^[[BB]](%[[V:.*]]: tensor<4xi8>):
// CHECK: return %[[V]] : tensor<4xi8>
func.func @branches(%c: i1, %x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  cf.cond_br %c, ^bb1(%q : tensor<4x!quant.uniform<i8:f32, 0.5>>), ^bb1(%q : tensor<4x!quant.uniform<i8:f32, 0.5>>)
^bb1(%v: tensor<4x!quant.uniform<i8:f32, 0.5>>):
  return %v : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

// A rank-0 tensor is per-tensor with rank-0 parameters like any other.
// CHECK-LABEL: func @rank0
// CHECK-SAME: (%[[X:.*]]: tensor<f32>) -> tensor<i8>
// CHECK: lowbit.quantize %[[X]] scales(%{{.*}} : tensor<f32>) zero_points(%{{.*}} : tensor<i8>)
// CHECK-SAME: : tensor<f32> -> tensor<i8>
func.func @rank0(%x: tensor<f32>) -> tensor<!quant.uniform<i8:f32, 0.5:1>> {
  %q = quant.qcast %x : tensor<f32> to tensor<!quant.uniform<i8:f32, 0.5:1>>
  return %q : tensor<!quant.uniform<i8:f32, 0.5:1>>
}

// RUN: lowbit-opt %s -split-input-file | FileCheck %s
// Round trip: the printed form parses back to the same IR.
// RUN: lowbit-opt %s -split-input-file | lowbit-opt -split-input-file | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -mlir-print-op-generic | lowbit-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func @quantize_per_group
// CHECK: lowbit.quantize %{{.*}} scales(%{{.*}} : tensor<64x4xf32>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>} : tensor<64x128xf32> -> tensor<64x128xi8>
// CHECK: lowbit.dequantize %{{.*}} scales(%{{.*}} : tensor<64x4xf32>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>} : tensor<64x128xi8> -> tensor<64x128xf32>
func.func @quantize_per_group(%x: tensor<64x128xf32>, %s: tensor<64x4xf32>) -> tensor<64x128xf32> {
  %q = lowbit.quantize %x scales(%s : tensor<64x4xf32>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>} : tensor<64x128xf32> -> tensor<64x128xi8>
  %d = lowbit.dequantize %q scales(%s : tensor<64x4xf32>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>} : tensor<64x128xi8> -> tensor<64x128xf32>
  return %d : tensor<64x128xf32>
}

// -----

// A partial last group (100 = 3 * 32 + 4) and dynamic leading dimension.
// CHECK-LABEL: func @quantize_affine_partial_group
// CHECK: lowbit.quantize %{{.*}} scales(%{{.*}} : tensor<?x4xf32>) zero_points(%{{.*}} : tensor<?x4xi8>) {scheme = #lowbit.scheme<u8, affine, per_group(axis = 1, size = 32), rounding = nearest_away>} : tensor<?x100xf32> -> tensor<?x100xi8>
func.func @quantize_affine_partial_group(%x: tensor<?x100xf32>, %s: tensor<?x4xf32>, %z: tensor<?x4xi8>) -> tensor<?x100xi8> {
  %q = lowbit.quantize %x scales(%s : tensor<?x4xf32>) zero_points(%z : tensor<?x4xi8>) {scheme = #lowbit.scheme<u8, affine, per_group(axis = 1, size = 32), rounding = nearest_away>} : tensor<?x100xf32> -> tensor<?x100xi8>
  return %q : tensor<?x100xi8>
}

// -----

// CHECK-LABEL: func @per_channel_narrow
// CHECK: {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0), narrow>} : tensor<6x1x5x5xf32> -> tensor<6x1x5x5xi8>
func.func @per_channel_narrow(%x: tensor<6x1x5x5xf32>, %s: tensor<6xf32>) -> tensor<6x1x5x5xi8> {
  %q = lowbit.quantize %x scales(%s : tensor<6xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0), narrow>} : tensor<6x1x5x5xf32> -> tensor<6x1x5x5xi8>
  return %q : tensor<6x1x5x5xi8>
}

// -----

// CHECK-LABEL: func @per_tensor_toward_zero
// CHECK: scales(%{{.*}} : tensor<f32>) {scheme = #lowbit.scheme<i2, symmetric, per_tensor, rounding = toward_zero>}
func.func @per_tensor_toward_zero(%x: tensor<3x3xf32>, %s: tensor<f32>) -> tensor<3x3xi2> {
  %q = lowbit.quantize %x scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i2, symmetric, per_tensor, rounding = toward_zero>} : tensor<3x3xf32> -> tensor<3x3xi2>
  return %q : tensor<3x3xi2>
}

// -----

// The 3.5-bit seed scheme: 11-level codebook, min/scale form in fp16.
// CHECK-LABEL: func @codebook_min_scale
// CHECK: lowbit.dequantize %{{.*}} scales(%{{.*}} : tensor<8x2xf16>) mins(%{{.*}} : tensor<8x2xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <[-1.000000e+00, -8.000000e-01, -6.000000e-01, -4.000000e-01, -2.000000e-01, 0.000000e+00, 2.000000e-01, 4.000000e-01, 6.000000e-01, 8.000000e-01, 1.000000e+00]>>} : tensor<8x256xi8> -> tensor<8x256xf32>
func.func @codebook_min_scale(%q: tensor<8x256xi8>, %s: tensor<8x2xf16>, %m: tensor<8x2xf16>) -> tensor<8x256xf32> {
  %d = lowbit.dequantize %q scales(%s : tensor<8x2xf16>) mins(%m : tensor<8x2xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>} : tensor<8x256xi8> -> tensor<8x256xf32>
  return %d : tensor<8x256xf32>
}

// -----

// The codebook also parses in its full attribute form.
// CHECK-LABEL: func @codebook_full_form
// CHECK: codebook = <[-1.000000e+00, 0.000000e+00, 5.000000e-01]>
func.func @codebook_full_form(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xi8> {
  %q = lowbit.quantize %x scales(%s : tensor<f32>) {scheme = #lowbit.scheme<u2, symmetric, per_tensor, codebook = #lowbit.codebook<[-1.0, 0.0, 0.5]>>} : tensor<4xf32> -> tensor<4xi8>
  return %q : tensor<4xi8>
}

// -----

// CHECK-LABEL: func @stats
// CHECK: lowbit.stats %{{.*}} {histogram = array<i64: 3, 10, 2, 1>, histogram_range = array<f32: -1.500000e+00, 4.000000e+00>, max = array<f32: 4.000000e+00>, min = array<f32: -1.500000e+00>} : tensor<1x84xf32>
// CHECK: lowbit.stats %{{.*}} {axis = 1 : i64, max = array<f32: 1.000000e+00, 3.000000e+00>, min = array<f32: 0.000000e+00, -2.000000e+00>} : tensor<4x2xf32>
func.func @stats(%x: tensor<1x84xf32>, %y: tensor<4x2xf32>) -> (tensor<1x84xf32>, tensor<4x2xf32>) {
  %0 = lowbit.stats %x {min = array<f32: -1.5>, max = array<f32: 4.0>, histogram = array<i64: 3, 10, 2, 1>, histogram_range = array<f32: -1.5, 4.0>} : tensor<1x84xf32>
  %1 = lowbit.stats %y {axis = 1, min = array<f32: 0.0, -2.0>, max = array<f32: 1.0, 3.0>} : tensor<4x2xf32>
  return %0, %1 : tensor<1x84xf32>, tensor<4x2xf32>
}

// -----

// CHECK-LABEL: func @requantize
// CHECK: lowbit.requantize %{{.*}} {multiplier = array<i32: 1518500250>, output_zero_point = -3 : i32, shift = array<i32: 38>} : tensor<1x120xi32> -> tensor<1x120xi8>
// CHECK: lowbit.requantize %{{.*}} {axis = 1 : i64, clamp_max = 127 : i32, clamp_min = 0 : i32, multiplier = array<i32: 1073741824, 1518500250>, shift = array<i32: 31, 33>} : tensor<3x2xi32> -> tensor<3x2xi8>
func.func @requantize(%a: tensor<1x120xi32>, %b: tensor<3x2xi32>) -> (tensor<1x120xi8>, tensor<3x2xi8>) {
  %0 = lowbit.requantize %a {multiplier = array<i32: 1518500250>, shift = array<i32: 38>, output_zero_point = -3 : i32} : tensor<1x120xi32> -> tensor<1x120xi8>
  %1 = lowbit.requantize %b {axis = 1, multiplier = array<i32: 1073741824, 1518500250>, shift = array<i32: 31, 33>, clamp_min = 0 : i32, clamp_max = 127 : i32} : tensor<3x2xi32> -> tensor<3x2xi8>
  return %0, %1 : tensor<1x120xi8>, tensor<3x2xi8>
}

// -----

// CHECK-LABEL: func @pack_layouts
// CHECK: lowbit.pack %{{.*}} {layout = #lowbit.layout<int8>} : tensor<4x10xi8> -> tensor<4x10xi8>
// CHECK: lowbit.pack %{{.*}} {layout = #lowbit.layout<int4>, signed_codes} : tensor<4x10xi8> -> tensor<4x5xi8>
// CHECK: lowbit.pack %{{.*}} {layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<4x10xi8> -> tensor<4x16xi8>
// CHECK: lowbit.pack %{{.*}} {layout = #lowbit.layout<int2>, signed_codes} : tensor<4x10xi8> -> tensor<4x3xi8>
// CHECK: lowbit.pack %{{.*}} {layout = #lowbit.layout<int3>} : tensor<4x10xi8> -> tensor<4x1xi32>
// CHECK: lowbit.pack %{{.*}} {layout = #lowbit.layout<radix(11)>} : tensor<4x10xi8> -> tensor<4x2xi32>
// CHECK: lowbit.pack %{{.*}} {layout = #lowbit.layout<radix(11), block = 128>} : tensor<4x10xi8> -> tensor<4x15xi32>
// CHECK: lowbit.pack %{{.*}} {layout = #lowbit.layout<radix_fields(11), block = 128>} : tensor<4x10xi8> -> tensor<4x15xi32>
func.func @pack_layouts(%c: tensor<4x10xi8>) -> (tensor<4x10xi8>, tensor<4x5xi8>, tensor<4x16xi8>, tensor<4x3xi8>, tensor<4x1xi32>, tensor<4x2xi32>, tensor<4x15xi32>, tensor<4x15xi32>) {
  %0 = lowbit.pack %c {layout = #lowbit.layout<int8>} : tensor<4x10xi8> -> tensor<4x10xi8>
  %1 = lowbit.pack %c {layout = #lowbit.layout<int4>, signed_codes} : tensor<4x10xi8> -> tensor<4x5xi8>
  %2 = lowbit.pack %c {layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<4x10xi8> -> tensor<4x16xi8>
  %3 = lowbit.pack %c {layout = #lowbit.layout<int2>, signed_codes} : tensor<4x10xi8> -> tensor<4x3xi8>
  %4 = lowbit.pack %c {layout = #lowbit.layout<int3>} : tensor<4x10xi8> -> tensor<4x1xi32>
  %5 = lowbit.pack %c {layout = #lowbit.layout<radix(11)>} : tensor<4x10xi8> -> tensor<4x2xi32>
  %6 = lowbit.pack %c {layout = #lowbit.layout<radix(11), block = 128>} : tensor<4x10xi8> -> tensor<4x15xi32>
  %7 = lowbit.pack %c {layout = #lowbit.layout<radix_fields(11), block = 128>} : tensor<4x10xi8> -> tensor<4x15xi32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<4x10xi8>, tensor<4x5xi8>, tensor<4x16xi8>, tensor<4x3xi8>, tensor<4x1xi32>, tensor<4x2xi32>, tensor<4x15xi32>, tensor<4x15xi32>
}

// -----

// CHECK-LABEL: func @unpack
// CHECK: lowbit.unpack %{{.*}} {layout = #lowbit.layout<int4>, signed_codes} : tensor<2x3x64xi8> -> tensor<2x3x128xi8>
func.func @unpack(%p: tensor<2x3x64xi8>) -> tensor<2x3x128xi8> {
  %0 = lowbit.unpack %p {layout = #lowbit.layout<int4>, signed_codes} : tensor<2x3x64xi8> -> tensor<2x3x128xi8>
  return %0 : tensor<2x3x128xi8>
}

// -----

// CHECK-LABEL: func @packed_weight_matmul
// CHECK: %[[P:[a-z_0-9]+]], %[[S:[a-z_0-9]+]] = lowbit.packed_weight {data = dense<{{.*}}> : tensor<4x8xi8>, layout = #lowbit.layout<int4>, scales = dense<{{.*}}> : tensor<4x1xf16>, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, shape = array<i64: 4, 16>} : tensor<4x8xi8>, tensor<4x1xf16>
// CHECK: lowbit.matmul %{{.*}}, %[[P]] scales(%[[S]] : tensor<4x1xf16>) bias(%{{.*}} : tensor<4xf32>) {layout = #lowbit.layout<int4>, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
func.func @packed_weight_matmul(%x: tensor<2x16xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %w:2 = lowbit.packed_weight {data = dense<17> : tensor<4x8xi8>, scales = dense<0.5> : tensor<4x1xf16>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<4x1xf16>
  %y = lowbit.matmul %x, %w#0 scales(%w#1 : tensor<4x1xf16>) bias(%b : tensor<4xf32>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// An epilogue: GELU of the output plus a residual [M, N], times a per-column
// [N] factor.
// CHECK-LABEL: func @matmul_epilogue
// CHECK-SAME: (%{{.*}}: tensor<2x16xf32>, %{{.*}}: tensor<4x8xi8>, %{{.*}}: tensor<f32>, %[[R:.*]]: tensor<2x4xf32>, %[[C:.*]]: tensor<4xf32>)
// CHECK: lowbit.matmul %{{.*}}, %{{.*}} scales(%{{.*}} : tensor<f32>) epilogue_inputs(%[[R]], %[[C]] : tensor<2x4xf32>, tensor<4xf32>) epilogue {
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %[[E:.*]]: f32, %[[F:.*]]: f32):
// CHECK: %[[ERF:.*]] = math.erf
// CHECK: %[[SUM:.*]] = arith.addf %{{.*}}, %[[E]] : f32
// CHECK: %[[OUT:.*]] = arith.mulf %[[SUM]], %[[F]] : f32
// CHECK-NEXT: lowbit.yield %[[OUT]] : f32
// CHECK-NEXT: } {layout = #lowbit.layout<int4>, scheme = #lowbit.scheme<i4, symmetric, per_tensor>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
func.func @matmul_epilogue(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>, %r: tensor<2x4xf32>, %c: tensor<4xf32>) -> tensor<2x4xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) epilogue_inputs(%r, %c : tensor<2x4xf32>, tensor<4xf32>) epilogue {
  ^bb0(%v: f32, %e: f32, %f: f32):
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %rsqrt2 = arith.constant 0.707106769 : f32
    %t = arith.mulf %v, %rsqrt2 : f32
    %erf = math.erf %t : f32
    %u = arith.addf %erf, %one : f32
    %h = arith.mulf %v, %half : f32
    %g = arith.mulf %h, %u : f32
    %sum = arith.addf %g, %e : f32
    %out = arith.mulf %sum, %f : f32
    lowbit.yield %out : f32
  } {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @dynamic_int8
// CHECK: lowbit.matmul %{{.*}}, %{{.*}} scales(%{{.*}} : tensor<4xf32>) {dynamic_int8_activations, layout = #lowbit.layout<int8>, scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>}
func.func @dynamic_int8(%x: tensor<2x16xf32>, %p: tensor<4x16xi8>, %s: tensor<4xf32>) -> tensor<2x4xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<4xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>, dynamic_int8_activations} : tensor<2x16xf32>, tensor<4x16xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @bf16_activations
// CHECK: lowbit.matmul %{{.*}}, %{{.*}} scales(%{{.*}} : tensor<4x1xf16>) {activation_type = bf16, layout = #lowbit.layout<int4_interleaved, block = 32>, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>}
func.func @bf16_activations(%x: tensor<2x32xf32>, %p: tensor<4x16xi8>, %s: tensor<4x1xf16>) -> tensor<2x4xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<4x1xf16>) {activation_type = bf16, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<2x32xf32>, tensor<4x16xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @dot_i8
// CHECK: lowbit.dot_i8 %{{.*}}, %{{.*}}, %{{.*}} {unsigned_lhs} : vector<16xi32>, vector<64xi8>
// CHECK: lowbit.dot_i8 %{{.*}}, %{{.*}}, %{{.*}} : vector<4xi32>, vector<16xi8>
func.func @dot_i8(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>, %c: vector<4xi32>, %d: vector<16xi8>) -> (vector<16xi32>, vector<4xi32>) {
  %0 = lowbit.dot_i8 %acc, %a, %b {unsigned_lhs} : vector<16xi32>, vector<64xi8>
  %1 = lowbit.dot_i8 %c, %d, %d : vector<4xi32>, vector<16xi8>
  return %0, %1 : vector<16xi32>, vector<4xi32>
}

// -----

// CHECK-LABEL: func @dot_bf16
// CHECK: lowbit.dot_bf16 %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf32>, vector<32xbf16>
func.func @dot_bf16(%acc: vector<16xf32>, %x: vector<32xbf16>, %w: vector<32xbf16>) -> vector<16xf32> {
  %0 = lowbit.dot_bf16 %acc, %x, %w : vector<16xf32>, vector<32xbf16>
  return %0 : vector<16xf32>
}

// -----

// CHECK-LABEL: func @mmla_bf16
// CHECK: lowbit.mmla_bf16 %{{.*}}, %{{.*}}, %{{.*}} : vector<4xf32>, vector<8xbf16>
// CHECK: lowbit.mmla_bf16 %{{.*}}, %{{.*}}, %{{.*}} : vector<8xf32>, vector<16xbf16>
func.func @mmla_bf16(%acc: vector<4xf32>, %x: vector<8xbf16>, %w: vector<8xbf16>, %acc2: vector<8xf32>, %y: vector<16xbf16>) -> (vector<4xf32>, vector<8xf32>) {
  %0 = lowbit.mmla_bf16 %acc, %x, %w : vector<4xf32>, vector<8xbf16>
  %1 = lowbit.mmla_bf16 %acc2, %y, %y : vector<8xf32>, vector<16xbf16>
  return %0, %1 : vector<4xf32>, vector<8xf32>
}

// -----

// Radix-11 packed weights with fp16 group minimums, stored as resources.
// CHECK-LABEL: func @packed_weight_resource
// CHECK: %[[P:[a-z_0-9]+]], %[[S:[a-z_0-9]+]], %[[M:[a-z_0-9]+]] = lowbit.packed_weight {data = dense_resource<packed> : tensor<2x15xi32>, layout = #lowbit.layout<radix(11), block = 128>, mins = dense<-1.000000e+00> : tensor<2x1xf16>, scales = dense<2.000000e+00> : tensor<2x1xf16>, scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <{{.*}}>>, shape = array<i64: 2, 100>} : tensor<2x15xi32>, tensor<2x1xf16>, tensor<2x1xf16>
// CHECK: lowbit.matmul %{{.*}}, %[[P]] scales(%[[S]] : tensor<2x1xf16>) mins(%[[M]] : tensor<2x1xf16>)
func.func @packed_weight_resource(%x: tensor<1x100xf32>) -> tensor<1x2xf32> {
  %w:3 = lowbit.packed_weight {data = dense_resource<packed> : tensor<2x15xi32>, scales = dense<2.0> : tensor<2x1xf16>, mins = dense<-1.0> : tensor<2x1xf16>, shape = array<i64: 2, 100>, scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix(11), block = 128>} : tensor<2x15xi32>, tensor<2x1xf16>, tensor<2x1xf16>
  %y = lowbit.matmul %x, %w#0 scales(%w#1 : tensor<2x1xf16>) mins(%w#2 : tensor<2x1xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix(11), block = 128>} : tensor<1x100xf32>, tensor<2x15xi32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      packed: "0x04000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    }
  }
#-}

// CHECK-LABEL: func @observe_and_integer_matmul
// CHECK: lowbit.observe %{{.*}} {id = 0 : i64} : tensor<1x8xf32>
// CHECK: lowbit.observe %{{.*}} {axis = 1 : i64, id = 1 : i64} : tensor<1x8xf32>
// CHECK: lowbit.integer_matmul %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<2xi32>) {input_zero_point = -128 : i32} : tensor<1x8xi8>, tensor<2x8xi8> -> tensor<1x2xi32>
// CHECK: lowbit.integer_matmul %{{.*}}, %{{.*}} : tensor<1x8xi8>, tensor<2x8xi8> -> tensor<1x2xi32>
func.func @observe_and_integer_matmul(%x: tensor<1x8xf32>, %q: tensor<1x8xi8>, %w: tensor<2x8xi8>, %b: tensor<2xi32>) -> (tensor<1x8xf32>, tensor<1x2xi32>, tensor<1x2xi32>) {
  %0 = lowbit.observe %x {id = 0 : i64} : tensor<1x8xf32>
  %1 = lowbit.observe %0 {id = 1 : i64, axis = 1 : i64} : tensor<1x8xf32>
  %2 = lowbit.integer_matmul %q, %w bias(%b : tensor<2xi32>) {input_zero_point = -128 : i32} : tensor<1x8xi8>, tensor<2x8xi8> -> tensor<1x2xi32>
  %3 = lowbit.integer_matmul %q, %w : tensor<1x8xi8>, tensor<2x8xi8> -> tensor<1x2xi32>
  return %1, %2, %3 : tensor<1x8xf32>, tensor<1x2xi32>, tensor<1x2xi32>
}

// -----

// Panels of 16 rows: 17 rows make 2 panels; K = 9 pads to 12 (int8), to one
// block of 32 (int4, block 32), 16 (resp. 8) bytes per padded k.
// CHECK-LABEL: func @panel_layouts
// CHECK: lowbit.pack %{{.*}} {layout = #lowbit.layout<int8_panel>, signed_codes} : tensor<17x9xi8> -> tensor<2x192xi8>
// CHECK: lowbit.pack %{{.*}} {layout = #lowbit.layout<int4_panel, block = 32>, signed_codes} : tensor<17x9xi8> -> tensor<2x256xi8>
// CHECK: lowbit.unpack %{{.*}} {layout = #lowbit.layout<int4_panel, block = 32>, signed_codes} : tensor<3x2x256xi8> -> tensor<3x17x9xi8>
func.func @panel_layouts(%c: tensor<17x9xi8>, %p: tensor<3x2x256xi8>) -> (tensor<2x192xi8>, tensor<2x256xi8>, tensor<3x17x9xi8>) {
  %0 = lowbit.pack %c {layout = #lowbit.layout<int8_panel>, signed_codes} : tensor<17x9xi8> -> tensor<2x192xi8>
  %1 = lowbit.pack %c {layout = #lowbit.layout<int4_panel, block = 32>, signed_codes} : tensor<17x9xi8> -> tensor<2x256xi8>
  %2 = lowbit.unpack %p {layout = #lowbit.layout<int4_panel, block = 32>, signed_codes} : tensor<3x2x256xi8> -> tensor<3x17x9xi8>
  return %0, %1, %2 : tensor<2x192xi8>, tensor<2x256xi8>, tensor<3x17x9xi8>
}

// -----

// Bit planes: 17 rows make 2 panels, K = 9 pads to 16: 4 bytes per padded k.
// CHECK-LABEL: func @bit_planes
// CHECK: lowbit.pack %{{.*}} {layout = #lowbit.layout<int2_planes, block = 32>} : tensor<17x9xi8> -> tensor<2x64xi8>
// CHECK: lowbit.unpack %{{.*}} {layout = #lowbit.layout<int2_planes>} : tensor<2x64xi8> -> tensor<17x9xi8>
// CHECK: lowbit.lookup_bytes %{{.*}}, %{{.*}} : vector<64xi8>
func.func @bit_planes(%c: tensor<17x9xi8>, %t: vector<64xi8>, %i: vector<64xi8>) -> (tensor<2x64xi8>, tensor<17x9xi8>, vector<64xi8>) {
  %0 = lowbit.pack %c {layout = #lowbit.layout<int2_planes, block = 32>} : tensor<17x9xi8> -> tensor<2x64xi8>
  %1 = lowbit.unpack %0 {layout = #lowbit.layout<int2_planes>} : tensor<2x64xi8> -> tensor<17x9xi8>
  %2 = lowbit.lookup_bytes %t, %i : vector<64xi8>
  return %0, %1, %2 : tensor<2x64xi8>, tensor<17x9xi8>, vector<64xi8>
}

// -----

// Lookups in a whole 128-byte table (vpermi2b): the table's type is printed
// when it differs from the indices'.
// CHECK-LABEL: func @whole_table_lookup
// CHECK: lowbit.lookup_bytes %{{.*}}, %{{.*}} : vector<128xi8>, vector<64xi8>
func.func @whole_table_lookup(%t: vector<128xi8>, %i: vector<64xi8>) -> vector<64xi8> {
  %r = lowbit.lookup_bytes %t, %i : vector<128xi8>, vector<64xi8>
  return %r : vector<64xi8>
}

// -----

// The sub-4-bit panels: K = 9 pads to a block of 32 (int2_panel, 4 bytes
// per padded k) or 64 (int3_panel, 6 bytes per padded k).
// CHECK-LABEL: func @sub4bit_panel_layouts
// CHECK: lowbit.pack %{{.*}} {layout = #lowbit.layout<int2_panel, block = 32>} : tensor<17x9xi8> -> tensor<2x128xi8>
// CHECK: lowbit.pack %{{.*}} {layout = #lowbit.layout<int3_panel, block = 64>, signed_codes} : tensor<17x9xi8> -> tensor<2x384xi8>
// CHECK: lowbit.unpack %{{.*}} {layout = #lowbit.layout<int3_panel>, signed_codes} : tensor<2x192xi8> -> tensor<17x9xi8>
func.func @sub4bit_panel_layouts(%c: tensor<17x9xi8>, %p: tensor<2x192xi8>) -> (tensor<2x128xi8>, tensor<2x384xi8>, tensor<17x9xi8>) {
  %0 = lowbit.pack %c {layout = #lowbit.layout<int2_panel, block = 32>} : tensor<17x9xi8> -> tensor<2x128xi8>
  %1 = lowbit.pack %c {layout = #lowbit.layout<int3_panel, block = 64>, signed_codes} : tensor<17x9xi8> -> tensor<2x384xi8>
  %2 = lowbit.unpack %p {layout = #lowbit.layout<int3_panel>, signed_codes} : tensor<2x192xi8> -> tensor<17x9xi8>
  return %0, %1, %2 : tensor<2x128xi8>, tensor<2x384xi8>, tensor<17x9xi8>
}

// -----

// radix_panel: 15 words of 16 columns (960 bytes) per block of 128, K = 200
// padded to two blocks.
// CHECK-LABEL: func @radix_panel_layout
// CHECK: lowbit.pack %{{.*}} {layout = #lowbit.layout<radix_panel(11), block = 128>} : tensor<17x200xi8> -> tensor<2x1920xi8>
// CHECK: lowbit.unpack %{{.*}} {layout = #lowbit.layout<radix_panel(11), block = 128>} : tensor<2x1920xi8> -> tensor<17x200xi8>
func.func @radix_panel_layout(%c: tensor<17x200xi8>) -> tensor<17x200xi8> {
  %p = lowbit.pack %c {layout = #lowbit.layout<radix_panel(11), block = 128>} : tensor<17x200xi8> -> tensor<2x1920xi8>
  %u = lowbit.unpack %p {layout = #lowbit.layout<radix_panel(11), block = 128>} : tensor<2x1920xi8> -> tensor<17x200xi8>
  return %u : tensor<17x200xi8>
}

// -----

// Min/scale codes on int2_panel keep their mins ([N, groups], N from the
// result).
// CHECK-LABEL: func @int2_panel_matmul
// CHECK: lowbit.matmul %{{.*}}, %{{.*}} scales(%{{.*}} : tensor<20x2xf16>) mins(%{{.*}} : tensor<20x2xf16>) {dynamic_int8_activations, layout = #lowbit.layout<int2_panel, block = 32>
func.func @int2_panel_matmul(%x: tensor<64x40xf32>) -> tensor<64x20xf32> {
  %w:3 = lowbit.packed_weight {data = dense<27> : tensor<2x256xi8>, scales = dense<0.5> : tensor<20x2xf16>, mins = dense<-0.25> : tensor<20x2xf16>, shape = array<i64: 20, 40>, scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int2_panel, block = 32>} : tensor<2x256xi8>, tensor<20x2xf16>, tensor<20x2xf16>
  %y = lowbit.matmul %x, %w#0 scales(%w#1 : tensor<20x2xf16>) mins(%w#2 : tensor<20x2xf16>) {dynamic_int8_activations, scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int2_panel, block = 32>} : tensor<64x40xf32>, tensor<2x256xi8> -> tensor<64x20xf32>
  return %y : tensor<64x20xf32>
}

// -----

// A matmul on panels takes N from its result (the storage has ceil(N / 16)
// panels).
// CHECK-LABEL: func @panel_matmul
// CHECK: lowbit.matmul %{{.*}}, %{{.*}} scales(%{{.*}} : tensor<20x2xf16>) {dynamic_int8_activations, layout = #lowbit.layout<int4_panel, block = 32>, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>} : tensor<64x40xf32>, tensor<2x512xi8> -> tensor<64x20xf32>
func.func @panel_matmul(%x: tensor<64x40xf32>) -> tensor<64x20xf32> {
  %w:2 = lowbit.packed_weight {data = dense<17> : tensor<2x512xi8>, scales = dense<0.5> : tensor<20x2xf16>, shape = array<i64: 20, 40>, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_panel, block = 32>} : tensor<2x512xi8>, tensor<20x2xf16>
  %y = lowbit.matmul %x, %w#0 scales(%w#1 : tensor<20x2xf16>) {dynamic_int8_activations, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_panel, block = 32>} : tensor<64x40xf32>, tensor<2x512xi8> -> tensor<64x20xf32>
  return %y : tensor<64x20xf32>
}

// -----

// CHECK-LABEL: func @multishift_bytes
// CHECK: lowbit.multishift_bytes %{{.*}}, %{{.*}} : vector<64xi8>
func.func @multishift_bytes(%c: vector<64xi8>, %d: vector<64xi8>) -> vector<64xi8> {
  %r = lowbit.multishift_bytes %c, %d : vector<64xi8>
  return %r : vector<64xi8>
}

// RUN: lowbit-opt %s -split-input-file -lowbit-pack-weights="dynamic-int8-activations=true panel-min-rows=16" | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-pack-weights="panel-min-rows=16" | FileCheck %s --check-prefixes=FLOAT,F32-ACT
// RUN: lowbit-opt %s -split-input-file -lowbit-pack-weights="dynamic-int8-activations=true" | FileCheck %s --check-prefixes=FLOAT,FEW-ROWS
// RUN: not lowbit-opt %s -split-input-file -lowbit-pack-weights="layout=int8-panel" 2>&1 | FileCheck %s --check-prefix=FORCED

// Weights of matmuls with at least panel-min-rows rows of dynamic int8
// activations pack in panels: 4-bit groups of 32 as int4_panel (block =
// group), 20 rows in 2 panels of 8 * 64 bytes (K = 40 padded to 2 groups).
// Every code is 3: byte 0x33 where both nibbles are codes. Panel 0: 5
// vectors of 64 such bytes (k < 40), 3 of padding; panel 1 holds rows
// 16-19 (bytes 0-15 of each vector), then zero rows.
// CHECK-LABEL: func @int4_groups_many_rows
// CHECK: lowbit.packed_weight {data = dense<"0x{{((33){64}){5}((00){64}){3}((33){16}(00){48}){5}((00){64}){3}">}}
// CHECK-SAME: layout = #lowbit.layout<int4_panel, block = 32>
// CHECK-SAME: : tensor<2x512xi8>, tensor<20x2xf16>
// CHECK: lowbit.unpack %{{.*}} {layout = #lowbit.layout<int4_panel, block = 32>, signed_codes} : tensor<2x512xi8> -> tensor<20x40xi8>
// FORCED: error: unknown layout 'int8-panel' for this scheme
// FLOAT-LABEL: func @int4_groups_many_rows
// FLOAT: layout = #lowbit.layout<int4_interleaved, block = 32>
func.func @int4_groups_many_rows(%x: tensor<64x40xf32>) -> tensor<64x20xf32> {
  %codes = arith.constant dense<3> : tensor<20x40xi8>
  %s = arith.constant dense<0.5> : tensor<20x2xf16>
  %w = lowbit.dequantize %codes scales(%s : tensor<20x2xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>} : tensor<20x40xi8> -> tensor<20x40xf32>
  %e = tensor.empty() : tensor<40x20xf32>
  %t = linalg.transpose ins(%w : tensor<20x40xf32>) outs(%e : tensor<40x20xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<64x20xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<64x20xf32>) -> tensor<64x20xf32>
  %y = linalg.matmul ins(%x, %t : tensor<64x40xf32>, tensor<40x20xf32>) outs(%acc : tensor<64x20xf32>) -> tensor<64x20xf32>
  return %y : tensor<64x20xf32>
}

// -----

// 8-bit per channel, read through the transposed indexing maps: int8_panel.
// Too few rows: the dot-form layout stays.
// CHECK-LABEL: func @int8_channels
// CHECK: lowbit.packed_weight {data = dense<"0x{{((01){16}(00){48}){4}">}}
// CHECK-SAME: layout = #lowbit.layout<int8_panel>
// CHECK-SAME: tensor<1x256xi8>, tensor<4xf32>
// CHECK: layout = #lowbit.layout<int8>
// CHECK-SAME: tensor<4x16xi8>, tensor<4xf32>
// FLOAT-LABEL: func @int8_channels
// FLOAT-NOT: panel
// FORCED-LABEL: func @int8_channels
// FORCED-COUNT-2: layout = #lowbit.layout<int8_panel>
func.func @int8_channels(%x: tensor<32x16xf32>, %x2: tensor<8x16xf32>) -> (tensor<32x4xf32>, tensor<8x4xf32>) {
  %codes = arith.constant dense<1> : tensor<4x16xi8>
  %s = arith.constant dense<0.5> : tensor<4xf32>
  %w = lowbit.dequantize %codes scales(%s : tensor<4xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>} : tensor<4x16xi8> -> tensor<4x16xf32>
  %codes2 = arith.constant dense<2> : tensor<4x16xi8>
  %w2 = lowbit.dequantize %codes2 scales(%s : tensor<4xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>} : tensor<4x16xi8> -> tensor<4x16xf32>
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<32x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<32x4xf32>) -> tensor<32x4xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<32x16xf32>, tensor<4x16xf32>) outs(%acc : tensor<32x4xf32>) -> tensor<32x4xf32>
  %o2 = tensor.empty() : tensor<8x4xf32>
  %acc2 = linalg.fill ins(%zero : f32) outs(%o2 : tensor<8x4xf32>) -> tensor<8x4xf32>
  %y2 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x2, %w2 : tensor<8x16xf32>, tensor<4x16xf32>) outs(%acc2 : tensor<8x4xf32>) -> tensor<8x4xf32>
  return %y, %y2 : tensor<32x4xf32>, tensor<8x4xf32>
}

// -----

// A weight that something other than a matmul reads keeps its layout.
// CHECK-LABEL: func @other_use
// CHECK-NOT: panel
func.func @other_use(%x: tensor<32x16xf32>) -> (tensor<32x4xf32>, tensor<4x16xf32>) {
  %codes = arith.constant dense<1> : tensor<4x16xi8>
  %s = arith.constant dense<0.5> : tensor<4xf32>
  %w = lowbit.dequantize %codes scales(%s : tensor<4xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>} : tensor<4x16xi8> -> tensor<4x16xf32>
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<32x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<32x4xf32>) -> tensor<32x4xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<32x16xf32>, tensor<4x16xf32>) outs(%acc : tensor<32x4xf32>) -> tensor<32x4xf32>
  return %y, %w : tensor<32x4xf32>, tensor<4x16xf32>
}

// -----

// 3-bit symmetric groups of 64: int3_panel (block = group), 6 bytes per
// padded k; codes -1 are bit patterns 7: both 2-bit planes 0xFF where a
// row has codes (k < 64 fills vectors 0-1 of units 0 and 1), the bit-2
// plane 0xFF. 2-bit min/scale groups of 32 keep their mins: int2_panel.
// CHECK-LABEL: func @sub4bit_groups
// CHECK: lowbit.packed_weight {data = dense<"0x{{((FF){16}(00){48}){6}">}}
// CHECK-SAME: layout = #lowbit.layout<int3_panel, block = 64>
// CHECK-SAME: : tensor<1x384xi8>, tensor<4x1xf16>
// CHECK: lowbit.packed_weight
// CHECK-SAME: layout = #lowbit.layout<int2_panel, block = 32>
// CHECK-SAME: : tensor<1x256xi8>, tensor<4x2xf16>, tensor<4x2xf16>
// FLOAT-LABEL: func @sub4bit_groups
// FLOAT: layout = #lowbit.layout<int3, block = 64>
// FLOAT: layout = #lowbit.layout<int2, block = 32>
func.func @sub4bit_groups(%x: tensor<16x64xf32>) -> (tensor<16x4xf32>, tensor<16x4xf32>) {
  %codes = arith.constant dense<-1> : tensor<4x64xi8>
  %s = arith.constant dense<0.5> : tensor<4x1xf16>
  %w = lowbit.dequantize %codes scales(%s : tensor<4x1xf16>) {scheme = #lowbit.scheme<i3, symmetric, per_group(axis = 1, size = 64)>} : tensor<4x64xi8> -> tensor<4x64xf32>
  %codes2 = arith.constant dense<2> : tensor<4x64xi8>
  %s2 = arith.constant dense<0.5> : tensor<4x2xf16>
  %m2 = arith.constant dense<-0.25> : tensor<4x2xf16>
  %w2 = lowbit.dequantize %codes2 scales(%s2 : tensor<4x2xf16>) mins(%m2 : tensor<4x2xf16>) {scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>} : tensor<4x64xi8> -> tensor<4x64xf32>
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<16x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<16x4xf32>) -> tensor<16x4xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<16x64xf32>, tensor<4x64xf32>) outs(%acc : tensor<16x4xf32>) -> tensor<16x4xf32>
  %y2 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w2 : tensor<16x64xf32>, tensor<4x64xf32>) outs(%acc : tensor<16x4xf32>) -> tensor<16x4xf32>
  return %y, %y2 : tensor<16x4xf32>, tensor<16x4xf32>
}

// -----

// Min/scale codes of the evenly spaced 11-level codebook (c11g128): radix
// words in panels, 15 words of 16 columns per group (960 bytes).
// CHECK-LABEL: func @codebook_groups
// CHECK: lowbit.packed_weight
// CHECK-SAME: layout = #lowbit.layout<radix_panel(11), block = 128>
// CHECK-SAME: : tensor<1x960xi8>, tensor<4x1xf16>, tensor<4x1xf16>
// Without panels: radix words, in fields for the int8 kernels.
// FLOAT-LABEL: func @codebook_groups
// F32-ACT: layout = #lowbit.layout<radix(11), block = 128>
// FEW-ROWS: layout = #lowbit.layout<radix_fields(11), block = 128>
func.func @codebook_groups(%x: tensor<16x128xf32>) -> tensor<16x4xf32> {
  %codes = arith.constant dense<10> : tensor<4x128xi8>
  %s = arith.constant dense<0.5> : tensor<4x1xf16>
  %m = arith.constant dense<-0.25> : tensor<4x1xf16>
  %w = lowbit.dequantize %codes scales(%s : tensor<4x1xf16>) mins(%m : tensor<4x1xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>} : tensor<4x128xi8> -> tensor<4x128xf32>
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<16x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<16x4xf32>) -> tensor<16x4xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<16x128xf32>, tensor<4x128xf32>) outs(%acc : tensor<16x4xf32>) -> tensor<16x4xf32>
  return %y : tensor<16x4xf32>
}

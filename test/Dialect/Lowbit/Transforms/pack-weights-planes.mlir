// RUN: lowbit-opt %s -split-input-file -verify-diagnostics -lowbit-pack-weights="layout=int2-planes dynamic-int8-activations=true panel-min-rows=16" | FileCheck %s

// 2-bit min/scale codes as bit planes, whatever the rows (no panel override
// for them): 20 rows in 2 panels, K = 40 padded to 48: 192 bytes per panel.
// Every code is 1: plane 0 has every bit set (nibble 0xF), plane 1 none:
// byte 0x0F for rows < 20 and k < 40, i.e. panel 0 blocks 0-1 whole and
// block 2 with quads 0-1 (lanes 0-1) of 0x0F; panel 1 rows 16-19.
// CHECK-LABEL: func @planes
// CHECK: lowbit.packed_weight {data = dense<"0x{{((0F){64}){2}(0F){32}(00){32}((0F){4}(00){12}){8}((0F){4}(00){12}){2}((00){16}){2}">}}
// CHECK-SAME: layout = #lowbit.layout<int2_planes, block = 32>
// CHECK-SAME: : tensor<2x192xi8>, tensor<20x2xf16>, tensor<20x2xf16>
// CHECK: lowbit.unpack %{{.*}} {layout = #lowbit.layout<int2_planes, block = 32>} : tensor<2x192xi8> -> tensor<20x40xi8>
func.func @planes(%x: tensor<64x40xf32>) -> tensor<64x20xf32> {
  %codes = arith.constant dense<1> : tensor<20x40xi8>
  %s = arith.constant dense<0.5> : tensor<20x2xf16>
  %m = arith.constant dense<-0.25> : tensor<20x2xf16>
  %w = lowbit.dequantize %codes scales(%s : tensor<20x2xf16>) mins(%m : tensor<20x2xf16>) {scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>} : tensor<20x40xi8> -> tensor<20x40xf32>
  %e = tensor.empty() : tensor<40x20xf32>
  %t = linalg.transpose ins(%w : tensor<20x40xf32>) outs(%e : tensor<40x20xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<64x20xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<64x20xf32>) -> tensor<64x20xf32>
  %y = linalg.matmul ins(%x, %t : tensor<64x40xf32>, tensor<40x20xf32>) outs(%acc : tensor<64x20xf32>) -> tensor<64x20xf32>
  return %y : tensor<64x20xf32>
}

// -----

// Groups that are not whole blocks of 16 codes cannot take bit planes.
func.func @groups_of_8(%x: tensor<1x40xf32>) -> tensor<1x4xf32> {
  %codes = arith.constant dense<1> : tensor<4x40xi8>
  %s = arith.constant dense<0.5> : tensor<4x5xf16>
  %m = arith.constant dense<-0.25> : tensor<4x5xf16>
  // expected-error @+1 {{unknown layout 'int2-planes' for this scheme}}
  %w = lowbit.dequantize %codes scales(%s : tensor<4x5xf16>) mins(%m : tensor<4x5xf16>) {scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 8)>} : tensor<4x40xi8> -> tensor<4x40xf32>
  %e = tensor.empty() : tensor<40x4xf32>
  %t = linalg.transpose ins(%w : tensor<4x40xf32>) outs(%e : tensor<40x4xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x4xf32>) -> tensor<1x4xf32>
  %y = linalg.matmul ins(%x, %t : tensor<1x40xf32>, tensor<40x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

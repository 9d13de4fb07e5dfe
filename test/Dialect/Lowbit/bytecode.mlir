// Every op and attribute survives a trip through bytecode unchanged: the
// text printed after reading the bytecode equals the text printed directly.
// RUN: lowbit-opt %s > %t.direct.mlir
// RUN: lowbit-opt %s -emit-bytecode > %t.mlirbc
// RUN: lowbit-opt %t.mlirbc > %t.via-bytecode.mlir
// RUN: diff %t.direct.mlir %t.via-bytecode.mlir
// RUN: FileCheck %s --input-file=%t.via-bytecode.mlir

// CHECK-LABEL: func @all_ops
func.func @all_ops(%x: tensor<2x100xf32>, %s: tensor<2x4xf32>, %z: tensor<2x4xi8>, %acc: tensor<2x3xi32>) -> (tensor<2x100xf32>, tensor<2x3xi8>, tensor<1x2xf32>) {
  // CHECK: lowbit.stats
  %st = lowbit.stats %x {axis = 0, min = array<f32: -1.0, -2.0>, max = array<f32: 1.0, 2.0>} : tensor<2x100xf32>
  // CHECK: lowbit.quantize {{.*}}#lowbit.scheme<u8, affine, per_group(axis = 1, size = 32), rounding = nearest_away>
  %q = lowbit.quantize %st scales(%s : tensor<2x4xf32>) zero_points(%z : tensor<2x4xi8>) {scheme = #lowbit.scheme<u8, affine, per_group(axis = 1, size = 32), rounding = nearest_away>} : tensor<2x100xf32> -> tensor<2x100xi8>
  // CHECK: lowbit.pack {{.*}}#lowbit.layout<int8>
  %p = lowbit.pack %q {layout = #lowbit.layout<int8>} : tensor<2x100xi8> -> tensor<2x100xi8>
  // CHECK: lowbit.unpack
  %u = lowbit.unpack %p {layout = #lowbit.layout<int8>} : tensor<2x100xi8> -> tensor<2x100xi8>
  // CHECK: lowbit.dequantize
  %d = lowbit.dequantize %u scales(%s : tensor<2x4xf32>) zero_points(%z : tensor<2x4xi8>) {scheme = #lowbit.scheme<u8, affine, per_group(axis = 1, size = 32), rounding = nearest_away>} : tensor<2x100xi8> -> tensor<2x100xf32>
  // CHECK: lowbit.requantize
  %r = lowbit.requantize %acc {multiplier = array<i32: 1518500250>, shift = array<i32: 38>, input_zero_point = 5 : i32, output_zero_point = -3 : i32, clamp_min = -3 : i32} : tensor<2x3xi32> -> tensor<2x3xi8>
  // CHECK: lowbit.packed_weight {{.*}}dense_resource<weights>{{.*}}codebook = <
  %w:3 = lowbit.packed_weight {data = dense_resource<weights> : tensor<2x2xi32>, scales = dense<2.0> : tensor<2x1xf16>, mins = dense<-1.0> : tensor<2x1xf16>, shape = array<i64: 2, 10>, scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix(11)>} : tensor<2x2xi32>, tensor<2x1xf16>, tensor<2x1xf16>
  %x2 = tensor.extract_slice %x[0, 0] [1, 10] [1, 1] : tensor<2x100xf32> to tensor<1x10xf32>
  // CHECK: lowbit.matmul
  %y = lowbit.matmul %x2, %w#0 scales(%w#1 : tensor<2x1xf16>) mins(%w#2 : tensor<2x1xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix(11)>} : tensor<1x10xf32>, tensor<2x2xi32> -> tensor<1x2xf32>
  return %d, %r, %y : tensor<2x100xf32>, tensor<2x3xi8>, tensor<1x2xf32>
}

// CHECK-LABEL: func @integer_paths
// CHECK: lowbit.matmul {{.*}}dynamic_int8_activations
// CHECK: lowbit.dot_i8 {{.*}} {unsigned_lhs}
func.func @integer_paths(%x: tensor<1x16xf32>, %p: tensor<2x16xi8>, %s: tensor<2xf32>, %acc: vector<4xi32>, %a: vector<16xi8>) -> (tensor<1x2xf32>, vector<4xi32>) {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>, dynamic_int8_activations} : tensor<1x16xf32>, tensor<2x16xi8> -> tensor<1x2xf32>
  %d = lowbit.dot_i8 %acc, %a, %a {unsigned_lhs} : vector<4xi32>, vector<16xi8>
  return %y, %d : tensor<1x2xf32>, vector<4xi32>
}

// CHECK-LABEL: func @epilogue
// CHECK: lowbit.matmul {{.*}}epilogue_inputs(%{{.*}} : tensor<2xf32>) epilogue {
// CHECK: math.tanh
// CHECK: lowbit.yield
func.func @epilogue(%x: tensor<1x16xf32>, %p: tensor<2x16xi8>, %s: tensor<2xf32>, %c: tensor<2xf32>) -> tensor<1x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2xf32>) epilogue_inputs(%c : tensor<2xf32>) epilogue {
  ^bb0(%v: f32, %e: f32):
    %t = math.tanh %v : f32
    %m = arith.mulf %t, %e : f32
    lowbit.yield %m : f32
  } {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<1x16xf32>, tensor<2x16xi8> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      weights: "0x0400000001000000020000000300000004000000"
    }
  }
#-}

// RUN: lowbit-opt %s -split-input-file -lowbit-fuse-matmul | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-fuse-matmul='bf16-activations=true' | FileCheck %s --check-prefix=BF16

// The fully-connected pattern: packed weight, transpose, matmul on zero,
// bias added per column.
// CHECK-LABEL: func @fc_bias
// CHECK-SAME: (%[[X:.*]]: tensor<2x64xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK: %[[P:.*]], %[[S:.*]] = lowbit.packed_weight
// CHECK: %[[Y:.*]] = lowbit.matmul %[[X]], %[[P]] scales(%[[S]] : tensor<3x2xf16>) bias(%[[B]] : tensor<3xf32>) {layout = #lowbit.layout<int4_interleaved, block = 32>, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>} : tensor<2x64xf32>, tensor<3x32xi8> -> tensor<2x3xf32>
// CHECK-NEXT: return %[[Y]]
// BF16-LABEL: func @fc_bias
// BF16: lowbit.matmul {{.*}}{activation_type = bf16, layout = #lowbit.layout<int4_interleaved, block = 32>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @fc_bias(%x: tensor<2x64xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %p, %s = lowbit.packed_weight {data = dense<17> : tensor<3x32xi8>, scales = dense<0.5> : tensor<3x2xf16>, shape = array<i64: 3, 64>, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<3x32xi8>, tensor<3x2xf16>
  %c = lowbit.unpack %p {layout = #lowbit.layout<int4_interleaved, block = 32>, signed_codes} : tensor<3x32xi8> -> tensor<3x64xi8>
  %w = lowbit.dequantize %c scales(%s : tensor<3x2xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>} : tensor<3x64xi8> -> tensor<3x64xf32>
  %e = tensor.empty() : tensor<64x3xf32>
  %t = linalg.transpose ins(%w : tensor<3x64xf32>) outs(%e : tensor<64x3xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul ins(%x, %t : tensor<2x64xf32>, tensor<64x3xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  %z = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%y, %b : tensor<2x3xf32>, tensor<3xf32>) outs(%o : tensor<2x3xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %sum = arith.addf %in, %bias : f32
    linalg.yield %sum : f32
  } -> tensor<2x3xf32>
  return %z : tensor<2x3xf32>
}

// -----

// Min/scale weights keep their minimums; no bias follows.
// CHECK-LABEL: func @min_scale_no_bias
// CHECK: lowbit.matmul %{{.*}}, %{{.*}} scales(%{{.*}} : tensor<2x1xf16>) mins(%{{.*}} : tensor<2x1xf16>) {layout = #lowbit.layout<int2, block = 32>
// CHECK-NOT: linalg.matmul
func.func @min_scale_no_bias(%x: tensor<1x8xf32>) -> tensor<1x2xf32> {
  %p, %s, %m = lowbit.packed_weight {data = dense<5> : tensor<2x8xi8>, scales = dense<1.0> : tensor<2x1xf16>, mins = dense<-0.5> : tensor<2x1xf16>, shape = array<i64: 2, 8>, scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int2, block = 32>} : tensor<2x8xi8>, tensor<2x1xf16>, tensor<2x1xf16>
  %c = lowbit.unpack %p {layout = #lowbit.layout<int2, block = 32>} : tensor<2x8xi8> -> tensor<2x8xi8>
  %w = lowbit.dequantize %c scales(%s : tensor<2x1xf16>) mins(%m : tensor<2x1xf16>) {scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>} : tensor<2x8xi8> -> tensor<2x8xf32>
  %e = tensor.empty() : tensor<8x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x8xf32>) outs(%e : tensor<8x2xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %t : tensor<1x8xf32>, tensor<8x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// The transposition may be in the matmul's indexing maps instead (the form
// of upstream's former matmul_transpose_b), and the zero accumulator a
// constant; other indexing maps are left alone.
// CHECK-LABEL: func @transposed_by_maps
// CHECK-SAME: (%[[X:.*]]: tensor<1x8xf32>, %[[A:.*]]: tensor<2x1xf32>)
// CHECK: %[[P:.*]], %[[S:.*]] = lowbit.packed_weight
// CHECK: %[[Y:.*]] = lowbit.matmul %[[X]], %[[P]] scales(%[[S]] : tensor<2xf32>)
// CHECK: %[[N:.*]] = linalg.matmul indexing_maps = {{.*}} ins(%[[A]], %{{.*}} : tensor<2x1xf32>, tensor<2x8xf32>)
// CHECK: return %[[Y]], %[[N]]
#mk = affine_map<(m, n, k) -> (m, k)>
#nk = affine_map<(m, n, k) -> (n, k)>
#km = affine_map<(m, n, k) -> (k, m)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
func.func @transposed_by_maps(%x: tensor<1x8xf32>, %a: tensor<2x1xf32>) -> (tensor<1x2xf32>, tensor<1x8xf32>) {
  %p, %s = lowbit.packed_weight {data = dense<5> : tensor<2x8xi8>, scales = dense<1.0> : tensor<2xf32>, shape = array<i64: 2, 8>, scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<2x8xi8>, tensor<2xf32>
  %c = lowbit.unpack %p {layout = #lowbit.layout<int8>, signed_codes} : tensor<2x8xi8> -> tensor<2x8xi8>
  %w = lowbit.dequantize %c scales(%s : tensor<2xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>} : tensor<2x8xi8> -> tensor<2x8xf32>
  %zero = arith.constant dense<0.0> : tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%x, %w : tensor<1x8xf32>, tensor<2x8xf32>) outs(%zero : tensor<1x2xf32>) -> tensor<1x2xf32>
  // Here the weight is read as [K, N]: not the [N, K] form lowbit.matmul has.
  %zero8 = arith.constant dense<0.0> : tensor<1x8xf32>
  %n = linalg.matmul indexing_maps = [#km, #kn, #mn] ins(%a, %w : tensor<2x1xf32>, tensor<2x8xf32>) outs(%zero8 : tensor<1x8xf32>) -> tensor<1x8xf32>
  return %y, %n : tensor<1x2xf32>, tensor<1x8xf32>
}

// -----

// A non-zero accumulator, or float weights, are left alone.
// CHECK-LABEL: func @not_fused
// CHECK-NOT: lowbit.matmul
// CHECK: linalg.matmul
// CHECK: linalg.matmul
func.func @not_fused(%x: tensor<1x8xf32>, %acc: tensor<1x2xf32>, %wf: tensor<8x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %p, %s = lowbit.packed_weight {data = dense<5> : tensor<2x8xi8>, scales = dense<1.0> : tensor<2xf32>, shape = array<i64: 2, 8>, scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<2x8xi8>, tensor<2xf32>
  %c = lowbit.unpack %p {layout = #lowbit.layout<int8>, signed_codes} : tensor<2x8xi8> -> tensor<2x8xi8>
  %w = lowbit.dequantize %c scales(%s : tensor<2xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>} : tensor<2x8xi8> -> tensor<2x8xf32>
  %e = tensor.empty() : tensor<8x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x8xf32>) outs(%e : tensor<8x2xf32>) permutation = [1, 0]
  %y = linalg.matmul ins(%x, %t : tensor<1x8xf32>, tensor<8x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%o : tensor<1x2xf32>) -> tensor<1x2xf32>
  %f = linalg.matmul ins(%x, %wf : tensor<1x8xf32>, tensor<8x2xf32>) outs(%z : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y, %f : tensor<1x2xf32>, tensor<1x2xf32>
}

// -----

// With dynamic-int8-activations, int8 and interleaved int4 symmetric weights
// get integer dot products, and any scheme on the int3 / int2 / radix
// layouts (here 2-bit min/scale); other schemes on other layouts stay
// float.
// RUN: lowbit-opt %s -split-input-file -lowbit-fuse-matmul=dynamic-int8-activations=true | FileCheck %s --check-prefix=DYNAMIC
// DYNAMIC-LABEL: func @fc_bias
// DYNAMIC: lowbit.matmul {{.*}}dynamic_int8_activations
// DYNAMIC-LABEL: func @min_scale_no_bias
// DYNAMIC: lowbit.matmul {{.*}}dynamic_int8_activations, layout = #lowbit.layout<int2, block = 32>
// DYNAMIC-LABEL: func @transposed_by_maps
// DYNAMIC: lowbit.matmul {{.*}}dynamic_int8_activations
// DYNAMIC-LABEL: func @not_fused
// DYNAMIC-LABEL: func @min_scale_int4
// DYNAMIC-NOT: dynamic_int8_activations
// DYNAMIC: return
func.func @dynamic_marker() {
  return
}

func.func @min_scale_int4(%x: tensor<1x8xf32>) -> tensor<1x2xf32> {
  %p, %s, %m = lowbit.packed_weight {data = dense<5> : tensor<2x16xi8>, scales = dense<1.0> : tensor<2x1xf16>, mins = dense<-0.5> : tensor<2x1xf16>, shape = array<i64: 2, 8>, scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4, block = 32>} : tensor<2x16xi8>, tensor<2x1xf16>, tensor<2x1xf16>
  %c = lowbit.unpack %p {layout = #lowbit.layout<int4, block = 32>} : tensor<2x16xi8> -> tensor<2x8xi8>
  %w = lowbit.dequantize %c scales(%s : tensor<2x1xf16>) mins(%m : tensor<2x1xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 32)>} : tensor<2x8xi8> -> tensor<2x8xf32>
  %e = tensor.empty() : tensor<8x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x8xf32>) outs(%e : tensor<8x2xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %t : tensor<1x8xf32>, tensor<8x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

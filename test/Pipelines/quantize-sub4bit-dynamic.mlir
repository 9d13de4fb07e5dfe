// The sub-4-bit presets with dynamic int8 activations: the weight formats of
// w3g64 / w2g32 / c11g128, fused into lowbit.matmul with
// dynamic_int8_activations (min/scale schemes keep their mins); from the
// panel threshold (16 rows) on, w3 and w2 weights are packed in int3_panel /
// int2_panel and c11 in radix_panel for the outer-product kernels (fewer
// rows: c11 in radix_fields words).
// RUN: lowbit-opt %s -split-input-file --pass-pipeline='builtin.module(lowbit-quantize{preset=w3a8-dynamic})' | FileCheck %s --check-prefix=W3
// RUN: lowbit-opt %s -split-input-file --pass-pipeline='builtin.module(lowbit-quantize{preset=w2a8-dynamic})' | FileCheck %s --check-prefix=W2
// RUN: lowbit-opt %s -split-input-file --pass-pipeline='builtin.module(lowbit-quantize{preset=c11a8-dynamic})' | FileCheck %s --check-prefix=C11
// RUN: lowbit-opt %s -split-input-file --pass-pipeline='builtin.module(lowbit-quantize{preset=w2a8-lut})' | FileCheck %s --check-prefix=LUT
// RUN: lowbit-opt %s -split-input-file --pass-pipeline='builtin.module(lowbit-quantize{preset=c11g128})' | FileCheck %s --check-prefix=FLOAT

// W3-LABEL: func @fc
// W3: lowbit.packed_weight {data = dense<{{.*}}> : tensor<3x21xi32>, layout = #lowbit.layout<int3, block = 64>, scales = dense<{{.*}}> : tensor<3x3xf16>, scheme = #lowbit.scheme<i3, symmetric, per_group(axis = 1, size = 64)>, shape = array<i64: 3, 150>}
// W3: lowbit.matmul {{.*}} bias({{.*}}) {dynamic_int8_activations, layout = #lowbit.layout<int3, block = 64>, scheme = #lowbit.scheme<i3, symmetric, per_group(axis = 1, size = 64)>} : tensor<2x150xf32>, tensor<3x21xi32> -> tensor<2x3xf32>
// W2-LABEL: func @fc
// W2: lowbit.packed_weight {data = dense<{{.*}}> : tensor<3x40xi8>, layout = #lowbit.layout<int2, block = 32>, mins = dense<{{.*}}> : tensor<3x5xf16>, scales = dense<{{.*}}> : tensor<3x5xf16>
// W2: lowbit.matmul {{.*}} mins({{.*}} : tensor<3x5xf16>) bias({{.*}}) {dynamic_int8_activations, layout = #lowbit.layout<int2, block = 32>
// w2a8-lut: the w2g32 codes as bit planes (one panel, K = 150 padded to 160).
// LUT-LABEL: func @fc
// LUT: lowbit.packed_weight {data = dense<{{.*}}> : tensor<1x640xi8>, layout = #lowbit.layout<int2_planes, block = 32>, mins = dense<{{.*}}> : tensor<3x5xf16>
// LUT: lowbit.matmul {{.*}} mins({{.*}} : tensor<3x5xf16>) bias({{.*}}) {dynamic_int8_activations, layout = #lowbit.layout<int2_planes, block = 32>
// C11-LABEL: func @fc
// C11: lowbit.packed_weight {data = dense<{{.*}}> : tensor<3x30xi32>, layout = #lowbit.layout<radix_fields(11), block = 128>
// C11: lowbit.matmul {{.*}} mins({{.*}} : tensor<3x2xf16>) bias({{.*}}) {dynamic_int8_activations, layout = #lowbit.layout<radix_fields(11), block = 128>
// FLOAT-LABEL: func @fc
// FLOAT: lowbit.matmul
// FLOAT-NOT: dynamic_int8_activations
// FLOAT-SAME: -> tensor<2x3xf32>
func.func @fc(%x: tensor<2x150xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<0.25> : tensor<150x3xf32>
  %b = arith.constant dense<[0.5, -0.5, 0.25]> : tensor<3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x150xf32>, tensor<150x3xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  %biased = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (n)>, affine_map<(m, n) -> (m, n)>], iterator_types = ["parallel", "parallel"]} ins(%y, %b : tensor<2x3xf32>, tensor<3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %s = arith.addf %in, %bias : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  return %biased : tensor<2x3xf32>
}

// -----

// W3-LABEL: func @many_rows
// W3: lowbit.packed_weight {data = dense<{{.*}}> : tensor<1x384xi8>, layout = #lowbit.layout<int3_panel, block = 64>
// W3: lowbit.matmul {{.*}}dynamic_int8_activations, layout = #lowbit.layout<int3_panel, block = 64>{{.*}} : tensor<32x64xf32>
// W2-LABEL: func @many_rows
// W2: lowbit.matmul {{.*}} mins({{.*}} : tensor<4x2xf16>) {dynamic_int8_activations, layout = #lowbit.layout<int2_panel, block = 32>{{.*}} : tensor<32x64xf32>
// C11-LABEL: func @many_rows
// C11: lowbit.packed_weight {data = dense<{{.*}}> : tensor<1x960xi8>, layout = #lowbit.layout<radix_panel(11), block = 128>
// C11: lowbit.matmul {{.*}}dynamic_int8_activations, layout = #lowbit.layout<radix_panel(11), block = 128>{{.*}} : tensor<32x64xf32>
// FLOAT-LABEL: func @many_rows
func.func @many_rows(%x: tensor<32x64xf32>) -> tensor<32x4xf32> {
  %w = arith.constant dense<-0.5> : tensor<64x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<32x4xf32>) -> tensor<32x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<32x64xf32>, tensor<64x4xf32>) outs(%acc : tensor<32x4xf32>) -> tensor<32x4xf32>
  return %y : tensor<32x4xf32>
}

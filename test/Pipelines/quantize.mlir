// The lowbit-quantize pipeline on a TOSA model and on linalg, with preset
// overrides.
// RUN: lowbit-opt %s -split-input-file --pass-pipeline='builtin.module(lowbit-quantize{preset=w4g32 group-size=4})' | FileCheck %s
// RUN: lowbit-opt %s -split-input-file --pass-pipeline='builtin.module(lowbit-quantize{preset=w8 layout=int4 bits=4})' | FileCheck %s --check-prefix=OVERRIDE
// RUN: not lowbit-opt %s --pass-pipeline='builtin.module(lowbit-quantize{preset=w8 granularity=per-row})' 2>&1 | FileCheck %s --check-prefix=BAD

// CHECK-LABEL: func @tosa_matmul
// CHECK-NOT: tosa.
// CHECK: %[[P:.*]], %[[S:.*]] = lowbit.packed_weight {data = dense<{{.*}}> : tensor<3x2xi8>, layout = #lowbit.layout<int4_interleaved, block = 4>, scales = dense<{{.*}}> : tensor<3x1xf16>, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 4)>, shape = array<i64: 3, 4>}
// CHECK: %[[C:.*]] = lowbit.unpack %[[P]]
// CHECK: lowbit.dequantize %[[C]] scales(%[[S]] : tensor<3x1xf16>)
// CHECK: linalg.batch_matmul
// OVERRIDE-LABEL: func @tosa_matmul
// OVERRIDE: lowbit.packed_weight {data = dense<{{.*}}> : tensor<3x2xi8>, layout = #lowbit.layout<int4>, scales = dense<{{.*}}> : tensor<3xf32>, scheme = #lowbit.scheme<i4, symmetric, per_channel(axis = 0)>
func.func @tosa_matmul(%x: tensor<1x1x4xf32>) -> tensor<1x1x3xf32> {
  %w = "tosa.const"() {values = dense<[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [1.0, 2.0, 3.0]]]> : tensor<1x4x3xf32>} : () -> tensor<1x4x3xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x4xf32>, tensor<1x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32>
  return %y : tensor<1x1x3xf32>
}

// BAD: error: unknown granularity 'per-row' (expected per-tensor, per-channel or per-group)

// -----

// A fully-connected layer with bias and ReLU becomes one lowbit.matmul: the
// bias its bias, the ReLU its epilogue.
// CHECK-LABEL: func @fc_relu
// CHECK: %[[Y:.*]] = lowbit.matmul %{{.*}}, %{{.*}} scales(%{{.*}} : tensor<3x1xf16>) bias(%{{.*}} : tensor<3xf32>) epilogue {
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32):
// CHECK: arith.maximumf %[[V]]
// CHECK: lowbit.yield
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
#id = affine_map<(m, n) -> (m, n)>
#col = affine_map<(m, n) -> (n)>
func.func @fc_relu(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [1.0, 2.0, 3.0]]> : tensor<4x3xf32>
  %b = arith.constant dense<[0.5, -0.5, 0.25]> : tensor<3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  %biased = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%y, %b : tensor<2x3xf32>, tensor<3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %s = arith.addf %in, %bias : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%biased : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<2x3xf32>
  return %relu : tensor<2x3xf32>
}

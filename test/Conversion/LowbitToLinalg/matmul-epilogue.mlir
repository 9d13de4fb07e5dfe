// RUN: lowbit-opt %s -split-input-file -convert-lowbit-to-linalg | FileCheck %s

// The generic lowering computes the epilogue in the elementwise op after the
// contraction: + bias[n], then the epilogue's ops on that value and its
// inputs at the same position ([M, N] with the identity map, [N] along the
// rows), like the vector kernels.

// CHECK-DAG:   #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @matmul_epilogue
// CHECK-SAME:    (%{{.*}}: tensor<2x64xf32>, %{{.*}}: tensor<5x32xi8>, %{{.*}}: tensor<5x2xf16>, %[[B:.*]]: tensor<5xf32>, %[[R:.*]]: tensor<2x5xf32>, %[[C:.*]]: tensor<5xf32>)
// CHECK:         %[[ACC:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:         %[[OUT:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[ID]], #[[COL]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%[[ACC]], %[[B]], %[[R]], %[[C]] : tensor<2x5xf32>, tensor<5xf32>, tensor<2x5xf32>, tensor<5xf32>)
// CHECK:         ^bb0(%[[AV:.*]]: f32, %[[BV:.*]]: f32, %[[RV:.*]]: f32, %[[CV:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[V:.*]] = arith.addf %[[AV]], %[[BV]] : f32
// CHECK:           %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:           %[[RELU:.*]] = arith.maximumf %[[V]], %[[ZERO]] : f32
// CHECK:           %[[SUM:.*]] = arith.addf %[[RELU]], %[[RV]] : f32
// CHECK:           %[[SCALED:.*]] = arith.mulf %[[SUM]], %[[CV]] : f32
// CHECK:           linalg.yield %[[SCALED]] : f32
// CHECK:         return %[[OUT]] : tensor<2x5xf32>
func.func @matmul_epilogue(%x: tensor<2x64xf32>, %p: tensor<5x32xi8>, %s: tensor<5x2xf16>, %b: tensor<5xf32>, %r: tensor<2x5xf32>, %c: tensor<5xf32>) -> tensor<2x5xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<5x2xf16>) bias(%b : tensor<5xf32>) epilogue_inputs(%r, %c : tensor<2x5xf32>, tensor<5xf32>) epilogue {
  ^bb0(%v: f32, %res: f32, %f: f32):
    %zero = arith.constant 0.0 : f32
    %relu = arith.maximumf %v, %zero : f32
    %sum = arith.addf %relu, %res : f32
    %scaled = arith.mulf %sum, %f : f32
    lowbit.yield %scaled : f32
  } {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<2x64xf32>, tensor<5x32xi8> -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// -----

// Narrow activations: the contraction and the bias in f32, rounded once to
// the result type, then the epilogue in that type.
// CHECK-LABEL: func @matmul_epilogue_f16
// CHECK:         ^bb0(%[[AV:.*]]: f32, %{{.*}}: f16):
// CHECK:           %[[H:.*]] = arith.truncf %[[AV]] : f32 to f16
// CHECK:           %[[T:.*]] = math.tanh %[[H]] : f16
// CHECK:           linalg.yield %[[T]] : f16
func.func @matmul_epilogue_f16(%x: tensor<2x64xf16>, %p: tensor<5x32xi8>, %s: tensor<5x2xf16>) -> tensor<2x5xf16> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<5x2xf16>) epilogue {
  ^bb0(%v: f16):
    %t = math.tanh %v : f16
    lowbit.yield %t : f16
  } {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<2x64xf16>, tensor<5x32xi8> -> tensor<2x5xf16>
  return %y : tensor<2x5xf16>
}

// RUN: lowbit-opt %s -split-input-file -convert-lowbit-to-linalg | FileCheck %s

// W = dequantize(unpack(packed)) as [N, K] f32, then
// acc[m, n] = sum_k x[m, k] * W[n, k] (k ascending from a zero fill), then
// + bias[n].

// CHECK-DAG:   #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[XMAP:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG:   #[[WMAP:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG:   #[[OMAP:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG:   #[[BMAP:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @matmul_bias
// CHECK-SAME:    (%[[X:.*]]: tensor<2x64xf32>, %[[P:.*]]: tensor<5x32xi8>, %[[S:.*]]: tensor<5x2xf16>, %[[B:.*]]: tensor<5xf32>)
// CHECK:         %[[CE:.*]] = tensor.empty() : tensor<5x2x2x16xi8>
// CHECK:         %[[WIDE:.*]] = linalg.generic {{.*}} ins(%[[P]] : tensor<5x32xi8>) outs(%[[CE]] : tensor<5x2x2x16xi8>)
// CHECK:           arith.xori
// CHECK:         %[[CODES:.*]] = tensor.collapse_shape %[[WIDE]] {{\[\[}}0], [1, 2, 3]] : tensor<5x2x2x16xi8> into tensor<5x64xi8>
// CHECK:         %[[WE:.*]] = tensor.empty() : tensor<5x64xf32>
// CHECK:         %[[S32:.*]] = linalg.generic {{.*}} ins(%[[S]] : tensor<5x2xf16>) outs(%{{.*}} : tensor<5x2xf32>)
// CHECK:         %[[W:.*]] = linalg.generic {{.*}} ins(%[[CODES]] : tensor<5x64xi8>) outs(%[[WE]] : tensor<5x64xf32>)
// CHECK:           tensor.extract %[[S32]]
// CHECK:           arith.mulf
// CHECK:         %[[AE:.*]] = tensor.empty() : tensor<2x5xf32>
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[AE]] : tensor<2x5xf32>)
// CHECK:         %[[ACC:.*]] = linalg.generic {indexing_maps = [#[[XMAP]], #[[WMAP]], #[[OMAP]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME:      ins(%[[X]], %[[W]] : tensor<2x64xf32>, tensor<5x64xf32>) outs(%[[FILL]] : tensor<2x5xf32>)
// CHECK:         ^bb0(%[[XV:.*]]: f32, %[[WV:.*]]: f32, %[[OUT:.*]]: f32):
// CHECK:           %[[PROD:.*]] = arith.mulf %[[XV]], %[[WV]] : f32
// CHECK:           %[[SUM:.*]] = arith.addf %[[OUT]], %[[PROD]] : f32
// CHECK:           linalg.yield %[[SUM]] : f32
// CHECK:         %[[RE:.*]] = tensor.empty() : tensor<2x5xf32>
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[BMAP]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%[[ACC]], %[[B]] : tensor<2x5xf32>, tensor<5xf32>) outs(%[[RE]] : tensor<2x5xf32>)
// CHECK:         ^bb0(%[[AV:.*]]: f32, %[[BV:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[Y:.*]] = arith.addf %[[AV]], %[[BV]] : f32
// CHECK:           linalg.yield %[[Y]] : f32
// CHECK:         return %[[R]] : tensor<2x5xf32>
func.func @matmul_bias(%x: tensor<2x64xf32>, %p: tensor<5x32xi8>, %s: tensor<5x2xf16>, %b: tensor<5xf32>) -> tensor<2x5xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<5x2xf16>) bias(%b : tensor<5xf32>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<2x64xf32>, tensor<5x32xi8> -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// -----

// Without bias and with f32 activations the contraction is the result.

// CHECK-LABEL: func @matmul_no_bias
// CHECK:         %[[ACC:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[ACC]] : tensor<3x4xf32>
func.func @matmul_no_bias(%x: tensor<3x33xf32>, %p: tensor<4x17xi8>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<3x4xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) zero_points(%z : tensor<i8>) {scheme = #lowbit.scheme<u4, affine, per_tensor>, layout = #lowbit.layout<int4>} : tensor<3x33xf32>, tensor<4x17xi8> -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// f16 activations with dynamic M and N: the weight is dequantized to f32,
// products and sums are f32 (x extended), and the sum plus the extended
// bias is rounded once to f16. M comes from the input, N from the packed
// weight.

// CHECK-LABEL: func @matmul_f16_dynamic
// CHECK-SAME:    (%[[X:.*]]: tensor<?x64xf16>, %[[P:.*]]: tensor<?x32xi8>, %[[S:.*]]: tensor<?x2xf16>, %[[B:.*]]: tensor<?xf16>)
// CHECK:         %[[N0:.*]] = tensor.dim %[[P]], %{{.*}} : tensor<?x32xi8>
// CHECK:         tensor.empty(%[[N0]]) : tensor<?x64xi8>
// CHECK:         tensor.empty(%{{.*}}) : tensor<?x64xf32>
// CHECK:         %[[M:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x64xf16>
// CHECK:         %[[N:.*]] = tensor.dim %[[P]], %{{.*}} : tensor<?x32xi8>
// CHECK:         %[[AE:.*]] = tensor.empty(%[[M]], %[[N]]) : tensor<?x?xf32>
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[AE]] : tensor<?x?xf32>)
// CHECK:         ^bb0(%[[XV:.*]]: f16, %[[WV:.*]]: f32, %[[OUT:.*]]: f32):
// CHECK:           %[[XF:.*]] = arith.extf %[[XV]] : f16 to f32
// CHECK:           %[[PROD:.*]] = arith.mulf %[[XF]], %[[WV]] : f32
// CHECK:           arith.addf %[[OUT]], %[[PROD]] : f32
// CHECK:         tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?xf16>
// CHECK:         ins(%{{.*}}, %[[B]] : tensor<?x?xf32>, tensor<?xf16>)
// CHECK:         ^bb0(%[[AV:.*]]: f32, %[[BV:.*]]: f16, %{{.*}}: f16):
// CHECK:           %[[BF:.*]] = arith.extf %[[BV]] : f16 to f32
// CHECK:           %[[Y:.*]] = arith.addf %[[AV]], %[[BF]] : f32
// CHECK:           %[[YH:.*]] = arith.truncf %[[Y]] : f32 to f16
// CHECK:           linalg.yield %[[YH]] : f16
func.func @matmul_f16_dynamic(%x: tensor<?x64xf16>, %p: tensor<?x32xi8>, %s: tensor<?x2xf16>, %b: tensor<?xf16>) -> tensor<?x?xf16> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<?x2xf16>) bias(%b : tensor<?xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>} : tensor<?x64xf16>, tensor<?x32xi8> -> tensor<?x?xf16>
  return %y : tensor<?x?xf16>
}

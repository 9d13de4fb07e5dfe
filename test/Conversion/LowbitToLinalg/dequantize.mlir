// RUN: lowbit-opt %s -split-input-file -convert-lowbit-to-linalg | FileCheck %s

// Symmetric per tensor: x = float(q) * s with the rank-0 scale.

// CHECK-LABEL: func @dequantize_per_tensor
// CHECK-SAME:    (%[[Q:.*]]: tensor<4x9xi8>, %[[S:.*]]: tensor<f32>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<4x9xf32>
// CHECK:         %[[R:.*]] = linalg.generic
// CHECK-SAME:      ins(%[[Q]] : tensor<4x9xi8>) outs(%[[E]] : tensor<4x9xf32>)
// CHECK:         ^bb0(%[[IN:.*]]: i8, %{{.*}}: f32):
// CHECK:           %[[SC:.*]] = tensor.extract %[[S]][] : tensor<f32>
// CHECK:           %[[QI:.*]] = arith.extsi %[[IN]] : i8 to i32
// CHECK:           %[[QF:.*]] = arith.sitofp %[[QI]] : i32 to f32
// CHECK:           %[[X:.*]] = arith.mulf %[[QF]], %[[SC]] : f32
// CHECK-NOT:       fastmath
// CHECK:           linalg.yield %[[X]] : f32
// CHECK:         return %[[R]]
func.func @dequantize_per_tensor(%q: tensor<4x9xi8>, %s: tensor<f32>) -> tensor<4x9xf32> {
  %x = lowbit.dequantize %q scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor, narrow>} : tensor<4x9xi8> -> tensor<4x9xf32>
  return %x : tensor<4x9xf32>
}

// -----

// Affine u8 per channel along axis 1: codes and zero points are read
// unsigned (an i8 holding 200 means 200); x = float(q - z) * s.

// CHECK-LABEL: func @dequantize_affine_u8
// CHECK-SAME:    (%[[Q:.*]]: tensor<6x5xi8>, %[[S:.*]]: tensor<5xf32>, %[[Z:.*]]: tensor<5xi8>)
// CHECK:         linalg.generic
// CHECK:         ^bb0(%[[IN:.*]]: i8, %{{.*}}: f32):
// CHECK:           %[[J:.*]] = linalg.index 1 : index
// CHECK:           %[[SC:.*]] = tensor.extract %[[S]][%[[J]]] : tensor<5xf32>
// CHECK:           %[[ZP:.*]] = tensor.extract %[[Z]][%[[J]]] : tensor<5xi8>
// CHECK:           %[[ZI:.*]] = arith.extui %[[ZP]] : i8 to i32
// CHECK:           %[[QI:.*]] = arith.extui %[[IN]] : i8 to i32
// CHECK:           %[[D:.*]] = arith.subi %[[QI]], %[[ZI]] : i32
// CHECK:           %[[DF:.*]] = arith.sitofp %[[D]] : i32 to f32
// CHECK:           %[[X:.*]] = arith.mulf %[[DF]], %[[SC]] : f32
// CHECK:           linalg.yield %[[X]] : f32
func.func @dequantize_affine_u8(%q: tensor<6x5xi8>, %s: tensor<5xf32>, %z: tensor<5xi8>) -> tensor<6x5xf32> {
  %x = lowbit.dequantize %q scales(%s : tensor<5xf32>) zero_points(%z : tensor<5xi8>) {scheme = #lowbit.scheme<u8, affine, per_channel(axis = 1)>} : tensor<6x5xi8> -> tensor<6x5xf32>
  return %x : tensor<6x5xf32>
}

// -----

// Uniform min/scale u2, groups of 32 along axis 1 with f16 parameters:
// the parameter tensors are extended to f32 once (exact), then
// x = T[q] * s + m with T[k] = k / 3 in f32, and the result is rounded once
// to f16.

// CHECK-LABEL: func @dequantize_min_scale
// CHECK-SAME:    (%[[Q:.*]]: tensor<3x70xi8>, %[[S16:.*]]: tensor<3x3xf16>, %[[M16:.*]]: tensor<3x3xf16>)
// CHECK:         %[[T:.*]] = arith.constant dense<[0.000000e+00, 0.333333343, 0.666666686, 1.000000e+00]> : tensor<4xf32>
// CHECK:         %[[S:.*]] = linalg.generic {{.*}} ins(%[[S16]] : tensor<3x3xf16>) outs(%{{.*}} : tensor<3x3xf32>)
// CHECK:           arith.extf %{{.*}} : f16 to f32
// CHECK:         %[[M:.*]] = linalg.generic {{.*}} ins(%[[M16]] : tensor<3x3xf16>) outs(%{{.*}} : tensor<3x3xf32>)
// CHECK:           arith.extf %{{.*}} : f16 to f32
// CHECK:         linalg.generic
// CHECK:         ^bb0(%[[IN:.*]]: i8, %{{.*}}: f16):
// CHECK:           %[[I:.*]] = linalg.index 0 : index
// CHECK:           %[[J:.*]] = linalg.index 1 : index
// CHECK:           %[[C32:.*]] = arith.constant 32 : index
// CHECK:           %[[G:.*]] = arith.divui %[[J]], %[[C32]] : index
// CHECK:           %[[SC:.*]] = tensor.extract %[[S]][%[[I]], %[[G]]] : tensor<3x3xf32>
// CHECK:           %[[MIN:.*]] = tensor.extract %[[M]][%[[I]], %[[G]]] : tensor<3x3xf32>
// CHECK:           %[[QI:.*]] = arith.extui %[[IN]] : i8 to i32
// CHECK:           %[[LAST:.*]] = arith.constant 3 : i32
// CHECK:           %[[K:.*]] = arith.minui %[[QI]], %[[LAST]] : i32
// CHECK:           %[[KI:.*]] = arith.index_castui %[[K]] : i32 to index
// CHECK:           %[[TK:.*]] = tensor.extract %[[T]][%[[KI]]] : tensor<4xf32>
// CHECK:           %[[A:.*]] = arith.mulf %[[TK]], %[[SC]] : f32
// CHECK:           %[[X:.*]] = arith.addf %[[A]], %[[MIN]] : f32
// CHECK:           %[[XH:.*]] = arith.truncf %[[X]] : f32 to f16
// CHECK:           linalg.yield %[[XH]] : f16
func.func @dequantize_min_scale(%q: tensor<3x70xi8>, %s: tensor<3x3xf16>, %m: tensor<3x3xf16>) -> tensor<3x70xf16> {
  %x = lowbit.dequantize %q scales(%s : tensor<3x3xf16>) mins(%m : tensor<3x3xf16>) {scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>} : tensor<3x70xi8> -> tensor<3x70xf16>
  return %x : tensor<3x70xf16>
}

// -----

// Signed min/scale (qmin = -4): the table index is q - qmin.

// CHECK-LABEL: func @dequantize_signed_min_scale
// CHECK:         arith.constant dense<[0.000000e+00, 0.142857149, {{.*}}, 1.000000e+00]> : tensor<8xf32>
// CHECK:         ^bb0(%[[IN:.*]]: i32, %{{.*}}: f32):
// CHECK:           %[[K:.*]] = linalg.index 2 : index
// CHECK:           %[[C16:.*]] = arith.constant 16 : index
// CHECK:           arith.divui %[[K]], %[[C16]] : index
// CHECK:           %[[QMIN:.*]] = arith.constant -4 : i32
// CHECK:           %[[D:.*]] = arith.subi %[[IN]], %[[QMIN]] : i32
// CHECK:           arith.minui %[[D]], %{{.*}} : i32
func.func @dequantize_signed_min_scale(%q: tensor<2x3x40xi32>, %s: tensor<2x3x3xf32>, %m: tensor<2x3x3xf32>) -> tensor<2x3x40xf32> {
  %x = lowbit.dequantize %q scales(%s : tensor<2x3x3xf32>) mins(%m : tensor<2x3x3xf32>) {scheme = #lowbit.scheme<i3, min_scale, per_group(axis = 2, size = 16)>} : tensor<2x3x40xi32> -> tensor<2x3x40xf32>
  return %x : tensor<2x3x40xf32>
}

// -----

// Codebook symmetric: x = v[q] * s with the codebook as the table; dynamic
// sizes come from the input.

// CHECK-LABEL: func @dequantize_codebook
// CHECK-SAME:    (%[[Q:.*]]: tensor<?x?xi8>, %[[S:.*]]: tensor<?xf32>)
// CHECK:         %[[V:.*]] = arith.constant dense<[-1.500000e+00, -2.500000e-01, 5.000000e-01, 2.000000e+00]> : tensor<4xf32>
// CHECK:         %[[D0:.*]] = tensor.dim %[[Q]], %{{.*}} : tensor<?x?xi8>
// CHECK:         %[[D1:.*]] = tensor.dim %[[Q]], %{{.*}} : tensor<?x?xi8>
// CHECK:         %[[E:.*]] = tensor.empty(%[[D0]], %[[D1]]) : tensor<?x?xf32>
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%[[E]] : tensor<?x?xf32>)
// CHECK:         ^bb0(%[[IN:.*]]: i8, %{{.*}}: f32):
// CHECK:           %[[I:.*]] = linalg.index 0 : index
// CHECK:           %[[SC:.*]] = tensor.extract %[[S]][%[[I]]] : tensor<?xf32>
// CHECK:           %[[QI:.*]] = arith.extui %[[IN]] : i8 to i32
// CHECK:           %[[K:.*]] = arith.minui %[[QI]], %{{.*}} : i32
// CHECK:           %[[KI:.*]] = arith.index_castui %[[K]] : i32 to index
// CHECK:           %[[VK:.*]] = tensor.extract %[[V]][%[[KI]]] : tensor<4xf32>
// CHECK:           %[[X:.*]] = arith.mulf %[[VK]], %[[SC]] : f32
// CHECK:           linalg.yield %[[X]] : f32
func.func @dequantize_codebook(%q: tensor<?x?xi8>, %s: tensor<?xf32>) -> tensor<?x?xf32> {
  %x = lowbit.dequantize %q scales(%s : tensor<?xf32>) {scheme = #lowbit.scheme<u2, symmetric, per_channel(axis = 0), codebook = <[-1.5, -0.25, 0.5, 2.0]>>} : tensor<?x?xi8> -> tensor<?x?xf32>
  return %x : tensor<?x?xf32>
}

// -----

// The 3.5-bit seed scheme: T[k] = (v[k] - v[0]) / (v[10] - v[0]) computed in
// f32 from linspace(-1, 1, 11), i.e. (v[k] + 1) / 2: x = T[c] * s + m.

// CHECK-LABEL: func @dequantize_c11
// CHECK:         %[[T:.*]] = arith.constant dense<[0.000000e+00, 0.099999994, 0.199999988, 3.000000e-01, 4.000000e-01, 5.000000e-01, 6.000000e-01, 0.699999988, 8.000000e-01, 0.899999976, 1.000000e+00]> : tensor<11xf32>
// CHECK:         linalg.generic
// CHECK:           %[[C128:.*]] = arith.constant 128 : index
// CHECK:           arith.divui %{{.*}}, %[[C128]] : index
// CHECK:           %[[SC:.*]] = tensor.extract %{{.*}} : tensor<2x3xf32>
// CHECK:           %[[MIN:.*]] = tensor.extract %{{.*}} : tensor<2x3xf32>
// CHECK:           %[[LAST:.*]] = arith.constant 10 : i32
// CHECK:           arith.minui %{{.*}}, %[[LAST]] : i32
// CHECK:           %[[TK:.*]] = tensor.extract %[[T]]
// CHECK:           %[[A:.*]] = arith.mulf %[[TK]], %[[SC]] : f32
// CHECK:           %[[X:.*]] = arith.addf %[[A]], %[[MIN]] : f32
// CHECK:           linalg.yield %[[X]] : f32
func.func @dequantize_c11(%q: tensor<2x300xi8>, %s: tensor<2x3xf16>, %m: tensor<2x3xf16>) -> tensor<2x300xf32> {
  %x = lowbit.dequantize %q scales(%s : tensor<2x3xf16>) mins(%m : tensor<2x3xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>} : tensor<2x300xi8> -> tensor<2x300xf32>
  return %x : tensor<2x300xf32>
}

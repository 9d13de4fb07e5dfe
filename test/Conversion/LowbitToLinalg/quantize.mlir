// RUN: lowbit-opt %s -split-input-file -convert-lowbit-to-linalg | FileCheck %s

// Symmetric i4, nearest-even: q = R(clamp(x / s, -8, 7)) where the clamp is
// `y > lo ? y : lo` then `y < hi ? y : hi` (a NaN becomes -8).

// CHECK-LABEL: func @quantize_symmetric
// CHECK-SAME:    (%[[X:.*]]: tensor<4x70xf32>, %[[S:.*]]: tensor<4x3xf32>)
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[X]] : tensor<4x70xf32>)
// CHECK:         ^bb0(%[[IN:.*]]: f32, %{{.*}}: i8):
// CHECK:           %[[I:.*]] = linalg.index 0 : index
// CHECK:           %[[J:.*]] = linalg.index 1 : index
// CHECK:           %[[C32:.*]] = arith.constant 32 : index
// CHECK:           %[[G:.*]] = arith.divui %[[J]], %[[C32]] : index
// CHECK:           %[[SC:.*]] = tensor.extract %[[S]][%[[I]], %[[G]]] : tensor<4x3xf32>
// CHECK:           %[[Y:.*]] = arith.divf %[[IN]], %[[SC]] : f32
// CHECK:           %[[LO:.*]] = arith.constant -8.000000e+00 : f32
// CHECK:           %[[HI:.*]] = arith.constant 7.000000e+00 : f32
// CHECK:           %[[GT:.*]] = arith.cmpf ogt, %[[Y]], %[[LO]] : f32
// CHECK:           %[[Y1:.*]] = arith.select %[[GT]], %[[Y]], %[[LO]] : f32
// CHECK:           %[[LT:.*]] = arith.cmpf olt, %[[Y1]], %[[HI]] : f32
// CHECK:           %[[Y2:.*]] = arith.select %[[LT]], %[[Y1]], %[[HI]] : f32
// Nearest-even without libm: (y + 1.5 * 2^23) - 1.5 * 2^23.
// CHECK:           %[[MAGIC:.*]] = arith.constant 0x4B400000 : f32
// CHECK:           %[[SUM:.*]] = arith.addf %[[Y2]], %[[MAGIC]] : f32
// CHECK:           %[[R:.*]] = arith.subf %[[SUM]], %[[MAGIC]] : f32
// CHECK:           %[[Q:.*]] = arith.fptosi %[[R]] : f32 to i32
// CHECK:           %[[T:.*]] = arith.trunci %[[Q]] : i32 to i8
// CHECK:           linalg.yield %[[T]] : i8
func.func @quantize_symmetric(%x: tensor<4x70xf32>, %s: tensor<4x3xf32>) -> tensor<4x70xi8> {
  %q = lowbit.quantize %x scales(%s : tensor<4x3xf32>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>} : tensor<4x70xf32> -> tensor<4x70xi8>
  return %q : tensor<4x70xi8>
}

// -----

// Affine u8 with f16 input and parameters, nearest-away: the zero point is
// read unsigned, the clamp bounds are float(qmin - z) and float(qmax - z),
// and z is added after rounding.

// CHECK-LABEL: func @quantize_affine
// CHECK-SAME:    (%[[X:.*]]: tensor<4x70xf16>, %[[S:.*]]: tensor<4x3xf16>, %[[Z:.*]]: tensor<4x3xi8>)
// CHECK:         ^bb0(%[[IN:.*]]: f16, %{{.*}}: i8):
// CHECK:           %[[SH:.*]] = tensor.extract %[[S]]
// CHECK:           %[[SC:.*]] = arith.extf %[[SH]] : f16 to f32
// CHECK:           %[[ZP:.*]] = tensor.extract %[[Z]]
// CHECK:           %[[ZI:.*]] = arith.extui %[[ZP]] : i8 to i32
// CHECK:           %[[XF:.*]] = arith.extf %[[IN]] : f16 to f32
// CHECK:           %[[Y:.*]] = arith.divf %[[XF]], %[[SC]] : f32
// CHECK:           %[[QMIN:.*]] = arith.constant 0 : i32
// CHECK:           %[[LOI:.*]] = arith.subi %[[QMIN]], %[[ZI]] : i32
// CHECK:           %[[LO:.*]] = arith.sitofp %[[LOI]] : i32 to f32
// CHECK:           %[[QMAX:.*]] = arith.constant 255 : i32
// CHECK:           %[[HII:.*]] = arith.subi %[[QMAX]], %[[ZI]] : i32
// CHECK:           %[[HI:.*]] = arith.sitofp %[[HII]] : i32 to f32
// CHECK:           arith.cmpf ogt, %[[Y]], %[[LO]] : f32
// CHECK:           arith.cmpf olt
// CHECK:           %[[Y2:.*]] = arith.select
// Nearest-away: truncate, then step away from zero when |y - t| >= 1/2.
// CHECK:           %[[T0:.*]] = arith.fptosi %[[Y2]] : f32 to i32
// CHECK:           %[[TF:.*]] = arith.sitofp %[[T0]] : i32 to f32
// CHECK:           %[[F:.*]] = arith.subf %[[Y2]], %[[TF]] : f32
// CHECK:           arith.cmpf oge, %[[F]]
// CHECK:           arith.cmpf ole, %[[F]]
// CHECK:           arith.select
// CHECK:           %[[RI:.*]] = arith.select
// CHECK:           %[[Q:.*]] = arith.addi %[[RI]], %[[ZI]] : i32
// CHECK:           %[[T:.*]] = arith.trunci %[[Q]] : i32 to i8
// CHECK:           linalg.yield %[[T]] : i8
func.func @quantize_affine(%x: tensor<4x70xf16>, %s: tensor<4x3xf16>, %z: tensor<4x3xi8>) -> tensor<4x70xi8> {
  %q = lowbit.quantize %x scales(%s : tensor<4x3xf16>) zero_points(%z : tensor<4x3xi8>) {scheme = #lowbit.scheme<u8, affine, per_group(axis = 1, size = 32), rounding = nearest_away>} : tensor<4x70xf16> -> tensor<4x70xi8>
  return %q : tensor<4x70xi8>
}

// -----

// Uniform min/scale i3 (L = 7, qmin = -4), truncating:
// q = qmin + R(clamp(((x - m) / s) * L, 0, L)); an i32 result holds the value.

// CHECK-LABEL: func @quantize_min_scale
// CHECK:         ^bb0(%[[IN:.*]]: f32, %{{.*}}: i32):
// CHECK:           %[[SC:.*]] = tensor.extract
// CHECK:           %[[MIN:.*]] = tensor.extract
// CHECK:           %[[L:.*]] = arith.constant 7.000000e+00 : f32
// CHECK:           %[[D:.*]] = arith.subf %[[IN]], %[[MIN]] : f32
// CHECK:           %[[T:.*]] = arith.divf %[[D]], %[[SC]] : f32
// CHECK:           %[[Y:.*]] = arith.mulf %[[T]], %[[L]] : f32
// CHECK:           %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:           %[[GT:.*]] = arith.cmpf ogt, %[[Y]], %[[ZERO]] : f32
// CHECK:           %[[Y1:.*]] = arith.select %[[GT]], %[[Y]], %[[ZERO]] : f32
// CHECK:           %[[LT:.*]] = arith.cmpf olt, %[[Y1]], %[[L]] : f32
// CHECK:           %[[Y2:.*]] = arith.select %[[LT]], %[[Y1]], %[[L]] : f32
// Toward zero: fptosi truncates.
// CHECK:           %[[RI:.*]] = arith.fptosi %[[Y2]] : f32 to i32
// CHECK:           %[[QMIN:.*]] = arith.constant -4 : i32
// CHECK:           %[[Q:.*]] = arith.addi %[[QMIN]], %[[RI]] : i32
// CHECK:           linalg.yield %[[Q]] : i32
func.func @quantize_min_scale(%x: tensor<3x33xf32>, %s: tensor<3xf32>, %m: tensor<3xf32>) -> tensor<3x33xi32> {
  %q = lowbit.quantize %x scales(%s : tensor<3xf32>) mins(%m : tensor<3xf32>) {scheme = #lowbit.scheme<i3, min_scale, per_channel(axis = 0), rounding = toward_zero>} : tensor<3x33xf32> -> tensor<3x33xi32>
  return %q : tensor<3x33xi32>
}

// -----

// The 3.5-bit seed scheme: t = (x - m) / s and the code is the number of
// midpoints (T[j] + T[j+1]) / 2 that t exceeds (ties go to the lower index,
// NaN to 0), unrolled for 10 midpoints.

// CHECK-LABEL: func @quantize_codebook_min_scale
// CHECK:         ^bb0(%[[IN:.*]]: f32, %{{.*}}: i8):
// CHECK:           %[[D:.*]] = arith.subf %[[IN]], %{{.*}} : f32
// CHECK:           %[[T:.*]] = arith.divf %[[D]], %{{.*}} : f32
// CHECK:           %[[ONE:.*]] = arith.constant 1 : i32
// CHECK:           %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK:           %[[M0:.*]] = arith.constant 0.049999997 : f32
// CHECK:           %[[A0:.*]] = arith.cmpf ogt, %[[T]], %[[M0]] : f32
// CHECK:           %[[S0:.*]] = arith.select %[[A0]], %[[ONE]], %[[ZERO]] : i32
// CHECK:           %[[K0:.*]] = arith.addi %[[ZERO]], %[[S0]] : i32
// CHECK:           arith.constant 0.149999991 : f32
// CHECK-COUNT-9:   arith.cmpf ogt, %[[T]]
// CHECK-NOT:       arith.cmpf
// CHECK:           %[[K:.*]] = arith.addi
// CHECK:           %[[Q:.*]] = arith.trunci %[[K]] : i32 to i8
// CHECK:           linalg.yield %[[Q]] : i8
func.func @quantize_codebook_min_scale(%x: tensor<2x300xf32>, %s: tensor<2x3xf32>, %m: tensor<2x3xf32>) -> tensor<2x300xi8> {
  %q = lowbit.quantize %x scales(%s : tensor<2x3xf32>) mins(%m : tensor<2x3xf32>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>} : tensor<2x300xf32> -> tensor<2x300xi8>
  return %q : tensor<2x300xi8>
}

// -----

// A codebook with 39 midpoints counts in an scf.for over a constant table.

// CHECK-LABEL: func @quantize_codebook_loop
// CHECK:         %[[MIDS:.*]] = arith.constant dense<{{.*}}> : tensor<39xf32>
// CHECK:         ^bb0(%[[IN:.*]]: f32, %{{.*}}: i8):
// CHECK:           %[[SC:.*]] = tensor.extract %{{.*}}[] : tensor<f32>
// CHECK:           %[[T:.*]] = arith.divf %[[IN]], %[[SC]] : f32
// CHECK:           %[[ONE:.*]] = arith.constant 1 : i32
// CHECK:           %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK:           %[[N:.*]] = arith.constant 39 : index
// CHECK:           %[[K:.*]] = scf.for %[[J:.*]] = %{{.*}} to %[[N]] step %{{.*}} iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (i32) {
// CHECK:             %[[MID:.*]] = tensor.extract %[[MIDS]][%[[J]]] : tensor<39xf32>
// CHECK:             %[[A:.*]] = arith.cmpf ogt, %[[T]], %[[MID]] : f32
// CHECK:             %[[S:.*]] = arith.select %[[A]], %[[ONE]], %[[ZERO]] : i32
// CHECK:             %[[NEXT:.*]] = arith.addi %[[ACC]], %[[S]] : i32
// CHECK:             scf.yield %[[NEXT]] : i32
// CHECK:           %[[Q:.*]] = arith.trunci %[[K]] : i32 to i8
// CHECK:           linalg.yield %[[Q]] : i8
func.func @quantize_codebook_loop(%x: tensor<2x40xf32>, %s: tensor<f32>) -> tensor<2x40xi8> {
  %q = lowbit.quantize %x scales(%s : tensor<f32>) {scheme = #lowbit.scheme<u6, symmetric, per_tensor, codebook = <linspace(-4.0, 4.0, 40)>>} : tensor<2x40xf32> -> tensor<2x40xi8>
  return %q : tensor<2x40xi8>
}

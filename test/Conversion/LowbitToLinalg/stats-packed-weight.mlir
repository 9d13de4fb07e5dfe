// RUN: lowbit-opt %s -split-input-file -convert-lowbit-to-linalg | FileCheck %s

// lowbit.stats is its input.

// CHECK-LABEL: func @stats
// CHECK-SAME:    (%[[X:.*]]: tensor<1x84xf32>)
// CHECK-NOT:     lowbit.stats
// CHECK:         %[[Y:.*]] = arith.addf %[[X]], %[[X]] : tensor<1x84xf32>
// CHECK:         return %[[Y]]
func.func @stats(%x: tensor<1x84xf32>) -> tensor<1x84xf32> {
  %0 = lowbit.stats %x {min = array<f32: -1.5>, max = array<f32: 4.0>} : tensor<1x84xf32>
  %1 = arith.addf %0, %0 : tensor<1x84xf32>
  return %1 : tensor<1x84xf32>
}

// -----

// lowbit.packed_weight becomes one constant per payload; matmul then uses
// the constants.

// CHECK-LABEL: func @packed_weight_min_scale
// CHECK-DAG:     %[[DATA:.*]] = arith.constant dense<7> : tensor<2x16xi8>
// CHECK-DAG:     %[[SCALES:.*]] = arith.constant dense<5.000000e-01> : tensor<2x2xf16>
// CHECK-DAG:     %[[MINS:.*]] = arith.constant dense<-1.000000e+00> : tensor<2x2xf16>
// CHECK-NOT:     lowbit.
// CHECK:         linalg.generic {{.*}} ins(%[[DATA]] : tensor<2x16xi8>)
// CHECK:         linalg.generic {{.*}} ins(%[[SCALES]] : tensor<2x2xf16>)
// CHECK:         linalg.generic {{.*}} ins(%[[MINS]] : tensor<2x2xf16>)
func.func @packed_weight_min_scale(%x: tensor<1x40xf32>) -> tensor<1x2xf32> {
  %w:3 = lowbit.packed_weight {data = dense<7> : tensor<2x16xi8>, scales = dense<0.5> : tensor<2x2xf16>, mins = dense<-1.0> : tensor<2x2xf16>, shape = array<i64: 2, 40>, scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int2, block = 32>} : tensor<2x16xi8>, tensor<2x2xf16>, tensor<2x2xf16>
  %y = lowbit.matmul %x, %w#0 scales(%w#1 : tensor<2x2xf16>) mins(%w#2 : tensor<2x2xf16>) {scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int2, block = 32>} : tensor<1x40xf32>, tensor<2x16xi8> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// dense_resource payloads stay resources; zero points are the third result.

// CHECK-LABEL: func @packed_weight_resource
// CHECK:         %[[DATA:.*]] = arith.constant dense_resource<w_data> : tensor<2x4xi8>
// CHECK:         %[[SCALES:.*]] = arith.constant dense<[2.500000e-01, 1.250000e-01]> : tensor<2xf32>
// CHECK:         %[[ZP:.*]] = arith.constant dense<[8, 3]> : tensor<2xi8>
// CHECK:         return %[[DATA]], %[[SCALES]], %[[ZP]]
func.func @packed_weight_resource() -> (tensor<2x4xi8>, tensor<2xf32>, tensor<2xi8>) {
  %w:3 = lowbit.packed_weight {data = dense_resource<w_data> : tensor<2x4xi8>, scales = dense<[0.25, 0.125]> : tensor<2xf32>, zero_points = dense<[8, 3]> : tensor<2xi8>, shape = array<i64: 2, 8>, scheme = #lowbit.scheme<u4, affine, per_channel(axis = 0)>, layout = #lowbit.layout<int4>} : tensor<2x4xi8>, tensor<2xf32>, tensor<2xi8>
  return %w#0, %w#1, %w#2 : tensor<2x4xi8>, tensor<2xf32>, tensor<2xi8>
}

{-#
  dialect_resources: {
    builtin: {
      w_data: "0x010000001032547698BADCFE"
    }
  }
#-}

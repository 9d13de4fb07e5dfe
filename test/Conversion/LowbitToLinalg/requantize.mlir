// RUN: lowbit-opt %s -split-input-file -convert-lowbit-to-linalg | FileCheck %s

// y = clamp(((x - izp) * M + 2^(shift-1)) >> shift + ozp, lo, hi) in i64,
// with the rounding term added as
// (p >> shift) + (((p & (2^shift - 1)) + 2^(shift-1)) >> shift), which is
// the same value and cannot overflow. Per tensor: M = 1518500250,
// shift = 38 (mask 2^38 - 1 = 274877906943, half 2^37 = 137438953472),
// ozp = -3, clamp to the i8 range.

// CHECK-LABEL: func @requantize_per_tensor
// CHECK-SAME:    (%[[ACC:.*]]: tensor<1x120xi32>)
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[ACC]] : tensor<1x120xi32>)
// CHECK:         ^bb0(%[[IN:.*]]: i32, %{{.*}}: i8):
// CHECK:           %[[M:.*]] = arith.constant 1518500250 : i64
// CHECK:           %[[SH:.*]] = arith.constant 38 : i64
// CHECK:           %[[MASK:.*]] = arith.constant 274877906943 : i64
// CHECK:           %[[HALF:.*]] = arith.constant 137438953472 : i64
// CHECK:           %[[X:.*]] = arith.extsi %[[IN]] : i32 to i64
// CHECK:           %[[P:.*]] = arith.muli %[[X]], %[[M]] : i64
// CHECK:           %[[HIGH:.*]] = arith.shrsi %[[P]], %[[SH]] : i64
// CHECK:           %[[LOW:.*]] = arith.andi %[[P]], %[[MASK]] : i64
// CHECK:           %[[RND:.*]] = arith.addi %[[LOW]], %[[HALF]] : i64
// CHECK:           %[[CARRY:.*]] = arith.shrui %[[RND]], %[[SH]] : i64
// CHECK:           %[[Q:.*]] = arith.addi %[[HIGH]], %[[CARRY]] : i64
// CHECK:           %[[OZP:.*]] = arith.constant -3 : i64
// CHECK:           %[[Y:.*]] = arith.addi %[[Q]], %[[OZP]] : i64
// CHECK:           %[[LO:.*]] = arith.constant -128 : i64
// CHECK:           %[[Y1:.*]] = arith.maxsi %[[Y]], %[[LO]] : i64
// CHECK:           %[[HI:.*]] = arith.constant 127 : i64
// CHECK:           %[[Y2:.*]] = arith.minsi %[[Y1]], %[[HI]] : i64
// CHECK:           %[[T:.*]] = arith.trunci %[[Y2]] : i64 to i8
// CHECK:           linalg.yield %[[T]] : i8
func.func @requantize_per_tensor(%acc: tensor<1x120xi32>) -> tensor<1x120xi8> {
  %y = lowbit.requantize %acc {multiplier = array<i32: 1518500250>, shift = array<i32: 38>, output_zero_point = -3 : i32} : tensor<1x120xi32> -> tensor<1x120xi8>
  return %y : tensor<1x120xi8>
}

// -----

// Per axis 1: multiplier and shift come from constant tables indexed by the
// channel; the input zero point is subtracted first; explicit clamp bounds.

// CHECK-LABEL: func @requantize_per_axis
// CHECK-SAME:    (%[[ACC:.*]]: tensor<?x3xi32>)
// CHECK-DAG:     %[[MS:.*]] = arith.constant dense<[1073741824, 5, 0]> : tensor<3xi64>
// CHECK-DAG:     %[[SS:.*]] = arith.constant dense<[30, 1, 62]> : tensor<3xi64>
// CHECK:         %[[N:.*]] = tensor.dim %[[ACC]], %{{.*}} : tensor<?x3xi32>
// CHECK:         %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x3xi16>
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%[[E]] : tensor<?x3xi16>)
// CHECK:         ^bb0(%[[IN:.*]]: i32, %{{.*}}: i16):
// CHECK:           %[[C:.*]] = linalg.index 1 : index
// CHECK:           %[[M:.*]] = tensor.extract %[[MS]][%[[C]]] : tensor<3xi64>
// CHECK:           %[[SH:.*]] = tensor.extract %[[SS]][%[[C]]] : tensor<3xi64>
// CHECK:           %[[ONE:.*]] = arith.constant 1 : i64
// CHECK:           %[[POW:.*]] = arith.shli %[[ONE]], %[[SH]] : i64
// CHECK:           %[[MASK:.*]] = arith.subi %[[POW]], %[[ONE]] : i64
// CHECK:           %[[SHM1:.*]] = arith.subi %[[SH]], %[[ONE]] : i64
// CHECK:           %[[HALF:.*]] = arith.shli %[[ONE]], %[[SHM1]] : i64
// CHECK:           %[[X:.*]] = arith.extsi %[[IN]] : i32 to i64
// CHECK:           %[[IZP:.*]] = arith.constant 7 : i64
// CHECK:           %[[D:.*]] = arith.subi %[[X]], %[[IZP]] : i64
// CHECK:           %[[P:.*]] = arith.muli %[[D]], %[[M]] : i64
// CHECK:           arith.shrsi %[[P]], %[[SH]] : i64
// CHECK:           arith.andi %[[P]], %[[MASK]] : i64
// CHECK:           arith.addi %{{.*}}, %[[HALF]] : i64
// CHECK:           arith.shrui %{{.*}}, %[[SH]] : i64
// CHECK:           %[[Q:.*]] = arith.addi
// CHECK:           %[[LO:.*]] = arith.constant 0 : i64
// CHECK:           %[[Y1:.*]] = arith.maxsi %[[Q]], %[[LO]] : i64
// CHECK:           %[[HI:.*]] = arith.constant 1000 : i64
// CHECK:           %[[Y2:.*]] = arith.minsi %[[Y1]], %[[HI]] : i64
// CHECK:           arith.trunci %[[Y2]] : i64 to i16
func.func @requantize_per_axis(%acc: tensor<?x3xi32>) -> tensor<?x3xi16> {
  %y = lowbit.requantize %acc {axis = 1 : i64, multiplier = array<i32: 1073741824, 5, 0>, shift = array<i32: 30, 1, 62>, input_zero_point = 7 : i32, clamp_min = 0 : i32, clamp_max = 1000 : i32} : tensor<?x3xi32> -> tensor<?x3xi16>
  return %y : tensor<?x3xi16>
}

// RUN: lowbit-opt %s -split-input-file -lowbit-strip-stats | FileCheck %s

// CHECK-LABEL: func @observed
// CHECK-SAME: (%[[X:.*]]: tensor<1x84xf32>)
// CHECK-NOT: lowbit.stats
// CHECK: %[[SUM:.*]] = arith.addf %[[X]], %[[X]]
// CHECK: return %[[SUM]]
func.func @observed(%x: tensor<1x84xf32>) -> tensor<1x84xf32> {
  %0 = lowbit.stats %x {min = array<f32: -1.5>, max = array<f32: 4.0>} : tensor<1x84xf32>
  %1 = arith.addf %0, %0 : tensor<1x84xf32>
  return %1 : tensor<1x84xf32>
}

// -----

// Nested regions and chained observers are stripped too.
// CHECK-LABEL: func @nested
// CHECK-NOT: lowbit.stats
// CHECK: scf.if
// CHECK: scf.yield %{{.*}} : tensor<4xf32>
func.func @nested(%c: i1, %x: tensor<4xf32>) -> tensor<4xf32> {
  %r = scf.if %c -> tensor<4xf32> {
    %0 = lowbit.stats %x {min = array<f32: 0.0>, max = array<f32: 1.0>} : tensor<4xf32>
    %1 = lowbit.stats %0 {min = array<f32: 0.0>, max = array<f32: 1.0>} : tensor<4xf32>
    scf.yield %1 : tensor<4xf32>
  } else {
    scf.yield %x : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

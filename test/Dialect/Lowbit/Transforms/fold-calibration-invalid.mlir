// RUN: lowbit-opt %s -split-input-file -lowbit-fold-calibration="method=entropy" -verify-diagnostics
// RUN: not lowbit-opt %s -lowbit-fold-calibration="method=kl" 2>&1 | FileCheck %s --check-prefix=METHOD
// RUN: not lowbit-opt %s -lowbit-fold-calibration="method=percentile percentile=30" 2>&1 | FileCheck %s --check-prefix=PCT

// METHOD: unknown calibration method 'kl' (expected minmax, percentile, entropy or mse)
// PCT: percentile must be in (50, 100], got 3.000000e+01

func.func @no_histogram(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %v = arith.negf %x : tensor<1x4xf32>
  // expected-error @+1 {{'lowbit.stats' op has no histogram, which calibration method 'entropy' needs (collect one with lowbit-calibrate, or use method=minmax)}}
  %0 = lowbit.stats %v {min = array<f32: 0.0>, max = array<f32: 6.0>} : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @per_channel_falls_back(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %v = arith.negf %x : tensor<3x2xf32>
  // expected-remark @+1 {{per-channel statistics have no histogram; using their min-max ranges}}
  %0 = lowbit.stats %v {axis = 1 : i64, min = array<f32: 0.0, 0.0>, max = array<f32: 6.0, 1.0>} : tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

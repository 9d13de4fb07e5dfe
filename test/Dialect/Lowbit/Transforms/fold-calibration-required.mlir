// RUN: lowbit-opt %s --pass-pipeline="builtin.module(func.func(lowbit-fold-calibration{require-statistics}))" -verify-diagnostics

// expected-error @+1 {{has no calibration statistics (lowbit.stats), which static int8 activations need}}
func.func @uncalibrated(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// Private functions (to be inlined) need no statistics of their own.
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

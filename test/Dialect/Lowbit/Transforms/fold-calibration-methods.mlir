// RUN: lowbit-opt %s -split-input-file -lowbit-fold-calibration="method=percentile percentile=90" | FileCheck %s --check-prefix=PCT
// RUN: lowbit-opt %s -split-input-file -lowbit-fold-calibration="method=mse" | FileCheck %s --check-prefix=MSE

// Ten values over [-8, 8] in bins of 2: one each in [-4, -2), [-2, 0) and
// [0, 2), seven in [2, 4). Percentile 90: the highest 10% (one value) lies
// above 2 + 2 * 6/7 = 3.714 and the lowest 10% below -4 + 2 * 1 = -2, so
// the range is [-2, 3.714]: scale 5.714 / 255 = 0.0224, zero point
// -128 - round(-2 / 0.0224) = -39.
// PCT-LABEL: func @histogram
// PCT-DAG: arith.constant dense<0.0224089641> : tensor<f32>
// PCT-DAG: arith.constant dense<-39> : tensor<i32>
// Min-squared-error: of the 200 candidate ranges a * [-4, 4], a = k / 200, the one with
// the least error at the bin centres (-3, -1, 1, 3) is a = 0.885, i.e.
// [-3.54, 3.54]: it keeps every centre inside, with a finer step than
// [-4, 4]. Scale 7.08 / 255, zero point -128 + 128 = 0.
// MSE-LABEL: func @histogram
// MSE-DAG: arith.constant dense<0.0277647059> : tensor<f32>
// MSE-DAG: arith.constant dense<0> : tensor<i32>
func.func @histogram(%x: tensor<10xf32>) -> tensor<10xf32> {
  %v = arith.negf %x : tensor<10xf32>
  %0 = lowbit.stats %v {min = array<f32: -4.0>, max = array<f32: 4.0>,
                        histogram = array<i64: 0, 0, 1, 1, 1, 7, 0, 0>,
                        histogram_range = array<f32: -8.0, 8.0>} : tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

// A model input keeps its min-max range [-4, 4] under every method:
// scale 8 / 255 (as f32, 0.0313725509, a little above), so -4 / scale =
// -127.4999... rounds to -127 and the zero point is -128 + 127 = -1.
// PCT-LABEL: func @model_input
// PCT-DAG: arith.constant dense<0.0313725509> : tensor<f32>
// PCT-DAG: arith.constant dense<-1> : tensor<i32>
func.func @model_input(%x: tensor<10xf32>) -> tensor<10xf32> {
  %0 = lowbit.stats %x {min = array<f32: -4.0>, max = array<f32: 4.0>,
                        histogram = array<i64: 0, 0, 1, 1, 1, 7, 0, 0>,
                        histogram_range = array<f32: -8.0, 8.0>} : tensor<10xf32>
  return %0 : tensor<10xf32>
}

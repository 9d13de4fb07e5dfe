// RUN: lowbit-opt %s -split-input-file -convert-lowbit-to-linalg | FileCheck %s

// sum_k (x - z) * w + bias: the accumulator starts at the broadcast bias.
// CHECK-LABEL: func @integer_matmul
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%arg2 : tensor<3xi32>) outs(%{{.*}} : tensor<2x3xi32>) dimensions = [0]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<2x5xi8>, tensor<3x5xi8>) outs(%[[INIT]] : tensor<2x3xi32>)
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.subi %{{.*}}, %c-7_i32
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.muli
// CHECK: arith.addi
func.func @integer_matmul(%x: tensor<2x5xi8>, %w: tensor<3x5xi8>, %b: tensor<3xi32>) -> tensor<2x3xi32> {
  %y = lowbit.integer_matmul %x, %w bias(%b : tensor<3xi32>) {input_zero_point = -7 : i32} : tensor<2x5xi8>, tensor<3x5xi8> -> tensor<2x3xi32>
  return %y : tensor<2x3xi32>
}

// -----

// An observer left in the model is the identity.
// CHECK-LABEL: func @observe
// CHECK-NEXT: return %arg0
func.func @observe(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = lowbit.observe %x {id = 0 : i64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

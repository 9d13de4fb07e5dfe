// RUN: lowbit-opt %s -split-input-file -verify-diagnostics -lowbit-export-c-interface | FileCheck %s

// CHECK-LABEL: func.func private @model
// CHECK-LABEL: func.func @lowbit_model
// CHECK-SAME: (%[[A:.*]]: memref<2x3xf32>, %[[B:.*]]: memref<3xi8>, %[[OUT0:.*]]: memref<2xf32>, %[[OUT1:.*]]: memref<4xi32>) -> i32
// CHECK: %[[TA:.*]] = bufferization.to_tensor %[[A]] restrict : memref<2x3xf32> to tensor<2x3xf32>
// CHECK: %[[TB:.*]] = bufferization.to_tensor %[[B]] restrict
// CHECK: %[[R:.*]]:2 = call @model(%[[TA]], %[[TB]])
// CHECK: bufferization.materialize_in_destination %[[R]]#0 in restrict writable %[[OUT0]]
// CHECK: bufferization.materialize_in_destination %[[R]]#1 in restrict writable %[[OUT1]]
// CHECK: %[[OK:.*]] = arith.constant 0 : i32
// CHECK: return %[[OK]] : i32
func.func @model(%a: tensor<2x3xf32>, %b: tensor<3xi8>) -> (tensor<2xf32>, tensor<4xi32>) {
  %0 = arith.constant dense<1.0> : tensor<2xf32>
  %1 = arith.constant dense<2> : tensor<4xi32>
  return %0, %1 : tensor<2xf32>, tensor<4xi32>
}

// Private functions and declarations are not exported.
// CHECK-NOT: @lowbit_helper
func.func private @helper(%a: tensor<2xf32>) -> tensor<2xf32> {
  return %a : tensor<2xf32>
}

// -----

// expected-error @+1 {{cannot export @dynamic to C: result 0 has type 'tensor<?xf32>' (only statically shaped tensors of integers or floats)}}
func.func @dynamic(%a: tensor<4xf32>) -> tensor<?xf32> {
  %0 = tensor.cast %a : tensor<4xf32> to tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// expected-error @+1 {{cannot export @empty to C: argument 0 has type 'tensor<0x4xf32>', which has no elements (lowbit does not compile tensors with a zero-sized dimension)}}
func.func @empty(%a: tensor<0x4xf32>) -> tensor<0x4xf32> {
  return %a : tensor<0x4xf32>
}

// -----

// expected-error @+1 {{cannot export @scalar to C: argument 0 has type 'f32'}}
func.func @scalar(%a: f32) -> tensor<1xf32> {
  %0 = tensor.from_elements %a : tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// expected-error @+1 {{cannot export @taken: a symbol named @lowbit_taken exists}}
func.func @taken(%a: tensor<1xf32>) -> tensor<1xf32> {
  return %a : tensor<1xf32>
}
func.func private @lowbit_taken()

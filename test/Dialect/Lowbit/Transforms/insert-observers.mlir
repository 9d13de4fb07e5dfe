// RUN: lowbit-opt %s -split-input-file -lowbit-insert-observers | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-insert-observers=per-channel | FileCheck %s --check-prefix=CHANNEL

// The model input, the matmul's data input (the same value), the layer
// output after bias and ReLU, and the returned value (the same again). The
// transposed constant weight is not observed.
// CHECK-LABEL: func @fc
// CHECK-NEXT: %[[X:.*]] = lowbit.observe %arg0 {id = 0 : i64} : tensor<1x4xf32>
// CHECK: linalg.matmul ins(%[[X]],
// CHECK: arith.addf
// CHECK: %[[R:.*]] = linalg.generic
// CHECK: arith.maximumf
// CHECK: %[[O:.*]] = lowbit.observe %[[R]] {id = 1 : i64} : tensor<1x3xf32>
// CHECK-NEXT: return %[[O]]
// CHECK-NOT: lowbit.observe
// CHANNEL-LABEL: func @fc
// CHANNEL: lowbit.observe %arg0 {axis = 1 : i64, id = 0 : i64}
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @fc(%x: tensor<1x4xf32>) -> tensor<1x3xf32> {
  %w = arith.constant dense<1.0> : tensor<3x4xf32>
  %b = arith.constant dense<0.5> : tensor<3xf32>
  %e = tensor.empty() : tensor<4x3xf32>
  %t = linalg.transpose ins(%w : tensor<3x4xf32>) outs(%e : tensor<4x3xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x3xf32>) -> tensor<1x3xf32>
  %y = linalg.matmul ins(%x, %t : tensor<1x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<1x3xf32>) -> tensor<1x3xf32>
  %z = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y, %b : tensor<1x3xf32>, tensor<3xf32>) outs(%o : tensor<1x3xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x3xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%z : tensor<1x3xf32>) outs(%o : tensor<1x3xf32>) {
  ^bb0(%a: f32, %out: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x3xf32>
  return %r : tensor<1x3xf32>
}

// -----

// Already observed: left alone.
// CHECK-LABEL: func @observed
// CHECK-COUNT-1: lowbit.observe
func.func @observed(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = lowbit.observe %x {id = 0 : i64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Private functions are not instrumented (the lowering inlines them into
// the public entry point), and scalar tensors are not observed: the entry's
// vector input and its returned value are.
// CHECK-LABEL: func private @helper
// CHECK-NOT: lowbit.observe
// CHECK-LABEL: func @entry
// CHECK-NEXT: %[[X:.*]] = lowbit.observe %arg0 {id = 0 : i64} : tensor<4xf32>
// CHECK-NEXT: %[[Y:.*]] = call @helper(%[[X]], %arg1)
// CHECK-NEXT: %[[O:.*]] = lowbit.observe %[[Y]] {id = 1 : i64} : tensor<4xf32>
// CHECK-NEXT: return %[[O]]
func.func private @helper(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4x4xf32>
  %zero = arith.constant 0.0 : f32
  %r = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%r : tensor<4xf32>) -> tensor<4xf32>
  %w = arith.constant dense<1.0> : tensor<4x4xf32>
  %y = linalg.matvec ins(%w, %x : tensor<4x4xf32>, tensor<4xf32>) outs(%acc : tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func @entry(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xf32> {
  %y = func.call @helper(%x, %s) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

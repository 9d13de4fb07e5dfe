// RUN: lowbit-opt %s -split-input-file -lowbit-externalize-constants -verify-diagnostics | FileCheck %s

// Two constants: 16 bytes at 64 and a 3-byte splat at 128; the file is 192
// bytes. The entry point reads @w and calls a private helper that reads @t:
// both take the weights first, and the call passes them on. The non-constant
// global stays.

// CHECK: module attributes {lowbit.external_weights = {constants = [dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>, dense<7> : tensor<3xi8>], fingerprint = {{-?[0-9]+}} : i64, offsets = array<i64: 64, 128>, size = 192 : i64}}
// CHECK-NOT: memref.global "private" constant
// CHECK: memref.global "private" @state
// CHECK-LABEL: func.func private @helper(
// CHECK-SAME: %[[W:.*]]: memref<192xi8>, %[[X:.*]]: memref<3xi8>)
// CHECK: %[[OFF:.*]] = arith.constant 128 : index
// CHECK: memref.view %[[W]][%[[OFF]]][] : memref<192xi8> to memref<3xi8>
// CHECK-LABEL: func.func @lowbit_f(
// CHECK-SAME: %[[W2:.*]]: memref<192xi8>, %[[IN:.*]]: memref<4xf32>, %[[OUT:.*]]: memref<4xf32>, %[[B:.*]]: memref<3xi8>) -> i32 attributes {lowbit.entry_point}
// CHECK: %[[OFF2:.*]] = arith.constant 64 : index
// CHECK: %[[V:.*]] = memref.view %[[W2]][%[[OFF2]]][] : memref<192xi8> to memref<4xf32>
// CHECK: memref.copy %[[V]], %[[OUT]]
// CHECK: call @helper(%[[W2]], %[[B]]) {keep}
// CHECK-LABEL: func.func @lowbit_f_weights_size() -> i64
// CHECK: arith.constant 192 : i64
// CHECK-LABEL: func.func @lowbit_f_check_weights(
// CHECK-SAME: %[[CW:.*]]: memref<192xi8>, %[[SIZE:.*]]: i64) -> i32
// CHECK: %[[WRONG:.*]] = arith.cmpi ne, %[[SIZE]], %c192_i64
// CHECK: %[[ADDRESS:.*]] = memref.extract_aligned_pointer_as_index %[[CW]]
// CHECK: %[[REM:.*]] = arith.remui %[[ADDRESS]], %c64
// CHECK: %[[MISALIGNED:.*]] = arith.cmpi ne, %[[REM]], %c0
// CHECK: %[[EITHER:.*]] = arith.ori %[[WRONG]], %[[MISALIGNED]]
// CHECK: scf.if %[[EITHER]] -> (i32)
// CHECK: %[[CODE:.*]] = arith.select %[[MISALIGNED]], %c6_i32, %c1_i32
// CHECK: scf.yield %[[CODE]]
// CHECK: else
// CHECK: %[[WORDS:.*]] = memref.view %[[CW]][%{{.*}}][] : memref<192xi8> to memref<24xi64>
// CHECK: scf.for %{{.*}} = %c8 to %c24 step %{{.*}} iter_args(%[[H:.*]] = %c-3750763034362895579_i64)
// CHECK: %[[WORD:.*]] = memref.load %[[WORDS]]
// CHECK: %[[MIX:.*]] = arith.xori %[[H]], %[[WORD]]
// CHECK: arith.muli %[[MIX]], %c1099511628211_i64
// CHECK: arith.select
// CHECK-NOT: memref.get_global
memref.global "private" constant @w : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]> {alignment = 64 : i64}
memref.global "private" constant @t : memref<3xi8> = dense<7>
memref.global "private" @state : memref<2xf32> = dense<0.0>
func.func private @helper(%x: memref<3xi8>) {
  %t = memref.get_global @t : memref<3xi8>
  memref.copy %t, %x : memref<3xi8> to memref<3xi8>
  return
}
func.func @lowbit_f(%in0: memref<4xf32>, %out0: memref<4xf32>, %b: memref<3xi8>) -> i32
    attributes {lowbit.entry_point} {
  %w = memref.get_global @w : memref<4xf32>
  memref.copy %w, %out0 : memref<4xf32> to memref<4xf32>
  call @helper(%b) {keep} : (memref<3xi8>) -> ()
  %z = arith.constant 0 : i32
  return %z : i32
}

// -----

// Without constants the file is the header alone, and the entry point still
// takes the weights (every entry point has the same C form).

// CHECK: lowbit.external_weights = {constants = [], fingerprint = -3750763034362895579 : i64, offsets = array<i64>, size = 64 : i64}
// CHECK-LABEL: func.func @lowbit_g(
// CHECK-SAME: %{{.*}}: memref<64xi8>, %{{.*}}: memref<4xf32>)
// CHECK-LABEL: func.func @lowbit_g_weights_size
// CHECK: arith.constant 64 : i64
// CHECK-LABEL: func.func @lowbit_g_check_weights(
// CHECK-SAME: memref<64xi8>, %{{.*}}: i64) -> i32
func.func @lowbit_g(%out0: memref<4xf32>) -> i32 attributes {lowbit.entry_point} {
  %z = arith.constant 0 : i32
  return %z : i32
}

// -----

// A constant of booleans has no whole-byte elements.

// expected-error @+1 {{cannot externalize constant @mask of type 'memref<4xi1>': elements are not whole bytes}}
memref.global "private" constant @mask : memref<4xi1> = dense<[true, false, true, true]>
func.func @lowbit_h(%out0: memref<4xi1>) -> i32 attributes {lowbit.entry_point} {
  %m = memref.get_global @mask : memref<4xi1>
  memref.copy %m, %out0 : memref<4xi1> to memref<4xi1>
  %z = arith.constant 0 : i32
  return %z : i32
}

// -----

// A constant with a strided layout cannot be a view of the weights.

// expected-error @+1 {{cannot externalize constant @s of type 'memref<2xf32, strided<[2]>>': its layout is not the identity}}
memref.global "private" constant @s : memref<2xf32, strided<[2]>> = dense<[1.0, 2.0]>
func.func @lowbit_s(%out0: memref<2xf32>) -> i32 attributes {lowbit.entry_point} {
  %z = arith.constant 0 : i32
  return %z : i32
}

// -----

// The query names are taken.

func.func private @lowbit_k_check_weights()
// expected-error @+1 {{cannot externalize the constants of @lowbit_k: a symbol named @lowbit_k_check_weights exists}}
func.func @lowbit_k(%out0: memref<4xf32>) -> i32 attributes {lowbit.entry_point} {
  %z = arith.constant 0 : i32
  return %z : i32
}

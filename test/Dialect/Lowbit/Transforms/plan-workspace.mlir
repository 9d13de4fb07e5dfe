// RUN: lowbit-opt %s -split-input-file -lowbit-plan-workspace -verify-diagnostics | FileCheck %s

// %a (64 B) dies when it is copied into %b (128 B); %c, allocated after
// that, takes %a's bytes. %b is live throughout, through a view of it.
// Largest first: %b at 0, %a at 128, %c at 128; 192 bytes in all.

// CHECK: module attributes {lowbit.workspace_sizes = {lowbit_f = 192 : i64}}
// CHECK-LABEL: func.func @lowbit_f_with_workspace(
// CHECK-SAME: %[[IN:.*]]: memref<16xf32>, %[[OUT:.*]]: memref<16xf32>, %[[WS:.*]]: memref<192xi8>) -> i32
// CHECK-NOT: lowbit.entry_point
// CHECK-NOT: memref.alloc
// CHECK: %[[A:.*]] = memref.view %[[WS]][%c128{{.*}}][] : memref<192xi8> to memref<16xf32>
// CHECK: %[[B:.*]] = memref.view %[[WS]][%c0{{.*}}][] : memref<192xi8> to memref<32xf32>
// CHECK: %[[C:.*]] = memref.view %[[WS]][%c128{{.*}}][] : memref<192xi8> to memref<8x2xf32>
// CHECK-NOT: memref.dealloc
// CHECK: return
// CHECK-LABEL: func.func @lowbit_f(
// CHECK-SAME: %[[IN2:.*]]: memref<16xf32>, %[[OUT2:.*]]: memref<16xf32>) -> i32
// CHECK: %[[HEAP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<192xi8>
// CHECK: %[[R:.*]] = call @lowbit_f_with_workspace(%[[IN2]], %[[OUT2]], %[[HEAP]])
// CHECK: return %[[R]] : i32
// CHECK-LABEL: func.func @lowbit_f_workspace_size() -> i64
// CHECK: arith.constant 192 : i64
func.func @lowbit_f(%in0: memref<16xf32>, %out0: memref<16xf32>) -> i32
    attributes {lowbit.entry_point} {
  %a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  memref.copy %in0, %a : memref<16xf32> to memref<16xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<32xf32>
  %sb = memref.subview %b[0] [16] [1] : memref<32xf32> to memref<16xf32, strided<[1]>>
  memref.copy %a, %sb : memref<16xf32> to memref<16xf32, strided<[1]>>
  memref.dealloc %a : memref<16xf32>
  %c = memref.alloc() {alignment = 64 : i64} : memref<8x2xf32>
  %cc = memref.collapse_shape %c [[0, 1]] : memref<8x2xf32> into memref<16xf32>
  memref.copy %sb, %cc : memref<16xf32, strided<[1]>> to memref<16xf32>
  memref.copy %cc, %out0 : memref<16xf32> to memref<16xf32>
  %z = arith.constant 0 : i32
  return %z : i32
}

// -----

// A buffer that a loop carries and uses stays alive for the whole loop:
// %t, allocated before the loop and read after it, must not share bytes
// with %acc, which the loop carries. An allocation inside the loop stays on
// the heap, with a remark.

// CHECK-LABEL: func.func @lowbit_loop_with_workspace(
// CHECK-SAME: %[[WS:[^:]*]]: memref<128xi8>)
// CHECK-DAG: memref.view %[[WS]][%c0{{.*}}][] : memref<128xi8> to memref<16xf32>
// CHECK-DAG: memref.view %[[WS]][%c64{{.*}}][] : memref<128xi8> to memref<16xf32>
// CHECK: scf.for
// CHECK: memref.alloc() : memref<4xf32>
// CHECK-LABEL: func.func @lowbit_loop(
// CHECK-LABEL: func.func @lowbit_loop_workspace_size
// CHECK: arith.constant 128 : i64
// expected-remark @+1 {{1 buffer(s) stay heap allocations}}
func.func @lowbit_loop(%in0: memref<16xf32>, %out0: memref<16xf32>) -> i32
    attributes {lowbit.entry_point} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %acc = memref.alloc() : memref<16xf32>
  %t = memref.alloc() : memref<16xf32>
  memref.copy %in0, %t : memref<16xf32> to memref<16xf32>
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%x = %acc) -> (memref<16xf32>) {
    %tmp = memref.alloc() : memref<4xf32>
    memref.copy %in0, %x : memref<16xf32> to memref<16xf32>
    scf.yield %x : memref<16xf32>
  }
  memref.copy %t, %out0 : memref<16xf32> to memref<16xf32>
  memref.copy %r, %out0 : memref<16xf32> to memref<16xf32>
  %z = arith.constant 0 : i32
  return %z : i32
}

// -----

// Functions that are not entry points are left alone; a name that the
// workspace forms would take is an error.

// CHECK-LABEL: func.func @helper
// CHECK: memref.alloc
func.func @helper() {
  %a = memref.alloc() : memref<4xf32>
  return
}

// -----

func.func @lowbit_g_with_workspace() {
  return
}
// expected-error @+1 {{cannot plan a workspace for @lowbit_g: a symbol named @lowbit_g_with_workspace exists}}
func.func @lowbit_g() -> i32 attributes {lowbit.entry_point} {
  %z = arith.constant 0 : i32
  return %z : i32
}

// RUN: lowbit-opt %s -split-input-file -lowbit-order-constant-globals | FileCheck %s

// Renamed and placed by first use: @a reads the global bufferization named
// last, the unused one comes after the used ones; globals that are not
// bufferization's constants keep their names and places.
// CHECK: memref.global "private" constant @__constant_2xf32 : memref<2xf32> = dense<[1.000000e+00, 2.000000e+00]>
// CHECK-NEXT: memref.global "private" constant @__constant_4xi8 : memref<4xi8> = dense<[1, 2, 3, 4]>
// CHECK-NEXT: memref.global "private" constant @__constant_2xf32_1 : memref<2xf32> = dense<[3.000000e+00, 4.000000e+00]>
// CHECK-NEXT: memref.global "private" constant @__constant_2xf32_2 : memref<2xf32> = dense<[5.000000e+00, 6.000000e+00]>
// CHECK-NEXT: memref.global "private" @state : memref<2xf32>
// CHECK-LABEL: func.func @a
// CHECK: memref.get_global @__constant_2xf32 :
// CHECK: memref.get_global @__constant_4xi8 :
// CHECK-LABEL: func.func @b
// CHECK: memref.get_global @__constant_2xf32_1 :
// CHECK: memref.get_global @__constant_2xf32 :
// CHECK: memref.get_global @state :
memref.global "private" constant @__constant_2xf32_3 : memref<2xf32> = dense<[5.0, 6.0]>
memref.global "private" constant @__constant_2xf32_0 : memref<2xf32> = dense<[3.0, 4.0]>
memref.global "private" @state : memref<2xf32>
memref.global "private" constant @__constant_4xi8 : memref<4xi8> = dense<[1, 2, 3, 4]>
memref.global "private" constant @__constant_2xf32 : memref<2xf32> = dense<[1.0, 2.0]>
func.func @a() -> (memref<2xf32>, memref<4xi8>) {
  %0 = memref.get_global @__constant_2xf32 : memref<2xf32>
  %1 = memref.get_global @__constant_4xi8 : memref<4xi8>
  return %0, %1 : memref<2xf32>, memref<4xi8>
}
func.func @b() -> (memref<2xf32>, memref<2xf32>, memref<2xf32>) {
  %0 = memref.get_global @__constant_2xf32_0 : memref<2xf32>
  %1 = memref.get_global @__constant_2xf32 : memref<2xf32>
  %2 = memref.get_global @state : memref<2xf32>
  return %0, %1, %2 : memref<2xf32>, memref<2xf32>, memref<2xf32>
}

// -----

// A name held by another symbol is skipped.
// CHECK: memref.global "private" constant @__constant_2xf32 : memref<2xf32> = dense<1.000000e+00>
// CHECK-NEXT: memref.global "private" constant @__constant_2xf32_2 : memref<2xf32> = dense<2.000000e+00>
// CHECK-NEXT: memref.global @__constant_2xf32_1 : memref<2xf32> = dense<0.000000e+00>
// CHECK-LABEL: func.func @c
// CHECK: memref.get_global @__constant_2xf32 :
// CHECK: memref.get_global @__constant_2xf32_2 :
// CHECK: memref.get_global @__constant_2xf32_1 :
memref.global @__constant_2xf32_1 : memref<2xf32> = dense<0.0>
memref.global "private" constant @__constant_2xf32_7 : memref<2xf32> = dense<2.0>
memref.global "private" constant @__constant_2xf32_5 : memref<2xf32> = dense<1.0>
func.func @c() -> (memref<2xf32>, memref<2xf32>, memref<2xf32>) {
  %0 = memref.get_global @__constant_2xf32_5 : memref<2xf32>
  %1 = memref.get_global @__constant_2xf32_7 : memref<2xf32>
  %2 = memref.get_global @__constant_2xf32_1 : memref<2xf32>
  return %0, %1, %2 : memref<2xf32>, memref<2xf32>, memref<2xf32>
}

// -----

// Nothing to do without such globals.
// CHECK-LABEL: func.func @d
// CHECK-NOT: memref.global
func.func @d() {
  return
}

// RUN: lowbit-opt %s -split-input-file -lowbit-lower-strided-copies | FileCheck %s

// The pad case: a dense 2x4 block into the interior of a 4x6 buffer, one row
// (a vector of the innermost dimension) at a time.
// CHECK-LABEL: func @pad_2d
// CHECK-SAME: (%[[A:.*]]: memref<2x4xf32>, %[[B:.*]]: memref<2x4xf32, strided<[6, 1], offset: 7>>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK: scf.for %[[I:.*]] = %[[C0]] to %[[C2]] step %[[C1]] {
// CHECK:   %[[ROW:.*]] = vector.transfer_read %[[A]][%[[I]], %[[C0]]], %{{.*}} {in_bounds = [true]} : memref<2x4xf32>, vector<4xf32>
// CHECK:   vector.transfer_write %[[ROW]], %[[B]][%[[I]], %[[C0]]] {in_bounds = [true]} : vector<4xf32>, memref<2x4xf32, strided<[6, 1], offset: 7>>
// CHECK: }
// CHECK-NOT: memref.copy
func.func @pad_2d(%a: memref<2x4xf32>, %b: memref<2x4xf32, strided<[6, 1], offset: 7>>) {
  memref.copy %a, %b : memref<2x4xf32> to memref<2x4xf32, strided<[6, 1], offset: 7>>
  return
}

// -----

// An NCHW image padded by 1 in H and W: loops over N, C and H, rows of W.
// CHECK-LABEL: func @pad_4d
// CHECK: scf.for %[[N:.*]] =
// CHECK:   scf.for %[[C:.*]] =
// CHECK:     scf.for %[[H:.*]] =
// CHECK:       %[[ROW:.*]] = vector.transfer_read %{{.*}}[%[[N]], %[[C]], %[[H]], %{{.*}}], %{{.*}} {in_bounds = [true]} : memref<1x3x16x16xf32>, vector<16xf32>
// CHECK:       vector.transfer_write %[[ROW]], %{{.*}}[%[[N]], %[[C]], %[[H]], %{{.*}}] {in_bounds = [true]} : vector<16xf32>, memref<1x3x16x16xf32, strided<[972, 324, 18, 1], offset: 19>>
// CHECK-NOT: memref.copy
func.func @pad_4d(%a: memref<1x3x16x16xf32>, %b: memref<1x3x16x16xf32, strided<[972, 324, 18, 1], offset: 19>>) {
  memref.copy %a, %b : memref<1x3x16x16xf32> to memref<1x3x16x16xf32, strided<[972, 324, 18, 1], offset: 19>>
  return
}

// -----

// Trailing dimensions contiguous on both sides merge into one row.
// CHECK-LABEL: func @merge_trailing_dims
// CHECK: %[[A:.*]] = memref.collapse_shape %{{.*}} {{\[}}[0], [1, 2]] : memref<2x3x4xf32> into memref<2x12xf32>
// CHECK: %[[B:.*]] = memref.collapse_shape %{{.*}} {{\[}}[0], [1, 2]] : memref<2x3x4xf32, strided<[20, 4, 1], offset: 4>> into memref<2x12xf32, strided<[20, 1], offset: 4>>
// CHECK: scf.for
// CHECK:   vector.transfer_read %[[A]]{{.*}} : memref<2x12xf32>, vector<12xf32>
// CHECK:   vector.transfer_write %{{.*}}, %[[B]]{{.*}} : vector<12xf32>, memref<2x12xf32, strided<[20, 1], offset: 4>>
// CHECK-NOT: memref.copy
func.func @merge_trailing_dims(%a: memref<2x3x4xf32>, %b: memref<2x3x4xf32, strided<[20, 4, 1], offset: 4>>) {
  memref.copy %a, %b : memref<2x3x4xf32> to memref<2x3x4xf32, strided<[20, 4, 1], offset: 4>>
  return
}

// -----

// Long rows move in 512-bit chunks plus one static remainder.
// CHECK-LABEL: func @long_rows
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: scf.for %[[I:.*]] =
// CHECK:   %[[C64:.*]] = arith.constant 64 : index
// CHECK:   %[[C32:.*]] = arith.constant 32 : index
// CHECK:   scf.for %[[J:.*]] = %[[C0]] to %[[C64]] step %[[C32]] {
// CHECK:     vector.transfer_read %{{.*}}[%[[I]], %[[J]]]{{.*}} : memref<3x70xf16, strided<[128, 1]>>, vector<32xf16>
// CHECK:     vector.transfer_write {{.*}} : vector<32xf16>, memref<3x70xf16>
// CHECK:   }
// CHECK:   vector.transfer_read %{{.*}}[%[[I]], %[[C64]]]{{.*}} : memref<3x70xf16, strided<[128, 1]>>, vector<6xf16>
// CHECK:   vector.transfer_write {{.*}} : vector<6xf16>, memref<3x70xf16>
// CHECK-NOT: memref.copy
func.func @long_rows(%a: memref<3x70xf16, strided<[128, 1]>>, %b: memref<3x70xf16>) {
  memref.copy %a, %b : memref<3x70xf16, strided<[128, 1]>> to memref<3x70xf16>
  return
}

// -----

// A row of exactly one chunk needs no inner loop.
// CHECK-LABEL: func @one_chunk
// CHECK: scf.for
// CHECK-NOT: scf.for
// CHECK: vector.transfer_read {{.*}} : memref<4x64xi8, strided<[100, 1], offset: 2>>, vector<64xi8>
// CHECK-NOT: vector.transfer_read
func.func @one_chunk(%a: memref<4x64xi8, strided<[100, 1], offset: 2>>, %b: memref<4x64xi8>) {
  memref.copy %a, %b : memref<4x64xi8, strided<[100, 1], offset: 2>> to memref<4x64xi8>
  return
}

// -----

// A 1-D copy with a non-unit stride goes element by element.
// CHECK-LABEL: func @strided_1d
// CHECK: scf.for %[[I:.*]] =
// CHECK:   %[[X:.*]] = memref.load %{{.*}}[%[[I]]] : memref<8xf32, strided<[2], offset: 1>>
// CHECK:   memref.store %[[X]], %{{.*}}[%[[I]]] : memref<8xf32>
// CHECK-NOT: memref.copy
func.func @strided_1d(%a: memref<8xf32, strided<[2], offset: 1>>, %b: memref<8xf32>) {
  memref.copy %a, %b : memref<8xf32, strided<[2], offset: 1>> to memref<8xf32>
  return
}

// -----

// Dynamic rows and sub-byte elements go element by element too.
// CHECK-LABEL: func @dynamic
// CHECK: %[[ROWS:.*]] = memref.dim %{{.*}}, %{{.*}} : memref<?x?xf32, strided<[?, 1], offset: ?>>
// CHECK: %[[COLS:.*]] = memref.dim
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[ROWS]]
// CHECK:   scf.for %[[J:.*]] = %{{.*}} to %[[COLS]]
// CHECK:     memref.load %{{.*}}[%[[I]], %[[J]]]
// CHECK:     memref.store
// CHECK-NOT: memref.copy
func.func @dynamic(%a: memref<?x?xf32, strided<[?, 1], offset: ?>>, %b: memref<?x?xf32>) {
  memref.copy %a, %b : memref<?x?xf32, strided<[?, 1], offset: ?>> to memref<?x?xf32>
  return
}
// CHECK-LABEL: func @i4
// CHECK: scf.for
// CHECK:   scf.for
// CHECK:     memref.load {{.*}} : memref<2x8xi4, strided<[16, 1]>>
// CHECK:     memref.store {{.*}} : memref<2x8xi4>
// CHECK-NOT: memref.copy
func.func @i4(%a: memref<2x8xi4, strided<[16, 1]>>, %b: memref<2x8xi4>) {
  memref.copy %a, %b : memref<2x8xi4, strided<[16, 1]>> to memref<2x8xi4>
  return
}

// -----

// Contiguous copies stay (finalize-memref-to-llvm makes them llvm.memcpy),
// with an offset too.
// CHECK-LABEL: func @contiguous
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<2x4xf32> to memref<2x4xf32>
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<8xf32> to memref<8xf32, strided<[1], offset: 3>>
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<?x4xf32> to memref<?x4xf32>
// CHECK-NOT: scf.for
func.func @contiguous(%a: memref<2x4xf32>, %b: memref<2x4xf32>, %c: memref<8xf32>, %d: memref<8xf32, strided<[1], offset: 3>>, %e: memref<?x4xf32>, %f: memref<?x4xf32>) {
  memref.copy %a, %b : memref<2x4xf32> to memref<2x4xf32>
  memref.copy %c, %d : memref<8xf32> to memref<8xf32, strided<[1], offset: 3>>
  memref.copy %e, %f : memref<?x4xf32> to memref<?x4xf32>
  return
}

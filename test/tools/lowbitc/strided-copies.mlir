// Padding and inserting slices copy into strided subviews; the object must
// move them itself, not call memrefCopy from MLIR's runtime library.
// RUN: lowbitc %s -o %t.o
// RUN: llvm-nm -u %t.o | FileCheck %s --check-prefix=SYMBOLS
// RUN: lowbitc %s --target=aarch64-linux-gnu -o %t-arm.o
// RUN: llvm-nm -u %t-arm.o | FileCheck %s --check-prefix=SYMBOLS
// SYMBOLS-NOT: memrefCopy
// The copies are vector rows before the LLVM dialect.
// RUN: lowbit-opt %s --pass-pipeline='builtin.module(lowbit-lower-to-llvm)' \
// RUN:   -mlir-print-ir-after=lowbit-lower-strided-copies -o /dev/null 2>&1 | FileCheck %s
// CHECK-LABEL: func.func @lowbit_pad
// CHECK: vector.transfer_write %{{.*}} : vector<4xf32>, memref<2x4xf32, strided<[6, 1], offset: 7>>
// CHECK-LABEL: func.func @lowbit_concat
// CHECK: vector.transfer_write %{{.*}} : vector<3xf32>, memref<2x3xf32, strided<[5, 1]>>
// CHECK: vector.transfer_write %{{.*}} : vector<2xf32>, memref<2x2xf32, strided<[5, 1], offset: 3>>
// CHECK-NOT: memref.copy {{.*}}strided

func.func @pad(%x: tensor<2x4xf32>) -> tensor<4x6xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[1, 1] high[1, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<2x4xf32> to tensor<4x6xf32>
  return %p : tensor<4x6xf32>
}

func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x2xf32>) -> tensor<2x5xf32> {
  %e = tensor.empty() : tensor<2x5xf32>
  %0 = tensor.insert_slice %a into %e[0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x5xf32>
  %1 = tensor.insert_slice %b into %0[0, 3] [2, 2] [1, 1] : tensor<2x2xf32> into tensor<2x5xf32>
  return %1 : tensor<2x5xf32>
}

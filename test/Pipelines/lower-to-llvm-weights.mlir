// lowbit-lower-to-llvm{weights=external}: the packed weights and scales of a
// lowbit.matmul are read from the first argument of every form of the entry
// point (bare pointers after lowering), and the module exports the size and
// the check; weights=embedded (the default) keeps them in globals.
// RUN: lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{threads=none weights=external})' | FileCheck %s
// RUN: lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{threads=none weights=embedded})' | FileCheck %s --check-prefix=EMBEDDED
// RUN: not lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{weights=somewhere})' 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: unknown weights='somewhere' (expected embedded or external)

// The 16 f32 scales at 64 and the 1024 bytes of codes at 128 (in the order
// of first use): 1152 bytes.
// CHECK: lowbit.external_weights = {{{.*}}offsets = array<i64: 64, 128>, size = 1152 : i64}
// CHECK-NOT: llvm.mlir.global
// CHECK-LABEL: llvm.func @lowbit_gemv_with_workspace(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK-LABEL: llvm.func @lowbit_gemv(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK-LABEL: llvm.func @lowbit_gemv_weights_size() -> i64
// CHECK-LABEL: llvm.func @lowbit_gemv_check_weights(%{{.*}}: !llvm.ptr, %{{.*}}: i64) -> i32

// EMBEDDED-NOT: lowbit.external_weights
// EMBEDDED: llvm.mlir.global private constant
// EMBEDDED-LABEL: llvm.func @lowbit_gemv(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// EMBEDDED-NOT: weights_size
func.func @gemv(%x: tensor<1x64xf32>) -> tensor<1x16xf32> {
  %p = arith.constant dense<3> : tensor<16x64xi8>
  %s = arith.constant dense<[0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 2.75, 3.0, 3.25, 3.5, 3.75, 4.0]> : tensor<16xf32>
  %y = lowbit.matmul %x, %p scales(%s : tensor<16xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<1x64xf32>, tensor<16x64xi8> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}

// Large kernels call LLVM's OpenMP runtime (link with -lomp); with
// --threading=none the object has no OpenMP call, and neither has an object
// whose kernels are all small.
// RUN: lowbitc %s --emit=llvm -o - | FileCheck %s
// RUN: lowbitc %s --threading=omp --emit=llvm -o - | FileCheck %s
// RUN: lowbitc %s --threading=none --emit=llvm -o - | FileCheck %s --check-prefix=NONE
// RUN: lowbitc %s --threading=none --target=aarch64-linux-gnu --emit=llvm -o - | FileCheck %s --check-prefix=NONE
// RUN: not lowbitc %s --threading=pthreads -o %t.o 2>&1 | FileCheck %s --check-prefix=BAD

// A static schedule (kmp_sch_static = 34): each thread takes one contiguous
// range of the chunks.
// CHECK-LABEL: define {{.*}}i32 @lowbit_big_with_workspace(
// CHECK: call void (ptr, i32, ptr, ...) @__kmpc_fork_call(
// CHECK-LABEL: define internal void @lowbit_big_with_workspace..omp_par(
// CHECK: @__kmpc_for_static_init_8u({{.*}}, i32 34,
// CHECK-LABEL: define {{.*}}i32 @lowbit_small_with_workspace(
// CHECK-NOT: __kmpc
// CHECK: ret i32 0
// NONE-NOT: __kmpc
// BAD: lowbitc: error: unknown --threading=pthreads (expected omp or none)

func.func @big(%x: tensor<4x1024xf32>, %w: tensor<1024x256xf32>) -> tensor<4x256xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x256xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4x256xf32>) -> tensor<4x256xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x1024xf32>, tensor<1024x256xf32>) outs(%acc : tensor<4x256xf32>) -> tensor<4x256xf32>
  return %y : tensor<4x256xf32>
}

func.func @small(%x: tensor<1x64xf32>, %w: tensor<64x16xf32>) -> tensor<1x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x16xf32>) -> tensor<1x16xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x64xf32>, tensor<64x16xf32>) outs(%acc : tensor<1x16xf32>) -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}

// lowbit-lower-to-llvm runs the parallel loops of large kernels on OpenMP
// threads (threads=omp, the default): scf.forall becomes scf.parallel, then
// omp.parallel + omp.wsloop (a static schedule) around the chunk loop, with
// the chunk's body inside. Small kernels, and threads=none, stay serial.
// RUN: lowbit-opt %s -split-input-file -pass-pipeline='builtin.module(lowbit-lower-to-llvm)' | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -pass-pipeline='builtin.module(lowbit-lower-to-llvm{threads=omp})' | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -pass-pipeline='builtin.module(lowbit-lower-to-llvm{threads=none})' | FileCheck %s --check-prefix=NONE
// RUN: not lowbit-opt %s -pass-pipeline='builtin.module(lowbit-lower-to-llvm{threads=pthreads})' 2>&1 | FileCheck %s --check-prefix=BAD

// NONE-NOT: omp.
// BAD: unknown threads='pthreads' (expected omp or none)

// CHECK-LABEL: llvm.func @lowbit_big
// CHECK: omp.parallel {
// CHECK-NEXT: omp.wsloop {
// CHECK-NEXT: omp.loop_nest (%{{.*}}) : i64 = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// CHECK: llvm.fmul {{.*}} : vector<64xf32>
// CHECK: omp.yield
// CHECK: omp.terminator
func.func @big(%x: tensor<1x1024xf32>, %p: tensor<256x1024xi8>, %s: tensor<256xf32>) -> tensor<1x256xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<256xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<1x1024xf32>, tensor<256x1024xi8> -> tensor<1x256xf32>
  return %y : tensor<1x256xf32>
}

// -----

// CHECK-LABEL: llvm.func @lowbit_tiny
// CHECK-NOT: omp.
// CHECK: llvm.return
func.func @tiny(%x: tensor<1x64xf32>, %p: tensor<16x64xi8>, %s: tensor<16xf32>) -> tensor<1x16xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<16xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<1x64xf32>, tensor<16x64xi8> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}

// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-integer-matmul | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-integer-matmul=int8-dot=avx512-vnni | FileCheck %s --check-prefix=VNNI
// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-integer-matmul="int8-dot=arm-dotprod i8mm=true" | FileCheck %s --check-prefix=I8MM
// RUN: not lowbit-opt %s -split-input-file -lowbit-vectorize-integer-matmul=int8-dot=sse9 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: unknown int8-dot 'sse9' (expected generic, avx512-vnni, avx-vnni, avx2, ssse3, sse2 or arm-dotprod)

// K = 100: one whole 64-byte segment in the loop, then a partial one read
// with zero padding; one reduction and the bias per output.
// CHECK-LABEL: func @matmul
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<16xi32>)
// CHECK: vector.transfer_read {{.*}} {in_bounds = [true]} : tensor<2x100xi8>, vector<64xi8>
// CHECK: vector.transfer_read {{.*}} {in_bounds = [true]} : tensor<3x100xi8>, vector<64xi8>
// CHECK: lowbit.dot_i8 {{.*}} : vector<16xi32>, vector<64xi8>
// CHECK: vector.transfer_read %arg0[%{{.*}}, %c64], %{{.*}} : tensor<2x100xi8>, vector<64xi8>
// CHECK: lowbit.dot_i8
// CHECK: vector.reduction <add>
// CHECK: tensor.extract %arg2
// CHECK: arith.addi
// VNNI-LABEL: func @matmul
// VNNI: arith.xori
// VNNI: lowbit.dot_i8 {{.*}} {unsigned_lhs}
// VNNI: lowbit.dot_i8 {{.*}} {unsigned_lhs}
// VNNI: arith.subi
// With i8mm, rows 0-1 x columns 0-1 in 2x2 blocks: 12 whole 8-byte chunks,
// then the last 4 bytes zero-padded; column 2 of those rows takes dot_i8.
// I8MM-LABEL: func @matmul
// I8MM: scf.for {{.*}} step %c2
// I8MM: scf.for {{.*}} step %c2
// I8MM: scf.for %{{.*}} = %c0 to %c12 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<4xi32>)
// I8MM: vector.shuffle {{.*}} : vector<8xi8>, vector<8xi8>
// I8MM: arm_neon.intr.smmla {{.*}} : vector<16xi8> to vector<4xi32>
// I8MM: arm_neon.intr.smmla
// I8MM: vector.extract
// I8MM: lowbit.dot_i8
func.func @matmul(%x: tensor<2x100xi8>, %w: tensor<3x100xi8>, %b: tensor<3xi32>) -> tensor<2x3xi32> {
  %y = lowbit.integer_matmul %x, %w bias(%b : tensor<3xi32>) : tensor<2x100xi8>, tensor<3x100xi8> -> tensor<2x3xi32>
  return %y : tensor<2x3xi32>
}

// -----

// A zero point other than 0 is left to the generic lowering.
// CHECK-LABEL: func @zero_point
// CHECK: lowbit.integer_matmul
func.func @zero_point(%x: tensor<1x8xi8>, %w: tensor<2x8xi8>) -> tensor<1x2xi32> {
  %y = lowbit.integer_matmul %x, %w {input_zero_point = 3 : i32} : tensor<1x8xi8>, tensor<2x8xi8> -> tensor<1x2xi32>
  return %y : tensor<1x2xi32>
}

// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-integer-matmul | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-integer-matmul=int8-dot=avx512-vnni | FileCheck %s --check-prefix=VNNI

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

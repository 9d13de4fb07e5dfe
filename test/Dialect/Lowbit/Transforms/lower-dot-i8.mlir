// RUN: lowbit-opt %s -split-input-file -lowbit-lower-dot-i8=isa=avx512-vnni | FileCheck %s --check-prefix=VNNI
// RUN: lowbit-opt %s -split-input-file -lowbit-lower-dot-i8=isa=arm-dotprod | FileCheck %s --check-prefix=SDOT
// RUN: lowbit-opt %s -split-input-file -lowbit-lower-dot-i8 | FileCheck %s --check-prefix=GENERIC
// RUN: not lowbit-opt %s -lowbit-lower-dot-i8=isa=sse9 2>&1 | FileCheck %s --check-prefix=BAD

// VNNI-LABEL: func @unsigned_by_signed
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// Signed x signed has no vpdpbusd form: generic code.
// VNNI-LABEL: func @signed_by_signed
// VNNI-NOT: llvm.call_intrinsic
// VNNI: arith.extsi
// GENERIC-LABEL: func @unsigned_by_signed
// GENERIC: %[[A:.*]] = arith.extui %{{.*}} : vector<64xi8> to vector<64xi32>
// GENERIC: %[[B:.*]] = arith.extsi %{{.*}} : vector<64xi8> to vector<64xi32>
// GENERIC: %[[P:.*]] = arith.muli %[[A]], %[[B]] : vector<64xi32>
// GENERIC: vector.shuffle %[[P]], %[[P]] [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60]
// GENERIC: vector.shuffle %[[P]], %[[P]] [3, 7, 11,
// GENERIC-NOT: lowbit.dot_i8
func.func @unsigned_by_signed(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<16xi32> {
  %r = lowbit.dot_i8 %acc, %a, %b {unsigned_lhs} : vector<16xi32>, vector<64xi8>
  return %r : vector<16xi32>
}
func.func @signed_by_signed(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<16xi32> {
  %r = lowbit.dot_i8 %acc, %a, %b : vector<16xi32>, vector<64xi8>
  return %r : vector<16xi32>
}

// -----

// sdot takes 16 bytes at a time into 4 lanes.
// SDOT-LABEL: func @sdot_chunks
// SDOT-COUNT-2: arm_neon.intr.sdot %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi8>, vector<16xi8> to vector<4xi32>
// SDOT-NOT: arm_neon.intr.sdot
// VNNI-LABEL: func @sdot_chunks
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"
func.func @sdot_chunks(%acc: vector<8xi32>, %a: vector<32xi8>, %b: vector<32xi8>) -> (vector<8xi32>, vector<8xi32>) {
  %r = lowbit.dot_i8 %acc, %a, %b : vector<8xi32>, vector<32xi8>
  %u = lowbit.dot_i8 %acc, %a, %b {unsigned_lhs} : vector<8xi32>, vector<32xi8>
  return %r, %u : vector<8xi32>, vector<8xi32>
}

// BAD: unknown isa 'sse9' (expected generic, avx512-vnni or arm-dotprod)

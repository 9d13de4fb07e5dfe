// RUN: lowbit-opt %s -split-input-file -lowbit-lower-dot-i8=isa=avx512-vnni | FileCheck %s --check-prefix=VNNI
// RUN: lowbit-opt %s -split-input-file -lowbit-lower-dot-i8=isa=arm-dotprod | FileCheck %s --check-prefix=SDOT
// RUN: lowbit-opt %s -split-input-file -lowbit-lower-dot-i8 | FileCheck %s --check-prefix=GENERIC
// RUN: lowbit-opt %s -split-input-file -lowbit-lower-dot-i8=isa=avx2 | FileCheck %s --check-prefix=AVX2
// RUN: lowbit-opt %s -split-input-file -lowbit-lower-dot-i8=isa=avx-vnni | FileCheck %s --check-prefix=AVXVNNI
// RUN: lowbit-opt %s -split-input-file -lowbit-lower-dot-i8=isa=sse2 | FileCheck %s --check-prefix=SSE2
// RUN: not lowbit-opt %s -lowbit-lower-dot-i8=isa=sse9 2>&1 | FileCheck %s --check-prefix=BAD

// AVX-VNNI has at most 256-bit vpdpbusd: 64 bytes go in two halves, each
// into its eight lanes of the accumulator.
// AVXVNNI-LABEL: func @unsigned_by_signed
// AVXVNNI-SAME: (%[[ACC:.*]]: vector<16xi32>, %[[A:.*]]: vector<64xi8>, %[[B:.*]]: vector<64xi8>)
// AVXVNNI: %[[ACC0:.*]] = vector.extract_strided_slice %[[ACC]] {offsets = [0], sizes = [8], strides = [1]}
// AVXVNNI: %[[A0:.*]] = vector.extract_strided_slice %[[A]] {offsets = [0], sizes = [32], strides = [1]}
// AVXVNNI: %[[B0:.*]] = vector.extract_strided_slice %[[B]] {offsets = [0], sizes = [32], strides = [1]}
// AVXVNNI: %[[D0:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"(%[[ACC0]], %[[A0]], %[[B0]])
// AVXVNNI: %[[R0:.*]] = vector.insert_strided_slice %[[D0]], %[[ACC]] {offsets = [0], strides = [1]}
// AVXVNNI: vector.extract_strided_slice %[[R0]] {offsets = [8], sizes = [8], strides = [1]}
// AVXVNNI: vector.extract_strided_slice %[[A]] {offsets = [32], sizes = [32], strides = [1]}
// AVXVNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"
// AVXVNNI-NOT: vpdpbusd.512
// AVXVNNI-LABEL: func @signed_by_signed
// AVXVNNI-NOT: llvm.call_intrinsic
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
// SSE2 (any signs): per 16 bytes, both sides widened to i16, pmaddwd of
// each 8-byte half, the pair sums added into quads.
// SSE2-LABEL: func @unsigned_by_signed
// SSE2: arith.extui %{{.*}} : vector<16xi8> to vector<16xi16>
// SSE2: arith.extsi %{{.*}} : vector<16xi8> to vector<16xi16>
// SSE2: llvm.call_intrinsic "llvm.x86.sse2.pmadd.wd"({{.*}}) : (vector<8xi16>, vector<8xi16>) -> vector<4xi32>
// SSE2: llvm.call_intrinsic "llvm.x86.sse2.pmadd.wd"
// SSE2: %[[EVEN:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6] : vector<4xi32>, vector<4xi32>
// SSE2: %[[ODD:.*]] = vector.shuffle %{{.*}}, %{{.*}} [1, 3, 5, 7] : vector<4xi32>, vector<4xi32>
// SSE2: arith.addi %[[EVEN]], %[[ODD]] : vector<4xi32>
// SSE2-NOT: arith.muli
// SSE2-LABEL: func @signed_by_signed
// SSE2-NOT: arith.extui
// SSE2: llvm.x86.sse2.pmadd.wd
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
// AVXVNNI-LABEL: func @sdot_chunks
// AVXVNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"
func.func @sdot_chunks(%acc: vector<8xi32>, %a: vector<32xi8>, %b: vector<32xi8>) -> (vector<8xi32>, vector<8xi32>) {
  %r = lowbit.dot_i8 %acc, %a, %b : vector<8xi32>, vector<32xi8>
  %u = lowbit.dot_i8 %acc, %a, %b {unsigned_lhs} : vector<8xi32>, vector<32xi8>
  return %r, %u : vector<8xi32>, vector<8xi32>
}

// -----

// Under isa=avx2, only unsigned x signed dot products whose pair sums fit i16 become
// pmaddubsw (u8 x s8, pairs summed into i16) + pmaddwd by ones (pairs of
// i16 into i32), per 32 bytes and, for a 16-byte rest, the 128-bit forms;
// without the promise, generic code.
// AVX2-LABEL: func @pairwise
// AVX2: %[[ONES:.*]] = arith.constant dense<1> : vector<16xi16>
// AVX2: %[[ACC0:.*]] = vector.extract_strided_slice %{{.*}} {offsets = [0], sizes = [8], strides = [1]} : vector<12xi32> to vector<8xi32>
// AVX2: %[[A0:.*]] = vector.extract_strided_slice %[[A:.*]] {offsets = [0], sizes = [32], strides = [1]} : vector<48xi8> to vector<32xi8>
// AVX2: %[[B0:.*]] = vector.extract_strided_slice %[[B:.*]] {offsets = [0], sizes = [32], strides = [1]} : vector<48xi8> to vector<32xi8>
// AVX2: %[[P0:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%[[A0]], %[[B0]]) : (vector<32xi8>, vector<32xi8>) -> vector<16xi16>
// AVX2: %[[Q0:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[P0]], %[[ONES]]) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// AVX2: %[[S0:.*]] = arith.addi %[[ACC0]], %[[Q0]] : vector<8xi32>
// AVX2: %[[R0:.*]] = vector.insert_strided_slice %[[S0]], %{{.*}} {offsets = [0], strides = [1]} : vector<8xi32> into vector<12xi32>
// AVX2: llvm.call_intrinsic "llvm.x86.ssse3.pmadd.ub.sw.128"(%{{.*}}, %{{.*}}) : (vector<16xi8>, vector<16xi8>) -> vector<8xi16>
// AVX2: llvm.call_intrinsic "llvm.x86.sse2.pmadd.wd"(%{{.*}}, %{{.*}}) : (vector<8xi16>, vector<8xi16>) -> vector<4xi32>
// AVX2: vector.insert_strided_slice %{{.*}}, %[[R0]] {offsets = [8], strides = [1]} : vector<4xi32> into vector<12xi32>
// AVX2-NOT: llvm.call_intrinsic
// AVX2: arith.extui
// AVX2: return
// VNNI-LABEL: func @pairwise
// VNNI-NOT: pmadd
func.func @pairwise(%acc: vector<12xi32>, %a: vector<48xi8>, %b: vector<48xi8>) -> (vector<12xi32>, vector<12xi32>) {
  %r = lowbit.dot_i8 %acc, %a, %b {unsigned_lhs, pairs_fit_i16} : vector<12xi32>, vector<48xi8>
  %s = lowbit.dot_i8 %acc, %a, %b {unsigned_lhs} : vector<12xi32>, vector<48xi8>
  return %r, %s : vector<12xi32>, vector<12xi32>
}

// BAD: unknown isa 'sse9' (expected generic, avx512-vnni, avx-vnni, avx2, ssse3, sse2 or arm-dotprod)

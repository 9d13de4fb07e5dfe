// RUN: lowbit-opt %s -split-input-file -lowbit-lower-lookup-bytes=isa=avx512bw | FileCheck %s --check-prefix=AVX512
// RUN: lowbit-opt %s -split-input-file -lowbit-lower-lookup-bytes=isa=avx512vbmi | FileCheck %s --check-prefixes=AVX512,VBMI
// RUN: lowbit-opt %s -split-input-file -lowbit-lower-lookup-bytes=isa=avx2 | FileCheck %s --check-prefix=AVX2
// RUN: lowbit-opt %s -split-input-file -lowbit-lower-lookup-bytes=isa=ssse3 | FileCheck %s --check-prefix=SSSE3
// RUN: lowbit-opt %s -split-input-file -lowbit-lower-lookup-bytes=isa=neon | FileCheck %s --check-prefix=NEON
// RUN: lowbit-opt %s -split-input-file -lowbit-lower-lookup-bytes | FileCheck %s --check-prefix=GENERIC
// RUN: not lowbit-opt %s -lowbit-lower-lookup-bytes=isa=vbmi 2>&1 | FileCheck %s --check-prefix=BAD

// 64 bytes: one vpshufb with AVX512BW, two with AVX2, four with SSSE3, four
// tbl on AArch64, each on its 16 (32) bytes of both operands.
// AVX512-LABEL: func @bytes64
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.pshuf.b.512"(%arg0, %arg1) : (vector<64xi8>, vector<64xi8>) -> vector<64xi8>
// AVX512-NOT: lowbit.lookup_bytes
// AVX2-LABEL: func @bytes64
// AVX2: %[[T0:.*]] = vector.extract_strided_slice %arg0 {offsets = [0], sizes = [32], strides = [1]}
// AVX2: %[[I0:.*]] = vector.extract_strided_slice %arg1 {offsets = [0], sizes = [32], strides = [1]}
// AVX2: %[[L0:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"(%[[T0]], %[[I0]]) : (vector<32xi8>, vector<32xi8>) -> vector<32xi8>
// AVX2: %[[R0:.*]] = vector.insert_strided_slice %[[L0]], %arg0 {offsets = [0], strides = [1]}
// AVX2: %[[T1:.*]] = vector.extract_strided_slice %arg0 {offsets = [32], sizes = [32], strides = [1]}
// AVX2: %[[I1:.*]] = vector.extract_strided_slice %arg1 {offsets = [32], sizes = [32], strides = [1]}
// AVX2: %[[L1:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"(%[[T1]], %[[I1]])
// AVX2: vector.insert_strided_slice %[[L1]], %[[R0]] {offsets = [32], strides = [1]}
// SSSE3-LABEL: func @bytes64
// SSSE3-COUNT-4: llvm.call_intrinsic "llvm.x86.ssse3.pshuf.b.128"
// NEON-LABEL: func @bytes64
// NEON-COUNT-4: llvm.call_intrinsic "llvm.aarch64.neon.tbl1.v16i8"
// NEON-NOT: llvm.call_intrinsic
// The portable form: per entry, the entry of each lane's table spread over
// the lane, selected where the index equals it.
// GENERIC-LABEL: func @bytes64
// GENERIC: %[[E0:.*]] = vector.shuffle %arg0, %arg0 [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 16,
// GENERIC: %[[HIT:.*]] = arith.cmpi eq, %arg1, %{{.*}} : vector<64xi8>
// GENERIC: arith.select %[[HIT]], %[[E0]], %{{.*}} : vector<64xi1>, vector<64xi8>
// GENERIC-COUNT-15: arith.select
// GENERIC-NOT: llvm.call_intrinsic
func.func @bytes64(%t: vector<64xi8>, %i: vector<64xi8>) -> vector<64xi8> {
  %r = lowbit.lookup_bytes %t, %i : vector<64xi8>
  return %r : vector<64xi8>
}

// -----

// 16 bytes: one instruction of the narrowest form everywhere.
// AVX512-LABEL: func @bytes16
// AVX512: llvm.call_intrinsic "llvm.x86.ssse3.pshuf.b.128"(%arg0, %arg1)
// AVX2-LABEL: func @bytes16
// AVX2: llvm.call_intrinsic "llvm.x86.ssse3.pshuf.b.128"(%arg0, %arg1)
// NEON-LABEL: func @bytes16
// NEON: llvm.call_intrinsic "llvm.aarch64.neon.tbl1.v16i8"(%arg0, %arg1) : (vector<16xi8>, vector<16xi8>) -> vector<16xi8>
func.func @bytes16(%t: vector<16xi8>, %i: vector<16xi8>) -> vector<16xi8> {
  %r = lowbit.lookup_bytes %t, %i : vector<16xi8>
  return %r : vector<16xi8>
}

// BAD: unknown isa 'vbmi' (expected generic, ssse3, avx2, avx512bw, avx512vbmi or neon)

// -----

// A whole 128-byte table: vpermi2b per 64 bytes of indices with AVX512-VBMI
// (the table's halves as its two table operands), 128 compares and selects
// of each entry broadcast elsewhere (AVX512BW has no 128-entry permute).
// VBMI-LABEL: func @table128
// VBMI: %[[LO:.*]] = vector.extract_strided_slice %arg0 {offsets = [0], sizes = [64], strides = [1]} : vector<128xi8> to vector<64xi8>
// VBMI: %[[HI:.*]] = vector.extract_strided_slice %arg0 {offsets = [64], sizes = [64], strides = [1]} : vector<128xi8> to vector<64xi8>
// VBMI: llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%[[LO]], %arg1, %[[HI]]) : (vector<64xi8>, vector<64xi8>, vector<64xi8>) -> vector<64xi8>
// VBMI-NOT: arith.select
// VBMI-NOT: lowbit.lookup_bytes
// AVX2-LABEL: func @table128
// AVX2-NOT: llvm.call_intrinsic
// GENERIC-LABEL: func @table128
// GENERIC: %[[E0:.*]] = vector.extract %arg0[0] : i8 from vector<128xi8>
// GENERIC: %[[B0:.*]] = vector.broadcast %[[E0]] : i8 to vector<64xi8>
// GENERIC: %[[HIT:.*]] = arith.cmpi eq, %arg1, %{{.*}} : vector<64xi8>
// GENERIC: arith.select %[[HIT]], %[[B0]], %{{.*}} : vector<64xi1>, vector<64xi8>
// GENERIC-COUNT-127: arith.select
// GENERIC-NOT: arith.select
// GENERIC-NOT: llvm.call_intrinsic
func.func @table128(%t: vector<128xi8>, %i: vector<64xi8>) -> vector<64xi8> {
  %r = lowbit.lookup_bytes %t, %i : vector<128xi8>, vector<64xi8>
  return %r : vector<64xi8>
}

// -----

// Longer indices (but 128 bytes, which read 16-byte lanes): one vpermi2b
// per 64 bytes.
// VBMI-LABEL: func @table128_indices192
// VBMI-COUNT-3: llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"
// VBMI: vector.insert_strided_slice %{{.*}}, %{{.*}} {offsets = [128], strides = [1]} : vector<64xi8> into vector<192xi8>
// GENERIC-LABEL: func @table128_indices192
func.func @table128_indices192(%t: vector<128xi8>, %i: vector<192xi8>) -> vector<192xi8> {
  %r = lowbit.lookup_bytes %t, %i : vector<128xi8>, vector<192xi8>
  return %r : vector<192xi8>
}

// RUN: lowbit-opt %s -split-input-file -lowbit-lower-multishift-bytes=vbmi=true | FileCheck %s --check-prefix=VBMI
// RUN: lowbit-opt %s -split-input-file -lowbit-lower-multishift-bytes | FileCheck %s --check-prefix=GENERIC

// 64 bytes: one vpmultishiftqb with VBMI; otherwise each 64-bit lane
// repeated for its 8 bytes and rotated right by the control's low 6 bits.
// VBMI-LABEL: func @bytes64
// VBMI: llvm.call_intrinsic "llvm.x86.avx512.pmultishift.qb.512"(%arg0, %arg1) : (vector<64xi8>, vector<64xi8>) -> vector<64xi8>
// VBMI-NOT: lowbit.multishift_bytes
// GENERIC-LABEL: func @bytes64
// GENERIC-DAG: %[[C63:.*]] = arith.constant dense<63> : vector<64xi64>
// GENERIC-DAG: %[[C64:.*]] = arith.constant dense<64> : vector<64xi64>
// GENERIC: %[[LANES:.*]] = vector.bitcast %arg1 : vector<64xi8> to vector<8xi64>
// GENERIC: %[[DATA:.*]] = vector.shuffle %[[LANES]], %[[LANES]] [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2,
// GENERIC: %[[WIDE:.*]] = arith.extui %arg0 : vector<64xi8> to vector<64xi64>
// GENERIC: %[[SHIFT:.*]] = arith.andi %[[WIDE]], %[[C63]] : vector<64xi64>
// GENERIC: %[[NEG:.*]] = arith.subi %[[C64]], %[[SHIFT]] : vector<64xi64>
// GENERIC: %[[BACK:.*]] = arith.andi %[[NEG]], %[[C63]] : vector<64xi64>
// GENERIC: %[[RIGHT:.*]] = arith.shrui %[[DATA]], %[[SHIFT]] : vector<64xi64>
// GENERIC: %[[LEFT:.*]] = arith.shli %[[DATA]], %[[BACK]] : vector<64xi64>
// GENERIC: %[[ROT:.*]] = arith.ori %[[RIGHT]], %[[LEFT]] : vector<64xi64>
// GENERIC: %[[R:.*]] = arith.trunci %[[ROT]] : vector<64xi64> to vector<64xi8>
// GENERIC: return %[[R]]
// GENERIC-NOT: llvm.call_intrinsic
func.func @bytes64(%c: vector<64xi8>, %d: vector<64xi8>) -> vector<64xi8> {
  %r = lowbit.multishift_bytes %c, %d : vector<64xi8>
  return %r : vector<64xi8>
}

// -----

// 128 bytes: one instruction per 64 bytes of both operands.
// VBMI-LABEL: func @bytes128
// VBMI: %[[C0:.*]] = vector.extract_strided_slice %arg0 {offsets = [0], sizes = [64], strides = [1]}
// VBMI: %[[D0:.*]] = vector.extract_strided_slice %arg1 {offsets = [0], sizes = [64], strides = [1]}
// VBMI: %[[M0:.*]] = llvm.call_intrinsic "llvm.x86.avx512.pmultishift.qb.512"(%[[C0]], %[[D0]])
// VBMI: %[[R0:.*]] = vector.insert_strided_slice %[[M0]], %arg1 {offsets = [0], strides = [1]}
// VBMI: %[[C1:.*]] = vector.extract_strided_slice %arg0 {offsets = [64], sizes = [64], strides = [1]}
// VBMI: %[[D1:.*]] = vector.extract_strided_slice %arg1 {offsets = [64], sizes = [64], strides = [1]}
// VBMI: %[[M1:.*]] = llvm.call_intrinsic "llvm.x86.avx512.pmultishift.qb.512"(%[[C1]], %[[D1]])
// VBMI: vector.insert_strided_slice %[[M1]], %[[R0]] {offsets = [64], strides = [1]}
// GENERIC-LABEL: func @bytes128
// GENERIC: vector.bitcast %arg1 : vector<128xi8> to vector<16xi64>
// GENERIC-NOT: llvm.call_intrinsic
func.func @bytes128(%c: vector<128xi8>, %d: vector<128xi8>) -> vector<128xi8> {
  %r = lowbit.multishift_bytes %c, %d : vector<128xi8>
  return %r : vector<128xi8>
}

// -----

// 16 bytes: no 128-bit instruction without AVX512VL, the portable form.
// VBMI-LABEL: func @bytes16
// VBMI-NOT: llvm.call_intrinsic
// VBMI: vector.bitcast %arg1 : vector<16xi8> to vector<2xi64>
// VBMI: arith.trunci %{{.*}} : vector<16xi64> to vector<16xi8>
func.func @bytes16(%c: vector<16xi8>, %d: vector<16xi8>) -> vector<16xi8> {
  %r = lowbit.multishift_bytes %c, %d : vector<16xi8>
  return %r : vector<16xi8>
}

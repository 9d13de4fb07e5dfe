// RUN: lowbit-opt %s -split-input-file -lowbit-lower-dot-bf16=isa=arm-bf16 | FileCheck %s --check-prefix=BFDOT
// RUN: lowbit-opt %s -split-input-file -lowbit-lower-dot-bf16=isa=avx512-bf16 | FileCheck %s --check-prefix=X86
// RUN: lowbit-opt %s -split-input-file -lowbit-lower-dot-bf16 | FileCheck %s --check-prefix=NONE
// RUN: not lowbit-opt %s -lowbit-lower-dot-bf16=isa=sve9 2>&1 | FileCheck %s --check-prefix=BAD

// bfdot takes 4 lanes (8 values of each operand): 16 lanes are four calls,
// each on its slice of the accumulator; vdpbf16ps takes all 16 at once.
// BFDOT-LABEL: func @lanes16
// BFDOT-SAME: (%[[ACC:.*]]: vector<16xf32>, %[[X:.*]]: vector<32xbf16>, %[[W:.*]]: vector<32xbf16>)
// BFDOT: %[[A0:.*]] = vector.extract_strided_slice %[[ACC]] {offsets = [0], sizes = [4], strides = [1]}
// BFDOT: %[[X0:.*]] = vector.extract_strided_slice %[[X]] {offsets = [0], sizes = [8], strides = [1]}
// BFDOT: %[[W0:.*]] = vector.extract_strided_slice %[[W]] {offsets = [0], sizes = [8], strides = [1]}
// BFDOT: llvm.call_intrinsic "llvm.aarch64.neon.bfdot.v4f32.v8bf16"(%[[A0]], %[[X0]], %[[W0]]) : (vector<4xf32>, vector<8xbf16>, vector<8xbf16>) -> vector<4xf32>
// BFDOT-COUNT-3: llvm.call_intrinsic "llvm.aarch64.neon.bfdot.v4f32.v8bf16"
// BFDOT-NOT: llvm.call_intrinsic
// BFDOT: return
// X86-LABEL: func @lanes16
// X86: x86vector.avx512.dot %{{.*}}, %{{.*}}, %{{.*}} : vector<32xbf16> -> vector<16xf32>
// X86-NOT: lowbit.dot_bf16
// The portable form: f32 products, even then odd ones added to the lanes.
// NONE-LABEL: func @lanes16
// NONE-SAME: (%[[ACC:.*]]: vector<16xf32>, %[[X:.*]]: vector<32xbf16>, %[[W:.*]]: vector<32xbf16>)
// NONE: %[[XF:.*]] = arith.extf %[[X]] : vector<32xbf16> to vector<32xf32>
// NONE: %[[WF:.*]] = arith.extf %[[W]] : vector<32xbf16> to vector<32xf32>
// NONE: %[[P:.*]] = arith.mulf %[[XF]], %[[WF]] : vector<32xf32>
// NONE: %[[EVEN:.*]] = vector.shuffle %[[P]], %[[P]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
// NONE: %[[S:.*]] = arith.addf %[[ACC]], %[[EVEN]] : vector<16xf32>
// NONE: %[[ODD:.*]] = vector.shuffle %[[P]], %[[P]] [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31]
// NONE: arith.addf %[[S]], %[[ODD]] : vector<16xf32>
// NONE-NOT: llvm.call_intrinsic
func.func @lanes16(%acc: vector<16xf32>, %x: vector<32xbf16>, %w: vector<32xbf16>) -> vector<16xf32> {
  %r = lowbit.dot_bf16 %acc, %x, %w : vector<16xf32>, vector<32xbf16>
  return %r : vector<16xf32>
}

// -----

// Lane counts no instruction takes whole go the portable way.
// BFDOT-LABEL: func @lanes6
// BFDOT-NOT: llvm.call_intrinsic
// BFDOT: arith.mulf %{{.*}}, %{{.*}} : vector<12xf32>
// X86-LABEL: func @lanes6
// X86-NOT: x86vector
// X86: arith.mulf %{{.*}}, %{{.*}} : vector<12xf32>
func.func @lanes6(%acc: vector<6xf32>, %x: vector<12xbf16>, %w: vector<12xbf16>) -> vector<6xf32> {
  %r = lowbit.dot_bf16 %acc, %x, %w : vector<6xf32>, vector<12xbf16>
  return %r : vector<6xf32>
}

// -----

// bfmmla takes one 2x2 tile (4 lanes, 8 values of each operand): 8 lanes
// are two calls. Elsewhere the tile's products: lane 2i + j takes lhs row i
// and rhs row j, the pairs k = 0, 1 and k = 2, 3 summed and added in that
// order.
// BFDOT-LABEL: func @mmla8
// BFDOT-SAME: (%[[ACC:.*]]: vector<8xf32>, %[[X:.*]]: vector<16xbf16>, %[[W:.*]]: vector<16xbf16>)
// BFDOT: %[[A0:.*]] = vector.extract_strided_slice %[[ACC]] {offsets = [0], sizes = [4], strides = [1]}
// BFDOT: %[[X0:.*]] = vector.extract_strided_slice %[[X]] {offsets = [0], sizes = [8], strides = [1]}
// BFDOT: %[[W0:.*]] = vector.extract_strided_slice %[[W]] {offsets = [0], sizes = [8], strides = [1]}
// BFDOT: llvm.call_intrinsic "llvm.aarch64.neon.bfmmla"(%[[A0]], %[[X0]], %[[W0]]) : (vector<4xf32>, vector<8xbf16>, vector<8xbf16>) -> vector<4xf32>
// BFDOT: vector.extract_strided_slice %[[X]] {offsets = [8], sizes = [8], strides = [1]}
// BFDOT: llvm.call_intrinsic "llvm.aarch64.neon.bfmmla"
// BFDOT-NOT: llvm.call_intrinsic
// BFDOT: return
// X86-LABEL: func @mmla8
// X86-NOT: x86vector
// X86-NOT: lowbit.mmla_bf16
// NONE-LABEL: func @mmla8
// NONE-SAME: (%[[ACC:.*]]: vector<8xf32>, %[[X:.*]]: vector<16xbf16>, %[[W:.*]]: vector<16xbf16>)
// NONE: %[[XF:.*]] = arith.extf %[[X]] : vector<16xbf16> to vector<16xf32>
// NONE: %[[WF:.*]] = arith.extf %[[W]] : vector<16xbf16> to vector<16xf32>
// NONE: %[[XS:.*]] = vector.shuffle %[[XF]], %[[XF]] [0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7, 8, 9, 10, 11, 8, 9, 10, 11, 12, 13, 14, 15, 12, 13, 14, 15]
// NONE: %[[WS:.*]] = vector.shuffle %[[WF]], %[[WF]] [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]
// NONE: %[[P:.*]] = arith.mulf %[[XS]], %[[WS]] : vector<32xf32>
// NONE: %[[P0:.*]] = vector.shuffle %[[P]], %[[P]] [0, 4, 8, 12, 16, 20, 24, 28]
// NONE: %[[P1:.*]] = vector.shuffle %[[P]], %[[P]] [1, 5, 9, 13, 17, 21, 25, 29]
// NONE: %[[PAIR0:.*]] = arith.addf %[[P0]], %[[P1]] : vector<8xf32>
// NONE: %[[S:.*]] = arith.addf %[[ACC]], %[[PAIR0]] : vector<8xf32>
// NONE: %[[P2:.*]] = vector.shuffle %[[P]], %[[P]] [2, 6, 10, 14, 18, 22, 26, 30]
// NONE: %[[P3:.*]] = vector.shuffle %[[P]], %[[P]] [3, 7, 11, 15, 19, 23, 27, 31]
// NONE: %[[PAIR1:.*]] = arith.addf %[[P2]], %[[P3]] : vector<8xf32>
// NONE: arith.addf %[[S]], %[[PAIR1]] : vector<8xf32>
// NONE-NOT: llvm.call_intrinsic
func.func @mmla8(%acc: vector<8xf32>, %x: vector<16xbf16>, %w: vector<16xbf16>) -> vector<8xf32> {
  %r = lowbit.mmla_bf16 %acc, %x, %w : vector<8xf32>, vector<16xbf16>
  return %r : vector<8xf32>
}

// BAD: unknown isa 'sve9' (expected none, avx512-bf16 or arm-bf16)

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

// BAD: unknown isa 'sve9' (expected none, avx512-bf16 or arm-bf16)

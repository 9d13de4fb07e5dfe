// On a CPU without the dot-product instructions of the int8-activation
// kernels, lowbitc says what they use instead (one note, not an error), and
// says nothing for CPUs that have them. Weight-only presets get their own
// note below AVX2 (float activations times codes decoded 128 bits at a time).
// RUN: lowbitc %s --quantize=w4a8-dynamic --mcpu=x86-64 --emit=asm -o %t.s 2>&1 | FileCheck %s --check-prefix=SSE2
// RUN: lowbitc %s --quantize=w8a8-dynamic --mcpu=x86-64-v2 --emit=asm -o %t.s 2>&1 | FileCheck %s --check-prefix=SSSE3
// RUN: lowbitc %s --quantize=w8a8-dynamic --target=aarch64-linux-gnu --threading=none --emit=asm -o %t.s 2>&1 | FileCheck %s --check-prefix=GENERIC
// RUN: lowbitc %s --quantize=w8a8-dynamic --mcpu=x86-64-v3 --emit=asm -o %t.s 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: lowbitc %s --quantize=w4g32 --mcpu=x86-64 --emit=asm -o %t.s 2>&1 | FileCheck %s --check-prefix=FLOAT
// RUN: lowbitc %s --quantize=w8 --mcpu=x86-64-v2 --emit=asm -o %t.s 2>&1 | FileCheck %s --check-prefix=FLOAT-V2
// RUN: lowbitc %s --quantize=w4g32 --mcpu=x86-64-v3 --emit=asm -o %t.s 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: lowbitc %s --quantize=fp32 --mcpu=x86-64 --emit=asm -o %t.s 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: lowbitc %s --quantize=w4a8-dynamic --mcpu=x86-64 --emit=asm --quiet -o %t.s 2>&1 | count 0
// The SSE2 kernels widen to i16 and use pmaddwd, no SSSE3 instruction.
// RUN: FileCheck %s --check-prefix=SSE2-ASM --input-file=%t.s

// SSE2: lowbitc: note: x86-64 has no integer dot-product instructions (SSSE3/AVX2/VNNI); int8 activations use SSE2 pmaddwd on bytes widened to 16 bits
// SSE2: lowbitc: lowbit_fc: workspace
// SSSE3: lowbitc: note: x86-64-v2 has no AVX2/VNNI dot products; int8 activations use 128-bit SSSE3 pmaddubsw
// GENERIC: lowbitc: note: generic has no integer dot-product instructions; int8 activations use portable widening code
// FLOAT: lowbitc: note: x86-64 has no AVX2: packed weights with float activations are decoded 4 codes per 128-bit step, which can be slower than fp32 on layers that fit in cache; the int8-activation presets (w8a8-dynamic, w4a8-dynamic) are the fastest here
// FLOAT-NOT: int8 activations use
// FLOAT-V2: lowbitc: note: x86-64-v2 has no AVX2: packed weights
// NONE-NOT: note
// SSE2-ASM: pmaddwd
// SSE2-ASM-NOT: pmaddubsw
// SSE2-ASM-NOT: __extendhfsf2

func.func @fc(%x: tensor<1x64xf32>) -> tensor<1x4xf32> {
  %w = arith.constant dense<[[-1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75], [-0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12], [0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50], [0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00]]> : tensor<4x64xf32>
  %e = tensor.empty() : tensor<64x4xf32>
  %t = linalg.transpose ins(%w : tensor<4x64xf32>) outs(%e : tensor<64x4xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<1x4xf32>) -> tensor<1x4xf32>
  %y = linalg.matmul ins(%x, %t : tensor<1x64xf32>, tensor<64x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

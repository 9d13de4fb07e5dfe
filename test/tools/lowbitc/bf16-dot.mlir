// bf16 activations (w8a16, w4a16, c11a16) use vdpbf16ps where the CPU has
// AVX512-BF16, bfdot on AArch64 with +bf16, f32 multiply-adds on the
// rounded activations elsewhere, and lowbitc says which. c11a16's radix
// digits come from the 16-bit chunked decode (vpmulhuw, no 64-bit
// vpmuludq chains) as bf16 128 + d.
// RUN: lowbitc %s --quantize=w8a16 --mcpu=znver4 --emit=asm -o - 2>%t.err | FileCheck %s --check-prefix=BF16
// RUN: FileCheck %s --check-prefix=NONE --input-file=%t.err
// RUN: lowbitc %s --quantize=w4a16 --mcpu=znver4 --emit=asm -o - 2>%t.err | FileCheck %s --check-prefix=BF16
// RUN: lowbitc %s --quantize=w4a16 --mcpu=x86-64-v4 --mattr=+avx512bf16 --emit=asm -o - 2>%t.err | FileCheck %s --check-prefix=BF16
// RUN: lowbitc %s --quantize=w4a16 --mcpu=x86-64-v4 --emit=asm -o - 2>%t.err | FileCheck %s --check-prefix=NOBF16
// RUN: FileCheck %s --check-prefix=NOTE --input-file=%t.err
// RUN: lowbitc %s --quantize=w8a16 --mcpu=znver4 --mattr=-avx512bf16 --emit=asm -o - 2>%t.err | FileCheck %s --check-prefix=NOBF16
// RUN: FileCheck %s --check-prefix=NOTE-ZEN --input-file=%t.err
// RUN: lowbitc %s --quantize=w4a16 --mcpu=x86-64 --emit=asm -o - 2>%t.err | FileCheck %s --check-prefix=NOBF16
// RUN: lowbitc %s --quantize=c11a16 --mcpu=znver4 --emit=asm -o - 2>%t.err | FileCheck %s --check-prefix=BF16
// RUN: FileCheck %s --check-prefix=NONE --input-file=%t.err
// RUN: lowbitc %s --quantize=c11a16 --mcpu=znver4 --emit=asm -o - | FileCheck %s --check-prefix=RADIX
// RUN: lowbitc %s --quantize=c11a16 --mcpu=x86-64-v4 --emit=asm -o - 2>%t.err | FileCheck %s --check-prefix=NOBF16
// RUN: lowbitc %s --quantize=c11a16 --target=aarch64-linux-gnu --mattr=+bf16 --threading=none --emit=asm -o - | FileCheck %s --check-prefix=ARM
// RUN: lowbitc %s --quantize=w4a16 --target=aarch64-linux-gnu --mattr=+bf16 --threading=none --emit=asm -o - 2>%t.err | FileCheck %s --check-prefix=ARM
// RUN: FileCheck %s --check-prefix=NONE --input-file=%t.err
// RUN: lowbitc %s --quantize=w8a16 --target=aarch64-linux-gnu --mattr=+bf16 --threading=none --emit=asm -o - | FileCheck %s --check-prefix=ARM
// RUN: lowbitc %s --quantize=w4a16 --target=aarch64-linux-gnu --threading=none --emit=asm -o - 2>%t.err | FileCheck %s --check-prefix=NOARM
// RUN: FileCheck %s --check-prefix=NOTE-ARM --input-file=%t.err
// RUN: lowbitc %s --quantize=w4g32 --mcpu=x86-64-v4 --emit=asm -o - 2>&1 >/dev/null | FileCheck %s --check-prefix=NONE

// BF16: vdpbf16ps {{.*}}zmm
// RADIX-NOT: vpmuludq
// RADIX: vpmulhuw {{.*}}zmm
// RADIX-NOT: vpmuludq
// NOBF16-NOT: vdpbf16ps
// NOBF16-NOT: __truncsfbf2
// ARM-NOT: __truncsfbf2
// ARM: bfdot v{{[0-9]+}}.4s, v{{[0-9]+}}.8h, v{{[0-9]+}}.8h
// ARM-NOT: __truncsfbf2
// NOARM-NOT: bfdot
// NOARM-NOT: __truncsfbf2
// NOTE: lowbitc: note: x86-64-v4 has no AVX512-BF16 (vdpbf16ps) nor AArch64 BF16 (bfdot): bf16 activations are rounded once per call and multiplied in f32 multiply-adds
// NOTE-ZEN: lowbitc: note: znver4 has no AVX512-BF16
// NOTE-ARM: lowbitc: note: generic has no AVX512-BF16
// NONE-NOT: note

func.func @fc(%x: tensor<3x64xf32>) -> tensor<3x4xf32> {
  %w = arith.constant dense<[[-1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75], [-0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12], [0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50], [0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00]]> : tensor<4x64xf32>
  %e = tensor.empty() : tensor<64x4xf32>
  %t = linalg.transpose ins(%w : tensor<4x64xf32>) outs(%e : tensor<64x4xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<3x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<3x4xf32>) -> tensor<3x4xf32>
  %y = linalg.matmul ins(%x, %t : tensor<3x64xf32>, tensor<64x4xf32>) outs(%acc : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// Dynamic int8 activations use the CPU's integer dot products, and only
// those the chosen CPU has.
// RUN: lowbitc %s --quantize=w8a8-dynamic --mcpu=x86-64-v4 --mattr=+avx512vnni --emit=asm -o - | FileCheck %s --check-prefix=VNNI
// RUN: lowbitc %s --quantize=w8a8-dynamic --mcpu=znver4 --emit=asm -o - | FileCheck %s --check-prefix=VNNI
// RUN: lowbitc %s --quantize=w8a8-dynamic --mcpu=x86-64-v4 --emit=asm -o - | FileCheck %s --check-prefix=NOVNNI
// RUN: lowbitc %s --quantize=w8a8-dynamic --mcpu=znver4 --mattr=-avx512vnni --emit=asm -o - | FileCheck %s --check-prefix=NOVNNI
// AVX-VNNI CPUs without AVX-512 (alderlake, sierraforest) get the VEX form,
// at most 256-bit.
// RUN: lowbitc %s --quantize=w8a8-dynamic --mcpu=alderlake --emit=asm -o - | FileCheck %s --check-prefix=AVXVNNI
// RUN: lowbitc %s --quantize=w4a8-dynamic --mcpu=sierraforest --emit=asm -o - | FileCheck %s --check-prefix=AVXVNNI
// RUN: lowbitc %s --quantize=w4a8-dynamic --mcpu=x86-64-v3 --mattr=+avxvnni --emit=asm -o - | FileCheck %s --check-prefix=AVXVNNI
// AVX2 CPUs (no VNNI) get vpmaddubsw + vpmaddwd, 256-bit, no AVX-512 instruction.
// RUN: lowbitc %s --quantize=w8a8-dynamic --mcpu=haswell --emit=asm -o - | FileCheck %s --check-prefix=AVX2
// RUN: lowbitc %s --quantize=w4a8-dynamic --mcpu=x86-64-v3 --emit=asm -o - | FileCheck %s --check-prefix=AVX2
// Baseline x86-64 (SSE2, no SSSE3) gets neither.
// RUN: lowbitc %s --quantize=w4a8-dynamic --mcpu=x86-64 --emit=asm -o - | FileCheck %s --check-prefix=SSE2
// RUN: lowbitc %s --quantize=w4a8-dynamic --target=aarch64-linux-gnu --mattr=+dotprod --emit=asm -o - | FileCheck %s --check-prefix=SDOT
// RUN: lowbitc %s --quantize=w8a8-dynamic --target=aarch64-linux-gnu --mcpu=cortex-a76 --emit=asm -o - | FileCheck %s --check-prefix=SDOT
// RUN: lowbitc %s --quantize=w8a8-dynamic --target=aarch64-linux-gnu --emit=asm -o - | FileCheck %s --check-prefix=NOSDOT
// RUN: lowbitc %s --quantize=w8a8-dynamic --target=aarch64-linux-gnu --mcpu=cortex-a53 --emit=asm -o - | FileCheck %s --check-prefix=NOSDOT

// VNNI: vpdpbusd {{.*}}zmm
// NOVNNI-NOT: vpdpbusd
// NOVNNI-NOT: vpdpwssd
// SDOT: sdot v{{[0-9]+}}.4s, v{{[0-9]+}}.16b, v{{[0-9]+}}.16b
// NOSDOT-NOT: sdot
// AVX2-NOT: zmm
// AVX2-NOT: vpdpbusd
// AVX2: vpmaddubsw {{.*}}ymm
// AVX2: vpmaddwd {{.*}}ymm
// AVX2-NOT: zmm
// AVX2-NOT: vpdpbusd
// AVXVNNI-NOT: zmm
// AVXVNNI: {vex} vpdpbusd {{.*}}ymm
// AVXVNNI-NOT: zmm
// AVXVNNI-NOT: pmaddubsw
// SSE2-NOT: pmaddubsw
// SSE2-NOT: vpdpbusd

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

// c11a8-dynamic (base-11 words, dynamic int8 activations) for a single row
// (GEMV) and a row tile: with AVX512-VBMI (znver4, icelake-server) the
// words' 16-bit chunks give digit pairs (R d_i + d_{i+1}, two 16-bit
// multiply-high steps by 121 and 121 * 256) that two 128-byte table lookups
// (vpermi2b, or vpermt2b when the register allocator keeps the indices)
// split into digits; without it (skylake-avx512) every digit is its own
// 16-bit multiply step and there is no byte permute.
// RUN: lowbitc %s --mcpu=znver4 --threading=none --emit=asm -o - | FileCheck %s --check-prefix=VBMI
// RUN: lowbitc %s --mcpu=icelake-server --threading=none --emit=asm -o - | FileCheck %s --check-prefix=VBMI
// RUN: lowbitc %s --mcpu=znver4 --mattr=-avx512vbmi --threading=none --emit=asm -o - | FileCheck %s --check-prefix=CHUNKS
// RUN: lowbitc %s --mcpu=skylake-avx512 --threading=none --emit=asm -o - | FileCheck %s --check-prefix=CHUNKS

// VBMI-LABEL: lowbit_gemv_with_workspace:
// VBMI: vpmulhuw
// VBMI: {{vpermi2b|vpermt2b}} {{.*}}%zmm
// VBMI: {{vpermi2b|vpermt2b}} {{.*}}%zmm
// VBMI: vpdpbusd
// VBMI-LABEL: lowbit_gemv:
// VBMI-LABEL: lowbit_tile_with_workspace:
// VBMI: {{vpermi2b|vpermt2b}} {{.*}}%zmm
// VBMI: vpdpbusd
// VBMI-LABEL: lowbit_tile:
// CHUNKS-LABEL: lowbit_gemv_with_workspace:
// CHUNKS-NOT: {{vpermi2b|vpermt2b|vpermb}}
// CHUNKS: vpmulhuw
// CHUNKS-NOT: {{vpermi2b|vpermt2b|vpermb}}
// CHUNKS-LABEL: lowbit_gemv:
// CHUNKS-LABEL: lowbit_tile_with_workspace:
// CHUNKS-NOT: {{vpermi2b|vpermt2b|vpermb}}
// CHUNKS-LABEL: lowbit_tile:
func.func @gemv(%x: tensor<1x512xf32>, %p: tensor<8x60xi32>, %s: tensor<8x4xf16>, %m: tensor<8x4xf16>) -> tensor<1x8xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<8x4xf16>) mins(%m : tensor<8x4xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix(11), block = 128>, dynamic_int8_activations} : tensor<1x512xf32>, tensor<8x60xi32> -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

func.func @tile(%x: tensor<16x512xf32>, %p: tensor<8x60xi32>, %s: tensor<8x4xf16>, %m: tensor<8x4xf16>) -> tensor<16x8xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<8x4xf16>) mins(%m : tensor<8x4xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix(11), block = 128>, dynamic_int8_activations} : tensor<16x512xf32>, tensor<8x60xi32> -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}

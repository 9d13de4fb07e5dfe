// c11a8-dynamic's radix_fields words for a single row (GEMV) and a row
// tile: the two 14-bit fields of every word go to the 16-bit halves of its
// lane (a shift and a ternary select), one 16-bit multiply-high and one
// multiply-low per word split them into base-121 pairs, and with
// AVX512-VBMI (znver4, icelake-server) two 128-byte table lookups (vpermi2b,
// or vpermt2b when the register allocator keeps the indices) split the
// pairs into digits; no 32-bit multiply at all (radix(11) words need two
// vpmulld per 16 words: radix-digit-pairs.mlir). Without VBMI
// (skylake-avx512, x86-64-v3) two more multiply-highs in 16-bit lanes give
// the digits (lowbit/Numerics/RadixFields.h), with no widening to 32-bit
// lanes (vpmovzxwd) or byte packing (vpackuswb) of a byte division.
// RUN: lowbitc %s --mcpu=znver4 --threading=none --emit=asm -o - | FileCheck %s --check-prefix=VBMI
// RUN: lowbitc %s --mcpu=icelake-server --threading=none --emit=asm -o - | FileCheck %s --check-prefix=VBMI
// RUN: lowbitc %s --mcpu=skylake-avx512 --threading=none --emit=asm -o - | FileCheck %s --check-prefix=HALVES
// RUN: lowbitc %s --mcpu=x86-64-v3 --threading=none --emit=asm -o - | FileCheck %s --check-prefix=HALVES

// VBMI-LABEL: lowbit_gemv_with_workspace:
// VBMI-NOT: vpmulld
// VBMI: vpmulhuw
// VBMI-NOT: vpmulld
// VBMI: {{vpermi2b|vpermt2b}} {{.*}}%zmm
// VBMI-NOT: vpmulld
// VBMI: {{vpermi2b|vpermt2b}} {{.*}}%zmm
// VBMI-NOT: vpmulld
// VBMI: vpdpbusd
// VBMI-NOT: vpmulld
// VBMI-LABEL: lowbit_gemv:
// VBMI-LABEL: lowbit_tile_with_workspace:
// VBMI-NOT: vpmulld
// VBMI: {{vpermi2b|vpermt2b}} {{.*}}%zmm
// VBMI-NOT: vpmulld
// VBMI: vpdpbusd
// VBMI-NOT: vpmulld
// VBMI-LABEL: lowbit_tile:
// HALVES-LABEL: lowbit_gemv_with_workspace:
// HALVES-NOT: {{vpermi2b|vpermt2b|vpermb|vpmulld|vpmovzxwd|vpackuswb}}
// HALVES: vpmulhuw
// HALVES-NOT: {{vpermi2b|vpermt2b|vpermb|vpmulld|vpmovzxwd|vpackuswb}}
// HALVES: {{vpmulhu?w}}
// HALVES-NOT: {{vpermi2b|vpermt2b|vpermb|vpmulld|vpmovzxwd|vpackuswb}}
// HALVES: {{vpmulhu?w}}
// HALVES-NOT: {{vpermi2b|vpermt2b|vpermb|vpmulld|vpmovzxwd|vpackuswb}}
// HALVES-LABEL: lowbit_gemv:
func.func @gemv(%x: tensor<1x512xf32>, %p: tensor<8x60xi32>, %s: tensor<8x4xf16>, %m: tensor<8x4xf16>) -> tensor<1x8xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<8x4xf16>) mins(%m : tensor<8x4xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix_fields(11), block = 128>, dynamic_int8_activations} : tensor<1x512xf32>, tensor<8x60xi32> -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

func.func @tile(%x: tensor<16x512xf32>, %p: tensor<8x60xi32>, %s: tensor<8x4xf16>, %m: tensor<8x4xf16>) -> tensor<16x8xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<8x4xf16>) mins(%m : tensor<8x4xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix_fields(11), block = 128>, dynamic_int8_activations} : tensor<16x512xf32>, tensor<8x60xi32> -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}

// RUN: lowbit-opt %s -split-input-file -verify-diagnostics -lowbit-pack-weights="layout=radix-fields" | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-pack-weights="dynamic-int8-activations=true" | FileCheck %s --check-prefix=AUTO
// RUN: lowbit-opt %s -split-input-file -lowbit-pack-weights | FileCheck %s --check-prefix=F32-ACT

// Nine codes per word in two 14-bit base-11 fields and a nibble (by hand:
// fields 1 + 2*11 + 3*121 + 4*1331 = 5710 and 5 + 6*11 + 7*121 + 8*1331 =
// 11566, code 9 at bit 28: 5710 + 11566 * 2^14 + 9 * 2^28 = 2605422158,
// -1689545138 as i32; the group's tenth code alone: [10, 0...] -> 10).
// CHECK-LABEL: func @codebook_fields
// CHECK: lowbit.packed_weight {data = dense<{{\[}}[-1689545138, 10]]> : tensor<1x2xi32>, layout = #lowbit.layout<radix_fields(11), block = 10>
// CHECK: lowbit.unpack %{{.*}} {layout = #lowbit.layout<radix_fields(11), block = 10>} : tensor<1x2xi32> -> tensor<1x10xi8>
// CHECK: lowbit.dequantize %{{.*}} scales(%{{.*}} : tensor<1x1xf16>) mins(%{{.*}} : tensor<1x1xf16>)
// With dynamic int8 activations, auto takes the same words; without, the
// radix(11) words of the same size.
// AUTO-LABEL: func @codebook_fields
// AUTO: layout = #lowbit.layout<radix_fields(11), block = 10>
// F32-ACT-LABEL: func @codebook_fields
// F32-ACT: layout = #lowbit.layout<radix(11), block = 10>
func.func @codebook_fields() -> tensor<1x10xf32> {
  %c = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]> : tensor<1x10xi8>
  %s = arith.constant dense<2.0> : tensor<1x1xf16>
  %m = arith.constant dense<-1.0> : tensor<1x1xf16>
  %w = lowbit.dequantize %c scales(%s : tensor<1x1xf16>) mins(%m : tensor<1x1xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 10), codebook = <linspace(-1.0, 1.0, 11)>>} : tensor<1x10xi8> -> tensor<1x10xf32>
  return %w : tensor<1x10xf32>
}

// -----

// Five levels: nine codes per word still (radix(5) would take 13).
// CHECK-LABEL: func @five_levels
// CHECK: lowbit.packed_weight {data = dense<{{\[}}[4, 0]]> : tensor<1x2xi32>, layout = #lowbit.layout<radix_fields(5), block = 12>
// AUTO-LABEL: func @five_levels
// AUTO: layout = #lowbit.layout<radix(5), block = 12>
func.func @five_levels() -> tensor<1x12xf32> {
  %c = arith.constant dense<[[4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]> : tensor<1x12xi8>
  %s = arith.constant dense<2.0> : tensor<1x1xf16>
  %m = arith.constant dense<-1.0> : tensor<1x1xf16>
  %w = lowbit.dequantize %c scales(%s : tensor<1x1xf16>) mins(%m : tensor<1x1xf16>) {scheme = #lowbit.scheme<u3, min_scale, per_group(axis = 1, size = 12), codebook = <linspace(-1.0, 1.0, 5)>>} : tensor<1x12xi8> -> tensor<1x12xf32>
  return %w : tensor<1x12xf32>
}

// -----

// radix_fields holds codebook codes of at most 11 levels.
func.func @twelve_levels() -> tensor<1x12xf32> {
  %c = arith.constant dense<11> : tensor<1x12xi8>
  %s = arith.constant dense<2.0> : tensor<1x1xf16>
  %m = arith.constant dense<-1.0> : tensor<1x1xf16>
  // expected-error @+1 {{unknown layout 'radix-fields' for this scheme}}
  %w = lowbit.dequantize %c scales(%s : tensor<1x1xf16>) mins(%m : tensor<1x1xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 12), codebook = <linspace(-1.0, 1.0, 12)>>} : tensor<1x12xi8> -> tensor<1x12xf32>
  return %w : tensor<1x12xf32>
}

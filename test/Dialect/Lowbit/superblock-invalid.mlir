// RUN: lowbit-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{invalid layout: radix must be in [2, 256], got 1}}
func.func private @f() attributes {a = #lowbit.layout<radix_superblock(1), block = 128>}

// -----

// expected-error @+1 {{invalid layout: radix_superblock needs a positive block (the group size), got 0}}
func.func private @f() attributes {a = #lowbit.layout<radix_superblock(11)>}

// -----

func.func @wrong_param_shape(%c: tensor<2x100xi8>, %p: tensor<2x7xi8>) -> tensor<2x100xf32> {
  // expected-error @+1 {{'lowbit.dequantize' op superblock parameters must have shape 2x6 on a 2x100 tensor, got 2x7}}
  %w = lowbit.dequantize %c scales(%p : tensor<2x7xi8>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>} : tensor<2x100xi8> -> tensor<2x100xf32>
  return %w : tensor<2x100xf32>
}

// -----

func.func @not_min_scale(%c: tensor<2x100xi8>, %p: tensor<2x6xi8>) -> tensor<2x100xf32> {
  // expected-error @+1 {{'lowbit.dequantize' op superblock parameters need a min_scale scheme in groups along the last axis}}
  %w = lowbit.dequantize %c scales(%p : tensor<2x6xi8>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 128)>} : tensor<2x100xi8> -> tensor<2x100xf32>
  return %w : tensor<2x100xf32>
}

// -----

func.func @separate_mins(%c: tensor<2x100xi8>, %p: tensor<2x6xi8>, %m: tensor<2x1xf16>) -> tensor<2x100xf32> {
  // expected-error @+1 {{'lowbit.dequantize' op superblock parameters hold the mins: no separate mins or zero points}}
  %w = lowbit.dequantize %c scales(%p : tensor<2x6xi8>) mins(%m : tensor<2x1xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>} : tensor<2x100xi8> -> tensor<2x100xf32>
  return %w : tensor<2x100xf32>
}

// -----

func.func @float_params() {
  // expected-error @+1 {{'lowbit.packed_weight' op superblock parameters (i8 scales) go with a radix_superblock layout and only with it}}
  %w:3 = lowbit.packed_weight {data = dense<0> : tensor<2x12xi32>, scales = dense<1.0> : tensor<2x1xf16>, mins = dense<0.0> : tensor<2x1xf16>, shape = array<i64: 2, 100>, scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix_superblock(11), block = 128>} : tensor<2x12xi32>, tensor<2x1xf16>, tensor<2x1xf16>
  return
}

// -----

func.func @group_mismatch() {
  // expected-error @+1 {{'lowbit.packed_weight' op layout #lowbit.layout<radix_superblock(11), block = 64> needs a scheme of 11 levels in groups of 64}}
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<2x12xi32>, scales = dense<1> : tensor<2x6xi8>, shape = array<i64: 2, 100>, scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix_superblock(11), block = 64>} : tensor<2x12xi32>, tensor<2x6xi8>
  return
}

// -----

func.func @radix_not_levels() {
  // expected-error @+1 {{'lowbit.packed_weight' op layout #lowbit.layout<radix_superblock(12), block = 128> needs a scheme of 12 levels in groups of 128}}
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<2x12xi32>, scales = dense<1> : tensor<2x6xi8>, shape = array<i64: 2, 100>, scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix_superblock(12), block = 128>} : tensor<2x12xi32>, tensor<2x6xi8>
  return
}

// -----

func.func @wrong_storage() {
  // expected-error @+1 {{'lowbit.packed_weight' op packed storage must have shape 2x12 for 2x100 codes under #lowbit.layout<radix_superblock(11), block = 128>, got 2x15}}
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<2x15xi32>, scales = dense<[[0, 60, 0, 60, 1, -1], [0, 60, 0, 60, 2, 0]]> : tensor<2x6xi8>, shape = array<i64: 2, 100>, scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix_superblock(11), block = 128>} : tensor<2x15xi32>, tensor<2x6xi8>
  return
}

// -----

// Scale code a = 0: the group's scale would be 0.
func.func @zero_scale() {
  // expected-error @+1 {{'lowbit.packed_weight' op superblock scale of row 1, group 0 is 0: scales must be positive and finite}}
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<2x12xi32>, scales = dense<[[0, 60, 0, 60, 1, -1], [0, 60, 0, 60, 0, 0]]> : tensor<2x6xi8>, shape = array<i64: 2, 100>, scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix_superblock(11), block = 128>} : tensor<2x12xi32>, tensor<2x6xi8>
  return
}

// -----

// e = +inf (fp16 0x7C00): the mins are not finite.
func.func @infinite_min_factor() {
  // expected-error @+1 {{'lowbit.packed_weight' op superblock min of row 0, group 0 is -inf: mins must be finite}}
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<1x12xi32>, scales = dense<[[0, 60, 0, 124, 1, -1]]> : tensor<1x6xi8>, shape = array<i64: 1, 100>, scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix_superblock(11), block = 128>} : tensor<1x12xi32>, tensor<1x6xi8>
  return
}

// -----

func.func @matmul_float_scales(%x: tensor<1x100xf32>, %p: tensor<2x12xi32>, %s: tensor<2x1xf16>, %m: tensor<2x1xf16>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'lowbit.matmul' op superblock parameters (i8 scales) go with a radix_superblock layout and only with it}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<2x1xf16>) mins(%m : tensor<2x1xf16>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix_superblock(11), block = 128>} : tensor<1x100xf32>, tensor<2x12xi32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

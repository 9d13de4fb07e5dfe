// RUN: lowbit-opt %s -split-input-file -convert-lowbit-to-linalg -verify-diagnostics

func.func @unpack_dynamic_row(%p: tensor<4x?xi8>) -> tensor<4x?xi8> {
  // expected-error @+1 {{'lowbit.unpack' op cannot be lowered with a dynamic row length (the last dimension of the codes must be static)}}
  %c = lowbit.unpack %p {layout = #lowbit.layout<int4>, signed_codes} : tensor<4x?xi8> -> tensor<4x?xi8>
  return %c : tensor<4x?xi8>
}

// -----

func.func @pack_dynamic_row(%c: tensor<2x?xi8>) -> tensor<2x?xi32> {
  // expected-error @+1 {{'lowbit.pack' op cannot be lowered with a dynamic row length (the last dimension of the codes must be static)}}
  %p = lowbit.pack %c {layout = #lowbit.layout<radix(11)>} : tensor<2x?xi8> -> tensor<2x?xi32>
  return %p : tensor<2x?xi32>
}

// -----

func.func @matmul_dynamic_k(%x: tensor<1x?xf32>, %p: tensor<3x?xi8>, %s: tensor<3xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'lowbit.matmul' op cannot be lowered with a dynamic reduction size K (the last dimension of the input must be static)}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<3xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<1x?xf32>, tensor<3x?xi8> -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

// Every unsupported op is reported, not only the first.

func.func @two_errors(%p: tensor<4x?xi8>, %c: tensor<2x?xi8>) -> (tensor<4x?xi8>, tensor<2x?xi8>) {
  // expected-error @+1 {{'lowbit.unpack' op cannot be lowered with a dynamic row length}}
  %u = lowbit.unpack %p {layout = #lowbit.layout<int8>} : tensor<4x?xi8> -> tensor<4x?xi8>
  // expected-error @+1 {{'lowbit.pack' op cannot be lowered with a dynamic row length}}
  %q = lowbit.pack %c {layout = #lowbit.layout<int8>} : tensor<2x?xi8> -> tensor<2x?xi8>
  return %u, %q : tensor<4x?xi8>, tensor<2x?xi8>
}

// -----

func.func @matmul_dynamic_int8(%x: tensor<1x8xf32>, %p: tensor<3x8xi8>, %s: tensor<3xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'lowbit.matmul' op has dynamic int8 activations, which only lowbit-vectorize-matmul lowers (int8, int4_interleaved, int3, int2, int2_planes or radix weights)}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<3xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>, dynamic_int8_activations} : tensor<1x8xf32>, tensor<3x8xi8> -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

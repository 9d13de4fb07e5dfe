// A single activation row (GEMV) of w4a8-dynamic: the segment loop takes
// four segments of four groups per iteration and converts their 16 f16
// scales once (vcvtph2ps from memory into a zmm), then spreads them to each
// segment's lanes with one vpermps per segment, instead of a broadcast,
// byte shuffle and conversion per segment. The dot products start from the
// lanes' corrections (vpdpbusd). w2a8-dynamic shifts its middle 2-bit fields
// in 16-bit lanes (vpsrlw, one FP pipe on Zen 4; a byte shift is a
// vgf2p8affineqb taking two), the mask clearing what the next byte shifts
// in.
// RUN: lowbitc %s --mcpu=znver4 --threading=none --emit=asm -o - | FileCheck %s

// CHECK-LABEL: lowbit_gemv_with_workspace:
// CHECK: vcvtph2ps {{-?[0-9]*}}(%r{{[a-z0-9]+}}{{(,%r[a-z0-9]+(,[0-9])?)?}}), %zmm[[S:[0-9]+]]
// CHECK-COUNT-4: vpermps %zmm[[S]], %zmm{{[0-9]+}}, %zmm
// CHECK: vpdpbusd
// CHECK-LABEL: lowbit_gemv:
func.func @gemv(%x: tensor<1x4096xf32>, %p: tensor<8x2048xi8>, %s: tensor<8x128xf16>) -> tensor<1x8xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<8x128xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_interleaved, block = 32>, dynamic_int8_activations} : tensor<1x4096xf32>, tensor<8x2048xi8> -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// CHECK-LABEL: lowbit_gemv_int2_with_workspace:
// CHECK: vpsrlw $2, %zmm
// CHECK: vpsrlw $4, %zmm
// CHECK: vpdpbusd
// CHECK-LABEL: lowbit_gemv_int2:
func.func @gemv_int2(%x: tensor<1x4096xf32>, %p: tensor<8x1024xi8>, %s: tensor<8x128xf16>, %m: tensor<8x128xf16>) -> tensor<1x8xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<8x128xf16>) mins(%m : tensor<8x128xf16>) {scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int2, block = 32>, dynamic_int8_activations} : tensor<1x4096xf32>, tensor<8x1024xi8> -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// A model using every math op compiles to objects that need no libm (nor
// compiler-rt's __powisf2): the only undefined symbols allowed are libc's
// memory functions and the C compiler's fp16 conversions. Each op runs both
// vectorized (linalg.generic over 32 elements) and as a scalar loop (plain
// tensor op over 5), in f32 and f16.
// RUN: lowbitc %s -o %t.x86.o
// RUN: lowbitc %s --mcpu=znver4 -o %t.znver4.o
// RUN: lowbitc %s --target=aarch64-linux-gnu -o %t.arm.o
// RUN: llvm-nm -u --just-symbol-name %t.x86.o %t.znver4.o %t.arm.o \
// RUN:   | awk 'NF && !/:$/ && !/^(malloc|free|memset|memcpy|memmove|__extendhfsf2|__truncsfhf2)$/ { print "unexpected symbol: " $0; bad = 1 } END { exit bad }'

#map = affine_map<(d0) -> (d0)>

func.func @vector_f32(%x: tensor<32xf32>, %y: tensor<32xf32>, %n: tensor<32xi32>) -> tensor<32xf32> {
  %e = tensor.empty() : tensor<32xf32>
  %r = linalg.generic {indexing_maps = [#map, #map, #map, #map], iterator_types = ["parallel"]} ins(%x, %y, %n : tensor<32xf32>, tensor<32xf32>, tensor<32xi32>) outs(%e : tensor<32xf32>) {
  ^bb0(%a: f32, %b: f32, %k: i32, %o: f32):
    %u0 = math.exp %a : f32
    %u1 = math.exp2 %u0 : f32
    %u2 = math.expm1 %u1 : f32
    %u3 = math.log %u2 : f32
    %u4 = math.log2 %u3 : f32
    %u5 = math.log10 %u4 : f32
    %u6 = math.log1p %u5 : f32
    %u7 = math.tanh %u6 : f32
    %u8 = math.sinh %u7 : f32
    %u9 = math.cosh %u8 : f32
    %u10 = math.erf %u9 : f32
    %u11 = math.erfc %u10 : f32
    %u12 = math.sin %u11 : f32
    %u13 = math.cos %u12 : f32
    %u14 = math.tan %u13 : f32
    %u15 = math.atan %u14 : f32
    %u16 = math.asin %u15 : f32
    %u17 = math.acos %u16 : f32
    %u18 = math.asinh %u17 : f32
    %u19 = math.acosh %u18 : f32
    %u20 = math.atanh %u19 : f32
    %u21 = math.sqrt %u20 : f32
    %u22 = math.rsqrt %u21 : f32
    %u23 = math.cbrt %u22 : f32
    %u24 = math.floor %u23 : f32
    %u25 = math.ceil %u24 : f32
    %u26 = math.round %u25 : f32
    %u27 = math.roundeven %u26 : f32
    %u28 = math.trunc %u27 : f32
    %u29 = math.absf %u28 : f32
    %p0 = math.atan2 %u29, %b : f32
    %p1 = math.powf %p0, %b : f32
    %p2 = math.fpowi %p1, %k : f32, i32
    %p3 = math.copysign %p2, %b : f32
    %p4 = math.fma %p3, %b, %a : f32
    linalg.yield %p4 : f32
  } -> tensor<32xf32>
  return %r : tensor<32xf32>
}

func.func @vector_f16(%x: tensor<32xf16>, %y: tensor<32xf16>, %n: tensor<32xi32>) -> tensor<32xf16> {
  %e = tensor.empty() : tensor<32xf16>
  %r = linalg.generic {indexing_maps = [#map, #map, #map, #map], iterator_types = ["parallel"]} ins(%x, %y, %n : tensor<32xf16>, tensor<32xf16>, tensor<32xi32>) outs(%e : tensor<32xf16>) {
  ^bb0(%a: f16, %b: f16, %k: i32, %o: f16):
    %u0 = math.exp %a : f16
    %u1 = math.exp2 %u0 : f16
    %u2 = math.expm1 %u1 : f16
    %u3 = math.log %u2 : f16
    %u4 = math.log2 %u3 : f16
    %u5 = math.log10 %u4 : f16
    %u6 = math.log1p %u5 : f16
    %u7 = math.tanh %u6 : f16
    %u8 = math.sinh %u7 : f16
    %u9 = math.cosh %u8 : f16
    %u10 = math.erf %u9 : f16
    %u11 = math.erfc %u10 : f16
    %u12 = math.sin %u11 : f16
    %u13 = math.cos %u12 : f16
    %u14 = math.tan %u13 : f16
    %u15 = math.atan %u14 : f16
    %u16 = math.asin %u15 : f16
    %u17 = math.acos %u16 : f16
    %u18 = math.asinh %u17 : f16
    %u19 = math.acosh %u18 : f16
    %u20 = math.atanh %u19 : f16
    %u21 = math.sqrt %u20 : f16
    %u22 = math.rsqrt %u21 : f16
    %u23 = math.cbrt %u22 : f16
    %u24 = math.floor %u23 : f16
    %u25 = math.ceil %u24 : f16
    %u26 = math.round %u25 : f16
    %u27 = math.roundeven %u26 : f16
    %u28 = math.trunc %u27 : f16
    %u29 = math.absf %u28 : f16
    %p0 = math.atan2 %u29, %b : f16
    %p1 = math.powf %p0, %b : f16
    %p2 = math.fpowi %p1, %k : f16, i32
    %p3 = math.copysign %p2, %b : f16
    %p4 = math.fma %p3, %b, %a : f16
    linalg.yield %p4 : f16
  } -> tensor<32xf16>
  return %r : tensor<32xf16>
}

func.func @scalar_f32(%x: tensor<5xf32>, %y: tensor<5xf32>, %n: tensor<5xi32>, %i: tensor<5xi32>) -> (tensor<5xf32>, tensor<5xi32>) {
  %u0 = math.exp %x : tensor<5xf32>
  %u1 = math.exp2 %u0 : tensor<5xf32>
  %u2 = math.expm1 %u1 : tensor<5xf32>
  %u3 = math.log %u2 : tensor<5xf32>
  %u4 = math.log2 %u3 : tensor<5xf32>
  %u5 = math.log10 %u4 : tensor<5xf32>
  %u6 = math.log1p %u5 : tensor<5xf32>
  %u7 = math.tanh %u6 : tensor<5xf32>
  %u8 = math.sinh %u7 : tensor<5xf32>
  %u9 = math.cosh %u8 : tensor<5xf32>
  %u10 = math.erf %u9 : tensor<5xf32>
  %u11 = math.erfc %u10 : tensor<5xf32>
  %u12 = math.sin %u11 : tensor<5xf32>
  %u13 = math.cos %u12 : tensor<5xf32>
  %u14 = math.tan %u13 : tensor<5xf32>
  %u15 = math.atan %u14 : tensor<5xf32>
  %u16 = math.asin %u15 : tensor<5xf32>
  %u17 = math.acos %u16 : tensor<5xf32>
  %u18 = math.asinh %u17 : tensor<5xf32>
  %u19 = math.acosh %u18 : tensor<5xf32>
  %u20 = math.atanh %u19 : tensor<5xf32>
  %u21 = math.sqrt %u20 : tensor<5xf32>
  %u22 = math.rsqrt %u21 : tensor<5xf32>
  %u23 = math.cbrt %u22 : tensor<5xf32>
  %u24 = math.floor %u23 : tensor<5xf32>
  %u25 = math.ceil %u24 : tensor<5xf32>
  %u26 = math.round %u25 : tensor<5xf32>
  %u27 = math.roundeven %u26 : tensor<5xf32>
  %u28 = math.trunc %u27 : tensor<5xf32>
  %u29 = math.absf %u28 : tensor<5xf32>
  %p0 = math.atan2 %u29, %y : tensor<5xf32>
  %p1 = math.powf %p0, %y : tensor<5xf32>
  %p2 = math.fpowi %p1, %n : tensor<5xf32>, tensor<5xi32>
  %p3 = math.fma %p2, %y, %x : tensor<5xf32>
  %q = math.ipowi %i, %n : tensor<5xi32>
  return %p3, %q : tensor<5xf32>, tensor<5xi32>
}

func.func @scalar_f16(%x: tensor<5xf16>, %y: tensor<5xf16>, %n: tensor<5xi32>, %i: tensor<5xi32>) -> (tensor<5xf16>, tensor<5xi32>) {
  %u0 = math.exp %x : tensor<5xf16>
  %u1 = math.exp2 %u0 : tensor<5xf16>
  %u2 = math.expm1 %u1 : tensor<5xf16>
  %u3 = math.log %u2 : tensor<5xf16>
  %u4 = math.log2 %u3 : tensor<5xf16>
  %u5 = math.log10 %u4 : tensor<5xf16>
  %u6 = math.log1p %u5 : tensor<5xf16>
  %u7 = math.tanh %u6 : tensor<5xf16>
  %u8 = math.sinh %u7 : tensor<5xf16>
  %u9 = math.cosh %u8 : tensor<5xf16>
  %u10 = math.erf %u9 : tensor<5xf16>
  %u11 = math.erfc %u10 : tensor<5xf16>
  %u12 = math.sin %u11 : tensor<5xf16>
  %u13 = math.cos %u12 : tensor<5xf16>
  %u14 = math.tan %u13 : tensor<5xf16>
  %u15 = math.atan %u14 : tensor<5xf16>
  %u16 = math.asin %u15 : tensor<5xf16>
  %u17 = math.acos %u16 : tensor<5xf16>
  %u18 = math.asinh %u17 : tensor<5xf16>
  %u19 = math.acosh %u18 : tensor<5xf16>
  %u20 = math.atanh %u19 : tensor<5xf16>
  %u21 = math.sqrt %u20 : tensor<5xf16>
  %u22 = math.rsqrt %u21 : tensor<5xf16>
  %u23 = math.cbrt %u22 : tensor<5xf16>
  %u24 = math.floor %u23 : tensor<5xf16>
  %u25 = math.ceil %u24 : tensor<5xf16>
  %u26 = math.round %u25 : tensor<5xf16>
  %u27 = math.roundeven %u26 : tensor<5xf16>
  %u28 = math.trunc %u27 : tensor<5xf16>
  %u29 = math.absf %u28 : tensor<5xf16>
  %p0 = math.atan2 %u29, %y : tensor<5xf16>
  %p1 = math.powf %p0, %y : tensor<5xf16>
  %p2 = math.fpowi %p1, %n : tensor<5xf16>, tensor<5xi32>
  %p3 = math.fma %p2, %y, %x : tensor<5xf16>
  %q = math.ipowi %i, %n : tensor<5xi32>
  return %p3, %q : tensor<5xf16>, tensor<5xi32>
}

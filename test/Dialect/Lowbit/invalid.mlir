// RUN: lowbit-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// #lowbit.codebook
//===----------------------------------------------------------------------===//

// expected-error @+1 {{codebook must have 2 to 256 levels, got 0}}
func.func private @f() attributes {a = #lowbit.codebook<[]>}

// -----

// 1.0e39 overflows f32.
// expected-error @+1 {{codebook values must be finite, got infinity}}
func.func private @f() attributes {a = #lowbit.codebook<[1.0, 1.0e39]>}

// -----

// expected-error @+1 {{codebook levels must be strictly ascending (level 2)}}
func.func private @f() attributes {a = #lowbit.codebook<[0.0, 1.0, 1.0]>}

// -----

// expected-error @+1 {{linspace needs 2 to 256 levels}}
func.func private @f() attributes {a = #lowbit.codebook<linspace(-1.0, 1.0, 1)>}

// -----

// A hexadecimal literal is an f32 bit pattern: this one is a NaN.
// expected-error @+1 {{codebook values must be finite, got NaN}}
func.func private @f() attributes {a = #lowbit.codebook<linspace(0x7FC00000, 1.0, 11)>}

// -----

// expected-error @+1 {{codebook values must be finite, got infinity}}
func.func private @f() attributes {a = #lowbit.codebook<linspace(-1.0, 0x7F800000, 11)>}

// -----

// expected-error @+1 {{codebook values must be finite, got NaN}}
func.func private @f() attributes {a = #lowbit.codebook<[-1.0, 0xFFC00000, 1.0]>}

//===----------------------------------------------------------------------===//
// #lowbit.scheme
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{expected a code type such as i4 or u4}}
func.func private @f() attributes {a = #lowbit.scheme<s4, symmetric, per_tensor>}

// -----

// expected-error @+1 {{unknown parameter form 'asymmetric'}}
func.func private @f() attributes {a = #lowbit.scheme<i4, asymmetric, per_tensor>}

// -----

// expected-error @+1 {{unknown granularity 'per_row'}}
func.func private @f() attributes {a = #lowbit.scheme<i4, symmetric, per_row>}

// -----

// expected-error @+1 {{unknown scheme option 'wide' (expected narrow, rounding or codebook)}}
func.func private @f() attributes {a = #lowbit.scheme<i4, symmetric, per_tensor, wide>}

// -----

// expected-error @+1 {{unknown rounding mode 'stochastic'}}
func.func private @f() attributes {a = #lowbit.scheme<i4, symmetric, per_tensor, rounding = stochastic>}

// -----

// expected-error @+1 {{scheme bit width must be in [2, 8], got 9}}
func.func private @f() attributes {a = #lowbit.scheme<i9, symmetric, per_tensor>}

// -----

// expected-error @+1 {{scheme axis must be non-negative, got -1}}
func.func private @f() attributes {a = #lowbit.scheme<i4, symmetric, per_channel(axis = -1)>}

// -----

// expected-error @+1 {{per_group size must be positive, got 0}}
func.func private @f() attributes {a = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 0)>}

// -----

// expected-error @+1 {{narrow range needs signed symmetric codes without a codebook}}
func.func private @f() attributes {a = #lowbit.scheme<u8, affine, per_tensor, narrow>}

// -----

// expected-error @+1 {{codebook codes are indices and must be unsigned (use u4)}}
func.func private @f() attributes {a = #lowbit.scheme<i4, symmetric, per_tensor, codebook = <[0.0, 1.0]>>}

// -----

// expected-error @+1 {{codebook schemes must be symmetric or min_scale}}
func.func private @f() attributes {a = #lowbit.scheme<u4, affine, per_tensor, codebook = <[0.0, 1.0]>>}

// -----

// expected-error @+1 {{codebook has 11 levels but 3 bits hold only 8}}
func.func private @f() attributes {a = #lowbit.scheme<u3, min_scale, per_tensor, codebook = <linspace(-1.0, 1.0, 11)>>}

// -----

// expected-error @+1 {{codebook must have 2 to 256 levels, got 1}}
func.func private @f() attributes {a = #lowbit.codebook<[0.5]>}

// -----

// expected-error @+1 {{symmetric schemes need signed codes or a codebook}}
func.func private @f() attributes {a = #lowbit.scheme<u4, symmetric, per_tensor>}

//===----------------------------------------------------------------------===//
// #lowbit.layout
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{unknown layout 'int5'}}
func.func private @f() attributes {a = #lowbit.layout<int5>}

// -----

// expected-error @+1 {{invalid layout: radix must be in [2, 256], got 1}}
func.func private @f() attributes {a = #lowbit.layout<radix(1)>}

// -----

// expected-error @+1 {{invalid layout: int4_interleaved needs a positive even block, got 3}}
func.func private @f() attributes {a = #lowbit.layout<int4_interleaved, block = 3>}

// -----

// expected-error @+1 {{invalid layout: block must be >= 0, got -2}}
func.func private @f() attributes {a = #lowbit.layout<int4, block = -2>}

// -----

// expected-error @+1 {{invalid layout: int4_panel needs a block that is a multiple of 8, got 12}}
func.func private @f() attributes {a = #lowbit.layout<int4_panel, block = 12>}

// -----

// expected-error @+1 {{invalid layout: int2_planes needs a block that is a multiple of 16, got 8}}
func.func private @f() attributes {a = #lowbit.layout<int2_planes, block = 8>}

// -----

// expected-error @+1 {{invalid layout: int8_panel needs a block that is a multiple of 4, got 6}}
func.func private @f() attributes {a = #lowbit.layout<int8_panel, block = 6>}

// -----

// expected-error @+1 {{invalid layout: int2_panel needs a block that is a multiple of 16, got 8}}
func.func private @f() attributes {a = #lowbit.layout<int2_panel, block = 8>}

// -----

// expected-error @+1 {{invalid layout: int3_panel needs a block that is a multiple of 32, got 48}}
func.func private @f() attributes {a = #lowbit.layout<int3_panel, block = 48>}

// -----

// expected-error @+1 {{invalid layout: radix_panel needs a positive block that is a multiple of 4, got 130}}
func.func private @f() attributes {a = #lowbit.layout<radix_panel(11), block = 130>}

// -----

// expected-error @+1 {{invalid layout: radix_fields needs radix in [2, 11], got 12}}
func.func private @f() attributes {a = #lowbit.layout<radix_fields(12)>}

// -----

// expected-error @+1 {{invalid layout: radix_panel needs radix 10 or 11, got 3}}
func.func private @f() attributes {a = #lowbit.layout<radix_panel(3), block = 128>}

// -----

func.func @f(%c: tensor<17x200xi8>) -> tensor<2x960xi8> {
  // expected-error @+1 {{'lowbit.pack' op packed storage must have shape 2x1920 for 17x200 codes under #lowbit.layout<radix_panel(11), block = 128>, got 2x960}}
  %p = lowbit.pack %c {layout = #lowbit.layout<radix_panel(11), block = 128>} : tensor<17x200xi8> -> tensor<2x960xi8>
  return %p : tensor<2x960xi8>
}

// -----

func.func @f(%c: tensor<17x40xi8>) -> tensor<2x256xi8> {
  // expected-error @+1 {{'lowbit.pack' op packed storage must have shape 2x384 for 17x40 codes under #lowbit.layout<int3_panel, block = 32>, got 2x256}}
  %p = lowbit.pack %c {layout = #lowbit.layout<int3_panel, block = 32>} : tensor<17x40xi8> -> tensor<2x256xi8>
  return %p : tensor<2x256xi8>
}

//===----------------------------------------------------------------------===//
// lowbit.stats
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{'lowbit.stats' op has 2 minimums but 1 maximums}}
  %0 = lowbit.stats %x {min = array<f32: 0.0, 1.0>, max = array<f32: 1.0>} : tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @f(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{'lowbit.stats' op axis 2 is out of range for a rank-2 tensor}}
  %0 = lowbit.stats %x {axis = 2, min = array<f32: 0.0>, max = array<f32: 1.0>} : tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @f(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{'lowbit.stats' op needs 4 per-channel statistics along axis 0, got 2}}
  %0 = lowbit.stats %x {axis = 0, min = array<f32: 0.0, 0.0>, max = array<f32: 1.0, 1.0>} : tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @f(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{'lowbit.stats' op needs one per-tensor minimum and maximum (or an axis), got 2}}
  %0 = lowbit.stats %x {min = array<f32: 0.0, 0.0>, max = array<f32: 1.0, 1.0>} : tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'lowbit.stats' op statistic 0 is NaN}}
  %0 = lowbit.stats %x {min = array<f32: 0x7FC00000>, max = array<f32: 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'lowbit.stats' op statistic 0 is infinite}}
  %0 = lowbit.stats %x {min = array<f32: -1.0>, max = array<f32: 0x7F800000>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'lowbit.stats' op minimum 2.000000e+00 exceeds maximum 1.000000e+00 at 0}}
  %0 = lowbit.stats %x {min = array<f32: 2.0>, max = array<f32: 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'lowbit.stats' op has a histogram range but no histogram}}
  %0 = lowbit.stats %x {min = array<f32: 0.0>, max = array<f32: 1.0>, histogram_range = array<f32: 0.0, 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'lowbit.stats' op histograms are per-tensor only}}
  %0 = lowbit.stats %x {axis = 0, min = array<f32: 0.0, 0.0>, max = array<f32: 1.0, 1.0>, histogram = array<i64: 1>, histogram_range = array<f32: 0.0, 1.0>} : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'lowbit.stats' op histogram needs at least one bin}}
  %0 = lowbit.stats %x {min = array<f32: 0.0>, max = array<f32: 1.0>, histogram = array<i64>, histogram_range = array<f32: 0.0, 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'lowbit.stats' op histogram counts must be non-negative}}
  %0 = lowbit.stats %x {min = array<f32: 0.0>, max = array<f32: 1.0>, histogram = array<i64: 1, -1>, histogram_range = array<f32: 0.0, 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'lowbit.stats' op histogram needs histogram_range = [lo, hi]}}
  %0 = lowbit.stats %x {min = array<f32: 0.0>, max = array<f32: 1.0>, histogram = array<i64: 1, 2>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'lowbit.stats' op histogram range must be finite with lo < hi}}
  %0 = lowbit.stats %x {min = array<f32: 0.0>, max = array<f32: 1.0>, histogram = array<i64: 1, 2>, histogram_range = array<f32: 1.0, 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// lowbit.quantize / lowbit.dequantize
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<4x8xf32>, %s: tensor<f32>) -> tensor<4x4xi8> {
  // expected-error @+1 {{'lowbit.quantize' op result shape must match the input shape}}
  %q = lowbit.quantize %x scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<4x8xf32> -> tensor<4x4xi8>
  return %q : tensor<4x4xi8>
}

// -----

func.func @f(%q: tensor<4x8xi8>, %s: tensor<f32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'lowbit.dequantize' op result shape must match the input shape}}
  %x = lowbit.dequantize %q scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<4x8xi8> -> tensor<4x4xf32>
  return %x : tensor<4x4xf32>
}

// -----

func.func @f(%x: tensor<4x8xf32>, %s: tensor<f32>) -> tensor<4x8xi2> {
  // expected-error @+1 {{'lowbit.quantize' op code type 'i2' is narrower than the 4-bit scheme}}
  %q = lowbit.quantize %x scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>} : tensor<4x8xf32> -> tensor<4x8xi2>
  return %q : tensor<4x8xi2>
}

// -----

func.func @f(%q: tensor<4x8xi4>, %s: tensor<f32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'lowbit.dequantize' op code type 'i4' is narrower than the 8-bit scheme}}
  %x = lowbit.dequantize %q scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<4x8xi4> -> tensor<4x8xf32>
  return %x : tensor<4x8xf32>
}

// -----

func.func @f(%x: tensor<4x8xf32>, %s: tensor<4xf32>) -> tensor<4x8xi8> {
  // expected-error @+1 {{'lowbit.quantize' op scheme axis 2 is out of range for a rank-2 tensor}}
  %q = lowbit.quantize %x scales(%s : tensor<4xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 2)>} : tensor<4x8xf32> -> tensor<4x8xi8>
  return %q : tensor<4x8xi8>
}

// -----

func.func @f(%x: tensor<4x8xf32>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<4x8xi8> {
  // expected-error @+1 {{'lowbit.quantize' op symmetric schemes take no zero points}}
  %q = lowbit.quantize %x scales(%s : tensor<f32>) zero_points(%z : tensor<i8>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<4x8xf32> -> tensor<4x8xi8>
  return %q : tensor<4x8xi8>
}

// -----

func.func @f(%x: tensor<4x8xf32>, %s: tensor<f32>, %m: tensor<f32>) -> tensor<4x8xi8> {
  // expected-error @+1 {{'lowbit.quantize' op only min_scale schemes take mins}}
  %q = lowbit.quantize %x scales(%s : tensor<f32>) mins(%m : tensor<f32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<4x8xf32> -> tensor<4x8xi8>
  return %q : tensor<4x8xi8>
}

// -----

func.func @f(%x: tensor<4x8xf32>, %s: tensor<f32>) -> tensor<4x8xi8> {
  // expected-error @+1 {{'lowbit.quantize' op affine schemes need zero points}}
  %q = lowbit.quantize %x scales(%s : tensor<f32>) {scheme = #lowbit.scheme<u8, affine, per_tensor>} : tensor<4x8xf32> -> tensor<4x8xi8>
  return %q : tensor<4x8xi8>
}

// -----

func.func @f(%x: tensor<4x8xf32>, %s: tensor<f32>, %z: tensor<i8>, %m: tensor<f32>) -> tensor<4x8xi8> {
  // expected-error @+1 {{'lowbit.quantize' op only min_scale schemes take mins}}
  %q = lowbit.quantize %x scales(%s : tensor<f32>) zero_points(%z : tensor<i8>) mins(%m : tensor<f32>) {scheme = #lowbit.scheme<u8, affine, per_tensor>} : tensor<4x8xf32> -> tensor<4x8xi8>
  return %q : tensor<4x8xi8>
}

// -----

func.func @f(%x: tensor<4x8xf32>, %s: tensor<f32>) -> tensor<4x8xi8> {
  // expected-error @+1 {{'lowbit.quantize' op min_scale schemes need mins}}
  %q = lowbit.quantize %x scales(%s : tensor<f32>) {scheme = #lowbit.scheme<u4, min_scale, per_tensor>} : tensor<4x8xf32> -> tensor<4x8xi8>
  return %q : tensor<4x8xi8>
}

// -----

func.func @f(%x: tensor<4x8xf32>, %s: tensor<f32>, %z: tensor<i8>, %m: tensor<f32>) -> tensor<4x8xi8> {
  // expected-error @+1 {{'lowbit.quantize' op only affine schemes take zero points}}
  %q = lowbit.quantize %x scales(%s : tensor<f32>) zero_points(%z : tensor<i8>) mins(%m : tensor<f32>) {scheme = #lowbit.scheme<u4, min_scale, per_tensor>} : tensor<4x8xf32> -> tensor<4x8xi8>
  return %q : tensor<4x8xi8>
}

// -----

func.func @f(%x: tensor<64x128xf32>, %s: tensor<64x2xf32>) -> tensor<64x128xi8> {
  // expected-error @+1 {{'lowbit.quantize' op scales must have shape 64x4 for this granularity on a 64x128 tensor, got 64x2}}
  %q = lowbit.quantize %x scales(%s : tensor<64x2xf32>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>} : tensor<64x128xf32> -> tensor<64x128xi8>
  return %q : tensor<64x128xi8>
}

// -----

func.func @f(%x: tensor<6x5xf32>, %s: tensor<5xf32>) -> tensor<6x5xi8> {
  // expected-error @+1 {{'lowbit.quantize' op scales must have shape 6 for this granularity on a 6x5 tensor, got 5}}
  %q = lowbit.quantize %x scales(%s : tensor<5xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>} : tensor<6x5xf32> -> tensor<6x5xi8>
  return %q : tensor<6x5xi8>
}

// -----

func.func @f(%x: tensor<6x5xf32>, %s: tensor<1xf32>) -> tensor<6x5xi8> {
  // expected-error @+1 {{'lowbit.quantize' op scales must have shape scalar for this granularity on a 6x5 tensor, got 1}}
  %q = lowbit.quantize %x scales(%s : tensor<1xf32>) {scheme = #lowbit.scheme<i8, symmetric, per_tensor>} : tensor<6x5xf32> -> tensor<6x5xi8>
  return %q : tensor<6x5xi8>
}

// -----

func.func @f(%q: tensor<6x5xi8>, %s: tensor<6xf32>, %z: tensor<5xi8>) -> tensor<6x5xf32> {
  // expected-error @+1 {{'lowbit.dequantize' op zero points must have shape 6, got 5}}
  %x = lowbit.dequantize %q scales(%s : tensor<6xf32>) zero_points(%z : tensor<5xi8>) {scheme = #lowbit.scheme<u8, affine, per_channel(axis = 0)>} : tensor<6x5xi8> -> tensor<6x5xf32>
  return %x : tensor<6x5xf32>
}

// -----

func.func @f(%q: tensor<6x5xi8>, %s: tensor<6xf32>, %m: tensor<6x1xf32>) -> tensor<6x5xf32> {
  // expected-error @+1 {{'lowbit.dequantize' op mins must have shape 6, got 6x1}}
  %x = lowbit.dequantize %q scales(%s : tensor<6xf32>) mins(%m : tensor<6x1xf32>) {scheme = #lowbit.scheme<u4, min_scale, per_channel(axis = 0)>} : tensor<6x5xi8> -> tensor<6x5xf32>
  return %x : tensor<6x5xf32>
}

//===----------------------------------------------------------------------===//
// lowbit.requantize
//===----------------------------------------------------------------------===//

// -----

func.func @f(%a: tensor<4xi32>) -> tensor<4xi8> {
  // expected-error @+1 {{'lowbit.requantize' op has 2 multipliers but 1 shifts}}
  %0 = lowbit.requantize %a {multiplier = array<i32: 1, 2>, shift = array<i32: 3>} : tensor<4xi32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @f(%a: tensor<4xi32>) -> tensor<4xi8> {
  // expected-error @+1 {{'lowbit.requantize' op axis 1 is out of range for a rank-1 tensor}}
  %0 = lowbit.requantize %a {axis = 1, multiplier = array<i32: 1>, shift = array<i32: 3>} : tensor<4xi32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @f(%a: tensor<3x4xi32>) -> tensor<3x4xi8> {
  // expected-error @+1 {{'lowbit.requantize' op needs 4 multipliers along axis 1, got 2}}
  %0 = lowbit.requantize %a {axis = 1, multiplier = array<i32: 1, 2>, shift = array<i32: 3, 3>} : tensor<3x4xi32> -> tensor<3x4xi8>
  return %0 : tensor<3x4xi8>
}

// -----

func.func @f(%a: tensor<4xi32>) -> tensor<4xi8> {
  // expected-error @+1 {{'lowbit.requantize' op needs one multiplier and shift (or an axis), got 2}}
  %0 = lowbit.requantize %a {multiplier = array<i32: 1, 2>, shift = array<i32: 3, 3>} : tensor<4xi32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @f(%a: tensor<4xi32>) -> tensor<4xi8> {
  // expected-error @+1 {{'lowbit.requantize' op multiplier 0 must be non-negative}}
  %0 = lowbit.requantize %a {multiplier = array<i32: -5>, shift = array<i32: 3>} : tensor<4xi32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @f(%a: tensor<4xi32>) -> tensor<4xi8> {
  // expected-error @+1 {{'lowbit.requantize' op shift 0 must be in [1, 62], got 0}}
  %0 = lowbit.requantize %a {multiplier = array<i32: 5>, shift = array<i32: 0>} : tensor<4xi32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @f(%a: tensor<4xi32>) -> tensor<4xi64> {
  // expected-error @+1 {{'lowbit.requantize' op result element type must be 2 to 32 bits wide}}
  %0 = lowbit.requantize %a {multiplier = array<i32: 5>, shift = array<i32: 3>} : tensor<4xi32> -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @f(%a: tensor<4xi32>) -> tensor<4xi8> {
  // expected-error @+1 {{'lowbit.requantize' op clamp range [0, 200] must be ordered and fit the result type's [-128, 127]}}
  %0 = lowbit.requantize %a {multiplier = array<i32: 5>, shift = array<i32: 3>, clamp_min = 0 : i32, clamp_max = 200 : i32} : tensor<4xi32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @f(%a: tensor<4xi32>) -> tensor<4xi8> {
  // expected-error @+1 {{'lowbit.requantize' op output zero point 200 does not fit the result type}}
  %0 = lowbit.requantize %a {multiplier = array<i32: 5>, shift = array<i32: 3>, output_zero_point = 200 : i32} : tensor<4xi32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

//===----------------------------------------------------------------------===//
// lowbit.pack / lowbit.unpack
//===----------------------------------------------------------------------===//

// -----

func.func @f(%c: tensor<4x9xi8>) -> tensor<4x1xi32> {
  // expected-error @+1 {{'lowbit.pack' op radix layouts hold unsigned digits; drop signed_codes}}
  %p = lowbit.pack %c {layout = #lowbit.layout<radix(11)>, signed_codes} : tensor<4x9xi8> -> tensor<4x1xi32>
  return %p : tensor<4x1xi32>
}

// -----

func.func @f(%c: tensor<4x9xi8>) -> tensor<4x1xi32> {
  // expected-error @+1 {{'lowbit.pack' op radix layouts hold unsigned digits; drop signed_codes}}
  %p = lowbit.pack %c {layout = #lowbit.layout<radix_fields(11)>, signed_codes} : tensor<4x9xi8> -> tensor<4x1xi32>
  return %p : tensor<4x1xi32>
}

// -----

func.func @f(%c: tensor<4x8xi2>) -> tensor<4x4xi8> {
  // expected-error @+1 {{'lowbit.pack' op code type 'i2' is narrower than the 4-bit codes of #lowbit.layout<int4>}}
  %p = lowbit.pack %c {layout = #lowbit.layout<int4>} : tensor<4x8xi2> -> tensor<4x4xi8>
  return %p : tensor<4x4xi8>
}

// -----

func.func @f(%c: tensor<4x10xi8>) -> tensor<4x1xi8> {
  // expected-error @+1 {{'lowbit.pack' op packed storage of layout #lowbit.layout<int3> must be i32, got 'i8'}}
  %p = lowbit.pack %c {layout = #lowbit.layout<int3>} : tensor<4x10xi8> -> tensor<4x1xi8>
  return %p : tensor<4x1xi8>
}

// -----

func.func @f(%c: tensor<4x8xi8>) -> tensor<16xi8> {
  // expected-error @+1 {{'lowbit.pack' op codes and packed storage must have the same non-zero rank}}
  %p = lowbit.pack %c {layout = #lowbit.layout<int4>} : tensor<4x8xi8> -> tensor<16xi8>
  return %p : tensor<16xi8>
}

// -----

func.func @f(%c: tensor<64x128xi8>) -> tensor<64x32xi8> {
  // expected-error @+1 {{'lowbit.pack' op packed storage must have shape 64x64 for 64x128 codes under #lowbit.layout<int4>, got 64x32}}
  %p = lowbit.pack %c {layout = #lowbit.layout<int4>} : tensor<64x128xi8> -> tensor<64x32xi8>
  return %p : tensor<64x32xi8>
}

// -----

func.func @f(%p: tensor<64x15xi32>) -> tensor<64x100xi8> {
  // expected-error @+1 {{'lowbit.unpack' op packed storage must have shape 64x12 for 64x100 codes under #lowbit.layout<radix(11)>, got 64x15}}
  %c = lowbit.unpack %p {layout = #lowbit.layout<radix(11)>} : tensor<64x15xi32> -> tensor<64x100xi8>
  return %c : tensor<64x100xi8>
}

//===----------------------------------------------------------------------===//
// lowbit.packed_weight
//===----------------------------------------------------------------------===//

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op shape must be a static [N, K] with N, K > 0}}
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<4x8xi8>, scales = dense<1.0> : tensor<f32>, shape = array<i64: 4, 16, 1>, scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<f32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op weights must be quantized per tensor, per output channel (axis 0) or per group along the reduction (axis 1)}}
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<4x8xi8>, scales = dense<1.0> : tensor<16xf32>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<i4, symmetric, per_channel(axis = 1)>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<16xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op result #0 must be ranked tensor of signless integer values, but got 'tensor<4x8xf32>'}}
  %w:2 = lowbit.packed_weight {data = dense<0.0> : tensor<4x8xf32>, scales = dense<1.0> : tensor<f32>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<4x8xf32>, tensor<f32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op radix layouts hold unsigned digits; the scheme's codes are signed}}
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<4x2xi32>, scales = dense<1.0> : tensor<f32>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<i3, symmetric, per_tensor>, layout = #lowbit.layout<radix(11)>} : tensor<4x2xi32>, tensor<f32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op radix layouts hold unsigned digits; the scheme's codes are signed}}
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<4x2xi32>, scales = dense<1.0> : tensor<f32>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<i3, symmetric, per_tensor>, layout = #lowbit.layout<radix_fields(11)>} : tensor<4x2xi32>, tensor<f32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op layout #lowbit.layout<int2> holds 4 code values but the scheme needs 16}}
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<4x4xi8>, scales = dense<1.0> : tensor<f32>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int2>} : tensor<4x4xi8>, tensor<f32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op result #1 must be ranked tensor of floating-point or 8-bit signless integer values, but got 'tensor<i32>'}}
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<4x8xi8>, scales = dense<1> : tensor<i32>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<i32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op zero points must have an integer element type}}
  %w:3 = lowbit.packed_weight {data = dense<0> : tensor<4x8xi8>, scales = dense<1.0> : tensor<f32>, zero_points = dense<1.0> : tensor<f32>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<u4, affine, per_tensor>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<f32>, tensor<f32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op mins must have a float element type}}
  %w:3 = lowbit.packed_weight {data = dense<0> : tensor<4x8xi8>, scales = dense<1.0> : tensor<f32>, mins = dense<1> : tensor<i8>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<u4, min_scale, per_tensor>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<f32>, tensor<i8>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op scale 0 is nan: scales must be positive and finite}}
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<4x8xi8>, scales = dense<0x7FC00000> : tensor<4xf32>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<i4, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<4xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op scale 2 is inf: scales must be positive and finite}}
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<4x8xi8>, scales = dense<[1.0, 2.0, 0x7F800000, 1.0]> : tensor<4xf32>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<i4, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<4xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op scale 0 is 0: scales must be positive and finite}}
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<4x8xi8>, scales = dense<0.0> : tensor<f16>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<f16>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op scale 1 is -0.5: scales must be positive and finite}}
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<4x8xi8>, scales = dense<[[1.0], [-0.5], [1.0], [1.0]]> : tensor<4x1xf16>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<4x1xf16>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op min 0 is nan: mins must be finite}}
  %w:3 = lowbit.packed_weight {data = dense<0> : tensor<4x8xi8>, scales = dense<1.0> : tensor<f32>, mins = dense<0x7FC00000> : tensor<f32>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<u4, min_scale, per_tensor>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<f32>, tensor<f32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op zero point 0 is 100, outside the code range [0, 15] of the scheme}}
  %w:3 = lowbit.packed_weight {data = dense<0> : tensor<4x8xi8>, scales = dense<1.0> : tensor<f32>, zero_points = dense<100> : tensor<i8>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<u4, affine, per_tensor>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<f32>, tensor<i8>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op zero point 3 is 2147483648, outside the code range [0, 15] of the scheme}}
  %w:3 = lowbit.packed_weight {data = dense<0> : tensor<4x8xi8>, scales = dense<1.0> : tensor<4xf32>, zero_points = dense<[0, 8, 15, 2147483648]> : tensor<4xi32>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<u4, affine, per_channel(axis = 0)>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<4xf32>, tensor<4xi32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'lowbit.packed_weight' op zero point 0 is -9, outside the code range [-8, 7] of the scheme}}
  %w:3 = lowbit.packed_weight {data = dense<0> : tensor<4x8xi8>, scales = dense<1.0> : tensor<f32>, zero_points = dense<-9> : tensor<i8>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<i4, affine, per_tensor>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<f32>, tensor<i8>
  return
}

//===----------------------------------------------------------------------===//
// lowbit.matmul
//===----------------------------------------------------------------------===//

// -----

func.func @f(%x: tensor<2x3x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.matmul' op expects a rank-2 input [M, K] and rank-2 packed weights [N, units]}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x3x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>) -> tensor<2x4xf16> {
  // expected-error @+1 {{'lowbit.matmul' op result element type must match the input's}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'lowbit.matmul' op result must have shape 2x4, got 2x5}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>, %b: tensor<5xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.matmul' op bias must have shape 4, got 5}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) bias(%b : tensor<5xf32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>, %b: tensor<4xf16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.matmul' op bias element type must match the input's}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) bias(%b : tensor<4xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x17xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.matmul' op packed storage must have shape 4x9 for 4x17 codes under #lowbit.layout<int4>, got 4x8}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x17xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>, %m: tensor<f32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.matmul' op dynamic int8 activations need signed symmetric weights without a codebook}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) mins(%m : tensor<f32>) {scheme = #lowbit.scheme<u4, min_scale, per_tensor>, layout = #lowbit.layout<int4>, dynamic_int8_activations} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x16xi8>, %s: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.matmul' op activation_type must be bf16, got 'f16'}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<4xf32>) {activation_type = f16, scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<2x16xf32>, tensor<4x16xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x16xf16>, %p: tensor<4x16xi8>, %s: tensor<4xf32>) -> tensor<2x4xf16> {
  // expected-error @+1 {{'lowbit.matmul' op activation_type = bf16 needs f32 activations}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<4xf32>) {activation_type = bf16, scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<2x16xf16>, tensor<4x16xi8> -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x16xi8>, %s: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.matmul' op activation_type = bf16 and dynamic_int8_activations exclude each other}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<4xf32>) {activation_type = bf16, dynamic_int8_activations, scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<2x16xf32>, tensor<4x16xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x16xi8>, %s: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.matmul' op attribute 'activation_type' failed to satisfy constraint: any type attribute}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<4xf32>) {activation_type = 16 : i32, scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>, layout = #lowbit.layout<int8>} : tensor<2x16xf32>, tensor<4x16xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>, %r: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.matmul' op epilogue input 0 must have shape 2x4 or 4, got 3x4}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) epilogue_inputs(%r : tensor<3x4xf32>) epilogue {
  ^bb0(%v: f32, %e: f32):
    lowbit.yield %v : f32
  } {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>, %r: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.matmul' op has epilogue inputs but no epilogue}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) epilogue_inputs(%r : tensor<2x4xf32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>, %r: tensor<4xf16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.matmul' op epilogue must take the output value and one element per epilogue input: ('f32', 'f16'), got ('f32', 'f32')}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) epilogue_inputs(%r : tensor<4xf16>) epilogue {
  ^bb0(%v: f32, %e: f32):
    lowbit.yield %v : f32
  } {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.matmul' op epilogue must take the output value and one element per epilogue input: ('f32'), got ()}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) epilogue {
    %c = arith.constant 1.0 : f32
    lowbit.yield %c : f32
  } {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>) -> tensor<2x4xf32> {
  // The epilogue must be free of side effects.
  // expected-error @+1 {{'lowbit.matmul' op epilogue may hold only arith and math ops, got 'vector.print'}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) epilogue {
  ^bb0(%v: f32):
    vector.print %v : f32
    lowbit.yield %v : f32
  } {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>) -> tensor<2x4xf32> {
  // Elementwise on scalars only.
  // expected-error @+1 {{'lowbit.matmul' op epilogue ops must take and give integer or float scalars, got 'arith.constant'}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) epilogue {
  ^bb0(%v: f32):
    %c = arith.constant dense<1.0> : vector<4xf32>
    lowbit.yield %v : f32
  } {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.matmul' op epilogue must yield the result element type 'f32', got 'f16'}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) epilogue {
  ^bb0(%v: f32):
    %h = arith.truncf %v : f32 to f16
    lowbit.yield %h : f16
  } {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x16xf32>, %p: tensor<4x8xi8>, %s: tensor<f32>, %c: f32) -> tensor<2x4xf32> {
  // Values from outside are not visible: constants are defined inside.
  // expected-note @+1 {{required by region isolation constraints}}
  %y = lowbit.matmul %x, %p scales(%s : tensor<f32>) epilogue {
  ^bb0(%v: f32):
    // expected-error @+1 {{'arith.addf' op using value defined outside the region}}
    %a = arith.addf %v, %c : f32
    lowbit.yield %a : f32
  } {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<2x16xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @f(%v: f32) {
  // expected-error @+1 {{'lowbit.yield' op expects parent op 'lowbit.matmul'}}
  lowbit.yield %v : f32
}

// -----

func.func @f(%acc: vector<4xi32>, %a: vector<8xi8>) -> vector<4xi32> {
  // expected-error @+1 {{'lowbit.dot_i8' op needs 4 bytes per i32 lane: 4 lanes but 8 bytes}}
  %r = lowbit.dot_i8 %acc, %a, %a : vector<4xi32>, vector<8xi8>
  return %r : vector<4xi32>
}

// -----

func.func @f(%t: vector<8xi8>) -> vector<8xi8> {
  // expected-error @+1 {{'lowbit.lookup_bytes' op needs whole 16-byte lanes, got 8 bytes}}
  %r = lowbit.lookup_bytes %t, %t : vector<8xi8>
  return %r : vector<8xi8>
}

// -----

func.func @f(%t: vector<16xi8>, %i: vector<32xi8>) -> vector<32xi8> {
  // expected-error @+1 {{'lowbit.lookup_bytes' op needs a table of the indices' type (16-byte lanes) or of 128 bytes, got 16 bytes}}
  %r = lowbit.lookup_bytes %t, %i : vector<16xi8>, vector<32xi8>
  return %r : vector<32xi8>
}

// -----

func.func @f(%t: vector<128xi8>, %i: vector<64xi8>) -> vector<128xi8> {
  // expected-error @+1 {{'lowbit.lookup_bytes' op failed to verify that all of {indices, result} have same type}}
  %r = "lowbit.lookup_bytes"(%t, %i) : (vector<128xi8>, vector<64xi8>) -> vector<128xi8>
  return %r : vector<128xi8>
}

// -----

func.func @f(%acc: vector<4xf32>, %x: vector<16xbf16>) -> vector<4xf32> {
  // expected-error @+1 {{'lowbit.dot_bf16' op needs 2 bf16 values per f32 lane: 4 lanes but 16 values}}
  %r = lowbit.dot_bf16 %acc, %x, %x : vector<4xf32>, vector<16xbf16>
  return %r : vector<4xf32>
}

// -----

func.func @f(%acc: vector<4xf32>, %x: vector<8xbf16>, %w: vector<8xf16>) -> vector<4xf32> {
  // expected-error @+1 {{'lowbit.dot_bf16' op operand #2 must be vector of bfloat16 type values of ranks 1, but got 'vector<8xf16>'}}
  %r = "lowbit.dot_bf16"(%acc, %x, %w) : (vector<4xf32>, vector<8xbf16>, vector<8xf16>) -> vector<4xf32>
  return %r : vector<4xf32>
}

// -----

func.func @f(%acc: vector<6xf32>, %x: vector<12xbf16>) -> vector<6xf32> {
  // expected-error @+1 {{'lowbit.mmla_bf16' op needs whole 2x2 tiles: 6 lanes is not a multiple of 4}}
  %r = lowbit.mmla_bf16 %acc, %x, %x : vector<6xf32>, vector<12xbf16>
  return %r : vector<6xf32>
}

// -----

func.func @f(%acc: vector<4xf32>, %x: vector<16xbf16>) -> vector<4xf32> {
  // expected-error @+1 {{'lowbit.mmla_bf16' op needs 2x4 bf16 values of each operand per 2x2 tile: 4 lanes but 16 values}}
  %r = lowbit.mmla_bf16 %acc, %x, %x : vector<4xf32>, vector<16xbf16>
  return %r : vector<4xf32>
}

// -----

func.func @f(%acc: vector<4xf32>, %x: vector<8xbf16>, %w: vector<4xbf16>) -> vector<4xf32> {
  // expected-error @+1 {{'lowbit.mmla_bf16' op failed to verify that all of {lhs, rhs} have same type}}
  %r = "lowbit.mmla_bf16"(%acc, %x, %w) : (vector<4xf32>, vector<8xbf16>, vector<4xbf16>) -> vector<4xf32>
  return %r : vector<4xf32>
}

// -----

func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'lowbit.observe' op axis 2 is out of range for a rank-2 tensor}}
  %0 = lowbit.observe %x {id = 0 : i64, axis = 2 : i64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'lowbit.observe' op id must be non-negative, got -1}}
  %0 = lowbit.observe %x {id = -1 : i64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @f(%x: tensor<1x8xi8>, %w: tensor<2x9xi8>) -> tensor<1x2xi32> {
  // expected-error @+1 {{'lowbit.integer_matmul' op weights must have shape 2x8, got 2x9}}
  %0 = lowbit.integer_matmul %x, %w : tensor<1x8xi8>, tensor<2x9xi8> -> tensor<1x2xi32>
  return %0 : tensor<1x2xi32>
}

// -----

func.func @f(%x: tensor<1x8xi8>, %w: tensor<2x8xi8>) -> tensor<1x3xi32> {
  // expected-error @+1 {{'lowbit.integer_matmul' op result must have shape 1x2, got 1x3}}
  %0 = lowbit.integer_matmul %x, %w : tensor<1x8xi8>, tensor<2x8xi8> -> tensor<1x3xi32>
  return %0 : tensor<1x3xi32>
}

// -----

func.func @f(%x: tensor<1x8xi8>, %w: tensor<2x8xi8>, %b: tensor<3xi32>) -> tensor<1x2xi32> {
  // expected-error @+1 {{'lowbit.integer_matmul' op bias must have shape 2, got 3}}
  %0 = lowbit.integer_matmul %x, %w bias(%b : tensor<3xi32>) : tensor<1x8xi8>, tensor<2x8xi8> -> tensor<1x2xi32>
  return %0 : tensor<1x2xi32>
}

// -----

func.func @f(%x: tensor<1x8xi8>, %w: tensor<2x8xi8>) -> tensor<1x2xi32> {
  // expected-error @+1 {{'lowbit.integer_matmul' op input zero point 200 is outside the int8 range [-128, 127]}}
  %0 = lowbit.integer_matmul %x, %w {input_zero_point = 200 : i32} : tensor<1x8xi8>, tensor<2x8xi8> -> tensor<1x2xi32>
  return %0 : tensor<1x2xi32>
}

// -----

func.func @f(%x: tensor<1x15xf32>) -> tensor<1x4xf32> {
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<4x8xi8>, scales = dense<1.0> : tensor<f32>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<f32>
  // 15 codes fill 8 bytes as 16 do: only the weight's shape tells them apart.
  // expected-error @+1 {{'lowbit.matmul' op input has K = 15 but the packed weight is 4x16 ([N, K])}}
  %y = lowbit.matmul %x, %w#0 scales(%w#1 : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<1x15xf32>, tensor<4x8xi8> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

func.func @f(%x: tensor<1x16xf32>) -> tensor<1x4xf32> {
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<4x8xi8>, scales = dense<1.0> : tensor<f32>, shape = array<i64: 4, 16>, scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4>} : tensor<4x8xi8>, tensor<f32>
  // expected-error @+1 {{'lowbit.matmul' op scheme and layout must be the packed weight's (#lowbit.scheme<i4, symmetric, per_tensor>, #lowbit.layout<int4>)}}
  %y = lowbit.matmul %x, %w#0 scales(%w#1 : tensor<f32>) {scheme = #lowbit.scheme<i4, symmetric, per_tensor>, layout = #lowbit.layout<int4_interleaved, block = 16>} : tensor<1x16xf32>, tensor<4x8xi8> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

func.func @f(%c: tensor<16xi8>) -> tensor<64xi8> {
  // expected-error @+1 {{'lowbit.pack' op layout #lowbit.layout<int8_panel> packs [N, K] matrices: codes need rank >= 2}}
  %p = lowbit.pack %c {layout = #lowbit.layout<int8_panel>} : tensor<16xi8> -> tensor<64xi8>
  return %p : tensor<64xi8>
}

// -----

func.func @f(%c: tensor<17x8xi8>) -> tensor<17x128xi8> {
  // expected-error @+1 {{'lowbit.pack' op packed storage must have shape 2x128 for 17x8 codes under #lowbit.layout<int8_panel>, got 17x128}}
  %p = lowbit.pack %c {layout = #lowbit.layout<int8_panel>} : tensor<17x8xi8> -> tensor<17x128xi8>
  return %p : tensor<17x128xi8>
}

// -----

func.func @f(%x: tensor<4x40xf32>) -> tensor<4x40xf32> {
  %w:2 = lowbit.packed_weight {data = dense<0> : tensor<2x512xi8>, scales = dense<0.5> : tensor<20x2xf16>, shape = array<i64: 20, 40>, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_panel, block = 32>} : tensor<2x512xi8>, tensor<20x2xf16>
  // expected-error @+1 {{'lowbit.matmul' op packed storage must have shape 3x512 for 40x40 codes under #lowbit.layout<int4_panel, block = 32>, got 2x512}}
  %y = lowbit.matmul %x, %w#0 scales(%w#1 : tensor<20x2xf16>) {scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int4_panel, block = 32>} : tensor<4x40xf32>, tensor<2x512xi8> -> tensor<4x40xf32>
  return %y : tensor<4x40xf32>
}

// -----

func.func @f(%c: vector<12xi8>) -> vector<12xi8> {
  // expected-error @+1 {{'lowbit.multishift_bytes' op needs whole 64-bit lanes, got 12 bytes}}
  %r = lowbit.multishift_bytes %c, %c : vector<12xi8>
  return %r : vector<12xi8>
}

// -----

func.func @f(%c: vector<64xi8>, %d: vector<32xi8>) -> vector<64xi8> {
  // expected-error @+1 {{'lowbit.multishift_bytes' op failed to verify that all of {controls, data, result} have same type}}
  %r = "lowbit.multishift_bytes"(%c, %d) : (vector<64xi8>, vector<32xi8>) -> vector<64xi8>
  return %r : vector<64xi8>
}

// RUN: lowbit-opt %s -split-input-file -lowbit-import-quant -verify-diagnostics

// Storage ranges other than the full one (or the narrow one of a symmetric
// type) have no lowbit scheme.
func.func @storage_range(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8<-100:100>:f32, 0.5>> {
  // expected-error@+1 {{'quant.qcast' op unsupported storage range [-100, 100] of i8 storage: expected [-128, 127], or [-127, 127] with all zero points 0}}
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i8<-100:100>:f32, 0.5>>
  return %q : tensor<4x!quant.uniform<i8<-100:100>:f32, 0.5>>
}

// -----

// The narrow range is only for symmetric (all zero points 0) types.
func.func @narrow_range_affine(%q: tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5:1>>) -> tensor<4xf32> {
  // expected-error@+1 {{unsupported storage range [-127, 127] of i8 storage}}
  %d = quant.dcast %q : tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5:1>> to tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

func.func @unsigned_storage_range(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<u8<1:255>:f32, 0.5:1>> {
  // expected-error@+1 {{unsupported storage range [1, 255] of u8 storage: expected [0, 255]}}
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<u8<1:255>:f32, 0.5:1>>
  return %q : tensor<4x!quant.uniform<u8<1:255>:f32, 0.5:1>>
}

// -----

// The quant dialect accepts zero points outside the storage range; lowbit
// zero points are codes.
func.func @zero_point_range(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.5:300>> {
  // expected-error@+1 {{'quant.qcast' op zero point 300 is outside the storage range [-128, 127]}}
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:300>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.5:300>>
}

// -----

func.func @bits_too_wide(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i16:f32, 0.5>> {
  // expected-error@+1 {{'quant.qcast' op storage type i16 is not supported: lowbit codes are 2- to 8-bit integers}}
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i16:f32, 0.5>>
  return %q : tensor<4x!quant.uniform<i16:f32, 0.5>>
}

// -----

func.func @bits_too_narrow(%q: tensor<4x!quant.uniform<u1:f32, 0.5>>) -> tensor<4xf32> {
  // expected-error@+1 {{'quant.dcast' op storage type u1 is not supported: lowbit codes are 2- to 8-bit integers}}
  %d = quant.dcast %q : tensor<4x!quant.uniform<u1:f32, 0.5>> to tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

func.func @expressed_f16(%x: tensor<4xf16>) -> tensor<4x!quant.uniform<i8:f16, 0.5>> {
  // expected-error@+1 {{'quant.qcast' op expressed type must be f32, got 'f16'}}
  %q = quant.qcast %x : tensor<4xf16> to tensor<4x!quant.uniform<i8:f16, 0.5>>
  return %q : tensor<4x!quant.uniform<i8:f16, 0.5>>
}

// -----

// Quantized scalars are not imported (lowbit ops work on tensors).
func.func @scalar(%x: f32) -> !quant.uniform<i8:f32, 0.5> {
  // expected-error@+1 {{'quant.qcast' op expected a ranked tensor of quantized values, got '!quant.uniform<i8:f32, 5.000000e-01>'}}
  %q = quant.qcast %x : f32 to !quant.uniform<i8:f32, 0.5>
  return %q : !quant.uniform<i8:f32, 0.5>
}

// -----

func.func @unranked(%q: tensor<*x!quant.uniform<i8:f32, 0.5>>) -> tensor<*xf32> {
  // expected-error@+1 {{'quant.dcast' op expected a ranked tensor of quantized values, got 'tensor<*x!quant.uniform<i8:f32, 5.000000e-01>>'}}
  %d = quant.dcast %q : tensor<*x!quant.uniform<i8:f32, 0.5>> to tensor<*xf32>
  return %d : tensor<*xf32>
}

// -----

// Two blocked dimensions: dimension 0 has no block size, so it is one block
// of 2 rows.
func.func @sub_channel_two_blocked_dims(%x: tensor<2x6xf32>) -> tensor<2x6x!quant.uniform<i8:f32:{1:3}, {{1.0, 2.0}}>> {
  // expected-error@+1 {{'quant.qcast' op unsupported sub-channel block sizes [2, 3] (a dimension without a block size is one block): exactly one dimension may have a block size greater than 1}}
  %q = quant.qcast %x : tensor<2x6xf32> to tensor<2x6x!quant.uniform<i8:f32:{1:3}, {{1.0, 2.0}}>>
  return %q : tensor<2x6x!quant.uniform<i8:f32:{1:3}, {{1.0, 2.0}}>>
}

// -----

func.func @sub_channel_2d_blocks(%q: tensor<4x6x!quant.uniform<i8:f32:{0:2, 1:3}, {{1.0, 2.0}, {3.0, 4.0}}>>) -> tensor<4x6xf32> {
  // expected-error@+1 {{unsupported sub-channel block sizes [2, 3]}}
  %d = quant.dcast %q : tensor<4x6x!quant.uniform<i8:f32:{0:2, 1:3}, {{1.0, 2.0}, {3.0, 4.0}}>> to tensor<4x6xf32>
  return %d : tensor<4x6xf32>
}

// -----

// One parameter per element has no blocked dimension.
func.func @sub_channel_no_blocked_dim(%x: tensor<2x2xf32>) -> tensor<2x2x!quant.uniform<i8:f32:{0:1, 1:1}, {{1.0, 2.0}, {3.0, 4.0}}>> {
  // expected-error@+1 {{unsupported sub-channel block sizes [1, 1]}}
  %q = quant.qcast %x : tensor<2x2xf32> to tensor<2x2x!quant.uniform<i8:f32:{0:1, 1:1}, {{1.0, 2.0}, {3.0, 4.0}}>>
  return %q : tensor<2x2x!quant.uniform<i8:f32:{0:1, 1:1}, {{1.0, 2.0}, {3.0, 4.0}}>>
}

// -----

// A dynamic dimension without a block size is one block of unknown size.
func.func @sub_channel_dynamic(%x: tensor<?x6xf32>) -> tensor<?x6x!quant.uniform<i8:f32:{1:3}, {{1.0, 2.0}}>> {
  // expected-error@+1 {{'quant.qcast' op sub-channel quantization needs a block size for dynamic dimension 0}}
  %q = quant.qcast %x : tensor<?x6xf32> to tensor<?x6x!quant.uniform<i8:f32:{1:3}, {{1.0, 2.0}}>>
  return %q : tensor<?x6x!quant.uniform<i8:f32:{1:3}, {{1.0, 2.0}}>>
}

// -----

func.func @any_type(%x: tensor<4xf32>) {
  // expected-error@+1 {{'quant.qcast' op unsupported quantized type '!quant.any<i8:f32>': expected !quant.uniform (per-tensor, per-axis or sub-channel)}}
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.any<i8:f32>>
  return
}

// -----

// Non-uniform types have no storage form to convert signatures to.
// expected-error@+1 {{'func.func' op unsupported quantized type '!quant.calibrated<f32<-1.000000e+00:1.000000e+00>>'}}
func.func private @calibrated_signature(tensor<4x!quant.calibrated<f32<-1.0:1.0>>>)

// -----

// The conversion never visits blocks without predecessors; their quantized
// arguments are reported rather than left behind.
// expected-error@+1 {{'func.func' op still carries a quantized type after the import (is it in a block without predecessors?)}}
func.func @unreachable_block(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
^bb1(%a: tensor<4x!quant.uniform<i8:f32, 0.5>>):
  return %x : tensor<4xf32>
}

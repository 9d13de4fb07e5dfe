// With require-paired-storage-casts (lowbitc, the lowbit-quantize pipeline),
// a quant.scast whose quantized side meets no quant.qcast / quant.dcast is an
// error: its parameters would never be applied. Paired ones import as usual.
// RUN: lowbit-opt %s -split-input-file -lowbit-import-quant='require-paired-storage-casts=true' -verify-diagnostics | FileCheck %s
// RUN: lowbit-opt %s -split-input-file --pass-pipeline='builtin.module(lowbit-quantize{preset=fp32})' -verify-diagnostics -o /dev/null

!q = !quant.uniform<i8:f32, 0.5:3>
func.func @lone_to_quantized(%x: tensor<8xi8>) -> tensor<8x!q> {
  // expected-error @+1 {{'quant.scast' op reinterprets integer codes as quantized values (or back) without a quant.qcast or quant.dcast: the scale and zero point would never be applied; dequantize the codes with quant.dcast, or quantize floats with quant.qcast}}
  %q = quant.scast %x : tensor<8xi8> to tensor<8x!q>
  return %q : tensor<8x!q>
}

// -----

!q = !quant.uniform<i8:f32, 0.5:3>
func.func @lone_to_storage(%q: tensor<8x!q>) -> tensor<8xi8> {
  // expected-error @+1 {{'quant.scast' op reinterprets integer codes as quantized values (or back) without a quant.qcast or quant.dcast}}
  %s = quant.scast %q : tensor<8x!q> to tensor<8xi8>
  return %s : tensor<8xi8>
}

// -----

// Integer codes in, dequantized: the parameters are applied.
!q = !quant.uniform<i8:f32, 0.5:3>
// CHECK-LABEL: func @codes_in
// CHECK: lowbit.dequantize %{{.*}} scales
func.func @codes_in(%x: tensor<8xi8>) -> tensor<8xf32> {
  %q = quant.scast %x : tensor<8xi8> to tensor<8x!q>
  %d = quant.dcast %q : tensor<8x!q> to tensor<8xf32>
  return %d : tensor<8xf32>
}

// -----

// Floats quantized to integer codes out.
!q = !quant.uniform<i8:f32, 0.5:3>
// CHECK-LABEL: func @codes_out
// CHECK: %[[Q:.*]] = lowbit.quantize
// CHECK: return %[[Q]] : tensor<8xi8>
func.func @codes_out(%x: tensor<8xf32>) -> tensor<8xi8> {
  %q = quant.qcast %x : tensor<8xf32> to tensor<8x!q>
  %s = quant.scast %q : tensor<8x!q> to tensor<8xi8>
  return %s : tensor<8xi8>
}

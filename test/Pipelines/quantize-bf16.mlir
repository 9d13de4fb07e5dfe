// The bf16-activation presets quantize and pack weights as w8 / w4g32 /
// c11g128 do and mark the fused matmuls activation_type = bf16;
// a budget menu (mixed precision) takes weight-only presets only.
// RUN: lowbit-opt %s --pass-pipeline='builtin.module(lowbit-quantize{preset=w8a16})' | FileCheck %s --check-prefix=W8
// RUN: lowbit-opt %s --pass-pipeline='builtin.module(lowbit-quantize{preset=w4a16})' | FileCheck %s --check-prefix=W4
// RUN: lowbit-opt %s --pass-pipeline='builtin.module(lowbit-quantize{preset=c11a16})' | FileCheck %s --check-prefix=C11
// RUN: lowbit-opt %s --pass-pipeline='builtin.module(lowbit-quantize{preset=w4g32})' | FileCheck %s --check-prefix=F32
// RUN: not lowbit-opt %s --pass-pipeline='builtin.module(lowbit-quantize{budget-bits=4 menu=w4a16,w8})' 2>&1 | FileCheck %s --check-prefix=MENU

// W8-LABEL: func @fc
// W8: lowbit.matmul {{.*}}activation_type = bf16, layout = #lowbit.layout<int8>, scheme = #lowbit.scheme<i8, symmetric, per_channel(axis = 0)>
// W4-LABEL: func @fc
// W4: lowbit.matmul {{.*}}activation_type = bf16, layout = #lowbit.layout<int4_interleaved, block = 32>, scheme = #lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>
// C11-LABEL: func @fc
// C11: lowbit.matmul {{.*}}activation_type = bf16, layout = #lowbit.layout<radix(11), block = 128>
// F32-LABEL: func @fc
// F32-NOT: activation_type
// MENU: preset 'w4a16' quantizes activations; the menu takes weight-only presets

func.func @fc(%x: tensor<2x64xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<[[-1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75], [-0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12], [0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50], [0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00, -0.62, -0.25, 0.12, 0.50, 0.88, -0.88, -0.50, -0.12, 0.25, 0.62, 1.00, -0.75, -0.38, 0.00, 0.38, 0.75, -1.00]]> : tensor<4x64xf32>
  %e = tensor.empty() : tensor<64x4xf32>
  %t = linalg.transpose ins(%w : tensor<4x64xf32>) outs(%e : tensor<64x4xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<2x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%o : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%x, %t : tensor<2x64xf32>, tensor<64x4xf32>) outs(%acc : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

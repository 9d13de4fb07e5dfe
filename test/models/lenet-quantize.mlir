// The lowbit-quantize pipeline on the real LeNet-5: every preset turns the
// five weights (two conv filters, three fully-connected matrices) into packed
// constants, and the fully-connected layers into lowbit.matmul. Byte counts of the 120x400 matrix, by hand from the layouts
// (rows of K = 400, N = 120 rows; parameters in f16 except w8's f32):
//   w8      int8:                 400 B/row              -> 48000; scales 120 x 4 B          = 480
//   w4g32   int4, 13 blocks of 32: 13 x 16 B = 208 B/row  -> 24960; scales 120 x 13 x 2 B     = 3120
//   w3g64   int3, 7 blocks of 64:  7 x 7 words = 196 B/row -> 23520; scales 120 x 7 x 2 B     = 1680
//   w2g32   int2, 13 blocks of 32: 13 x 8 B = 104 B/row   -> 12480; scales + mins 2 x 3120   = 6240
//   c11g128 radix 11, 4 blocks of 128: 4 x 15 words = 240 B/row -> 28800; 2 x 120 x 4 x 2 B = 1920
//   c11s128 radix superblock, 400 codes in one tail segment: ceil(400 / 9) = 45 words = 180 B/row -> 21600;
//           per row 4 groups x (scale, min) bytes + 2 fp16 factors = 12 B     -> 1440
// REQUIRES: shared-models
// RUN: lowbit-opt %shared/models/lenet/lenet.mlir --mlir-print-op-on-diagnostic=false --pass-pipeline='builtin.module(lowbit-quantize{preset=w8 report=true})' 2>&1 | FileCheck %s --check-prefixes=CHECK,W8
// RUN: lowbit-opt %shared/models/lenet/lenet.mlir --mlir-print-op-on-diagnostic=false --pass-pipeline='builtin.module(lowbit-quantize{preset=w4g32 report=true})' 2>&1 | FileCheck %s --check-prefixes=CHECK,W4
// RUN: lowbit-opt %shared/models/lenet/lenet.mlir --mlir-print-op-on-diagnostic=false --pass-pipeline='builtin.module(lowbit-quantize{preset=w3g64 report=true})' 2>&1 | FileCheck %s --check-prefixes=CHECK,W3
// RUN: lowbit-opt %shared/models/lenet/lenet.mlir --mlir-print-op-on-diagnostic=false --pass-pipeline='builtin.module(lowbit-quantize{preset=w2g32 report=true})' 2>&1 | FileCheck %s --check-prefixes=CHECK,W2
// RUN: lowbit-opt %shared/models/lenet/lenet.mlir --mlir-print-op-on-diagnostic=false --pass-pipeline='builtin.module(lowbit-quantize{preset=c11g128 report=true})' 2>&1 | FileCheck %s --check-prefixes=CHECK,C11
// RUN: lowbit-opt %shared/models/lenet/lenet.mlir --mlir-print-op-on-diagnostic=false --pass-pipeline='builtin.module(lowbit-quantize{preset=c11s128 report=true})' 2>&1 | FileCheck %s --check-prefixes=CHECK,C11S
// RUN: lowbit-opt %shared/models/lenet/lenet.mlir --pass-pipeline='builtin.module(lowbit-quantize{preset=fp32})' | FileCheck %s --check-prefix=FP32
// The quantized model is valid IR that reads back (text and bytecode).
// RUN: lowbit-opt %shared/models/lenet/lenet.mlir --pass-pipeline='builtin.module(lowbit-quantize{preset=c11g128})' -emit-bytecode | lowbit-opt | FileCheck %s --check-prefix=BYTECODE
// RUN: not lowbit-opt %shared/models/lenet/lenet.mlir --pass-pipeline='builtin.module(lowbit-quantize{preset=w5})' 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: lowbit-opt %shared/models/lenet/lenet.mlir --pass-pipeline='builtin.module(lowbit-quantize{preset=w8a8-dynamic})' | FileCheck %s --check-prefix=DYNAMIC
// The attributes follow the epilogue region when a ReLU was folded in.
// DYNAMIC-COUNT-3: {{lowbit.matmul .*|^ *} }}{dynamic_int8_activations, layout = #lowbit.layout<int8>

// W8: remark: packed weight 120x400 as #lowbit.layout<int8>: 48000 + 480 bytes (f32: 192000, 8.080 bits per weight)
// W4: remark: packed weight 120x400 as #lowbit.layout<int4_interleaved, block = 32>: 24960 + 3120 bytes (f32: 192000, 4.680 bits per weight)
// W3: remark: packed weight 120x400 as #lowbit.layout<int3, block = 64>: 23520 + 1680 bytes (f32: 192000, 4.200 bits per weight)
// W2: remark: packed weight 120x400 as #lowbit.layout<int2, block = 32>: 12480 + 6240 bytes (f32: 192000, 3.120 bits per weight)
// C11: remark: packed weight 120x400 as #lowbit.layout<radix(11), block = 128>: 28800 + 1920 bytes (f32: 192000, 5.120 bits per weight)
// C11S: remark: packed weight 120x400 as #lowbit.layout<radix_superblock(11), block = 128>: 21600 + 1440 bytes (f32: 192000, 3.840 bits per weight)

// CHECK-LABEL: func.func @lenet
// CHECK-COUNT-5: lowbit.packed_weight
// CHECK-NOT: dense_resource<torch_tensor_{{[0-9_]+}}_torch.float32> : tensor<{{[0-9x]+}}xf32>
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK: linalg.conv_2d_nchw_fchw
// The three fully-connected layers (matmul + bias) became lowbit.matmul.
// CHECK-NOT: linalg.matmul
// CHECK-COUNT-3: lowbit.matmul {{.*}} bias(

// The biases (10, 16, 84, 120 and 6 elements) are not weights of a
// contraction and stay float.
// BYTECODE-LABEL: func.func @lenet
// BYTECODE-DAG: arith.constant dense_resource<torch_tensor_120_torch.float32> : tensor<120xf32>
// BYTECODE-DAG: lowbit.packed_weight {data = dense_resource<torch_tensor_120_400_torch.float32_packed> : tensor<120x60xi32>

// FP32-LABEL: func.func @lenet
// FP32-NOT: lowbit.

// BAD: unknown preset 'w5' (expected one of fp32, w8, w4g32, w3g64, w2g32, c11g128, c11s128, w8a8-dynamic, w4a8-dynamic, w3a8-dynamic, w2a8-dynamic, w2a8-lut, c11a8-dynamic, w8a8, w8a16, w4a16, c11a16)

// The real LeNet-5 model parses, verifies and prints, keeping its weights as
// dense_resource blobs; its bytecode form reads back to the same text.
// REQUIRES: shared-models
// RUN: lowbit-opt %shared/models/lenet/lenet.mlir | FileCheck %s
// RUN: lowbit-opt %shared/models/lenet/lenet.mlir > %t.direct.mlir
// RUN: lowbit-opt %shared/models/lenet/lenet.mlir -emit-bytecode > %t.mlirbc
// RUN: lowbit-opt %t.mlirbc > %t.via-bytecode.mlir
// RUN: diff %t.direct.mlir %t.via-bytecode.mlir

// CHECK-LABEL: func.func @lenet
// CHECK-SAME: (%{{.*}}: tensor<1x1x32x32xf32> {secret.secret}) -> tensor<1x10xf32>
// CHECK-DAG: arith.constant dense_resource<torch_tensor_120_400_torch.float32> : tensor<120x400xf32>
// CHECK-DAG: arith.constant dense_resource<torch_tensor_6_1_5_5_torch.float32> : tensor<6x1x5x5xf32>
// CHECK-COUNT-2: linalg.conv_2d_nchw_fchw
// CHECK-COUNT-3: linalg.matmul
// CHECK: dialect_resources
// CHECK: torch_tensor_10_84_torch.float32: "0x04000000

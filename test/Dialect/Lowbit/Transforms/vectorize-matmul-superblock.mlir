// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul | FileCheck %s
// RUN: lowbitc %s --mcpu=znver4 --threading=none --quiet --emit=asm -o - | FileCheck %s --check-prefix=ASM

// Radix superblocks (c11s128) take the vector kernel: K = 1300 is one
// superblock (128 words, 22 parameter bytes) and a striped tail of 148 codes
// (17 words, two groups, 8 bytes). Per superblock the parameter bytes are
// read once (fp16 d and e, 9 unsigned scale codes, 9 signed min codes);
// per 16 words the radix decode (64-bit lanes of two words) gives the 9
// slots, each dequantized as q (0.1 s) + m and met by 16 contiguous
// activations of its group. The tail is unrolled with per-lane parameters
// and masks.
// CHECK-LABEL: func @superblock
// CHECK-NOT: lowbit.matmul
// CHECK: scf.for
// CHECK: vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<2x30xi8>, vector<4xi8>
// CHECK: vector.bitcast %{{.*}} : vector<4xi8> to vector<2xf16>
// CHECK: vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<2x30xi8>, vector<9xi8>
// CHECK: arith.uitofp %{{.*}} : vector<9xi8> to vector<9xf32>
// CHECK: arith.sitofp %{{.*}} : vector<9xi8> to vector<9xf32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %c128 step %c16
// CHECK: vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<2x145xi32>, vector<16xi32>
// CHECK: vector.bitcast %{{.*}} : vector<16xi32> to vector<8xi64>
// CHECK-COUNT-9: vector.transfer_read %{{.*}} : tensor<1x1300xf32>, vector<16xf32>
// The tail: its 17 words in two reads of 16, lanes without a code masked.
// CHECK: vector.transfer_read %{{.*}} : tensor<2x30xi8>, vector<2xi8>
// CHECK: vector.transfer_read %{{.*}} : tensor<2x145xi32>, vector<16xi32>
// CHECK: arith.select
// CHECK: vector.transfer_read %{{.*}} : tensor<2x145xi32>, vector<16xi32>
// CHECK: vector.reduction <add>
// ASM-LABEL: lowbit_superblock_with_workspace:
// ASM: vpmuludq {{.*}}zmm
// ASM: vfmadd{{.*}}zmm
// ASM: .size lowbit_superblock_with_workspace
func.func @superblock(%x: tensor<1x1300xf32>, %p: tensor<2x145xi32>, %s: tensor<2x30xi8>) -> tensor<1x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2x30xi8>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix_superblock(11), block = 128>} : tensor<1x1300xf32>, tensor<2x145xi32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// bf16 activations have no superblock kernel yet: the op is left to the
// linalg lowering.
// CHECK-LABEL: func @superblock_bf16
// CHECK: lowbit.matmul
func.func @superblock_bf16(%x: tensor<1x100xf32>, %p: tensor<2x12xi32>, %s: tensor<2x6xi8>) -> tensor<1x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2x6xi8>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix_superblock(11), block = 128>, activation_type = bf16} : tensor<1x100xf32>, tensor<2x12xi32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// An epilogue maps the columns' outputs after the kernel's loops.
// CHECK-LABEL: func @superblock_epilogue
// CHECK-NOT: lowbit.matmul
// CHECK: vector.reduction <add>
// CHECK: math.tanh %{{.*}} : vector<16xf32>
func.func @superblock_epilogue(%x: tensor<1x100xf32>, %p: tensor<2x12xi32>, %s: tensor<2x6xi8>) -> tensor<1x2xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<2x6xi8>) epilogue {
  ^bb0(%v: f32):
    %t = math.tanh %v : f32
    lowbit.yield %t : f32
  } {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), codebook = <linspace(-1.0, 1.0, 11)>>, layout = #lowbit.layout<radix_superblock(11), block = 128>} : tensor<1x100xf32>, tensor<2x12xi32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul=int8-dot=avx512-vnni | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-vectorize-matmul="int8-dot=avx2 vector-bits=256" | FileCheck %s --check-prefix=NARROW

// Bit planes (int2_planes): each block of 16 activations becomes four
// 64-byte tables (low and high bytes of the quads' subset sums T, then of
// 2 T: the second plane's weight), built from the quantized bytes by four
// spreads and masks; per weight vector the nibbles are split and looked up
// (four lowbit.lookup_bytes), low and high bytes interleaved back into i16
// lanes and added. Per group (two blocks of 16: straight-line) the four
// quad lanes are added, widened and scaled per column; the min meets the
// group's activation sum; the code step 1/3 multiplies the scaled sums once.
// K = 40 pads to 48 (3 blocks, groups of 32: the last group partial).
// 20 columns: one panel tile of 4 would leave nothing, so 2 single panels.
// CHECK-LABEL: func @planes
// CHECK: %[[STEP:.*]] = arith.constant dense<0.333333343> : vector<16xf32>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4,
// CHECK: arith.andi %{{.*}}, %{{.*}} : vector<64xi16>
// CHECK: arith.shrsi %{{.*}}, %{{.*}} : vector<64xi16>
// CHECK: arith.trunci %{{.*}} : vector<64xi16> to vector<64xi8>
// CHECK: %[[W:.*]] = vector.transfer_read %{{.*}} : tensor<2x192xi8>, vector<64xi8>
// CHECK: %[[P0:.*]] = arith.andi %[[W]], %{{.*}} : vector<64xi8>
// CHECK: %[[P1:.*]] = arith.shrui %[[W]], %{{.*}} : vector<64xi8>
// CHECK: lowbit.lookup_bytes %{{.*}}, %[[P0]] : vector<64xi8>
// CHECK: lowbit.lookup_bytes %{{.*}}, %[[P0]] : vector<64xi8>
// CHECK: lowbit.lookup_bytes %{{.*}}, %[[P1]] : vector<64xi8>
// CHECK: lowbit.lookup_bytes %{{.*}}, %[[P1]] : vector<64xi8>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 64, 1, 65, 2, 66, 3, 67, 4, 68, 5, 69, 6, 70, 7, 71, 16, 80,
// CHECK: vector.bitcast %{{.*}} : vector<64xi8> to vector<32xi16>
// CHECK: arith.addi %{{.*}}, %{{.*}} : vector<32xi16>
// CHECK: arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
// Scales and mins passed at run time are read in place, 16 columns of one
// group (a strided read), not transposed on every call.
// CHECK: vector.transfer_read %arg2[%{{.*}}, %{{.*}}], %{{.*}} {permutation_map = #{{.*}}} : tensor<20x2xf16>, vector<16xf16>
// CHECK: vector.transfer_read %arg3[%{{.*}}, %{{.*}}], %{{.*}} {permutation_map = #{{.*}}} : tensor<20x2xf16>, vector<16xf16>
// CHECK-NOT: linalg.transpose
// CHECK: arith.mulf %{{.*}}, %{{.*}} fastmath<contract> : vector<16xf32>
// CHECK: arith.mulf %{{.*}}, %[[STEP]] : vector<16xf32>
// CHECK-NOT: lowbit.matmul
// NARROW-LABEL: func @planes
// NARROW-COUNT-4: lowbit.lookup_bytes
func.func @planes(%x: tensor<3x40xf32>, %p: tensor<2x192xi8>, %s: tensor<20x2xf16>, %m: tensor<20x2xf16>) -> tensor<3x20xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<20x2xf16>) mins(%m : tensor<20x2xf16>) {scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int2_planes, block = 32>, dynamic_int8_activations} : tensor<3x40xf32>, tensor<2x192xi8> -> tensor<3x20xf32>
  return %y : tensor<3x20xf32>
}

// -----

// 64 columns with 512-bit vectors: a tile of four panels shares each
// block's four table loads (16 lookups per block); with 256-bit vectors one
// panel at a time (two blocks of 16: 8 lookups).
// CHECK-LABEL: func @panel_tile
// CHECK-COUNT-4: vector.transfer_read %{{.*}} : tensor<{{.*}}xi8>, vector<64xi8>
// CHECK-COUNT-16: lowbit.lookup_bytes
// NARROW-LABEL: func @panel_tile
// NARROW-COUNT-8: lowbit.lookup_bytes
// NARROW-NOT: lowbit.lookup_bytes
func.func @panel_tile(%x: tensor<1x32xf32>, %p: tensor<4x128xi8>, %s: tensor<64x1xf16>, %m: tensor<64x1xf16>) -> tensor<1x64xf32> {
  %y = lowbit.matmul %x, %p scales(%s : tensor<64x1xf16>) mins(%m : tensor<64x1xf16>) {scheme = #lowbit.scheme<u2, min_scale, per_group(axis = 1, size = 32)>, layout = #lowbit.layout<int2_planes, block = 32>, dynamic_int8_activations} : tensor<1x32xf32>, tensor<4x128xi8> -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}


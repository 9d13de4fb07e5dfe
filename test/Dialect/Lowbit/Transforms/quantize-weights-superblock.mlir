// RUN: lowbit-opt %s -split-input-file -lowbit-quantize-weights="bits=4 symmetric=false asymmetric-form=min-scale granularity=per-group group-size=2 codebook=linspace(-1,1,11) param-type=superblock" | FileCheck %s
// RUN: lowbit-opt %s -split-input-file -lowbit-quantize-weights="bits=4 symmetric=false asymmetric-form=min-scale granularity=per-group group-size=2 codebook=linspace(-1,1,11) param-type=superblock" -lowbit-pack-weights="report=true" 2>&1 | FileCheck %s --check-prefix=PACK

// param-type=superblock: codes and i8 parameter bytes of radix superblocks
// (SuperblockRadix.h). K = 4 in groups of 2 is a tail segment of two
// groups: 4 + 2 * 2 bytes per row. Row 0 by hand: groups [-0.5, 0.5] and
// [0, 0.25]; d is the smallest fp16 >= 1 / 255 (0x1C05 = 2^-8 * 1029/1024:
// bytes 5, 28), e the smallest >= 0.5 / 127 (0x1C09: bytes 9, 28); scale
// codes 255 (-1 as i8: 255 d = 1.00096) and 64 (64 d = 0.2512), min codes
// -127 (-127 e = -0.50044) and 0. Every group's codes are 0 and 10.
// CHECK-LABEL: func @superblock
// CHECK-DAG: %[[CODES:.*]] = arith.constant dense<{{\[}}[0, 10, 0, 10], [0, 10, 0, 10]]> : tensor<2x4xi8>
// CHECK-DAG: %[[PARAMS:.*]] = arith.constant dense<{{\[}}[5, 28, 9, 28, -1, 64, -127, 0], [{{.*}}]]> : tensor<2x8xi8>
// CHECK: lowbit.dequantize %[[CODES]] scales(%[[PARAMS]] : tensor<2x8xi8>) {scheme = #lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 2), codebook = <{{.*}}>>} : tensor<2x4xi8> -> tensor<2x4xf32>
// The packed row is one word holding digits 0, 10, 0, 10, 0, ...:
// v = 10 * 11^7 + 10 * 11^5 = 196482220, q = ceil(v 2^32 / 11^9) = 357889496.
// PACK: remark: packed weight 2x4 as #lowbit.layout<radix_superblock(11), block = 2>: 8 + 16 bytes
// PACK-LABEL: func @superblock
// PACK: lowbit.packed_weight {data = dense<357889496> : tensor<2x1xi32>, layout = #lowbit.layout<radix_superblock(11), block = 2>, scales = dense<{{\[}}[5, 28, 9, 28, -1, 64, -127, 0], {{.*}} : tensor<2x1xi32>, tensor<2x8xi8>
// PACK: lowbit.unpack %{{.*}} {layout = #lowbit.layout<radix_superblock(11), block = 2>} : tensor<2x1xi32> -> tensor<2x4xi8>
// PACK: lowbit.dequantize %{{.*}} scales(%{{.*}} : tensor<2x8xi8>)
func.func @superblock(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[-0.5, 0.5, 0.0, 0.25], [1.0, 2.0, -3.0, 3.0]]> : tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<3x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
         ins(%x, %w : tensor<3x4xf32>, tensor<2x4xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

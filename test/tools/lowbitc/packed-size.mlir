// lowbitc reports the packed size of the quantized weights (storage plus
// parameters). An 8 x 4096 layer: c11g128 takes 15 words and 4 parameter
// bytes per group of 128 (4.0 bits per weight); c11s128's radix superblocks
// take 456 words and 80 parameter bytes per row (3.719).
// RUN: lowbitc %s --quantize=c11g128 --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=C11G
// RUN: lowbitc %s --quantize=c11s128 --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=C11S
// RUN: lowbitc %s --quantize=c11s128 --quiet --emit=mlir -o /dev/null 2>&1 | count 0
// C11G: lowbitc: packed weights: 32768 weights in 16384 bytes (4.000 bits per weight)
// C11S: lowbitc: packed weights: 32768 weights in 15232 bytes (3.719 bits per weight)
func.func @fc(%x: tensor<1x4096xf32>) -> tensor<1x8xf32> {
  %w = arith.constant dense<0.5> : tensor<8x4096xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x8xf32>) -> tensor<1x8xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
         ins(%x, %w : tensor<1x4096xf32>, tensor<8x4096xf32>) outs(%init : tensor<1x8xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

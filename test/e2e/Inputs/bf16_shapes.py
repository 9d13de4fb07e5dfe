"""Writes a linear layer @dynamic_matmul(x: MxK) -> MxN whose weights are the
integers of integer_weights.h for WEIGHT_BITS 8 or 4 (they quantize exactly
with scale 1), or its 11-level codebook values for WEIGHT_BITS 11 (min -0.5,
scale 1 in every group), for the shapes bf16_matmul.c is built with (-DM -DN
-DK).

usage: bf16_shapes.py BITS M N K
"""
import sys


def weight(bits, n, k):
    if bits == 11:
        i = 0 if k % 128 == 0 else 10 if k % 128 == 1 else (n * 37 + k * 13) % 11
        return -0.5 + i * 0.1
    if bits == 4:
        if k % 32 == 0:
            return 7
        if k % 32 == 1:
            return -7
        return (n * 37 + k * 11) % 15 - 7
    if k == 0:
        return 127
    return (n * 37 + k * 11) % 255 - 127


def main():
    bits, m, n, k = (int(a) for a in sys.argv[1:5])
    rows = ", ".join(
        "[" + ", ".join(repr(float(weight(bits, j, kk))) for kk in range(k)) + "]"
        for j in range(n))
    print(f"""func.func @dynamic_matmul(%x: tensor<{m}x{k}xf32>) -> tensor<{m}x{n}xf32> {{
  %w = arith.constant dense<[{rows}]> : tensor<{n}x{k}xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<{m}x{n}xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                      affine_map<(m, n, k) -> (n, k)>,
                                      affine_map<(m, n, k) -> (m, n)>]
         ins(%x, %w : tensor<{m}x{k}xf32>, tensor<{n}x{k}xf32>) outs(%init : tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32>
  return %y : tensor<{m}x{n}xf32>
}}""")


if __name__ == "__main__":
    main()

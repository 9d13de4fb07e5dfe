#!/usr/bin/python3
"""Writes a one-layer model, y = x W with x 1xK and a constant KxN f32 W
(N(0, 0.02), numpy seed 0), for lowbit-bench-model: a GEMV (M = 1) whose
weights stream from memory once per call, e.g.

  /usr/bin/python3 bench/gemv_model.py 4096 4096 > /tmp/gemv4096.mlir
  build/bin/lowbit-bench-model /tmp/gemv4096.mlir --weights=both --cold \\
      --cpu-time --num-threads=1 --presets=w8a8-dynamic,w4a8-dynamic
"""
import sys

import numpy as np


def main():
    k, n = (int(v) for v in sys.argv[1:3])
    w = (np.random.default_rng(0).standard_normal((k, n)) * 0.02).astype(
        np.float32)
    out = sys.stdout
    out.write(f"func.func @gemv(%x: tensor<1x{k}xf32>) -> tensor<1x{n}xf32> {{\n")
    out.write(f'  %w = arith.constant dense<"0x{w.tobytes().hex().upper()}"> '
              f": tensor<{k}x{n}xf32>\n")
    out.write("  %zero = arith.constant 0.0 : f32\n")
    out.write(f"  %e = tensor.empty() : tensor<1x{n}xf32>\n")
    out.write(f"  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x{n}xf32>)"
              f" -> tensor<1x{n}xf32>\n")
    out.write(f"  %y = linalg.matmul ins(%x, %w : tensor<1x{k}xf32>, "
              f"tensor<{k}x{n}xf32>) outs(%f : tensor<1x{n}xf32>) -> "
              f"tensor<1x{n}xf32>\n")
    out.write(f"  return %y : tensor<1x{n}xf32>\n}}\n")


if __name__ == "__main__":
    main()

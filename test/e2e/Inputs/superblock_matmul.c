// Harness for superblock_matmul.mlir compiled with --quantize=c11s128: rows
// 0-5 of x are one-hot at k = 0, 127, 128, 1151, 1152 and 1299 (the first
// and last code of the superblock, of its groups and of the tail), so
// out[m, n] is the dequantized weight itself and must equal
// superblock_weights.h's value (up to the rounding of the level table);
// rows 6-7 are pseudo-random and must match sum_k x w within 1e-5 of
// sum_k |x w|. A wrong code moves a weight by at least s / 10.
#include "superblock_matmul.h"
#include "superblock_weights.h"

#include <math.h>
#include <stdio.h>

int main(void) {
  static float x[M * K], out[M * N];
  static const int hot[6] = {0, 127, 128, 1151, 1152, 1299};
  unsigned state = 2024;
  for (int i = 0; i < M * K; ++i) {
    state = state * 1103515245u + 12345u;
    x[i] = i < 6 * K ? 0.0f
                     : (float)((int)(state >> 8 & 0xFFFF) - 32768) / 4096.0f;
  }
  for (int r = 0; r < 6; ++r)
    x[r * K + hot[r]] = 1.0f;
  if (lowbit_superblock_matmul(x, out) != 0) {
    printf("superblock_matmul: call failed\n");
    return 1;
  }
  int failures = 0;
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      double want = 0, magnitude = 0;
      for (int k = 0; k < K; ++k) {
        double p = (double)x[m * K + k] * (double)weight(n, k);
        want += p;
        magnitude += fabs(p);
      }
      double tolerance = m < 6 ? 1e-6 * magnitude + 1e-7 : 1e-5 * magnitude;
      if (fabs((double)out[m * N + n] - want) > tolerance) {
        printf("out[%d, %d] = %.9g, want %.9g\n", m, n, out[m * N + n], want);
        ++failures;
      }
    }
  if (failures)
    return 1;
  printf("superblock_matmul matches\n");
  return 0;
}

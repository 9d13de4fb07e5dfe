// Harness for the bf16-activation presets (w8a16 on dynamic_matmul_i8.mlir,
// w4a16 on dynamic_matmul_i4.mlir; build with -DWEIGHT_BITS=8 or 4; other
// shapes with -DM= -DN= -DK= on the layers of bf16_shapes.py): the
// weights are integers that quantize with scale 1, so out[m, n] must be
// sum_k bf16(x[m, k]) * w[n, k], with bf16() the nearest bf16 value
// (computed here from distances in double, ties to even), f32 denormals
// flushed to zero and NaN propagated, within 2e-5 of sum_k |bf16(x) w| (f32
// sums in the kernel's order; bf16 x integer products are exact; vdpbf16ps
// flushes denormal lane sums).
#include "dynamic_matmul.h"
#include "integer_weights.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static float fromBits(uint32_t bits) {
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

/// The nearest bf16 (a float whose low 16 bits are zero) to finite x.
static double toBf16(float x) {
  if (fabsf(x) < 0x1p-126f)
    return 0.0;
  uint32_t bits;
  memcpy(&bits, &x, 4);
  uint32_t low = bits & 0xFFFF0000u;
  double below = fromBits(low), above = fromBits(low + 0x10000u);
  double dBelow = fabs(x - below), dAbove = fabs(x - above);
  if (dBelow < dAbove || (dBelow == dAbove && !(low & 0x10000u)))
    return below;
  return above;
}

int main(void) {
  static float x[M * K], out[M * N];
  unsigned state = 12345;
  for (int i = 0; i < M * K; ++i) {
    state = state * 1103515245u + 12345u;
    x[i] = (float)((int)(state >> 8 & 0xFFFF) - 32768) / 4096.0f;
  }
  // Row 1: denormals and tiny normal values (the first 15 flushed); row 2: ties
  // (1 + 2^-8 rounds to 1, 1 + 3 * 2^-8 to 1 + 2^-6); row 4: a NaN.
  // (Rows the shape has: see bf16_shapes.py.)
  for (int k = 0; k < K && M > 2; ++k) {
    x[1 * K + k] = (k % 2 ? -1 : 1) * 0x1p-130f * (float)(k + 1);
    x[2 * K + k] = k % 2 ? 1.0f + 0x1p-8f : -(1.0f + 3 * 0x1p-8f);
  }
  if (M > 4)
    x[4 * K + 17 % K] = NAN;
  if (lowbit_dynamic_matmul(x, out) != 0) {
    printf("bf16_matmul: call failed\n");
    return 1;
  }
  int failures = 0;
  double worst = 0.0;
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      float got = out[m * N + n];
      if (m == 4) {
        if (!isnan(got)) {
          printf("out[%d, %d] = %.9g, want NaN\n", m, n, got);
          ++failures;
        }
        continue;
      }
      double want = 0.0, magnitude = 0.0;
      for (int k = 0; k < K; ++k) {
        double p = toBf16(x[m * K + k]) * weight(n, k);
        want += p;
        magnitude += fabs(p);
      }
      // vdpbf16ps flushes denormal results: each of its K lane steps may
      // lose up to 2^-126 (weights quantize with scale 1), which only row
      // 1's tiny activations come near.
      double tolerance = 2e-5 * magnitude + K * 0x1p-126;
      double err = fabs((double)got - want);
      if (err > tolerance) {
        printf("out[%d, %d] = %.9g, want %.9g\n", m, n, got, want);
        ++failures;
      }
      if (tolerance > 0 && err / tolerance > worst)
        worst = err / tolerance;
    }
  if (failures)
    return 1;
  printf("bf16_matmul matches (max err/tol %.3f)\n", worst);
  return 0;
}

// Harness for dynamic_matmul_{i8,i4,i3,i2,c11}.mlir (build with
// -DWEIGHT_BITS=8, 4, 3, 2 or 11): makes the same weights (integers, or
// for 2 and 11 the exactly quantized min/scale and codebook values), quantizes
// each activation row to int8 as lowbit.matmul's dynamic_int8_activations
// defines (s = max|x| / 127, q = round half to even of x / s, clamped to
// +-127), and checks out[m, n] = s[m] * sum_k q[m, k] * w[n, k] within 1e-5
// of sum_k |s q w| (the kernel adds the exact group sums in f32, in its own
// order, with the mins against the groups' sums of q).
#include "dynamic_matmul.h"
#include "integer_weights.h"

#include <math.h>
#include <stdio.h>

int main(void) {
  static float x[M * K], out[M * N];
  unsigned state = 12345;
  for (int i = 0; i < M * K; ++i) {
    state = state * 1103515245u + 12345u;
    x[i] = (float)((int)(state >> 8 & 0xFFFF) - 32768) / 4096.0f;
  }
  // A row of zeros (scale 1) and a row whose largest value is negative.
  for (int k = 0; k < K; ++k)
    x[1 * K + k] = 0.0f;
  x[2 * K + 5] = -20.0f;
  if (lowbit_dynamic_matmul(x, out) != 0) {
    printf("dynamic_matmul: call failed\n");
    return 1;
  }
  int failures = 0;
  double worst = 0.0;
  for (int m = 0; m < M; ++m) {
    float amax = 0.0f;
    for (int k = 0; k < K; ++k)
      amax = fmaxf(amax, fabsf(x[m * K + k]));
    float s = amax > 0.0f ? amax / 127.0f : 1.0f;
    int q[K];
    for (int k = 0; k < K; ++k)
      q[k] = (int)rintf(fminf(fmaxf(x[m * K + k] / s, -127.0f), 127.0f));
    for (int n = 0; n < N; ++n) {
      double dot = 0, magnitude = 0;
      for (int k = 0; k < K; ++k) {
        double p = (double)q[k] * (double)weight(n, k);
        dot += p;
        magnitude += fabs(p);
      }
      double want = (double)s * (double)dot;
      double tolerance = 1e-5 * (double)s * (double)magnitude + 1e-30;
      double err = fabs((double)out[m * N + n] - want);
      if (err > tolerance) {
        printf("out[%d, %d] = %.9g, want %.9g\n", m, n, out[m * N + n], want);
        ++failures;
      }
      if (err / tolerance > worst)
        worst = err / tolerance;
    }
  }
  if (failures)
    return 1;
  printf("dynamic_matmul matches (max err/tol %.3f)\n", worst);
  return 0;
}

/* Runs lowbit_integer_matmul on pseudo-random int8 data (including the
 * -128 extremes) and compares every output with a plain C reference:
 * out[m][n] = sum_k x[m][k] * w[n][k] + b[n], exactly. */
#include "integer_matmul.h"

#include <stdint.h>
#include <stdio.h>

static uint32_t state = 12345;
static int8_t nextByte(void) {
  state = state * 1664525u + 1013904223u;
  return (int8_t)(state >> 24);
}

int main(void) {
  enum { M = 5, N = 7, K = 100 };
  static int8_t x[M * K], w[N * K];
  static int32_t b[N], out[M * N];
  for (int i = 0; i < M * K; ++i)
    x[i] = nextByte();
  for (int i = 0; i < N * K; ++i)
    w[i] = nextByte();
  for (int n = 0; n < N; ++n)
    b[n] = (int32_t)(nextByte()) * 1000;
  x[0] = -128;
  w[0] = -128;
  if (lowbit_integer_matmul(x, w, b, out) != 0) {
    printf("call failed\n");
    return 1;
  }
  int mismatches = 0;
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      int32_t want = b[n];
      for (int k = 0; k < K; ++k)
        want += (int32_t)x[m * K + k] * (int32_t)w[n * K + k];
      if (out[m * N + n] != want) {
        printf("mismatch at [%d][%d]: %d, want %d\n", m, n, out[m * N + n], want);
        ++mismatches;
      }
    }
  printf("integer_matmul %s\n", mismatches ? "FAILED" : "exact");
  return mismatches != 0;
}

// Harness for threads.mlir: fills inputs and weights from a fixed
// pseudo-random sequence, runs every entry point and writes their outputs,
// raw, to the file named by argv[1], so that runs on different thread
// counts (OMP_NUM_THREADS) can be compared bit for bit.
#include "threads.h"

#include <stdint.h>
#include <stdio.h>

static unsigned state = 12345;
static unsigned next(void) {
  state = state * 1103515245u + 12345u;
  return state >> 8;
}
static float uniform(void) {
  return (float)((int)(next() & 0xFFFF) - 32768) / 32768.0f;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s OUTPUT\n", argv[0]);
    return 2;
  }
  static float x1[1 * 1024], x9[9 * 1024], y1[1 * 4096], y9[9 * 4096];
  static int8_t packed[4096 * 512];
  static uint16_t scales[4096 * 32];
  static float xd[16 * 512], wd[512 * 256], yd[16 * 256];
  for (int i = 0; i < 1024; ++i)
    x1[i] = uniform();
  for (int i = 0; i < 9 * 1024; ++i)
    x9[i] = uniform();
  for (int i = 0; i < 4096 * 512; ++i)
    packed[i] = (int8_t)next();
  // f16 scales in [2^-8, 2^-7): exponent 7, random mantissa.
  for (int i = 0; i < 4096 * 32; ++i)
    scales[i] = (uint16_t)(0x1C00 | (next() & 0x3FF));
  for (int i = 0; i < 16 * 512; ++i)
    xd[i] = uniform();
  for (int i = 0; i < 512 * 256; ++i)
    wd[i] = uniform() / 16.0f;
  if (lowbit_gemv(x1, packed, scales, y1) ||
      lowbit_gemm(x9, packed, scales, y9) || lowbit_dense(xd, wd, yd))
    return 1;
  FILE *out = fopen(argv[1], "wb");
  if (!out)
    return 1;
  fwrite(y1, sizeof y1, 1, out);
  fwrite(y9, sizeof y9, 1, out);
  fwrite(yd, sizeof yd, 1, out);
  fclose(out);
  printf("threads outputs %zu floats\n",
         (sizeof y1 + sizeof y9 + sizeof yd) / 4);
  return 0;
}

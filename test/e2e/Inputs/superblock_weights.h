// The layer of superblock_matmul.mlir: 8x1300 activations by 5x1300 weights
// whose c11s128 quantization is exact. K = 1300 is one superblock of 9
// groups of 128 and a tail of 148 codes (a group of 128 and one of 20).
// Group j of row n holds the 11-level codes c (0 and 10 in every group, so
// its min and max are m and m + s) as T(c) * s + m with s = a / 256 and
// m = b / 256: every segment has a group with a = 255 and one with
// b = -127, so its factors are d = e = 1/256 and the codes (a, b) exact.
#ifndef LOWBIT_E2E_SUPERBLOCK_WEIGHTS_H
#define LOWBIT_E2E_SUPERBLOCK_WEIGHTS_H

#define M 8
#define N 5
#define K 1300

static int code(int n, int k) {
  if (k % 128 == 0)
    return 0;
  if (k % 128 == 1)
    return 10;
  return (n * 37 + k * 13) % 11;
}

static float weight(int n, int k) {
  int j = k / 128, local = j % 9;
  int a = local == 0 ? 255 : 128 + (n * 29 + j * 41) % 127;
  int b = local == 1 ? -127 : -100 + (n * 31 + j * 17) % 150;
  float s = (float)a / 256.0f, m = (float)b / 256.0f;
  return (float)code(n, k) / 10.0f * s + m;
}

#endif // LOWBIT_E2E_SUPERBLOCK_WEIGHTS_H

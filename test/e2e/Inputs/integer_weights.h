// The layer of dynamic_matmul_{i8,i4,i3,i2,c11}.mlir (build with
// -DWEIGHT_BITS=8, 4, 3, 2 or 11): 6x200 activations by 5x200 weights that
// quantize exactly: integers with scale 1 (w4: groups of 32 with a 7 and a
// -7; w3: groups of 64 with a 3 and a -3; w8: a 127 in every row), for 2 and
// 11 the min/scale and codebook values of exact codes; shared by the
// harnesses that check them.
#ifndef LOWBIT_E2E_INTEGER_WEIGHTS_H
#define LOWBIT_E2E_INTEGER_WEIGHTS_H

// Other shapes come from the command line: bf16_shapes.py writes layers of
// any M, N, K; the long-row layers (dynamic_matmul_i*_long.mlir) set K only.
#ifndef M
#define M 6
#define N 5
#endif
#ifndef K
#define K 200
#endif

static float weight(int n, int k) {
#if WEIGHT_BITS == 4
  if (k % 32 == 0)
    return 7;
  if (k % 32 == 1)
    return -7;
  return (float)((n * 37 + k * 11) % 15 - 7);
#elif WEIGHT_BITS == 3
  if (k % 64 == 0)
    return 3;
  if (k % 64 == 1)
    return -3;
  return (float)((n * 37 + k * 11) % 7 - 3);
#elif WEIGHT_BITS == 2
  int c = k % 32 == 0 ? 0 : k % 32 == 1 ? 3 : (n * 37 + k * 11) % 4;
  return -1.0f - 0.5f * (float)(n % 2) + 0.5f * (float)c;
#elif WEIGHT_BITS == 11 /* the 11-level codebook */
  int i = k % 128 == 0 ? 0 : k % 128 == 1 ? 10 : (n * 37 + k * 13) % 11;
  return (float)(-0.5 + i * 0.1);
#else
  if (k == 0)
    return 127;
  return (float)((n * 37 + k * 11) % 255 - 127);
#endif
}

#endif // LOWBIT_E2E_INTEGER_WEIGHTS_H

// The layer of dynamic_matmul_i4.mlir / dynamic_matmul_i8.mlir (build with
// -DWEIGHT_BITS=4 or 8): 6x200 activations by 5x200 integer weights that
// quantize with scale 1 (w4: groups of 32 with a 7 and a -7; w8: a 127 in
// every row), shared by the harnesses that check them.
#ifndef LOWBIT_E2E_INTEGER_WEIGHTS_H
#define LOWBIT_E2E_INTEGER_WEIGHTS_H

#define M 6
#define N 5
#define K 200

static int weight(int n, int k) {
#if WEIGHT_BITS == 4
  if (k % 32 == 0)
    return 7;
  if (k % 32 == 1)
    return -7;
  return (n * 37 + k * 11) % 15 - 7;
#else
  if (k == 0)
    return 127;
  return (n * 37 + k * 11) % 255 - 127;
#endif
}

#endif // LOWBIT_E2E_INTEGER_WEIGHTS_H

/* lowbit_fake_quant (fake_quant.mlir) against a C reference of the same
 * quantize/dequantize arithmetic: q = clamp(round_half_even(x / s) + z),
 * x' = (q - z) * s. Scales are powers of two, so the results must be equal
 * bit for bit. The float model (the pairs dropped) differs, which shows the
 * quantization was kept. */
#include "fake_quant.h"

#include <math.h>
#include <stdio.h>

static float fakeQuant(float x, float s, int z, int qmin, int qmax) {
  float q = nearbyintf(x / s) + (float)z; /* round half to even */
  q = q < qmin ? qmin : q > qmax ? qmax : q;
  return (q - (float)z) * s;
}

static const float W[4][8] = {
    {0.11f, -0.52f, 0.93f, -1.4f, 1.87f, -2.3f, 2.75f, -3.2f},
    {0.2f, 0.45f, -0.7f, 0.95f, -1.2f, 1.45f, -1.7f, 1.95f},
    {3.1f, -2.2f, 1.3f, -0.4f, 0.5f, -1.6f, 2.7f, -3.8f},
    {0.01f, 0.02f, -0.03f, 0.04f, -0.05f, 0.06f, -0.07f, 0.08f}};
static const float WS[4] = {0.03125f, 0.0625f, 0.125f, 0.015625f};
static const float BIAS[4] = {0.5f, -0.25f, 0.125f, 1.0f};

static void model(const float *x, float *y, int quantized) {
  for (int m = 0; m < 2; ++m)
    for (int n = 0; n < 4; ++n) {
      float sum = 0;
      for (int k = 0; k < 8; ++k) {
        float xv = x[m * 8 + k], wv = W[n][k];
        if (quantized) {
          xv = fakeQuant(xv, 0.0625f, -3, -128, 127);
          wv = fakeQuant(wv, WS[n], 0, -127, 127);
        }
        sum += xv * wv;
      }
      sum += BIAS[n];
      y[m * 4 + n] = quantized ? fakeQuant(sum, 0.25f, 128, 0, 255) : sum;
    }
}

int main(void) {
  /* Ties (x / s = 0.5, 1.5, -2.5), values past the int8 range (saturated),
   * and ordinary values. */
  float x[16] = {0.03125f, 0.09375f, -0.15625f, 100.0f, -100.0f, 0.3f,
                 -0.71f,   1.2f,     0.5f,      -0.25f, 0.75f,   -1.0f,
                 2.0f,     -3.3f,    0.01f,     7.9f};
  float y[8], expected[8], unquantized[8];
  if (lowbit_fake_quant(x, y) != 0)
    return 1;
  model(x, expected, 1);
  model(x, unquantized, 0);
  int errors = 0, differFromFloat = 0;
  for (int i = 0; i < 8; ++i) {
    if (y[i] != expected[i] && errors++ < 8)
      printf("output %d: %g expected %g\n", i, y[i], expected[i]);
    differFromFloat += y[i] != unquantized[i];
  }
  printf("fake-quant errors %d, outputs that differ from the float model %d\n",
         errors, differFromFloat);
  return errors != 0;
}

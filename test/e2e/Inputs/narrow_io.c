/* Calls lowbit_narrow_io (narrow_io.mlir) and checks every output bit
 * against a C reference: f16 decoded by hand, the product in f32, rounded
 * to bf16 to nearest even; int8 as the low byte of the int32. */
#include "narrow_io.h"

#include <stdio.h>
#include <string.h>

static float halfToFloat(uint16_t h) {
  int sign = h >> 15, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
  float value;
  if (exponent == 0)
    value = mantissa * (1.0f / 16777216.0f); /* 2^-24 */
  else {
    value = (1024 + mantissa) / 1024.0f;
    for (int e = exponent - 15; e > 0; --e)
      value *= 2;
    for (int e = exponent - 15; e < 0; ++e)
      value /= 2;
  }
  return sign ? -value : value;
}

static uint16_t floatToBF16(float f) {
  uint32_t bits;
  memcpy(&bits, &f, 4);
  bits += 0x7FFF + ((bits >> 16) & 1);
  return (uint16_t)(bits >> 16);
}

int main(void) {
  uint16_t x[64], y[64];
  int32_t t[64];
  int8_t z[64];
  for (int i = 0; i < 64; ++i) {
    /* Finite values of every exponent from 2^-4 to 2^11, both signs. */
    x[i] = (uint16_t)(0x2C00 + (i * 0x1F3) % 0x4000 + (i % 2 ? 0x8000 : 0));
    t[i] = i * 977 - 20000;
  }
  if (lowbit_narrow_io(x, t, y, z) != 0)
    return 1;
  int errors = 0;
  for (int i = 0; i < 64; ++i) {
    uint16_t expected = floatToBF16(halfToFloat(x[i]) * (float)t[i]);
    if (y[i] != expected || z[i] != (int8_t)t[i]) {
      printf("element %d: bf16 %04x expected %04x, i8 %d expected %d\n", i,
             y[i], expected, z[i], (int8_t)t[i]);
      ++errors;
    }
  }
  printf("narrow-io errors %d\n", errors);
  return errors != 0;
}

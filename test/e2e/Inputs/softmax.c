/* lowbit_softmax (softmax.mlir) against softmax in double: every element
 * within 4e-7 absolute plus 2e-6 relative (the f32 exp approximation is
 * within 5 ulp, docs/Math.md, and the row sum adds 80 rounded terms). */
#include "softmax.h"

#include <math.h>
#include <stdio.h>

int main(void) {
  float x[8 * 80], y[8 * 80];
  for (int i = 0; i < 8 * 80; ++i) /* rows of different scales */
    x[i] = (float)((i * 37 % 101) - 50) * (0.02f + 0.3f * (i / 80));
  x[5] = -INFINITY; /* masked, as causal attention does */
  if (lowbit_softmax(x, y) != 0)
    return 1;
  int errors = 0;
  double worst = 0;
  for (int r = 0; r < 8; ++r) {
    double max = -INFINITY, sum = 0;
    for (int c = 0; c < 80; ++c)
      max = fmax(max, x[r * 80 + c]);
    for (int c = 0; c < 80; ++c)
      sum += exp(x[r * 80 + c] - max);
    for (int c = 0; c < 80; ++c) {
      double expected = exp(x[r * 80 + c] - max) / sum;
      double error = fabs(y[r * 80 + c] - expected);
      worst = fmax(worst, error / (4e-7 + 2e-6 * expected));
      if (!(error <= 4e-7 + 2e-6 * expected)) {
        if (errors++ < 5)
          printf("row %d column %d: %g expected %g\n", r, c, y[r * 80 + c],
                 expected);
      }
    }
  }
  printf("softmax errors %d (worst error / tolerance %.3f)\n", errors, worst);
  return errors != 0;
}

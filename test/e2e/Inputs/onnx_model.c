/* Harness for the ONNX models of make_models.py (onnx/): runs lowbit_main
 * (one f32 input, one f32 output; the header lowbitc writes, included from
 * -I) on NAME.input.bin and compares the result with PyTorch's output in
 * NAME.output.bin.
 *
 *   onnx_model INPUT EXPECTED fp32 RTOL
 *     every element within RTOL * (|want| + max|want|): relative to the
 *     element, with the largest output as the floor for elements near zero
 *   onnx_model INPUT EXPECTED quantized FAKEQUANT PRESET FACTOR
 *     the relative L2 error ||got - want|| / ||want|| at most FACTOR times
 *     the error of PyTorch's fake-quantized model for PRESET (the PRESET
 *     line of FAKEQUANT, written by make_models.py)
 *
 * Prints the errors and "onnx-model: ok", or "onnx-model: FAIL" and exits 1.
 */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void readFloats(const char *path, float *data, size_t count) {
  FILE *file = fopen(path, "rb");
  if (!file || fread(data, sizeof(float), count, file) != count ||
      fgetc(file) != EOF) {
    fprintf(stderr, "%s: cannot read %zu floats (and no more)\n", path, count);
    exit(2);
  }
  fclose(file);
}

static double readFakeQuantError(const char *path, const char *preset) {
  FILE *file = fopen(path, "r");
  char line[256], name[64];
  double error;
  if (!file) {
    fprintf(stderr, "%s: cannot open\n", path);
    exit(2);
  }
  while (fgets(line, sizeof(line), file))
    if (line[0] != '#' && sscanf(line, "%63s %lf", name, &error) == 2 &&
        strcmp(name, preset) == 0) {
      fclose(file);
      return error;
    }
  fprintf(stderr, "%s: no line for %s\n", path, preset);
  exit(2);
}

int main(int argc, char **argv) {
  static float input[LOWBIT_MAIN_IN0_SIZE], want[LOWBIT_MAIN_OUT0_SIZE],
      got[LOWBIT_MAIN_OUT0_SIZE];
  if (argc < 5) {
    fprintf(stderr,
            "usage: %s INPUT EXPECTED fp32 RTOL | quantized "
            "FAKEQUANT PRESET FACTOR\n",
            argv[0]);
    return 2;
  }
  readFloats(argv[1], input, LOWBIT_MAIN_IN0_SIZE);
  readFloats(argv[2], want, LOWBIT_MAIN_OUT0_SIZE);
  if (lowbit_main(input, got) != 0) {
    printf("onnx-model: FAIL (lowbit_main returned non-zero)\n");
    return 1;
  }
  double maxWant = 0, diff2 = 0, want2 = 0, worst = 0;
  for (int i = 0; i < LOWBIT_MAIN_OUT0_SIZE; ++i)
    maxWant = fmax(maxWant, fabs(want[i]));
  int worstIndex = 0;
  for (int i = 0; i < LOWBIT_MAIN_OUT0_SIZE; ++i) {
    double d = (double)got[i] - want[i];
    diff2 += d * d;
    want2 += (double)want[i] * want[i];
    /* Error in units of |want| + max|want|; NaN counts as infinitely bad. */
    double e = isnan(got[i]) ? INFINITY : fabs(d) / (fabs(want[i]) + maxWant);
    if (e > worst) {
      worst = e;
      worstIndex = i;
    }
  }
  double relL2 = sqrt(diff2 / want2);
  int ok;
  if (strcmp(argv[3], "fp32") == 0) {
    double rtol = atof(argv[4]);
    ok = worst <= rtol;
    printf("outputs %d, worst relative error %.3g at %d (got %.9g, want "
           "%.9g), bound %g\n",
           LOWBIT_MAIN_OUT0_SIZE, worst, worstIndex, got[worstIndex],
           want[worstIndex], rtol);
  } else if (strcmp(argv[3], "quantized") == 0 && argc == 7) {
    double reference = readFakeQuantError(argv[4], argv[5]);
    double bound = atof(argv[6]) * reference;
    ok = relL2 <= bound;
    printf("%s: relative L2 error %.4g, fake-quant reference %.4g, bound "
           "%.4g\n",
           argv[5], relL2, reference, bound);
  } else {
    fprintf(stderr, "unknown mode %s\n", argv[3]);
    return 2;
  }
  printf("onnx-model: %s\n", ok ? "ok" : "FAIL");
  return ok ? 0 : 1;
}

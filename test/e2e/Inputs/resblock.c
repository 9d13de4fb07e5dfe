/* Harness for resblock.mlir (utils/gen-resblock.py): runs lowbit_resblock on
 * pseudo-random inputs and compares the logits with a plain C reference of
 * the same network, in double, from first principles:
 *   h = ReLU(conv1(pad(x)) + b1)            conv 3x3, zero padding 1
 *   r = ReLU(conv2(pad(h)) + b2)
 *   y = ReLU(conv3(pad(r)) + b3 + h)
 *   logits = fc_w . mean_{H,W}(y) + fc_b
 * with the weights of the generator's formula. A logit passes if it is
 * within TOLERANCE * max|reference logit| of the reference (the test states
 * the tolerance per preset). Needs no libm: link it as `cc resblock.c
 * model.o`.
 *
 *   resblock TOLERANCE        compare on inputs 0 to 7, print the worst error
 *   resblock --samples N F    write inputs 8 to 8 + N - 1 as raw f32 to F
 *                             (calibration data, of the same kinds)
 */
#include "resblock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_IN = 3, C = 8, S = 16, CLASSES = 10, SAMPLES = 8 };
static const int kWeightDiv[4] = {64, 128, 128, 32};

static double weight(int layer, int i) {
  return (double)((37 * i + 11 * layer) % 31 - 15) / kWeightDiv[layer];
}
static double bias(int layer, int c) {
  return (double)((7 * c + 3 * layer) % 9 - 4) / 32;
}
static double absd(double v) { return v < 0 ? -v : v; }

/* Input s: uniform in [-1, 1), except when s % 8 is 1 (all zeros: only the
 * biases reach the output) or 2 (values of +-4, beyond the rest). */
static void makeInput(int s, float *x) {
  unsigned state = 12345u + 7919u * (unsigned)s;
  for (int i = 0; i < C_IN * S * S; ++i) {
    state = state * 1103515245u + 12345u;
    x[i] = (float)((int)(state >> 8 & 0xFFFF) - 32768) / 32768.0f;
    if (s % 8 == 1)
      x[i] = 0.0f;
    if (s % 8 == 2)
      x[i] = x[i] < 0 ? -4.0f : 4.0f;
  }
}

/* out[f][y][x] = b[f] + sum_{c,i,j} w[f][c][i][j] * in[c][y+i-1][x+j-1]. */
static void conv(int layer, int channels, const double *in, double *out) {
  for (int f = 0; f < C; ++f)
    for (int y = 0; y < S; ++y)
      for (int x = 0; x < S; ++x) {
        double acc = bias(layer, f);
        for (int c = 0; c < channels; ++c)
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) {
              int yy = y + i - 1, xx = x + j - 1;
              if (yy < 0 || yy >= S || xx < 0 || xx >= S)
                continue;
              acc += weight(layer, ((f * channels + c) * 3 + i) * 3 + j) *
                     in[(c * S + yy) * S + xx];
            }
        out[(f * S + y) * S + x] = acc;
      }
}

static double relu(double v) { return v > 0 ? v : 0; }

static void reference(const float *input, double *logits) {
  static double x[C_IN * S * S], h[C * S * S], r[C * S * S], y[C * S * S];
  for (int i = 0; i < C_IN * S * S; ++i)
    x[i] = input[i];
  conv(0, C_IN, x, h);
  for (int i = 0; i < C * S * S; ++i)
    h[i] = relu(h[i]);
  conv(1, C, h, r);
  for (int i = 0; i < C * S * S; ++i)
    r[i] = relu(r[i]);
  conv(2, C, r, y);
  for (int i = 0; i < C * S * S; ++i)
    y[i] = relu(y[i] + h[i]);
  double pooled[C];
  for (int c = 0; c < C; ++c) {
    double sum = 0;
    for (int i = 0; i < S * S; ++i)
      sum += y[c * S * S + i];
    pooled[c] = sum / (S * S);
  }
  for (int n = 0; n < CLASSES; ++n) {
    logits[n] = bias(3, n);
    for (int c = 0; c < C; ++c)
      logits[n] += weight(3, n * C + c) * pooled[c];
  }
}

int main(int argc, char **argv) {
  static float x[C_IN * S * S];
  if (argc == 4 && strcmp(argv[1], "--samples") == 0) {
    FILE *file = fopen(argv[3], "wb");
    if (!file)
      return 1;
    for (int s = SAMPLES, n = atoi(argv[2]); s < SAMPLES + n; ++s) {
      makeInput(s, x);
      fwrite(x, sizeof(float), C_IN * S * S, file);
    }
    return fclose(file) != 0;
  }
  if (argc != 2) {
    printf("usage: %s TOLERANCE | --samples N FILE\n", argv[0]);
    return 2;
  }
  double tolerance = atof(argv[1]), worst = 0;
  int failures = 0;
  for (int s = 0; s < SAMPLES; ++s) {
    float out[CLASSES];
    double want[CLASSES], scale = 0;
    makeInput(s, x);
    if (lowbit_resblock(x, out) != 0) {
      printf("resblock: call failed\n");
      return 1;
    }
    reference(x, want);
    for (int n = 0; n < CLASSES; ++n)
      if (absd(want[n]) > scale)
        scale = absd(want[n]);
    for (int n = 0; n < CLASSES; ++n) {
      double err = absd(out[n] - want[n]) / scale;
      if (err > worst)
        worst = err;
      if (err > tolerance) {
        printf("sample %d logit %d: %.7g, want %.7g\n", s, n, out[n], want[n]);
        ++failures;
      }
    }
  }
  printf("resblock %s: %d samples, max error %.2e of the largest logit "
         "(tolerance %.0e)\n",
         failures ? "FAILED" : "matches", SAMPLES, worst, tolerance);
  return failures != 0;
}

/* Harness for Inputs/onnx/gelu.onnxtxt: runs lowbit_main on fixed inputs and
 * compares its six outputs with values /usr/bin/python3 computed in double
 * from the formulas (math.erf, math.tanh) and rounded to f32:
 *   exact:  0.5 x (1 + erf(x / sqrt 2))
 *   tanh:   0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
 * Bound: |got - want| <= ATOL + RTOL |want| (arguments).
 * Prints the worst error per output and "gelu: ok", or "gelu: FAIL".
 */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const float kX[16] = {-6,     -3.5,       -2, -1.25,  -1,          -0.5,
                             -0.125, -0.0,       0,  0.0625, 0.300000012, 0.75,
                             1,      1.70000005, 3,  8};
static const float kBias[16] = {0.5, -0.25,       0.125, 1,   -1,   0,
                                2,   -0.75,       0.25,  0.5, -0.5, 1.5,
                                -2,  0.100000001, -3,    1};
/* exact(x) */
static const float kExact[16] = {-5.91952587e-09,
                                 -0.000814201777,
                                 -0.0455002639,
                                 -0.132062217,
                                 -0.158655254,
                                 -0.154268769,
                                 -0.0562827219,
                                 -0,
                                 0,
                                 0.0328073543,
                                 0.185373435,
                                 0.580029486,
                                 0.841344746,
                                 1.62423877,
                                 2.99595031,
                                 8};
/* tanh(x) */
static const float kTanh[16] = {-8.43964898e-11,
                                -0.000616197655,
                                -0.0454023059,
                                -0.132285797,
                                -0.158808009,
                                -0.15428599,
                                -0.0562828014,
                                -0,
                                0,
                                0.0328073493,
                                0.185370932,
                                0.579960555,
                                0.841191991,
                                1.62410595,
                                2.99636261,
                                8};
/* tanh(x + bias) */
static const float kTanhBias[16] = {-5.92764027e-09,
                                    -0.000219252072,
                                    -0.0570009644,
                                    -0.100324649,
                                    -0.0454023059,
                                    -0.15428599,
                                    1.81799904,
                                    -0.170039445,
                                    0.149675351,
                                    0.401099394,
                                    -0.0841485661,
                                    2.22279867,
                                    -0.158808009,
                                    1.73525958,
                                    0,
                                    9};
/* exact(x + bias) */
static const float kExactBias[16] = {-1.04442594e-07,
                                     -0.00033156482,
                                     -0.0569931783,
                                     -0.100323419,
                                     -0.0455002639,
                                     -0.154268769,
                                     1.81800682,
                                     -0.169970514,
                                     0.149676581,
                                     0.401125668,
                                     -0.084148054,
                                     2.22249494,
                                     -0.158655254,
                                     1.73532548,
                                     0,
                                     9};

static int check(const char *name, const float *got, const float *want,
                 double atol, double rtol) {
  double worst = 0;
  int worstIndex = 0, bad = 0;
  for (int i = 0; i < 16; ++i) {
    double d = fabs((double)got[i] - want[i]);
    if (!(d <= atol + rtol * fabs(want[i])))
      ++bad;
    if (d > worst) {
      worst = d;
      worstIndex = i;
    }
  }
  printf("%s: worst |error| %.3g at x = %g (got %.9g, want %.9g), %d over "
         "the bound\n",
         name, worst, kX[worstIndex], got[worstIndex], want[worstIndex], bad);
  return bad == 0;
}

int main(int argc, char **argv) {
  float a[16], b[16], c[16], d[16], e[16], f[16];
  if (argc != 3) {
    fprintf(stderr, "usage: %s ATOL RTOL\n", argv[0]);
    return 2;
  }
  double atol = atof(argv[1]), rtol = atof(argv[2]);
  if (lowbit_main(kX, kBias, a, b, c, d, e, f) != 0) {
    printf("gelu: FAIL (lowbit_main returned non-zero)\n");
    return 1;
  }
  int ok = check("Gelu", a, kExact, atol, rtol);
  ok &= check("Gelu tanh", b, kTanh, atol, rtol);
  ok &= check("com.microsoft.Gelu", c, kExact, atol, rtol);
  ok &= check("com.microsoft.FastGelu bias", d, kTanhBias, atol, rtol);
  ok &= check("com.microsoft.BiasGelu", e, kExactBias, atol, rtol);
  ok &= check("com.microsoft.FastGelu", f, kTanh, atol, rtol);
  /* The sign of zero survives: 0.5 * -0 * (1 + erf(-0)) is -0. */
  ok &= signbit(a[7]) && signbit(b[7]) && !signbit(a[8]);
  printf("gelu: %s\n", ok ? "ok" : "FAIL");
  return ok ? 0 : 1;
}

/* Evaluates a compiled tinylm (lowbitc --header=tinylm.h) on the model's
 * protocol: windows of 64 token ids with stride 64 over the first 20,000 ids
 * of test.bin; window w reads ids[64w .. 64w+63] and predicts
 * ids[64w+1 .. 64w+64]; prints the mean cross-entropy in bits per character
 * (log-sum-exp in double), the time per window, and the page faults of the
 * timed calls (through the caller-owned workspace, after a warm-up call).
 *
 *   tinylm_bpc test.bin [windows [expected-bpc tolerance | --write=FILE |
 *                                  --compare=FILE tolerance]]
 *
 * With an expected value, exits 1 unless |bpc - expected| <= tolerance;
 * --write=FILE writes every window's logits (raw floats) to FILE;
 * --compare=FILE exits 1 unless every logit is within tolerance of FILE's.
 */
#include "tinylm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

enum { kContext = 64, kVocab = 100, kTestIds = 20000 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static long pageFaults(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt + usage.ru_majflt;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr,
            "usage: %s test.bin [windows [expected-bpc tolerance | "
            "--write=FILE]]\n",
            argv[0]);
    return 2;
  }
  FILE *file = fopen(argv[1], "rb");
  if (!file) {
    perror(argv[1]);
    return 2;
  }
  static unsigned char ids[kTestIds + 1];
  size_t count = fread(ids, 1, sizeof ids, file);
  fclose(file);
  int windows = (kTestIds - 1) / kContext; /* 312: the last target exists */
  if (argc > 2 && atoi(argv[2]) > 0 && atoi(argv[2]) < windows)
    windows = atoi(argv[2]);
  if (count < (size_t)windows * kContext + 1) {
    fprintf(stderr, "%s: %zu ids, need %d\n", argv[1], count,
            windows * kContext + 1);
    return 2;
  }

  FILE *dump = NULL, *reference = NULL;
  if (argc > 3 && strncmp(argv[3], "--write=", 8) == 0 &&
      !(dump = fopen(argv[3] + 8, "wb"))) {
    perror(argv[3] + 8);
    return 2;
  }
  if (argc > 4 && strncmp(argv[3], "--compare=", 10) == 0 &&
      !(reference = fopen(argv[3] + 10, "rb"))) {
    perror(argv[3] + 10);
    return 2;
  }
  double worstDifference = 0;
  void *workspace =
      aligned_alloc(64, (lowbit_tinylm_workspace_size() + 63) / 64 * 64);
  static int32_t tokens[kContext];
  static float logits[kContext * kVocab];
  /* Warm-up: the first call touches the workspace and the weights. */
  for (int i = 0; i < kContext; ++i)
    tokens[i] = ids[i];
  if (lowbit_tinylm_with_workspace(tokens, logits, workspace) != 0)
    return 1;
  /* The simple entry point computes the same bits. */
  static float simple[kContext * kVocab];
  if (lowbit_tinylm(tokens, simple) != 0)
    return 1;
  for (int i = 0; i < kContext * kVocab; ++i)
    if (simple[i] != logits[i] && !(isnan(simple[i]) && isnan(logits[i]))) {
      fprintf(stderr,
              "lowbit_tinylm and lowbit_tinylm_with_workspace differ "
              "at %d: %g vs %g\n",
              i, simple[i], logits[i]);
      return 1;
    }

  double nats = 0, seconds = 0;
  long faults = 0;
  for (int w = 0; w < windows; ++w) {
    const unsigned char *window = ids + w * kContext;
    for (int i = 0; i < kContext; ++i)
      tokens[i] = window[i];
    long faultsBefore = pageFaults();
    double start = now();
    if (lowbit_tinylm_with_workspace(tokens, logits, workspace) != 0)
      return 1;
    seconds += now() - start;
    faults += pageFaults() - faultsBefore;
    if (dump && fwrite(logits, sizeof logits, 1, dump) != 1)
      return 2;
    if (reference) {
      static float expected[kContext * kVocab];
      if (fread(expected, sizeof expected, 1, reference) != 1)
        return 2;
      for (int i = 0; i < kContext * kVocab; ++i)
        worstDifference = fmax(worstDifference, fabs(logits[i] - expected[i]));
    }
    for (int p = 0; p < kContext; ++p) {
      const float *row = logits + p * kVocab;
      double max = row[0];
      for (int v = 1; v < kVocab; ++v)
        max = row[v] > max ? row[v] : max;
      double sum = 0;
      for (int v = 0; v < kVocab; ++v)
        sum += exp((double)row[v] - max);
      nats += max + log(sum) - row[window[p + 1]];
    }
  }
  free(workspace);
  if (dump)
    fclose(dump);
  if (reference) {
    fclose(reference);
    printf("max |logit - reference| %.2e\n", worstDifference);
    if (!(worstDifference <= atof(argv[4])))
      return 1;
  }
  double bpc = nats / (windows * kContext) / log(2.0);
  printf("windows %d positions %d bpc %.4f ms-per-window %.3f "
         "page-faults-per-call %.2f\n",
         windows, windows * kContext, bpc, 1e3 * seconds / windows,
         (double)faults / windows);
  if (argc > 4 && !dump && !reference &&
      fabs(bpc - atof(argv[3])) > atof(argv[4])) {
    fprintf(stderr, "bpc %.4f is not within %s of %s\n", bpc, argv[4], argv[3]);
    return 1;
  }
  return 0;
}

/* Runs a compiled LeNet (int lowbit_lenet(const float *in, float *out)) on an
 * MNIST IDX test set and prints its top-1 accuracy.
 *
 *   mnist_lenet IMAGES.idx LABELS.idx [COUNT [MIN_ACCURACY_PERCENT]]
 *
 * Exits with 1 when the accuracy is below MIN_ACCURACY_PERCENT.
 *
 * Preprocessing (as the model was trained): x = (pixel / 255 - 0.1307) /
 * 0.3081 on the 28x28 image, padded with 0.0 by 2 on every side to 32x32. */
#include "lenet.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint32_t readBigEndian32(FILE *file) {
  unsigned char b[4];
  if (fread(b, 1, 4, file) != 4)
    return 0;
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
         (uint32_t)b[3];
}

/* Reads an IDX file with the given magic; returns its bytes and sets *count
 * (first dimension) and *itemSize (product of the other dimensions). */
static unsigned char *readIdx(const char *path, uint32_t magic, uint32_t *count,
                              uint32_t *itemSize) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "cannot open %s\n", path);
    return NULL;
  }
  if (readBigEndian32(file) != magic) {
    fprintf(stderr, "%s: not an IDX file with magic 0x%08x\n", path, magic);
    fclose(file);
    return NULL;
  }
  *count = readBigEndian32(file);
  *itemSize = 1;
  for (uint32_t d = 1; d < (magic & 0xff); ++d)
    *itemSize *= readBigEndian32(file);
  size_t bytes = (size_t)*count * *itemSize;
  unsigned char *data = malloc(bytes);
  if (!data || fread(data, 1, bytes, file) != bytes) {
    fprintf(stderr, "%s: truncated\n", path);
    free(data);
    fclose(file);
    return NULL;
  }
  fclose(file);
  return data;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s IMAGES.idx LABELS.idx [COUNT [MIN_ACCURACY]]\n",
            argv[0]);
    return 2;
  }
  uint32_t imageCount, imageSize, labelCount, labelSize;
  unsigned char *images = readIdx(argv[1], 0x00000803, &imageCount, &imageSize);
  unsigned char *labels = readIdx(argv[2], 0x00000801, &labelCount, &labelSize);
  if (!images || !labels || imageSize != 28 * 28 || labelCount != imageCount) {
    fprintf(stderr, "expected 28x28 images with one label each\n");
    return 2;
  }
  uint32_t count = imageCount;
  if (argc > 3 && (uint32_t)atoi(argv[3]) < count)
    count = (uint32_t)atoi(argv[3]);

  static float input[LOWBIT_LENET_IN0_SIZE];
  static float logits[LOWBIT_LENET_OUT0_SIZE];
  uint32_t correct = 0;
  clock_t start = clock();
  for (uint32_t n = 0; n < count; ++n) {
    for (int i = 0; i < 32 * 32; ++i)
      input[i] = 0.0f;
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x)
        input[(y + 2) * 32 + (x + 2)] =
            ((float)images[(size_t)n * 784 + y * 28 + x] / 255.0f - 0.1307f) /
            0.3081f;
    if (lowbit_lenet(input, logits) != 0) {
      fprintf(stderr, "lowbit_lenet failed on image %u\n", n);
      return 1;
    }
    int best = 0;
    for (int c = 1; c < LOWBIT_LENET_OUT0_SIZE; ++c)
      if (logits[c] > logits[best])
        best = c;
    correct += best == labels[n];
  }
  double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
  printf("images %u correct %u accuracy %.2f%% time-per-image-us %.1f\n", count,
         correct, 100.0 * correct / count, 1e6 * seconds / count);
  free(images);
  free(labels);
  if (argc > 4 && 100.0 * correct / count < atof(argv[4])) {
    fprintf(stderr, "accuracy %.2f%% is below the threshold %s%%\n",
            100.0 * correct / count, argv[4]);
    return 1;
  }
  return 0;
}

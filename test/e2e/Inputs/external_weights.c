/* Runs a model compiled by lowbitc on consecutive inputs and writes its
 * outputs (raw) to a file, so that the embedded and the external-weights
 * builds of one model can be compared bit for bit with cmp. Compile with
 * -include MODEL.h -DMODEL=name -DMODEL_UPPER=NAME -DIN_T=type (in0's C
 * element type), and -DEXTERNAL for --weights=external:
 *
 *   external_weights INPUT OFFSET COUNT OUTPUT [WEIGHTS [--corrupt=BYTE]]
 *
 * Each input element is one byte of INPUT from OFFSET on (integer inputs
 * take it as is, float ones / 255). WEIGHTS is read into 64-byte aligned
 * memory (2 MiB aligned and madvise(MADV_HUGEPAGE) from 2 MiB on) and
 * checked with NAME_check_weights; --corrupt=BYTE flips a bit of that byte
 * first, and the check must then reject the file, also truncated and one
 * byte off its alignment (the program prints the checks' results and exits
 * 0 without running the model).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CAT(a, b) a##b
#define XCAT(a, b) CAT(a, b)
#define FN(suffix) XCAT(XCAT(lowbit_, MODEL), suffix)
#define NAME XCAT(lowbit_, MODEL)
#define MACRO(suffix) XCAT(XCAT(LOWBIT_, MODEL_UPPER), suffix)
#define IN_SIZE MACRO(_IN0_SIZE)
#define OUT_SIZE MACRO(_OUT0_SIZE)

static void *readAll(const char *path, size_t *size, size_t alignment) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    perror(path);
    exit(1);
  }
  fseek(file, 0, SEEK_END);
  *size = (size_t)ftell(file);
  fseek(file, 0, SEEK_SET);
  void *data = NULL;
  if (posix_memalign(&data, alignment,
                     (*size + alignment - 1) / alignment * alignment) != 0) {
    fprintf(stderr, "%s: cannot allocate %zu bytes\n", path, *size);
    exit(1);
  }
#ifdef MADV_HUGEPAGE
  if (alignment >= (2u << 20))
    madvise(data, (*size + alignment - 1) / alignment * alignment,
            MADV_HUGEPAGE);
#endif
  if (fread(data, 1, *size, file) != *size) {
    fprintf(stderr, "%s: short read\n", path);
    exit(1);
  }
  fclose(file);
  return data;
}

int main(int argc, char **argv) {
#ifdef EXTERNAL
  if (argc < 6) {
#else
  if (argc < 5) {
#endif
    fprintf(stderr,
            "usage: %s INPUT OFFSET COUNT OUTPUT [WEIGHTS [--corrupt=BYTE]]\n",
            argv[0]);
    return 2;
  }
  size_t inputBytes;
  unsigned char *input = readAll(argv[1], &inputBytes, 64);
  long offset = atol(argv[2]), count = atol(argv[3]);
  if (offset < 0 || count <= 0 ||
      (size_t)(offset + count * IN_SIZE) > inputBytes) {
    fprintf(stderr, "%s: too short for %ld inputs\n", argv[1], count);
    return 1;
  }
#ifdef EXTERNAL
  size_t size;
  size_t alignment = FN(_weights_size)() >= (2u << 20) ? (2u << 20) : 64;
  unsigned char *weights = readAll(argv[5], &size, alignment);
  if (FN(_weights_size)() != MACRO(_WEIGHTS_SIZE)) {
    fprintf(stderr, "the weights size and its macro differ\n");
    return 1;
  }
  if (argc > 6 && strncmp(argv[6], "--corrupt=", 10) == 0) {
    long byte = atol(argv[6] + 10);
    weights[byte] ^= 0x10;
    printf("corrupted byte %ld: check %d\n", byte,
           FN(_check_weights)(weights, size));
    printf("truncated: check %d\n", FN(_check_weights)(weights, size - 64));
    unsigned char *shifted = malloc(size + 64);
    if (!shifted)
      return 1;
    unsigned char *misaligned =
        shifted + (64 - (uintptr_t)shifted % 64) % 64 + 1;
    memcpy(misaligned, weights, size);
    printf("misaligned: check %d\n", FN(_check_weights)(misaligned, size));
    free(shifted);
    return 0;
  }
  int check = FN(_check_weights)(weights, size);
  printf("weights %zu bytes: check %d\n", size, check);
  if (check != 0)
    return 1;
#define ARGS(...) weights, __VA_ARGS__
#else
#define ARGS(...) __VA_ARGS__
#endif
  void *workspace = NULL;
  if (posix_memalign(&workspace, 64, (FN(_workspace_size)() + 63) / 64 * 64))
    return 1;
  FILE *out = fopen(argv[4], "wb");
  if (!out) {
    perror(argv[4]);
    return 1;
  }
  static IN_T in[IN_SIZE];
  static float result[OUT_SIZE], simple[OUT_SIZE];
  for (long n = 0; n < count; ++n) {
    for (long i = 0; i < IN_SIZE; ++i) {
      IN_T value = (IN_T)input[offset + n * IN_SIZE + i];
      /* Float inputs in [0, 1]; integer ones (token ids) as they are. */
      in[i] = (IN_T)0.5 != 0 ? value / 255 : value;
    }
    if (FN(_with_workspace)(ARGS(in, result, workspace)) != 0 ||
        NAME(ARGS(in, simple)) != 0)
      return 1;
    if (memcmp(result, simple, sizeof result) != 0) {
      fprintf(stderr, "the simple and workspace forms differ\n");
      return 1;
    }
    fwrite(result, sizeof result, 1, out);
  }
  fclose(out);
  printf("ran %ld inputs\n", count);
  return 0;
}

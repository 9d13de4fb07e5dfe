//===- HugePages.h - how much memory is on transparent huge pages -*- C++
//-*-===//

#ifndef LOWBIT_BENCH_HUGEPAGES_H
#define LOWBIT_BENCH_HUGEPAGES_H

#include <cstdio>

/// MiB of this process's anonymous memory on transparent huge pages, or -1
/// where the kernel does not say (/proc/self/smaps_rollup, Linux >= 4.14).
inline double anonHugePageMiB() {
  std::FILE *file = std::fopen("/proc/self/smaps_rollup", "r");
  if (!file)
    return -1;
  char line[256];
  double result = -1;
  long long kib = 0;
  while (std::fgets(line, sizeof line, file))
    if (std::sscanf(line, "AnonHugePages: %lld kB", &kib) == 1)
      result = kib / 1024.0;
  std::fclose(file);
  return result;
}

#endif // LOWBIT_BENCH_HUGEPAGES_H

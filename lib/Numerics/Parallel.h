//===- Parallel.h - Deterministic task runner (private) ---------*- C++ -*-===//
//
// Runs tasks 0..numTasks-1 on up to numThreads threads. Callers split their
// work into tasks whose boundaries do not depend on the thread count and whose
// outputs are disjoint, which makes every result independent of the number of
// threads.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_NUMERICS_PARALLEL_H
#define LOWBIT_LIB_NUMERICS_PARALLEL_H

#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"

#include <algorithm>
#include <atomic>
#include <cstdint>

namespace lowbit::numerics::detail {

inline unsigned resolveThreadCount(unsigned requested) {
  if (requested == 0)
    return std::max(1u, llvm::hardware_concurrency().compute_thread_count());
  return requested;
}

template <typename Fn>
void runTasks(int64_t numTasks, unsigned numThreads, Fn &&fn) {
  unsigned threads = resolveThreadCount(numThreads);
  if (threads <= 1 || numTasks <= 1) {
    for (int64_t t = 0; t < numTasks; ++t)
      fn(t);
    return;
  }
  unsigned workers =
      static_cast<unsigned>(std::min<int64_t>(threads, numTasks));
  std::atomic<int64_t> next{0};
  llvm::DefaultThreadPool pool(llvm::hardware_concurrency(workers));
  for (unsigned w = 0; w < workers; ++w)
    pool.async([&] {
      for (int64_t t = next.fetch_add(1); t < numTasks; t = next.fetch_add(1))
        fn(t);
    });
  pool.wait();
}

/// Lowers `slot` to `value` if smaller (for "first failing index" reporting).
inline void atomicMin(std::atomic<int64_t> &slot, int64_t value) {
  int64_t cur = slot.load();
  while (value < cur && !slot.compare_exchange_weak(cur, value)) {
  }
}

} // namespace lowbit::numerics::detail

#endif // LOWBIT_LIB_NUMERICS_PARALLEL_H

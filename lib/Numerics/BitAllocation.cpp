//===- BitAllocation.cpp - mixed precision under a size budget ------------===//

#include "lowbit/Numerics/BitAllocation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

using namespace lowbit::numerics;

static std::optional<std::vector<unsigned>>
allocateGreedy(llvm::ArrayRef<AllocationLayer> layers, double budget) {
  std::vector<unsigned> choice(layers.size());
  double used = 0.0;
  for (size_t l = 0; l < layers.size(); ++l) {
    const auto &c = layers[l].candidates;
    unsigned smallest = 0;
    for (unsigned i = 1; i < c.size(); ++i)
      if (c[i].bits < c[smallest].bits ||
          (c[i].bits == c[smallest].bits && c[i].error < c[smallest].error))
        smallest = i;
    choice[l] = smallest;
    used += c[smallest].bits;
  }
  if (used > budget)
    return std::nullopt;
  while (true) {
    double bestRatio = 0.0;
    size_t bestLayer = 0;
    unsigned bestCandidate = 0;
    bool found = false;
    for (size_t l = 0; l < layers.size(); ++l) {
      const auto &c = layers[l].candidates;
      const AllocationCandidate &now = c[choice[l]];
      for (unsigned i = 0; i < c.size(); ++i) {
        double extra = c[i].bits - now.bits, gain = now.error - c[i].error;
        if (gain <= 0.0 || used + extra > budget)
          continue;
        // A free improvement comes first.
        double ratio = extra <= 0.0 ? std::numeric_limits<double>::infinity()
                                    : gain / extra;
        if (!found || ratio > bestRatio) {
          found = true;
          bestRatio = ratio;
          bestLayer = l;
          bestCandidate = i;
        }
      }
    }
    if (!found)
      return choice;
    used += layers[bestLayer].candidates[bestCandidate].bits -
            layers[bestLayer].candidates[choice[bestLayer]].bits;
    choice[bestLayer] = bestCandidate;
  }
}

static std::optional<std::vector<unsigned>>
allocateDp(llvm::ArrayRef<AllocationLayer> layers, double budget) {
  // Sizes in units of their greatest common divisor when they are whole
  // numbers of bits (exact), else in 1/65536 of the budget, rounded up (the
  // choice always fits).
  int64_t g = 0;
  bool whole = true;
  for (const AllocationLayer &layer : layers)
    for (const AllocationCandidate &c : layer.candidates) {
      if (!(c.bits >= 0.0) || c.bits > 9e15 || std::floor(c.bits) != c.bits)
        whole = false;
      else
        g = std::gcd(g, int64_t(c.bits));
    }
  double unit = budget / 65536.0;
  int64_t kUnits = 65536;
  if (whole && g > 0 && std::floor(budget / double(g)) <= double(1 << 18)) {
    unit = double(g);
    kUnits = int64_t(std::floor(budget / unit));
  }
  auto cost = [&](const AllocationCandidate &c) {
    return unit > 0.0 ? int64_t(std::ceil(c.bits / unit)) : 0;
  };
  const double inf = std::numeric_limits<double>::infinity();
  // best[u]: least error of the layers so far within u units.
  std::vector<double> best(kUnits + 1, 0.0), next(kUnits + 1);
  std::vector<std::vector<int>> pick(layers.size(),
                                     std::vector<int>(kUnits + 1, -1));
  for (size_t l = 0; l < layers.size(); ++l) {
    std::fill(next.begin(), next.end(), inf);
    const auto &c = layers[l].candidates;
    for (int64_t u = 0; u <= kUnits; ++u)
      for (unsigned i = 0; i < c.size(); ++i) {
        int64_t w = cost(c[i]);
        if (w > u || best[u - w] == inf)
          continue;
        double e = best[u - w] + c[i].error;
        if (e < next[u]) {
          next[u] = e;
          pick[l][u] = int(i);
        }
      }
    best.swap(next);
  }
  if (best[kUnits] == inf)
    return std::nullopt;
  std::vector<unsigned> choice(layers.size());
  int64_t u = kUnits;
  for (size_t l = layers.size(); l-- > 0;) {
    int i = pick[l][u];
    choice[l] = unsigned(i);
    u -= cost(layers[l].candidates[i]);
  }
  return choice;
}

std::optional<std::vector<unsigned>>
lowbit::numerics::allocateBits(llvm::ArrayRef<AllocationLayer> layers,
                               double budgetBitsPerWeight,
                               AllocationMethod method) {
  double weights = 0.0;
  for (const AllocationLayer &layer : layers) {
    if (layer.candidates.empty())
      return std::nullopt;
    weights += double(layer.numWeights);
  }
  if (!(budgetBitsPerWeight > 0.0) || !std::isfinite(budgetBitsPerWeight))
    return std::nullopt;
  double budget = budgetBitsPerWeight * weights;
  return method == AllocationMethod::Dp ? allocateDp(layers, budget)
                                        : allocateGreedy(layers, budget);
}

//===- BitAllocation.h - mixed precision under a size budget ----*- C++ -*-===//
//
// Chooses one scheme per layer from a menu so that the model's weights fit a
// budget of average bits per weight (codes and parameters as stored) and the
// sum of the layers' errors (e.g. their output errors on the calibration
// set) is least: a multiple-choice knapsack.
//
//  * Dp: exact (sizes in whole bits, in units of their common divisor), or
//    over sizes rounded up to 1/65536 of the budget (the choice always fits).
//  * Greedy: every layer starts at its smallest candidate; then the upgrade
//    with the largest error reduction per added bit that still fits is taken,
//    until none fits.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_BITALLOCATION_H
#define LOWBIT_NUMERICS_BITALLOCATION_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace lowbit::numerics {

struct AllocationCandidate {
  double bits = 0.0;  ///< total storage of the layer's weight, in bits
  double error = 0.0; ///< the layer's error with this scheme
};

struct AllocationLayer {
  int64_t numWeights = 0;
  std::vector<AllocationCandidate> candidates;
};

enum class AllocationMethod { Dp, Greedy };

/// The index of the chosen candidate of every layer, or std::nullopt when
/// even the smallest candidates exceed `budgetBitsPerWeight` (average over
/// all layers' weights) or a layer has no candidate.
std::optional<std::vector<unsigned>>
allocateBits(llvm::ArrayRef<AllocationLayer> layers, double budgetBitsPerWeight,
             AllocationMethod method = AllocationMethod::Dp);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_BITALLOCATION_H

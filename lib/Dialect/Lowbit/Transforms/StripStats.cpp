//===- StripStats.cpp - remove calibration statistics ---------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITSTRIPSTATS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {
struct LowbitStripStatsPass
    : public lowbit::impl::LowbitStripStatsBase<LowbitStripStatsPass> {
  void runOnOperation() override {
    getOperation()->walk([](StatsOp stats) {
      stats.replaceAllUsesWith(stats.getInput());
      stats.erase();
    });
  }
};
} // namespace

//===- ErrorMetrics.cpp - Quantization error metrics ----------------------===//

#include "lowbit/Numerics/ErrorMetrics.h"

#include <cassert>
#include <cmath>
#include <limits>

using namespace lowbit::numerics;

ErrorStats lowbit::numerics::computeErrorStats(llvm::ArrayRef<float> reference,
                                               llvm::ArrayRef<float> test) {
  assert(reference.size() == test.size() && "length mismatch");
  ErrorStats s;
  double signal = 0.0, noise = 0.0;
  for (size_t i = 0, e = reference.size(); i < e; ++i) {
    double r = reference[i];
    double d = r - double(test[i]);
    signal += r * r;
    noise += d * d;
    if (s.argMaxAbs < 0 || std::fabs(d) > s.maxAbs) {
      s.maxAbs = std::fabs(d);
      s.argMaxAbs = int64_t(i);
    }
  }
  s.mse = reference.empty() ? 0.0 : noise / double(reference.size());
  if (noise == 0.0)
    s.sqnrDb = std::numeric_limits<double>::infinity();
  else if (signal == 0.0)
    s.sqnrDb = -std::numeric_limits<double>::infinity();
  else
    s.sqnrDb = 10.0 * std::log10(signal / noise);
  return s;
}

double lowbit::numerics::meanSquaredError(llvm::ArrayRef<float> reference,
                                          llvm::ArrayRef<float> test) {
  return computeErrorStats(reference, test).mse;
}

double lowbit::numerics::maxAbsError(llvm::ArrayRef<float> reference,
                                     llvm::ArrayRef<float> test) {
  return computeErrorStats(reference, test).maxAbs;
}

double lowbit::numerics::sqnrDb(llvm::ArrayRef<float> reference,
                                llvm::ArrayRef<float> test) {
  return computeErrorStats(reference, test).sqnrDb;
}

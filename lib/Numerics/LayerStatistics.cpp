//===- LayerStatistics.cpp - input statistics of a layer ------------------===//

#include "lowbit/Numerics/LayerStatistics.h"

#include "Parallel.h"

#include <cassert>
#include <cmath>

using namespace lowbit::numerics;
using lowbit::numerics::detail::runTasks;

InputStatistics::InputStatistics(int64_t k)
    : k(k), upper(k * k, 0.0), sumAbs(k, 0.0), row(k, 0.0) {}

void InputStatistics::addRows(llvm::ArrayRef<float> rows) {
  assert(k > 0 && rows.size() % k == 0 && "not a whole number of rows");
  int64_t m = int64_t(rows.size()) / k;
  for (int64_t r = 0; r < m; ++r) {
    const float *x = rows.data() + r * k;
    bool finite = true;
    for (int64_t i = 0; i < k; ++i)
      finite &= std::isfinite(x[i]);
    if (!finite) {
      ++numNonFinite;
      continue;
    }
    ++numRows;
    for (int64_t i = 0; i < k; ++i) {
      row[i] = double(x[i]);
      sumAbs[i] += std::fabs(row[i]);
    }
    // Rank-1 update of the upper triangle; zero inputs (ReLU, padding) cost
    // nothing.
    for (int64_t i = 0; i < k; ++i) {
      double xi = row[i];
      if (xi == 0.0)
        continue;
      double *h = upper.data() + i * k;
      const double *xs = row.data();
      for (int64_t j = i; j < k; ++j)
        h[j] += xi * xs[j];
    }
  }
}

void InputStatistics::merge(const InputStatistics &other) {
  assert(other.k == k && "different K");
  for (size_t i = 0; i < upper.size(); ++i)
    upper[i] += other.upper[i];
  for (int64_t i = 0; i < k; ++i)
    sumAbs[i] += other.sumAbs[i];
  numRows += other.numRows;
  numNonFinite += other.numNonFinite;
}

std::vector<double> InputStatistics::getHessian() const {
  std::vector<double> h(k * k);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = i; j < k; ++j)
      h[i * k + j] = h[j * k + i] = upper[i * k + j];
  return h;
}

std::vector<float> InputStatistics::getMeanAbs() const {
  std::vector<float> mean(k, 0.0f);
  if (numRows > 0)
    for (int64_t i = 0; i < k; ++i)
      mean[i] = float(sumAbs[i] / double(numRows));
  return mean;
}

double lowbit::numerics::layerOutputError(llvm::ArrayRef<float> weights,
                                          llvm::ArrayRef<float> approx,
                                          int64_t n, int64_t k,
                                          llvm::ArrayRef<double> hessian,
                                          unsigned numThreads) {
  assert(int64_t(weights.size()) == n * k && weights.size() == approx.size() &&
         int64_t(hessian.size()) == k * k && "shape mismatch");
  // One task per row, summed in row order: independent of the thread count.
  std::vector<double> perRow(n, 0.0);
  runTasks(n, numThreads, [&](int64_t r) {
    std::vector<double> d(k), hd(k, 0.0);
    for (int64_t i = 0; i < k; ++i)
      d[i] = double(weights[r * k + i]) - double(approx[r * k + i]);
    double total = 0.0;
    for (int64_t i = 0; i < k; ++i) {
      if (d[i] == 0.0)
        continue;
      const double *h = hessian.data() + i * k;
      double acc = 0.0;
      for (int64_t j = 0; j < k; ++j)
        acc += h[j] * d[j];
      total += d[i] * acc;
    }
    perRow[r] = total;
  });
  double sum = 0.0;
  for (double v : perRow)
    sum += v;
  return sum;
}

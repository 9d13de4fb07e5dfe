//===- Gptq.cpp - GPTQ weight quantization --------------------------------===//

#include "lowbit/Numerics/Gptq.h"

#include "Parallel.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace lowbit::numerics;
using lowbit::numerics::detail::runTasks;

bool lowbit::numerics::choleskyLower(llvm::MutableArrayRef<double> a,
                                     int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    double *aj = a.data() + j * n;
    double d = aj[j];
    for (int64_t p = 0; p < j; ++p)
      d -= aj[p] * aj[p];
    if (!(d > 0.0) || !std::isfinite(d))
      return false;
    d = std::sqrt(d);
    aj[j] = d;
    for (int64_t i = j + 1; i < n; ++i) {
      double *ai = a.data() + i * n;
      double s = ai[j];
      for (int64_t p = 0; p < j; ++p)
        s -= ai[p] * aj[p];
      ai[j] = s / d;
    }
  }
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j)
      a[i * n + j] = 0.0;
  return true;
}

std::optional<std::vector<double>>
lowbit::numerics::inverseUpperCholesky(llvm::ArrayRef<double> a, int64_t n) {
  std::vector<double> l(a.begin(), a.end());
  if (!choleskyLower(l, n))
    return std::nullopt;
  // M = L^-1 (lower triangular), column by column by forward substitution.
  std::vector<double> m(n * n, 0.0);
  for (int64_t c = 0; c < n; ++c) {
    m[c * n + c] = 1.0 / l[c * n + c];
    for (int64_t i = c + 1; i < n; ++i) {
      double s = 0.0;
      for (int64_t p = c; p < i; ++p)
        s += l[i * n + p] * m[p * n + c];
      m[i * n + c] = -s / l[i * n + i];
    }
  }
  // a^-1 = M^T M (symmetric).
  std::vector<double> inv(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i; j < n; ++j) {
      double s = 0.0;
      for (int64_t p = j; p < n; ++p)
        s += m[p * n + i] * m[p * n + j];
      inv[i * n + j] = inv[j * n + i] = s;
    }
  // Its lower factor, transposed: the upper factor.
  if (!choleskyLower(inv, n))
    return std::nullopt;
  std::vector<double> u(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j <= i; ++j)
      u[j * n + i] = inv[i * n + j];
  return u;
}

/// Parameters for a group reached by GPTQ: those of its current
/// (error-updated) values or those of its original values, whichever
/// quantizes the current values with the smaller loss increase
/// sum_j (w_j - Q(w_j))^2 / Hinv[j][j], Hinv the inverse of the statistics
/// of the inputs not yet quantized (what the loss of quantizing w_j alone
/// would be). The error feedback can widen a
/// group's range; at 2 bits the original range is often the better grid.
static std::optional<QuantParams>
chooseGroupParams(const Quantizer &q, llvm::ArrayRef<float> current,
                  llvm::ArrayRef<float> original, llvm::ArrayRef<double> diag,
                  const ClippingOptions &clipping) {
  std::optional<QuantParams> a = q.paramsForValues(current, clipping);
  std::optional<QuantParams> b = q.paramsForValues(original, clipping);
  if (!a || !b)
    return a ? a : b;
  auto loss = [&](const QuantParams &p) {
    double sum = 0.0;
    for (size_t j = 0; j < current.size(); ++j) {
      double e = (double(current[j]) -
                  double(q.dequantize(q.quantize(current[j], p), p))) /
                 std::sqrt(diag[j]);
      sum += e * e;
    }
    return sum;
  };
  return loss(*b) < loss(*a) ? b : a;
}

static QuantError gptqError(std::string message) {
  return QuantError{QuantError::Kind::InvalidParams, -1, std::move(message)};
}

Result<QuantizedTensor>
lowbit::numerics::gptqQuantize(llvm::ArrayRef<float> weights, int64_t n,
                               int64_t k, llvm::ArrayRef<double> hessian,
                               const Scheme &scheme,
                               const Granularity &granularity,
                               const GptqOptions &options, GptqReport *report) {
  Result<Quantizer> qr = Quantizer::create(scheme);
  if (!qr)
    return qr.error();
  const Quantizer &q = *qr;
  if (auto msg = verifyGranularity(granularity, {n, k}))
    return QuantError{QuantError::Kind::InvalidGranularity, -1, *msg};
  bool perGroup = granularity.kind == GranularityKind::PerGroup;
  if ((granularity.kind == GranularityKind::PerChannel &&
       granularity.axis != 0) ||
      (perGroup && granularity.axis != 1))
    return QuantError{QuantError::Kind::InvalidGranularity, -1,
                      "GPTQ needs per-channel parameters along axis 0 or "
                      "groups along axis 1 of a [N, K] weight"};
  if (int64_t(weights.size()) != n * k)
    return QuantError{QuantError::Kind::InvalidShape, -1,
                      "expected " + std::to_string(n * k) + " weights"};
  if (std::optional<int64_t> bad = findNonFinite(weights))
    return QuantError{QuantError::Kind::NonFinite, *bad,
                      "non-finite weight at flat index " +
                          std::to_string(*bad)};
  if (int64_t(hessian.size()) != k * k)
    return gptqError("the input statistics are not " + std::to_string(k) +
                     " x " + std::to_string(k));
  for (size_t i = 0; i < hessian.size(); ++i)
    if (!std::isfinite(hessian[i]))
      return gptqError("the input statistics hold a non-finite value at [" +
                       std::to_string(int64_t(i) / k) + ", " +
                       std::to_string(int64_t(i) % k) + "]");
  if (!(options.dampening >= 0.0) || !std::isfinite(options.dampening))
    return gptqError("dampening must be a finite number >= 0");
  if (options.blockSize <= 0)
    return gptqError("the block size must be positive");

  // Column order: identity, or decreasing diag(H) (stable).
  std::vector<int64_t> perm(k);
  std::iota(perm.begin(), perm.end(), 0);
  if (options.actOrder)
    std::sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) {
      double da = hessian[a * k + a], db = hessian[b * k + b];
      return da > db || (da == db && a < b); // ties: input order
    });

  // H' = permuted H, dead inputs decoupled, damped.
  std::vector<double> h(k * k);
  double meanDiag = 0.0;
  int64_t dead = 0;
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < k; ++j)
      h[i * k + j] = hessian[perm[i] * k + perm[j]];
  for (int64_t i = 0; i < k; ++i) {
    if (h[i * k + i] <= 0.0) {
      ++dead;
      for (int64_t j = 0; j < k; ++j)
        h[i * k + j] = h[j * k + i] = 0.0;
      h[i * k + i] = 1.0;
    }
    meanDiag += h[i * k + i];
  }
  meanDiag /= double(k);
  double lambda = options.dampening * meanDiag;
  std::optional<std::vector<double>> u;
  for (int attempt = 0; attempt < 6; ++attempt) {
    std::vector<double> damped = h;
    for (int64_t i = 0; i < k; ++i)
      damped[i * k + i] += lambda;
    if ((u = inverseUpperCholesky(damped, k)))
      break;
    lambda = lambda > 0.0 ? lambda * 10.0 : 1e-6 * meanDiag;
  }
  if (!u)
    return gptqError("the input statistics are not positive definite, even "
                     "with damping " +
                     std::to_string(lambda));
  if (report) {
    report->lambda = lambda;
    report->deadInputs = dead;
  }

  QuantizedTensor out;
  out.shape = {n, k};
  out.paramShape = getParamShape({n, k}, granularity);
  out.bits = scheme.bits;
  out.isSigned = scheme.isSigned && scheme.codebook.empty();
  out.codes.assign(n * k, 0);
  int64_t numParams = getNumElements(out.paramShape);
  QuantParams zeroGroup = *q.paramsForRange(0.0f, 0.0f);
  out.scales.assign(numParams, zeroGroup.scale);
  out.zeroPoints.assign(numParams, zeroGroup.zeroPoint);
  out.mins.assign(numParams, zeroGroup.min);
  auto store = [&](int64_t i, const QuantParams &p) {
    out.scales[i] = p.scale;
    out.zeroPoints[i] = p.zeroPoint;
    out.mins[i] = p.min;
  };

  // Parameters fixed up front: per-tensor, per-channel, and act-order groups
  // (from the original weight, in the original column order).
  bool overflow = false;
  int64_t groupSize = perGroup ? granularity.groupSize : k;
  int64_t groups = perGroup ? (k + groupSize - 1) / groupSize : 1;
  if (granularity.kind == GranularityKind::PerTensor) {
    std::optional<QuantParams> p = q.paramsForValues(weights, options.clipping);
    if (!p)
      overflow = true;
    else
      store(0, *p);
  } else if (!perGroup || options.actOrder) {
    for (int64_t r = 0; r < n; ++r)
      for (int64_t g = 0; g < groups; ++g) {
        int64_t b = g * groupSize, e = std::min(k, b + groupSize);
        std::optional<QuantParams> p = q.paramsForValues(
            weights.slice(r * k + b, e - b), options.clipping);
        if (!p)
          overflow = true;
        else
          store(r * groups + g, *p);
      }
  }
  if (overflow)
    return QuantError{QuantError::Kind::ParamOverflow, -1,
                      "a scale or min overflows its storage type"};
  bool groupsAsReached = perGroup && !options.actOrder;
  auto paramIndex = [&](int64_t r, int64_t column) -> int64_t {
    if (granularity.kind == GranularityKind::PerTensor)
      return 0;
    return r * groups + column / groupSize;
  };

  // Rows are independent given U: tasks of a fixed number of rows.
  const std::vector<double> &uf = *u;
  // For a group starting at column i: Hinv[j][j] over the inputs i..k-1,
  // which is sum_{p=i..j} U[p][j]^2.
  std::vector<double> diag(k);
  if (groupsAsReached)
    for (int64_t i = 0; i < k; i += groupSize)
      for (int64_t j = i; j < std::min(k, i + groupSize); ++j) {
        double s = 0.0;
        for (int64_t p = i; p <= j; ++p)
          s += uf[p * k + j] * uf[p * k + j];
        diag[j] = s;
      }
  const int64_t rowsPerTask = 8, block = options.blockSize;
  int64_t tasks = (n + rowsPerTask - 1) / rowsPerTask;
  std::vector<uint8_t> taskOverflow(tasks, 0);
  runTasks(tasks, options.numThreads, [&](int64_t t) {
    int64_t r0 = t * rowsPerTask, r1 = std::min(n, r0 + rowsPerTask);
    std::vector<double> w(k), err(block);
    std::vector<float> groupValues;
    for (int64_t r = r0; r < r1; ++r) {
      for (int64_t i = 0; i < k; ++i)
        w[i] = double(weights[r * k + perm[i]]);
      QuantParams current = zeroGroup;
      for (int64_t i1 = 0; i1 < k; i1 += block) {
        int64_t i2 = std::min(k, i1 + block);
        for (int64_t i = i1; i < i2; ++i) {
          int64_t column = perm[i];
          if (groupsAsReached && i % groupSize == 0) {
            // The group's current values: columns after the block still
            // owe this block's update.
            int64_t e = std::min(k, i + groupSize);
            groupValues.resize(e - i);
            for (int64_t j = i; j < e; ++j) {
              double v = w[j];
              if (j >= i2)
                for (int64_t p = i1; p < i; ++p)
                  v -= err[p - i1] * uf[p * k + j];
              groupValues[j - i] = float(v);
            }
            std::optional<QuantParams> p = chooseGroupParams(
                q, groupValues, weights.slice(r * k + i, e - i),
                llvm::ArrayRef<double>(diag).slice(i, e - i), options.clipping);
            if (!p) {
              taskOverflow[t] = 1;
              p = zeroGroup;
            }
            current = *p;
            store(paramIndex(r, column), current);
          }
          const QuantParams &p =
              groupsAsReached ? current : out.params(paramIndex(r, column));
          float x = float(w[i]);
          int32_t code = q.quantize(x, p);
          out.codes[r * k + column] = q.toPattern(code);
          double e = (w[i] - double(q.dequantize(code, p))) / uf[i * k + i];
          err[i - i1] = e;
          const double *ui = uf.data() + i * k;
          for (int64_t j = i + 1; j < i2; ++j)
            w[j] -= e * ui[j];
        }
        // The block's update of the columns after it, at once.
        for (int64_t p = i1; p < i2; ++p) {
          double e = err[p - i1];
          if (e == 0.0)
            continue;
          const double *up = uf.data() + p * k;
          for (int64_t j = i2; j < k; ++j)
            w[j] -= e * up[j];
        }
      }
    }
  });
  if (llvm::is_contained(taskOverflow, 1))
    return QuantError{QuantError::Kind::ParamOverflow, -1,
                      "a scale or min overflows its storage type"};
  return out;
}

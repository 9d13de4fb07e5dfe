//===- QuantizeTensor.cpp - Quantizing whole tensors ----------------------===//
//
// Tensor layouts (per-tensor, per-channel, per-group along an axis) and the
// parallel quantizeTensor / dequantizeTensor over them; the scalar arithmetic
// is the Quantizer's (Quantize.cpp). Compiled with -ffp-contract=off.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Quantize.h"

#include "MinMax.h"
#include "Parallel.h"
#include "lowbit/Numerics/Packing.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

using namespace lowbit::numerics;
using lowbit::numerics::detail::atomicMin;
using lowbit::numerics::detail::minMax;
using lowbit::numerics::detail::runTasks;

//===----------------------------------------------------------------------===//
// Tensor layout
//===----------------------------------------------------------------------===//

int64_t lowbit::numerics::getNumElements(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::optional<std::string>
lowbit::numerics::verifyGranularity(const Granularity &g,
                                    llvm::ArrayRef<int64_t> shape) {
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] < 0)
      return "dimension " + std::to_string(i) + " is negative";
  switch (g.kind) {
  case GranularityKind::PerTensor:
    return std::nullopt;
  case GranularityKind::PerChannel:
  case GranularityKind::PerGroup:
    if (g.axis < 0 || g.axis >= int64_t(shape.size()))
      return "axis " + std::to_string(g.axis) + " is out of range for rank " +
             std::to_string(shape.size());
    if (g.kind == GranularityKind::PerGroup && g.groupSize <= 0)
      return "group size must be positive, got " + std::to_string(g.groupSize);
    return std::nullopt;
  }
  return std::string("unknown granularity");
}

namespace {
struct TensorLayout {
  GranularityKind kind = GranularityKind::PerTensor;
  int64_t outer = 1, dim = 1, inner = 1;
  int64_t groupSize = 1, groups = 1;
  int64_t numElements = 0, numParams = 1;
};

TensorLayout makeLayout(llvm::ArrayRef<int64_t> shape, const Granularity &g) {
  TensorLayout l;
  l.kind = g.kind;
  l.numElements = getNumElements(shape);
  if (g.kind == GranularityKind::PerTensor) {
    l.dim = l.numElements;
    l.groupSize = std::max<int64_t>(l.numElements, 1);
    l.groups = 1;
    l.numParams = 1;
    return l;
  }
  for (int64_t i = 0; i < g.axis; ++i)
    l.outer *= shape[i];
  l.dim = shape[g.axis];
  for (int64_t i = g.axis + 1; i < int64_t(shape.size()); ++i)
    l.inner *= shape[i];
  if (g.kind == GranularityKind::PerChannel) {
    l.numParams = l.dim;
  } else {
    l.groupSize = g.groupSize;
    l.groups = (l.dim + g.groupSize - 1) / g.groupSize;
    l.numParams = l.outer * l.groups * l.inner;
  }
  return l;
}

/// A parameter whose elements are `numRuns` contiguous runs of `runLen`
/// elements starting at base + r * runStride.
struct RunsItem {
  int64_t param, base, runStride, numRuns, runLen;
};
/// Rows r < numRows start at base + r * rowStride; lane i in [laneBegin,
/// laneEnd) of every row belongs to parameter paramBase + i.
struct BandItem {
  int64_t paramBase, base, rowStride, numRows, laneBegin, laneEnd;
};

constexpr int64_t kTaskElements = 1 << 16;
constexpr int64_t kLaneChunk = 1024;

/// Splits a tensor into tasks of runs or band items. Task boundaries depend
/// only on the layout. With splitPerTensor, a per-tensor layout is cut into
/// chunks that all refer to parameter 0 (only valid when parameters are
/// known in advance).
class Traversal {
public:
  Traversal(const TensorLayout &l, bool splitPerTensor) : l(l) {
    if (l.kind == GranularityKind::PerTensor) {
      mode = splitPerTensor ? PerTensorChunks : RunsGroups;
      if (mode == PerTensorChunks)
        numTasks = (l.numElements + kTaskElements - 1) / kTaskElements;
      else
        numTasks = 1, itemsPerTask = 1;
    } else if (l.kind == GranularityKind::PerGroup && l.inner == 1) {
      mode = RunsGroups;
      itemsPerTask = std::max<int64_t>(1, kTaskElements / l.groupSize);
      numTasks = (l.outer * l.groups + itemsPerTask - 1) / itemsPerTask;
    } else if (l.kind == GranularityKind::PerChannel && l.inner > 1) {
      mode = RunsChannels;
      itemsPerTask = std::max<int64_t>(
          1, kTaskElements / std::max<int64_t>(1, l.outer * l.inner));
      numTasks = (l.dim + itemsPerTask - 1) / itemsPerTask;
    } else if (l.kind == GranularityKind::PerGroup) {
      mode = GroupBands;
      laneChunks = (l.inner + kLaneChunk - 1) / kLaneChunk;
      numTasks = l.outer * l.groups * laneChunks;
    } else { // PerChannel, inner == 1: lanes are channels, rows are outer.
      mode = ChannelBand;
      numTasks = (l.dim + kLaneChunk - 1) / kLaneChunk;
    }
    if (l.numElements == 0 && mode != RunsGroups)
      numTasks = 0;
  }

  int64_t getNumTasks() const { return numTasks; }

  template <typename RunsFn, typename BandFn>
  void runTask(int64_t t, RunsFn &&runsFn, BandFn &&bandFn) const {
    switch (mode) {
    case PerTensorChunks: {
      int64_t b = t * kTaskElements;
      runsFn(RunsItem{0, b, 0, 1, std::min(kTaskElements, l.numElements - b)});
      return;
    }
    case RunsGroups: {
      if (l.kind == GranularityKind::PerTensor) {
        runsFn(RunsItem{0, 0, 0, 1, l.numElements});
        return;
      }
      int64_t end = std::min(l.outer * l.groups, (t + 1) * itemsPerTask);
      for (int64_t gi = t * itemsPerTask; gi < end; ++gi) {
        int64_t o = gi / l.groups, g = gi % l.groups;
        int64_t a0 = g * l.groupSize;
        runsFn(RunsItem{gi, o * l.dim + a0, 0, 1,
                        std::min(l.groupSize, l.dim - a0)});
      }
      return;
    }
    case RunsChannels: {
      int64_t end = std::min(l.dim, (t + 1) * itemsPerTask);
      for (int64_t a = t * itemsPerTask; a < end; ++a)
        runsFn(RunsItem{a, a * l.inner, l.dim * l.inner, l.outer, l.inner});
      return;
    }
    case GroupBands: {
      int64_t band = t / laneChunks, c = t % laneChunks;
      int64_t o = band / l.groups, g = band % l.groups;
      int64_t a0 = g * l.groupSize;
      bandFn(BandItem{band * l.inner, (o * l.dim + a0) * l.inner, l.inner,
                      std::min(l.groupSize, l.dim - a0), c * kLaneChunk,
                      std::min(l.inner, (c + 1) * kLaneChunk)});
      return;
    }
    case ChannelBand:
      bandFn(BandItem{0, 0, l.dim, l.outer, t * kLaneChunk,
                      std::min(l.dim, (t + 1) * kLaneChunk)});
      return;
    }
  }

private:
  enum Mode {
    PerTensorChunks,
    RunsGroups,
    RunsChannels,
    GroupBands,
    ChannelBand
  };
  TensorLayout l;
  Mode mode = RunsGroups;
  int64_t numTasks = 0, itemsPerTask = 1, laneChunks = 1;
};
} // namespace

//===----------------------------------------------------------------------===//
// Whole tensors
//===----------------------------------------------------------------------===//

std::vector<int64_t>
lowbit::numerics::getParamShape(llvm::ArrayRef<int64_t> shape,
                                const Granularity &g) {
  switch (g.kind) {
  case GranularityKind::PerTensor:
    return {1};
  case GranularityKind::PerChannel:
    return {shape[g.axis]};
  case GranularityKind::PerGroup: {
    std::vector<int64_t> out(shape.begin(), shape.end());
    out[g.axis] = (shape[g.axis] + g.groupSize - 1) / g.groupSize;
    return out;
  }
  }
  return {1};
}

int64_t lowbit::numerics::getParamIndex(llvm::ArrayRef<int64_t> shape,
                                        const Granularity &g, int64_t index) {
  TensorLayout l = makeLayout(shape, g);
  if (g.kind == GranularityKind::PerTensor)
    return 0;
  int64_t i = index % l.inner;
  int64_t a = (index / l.inner) % l.dim;
  int64_t o = index / (l.inner * l.dim);
  if (g.kind == GranularityKind::PerChannel)
    return a;
  return (o * l.groups + a / l.groupSize) * l.inner + i;
}

std::optional<int64_t>
lowbit::numerics::findNonFinite(llvm::ArrayRef<float> values) {
  // Branch-free scan per block (vectorizes), then locate inside the block.
  constexpr size_t kBlock = 1024;
  const float *x = values.data();
  size_t n = values.size();
  for (size_t b = 0; b < n; b += kBlock) {
    size_t e = std::min(n, b + kBlock);
    uint32_t bad = 0;
    for (size_t i = b; i < e; ++i) {
      uint32_t bits;
      std::memcpy(&bits, x + i, sizeof(bits));
      bad |= static_cast<uint32_t>((bits & 0x7F800000u) == 0x7F800000u);
    }
    if (bad)
      for (size_t i = b; i < e; ++i)
        if (!std::isfinite(x[i]))
          return static_cast<int64_t>(i);
  }
  return std::nullopt;
}

int32_t QuantizedTensor::codeValue(int64_t i) const {
  return isSigned ? signExtend(codes[i], bits) : static_cast<int32_t>(codes[i]);
}

std::vector<int32_t> QuantizedTensor::codeValues() const {
  std::vector<int32_t> out(codes.size());
  for (size_t i = 0; i < codes.size(); ++i)
    out[i] = codeValue(i);
  return out;
}

namespace {

/// Common validation of scheme, granularity and element count.
std::optional<QuantError> checkTensor(size_t numValues,
                                      llvm::ArrayRef<int64_t> shape,
                                      const Granularity &g) {
  if (auto msg = verifyGranularity(g, shape))
    return QuantError{QuantError::Kind::InvalidGranularity, -1, *msg};
  int64_t n = getNumElements(shape);
  if (n != int64_t(numValues))
    return QuantError{QuantError::Kind::InvalidShape, -1,
                      "shape has " + std::to_string(n) + " elements but " +
                          std::to_string(numValues) + " were given"};
  return std::nullopt;
}

std::optional<QuantError> checkParams(const Quantizer &q, int64_t numParams,
                                      llvm::ArrayRef<float> scales,
                                      llvm::ArrayRef<int32_t> zeroPoints,
                                      llvm::ArrayRef<float> mins) {
  auto bad = [](std::string msg, int64_t index = -1) {
    return QuantError{QuantError::Kind::InvalidParams, index, std::move(msg)};
  };
  const Scheme &s = q.getScheme();
  if (int64_t(scales.size()) != numParams)
    return bad("expected " + std::to_string(numParams) + " scales, got " +
               std::to_string(scales.size()));
  for (int64_t i = 0; i < numParams; ++i)
    if (!(scales[i] > 0.0f) || !std::isfinite(scales[i]))
      return bad("scale " + std::to_string(i) + " is not positive and finite",
                 i);
  if (s.form == ParamForm::Affine && !zeroPoints.empty()) {
    if (int64_t(zeroPoints.size()) != numParams)
      return bad("expected " + std::to_string(numParams) +
                 " zero points, got " + std::to_string(zeroPoints.size()));
    for (int64_t i = 0; i < numParams; ++i)
      if (zeroPoints[i] < q.getQmin() || zeroPoints[i] > q.getQmax())
        return bad("zero point " + std::to_string(i) + " is outside [" +
                       std::to_string(q.getQmin()) + ", " +
                       std::to_string(q.getQmax()) + "]",
                   i);
  }
  if (s.form == ParamForm::MinScale) {
    if (int64_t(mins.size()) != numParams)
      return bad("expected " + std::to_string(numParams) + " mins, got " +
                 std::to_string(mins.size()));
    for (int64_t i = 0; i < numParams; ++i)
      if (!std::isfinite(mins[i]))
        return bad("min " + std::to_string(i) + " is not finite", i);
  }
  return std::nullopt;
}

QuantParams givenParams(const Scheme &s, int64_t i,
                        llvm::ArrayRef<float> scales,
                        llvm::ArrayRef<int32_t> zeroPoints,
                        llvm::ArrayRef<float> mins) {
  QuantParams p;
  p.scale = scales[i];
  p.zeroPoint =
      (s.form == ParamForm::Affine && !zeroPoints.empty()) ? zeroPoints[i] : 0;
  p.min = s.form == ParamForm::MinScale ? mins[i] : 0.0f;
  return p;
}

} // namespace

Result<QuantizedTensor> lowbit::numerics::quantizeTensor(
    llvm::ArrayRef<float> values, llvm::ArrayRef<int64_t> shape,
    const Scheme &scheme, const Granularity &granularity,
    const ClippingOptions &clipping, ExecOptions exec) {
  Result<Quantizer> qr = Quantizer::create(scheme);
  if (!qr)
    return qr.error();
  const Quantizer &q = *qr;
  if (auto err = checkTensor(values.size(), shape, granularity))
    return *err;
  if (std::optional<int64_t> bad = findNonFinite(values))
    return QuantError{QuantError::Kind::NonFinite, *bad,
                      "non-finite value " + std::to_string(values[*bad]) +
                          " at flat index " + std::to_string(*bad)};

  TensorLayout l = makeLayout(shape, granularity);
  QuantizedTensor out;
  out.shape.assign(shape.begin(), shape.end());
  out.paramShape = getParamShape(shape, granularity);
  out.bits = scheme.bits;
  out.isSigned = scheme.isSigned && scheme.codebook.empty();
  out.codes.assign(l.numElements, 0);
  QuantParams zeroGroup = *q.paramsForRange(0.0f, 0.0f);
  out.scales.assign(l.numParams, zeroGroup.scale);
  out.zeroPoints.assign(l.numParams, zeroGroup.zeroPoint);
  out.mins.assign(l.numParams, zeroGroup.min);
  auto store = [&](int64_t i, const QuantParams &p) {
    out.scales[i] = p.scale;
    out.zeroPoints[i] = p.zeroPoint;
    out.mins[i] = p.min;
  };
  const float *x = values.data();
  uint8_t *codes = out.codes.data();
  auto overflowError = [](int64_t index) {
    return QuantError{QuantError::Kind::ParamOverflow, index,
                      "the scale or min of parameter " + std::to_string(index) +
                          " overflows its storage type"};
  };

  if (l.kind == GranularityKind::PerTensor) {
    // Min/max over fixed chunks (order-independent after canonical zeros),
    // then one parameter set, then the codes chunk by chunk.
    int64_t n = l.numElements;
    int64_t chunks = (n + kTaskElements - 1) / kTaskElements;
    std::vector<float> cmin(chunks), cmax(chunks);
    runTasks(chunks, exec.numThreads, [&](int64_t t) {
      int64_t b = t * kTaskElements;
      minMax(values.slice(b, std::min(kTaskElements, n - b)), cmin[t], cmax[t]);
    });
    float mn = 0.0f, mx = 0.0f;
    if (n > 0) {
      mn = *std::min_element(cmin.begin(), cmin.end());
      mx = *std::max_element(cmax.begin(), cmax.end());
    }
    std::optional<QuantParams> p =
        (clipping.method == ClipMethod::MinMax || n == 0)
            ? q.paramsForRange(mn, mx)
            : q.paramsForValues(values, clipping);
    if (!p)
      return overflowError(0);
    store(0, *p);
    runTasks(chunks, exec.numThreads, [&](int64_t t) {
      int64_t b = t * kTaskElements;
      int64_t len = std::min(kTaskElements, n - b);
      q.quantizeSpan(values.slice(b, len), *p,
                     llvm::MutableArrayRef<uint8_t>(codes + b, len));
    });
    return out;
  }

  std::atomic<int64_t> firstOverflow{std::numeric_limits<int64_t>::max()};
  Traversal tr(l, /*splitPerTensor=*/false);
  runTasks(tr.getNumTasks(), exec.numThreads, [&](int64_t t) {
    std::vector<float> buf, lmin, lmax;
    std::vector<QuantParams> lp;
    auto runs = [&](const RunsItem &it) {
      llvm::ArrayRef<float> group;
      if (it.numRuns == 1) {
        group = values.slice(it.base, it.runLen);
      } else {
        buf.resize(it.numRuns * it.runLen);
        for (int64_t r = 0; r < it.numRuns; ++r)
          std::memcpy(buf.data() + r * it.runLen,
                      x + it.base + r * it.runStride,
                      it.runLen * sizeof(float));
        group = buf;
      }
      std::optional<QuantParams> p = q.paramsForValues(group, clipping);
      if (!p) {
        atomicMin(firstOverflow, it.param);
        return;
      }
      store(it.param, *p);
      for (int64_t r = 0; r < it.numRuns; ++r) {
        int64_t b = it.base + r * it.runStride;
        q.quantizeSpan(values.slice(b, it.runLen), *p,
                       llvm::MutableArrayRef<uint8_t>(codes + b, it.runLen));
      }
    };
    auto band = [&](const BandItem &b) {
      int64_t lb = b.laneBegin, w = b.laneEnd - b.laneBegin;
      lmin.assign(w, std::numeric_limits<float>::infinity());
      lmax.assign(w, -std::numeric_limits<float>::infinity());
      for (int64_t r = 0; r < b.numRows; ++r) {
        const float *row = x + b.base + r * b.rowStride + lb;
        float *mn = lmin.data(), *mx = lmax.data();
        for (int64_t i = 0; i < w; ++i) {
          mn[i] = row[i] < mn[i] ? row[i] : mn[i];
          mx[i] = row[i] > mx[i] ? row[i] : mx[i];
        }
      }
      lp.resize(w);
      for (int64_t i = 0; i < w; ++i) {
        std::optional<QuantParams> p;
        if (b.numRows == 0) {
          p = zeroGroup;
        } else if (clipping.method == ClipMethod::MinMax) {
          p = q.paramsForRange(lmin[i], lmax[i]);
        } else {
          buf.resize(b.numRows);
          for (int64_t r = 0; r < b.numRows; ++r)
            buf[r] = x[b.base + r * b.rowStride + lb + i];
          p = q.paramsForValues(buf, clipping);
        }
        if (!p) {
          atomicMin(firstOverflow, b.paramBase + lb + i);
          p = zeroGroup;
        }
        lp[i] = *p;
        store(b.paramBase + lb + i, *p);
      }
      for (int64_t r = 0; r < b.numRows; ++r) {
        int64_t off = b.base + r * b.rowStride + lb;
        for (int64_t i = 0; i < w; ++i)
          codes[off + i] = q.toPattern(q.quantize(x[off + i], lp[i]));
      }
    };
    tr.runTask(t, runs, band);
  });
  if (firstOverflow.load() != std::numeric_limits<int64_t>::max())
    return overflowError(firstOverflow.load());
  return out;
}

/// Runs over a tensor whose parameters are given: `span(offset, length, p)`
/// for every contiguous run of one parameter group, `element(offset, p)` for
/// the elements of the interleaved bands, in parallel over the traversal's
/// tasks.
template <typename SpanFn, typename ElementFn>
static void forEachWithGivenParams(const TensorLayout &l, const Scheme &scheme,
                                   llvm::ArrayRef<float> scales,
                                   llvm::ArrayRef<int32_t> zeroPoints,
                                   llvm::ArrayRef<float> mins,
                                   unsigned numThreads, SpanFn span,
                                   ElementFn element) {
  Traversal tr(l, /*splitPerTensor=*/true);
  runTasks(tr.getNumTasks(), numThreads, [&](int64_t t) {
    std::vector<QuantParams> lp;
    auto runs = [&](const RunsItem &it) {
      QuantParams p = givenParams(scheme, it.param, scales, zeroPoints, mins);
      for (int64_t r = 0; r < it.numRuns; ++r)
        span(it.base + r * it.runStride, it.runLen, p);
    };
    auto band = [&](const BandItem &b) {
      int64_t lb = b.laneBegin, w = b.laneEnd - b.laneBegin;
      lp.resize(w);
      for (int64_t i = 0; i < w; ++i)
        lp[i] =
            givenParams(scheme, b.paramBase + lb + i, scales, zeroPoints, mins);
      for (int64_t r = 0; r < b.numRows; ++r) {
        int64_t off = b.base + r * b.rowStride + lb;
        for (int64_t i = 0; i < w; ++i)
          element(off + i, lp[i]);
      }
    };
    tr.runTask(t, runs, band);
  });
}

namespace {
/// The quantizer and layout of a tensor quantized with given parameters.
struct GivenParamsSetup {
  Quantizer quantizer;
  TensorLayout layout;
};

/// Checks the scheme, the tensor's shape and the parameters' sizes.
Result<GivenParamsSetup> setUpGivenParams(
    size_t numValues, llvm::ArrayRef<int64_t> shape, const Scheme &scheme,
    const Granularity &granularity, llvm::ArrayRef<float> scales,
    llvm::ArrayRef<int32_t> zeroPoints, llvm::ArrayRef<float> mins) {
  Result<Quantizer> q = Quantizer::create(scheme);
  if (!q)
    return q.error();
  if (auto err = checkTensor(numValues, shape, granularity))
    return *err;
  TensorLayout layout = makeLayout(shape, granularity);
  if (auto err = checkParams(*q, layout.numParams, scales, zeroPoints, mins))
    return *err;
  return GivenParamsSetup{*q, layout};
}
} // namespace

Result<std::vector<uint8_t>> lowbit::numerics::quantizeTensorWithParams(
    llvm::ArrayRef<float> values, llvm::ArrayRef<int64_t> shape,
    const Scheme &scheme, const Granularity &granularity,
    llvm::ArrayRef<float> scales, llvm::ArrayRef<int32_t> zeroPoints,
    llvm::ArrayRef<float> mins, ExecOptions exec) {
  Result<GivenParamsSetup> setup = setUpGivenParams(
      values.size(), shape, scheme, granularity, scales, zeroPoints, mins);
  if (!setup)
    return setup.error();
  const Quantizer &q = setup->quantizer;
  const TensorLayout &l = setup->layout;
  if (std::optional<int64_t> bad = findNonFinite(values))
    return QuantError{QuantError::Kind::NonFinite, *bad,
                      "non-finite value " + std::to_string(values[*bad]) +
                          " at flat index " + std::to_string(*bad)};
  std::vector<uint8_t> out(l.numElements, 0);
  const float *x = values.data();
  uint8_t *codes = out.data();
  forEachWithGivenParams(
      l, scheme, scales, zeroPoints, mins, exec.numThreads,
      [&](int64_t b, int64_t length, const QuantParams &p) {
        q.quantizeSpan(values.slice(b, length), p,
                       llvm::MutableArrayRef<uint8_t>(codes + b, length));
      },
      [&](int64_t i, const QuantParams &p) {
        codes[i] = q.toPattern(q.quantize(x[i], p));
      });
  return out;
}

Result<std::vector<float>> lowbit::numerics::dequantizeTensor(
    llvm::ArrayRef<uint8_t> codes, llvm::ArrayRef<int64_t> shape,
    const Scheme &scheme, const Granularity &granularity,
    llvm::ArrayRef<float> scales, llvm::ArrayRef<int32_t> zeroPoints,
    llvm::ArrayRef<float> mins, ExecOptions exec) {
  Result<GivenParamsSetup> setup = setUpGivenParams(
      codes.size(), shape, scheme, granularity, scales, zeroPoints, mins);
  if (!setup)
    return setup.error();
  const Quantizer &q = setup->quantizer;
  const TensorLayout &l = setup->layout;
  uint32_t mask = (1u << scheme.bits) - 1u;
  for (size_t i = 0; i < codes.size(); ++i) {
    int32_t v = q.fromPattern(codes[i]);
    if ((codes[i] & ~mask) || v < q.getQmin() || v > q.getQmax())
      return QuantError{QuantError::Kind::InvalidCode, int64_t(i),
                        "code " + std::to_string(codes[i]) + " at flat index " +
                            std::to_string(i) + " is outside [" +
                            std::to_string(q.getQmin()) + ", " +
                            std::to_string(q.getQmax()) + "]"};
  }
  std::vector<float> out(l.numElements, 0.0f);
  float *y = out.data();
  forEachWithGivenParams(
      l, scheme, scales, zeroPoints, mins, exec.numThreads,
      [&](int64_t b, int64_t length, const QuantParams &p) {
        q.dequantizeSpan(codes.slice(b, length), p,
                         llvm::MutableArrayRef<float>(y + b, length));
      },
      [&](int64_t i, const QuantParams &p) {
        y[i] = q.dequantize(q.fromPattern(codes[i]), p);
      });
  return out;
}

Result<std::vector<float>> lowbit::numerics::dequantizeTensor(
    const QuantizedTensor &tensor, const Scheme &scheme,
    const Granularity &granularity, ExecOptions exec) {
  return dequantizeTensor(tensor.codes, tensor.shape, scheme, granularity,
                          tensor.scales, tensor.zeroPoints, tensor.mins, exec);
}

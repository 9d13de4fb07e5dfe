//===- MathAccuracyTest.cpp - compiled math functions vs libm in double ---===//
//
// Every math op that lowbit-approximate-math rewrites is compiled through the
// full lowbit-lower-to-llvm pipeline (lowbit::compileForHost) as
//
//   * a linalg.generic over tensor<4096xf32> (vectorized by
//     lowbit-vectorize-linalg: the op runs on vector<64xf32>),
//   * the same over tensor<37xf32> (one odd-sized vector<37xf32>),
//   * a plain tensor op over tensor<4096xf32> (a scalar loop),
//
// and evaluated over dense sweeps: every 4099th float bit pattern of either
// sign (~2M points, all binades including denormals and the overflow
// edges) plus 2^20 evenly spaced points over each function's interesting
// range. Results are compared with the C library in double precision:
// errors are in ulps of the exact result rounded to f32 (denormal results:
// ulps of 2^-149), or absolute where a function's bound is absolute (near
// the zeros of sin, cos, ...). Special values (NaN, +-0, +-inf, the edges
// where results saturate, overflow or underflow) must come out exactly.
//
// The measured maxima are printed (docs/Math.md quotes them); the asserted
// bounds leave a little headroom.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/Jit.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

using namespace lowbit;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kPi = 3.14159265358979323846f;
constexpr int64_t kVectorSize = 4096;
constexpr int64_t kOddSize = 37;

float fromBits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

/// An input range where a bound holds: |error| <= ulps * ulp(exact) or
/// <= abs (whichever is larger).
struct Region {
  double lo, hi;
  double ulps;
  double abs = 0;
};

struct UnaryCase {
  const char *op;
  std::function<double(double)> reference;
  /// Ranges swept with 2^20 evenly spaced points each.
  std::vector<std::pair<double, double>> sweeps;
  /// Where bounds are asserted (other inputs: NaN iff the reference is NaN).
  std::vector<Region> bounds;
  /// Inputs whose results must be exactly these (NaN matches NaN, the sign of
  /// zero and infinity counts).
  std::vector<std::pair<float, float>> specials;
  /// Compiled for a baseline x86-64 CPU too (rounding expanded into
  /// arithmetic there).
  bool baselineToo = false;
};

double ulpOf(double exact) {
  double magnitude = std::fabs(exact);
  if (magnitude < 0x1p-126)
    return 0x1p-149;
  if (magnitude >= 0x1p127)
    return 0x1p104;
  int exponent;
  std::frexp(magnitude, &exponent);
  return std::ldexp(1.0, exponent - 24);
}

/// Exact results beyond the f32 range round to infinity.
double toFloatRange(double exact) {
  if (std::fabs(exact) >= 0x1.ffffffp127)
    return std::copysign(std::numeric_limits<double>::infinity(), exact);
  return exact;
}

bool sameValue(float got, float expected) {
  if (std::isnan(expected))
    return std::isnan(got);
  return got == expected && std::signbit(got) == std::signbit(expected);
}

/// The error of `got` against `exact`, in ulps (or as an absolute error when
/// that is within `region.abs`, which counts as 0 ulps). Infinite results
/// count as 2^128 (the value after FLT_MAX).
double errorUlps(float got, double exact, const Region &region) {
  if (std::isinf(exact) || std::isinf(got)) {
    if (std::isinf(exact) && got == static_cast<float>(exact))
      return 0;
    double g = std::isinf(got) ? std::copysign(0x1p128, got) : got;
    double e = std::isinf(exact) ? std::copysign(0x1p128, exact) : exact;
    return std::fabs(g - e) / ulpOf(e);
  }
  double diff = std::fabs(static_cast<double>(got) - exact);
  if (diff <= region.abs)
    return 0;
  return diff / ulpOf(exact);
}

std::vector<float> sweepInputs(const UnaryCase &c) {
  std::vector<float> inputs;
  for (uint64_t bits = 0; bits < (1ull << 32); bits += 4099)
    inputs.push_back(fromBits(static_cast<uint32_t>(bits)));
  for (auto [lo, hi] : c.sweeps)
    for (int i = 0; i <= (1 << 20); ++i)
      inputs.push_back(static_cast<float>(lo + (hi - lo) * i / (1 << 20)));
  for (float x : {0.0f, -0.0f, kInf, -kInf, kNaN, 0x1p-149f, -0x1p-149f,
                  0x1p-126f, 3.4028235e38f, -3.4028235e38f})
    inputs.push_back(x);
  for (auto [x, y] : c.specials)
    inputs.push_back(x);
  return inputs;
}

/// `text` with $0, $1, ... replaced by `args` (MLIR is full of braces, which
/// formatv would take for its own).
std::string fill(std::string text, const std::vector<std::string> &args) {
  for (size_t i = args.size(); i-- > 0;) {
    std::string slot = "$" + std::to_string(i);
    for (size_t at; (at = text.find(slot)) != std::string::npos;)
      text.replace(at, slot.size(), args[i]);
  }
  return text;
}

std::string unaryFunction(const std::string &name, const std::string &op,
                          int64_t size, bool vectorized) {
  std::string type = llvm::formatv("tensor<{0}xf32>", size).str();
  if (!vectorized)
    return fill(R"mlir(
func.func @$0(%x: $1) -> $1 {
  %y = math.$2 %x : $1
  return %y : $1
}
)mlir",
                {name, type, op});
  return fill(R"mlir(
func.func @$0(%x: $1) -> $1 {
  %e = tensor.empty() : $1
  %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]}
      ins(%x : $1) outs(%e : $1) {
  ^bb0(%a: f32, %o: f32):
    %r = math.$2 %a : f32
    linalg.yield %r : f32
  } -> $1
  return %y : $1
}
)mlir",
              {name, type, op});
}

using UnaryFn = int(const float *, float *);

/// The three forms of every case, compiled in one module.
struct Compiled {
  mlir::MLIRContext context;
  std::unique_ptr<JitModule> module;
};

std::unique_ptr<Compiled> compileUnary(const std::vector<UnaryCase> &cases,
                                       const JitOptions &options) {
  std::string source;
  for (const UnaryCase &c : cases) {
    source += unaryFunction(std::string("v_") + c.op, c.op, kVectorSize, true);
    source += unaryFunction(std::string("o_") + c.op, c.op, kOddSize, true);
    source += unaryFunction(std::string("s_") + c.op, c.op, kVectorSize, false);
  }
  auto compiled = std::make_unique<Compiled>();
  std::string error;
  auto jit = compileForHost(compiled->context, source, error, options);
  if (failed(jit)) {
    ADD_FAILURE() << error;
    return nullptr;
  }
  compiled->module = std::move(*jit);
  return compiled;
}

/// Runs `fn` (over buffers of `size`) on all `inputs`.
std::vector<float> runChunks(UnaryFn *fn, int64_t size,
                             const std::vector<float> &inputs) {
  std::vector<float> outputs(inputs.size());
  std::vector<float> in(size), out(size);
  for (size_t start = 0; start < inputs.size(); start += size) {
    size_t count = std::min<size_t>(size, inputs.size() - start);
    std::fill(in.begin(), in.end(), 0.0f);
    std::copy_n(inputs.begin() + start, count, in.begin());
    EXPECT_EQ(fn(in.data(), out.data()), 0);
    std::copy_n(out.begin(), count, outputs.begin() + start);
  }
  return outputs;
}

/// Checks one form of one case; returns the maximum error per region.
std::vector<double> checkUnary(const UnaryCase &c, const std::string &form,
                               UnaryFn *fn, int64_t size) {
  std::vector<float> inputs = sweepInputs(c);
  std::vector<float> outputs = runChunks(fn, size, inputs);
  std::vector<double> maxErrors(c.bounds.size(), 0);
  std::vector<float> worst(c.bounds.size(), 0);
  int reported = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    float x = inputs[i], got = outputs[i];
    double exact = toFloatRange(c.reference(x));
    if (std::isnan(exact) != std::isnan(got)) {
      if (reported++ < 5)
        ADD_FAILURE() << form << " " << c.op << "(" << x << ") = " << got
                      << ", expected " << exact;
      continue;
    }
    if (std::isnan(exact))
      continue;
    for (size_t r = 0; r < c.bounds.size(); ++r) {
      const Region &region = c.bounds[r];
      if (!(x >= region.lo && x <= region.hi))
        continue;
      double error = errorUlps(got, exact, region);
      if (error > maxErrors[r]) {
        maxErrors[r] = error;
        worst[r] = x;
      }
    }
  }
  for (size_t r = 0; r < c.bounds.size(); ++r) {
    const Region &region = c.bounds[r];
    EXPECT_LE(maxErrors[r], region.ulps)
        << form << " " << c.op << " on [" << region.lo << ", " << region.hi
        << "]: worst at x = " << worst[r] << " (" << c.op << " = "
        << c.reference(worst[r]) << ")";
    llvm::outs() << llvm::formatv(
        "{0,-8} {1,-10} [{2:e1}, {3:e1}]: max {4:f2} ulp{5} (at {6:e3})\n",
        form, c.op, region.lo, region.hi, maxErrors[r],
        region.abs ? llvm::formatv(" or abs {0:e1}", region.abs).str() : "",
        worst[r]);
  }
  for (size_t i = inputs.size() - c.specials.size(); i < inputs.size(); ++i) {
    float expected = c.specials[i - (inputs.size() - c.specials.size())].second;
    EXPECT_TRUE(sameValue(outputs[i], expected))
        << form << " " << c.op << "(" << inputs[i] << ") = " << outputs[i]
        << ", expected exactly " << expected;
  }
  return maxErrors;
}

double roundHalfAway(double x) { return std::round(x); }

std::vector<UnaryCase> unaryCases() {
  constexpr double big = 3.4028234663852886e38;
  std::vector<UnaryCase> cases = {
      {"exp",
       [](double x) { return std::exp(x); },
       {{-104, 89}, {-1, 1}},
       {{-big, big, 6}},
       {{-kInf, 0},
        {kInf, kInf},
        {kNaN, kNaN},
        {0, 1},
        {-0.0f, 1},
        {89, kInf},
        {-110, 0}}},
      {"exp2",
       [](double x) { return std::exp2(x); },
       {{-151, 129}, {-1, 1}},
       {{-big, big, 2}},
       {{-kInf, 0},
        {kInf, kInf},
        {0, 1},
        {128, kInf},
        {127, 0x1p127f},
        {-126, 0x1p-126f},
        {-149, 0x1p-149f},
        {-151, 0},
        {3, 8}}},
      {"expm1",
       [](double x) { return std::expm1(x); },
       {{-20, 89}, {-1, 1}},
       {{-big, big, 6}},
       {{-kInf, -1}, {kInf, kInf}, {0, 0}, {-0.0f, -0.0f}, {89, kInf}}},
      {"log",
       [](double x) { return std::log(x); },
       {{0, 10}, {0.5, 2}},
       {{0, big, 2}},
       {{0, -kInf},
        {-0.0f, -kInf},
        {-1, kNaN},
        {kInf, kInf},
        {-kInf, kNaN},
        {1, 0}}},
      {"log2",
       [](double x) { return std::log2(x); },
       {{0, 10}, {0.5, 2}},
       {{0, big, 2}},
       {{0, -kInf}, {-1, kNaN}, {kInf, kInf}, {1, 0}, {8, 3}}},
      {"log10",
       [](double x) { return std::log10(x); },
       {{0, 10}, {0.5, 2}},
       {{0, big, 3}},
       {{0, -kInf}, {-1, kNaN}, {kInf, kInf}, {1, 0}}},
      {"log1p",
       [](double x) { return std::log1p(x); },
       {{-1, 10}, {-0.5, 0.5}},
       {{-1, big, 3}},
       {{-1, -kInf}, {-2, kNaN}, {kInf, kInf}, {0, 0}, {-0.0f, -0.0f}}},
      {"tanh",
       [](double x) { return std::tanh(x); },
       {{-10, 10}, {-1, 1}},
       {{-big, big, 5}},
       {{kInf, 1}, {-kInf, -1}, {0, 0}, {-0.0f, -0.0f}, {20, 1}, {-20, -1}}},
      {"sinh",
       [](double x) { return std::sinh(x); },
       {{-90, 90}, {-1, 1}},
       {{-big, big, 3}},
       {{kInf, kInf}, {-kInf, -kInf}, {0, 0}, {-0.0f, -0.0f}, {90, kInf}}},
      {"cosh",
       [](double x) { return std::cosh(x); },
       {{-90, 90}, {-1, 1}},
       {{-big, big, 3}},
       {{kInf, kInf}, {-kInf, kInf}, {0, 1}, {-90, kInf}}},
      {"erf",
       [](double x) { return std::erf(x); },
       {{-5, 5}, {-1, 1}},
       {{-big, big, 5}},
       {{kInf, 1}, {-kInf, -1}, {0, 0}, {-0.0f, -0.0f}, {5, 1}, {-5, -1}}},
      {"erfc",
       [](double x) { return std::erfc(x); },
       {{-5, 11}, {-1, 1}},
       {{-big, 4, 10}, {4, 9.1, 80}, {9.1, big, 0, 1e-38}},
       {{kInf, 0}, {-kInf, 2}, {0, 1}, {11, 0}}},
      {"sin",
       [](double x) { return std::sin(x); },
       {{-10, 10}, {-8192, 8192}, {-1e5, 1e5}},
       {{-8192, 8192, 2, 0x1p-25}, {-1e5, 1e5, 2, 1e-6}},
       {{0, 0}, {-0.0f, -0.0f}, {kInf, kNaN}, {-kInf, kNaN}}},
      {"cos",
       [](double x) { return std::cos(x); },
       {{-10, 10}, {-8192, 8192}, {-1e5, 1e5}},
       {{-8192, 8192, 2, 0x1p-25}, {-1e5, 1e5, 2, 1e-6}},
       {{0, 1}, {kInf, kNaN}, {-kInf, kNaN}}},
      {"tan",
       [](double x) { return std::tan(x); },
       {{-10, 10}, {-1.5, 1.5}},
       {{-1.5, 1.5, 4}},
       {{0, 0}, {-0.0f, -0.0f}, {kInf, kNaN}}},
      {"atan",
       [](double x) { return std::atan(x); },
       {{-10, 10}, {-1, 1}},
       {{-big, big, 3}},
       {{kInf, kPi / 2}, {-kInf, -kPi / 2}, {0, 0}, {-0.0f, -0.0f}}},
      {"asin",
       [](double x) { return std::asin(x); },
       {{-1, 1}},
       {{-1, 1, 8}},
       {{0, 0}, {-0.0f, -0.0f}, {1, kPi / 2}, {-1, -kPi / 2}, {2, kNaN}}},
      {"acos",
       [](double x) { return std::acos(x); },
       {{-1, 1}},
       {{-1, 1, 2}},
       {{1, 0}, {-1, kPi}, {2, kNaN}, {-2, kNaN}}},
      {"sqrt",
       [](double x) { return std::sqrt(x); },
       {{0, 10}},
       {{0, big, 0.5}},
       {{-1, kNaN}, {kInf, kInf}, {-0.0f, -0.0f}, {4, 2}}},
      {"rsqrt",
       [](double x) { return 1 / std::sqrt(x); },
       {{0, 10}},
       {{0, big, 1.5}},
       {{0, kInf}, {-0.0f, -kInf}, {kInf, 0}, {-1, kNaN}, {4, 0.5f}}},
      {"cbrt",
       [](double x) { return std::cbrt(x); },
       {{-10, 10}},
       {{-big, big, 2}},
       {{kInf, kInf}, {-kInf, -kInf}, {0, 0}, {-0.0f, -0.0f}}},
      {"asinh",
       [](double x) { return std::asinh(x); },
       {{-10, 10}, {-1, 1}},
       {{-big, big, 3}},
       {{kInf, kInf}, {-kInf, -kInf}, {0, 0}, {-0.0f, -0.0f}}},
      {"acosh",
       [](double x) { return std::acosh(x); },
       {{1, 10}},
       {{1, big, 3}},
       {{kInf, kInf}, {1, 0}, {0.5f, kNaN}}},
      {"atanh",
       [](double x) { return std::atanh(x); },
       {{-1, 1}},
       {{-1, 1, 3}},
       {{1, kInf}, {-1, -kInf}, {0, 0}, {-0.0f, -0.0f}, {2, kNaN}}},
  };
  auto rounding = [](const char *op, double (*reference)(double),
                     std::vector<std::pair<float, float>> specials) {
    specials.insert(specials.end(), {{kInf, kInf},
                                     {-kInf, -kInf},
                                     {kNaN, kNaN},
                                     {0, 0},
                                     {-0.0f, -0.0f},
                                     {8388609.0f, 8388609.0f},
                                     {-8388609.0f, -8388609.0f}});
    UnaryCase c{op,
                [reference](double x) { return reference(x); },
                {{-10, 10}, {-1e7, 1e7}},
                {{-big, big, 0}},
                specials};
    c.baselineToo = true;
    return c;
  };
  cases.push_back(
      rounding("floor", std::floor, {{-0.5f, -1}, {0.5f, 0}, {-1e-30f, -1}}));
  cases.push_back(
      rounding("ceil", std::ceil, {{-0.5f, -0.0f}, {0.5f, 1}, {1e-30f, 1}}));
  cases.push_back(rounding("trunc", std::trunc, {{-0.7f, -0.0f}, {2.5f, 2}}));
  cases.push_back(rounding("round", roundHalfAway,
                           {{-0.5f, -1},
                            {0.5f, 1},
                            {2.5f, 3},
                            {0.49999997f, 0},
                            {-0.49999997f, -0.0f}}));
  cases.push_back(rounding("roundeven", std::nearbyint,
                           {{-0.5f, -0.0f}, {0.5f, 0}, {2.5f, 2}, {3.5f, 4}}));
  UnaryCase abs{"absf",
                [](double x) { return std::fabs(x); },
                {{-10, 10}},
                {{-big, big, 0}},
                {{-0.0f, 0}, {-kInf, kInf}}};
  cases.push_back(abs);
  return cases;
}

void runUnaryCases(const std::vector<UnaryCase> &cases,
                   const JitOptions &options, const std::string &prefix) {
  std::unique_ptr<Compiled> compiled = compileUnary(cases, options);
  ASSERT_TRUE(compiled);
  for (const UnaryCase &c : cases) {
    for (auto [form, size] :
         {std::pair<const char *, int64_t>{"v_", kVectorSize},
          {"o_", kOddSize},
          {"s_", kVectorSize}}) {
      auto *fn = compiled->module->lookupAs<UnaryFn>(std::string("lowbit_") +
                                                     form + c.op);
      ASSERT_NE(fn, nullptr) << form << c.op;
      std::string name = prefix + (form[0] == 'v'   ? "vector"
                                   : form[0] == 'o' ? "odd"
                                                    : "scalar");
      checkUnary(c, name, fn, size);
    }
  }
}

TEST(MathAccuracy, Unary) { runUnaryCases(unaryCases(), JitOptions(), ""); }

/// Rounding on a CPU without SSE4.1: expanded into arithmetic.
TEST(MathAccuracy, RoundingWithoutSSE41) {
  std::vector<UnaryCase> cases;
  for (const UnaryCase &c : unaryCases())
    if (c.baselineToo)
      cases.push_back(c);
  JitOptions options;
  options.cpu = "x86-64";
  runUnaryCases(cases, options, "x86-64:");
}

//===----------------------------------------------------------------------===//
// Binary functions
//===----------------------------------------------------------------------===//

std::string binaryFunction(const std::string &name, const std::string &op,
                           const std::string &lhsType,
                           const std::string &rhsType, int64_t size,
                           bool vectorized) {
  std::string l = llvm::formatv("tensor<{0}x{1}>", size, lhsType).str();
  std::string r = llvm::formatv("tensor<{0}x{1}>", size, rhsType).str();
  if (!vectorized)
    return fill(R"mlir(
func.func @$0(%x: $1, %y: $2) -> $1 {
  %z = math.$3 %x, %y : $4
  return %z : $1
}
)mlir",
                {name, l, r, op, lhsType == rhsType ? l : l + ", " + r});
  return fill(R"mlir(
func.func @$0(%x: $1, %y: $2) -> $1 {
  %e = tensor.empty() : $1
  %z = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]}
      ins(%x, %y : $1, $2) outs(%e : $1) {
  ^bb0(%a: $4, %b: $5, %o: $4):
    %c = math.$3 %a, %b : $6
    linalg.yield %c : $4
  } -> $1
  return %z : $1
}
)mlir",
              {name, l, r, op, lhsType, rhsType,
               lhsType == rhsType ? lhsType : lhsType + ", " + rhsType});
}

template <typename L, typename R>
std::vector<L> runBinary(int (*fn)(const L *, const R *, L *), int64_t size,
                         const std::vector<L> &x, const std::vector<R> &y) {
  std::vector<L> outputs(x.size());
  std::vector<L> a(size), out(size);
  std::vector<R> b(size);
  for (size_t start = 0; start < x.size(); start += size) {
    size_t count = std::min<size_t>(size, x.size() - start);
    std::fill(a.begin(), a.end(), L(0));
    std::fill(b.begin(), b.end(), R(0));
    std::copy_n(x.begin() + start, count, a.begin());
    std::copy_n(y.begin() + start, count, b.begin());
    EXPECT_EQ(fn(a.data(), b.data(), out.data()), 0);
    std::copy_n(out.begin(), count, outputs.begin() + start);
  }
  return outputs;
}

struct BinaryModule {
  mlir::MLIRContext context;
  std::unique_ptr<JitModule> module;
};

std::unique_ptr<BinaryModule> compileBinary() {
  std::string source;
  for (bool vectorized : {true, false})
    for (int64_t size : {kVectorSize, kOddSize}) {
      std::string suffix =
          llvm::formatv("{0}_{1}", vectorized ? "v" : "s", size).str();
      source += binaryFunction("atan2_" + suffix, "atan2", "f32", "f32", size,
                               vectorized);
      source += binaryFunction("powf_" + suffix, "powf", "f32", "f32", size,
                               vectorized);
      source += binaryFunction("copysign_" + suffix, "copysign", "f32", "f32",
                               size, vectorized);
      source += binaryFunction("fpowi_" + suffix, "fpowi", "f32", "i32", size,
                               vectorized);
      source += binaryFunction("ipowi_" + suffix, "ipowi", "i32", "i32", size,
                               vectorized);
    }
  // fpowi with constant exponents (multiplications only).
  for (int n : {-3, 0, 5, 13})
    source += fill(R"mlir(
func.func @fpowi_const_$0(%x: tensor<$1xf32>) -> tensor<$1xf32> {
  %n = arith.constant $2 : i32
  %e = tensor.empty() : tensor<$1xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]}
      ins(%x : tensor<$1xf32>) outs(%e : tensor<$1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.fpowi %a, %n : f32, i32
    linalg.yield %r : f32
  } -> tensor<$1xf32>
  return %y : tensor<$1xf32>
}
)mlir",
                   {n < 0 ? "m" + std::to_string(-n) : std::to_string(n),
                    std::to_string(kVectorSize), std::to_string(n)});
  auto compiled = std::make_unique<BinaryModule>();
  std::string error;
  auto jit = compileForHost(compiled->context, source, error);
  if (failed(jit)) {
    ADD_FAILURE() << error;
    return nullptr;
  }
  compiled->module = std::move(*jit);
  return compiled;
}

using BinaryFn = int(const float *, const float *, float *);
using FPowIFn = int(const float *, const int32_t *, float *);
using IPowIFn = int(const int32_t *, const int32_t *, int32_t *);

/// Pseudo-random floats: uniform bit patterns, or uniform in [lo, hi].
struct Random {
  uint64_t state = 0x9e3779b97f4a7c15ull;
  uint32_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<uint32_t>(state >> 16);
  }
  float uniform(float lo, float hi) {
    return lo + (hi - lo) * (next() >> 8) * 0x1p-24f;
  }
};

class MathBinary : public ::testing::Test {
protected:
  static void SetUpTestSuite() { compiled = compileBinary().release(); }
  static void TearDownTestSuite() { delete compiled; }
  template <typename Fn> Fn *lookup(const std::string &name) {
    return compiled->module->lookupAs<Fn>("lowbit_" + name);
  }
  static BinaryModule *compiled;
};
BinaryModule *MathBinary::compiled = nullptr;

const char *kForms[] = {"v_4096", "v_37", "s_4096", "s_37"};
int64_t formSize(const std::string &form) {
  return llvm::StringRef(form).ends_with("_37") ? kOddSize : kVectorSize;
}

TEST_F(MathBinary, Atan2) {
  ASSERT_TRUE(compiled);
  Random random;
  std::vector<float> y, x;
  for (int i = 0; i < (1 << 21); ++i) {
    bool wide = i % 2;
    y.push_back(wide ? fromBits(random.next()) : random.uniform(-10, 10));
    x.push_back(wide ? fromBits(random.next()) : random.uniform(-10, 10));
  }
  std::vector<std::array<float, 3>> specials = {{0, 0, 0},
                                                {0, -0.0f, kPi},
                                                {-0.0f, -0.0f, -kPi},
                                                {-0.0f, 0, -0.0f},
                                                {1, 0, kPi / 2},
                                                {-1, 0, -kPi / 2},
                                                {1, kInf, 0},
                                                {1, -kInf, kPi},
                                                {kInf, 1, kPi / 2},
                                                {kInf, kInf, kPi / 4},
                                                {kNaN, 1, kNaN},
                                                {1, kNaN, kNaN}};
  for (auto s : specials) {
    y.push_back(s[0]);
    x.push_back(s[1]);
  }
  for (const char *form : kForms) {
    auto got = runBinary(lookup<BinaryFn>(std::string("atan2_") + form),
                         formSize(form), y, x);
    double maxError = 0;
    for (size_t i = 0; i < y.size() - specials.size(); ++i) {
      double exact = std::atan2(double(y[i]), double(x[i]));
      if (std::isnan(exact) || std::isnan(got[i])) {
        EXPECT_EQ(std::isnan(exact), std::isnan(got[i]))
            << "atan2(" << y[i] << ", " << x[i] << ")";
        continue;
      }
      maxError = std::max(maxError, errorUlps(got[i], exact, {0, 0, 0, 0}));
    }
    EXPECT_LE(maxError, 4) << form;
    llvm::outs() << llvm::formatv("{0,-8} atan2: max {1:f2} ulp\n", form,
                                  maxError);
    for (size_t k = 0; k < specials.size(); ++k) {
      size_t i = y.size() - specials.size() + k;
      EXPECT_TRUE(sameValue(got[i], specials[k][2]))
          << form << " atan2(" << y[i] << ", " << x[i] << ") = " << got[i];
    }
  }
}

TEST_F(MathBinary, PowF) {
  ASSERT_TRUE(compiled);
  Random random;
  std::vector<float> x, y;
  for (int i = 0; i < (1 << 21); ++i) {
    switch (i % 4) {
    case 0: // positive bases, results in range and beyond
      x.push_back(random.uniform(0, 10));
      y.push_back(random.uniform(-40, 40));
      break;
    case 1: // any bit patterns
      x.push_back(fromBits(random.next()));
      y.push_back(fromBits(random.next()));
      break;
    case 2: // negative bases with integer exponents
      x.push_back(random.uniform(-4, 4));
      y.push_back(
          static_cast<float>(static_cast<int>(random.next() % 61) - 30));
      break;
    default: // near 1
      x.push_back(random.uniform(0.9f, 1.1f));
      y.push_back(random.uniform(-500, 500));
    }
  }
  std::vector<std::array<float, 3>> specials = {
      {kNaN, 0, 1},      {1, kNaN, 1},        {-1, kInf, 1},
      {-1, -kInf, 1},    {0, -1, kInf},       {-0.0f, -1, -kInf},
      {-0.0f, -2, kInf}, {-0.0f, 3, -0.0f},   {-0.0f, 2, 0},
      {0, 0.5f, 0},      {-0.0f, 0.5f, 0},    {-kInf, 0.5f, kInf},
      {-kInf, 3, -kInf}, {-kInf, -3, -0.0f},  {-kInf, 2, kInf},
      {-2, 3, -8},       {-2, 0.5f, kNaN},    {0.5f, kInf, 0},
      {2, kInf, kInf},   {0.5f, -kInf, kInf}, {2, -kInf, 0},
      {kInf, -1, 0},     {kInf, 2, kInf},     {2, 10, 1024},
      {kNaN, 1, kNaN},   {2, kNaN, kNaN},     {-8, 1.0f / 3, kNaN}};
  for (auto s : specials) {
    x.push_back(s[0]);
    y.push_back(s[1]);
  }
  for (const char *form : kForms) {
    auto got = runBinary(lookup<BinaryFn>(std::string("powf_") + form),
                         formSize(form), x, y);
    double maxError = 0, maxScaled = 0;
    for (size_t i = 0; i < x.size() - specials.size(); ++i) {
      double exact = toFloatRange(std::pow(double(x[i]), double(y[i])));
      if (std::isnan(exact) || std::isnan(got[i])) {
        EXPECT_EQ(std::isnan(exact), std::isnan(got[i]))
            << "powf(" << x[i] << ", " << y[i] << ") = " << got[i];
        continue;
      }
      // The error grows with |y * log2(x)| (the exponent's rounding).
      double t = std::fabs(double(y[i]) * std::log2(std::fabs(double(x[i]))));
      double error = errorUlps(got[i], exact, {0, 0, 0, 0});
      if (std::isinf(t) || exact == 0)
        continue;
      maxError = std::max(maxError, error);
      maxScaled = std::max(maxScaled, error / (1 + t));
    }
    EXPECT_LE(maxScaled, 3) << form;
    llvm::outs() << llvm::formatv(
        "{0,-8} powf: max {1:f2} ulp, max {2:f2} ulp per (1 + |y log2 x|)\n",
        form, maxError, maxScaled);
    for (size_t k = 0; k < specials.size(); ++k) {
      size_t i = x.size() - specials.size() + k;
      EXPECT_TRUE(sameValue(got[i], specials[k][2]))
          << form << " powf(" << x[i] << ", " << y[i] << ") = " << got[i];
    }
  }
}

TEST_F(MathBinary, CopySign) {
  ASSERT_TRUE(compiled);
  Random random;
  std::vector<float> x, y;
  for (int i = 0; i < (1 << 16); ++i) {
    x.push_back(fromBits(random.next()));
    y.push_back(fromBits(random.next()));
  }
  for (const char *form : kForms) {
    auto got = runBinary(lookup<BinaryFn>(std::string("copysign_") + form),
                         formSize(form), x, y);
    for (size_t i = 0; i < x.size(); ++i) {
      uint32_t a, b, c;
      float expected = std::copysign(x[i], y[i]);
      std::memcpy(&a, &got[i], 4);
      std::memcpy(&b, &expected, 4);
      ASSERT_EQ(a, b) << form << " copysign(" << x[i] << ", " << y[i] << ")";
      (void)c;
    }
  }
}

/// Binary exponentiation in double: the exact product of the same
/// multiplications is within a few ulps of pow; compare with pow in double.
TEST_F(MathBinary, FPowI) {
  ASSERT_TRUE(compiled);
  Random random;
  std::vector<float> x;
  std::vector<int32_t> n;
  for (int i = 0; i < (1 << 20); ++i) {
    x.push_back(i % 2 ? random.uniform(-3, 3) : fromBits(random.next()));
    n.push_back(static_cast<int32_t>(random.next() % 81) - 40);
  }
  std::vector<std::tuple<float, int32_t, float>> specials = {
      {kNaN, 0, 1},         {0, 0, 1},
      {0, -1, kInf},        {-0.0f, -1, -kInf},
      {-0.0f, 2, 0},        {-2, 3, -8},
      {2, -2, 0.25f},       {kInf, -1, 0},
      {-kInf, 3, -kInf},    {1, INT32_MIN, 1},
      {2, INT32_MAX, kInf}, {-1, INT32_MAX, -1}};
  for (auto [a, b, c] : specials) {
    x.push_back(a);
    n.push_back(b);
  }
  for (const char *form : kForms) {
    auto got = runBinary(lookup<FPowIFn>(std::string("fpowi_") + form),
                         formSize(form), x, n);
    double maxError = 0;
    for (size_t i = 0; i < x.size() - specials.size(); ++i) {
      double exact = std::pow(double(x[i]), double(n[i]));
      if (std::isnan(exact) || std::isnan(got[i])) {
        EXPECT_EQ(std::isnan(exact), std::isnan(got[i]));
        continue;
      }
      // 1 / x^|n| flushes results below ~2^-128 (x^|n| overflowed) to 0.
      if (std::fabs(exact) < 0x1p-126 || std::fabs(exact) > 0x1p127)
        continue;
      maxError = std::max(maxError, errorUlps(got[i], exact, {0, 0, 0, 0}) /
                                        std::max(1, std::abs(n[i])));
    }
    EXPECT_LE(maxError, 1) << form;
    llvm::outs() << llvm::formatv("{0,-8} fpowi: max {1:f2} ulp per |n|\n",
                                  form, maxError);
    for (size_t k = 0; k < specials.size(); ++k) {
      size_t i = x.size() - specials.size() + k;
      EXPECT_TRUE(sameValue(got[i], std::get<2>(specials[k])))
          << form << " fpowi(" << x[i] << ", " << n[i] << ") = " << got[i];
    }
  }
  for (int power : {-3, 0, 5, 13}) {
    std::string name =
        "fpowi_const_" +
        (power < 0 ? "m" + std::to_string(-power) : std::to_string(power));
    std::vector<float> in(x.begin(), x.end() - specials.size());
    auto got = runChunks(lookup<UnaryFn>(name), kVectorSize, in);
    for (size_t i = 0; i < in.size(); ++i) {
      double exact = std::pow(double(in[i]), power);
      if (std::isnan(exact) || std::fabs(exact) < 0x1p-126 ||
          std::fabs(exact) > 0x1p127) {
        EXPECT_EQ(std::isnan(exact), std::isnan(got[i]));
        continue;
      }
      ASSERT_LE(errorUlps(got[i], exact, {0, 0, 0, 0}),
                std::max(1, std::abs(power)))
          << name << "(" << in[i] << ")";
    }
  }
}

int32_t ipowiReference(int32_t x, int32_t n) {
  if (n < 0)
    return x == 1 ? 1 : x == -1 ? (n % 2 ? -1 : 1) : 0;
  uint32_t result = 1;
  for (int32_t i = 0; i < n; ++i)
    result *= static_cast<uint32_t>(x);
  return static_cast<int32_t>(result);
}

TEST_F(MathBinary, IPowI) {
  ASSERT_TRUE(compiled);
  Random random;
  std::vector<int32_t> x, n;
  for (int i = 0; i < (1 << 16); ++i) {
    x.push_back(static_cast<int32_t>(random.next() % 21) - 10);
    n.push_back(static_cast<int32_t>(random.next() % 70) - 5);
  }
  for (const char *form : kForms) {
    auto got = runBinary(lookup<IPowIFn>(std::string("ipowi_") + form),
                         formSize(form), x, n);
    for (size_t i = 0; i < x.size(); ++i)
      ASSERT_EQ(got[i], ipowiReference(x[i], n[i]))
          << form << " ipowi(" << x[i] << ", " << n[i] << ")";
  }
}

} // namespace

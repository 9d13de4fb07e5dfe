//===- IntegerMatmulKernelTest.cpp - compiled integer_matmul vs reference -===//
//
// lowbit.integer_matmul compiled by the full lowering (vector kernel for a
// zero input zero point, the generic lowering otherwise), with generic int8
// dot products and, on hosts with AVX512-VNNI, vpdpbusd, against
// numerics::referenceMatmulInt8. Integer results must match exactly.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Reference.h"
#include "lowbit/Target/Jit.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/TargetParser/Host.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

using namespace lowbit;

namespace {

struct Shape {
  int64_t m, n, k;
  int32_t zeroPoint;
};

std::vector<Shape> getShapes() {
  std::vector<Shape> shapes;
  for (int64_t m : {1, 3})
    for (int64_t n : {1, 5, 17})
      for (int64_t k : {1, 31, 64, 100, 129, 400})
        for (int32_t zeroPoint : {0, -128, 37})
          shapes.push_back({m, n, k, zeroPoint});
  return shapes;
}

std::string getFunctionName(const Shape &s) {
  return llvm::formatv("imm_{0}_{1}_{2}_{3}", s.m, s.n, s.k,
                       s.zeroPoint < 0 ? "m" + std::to_string(-s.zeroPoint)
                                       : std::to_string(s.zeroPoint))
      .str();
}

std::string getModuleSource(const std::vector<Shape> &shapes) {
  std::string source = "module {\n";
  for (const Shape &s : shapes)
    source += llvm::formatv(
        "func.func @{0}(%x: tensor<{1}x{3}xi8>, %w: tensor<{2}x{3}xi8>, "
        "%b: tensor<{2}xi32>) -> tensor<{1}x{2}xi32> {{\n"
        "  %y = lowbit.integer_matmul %x, %w bias(%b : tensor<{2}xi32>) "
        "{{input_zero_point = {4} : i32} : tensor<{1}x{3}xi8>, "
        "tensor<{2}x{3}xi8> -> tensor<{1}x{2}xi32>\n"
        "  return %y : tensor<{1}x{2}xi32>\n}\n",
        getFunctionName(s), s.m, s.n, s.k, s.zeroPoint);
  return source + "}\n";
}

void checkAgainstReference(const std::string &int8Dot) {
  std::vector<Shape> shapes = getShapes();
  mlir::MLIRContext context;
  JitOptions options;
  options.int8Dot = int8Dot;
  std::string error;
  auto jit = compileForHost(context, getModuleSource(shapes), error, options);
  ASSERT_TRUE(succeeded(jit)) << error;
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> byte(-128, 127);
  std::uniform_int_distribution<int> bias(-100000, 100000);
  for (const Shape &s : shapes) {
    std::vector<int8_t> x(s.m * s.k), w(s.n * s.k);
    std::vector<int32_t> b(s.n), got(s.m * s.n, 0), want(s.m * s.n);
    for (int8_t &v : x)
      v = int8_t(byte(rng));
    for (int8_t &v : w)
      v = int8_t(byte(rng));
    for (int32_t &v : b)
      v = bias(rng);
    // Extremes: the whole row at -128 meets weights at -128.
    x[0] = -128;
    w[0] = -128;
    using Fn = int(const int8_t *, const int8_t *, const int32_t *, int32_t *);
    auto *fn = (*jit)->lookupAs<Fn>("lowbit_" + getFunctionName(s));
    ASSERT_NE(fn, nullptr) << getFunctionName(s);
    ASSERT_EQ(fn(x.data(), w.data(), b.data(), got.data()), 0);
    numerics::referenceMatmulInt8(x, s.zeroPoint, w, {0}, b, s.m, s.n, s.k,
                                  want);
    EXPECT_EQ(got, want) << getFunctionName(s) << " int8-dot=" << int8Dot;
  }
}

TEST(IntegerMatmulKernelTest, GenericDotMatchesReference) {
  checkAgainstReference("generic");
}

TEST(IntegerMatmulKernelTest, VnniMatchesReference) {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (!features.lookup("avx512vnni") || !features.lookup("avx512vl"))
    GTEST_SKIP() << "the host has no AVX512-VNNI";
  checkAgainstReference("avx512-vnni");
}

// The AVX-VNNI lowering (vpdpbusd at most 256 bits wide) runs on hosts with
// AVX-VNNI, or with AVX512-VNNI and AVX512-VL, where LLVM encodes the same
// instructions with EVEX: the arithmetic is the same.
TEST(IntegerMatmulKernelTest, AvxVnniMatchesReference) {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (!features.lookup("avxvnni") &&
      !(features.lookup("avx512vnni") && features.lookup("avx512vl")))
    GTEST_SKIP() << "the host has no 256-bit vpdpbusd";
  checkAgainstReference("avx-vnni");
}

// AVX2 hosts: the integer matmul keeps its portable dot products (its pair
// sums could saturate vpmaddubsw), built for AVX2.
TEST(IntegerMatmulKernelTest, Avx2MatchesReference) {
  if (!llvm::sys::getHostCPUFeatures().lookup("avx2"))
    GTEST_SKIP() << "the host has no AVX2";
  checkAgainstReference("avx2");
}

} // namespace

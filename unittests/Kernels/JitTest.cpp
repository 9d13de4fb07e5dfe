//===- JitTest.cpp - the JIT helper
//-----------------------------------------===//
//
// lowbit::compileForHost: errors and entry points.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include <cstring>

using namespace mlir;
using namespace lowbit;
using namespace lowbit::kernel_test;

namespace {

//===----------------------------------------------------------------------===//
// The JIT helper itself
//===----------------------------------------------------------------------===//

TEST(JitTest, ReportsParseErrors) {
  MLIRContext context;
  std::string error;
  auto jit = compileForHost(context, "func.func @f(", error);
  EXPECT_TRUE(failed(jit));
  EXPECT_NE(error.find("cannot parse"), std::string::npos) << error;
}

TEST(JitTest, ReportsLoweringErrors) {
  MLIRContext context;
  std::string error;
  // A dynamic shape cannot be exported to C.
  auto jit = compileForHost(
      context,
      "func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> { return %x : "
      "tensor<?xf32> }",
      error);
  EXPECT_TRUE(failed(jit));
  EXPECT_NE(error.find("cannot export"), std::string::npos) << error;
}

TEST(JitTest, TakesExternalWeights) {
  // The constant goes to the weights (at offset 64 after the header); the
  // entry point takes them first, and the check accepts them.
  MLIRContext context;
  std::string error, weights;
  JitOptions options;
  options.externalWeights = &weights;
  auto jit = compileForHost(context,
                            R"mlir(
func.func @shift(%a: tensor<4xf32>) -> tensor<4xf32> {
  %w = arith.constant dense<[0.5, -1.0, 2.0, 8.0]> : tensor<4xf32>
  %c = arith.addf %a, %w : tensor<4xf32>
  return %c : tensor<4xf32>
}
)mlir",
                            error, options);
  ASSERT_TRUE(succeeded(jit)) << error;
  ASSERT_EQ(weights.size(), 128u);
  auto *size = (*jit)->lookupAs<int64_t()>("lowbit_shift_weights_size");
  auto *check =
      (*jit)->lookupAs<int(const void *, size_t)>("lowbit_shift_check_weights");
  auto *shift = (*jit)->lookupAs<int(const void *, const float *, float *)>(
      "lowbit_shift");
  ASSERT_TRUE(size && check && shift);
  EXPECT_EQ(size(), 128);
  alignas(64) char buffer[128];
  std::memcpy(buffer, weights.data(), weights.size());
  EXPECT_EQ(check(buffer, sizeof buffer), 0);
  float a[4] = {1, 2, 3, 4}, c[4] = {};
  EXPECT_EQ(shift(buffer, a, c), 0);
  EXPECT_EQ(c[0], 1.5f);
  EXPECT_EQ(c[1], 1.0f);
  EXPECT_EQ(c[3], 12.0f);
  // Other weights of the same layout: the code reads the caller's.
  float other[4] = {100, 200, 300, 400};
  std::memcpy(buffer + 64, other, sizeof other);
  EXPECT_EQ(check(buffer, sizeof buffer), 5); // corrupted
  EXPECT_EQ(shift(buffer, a, c), 0);
  EXPECT_EQ(c[0], 101.0f);
  EXPECT_EQ(c[3], 404.0f);
  EXPECT_EQ(check(buffer, 64), 1); // truncated
  alignas(64) char shifted[192];
  std::memcpy(shifted + 1, buffer, sizeof buffer);
  EXPECT_EQ(check(shifted + 1, sizeof buffer), 6); // misaligned
}

TEST(JitTest, LooksUpEntryPoints) {
  MLIRContext context;
  std::string error;
  auto jit = compileForHost(context,
                            R"mlir(
func.func @axpy(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.addf %a, %b : tensor<4xf32>
  return %c : tensor<4xf32>
}
)mlir",
                            error);
  ASSERT_TRUE(succeeded(jit)) << error;
  EXPECT_EQ((*jit)->lookup("lowbit_missing"), nullptr);
  auto *axpy = (*jit)->lookupAs<int(const float *, const float *, float *)>(
      "lowbit_axpy");
  ASSERT_NE(axpy, nullptr);
  float a[4] = {1, 2, 3, 4}, b[4] = {10, 20, 30, 40}, c[4] = {};
  EXPECT_EQ(axpy(a, b, c), 0);
  EXPECT_EQ(c[0], 11.0f);
  EXPECT_EQ(c[3], 44.0f);
}

} // namespace

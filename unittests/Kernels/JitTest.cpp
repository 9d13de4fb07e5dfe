//===- JitTest.cpp - the JIT helper
//-----------------------------------------===//
//
// lowbit::compileForHost: errors and entry points.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

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

//===- MultishiftBytesTest.cpp - lowbit.multishift_bytes, compiled --------===//
//
// lowbit.multishift_bytes compiled by the JIT (the portable rotations on the
// baseline x86-64, vpmultishiftqb where the host has AVX512-VBMI) against
// the definition: byte j of 64-bit lane q is lane q rotated right by
// control & 63, truncated.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

using namespace mlir;
using namespace lowbit;

namespace {

constexpr int64_t kBytes = 128;

uint8_t referenceByte(const uint8_t *data, uint8_t control, int64_t byte) {
  uint64_t lane;
  std::memcpy(&lane, data + byte / 8 * 8, 8);
  unsigned shift = control & 63;
  uint64_t rotated = shift ? (lane >> shift) | (lane << (64 - shift)) : lane;
  return uint8_t(rotated);
}

void checkCpu(MLIRContext &context, const char *cpu, const char *features) {
  SCOPED_TRACE(std::string("cpu=") + cpu + " features=" + features);
  // 128 bytes: two 64-byte instructions with VBMI.
  std::string source = llvm::formatv(R"mlir(
func.func @multishift(%c: tensor<{0}xi8>, %d: tensor<{0}xi8>) -> tensor<{0}xi8> {{
  %i0 = arith.constant 0 : index
  %z = arith.constant 0 : i8
  %cv = vector.transfer_read %c[%i0], %z {{in_bounds = [true]} : tensor<{0}xi8>, vector<{0}xi8>
  %dv = vector.transfer_read %d[%i0], %z {{in_bounds = [true]} : tensor<{0}xi8>, vector<{0}xi8>
  %r = lowbit.multishift_bytes %cv, %dv : vector<{0}xi8>
  %e = tensor.empty() : tensor<{0}xi8>
  %w = vector.transfer_write %r, %e[%i0] {{in_bounds = [true]} : vector<{0}xi8>, tensor<{0}xi8>
  return %w : tensor<{0}xi8>
}
)mlir",
                                     kBytes)
                           .str();
  JitOptions options;
  options.cpu = cpu;
  options.features = features;
  std::string error;
  auto jit = compileForHost(context, source, error, options);
  ASSERT_TRUE(succeeded(jit)) << error;
  auto *function =
      (*jit)->lookupAs<int(const uint8_t *, const uint8_t *, uint8_t *)>(
          "lowbit_multishift");
  ASSERT_NE(function, nullptr);
  std::mt19937 rng(83);
  std::uniform_int_distribution<int> byteDistribution(0, 255);
  for (int round = 0; round < 8; ++round) {
    uint8_t controls[kBytes], data[kBytes], out[kBytes];
    for (int64_t i = 0; i < kBytes; ++i) {
      // Every offset 0..63 once per lane pair, and high control bits set.
      controls[i] = uint8_t(round == 0 ? i % 64 : byteDistribution(rng));
      data[i] = uint8_t(byteDistribution(rng));
    }
    ASSERT_EQ(function(controls, data, out), 0);
    for (int64_t i = 0; i < kBytes; ++i)
      ASSERT_EQ(out[i], referenceByte(data, controls[i], i))
          << "byte " << i << " control " << int(controls[i]);
  }
}

TEST(MultishiftBytesTest, MatchesDefinition) {
  MLIRContext context;
  {
    DialectRegistry registry;
    registerJitDialects(registry);
    context.appendDialectRegistry(registry);
  }
  checkCpu(context, "native", "-avx512vbmi");
#if defined(__x86_64__)
  checkCpu(context, "x86-64", "");
  if (llvm::sys::getHostCPUFeatures().lookup("avx512vbmi"))
    checkCpu(context, "native", "");
#endif
}

} // namespace

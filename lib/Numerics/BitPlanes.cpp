//===- BitPlanes.cpp - bit-plane weights and lookup-table GEMV ------------===//

#include "lowbit/Numerics/BitPlanes.h"
#include "lowbit/Numerics/Reference.h"

#include "llvm/Support/MathExtras.h"

#include <cassert>

using namespace lowbit::numerics;

int64_t lowbit::numerics::bitPlanePaddedDepth(int64_t K) {
  return llvm::alignTo(K, kBitPlaneQuad * kBitPlaneBlockQuads);
}

int64_t lowbit::numerics::bitPlanePanelBytes(unsigned bits, int64_t K) {
  return 4 * int64_t(llvm::divideCeil(bits, 2)) * bitPlanePaddedDepth(K);
}

int64_t lowbit::numerics::bitPlaneBytes(unsigned bits, int64_t N, int64_t K) {
  return llvm::divideCeil(N, kBitPlanePanelRows) * bitPlanePanelBytes(bits, K);
}

BitPlanePosition lowbit::numerics::bitPlanePosition(unsigned bits, int64_t K,
                                                    int64_t n, int64_t k,
                                                    unsigned plane) {
  int64_t quad = k / kBitPlaneQuad;
  int64_t block = quad / kBitPlaneBlockQuads;
  int64_t pairs = llvm::divideCeil(bits, 2);
  int64_t byte = n / kBitPlanePanelRows * bitPlanePanelBytes(bits, K) +
                 64 * (pairs * block + plane / 2) +
                 16 * (quad % kBitPlaneBlockQuads) + n % kBitPlanePanelRows;
  return {byte, plane % 2 == 1};
}

std::vector<uint8_t>
lowbit::numerics::packBitPlanes(llvm::ArrayRef<uint8_t> codes, unsigned bits,
                                int64_t N, int64_t K) {
  assert(bits >= 1 && bits <= 4 && codes.size() == size_t(N * K));
  std::vector<uint8_t> packed(bitPlaneBytes(bits, N, K), 0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      uint8_t c = codes[n * K + k];
      assert(c < (1u << bits) && "code out of range");
      for (unsigned p = 0; p < bits; ++p) {
        BitPlanePosition at = bitPlanePosition(bits, K, n, k, p);
        unsigned bit = ((c >> p) & 1u) << (k % kBitPlaneQuad);
        packed[at.byte] |= uint8_t(at.high ? bit << 4 : bit);
      }
    }
  return packed;
}

std::vector<uint8_t>
lowbit::numerics::unpackBitPlanes(llvm::ArrayRef<uint8_t> packed, unsigned bits,
                                  int64_t N, int64_t K) {
  assert(packed.size() == size_t(bitPlaneBytes(bits, N, K)));
  std::vector<uint8_t> codes(N * K, 0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k)
      for (unsigned p = 0; p < bits; ++p) {
        BitPlanePosition at = bitPlanePosition(bits, K, n, k, p);
        unsigned index = at.high ? packed[at.byte] >> 4 : packed[at.byte] & 15;
        codes[n * K + k] |= uint8_t(((index >> (k % kBitPlaneQuad)) & 1) << p);
      }
  return codes;
}

std::vector<int16_t>
lowbit::numerics::buildLookupTables(llvm::ArrayRef<int8_t> q) {
  int64_t K = q.size();
  int64_t quads = bitPlanePaddedDepth(K) / kBitPlaneQuad;
  std::vector<int16_t> tables(16 * quads);
  for (int64_t j = 0; j < quads; ++j)
    for (unsigned i = 0; i < 16; ++i) {
      int32_t sum = 0;
      for (int64_t r = 0; r < kBitPlaneQuad; ++r) {
        int64_t k = kBitPlaneQuad * j + r;
        if ((i >> r) & 1 && k < K)
          sum += q[k];
      }
      tables[16 * j + i] = int16_t(sum); // |sum| <= 4 * 128
    }
  return tables;
}

int32_t lowbit::numerics::lookupDot(llvm::ArrayRef<uint8_t> packed,
                                    unsigned bits, int64_t K,
                                    llvm::ArrayRef<int16_t> tables, int64_t n,
                                    int64_t k0, int64_t k1) {
  assert(k0 % kBitPlaneQuad == 0 && (k1 % kBitPlaneQuad == 0 || k1 == K));
  int32_t sum = 0;
  for (int64_t k = k0; k < k1; k += kBitPlaneQuad) {
    int64_t j = k / kBitPlaneQuad;
    for (unsigned p = 0; p < bits; ++p) {
      BitPlanePosition at = bitPlanePosition(bits, K, n, k, p);
      unsigned index = at.high ? packed[at.byte] >> 4 : packed[at.byte] & 15;
      sum += int32_t(tables[16 * j + index]) * (int32_t(1) << p);
    }
  }
  return sum;
}

void lowbit::numerics::referenceLutMatmul(
    llvm::ArrayRef<float> x, llvm::ArrayRef<uint8_t> packed, unsigned bits,
    llvm::ArrayRef<float> steps, llvm::ArrayRef<float> mins, int64_t groupSize,
    llvm::ArrayRef<float> bias, int64_t M, int64_t N, int64_t K,
    llvm::MutableArrayRef<float> out) {
  int64_t G = std::min(groupSize, K);
  assert(G % kBitPlaneQuad == 0 || G == K);
  int64_t groups = llvm::divideCeil(K, G);
  assert(steps.size() == size_t(N * groups) && mins.size() == steps.size());
  std::vector<int8_t> q(K);
  for (int64_t m = 0; m < M; ++m) {
    float sx = quantizeActivationRow(x.slice(m * K, K), q);
    std::vector<int16_t> tables = buildLookupTables(q);
    std::vector<int32_t> activationSums(groups, 0);
    for (int64_t k = 0; k < K; ++k)
      activationSums[k / G] += q[k];
    for (int64_t n = 0; n < N; ++n) {
      double acc = 0.0;
      for (int64_t g = 0; g < groups; ++g) {
        int32_t codeSum = lookupDot(packed, bits, K, tables, n, g * G,
                                    std::min(K, (g + 1) * G));
        acc += double(steps[n * groups + g]) * double(codeSum) +
               double(mins[n * groups + g]) * double(activationSums[g]);
      }
      acc *= double(sx);
      if (!bias.empty())
        acc += double(bias[n]);
      out[m * N + n] = static_cast<float>(acc);
    }
  }
}

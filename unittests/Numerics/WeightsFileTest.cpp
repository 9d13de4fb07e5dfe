//===- WeightsFileTest.cpp - the external weights file format -------------===//

#include "lowbit/Numerics/WeightsFile.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

using namespace lowbit::numerics;

namespace {

/// Chunks of 5, 64, 1 and 130 bytes with distinct contents.
struct Example {
  std::vector<std::vector<uint8_t>> data;
  std::vector<WeightsChunk> chunks;
  uint64_t total = 0;

  Example() {
    for (size_t bytes : {5, 64, 1, 130}) {
      std::vector<uint8_t> values(bytes);
      for (size_t i = 0; i < bytes; ++i)
        values[i] = uint8_t(31 * data.size() + 7 * i + 1);
      data.push_back(values);
    }
    std::vector<uint64_t> sizes;
    for (const auto &values : data)
      sizes.push_back(values.size());
    std::vector<uint64_t> offsets = layoutWeights(sizes, total);
    for (size_t i = 0; i < data.size(); ++i)
      chunks.push_back({offsets[i], data[i].data(), data[i].size()});
  }

  /// The whole file, written as a caller would read it.
  std::vector<uint8_t> file() const {
    std::vector<uint8_t> bytes(kWeightsHeaderBytes);
    writeWeightsHeader(total, fingerprintWeights(chunks, total), bytes.data());
    serializeWeights(chunks, total, [&](const uint8_t *data, size_t size) {
      bytes.insert(bytes.end(), data, data + size);
    });
    return bytes;
  }
};

/// FNV-1a over the words of [64, size), written out independently.
uint64_t referenceFingerprint(const std::vector<uint8_t> &file) {
  uint64_t h = 14695981039346656037ULL;
  for (size_t i = 64; i < file.size(); i += 8) {
    uint64_t word = 0;
    for (size_t b = 0; b < 8; ++b)
      word |= uint64_t(file[i + b]) << (8 * b);
    h ^= word;
    h *= 1099511628211ULL;
  }
  return h;
}

uint64_t readWord(const std::vector<uint8_t> &file, size_t at) {
  uint64_t word = 0;
  for (size_t b = 0; b < 8; ++b)
    word |= uint64_t(file[at + b]) << (8 * b);
  return word;
}

TEST(WeightsFile, LayoutAlignsEveryConstantAfterTheHeader) {
  uint64_t total = 0;
  EXPECT_EQ(layoutWeights({5, 64, 1, 130}, total),
            (std::vector<uint64_t>{64, 128, 192, 256}));
  EXPECT_EQ(total, 448u); // 256 + 130 rounded up to 64
  EXPECT_TRUE(layoutWeights({}, total).empty());
  EXPECT_EQ(total, 64u); // the header alone
}

TEST(WeightsFile, FileHoldsHeaderConstantsAndZeroPadding) {
  Example example;
  std::vector<uint8_t> file = example.file();
  ASSERT_EQ(file.size(), example.total);
  EXPECT_EQ(std::string(file.begin(), file.begin() + 8), "LBWEIGHT");
  EXPECT_EQ(readWord(file, 8), 1u | (64ull << 32));
  EXPECT_EQ(readWord(file, 16), example.total);
  EXPECT_EQ(readWord(file, 24), referenceFingerprint(file));
  for (size_t i = 32; i < 64; ++i)
    EXPECT_EQ(file[i], 0) << i;
  std::vector<bool> covered(file.size(), false);
  for (const WeightsChunk &chunk : example.chunks) {
    EXPECT_EQ(chunk.offset % 64, 0u);
    EXPECT_EQ(std::memcmp(file.data() + chunk.offset, chunk.data, chunk.bytes),
              0);
    for (size_t i = 0; i < chunk.bytes; ++i)
      covered[chunk.offset + i] = true;
  }
  for (size_t i = 64; i < file.size(); ++i)
    if (!covered[i])
      EXPECT_EQ(file[i], 0) << "padding at " << i;
}

TEST(WeightsFile, CheckAcceptsTheFileItWasWrittenFor) {
  Example example;
  std::vector<uint8_t> file = example.file();
  EXPECT_EQ(checkWeights(file.data(), file.size(), example.total,
                         referenceFingerprint(file)),
            WeightsCheck::Ok);
}

TEST(WeightsFile, CheckRejectsTruncatedAndMismatchedFiles) {
  Example example;
  std::vector<uint8_t> file = example.file();
  uint64_t fingerprint = readWord(file, 24);
  // Truncated (also below the header), or a size the object did not expect.
  EXPECT_EQ(
      checkWeights(file.data(), file.size() - 64, example.total, fingerprint),
      WeightsCheck::WrongSize);
  EXPECT_EQ(checkWeights(file.data(), 10, example.total, fingerprint),
            WeightsCheck::WrongSize);
  EXPECT_EQ(
      checkWeights(file.data(), file.size(), example.total + 64, fingerprint),
      WeightsCheck::WrongSize);
  // Weights of another model of the same size.
  EXPECT_EQ(
      checkWeights(file.data(), file.size(), example.total, fingerprint + 1),
      WeightsCheck::OtherModel);
  auto withByte = [&](size_t at, uint8_t value) {
    std::vector<uint8_t> copy = file;
    copy[at] = value;
    return checkWeights(copy.data(), copy.size(), example.total, fingerprint);
  };
  EXPECT_EQ(withByte(0, 'X'), WeightsCheck::NotWeights);
  EXPECT_EQ(withByte(8, 2), WeightsCheck::WrongVersion);
  EXPECT_EQ(withByte(12, 128), WeightsCheck::WrongVersion);
  EXPECT_EQ(withByte(16, 0), WeightsCheck::WrongSize);
}

TEST(WeightsFile, CheckDetectsEveryFlippedBitOfTheContent) {
  Example example;
  std::vector<uint8_t> file = example.file();
  uint64_t fingerprint = readWord(file, 24);
  for (size_t at = 64; at < file.size(); ++at)
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> copy = file;
      copy[at] ^= uint8_t(1 << bit);
      ASSERT_EQ(
          checkWeights(copy.data(), copy.size(), example.total, fingerprint),
          WeightsCheck::Corrupted)
          << "byte " << at << " bit " << bit;
    }
}

TEST(WeightsFile, FingerprintFoldsLargeChunksInPieces) {
  // Larger than serializeWeights' 16 MiB pieces, with a partial last word.
  std::vector<uint8_t> big((uint64_t(1) << 24) + 13);
  for (size_t i = 0; i < big.size(); ++i)
    big[i] = uint8_t(i * 2654435761u >> 13);
  uint64_t total = 0;
  std::vector<uint64_t> offsets = layoutWeights({big.size()}, total);
  std::vector<WeightsChunk> chunks = {{offsets[0], big.data(), big.size()}};
  std::vector<uint8_t> file(total, 0);
  std::memcpy(file.data() + offsets[0], big.data(), big.size());
  EXPECT_EQ(fingerprintWeights(chunks, total), referenceFingerprint(file));
}

} // namespace

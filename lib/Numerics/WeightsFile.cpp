//===- WeightsFile.cpp - the external weights file format -----------------===//

#include "lowbit/Numerics/WeightsFile.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cassert>

using namespace lowbit::numerics;
using llvm::support::endian::read64le;
using llvm::support::endian::write64le;

std::vector<uint64_t>
lowbit::numerics::layoutWeights(const std::vector<uint64_t> &sizes,
                                uint64_t &total) {
  std::vector<uint64_t> offsets;
  total = kWeightsHeaderBytes;
  for (uint64_t bytes : sizes) {
    offsets.push_back(total);
    total = llvm::alignTo(total + bytes, kWeightsAlignment);
  }
  return offsets;
}

void WeightsFingerprint::update(const uint8_t *data, size_t bytes) {
  assert(bytes % 8 == 0 && "the fingerprint folds whole words");
  for (size_t i = 0; i < bytes; i += 8)
    state = (state ^ read64le(data + i)) * kFingerprintPrime;
}

void lowbit::numerics::serializeWeights(
    const std::vector<WeightsChunk> &chunks, uint64_t total,
    const std::function<void(const uint8_t *, size_t)> &sink) {
  static const uint8_t zeros[4096] = {};
  auto pad = [&](uint64_t bytes) {
    for (; bytes > 0; bytes -= std::min<uint64_t>(bytes, sizeof(zeros)))
      sink(zeros, std::min<uint64_t>(bytes, sizeof(zeros)));
  };
  uint64_t at = kWeightsHeaderBytes;
  for (const WeightsChunk &chunk : chunks) {
    assert(chunk.offset >= at && chunk.offset + chunk.bytes <= total &&
           "chunks sorted, disjoint and inside the file");
    pad(chunk.offset - at);
    // In pieces, so that a sink may fold whole words of each piece.
    const uint64_t piece = uint64_t(1) << 24;
    uint64_t whole = chunk.bytes / 8 * 8;
    for (uint64_t done = 0; done < whole; done += piece)
      sink(chunk.data + done, std::min(piece, whole - done));
    // The last partial word, completed with zeros.
    if (chunk.bytes > whole) {
      uint8_t word[8] = {};
      std::copy(chunk.data + whole, chunk.data + chunk.bytes, word);
      sink(word, 8);
    }
    at = chunk.offset + (chunk.bytes + 7) / 8 * 8;
  }
  pad(total - at);
}

uint64_t
lowbit::numerics::fingerprintWeights(const std::vector<WeightsChunk> &chunks,
                                     uint64_t total) {
  WeightsFingerprint fingerprint;
  serializeWeights(chunks, total, [&](const uint8_t *data, size_t bytes) {
    fingerprint.update(data, bytes);
  });
  return fingerprint.get();
}

void lowbit::numerics::writeWeightsHeader(uint64_t total, uint64_t fingerprint,
                                          uint8_t header[kWeightsHeaderBytes]) {
  std::fill(header, header + kWeightsHeaderBytes, 0);
  write64le(header, kWeightsMagic);
  write64le(header + 8, kWeightsVersionWord);
  write64le(header + 16, total);
  write64le(header + 24, fingerprint);
}

WeightsCheck lowbit::numerics::checkWeights(const uint8_t *file, size_t size,
                                            uint64_t expectedTotal,
                                            uint64_t expectedFingerprint) {
  if (size != expectedTotal || size < kWeightsHeaderBytes)
    return WeightsCheck::WrongSize;
  if (read64le(file) != kWeightsMagic)
    return WeightsCheck::NotWeights;
  if (read64le(file + 8) != kWeightsVersionWord)
    return WeightsCheck::WrongVersion;
  if (read64le(file + 16) != expectedTotal)
    return WeightsCheck::WrongSize;
  if (read64le(file + 24) != expectedFingerprint)
    return WeightsCheck::OtherModel;
  WeightsFingerprint fingerprint;
  fingerprint.update(file + kWeightsHeaderBytes, size - kWeightsHeaderBytes);
  return fingerprint.get() == expectedFingerprint ? WeightsCheck::Ok
                                                  : WeightsCheck::Corrupted;
}

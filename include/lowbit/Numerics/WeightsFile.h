//===- WeightsFile.h - the external weights file format ---------*- C++ -*-===//
//
// `lowbitc --weights=external` keeps a model's constants out of the object:
// they go to a weights file that the caller loads and passes to every entry
// point. The file is
//
//   offset  0: magic "LBWEIGHT" (8 bytes)
//   offset  8: format version (u32), header bytes (u32, 64)
//   offset 16: total file bytes (u64)
//   offset 24: fingerprint of bytes [64, total) (u64)
//   offset 32: zeros up to 64
//   offset 64: the constants, each at a 64-byte aligned offset, zero padding
//              between them and up to the total, a multiple of 64
//
// all little-endian. The fingerprint is FNV-1a over 64-bit little-endian
// words, h = (h ^ w) * 0x100000001b3 from 0xcbf29ce484222325: each step is a
// bijection of h, so any one changed word changes it (it is a checksum, not
// a cryptographic hash). The object carries the size and fingerprint it was
// compiled with; lowbit_NAME_check_weights restates `checkWeights` below.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_WEIGHTSFILE_H
#define LOWBIT_NUMERICS_WEIGHTSFILE_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace lowbit::numerics {

/// "LBWEIGHT" read as a little-endian u64.
constexpr uint64_t kWeightsMagic = 0x544847494557424cULL;
constexpr uint32_t kWeightsVersion = 1;
constexpr uint64_t kWeightsHeaderBytes = 64;
/// Every constant's offset, and the total size, are multiples of this.
constexpr uint64_t kWeightsAlignment = 64;
/// Header word 1: the version and the header size.
constexpr uint64_t kWeightsVersionWord =
    kWeightsVersion | (kWeightsHeaderBytes << 32);
constexpr uint64_t kFingerprintBasis = 0xcbf29ce484222325ULL;
constexpr uint64_t kFingerprintPrime = 0x100000001b3ULL;

/// What `checkWeights` finds; the values are the C functions' return codes.
enum class WeightsCheck : int {
  Ok = 0,
  WrongSize = 1,    ///< size or header total differs from the object's
  NotWeights = 2,   ///< no magic: not a weights file
  WrongVersion = 3, ///< another format version or header size
  OtherModel = 4,   ///< the header's fingerprint is not the object's
  Corrupted = 5,    ///< the content does not match the fingerprint
  /// The buffer does not start on a 64-byte boundary (only the compiled
  /// NAME_check_weights sees the caller's pointer: checkWeights checks
  /// bytes wherever they are).
  Misaligned = 6,
};

/// One constant's bytes at its offset in the file.
struct WeightsChunk {
  uint64_t offset = 0;
  const uint8_t *data = nullptr;
  uint64_t bytes = 0;
};

/// Offsets for constants of the given byte sizes, in order, each 64-byte
/// aligned after the header; returns them and sets `total` (a multiple of 64,
/// at least the header).
std::vector<uint64_t> layoutWeights(const std::vector<uint64_t> &sizes,
                                    uint64_t &total);

/// Folds whole little-endian words into the fingerprint.
class WeightsFingerprint {
public:
  /// `bytes` must be a multiple of 8.
  void update(const uint8_t *data, size_t bytes);
  uint64_t get() const { return state; }

private:
  uint64_t state = kFingerprintBasis;
};

/// Calls `sink` with the bytes of [64, total) in order: the chunks (sorted
/// by offset, not overlapping, inside the file) and the zeros between them.
void serializeWeights(const std::vector<WeightsChunk> &chunks, uint64_t total,
                      const std::function<void(const uint8_t *, size_t)> &sink);

/// The fingerprint of the data that serializeWeights produces.
uint64_t fingerprintWeights(const std::vector<WeightsChunk> &chunks,
                            uint64_t total);

/// The 64-byte header.
void writeWeightsHeader(uint64_t total, uint64_t fingerprint,
                        uint8_t header[kWeightsHeaderBytes]);

/// Checks a loaded file of `size` bytes against what an object expects.
WeightsCheck checkWeights(const uint8_t *file, size_t size,
                          uint64_t expectedTotal, uint64_t expectedFingerprint);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_WEIGHTSFILE_H

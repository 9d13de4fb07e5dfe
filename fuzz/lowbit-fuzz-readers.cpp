//===- lowbit-fuzz-readers.cpp - fuzz the calibration data readers --------===//
//
// A libFuzzer target for what lowbit-calibrate and lowbitc read besides the
// model. The first byte chooses the reader, the rest is the file:
//   'J' (and anything else): statistics JSON (lowbitc --calibration,
//        lowbit-calibrate --apply-json). What parses is written back and
//        must read back the same, and every calibrator chooses a range from
//        it (lowbit-fold-calibration's arithmetic).
//   'I': IDX images (--images, plain or gzip-ed); 'R': raw f32 (--raw-f32).
//        The next byte chooses the preprocessing options and model input
//        shape (also invalid ones), then every sample is read.
//   'T': text windows through a vocabulary (--text, --vocab). The next
//        byte chooses the window length (0: an invalid rank-2 input) and
//        the sample count, the two after it the vocabulary JSON's length
//        (little-endian, cut to what is there); the rest is the text.
//        Every window's token ids are read and must be in range.
// Readers fail with a message; crashes and sanitizer reports are findings.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Calibration/Calibrate.h"
#include "lowbit/Numerics/Calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

using namespace lowbit;

namespace {

void fuzzJson(llvm::StringRef text) {
  std::string error;
  auto statistics = statisticsFromJson(text, error);
  if (llvm::failed(statistics)) {
    if (error.empty())
      std::abort(); // every failure has a message
    return;
  }
  // Written back, the statistics read back the same.
  std::string written = statisticsToJson(*statistics);
  auto again = statisticsFromJson(written, error);
  if (llvm::failed(again) || again->size() != statistics->size())
    std::abort();
  for (auto [a, b] : llvm::zip(*statistics, *again))
    if (a.id != b.id || a.type != b.type || a.min != b.min || a.max != b.max ||
        a.channelMins != b.channelMins || a.channelMaxs != b.channelMaxs ||
        a.histogram.has_value() != b.histogram.has_value())
      std::abort();
  // What lowbit-fold-calibration computes from them.
  for (const ObservedStatistics &stats : *statistics) {
    for (auto method : {numerics::CalibrationMethod::MinMax,
                        numerics::CalibrationMethod::Percentile,
                        numerics::CalibrationMethod::Entropy,
                        numerics::CalibrationMethod::MSE}) {
      numerics::CalibrationOptions options;
      options.method = method;
      // Entropy and MSE are quadratic in the bins: keep them for small
      // histograms.
      if (method != numerics::CalibrationMethod::MinMax &&
          method != numerics::CalibrationMethod::Percentile &&
          stats.histogram && stats.histogram->counts.size() > 4096)
        continue;
      auto range =
          numerics::chooseRange(options, stats.min, stats.max,
                                stats.histogram ? &*stats.histogram : nullptr);
      if (!range)
        continue;
      auto [lo, hi] = *range;
      if (!std::isfinite(lo) || !std::isfinite(hi) || lo > 0.0f || hi < 0.0f)
        std::abort(); // chooseRange promises a finite range containing 0
      numerics::QuantParams params = numerics::getActivationParams(lo, hi);
      (void)params;
    }
  }
}

/// The file's bytes behind a path the readers can open (no disk involved).
class MemoryFile {
public:
  explicit MemoryFile(llvm::ArrayRef<uint8_t> bytes) {
    fd = memfd_create("lowbit-fuzz", 0);
    if (fd < 0 ||
        write(fd, bytes.data(), bytes.size()) != ssize_t(bytes.size()))
      std::abort();
    path = "/proc/self/fd/" + std::to_string(fd);
  }
  ~MemoryFile() { close(fd); }
  const std::string &getPath() const { return path; }

private:
  int fd;
  std::string path;
};

/// openSamples, aborting (a fuzzer finding) when it fails without saying why.
mlir::FailureOr<std::unique_ptr<SampleSource>>
openSamplesOrAbort(const SampleOptions &options, llvm::ArrayRef<int64_t> shape,
                   std::string &error) {
  auto samples = openSamples(options, shape, error);
  if (llvm::failed(samples) && error.empty())
    std::abort();
  return samples;
}

void fuzzSamples(bool idx, uint8_t choice, llvm::ArrayRef<uint8_t> bytes) {
  MemoryFile file(bytes);
  SampleOptions options;
  (idx ? options.idxPath : options.rawF32Path) = file.getPath();
  // Preprocessing options, valid and not.
  static const double scales[] = {1.0, 1.0 / 255, 0.0,   -1.0,
                                  NAN, INFINITY,  1e300, 1e-300};
  options.scale = scales[choice & 7];
  options.mean = (choice & 8) ? 0.1307 : ((choice & 64) ? NAN : 0.0);
  options.stddev = (choice & 16) ? 0.3081 : ((choice & 64) ? -1.0 : 1.0);
  options.pad = (choice >> 5) & 3;
  options.count = (choice & 128) ? 2 : 0;
  // The model input: from the IDX header (so that images fit), or fixed.
  llvm::SmallVector<int64_t> shape = {1, 1, 4, 4};
  if (idx && bytes.size() >= 16 && (choice & 1)) {
    auto u32 = [&](size_t offset) {
      return int64_t(bytes[offset]) << 24 | int64_t(bytes[offset + 1]) << 16 |
             int64_t(bytes[offset + 2]) << 8 | int64_t(bytes[offset + 3]);
    };
    shape = {1, 1, u32(8) + 2 * options.pad, u32(12) + 2 * options.pad};
  } else if (choice & 2) {
    shape = {(choice >> 2) & 3, 3};
  }
  std::string error;
  auto samples = openSamplesOrAbort(options, shape, error);
  if (llvm::failed(samples))
    return;
  int64_t elements = 1;
  for (int64_t d : shape)
    elements *= d;
  // Bound the work: at most 1 MiB of samples read per input.
  if (elements > (int64_t(1) << 18))
    return;
  std::vector<float> sample(elements);
  for (int64_t s = 0; s < (*samples)->size() && s * elements < (1 << 18); ++s)
    if (llvm::failed((*samples)->read(s, sample, error)))
      return;
  // Reading sample 0 again rewinds.
  if ((*samples)->size() > 0)
    (void)(*samples)->read(0, sample, error);
}

void fuzzText(uint8_t choice, llvm::ArrayRef<uint8_t> bytes) {
  if (bytes.size() < 2)
    return;
  size_t vocabBytes =
      std::min<size_t>(bytes[0] | size_t(bytes[1]) << 8, bytes.size() - 2);
  MemoryFile vocab(bytes.slice(2, vocabBytes));
  MemoryFile text(bytes.drop_front(2 + vocabBytes));
  SampleOptions options;
  options.textPath = text.getPath();
  options.vocabPath = vocab.getPath();
  options.count = (choice & 0x80) ? 3 : 0;
  int64_t window = choice & 0x3f;
  llvm::SmallVector<int64_t> shape = {window};
  if (window == 0)
    shape = {2, 2};
  std::string error;
  auto samples = openSamplesOrAbort(options, shape, error);
  if (llvm::failed(samples))
    return;
  if (!(*samples)->hasTokenIds())
    std::abort();
  std::vector<int32_t> tokens(window);
  for (int64_t s = 0; s < (*samples)->size() && s < 4096; ++s) {
    if (llvm::failed((*samples)->readTokens(s, tokens, error))) {
      if (error.empty())
        std::abort();
      return;
    }
    for (int32_t token : tokens)
      if (token < 0)
        std::abort(); // ids index the vocabulary
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > (1 << 20))
    return -1;
  llvm::ArrayRef<uint8_t> rest(data + 1, size - 1);
  switch (data[0]) {
  case 'I':
  case 'R':
    if (rest.empty())
      return -1;
    fuzzSamples(data[0] == 'I', rest[0], rest.drop_front());
    return 0;
  case 'T':
    if (rest.empty())
      return -1;
    fuzzText(rest[0], rest.drop_front());
    return 0;
  default:
    fuzzJson(llvm::StringRef(reinterpret_cast<const char *>(rest.data()),
                             rest.size()));
    return 0;
  }
}

//===- Samples.cpp - calibration samples from files -----------------------===//
//
// The sample sources of the calibration runner: IDX images and raw f32 read
// one sample at a time (gunzipped when compressed), and windows of a text as
// token ids; openSamples checks the options and picks one.
//
//===----------------------------------------------------------------------===//

#include "Json.h"
#include "lowbit/Calibration/Calibrate.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <zlib.h>

#include <array>
#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace lowbit;

SampleSource::~SampleSource() = default;

LogicalResult SampleSource::readTokens(int64_t, MutableArrayRef<int32_t>,
                                       std::string &error) {
  error = "these samples are f32 values, not token ids";
  return failure();
}

namespace {

/// A file read front to back (gunzipped when compressed: zlib reads plain
/// files as they are), one sample at a time, so memory does not depend on
/// the number of samples.
class SampleFile {
public:
  ~SampleFile() {
    if (file)
      gzclose(file);
  }
  LogicalResult open(const std::string &path, std::string &error) {
    this->path = path;
    file = gzopen(path.c_str(), "rb");
    if (!file) {
      error = "cannot open '" + path + "'";
      return failure();
    }
    gzbuffer(file, 1 << 16);
    return success();
  }
  /// Reads exactly `bytes` bytes; fails at a short read.
  LogicalResult readExactly(uint8_t *out, size_t bytes, std::string &error) {
    size_t done = 0;
    while (done < bytes) {
      int got = gzread(file, out + done, unsigned(bytes - done));
      if (got <= 0) {
        error = "'" + path + "' ends early (truncated or corrupt)";
        return failure();
      }
      done += size_t(got);
    }
    return success();
  }
  /// Positions at byte `offset` of the (uncompressed) data.
  LogicalResult seek(int64_t offset, std::string &error) {
    if (gzseek(file, offset, SEEK_SET) != offset) {
      error = "cannot seek in '" + path + "'";
      return failure();
    }
    return success();
  }
  /// The uncompressed size, by reading to the end (then back to the start).
  int64_t measure() {
    uint8_t chunk[1 << 16];
    int64_t total = 0;
    int got;
    while ((got = gzread(file, chunk, sizeof(chunk))) > 0)
      total += got;
    gzrewind(file);
    return got < 0 ? -1 : total;
  }
  const std::string &getPath() const { return path; }

private:
  gzFile file = nullptr;
  std::string path;
};

/// Samples of `sampleBytes` bytes each after a `headerBytes` header, read
/// in order (reading sample 0 again rewinds).
class StreamedSamples : public SampleSource {
public:
  StreamedSamples(std::unique_ptr<SampleFile> file, int64_t count,
                  int64_t headerBytes, int64_t sampleBytes)
      : file(std::move(file)), count(count), headerBytes(headerBytes),
        buffer(sampleBytes) {}
  int64_t size() const override { return count; }
  LogicalResult read(int64_t index, MutableArrayRef<float> out,
                     std::string &error) override {
    int64_t bytes = int64_t(buffer.size());
    if (index != next && failed(file->seek(headerBytes + index * bytes, error)))
      return failure();
    if (failed(file->readExactly(buffer.data(), buffer.size(), error)))
      return failure();
    next = index + 1;
    decode(buffer, out);
    return success();
  }

protected:
  virtual void decode(ArrayRef<uint8_t> bytes, MutableArrayRef<float> out) = 0;

private:
  std::unique_ptr<SampleFile> file;
  int64_t count, headerBytes;
  std::vector<uint8_t> buffer;
  int64_t next = -1;
};

class IdxSamples : public StreamedSamples {
public:
  IdxSamples(std::unique_ptr<SampleFile> file, int64_t count, int64_t rows,
             int64_t cols, const SampleOptions &options)
      : StreamedSamples(std::move(file), count, 16, rows * cols), rows(rows),
        cols(cols), options(options) {}

private:
  void decode(ArrayRef<uint8_t> pixels, MutableArrayRef<float> out) override {
    int64_t pad = options.pad, width = cols + 2 * pad;
    // Zero after normalization: padding is 0.0, not a normalized 0 byte.
    std::fill(out.begin(), out.end(), 0.0f);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        out[(r + pad) * width + c + pad] = float(
            (double(pixels[r * cols + c]) * options.scale - options.mean) /
            options.stddev);
  }
  int64_t rows, cols;
  SampleOptions options;
};

class RawF32Samples : public StreamedSamples {
public:
  RawF32Samples(std::unique_ptr<SampleFile> file, int64_t count,
                int64_t elements)
      : StreamedSamples(std::move(file), count, 0, elements * 4) {}

private:
  void decode(ArrayRef<uint8_t> bytes, MutableArrayRef<float> out) override {
    for (size_t i = 0; i < out.size(); ++i) {
      uint32_t bits = uint32_t(bytes[4 * i]) | uint32_t(bytes[4 * i + 1]) << 8 |
                      uint32_t(bytes[4 * i + 2]) << 16 |
                      uint32_t(bytes[4 * i + 3]) << 24;
      std::memcpy(&out[i], &bits, 4);
    }
  }
};

/// Back-to-back windows of a byte text as token ids.
class TextWindows : public SampleSource {
public:
  TextWindows(std::unique_ptr<SampleFile> file, int64_t count, int64_t length,
              std::array<int32_t, 256> idOfByte)
      : file(std::move(file)), count(count), buffer(length),
        idOfByte(idOfByte) {}
  int64_t size() const override { return count; }
  bool hasTokenIds() const override { return true; }
  LogicalResult read(int64_t, MutableArrayRef<float>,
                     std::string &error) override {
    error = "text samples are token ids: the model input must be i32";
    return failure();
  }
  LogicalResult readTokens(int64_t index, MutableArrayRef<int32_t> out,
                           std::string &error) override {
    int64_t bytes = int64_t(buffer.size());
    if (index != next && failed(file->seek(index * bytes, error)))
      return failure();
    if (failed(file->readExactly(buffer.data(), buffer.size(), error)))
      return failure();
    next = index + 1;
    for (size_t i = 0; i < buffer.size(); ++i)
      out[i] = idOfByte[buffer[i]];
    return success();
  }

private:
  std::unique_ptr<SampleFile> file;
  int64_t count;
  std::vector<uint8_t> buffer;
  std::array<int32_t, 256> idOfByte;
  int64_t next = -1;
};

/// Reads a vocabulary {"id_to_byte": [...], "unk_id": U} into the id of
/// every byte.
static FailureOr<std::array<int32_t, 256>>
readVocabulary(const std::string &path, std::string &error) {
  auto file = llvm::MemoryBuffer::getFile(path);
  if (!file) {
    error = "cannot open '" + path + "'";
    return failure();
  }
  if (failed(lowbit::detail::checkJsonDepth((*file)->getBuffer(), kMaxJsonDepth,
                                            error)))
    return failure();
  llvm::Expected<llvm::json::Value> parsed =
      llvm::json::parse((*file)->getBuffer());
  if (!parsed) {
    error =
        "'" + path + "': malformed JSON: " + llvm::toString(parsed.takeError());
    return failure();
  }
  const llvm::json::Object *top = parsed->getAsObject();
  const llvm::json::Array *bytes = top ? top->getArray("id_to_byte") : nullptr;
  std::optional<int64_t> unknown =
      top ? top->getInteger("unk_id") : std::nullopt;
  if (!bytes || !unknown || *unknown < 0 || *unknown >= (int64_t(1) << 31)) {
    error = "'" + path +
            "': expected {\"id_to_byte\": [bytes], \"unk_id\": "
            "id >= 0}";
    return failure();
  }
  std::array<int32_t, 256> ids;
  ids.fill(int32_t(*unknown));
  std::array<bool, 256> seen{};
  for (auto [id, value] : llvm::enumerate(*bytes)) {
    if (value.getAsNull()) // An id without a byte (e.g. the unknown id).
      continue;
    std::optional<int64_t> byte = value.getAsInteger();
    if (!byte || *byte < 0 || *byte > 255 || seen[*byte]) {
      error = "'" + path + "': id_to_byte[" + std::to_string(id) +
              "] is neither null nor a distinct byte 0..255";
      return failure();
    }
    seen[*byte] = true;
    ids[*byte] = int32_t(id);
  }
  return ids;
}

} // namespace

/// `name=value`, for messages about an option.
static std::string formatOption(StringRef name, double value) {
  std::string text;
  llvm::raw_string_ostream(text)
      << "--" << name << "=" << llvm::format("%g", value);
  return text;
}

/// Checks the options themselves (not the files): numbers are finite,
/// positive where they divide or scale, and every byte of an image maps to a
/// finite f32.
static LogicalResult checkSampleOptions(const SampleOptions &options,
                                        std::string &error) {
  if (int(!options.idxPath.empty()) + int(!options.rawF32Path.empty()) +
          int(!options.textPath.empty()) !=
      1) {
    error = "give exactly one sample file (IDX images, raw f32 or text)";
    return failure();
  }
  if (options.textPath.empty() != options.vocabPath.empty()) {
    error = "text samples need a vocabulary (--vocab) and a vocabulary needs "
            "text samples";
    return failure();
  }
  for (auto [name, value] :
       {std::pair<StringRef, double>{"scale", options.scale},
        {"std", options.stddev}})
    if (!std::isfinite(value) || !(value > 0.0)) {
      error = formatOption(name, value) + ": expected a finite number > 0";
      return failure();
    }
  if (!std::isfinite(options.mean)) {
    error = formatOption("mean", options.mean) + ": expected a finite number";
    return failure();
  }
  if (options.pad < 0 || options.pad > (int64_t(1) << 20)) {
    error = "--pad=" + std::to_string(options.pad) +
            ": expected 0 to 1048576 (2^20)";
    return failure();
  }
  if (options.count < 0) {
    error = "--count=" + std::to_string(options.count) +
            ": expected a sample count >= 0 (0 = all)";
    return failure();
  }
  if (options.idxPath.empty())
    return success();
  // The preprocessing is linear in the byte: its ends bound every value.
  for (int byte : {0, 255}) {
    double value = (byte * options.scale - options.mean) / options.stddev;
    if (!(std::fabs(value) <= std::numeric_limits<float>::max())) {
      std::string text;
      llvm::raw_string_ostream(text)
          << "the preprocessing (byte * scale - mean) / std maps byte " << byte
          << " to " << llvm::format("%g", value) << ", outside the f32 range";
      error = text;
      return failure();
    }
  }
  return success();
}

FailureOr<std::unique_ptr<SampleSource>>
lowbit::openSamples(const SampleOptions &options, ArrayRef<int64_t> inputShape,
                    std::string &error) {
  if (failed(checkSampleOptions(options, error)))
    return failure();
  // The input's elements, without overflow: a sample must fit in memory.
  int64_t elements = 1;
  for (int64_t d : inputShape) {
    std::optional<int64_t> product =
        d < 0 ? std::nullopt : llvm::checkedMul(elements, d);
    if (!product || *product > kMaxSampleBytes / 4) {
      error = "the model input " + formatShape(inputShape) +
              " is not a static shape of at most " +
              std::to_string(kMaxSampleBytes / 4) + " f32 elements";
      return failure();
    }
    elements = *product;
  }
  if (elements == 0) {
    error = "the model input " + formatShape(inputShape) +
            " has no elements: there is nothing to calibrate";
    return failure();
  }
  const std::string &path = !options.idxPath.empty()      ? options.idxPath
                            : !options.rawF32Path.empty() ? options.rawF32Path
                                                          : options.textPath;
  auto file = std::make_unique<SampleFile>();
  if (failed(file->open(path, error)))
    return failure();
  auto limit = [&](int64_t count) {
    return options.count > 0 ? std::min(count, options.count) : count;
  };
  if (!options.textPath.empty()) {
    if (inputShape.size() != 1) {
      error = "text samples are windows of token ids: the model input " +
              formatShape(inputShape) + " must have rank 1";
      return failure();
    }
    FailureOr<std::array<int32_t, 256>> ids =
        readVocabulary(options.vocabPath, error);
    if (failed(ids))
      return failure();
    int64_t bytes = file->measure();
    if (bytes < 0) {
      error = "'" + path + "' cannot be read (corrupt gzip data?)";
      return failure();
    }
    if (bytes < elements) {
      error = "'" + path + "' holds " + std::to_string(bytes) +
              " bytes, less than one window of " + std::to_string(elements) +
              " tokens";
      return failure();
    }
    return std::unique_ptr<SampleSource>(std::make_unique<TextWindows>(
        std::move(file), limit(bytes / elements), elements, *ids));
  }
  if (!options.rawF32Path.empty()) {
    // Raw data has no header: its size gives the sample count.
    int64_t bytes = file->measure(), sampleBytes = elements * 4;
    if (bytes < 0) {
      error = "'" + path + "' cannot be read (corrupt gzip data?)";
      return failure();
    }
    if (bytes == 0 || bytes % sampleBytes != 0) {
      error = "'" + path + "' holds " + std::to_string(bytes) +
              " bytes, not a whole number of f32 samples of " +
              formatShape(inputShape) + " (" + std::to_string(sampleBytes) +
              " bytes each)";
      return failure();
    }
    return std::unique_ptr<SampleSource>(std::make_unique<RawF32Samples>(
        std::move(file), limit(bytes / sampleBytes), elements));
  }
  // IDX: magic 0x00000803 (unsigned bytes, 3 dimensions), then the
  // dimensions as big-endian u32.
  uint8_t header[16];
  std::string ignored;
  if (failed(file->readExactly(header, sizeof(header), ignored)) ||
      header[0] != 0 || header[1] != 0 || header[2] != 8 || header[3] != 3) {
    error = "'" + path +
            "' is not an IDX file of unsigned-byte images "
            "(magic 0x00000803)";
    return failure();
  }
  auto u32 = [&](size_t offset) {
    const uint8_t *p = header + offset;
    return int64_t(uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 |
                   uint32_t(p[2]) << 8 | uint32_t(p[3]));
  };
  int64_t count = u32(4), rows = u32(8), cols = u32(12);
  if (count == 0 || rows == 0 || cols == 0) {
    error = "'" + path + "' holds no images";
    return failure();
  }
  int64_t height = rows + 2 * options.pad, width = cols + 2 * options.pad;
  size_t rank = inputShape.size();
  if (rank < 2 || inputShape[rank - 2] != height ||
      inputShape[rank - 1] != width || elements != height * width) {
    error = "images of '" + path + "' are " + std::to_string(rows) + "x" +
            std::to_string(cols) + " (" + std::to_string(height) + "x" +
            std::to_string(width) + " with padding " +
            std::to_string(options.pad) + ") but the model input is " +
            formatShape(inputShape);
    return failure();
  }
  return std::unique_ptr<SampleSource>(std::make_unique<IdxSamples>(
      std::move(file), limit(count), rows, cols, options));
}

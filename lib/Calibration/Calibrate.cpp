//===- Calibrate.cpp - run a model over samples and collect statistics ----===//

#include "lowbit/Calibration/Calibrate.h"
#include "RunObserved.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <zlib.h>

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>

using namespace mlir;
using namespace lowbit;

SampleSource::~SampleSource() = default;

static LogicalResult checkJsonDepth(StringRef text, unsigned limit,
                                    std::string &error);

LogicalResult SampleSource::readTokens(int64_t, MutableArrayRef<int32_t>,
                                       std::string &error) {
  error = "these samples are f32 values, not token ids";
  return failure();
}

//===----------------------------------------------------------------------===//
// Samples
//===----------------------------------------------------------------------===//

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
    if (index != next &&
        failed(file->seek(headerBytes + index * bytes, error)))
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
  if (failed(checkJsonDepth((*file)->getBuffer(), kMaxJsonDepth, error)))
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
    error = "'" + path + "' is not an IDX file of unsigned-byte images "
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

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

FailureOr<func::FuncOp>
lowbit::detail::findEntry(ModuleOp module, StringRef name, std::string &error) {
  func::FuncOp entry;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || !func.isPublic())
      continue;
    if (!name.empty() && func.getSymName() != name)
      continue;
    if (entry) {
      error = "the module has several public functions; name the one to "
              "calibrate";
      return failure();
    }
    entry = func;
  }
  if (!entry) {
    error = name.empty() ? "the module has no public function"
                         : "the module has no public function @" + name.str();
    return failure();
  }
  auto type = entry.getFunctionType();
  auto input = type.getNumInputs() == 1
                   ? dyn_cast<RankedTensorType>(type.getInput(0))
                   : RankedTensorType();
  if (!input || !input.hasStaticShape() ||
      !(input.getElementType().isF32() ||
        input.getElementType().isSignlessInteger(32))) {
    error = "calibration runs functions of one static f32 (or i32 token id) "
            "tensor argument; @" +
            entry.getSymName().str() + " has type " + [&] {
              std::string text;
              llvm::raw_string_ostream os(text);
              os << type;
              return text;
            }();
    return failure();
  }
  return entry;
}

/// The observers of `func` in id order; fails for duplicate ids and
/// tensors that are not static f32 of rank >= 1.
static FailureOr<SmallVector<ObserveOp>> sortedObservers(func::FuncOp func,
                                                         std::string &error) {
  SmallVector<ObserveOp> observes;
  func.walk([&](ObserveOp op) { observes.push_back(op); });
  llvm::sort(observes,
             [](ObserveOp a, ObserveOp b) { return a.getId() < b.getId(); });
  if (observes.empty()) {
    error = "@" + func.getSymName().str() +
            " has no observers (run lowbit-insert-observers)";
    return failure();
  }
  for (auto [i, op] : llvm::enumerate(observes)) {
    if (i > 0 && observes[i - 1].getId() == op.getId()) {
      error = "two observers have id " + std::to_string(op.getId());
      return failure();
    }
    RankedTensorType type = op.getType();
    if (!type.hasStaticShape() || type.getRank() == 0 ||
        !type.getElementType().isF32()) {
      error = "observer " + std::to_string(op.getId()) +
              " needs a static f32 tensor of rank >= 1";
      return failure();
    }
  }
  return observes;
}

LogicalResult lowbit::detail::runObserved(
    ModuleOp module, func::FuncOp entry, SampleSource &samples,
    const JitOptions &jitOptions, int passes,
    function_ref<void(int pass)> startPass,
    function_ref<void(int pass, ArrayRef<float> observed)> visit,
    std::string &error) {
  // The variant that returns every observed tensor, flattened into one
  // buffer in id order.
  std::string name = entry.getSymName().str();
  OwningOpRef<ModuleOp> clone = module.clone();
  auto func = clone->lookupSymbol<func::FuncOp>(name);
  FailureOr<SmallVector<ObserveOp>> sorted = sortedObservers(func, error);
  if (failed(sorted))
    return failure();
  SmallVector<ObserveOp> &observes = *sorted;
  SmallVector<int64_t> offsets;
  int64_t total = 0;
  for (ObserveOp op : observes) {
    offsets.push_back(total);
    total += op.getType().getNumElements();
  }
  auto returnOp = cast<func::ReturnOp>(func.getBody().back().getTerminator());
  OpBuilder b(returnOp);
  Location loc = func.getLoc();
  auto bufferType = RankedTensorType::get({total}, b.getF32Type());
  Value buffer = tensor::EmptyOp::create(b, loc, bufferType.getShape(),
                                         b.getF32Type());
  for (auto [op, offset] : llvm::zip(observes, offsets)) {
    Value value = op.getInput();
    RankedTensorType type = op.getType();
    ReassociationIndices all;
    for (int64_t d = 0; d < type.getRank(); ++d)
      all.push_back(d);
    Value flat = type.getRank() == 1
                     ? value
                     : Value(tensor::CollapseShapeOp::create(
                           b, loc, value, ArrayRef<ReassociationIndices>{all}));
    buffer = tensor::InsertSliceOp::create(
        b, loc, flat, buffer, ArrayRef<OpFoldResult>{b.getIndexAttr(offset)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(type.getNumElements())},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
    op.replaceAllUsesWith(op.getInput());
    op.erase();
  }
  func::ReturnOp::create(b, loc, buffer);
  returnOp.erase();
  func.setFunctionType(b.getFunctionType(func.getArgumentTypes(), bufferType));

  std::string source;
  llvm::raw_string_ostream os(source);
  clone->print(os);
  MLIRContext context;
  std::string jitError;
  auto jit = compileForHost(context, source, jitError, jitOptions);
  if (failed(jit)) {
    error = "cannot compile the model for calibration: " + jitError;
    return failure();
  }
  using Entry = int(const void *, float *);
  auto *run = (*jit)->lookupAs<Entry>("lowbit_" + name);
  if (!run) {
    error = "the compiled model has no entry point lowbit_" + name;
    return failure();
  }

  auto inputType = cast<RankedTensorType>(entry.getArgumentTypes()[0]);
  bool tokenIds = inputType.getElementType().isSignlessInteger(32);
  if (tokenIds != samples.hasTokenIds()) {
    error = tokenIds ? "the model takes token ids (i32): calibrate it on text "
                       "samples"
                     : "text samples are token ids: the model input must be "
                       "i32";
    return failure();
  }
  std::vector<float> input(inputType.getNumElements()), observed(total);
  std::vector<int32_t> tokens(tokenIds ? inputType.getNumElements() : 0);
  for (int pass = 0; pass < passes; ++pass) {
    startPass(pass);
    for (int64_t s = 0; s < samples.size(); ++s) {
      if (failed(tokenIds ? samples.readTokens(s, tokens, error)
                          : samples.read(s, input, error)))
        return failure();
      const void *in = tokenIds ? static_cast<const void *>(tokens.data())
                                : static_cast<const void *>(input.data());
      if (run(in, observed.data()) != 0) {
        error = "the model failed on sample " + std::to_string(s);
        return failure();
      }
      visit(pass, observed);
    }
  }
  return success();
}

FailureOr<std::vector<ObservedStatistics>>
lowbit::runCalibration(ModuleOp module, SampleSource &samples,
                       const CalibrationOptions &options, std::string &error) {
  if (options.bins < 2 || options.bins > kMaxHistogramBins ||
      options.bins % 2 != 0) {
    error = "--bins=" + std::to_string(options.bins) +
            ": expected an even number from 2 to " +
            std::to_string(kMaxHistogramBins);
    return failure();
  }
  FailureOr<func::FuncOp> entry =
      detail::findEntry(module, options.function, error);
  if (failed(entry))
    return failure();
  std::string name = entry->getSymName().str();
  std::vector<ObservedStatistics> results;
  std::vector<numerics::ActivationObserver> observers;
  std::vector<int64_t> offsets;
  int64_t total = 0;
  bool outside = false;
  module.walk([&](ObserveOp op) {
    if (op->getParentOfType<func::FuncOp>() != *entry)
      outside = true;
  });
  if (outside) {
    error = "observers outside @" + name + " cannot be calibrated";
    return failure();
  }

  FailureOr<SmallVector<ObserveOp>> observes = sortedObservers(*entry, error);
  if (failed(observes))
    return failure();
  for (ObserveOp op : *observes) {
    ObservedStatistics stats;
    stats.id = op.getId();
    llvm::raw_string_ostream typeText(stats.type), locText(stats.location);
    RankedTensorType type = op.getType();
    typeText << type;
    locText << op.getLoc();
    stats.axis = op.getAxis();
    results.push_back(std::move(stats));
    observers.emplace_back(type.getShape(), op.getAxis());
    offsets.push_back(total);
    total += type.getNumElements();
  }
  auto sliceOf = [&](ArrayRef<float> observed, size_t i) {
    int64_t end = i + 1 < offsets.size() ? offsets[i + 1] : total;
    return observed.slice(offsets[i], end - offsets[i]);
  };
  // Min/max, then histograms over the ranges found.
  LogicalResult ran = detail::runObserved(
      module, *entry, samples, options.jit, /*passes=*/2,
      [&](int pass) {
        if (pass == 1)
          for (auto &observer : observers)
            observer.startHistogram(options.bins);
      },
      [&](int pass, ArrayRef<float> observed) {
        for (size_t i = 0; i < observers.size(); ++i) {
          if (pass == 0)
            observers[i].observeRange(sliceOf(observed, i));
          else
            observers[i].observeHistogram(sliceOf(observed, i));
        }
      },
      error);
  if (failed(ran))
    return failure();
  for (auto [stats, observer] : llvm::zip(results, observers)) {
    stats.samples = observer.getNumSamples();
    stats.nonFinite = observer.getNumNonFinite();
    stats.min = observer.getMin();
    stats.max = observer.getMax();
    stats.channelMins.assign(observer.getChannelMins().begin(),
                             observer.getChannelMins().end());
    stats.channelMaxs.assign(observer.getChannelMaxs().begin(),
                             observer.getChannelMaxs().end());
    if (!stats.axis)
      stats.histogram = observer.getHistogram();
  }
  return results;
}

//===----------------------------------------------------------------------===//
// Writing back
//===----------------------------------------------------------------------===//

LogicalResult
lowbit::attachStatistics(ModuleOp module,
                         ArrayRef<ObservedStatistics> statistics) {
  std::map<int64_t, const ObservedStatistics *> byId;
  for (const ObservedStatistics &stats : statistics)
    if (!byId.emplace(stats.id, &stats).second)
      return module.emitError()
             << "statistics name observer " << stats.id << " twice";
  SmallVector<ObserveOp> observes;
  module.walk([&](ObserveOp op) { observes.push_back(op); });
  bool ok = true;
  std::set<int64_t> used;
  for (ObserveOp op : observes) {
    auto it = byId.find(op.getId());
    std::string type;
    llvm::raw_string_ostream(type) << op.getType();
    if (it == byId.end()) {
      op.emitError() << "observer " << op.getId() << " has no statistics";
      ok = false;
      continue;
    }
    const ObservedStatistics &stats = *it->second;
    used.insert(op.getId());
    if (stats.type != type) {
      op.emitError() << "statistics of observer " << op.getId()
                     << " are for " << stats.type << ", but it observes "
                     << type << " (the model changed since calibration?)";
      ok = false;
      continue;
    }
    if (stats.axis != op.getAxis()) {
      op.emitError() << "statistics of observer " << op.getId()
                     << " have a different channel axis";
      ok = false;
      continue;
    }
    if (stats.nonFinite > 0)
      op.emitWarning() << "observer " << op.getId() << " saw "
                       << stats.nonFinite
                       << " NaN or infinite values; they were left out";
    OpBuilder b(op);
    auto array = [&](ArrayRef<float> values) {
      return b.getDenseF32ArrayAttr(values);
    };
    DenseI64ArrayAttr histogram;
    DenseF32ArrayAttr range;
    if (stats.histogram) {
      histogram = b.getDenseI64ArrayAttr(stats.histogram->counts);
      range = array({stats.histogram->lo, stats.histogram->hi});
    }
    Value result;
    if (stats.axis)
      result = StatsOp::create(b, op.getLoc(), op.getInput(),
                               array(stats.channelMins),
                               array(stats.channelMaxs),
                               b.getI64IntegerAttr(*stats.axis), histogram,
                               range);
    else
      result = StatsOp::create(b, op.getLoc(), op.getInput(),
                               array({stats.min}), array({stats.max}),
                               IntegerAttr(), histogram, range);
    if (failed(verify(result.getDefiningOp()))) {
      ok = false;
      continue;
    }
    op.replaceAllUsesWith(result);
    op.erase();
  }
  for (const ObservedStatistics &stats : statistics)
    if (!used.count(stats.id)) {
      module.emitError() << "statistics name observer " << stats.id << " ("
                         << stats.type << " at " << stats.location
                         << "), which the model does not have";
      ok = false;
    }
  return success(ok);
}

//===----------------------------------------------------------------------===//
// JSON
//===----------------------------------------------------------------------===//

std::string
lowbit::statisticsToJson(ArrayRef<ObservedStatistics> statistics) {
  llvm::json::Array observers;
  for (const ObservedStatistics &stats : statistics) {
    llvm::json::Object entry{{"id", stats.id},
                             {"type", stats.type},
                             {"location", stats.location},
                             {"samples", stats.samples},
                             {"non_finite", stats.nonFinite},
                             {"min", double(stats.min)},
                             {"max", double(stats.max)}};
    if (stats.axis) {
      entry["axis"] = *stats.axis;
      entry["channel_min"] = llvm::json::Array(
          llvm::map_range(stats.channelMins, [](float v) { return double(v); }));
      entry["channel_max"] = llvm::json::Array(
          llvm::map_range(stats.channelMaxs, [](float v) { return double(v); }));
    }
    if (stats.histogram)
      entry["histogram"] = llvm::json::Object{
          {"lo", double(stats.histogram->lo)},
          {"hi", double(stats.histogram->hi)},
          {"counts", llvm::json::Array(stats.histogram->counts)}};
    observers.push_back(std::move(entry));
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv(
      "{0:2}", llvm::json::Value(llvm::json::Object{
                   {"version", 1}, {"observers", std::move(observers)}}));
  os << "\n";
  return text;
}

/// Fails when `text` nests arrays and objects deeper than `limit` (the parser
/// recurses once per level): the position of the first level too deep.
static LogicalResult checkJsonDepth(StringRef text, unsigned limit,
                                    std::string &error) {
  unsigned depth = 0, line = 1;
  bool inString = false, escaped = false;
  for (auto [offset, c] : llvm::enumerate(text)) {
    if (c == '\n')
      ++line;
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) {
        error = "malformed JSON: nested deeper than " + std::to_string(limit) +
                " levels at line " + std::to_string(line) + " (byte " +
                std::to_string(offset) + ")";
        return failure();
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return success();
}

FailureOr<std::vector<ObservedStatistics>>
lowbit::statisticsFromJson(StringRef text, std::string &error) {
  error.clear();
  if (failed(checkJsonDepth(text, kMaxJsonDepth, error)))
    return failure();
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(text);
  if (!parsed) {
    error = "malformed JSON: " + llvm::toString(parsed.takeError());
    return failure();
  }
  llvm::json::Path::Root root("statistics");
  std::vector<ObservedStatistics> result;
  auto fail = [&](llvm::json::Path path, llvm::StringLiteral message) {
    path.report(message);
    return failure();
  };
  // Statistics become f32 attributes: a number beyond the f32 range would
  // silently become an infinity. (llvm::json::Path only reports literal
  // messages: this one is written directly.)
  int64_t currentId = 0;
  auto toF32 = [&](std::optional<double> number, StringRef field,
                   float &out) -> LogicalResult {
    if (!number || !(std::fabs(*number) <= std::numeric_limits<float>::max())) {
      std::string text;
      llvm::raw_string_ostream os(text);
      os << "statistics of observer " << currentId << ": " << field << " ";
      if (number)
        os << "is " << llvm::format("%g", *number)
           << ", not a finite f32 value";
      else
        os << "is missing or not a number";
      error = text;
      return failure();
    }
    out = float(*number);
    return success();
  };
  auto readFloats = [&](const llvm::json::Value *value, llvm::json::Path path,
                        StringRef field,
                        std::vector<float> &out) -> LogicalResult {
    const llvm::json::Array *array = value ? value->getAsArray() : nullptr;
    if (!array)
      return fail(path, "expected an array of numbers");
    out.resize(array->size());
    for (auto [i, element] : llvm::enumerate(*array))
      if (failed(toF32(element.getAsNumber(),
                       (field + "[" + Twine(i) + "]").str(), out[i])))
        return failure();
    return success();
  };
  auto parse = [&]() -> LogicalResult {
    llvm::json::Path path(root);
    const llvm::json::Object *top = parsed->getAsObject();
    if (!top)
      return fail(path, "expected an object");
    if (top->getInteger("version") != 1)
      return fail(path.field("version"), "expected version 1");
    const llvm::json::Array *observers = top->getArray("observers");
    if (!observers)
      return fail(path.field("observers"), "expected an array");
    // Paths refer to their parents: keep every level alive.
    llvm::json::Path observersPath = path.field("observers");
    for (auto [i, value] : llvm::enumerate(*observers)) {
      llvm::json::Path at = observersPath.index(i);
      const llvm::json::Object *entry = value.getAsObject();
      if (!entry)
        return fail(at, "expected an object");
      ObservedStatistics stats;
      std::optional<int64_t> id = entry->getInteger("id");
      std::optional<StringRef> type = entry->getString("type");
      if (!id || *id < 0)
        return fail(at.field("id"), "expected a non-negative integer");
      if (!type)
        return fail(at.field("type"), "expected the tensor type");
      currentId = *id;
      if (failed(toF32(entry->getNumber("min"), "min", stats.min)) ||
          failed(toF32(entry->getNumber("max"), "max", stats.max)))
        return failure();
      if (!(stats.min <= stats.max))
        return fail(at.field("min"), "expected numbers min <= max");
      stats.id = *id;
      stats.type = type->str();
      stats.location = entry->getString("location").value_or("").str();
      stats.samples = entry->getInteger("samples").value_or(0);
      stats.nonFinite = entry->getInteger("non_finite").value_or(0);
      if (stats.samples < 0 || stats.nonFinite < 0)
        return fail(at, "expected non-negative samples and non_finite");
      if (std::optional<int64_t> axis = entry->getInteger("axis")) {
        stats.axis = *axis;
        if (failed(readFloats(entry->get("channel_min"),
                              at.field("channel_min"), "channel_min",
                              stats.channelMins)) ||
            failed(readFloats(entry->get("channel_max"),
                              at.field("channel_max"), "channel_max",
                              stats.channelMaxs)))
          return failure();
      }
      if (const llvm::json::Object *h = entry->getObject("histogram")) {
        numerics::Histogram histogram;
        const llvm::json::Array *counts = h->getArray("counts");
        llvm::json::Path hp = at.field("histogram");
        llvm::json::Path countsPath = hp.field("counts");
        if (failed(toF32(h->getNumber("lo"), "histogram.lo", histogram.lo)) ||
            failed(toF32(h->getNumber("hi"), "histogram.hi", histogram.hi)))
          return failure();
        // Bins of a positive, finite f32 width.
        if (!(histogram.lo < histogram.hi) ||
            !std::isfinite(histogram.hi - histogram.lo))
          return fail(hp, "expected numbers lo < hi, hi - lo a finite f32");
        if (!counts || counts->empty() || counts->size() > kMaxHistogramBins)
          return fail(countsPath, "expected an array of 1 to 65536 counts");
        int64_t total = 0;
        for (auto [j, count] : llvm::enumerate(*counts)) {
          std::optional<int64_t> c = count.getAsInteger();
          if (!c || *c < 0)
            return fail(countsPath.index(j),
                        "expected a non-negative integer");
          // Calibrators sum the counts.
          std::optional<int64_t> sum = llvm::checkedAdd(total, *c);
          if (!sum)
            return fail(countsPath.index(j),
                        "the counts add up to more than an int64");
          total = *sum;
          histogram.counts.push_back(*c);
        }
        stats.histogram = std::move(histogram);
      }
      result.push_back(std::move(stats));
    }
    return success();
  };
  if (failed(parse())) {
    if (error.empty())
      error = llvm::toString(root.getError());
    return failure();
  }
  return result;
}

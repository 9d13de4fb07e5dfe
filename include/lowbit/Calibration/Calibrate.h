//===- Calibrate.h - run a model over samples and collect statistics -*- C++ -*-===//
//
// The calibration runner: a model whose activations carry `lowbit.observe`
// (lowbit-insert-observers) is compiled for the host with the in-process JIT
// (lowbit/Target/Jit.h) in a variant that writes every observed tensor into
// one extra buffer, run over the calibration samples twice (min/max, then
// histograms over the now-known ranges: memory does not depend on the number
// of samples), and the statistics are written back as `lowbit.stats` and, if
// asked, to a JSON file that `attachStatistics` reads back.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CALIBRATION_CALIBRATE_H
#define LOWBIT_CALIBRATION_CALIBRATE_H

#include "lowbit/Numerics/Calibration.h"
#include "lowbit/Target/Jit.h"

#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lowbit {

/// Limits of what the readers accept, so that hostile files fail with a
/// message instead of exhausting the stack or memory.
/// Histogram bins (--bins, and the counts of a JSON histogram).
constexpr unsigned kMaxHistogramBins = 1u << 16;
/// Nesting of a statistics JSON file (its format needs 4 levels).
constexpr unsigned kMaxJsonDepth = 64;
/// Bytes of one sample (the model input's f32 elements).
constexpr int64_t kMaxSampleBytes = int64_t(1) << 30;

/// Where calibration samples come from and how they are preprocessed. The
/// fields are lowbit-calibrate's flags, and errors name them so.
struct SampleOptions {
  /// An IDX file of unsigned bytes (MNIST images), optionally gzip-ed: each
  /// sample is `v = (byte * scale - mean) / stddev`, zero-padded (0.0 after
  /// normalization) by `pad` on each side of the two innermost dimensions.
  std::string idxPath;
  /// Raw little-endian f32 samples, back to back, each exactly the model
  /// input's element count (no preprocessing).
  std::string rawF32Path;
  /// Text for a language model whose input is a window of token ids (i32):
  /// bytes become ids through `vocabPath` and the text is cut into
  /// back-to-back windows of the input's length (a partial last window is
  /// dropped).
  std::string textPath;
  /// A vocabulary JSON file {"id_to_byte": [b0, b1, ...], "unk_id": U}: id i
  /// stands for byte b_i (null: for no byte), any other byte becomes U.
  /// Needed with textPath.
  std::string vocabPath;
  /// Finite; `scale` and `stddev` > 0; every byte must map to a finite f32.
  double scale = 1.0, mean = 0.0, stddev = 1.0;
  /// 0 to 2^20.
  int64_t pad = 0;
  /// Use at most this many samples (0 = all; negative is an error).
  int64_t count = 0;
};

/// Samples of one model input shape, streamed from their file (reading them
/// in order is cheapest; memory does not depend on their number).
class SampleSource {
public:
  virtual ~SampleSource();
  virtual int64_t size() const = 0;
  /// Writes sample `index` into `out` (the input's element count). Fails
  /// with a message when the file ends early.
  virtual mlir::LogicalResult read(int64_t index,
                                   llvm::MutableArrayRef<float> out,
                                   std::string &error) = 0;
  /// Whether samples are token ids (readTokens) rather than f32 values.
  virtual bool hasTokenIds() const { return false; }
  /// Writes the token ids of sample `index` into `out`.
  virtual mlir::LogicalResult readTokens(int64_t index,
                                         llvm::MutableArrayRef<int32_t> out,
                                         std::string &error);
};

/// Opens the samples for a model input of `inputShape` (text windows need a
/// rank-1 input). Fails with a message
/// for invalid options, an input without elements or of more than
/// kMaxSampleBytes, and (naming the file) missing, empty, malformed or
/// wrongly sized data.
mlir::FailureOr<std::unique_ptr<SampleSource>>
openSamples(const SampleOptions &options, llvm::ArrayRef<int64_t> inputShape,
            std::string &error);

/// What calibration observed about one `lowbit.observe`.
struct ObservedStatistics {
  int64_t id = 0;
  std::string type;     ///< the observed tensor type, e.g. tensor<1x84xf32>
  std::string location; ///< the observer's location, for people
  int64_t samples = 0, nonFinite = 0;
  float min = 0.0f, max = 0.0f;
  std::optional<int64_t> axis;
  std::vector<float> channelMins, channelMaxs;
  std::optional<numerics::Histogram> histogram;
};

struct CalibrationOptions {
  /// The function to run; empty: the module's only public function.
  std::string function;
  /// Even, 2 to kMaxHistogramBins.
  unsigned bins = 2048;
  JitOptions jit;
};

/// Runs `module`'s function (one f32 tensor argument; its observers in that
/// function) over `samples` and returns the statistics of every observer, in
/// id order. The module is not changed.
mlir::FailureOr<std::vector<ObservedStatistics>>
runCalibration(mlir::ModuleOp module, SampleSource &samples,
               const CalibrationOptions &options, std::string &error);

/// Replaces every `lowbit.observe` by a `lowbit.stats` with its statistics.
/// Fails (emitting errors at the observers) when an observer has no
/// statistics or statistics of another type, or when statistics name an
/// observer the module does not have.
mlir::LogicalResult
attachStatistics(mlir::ModuleOp module,
                 llvm::ArrayRef<ObservedStatistics> statistics);

/// The statistics as JSON: {"version": 1, "observers": [{"id", "type",
/// "location", "samples", "non_finite", "min", "max", ["axis",
/// "channel_min", "channel_max"], ["histogram": {"lo", "hi", "counts"}]}]}.
std::string statisticsToJson(llvm::ArrayRef<ObservedStatistics> statistics);

/// Parses statisticsToJson's format. Fails with a message (path and field)
/// for malformed files: nesting deeper than kMaxJsonDepth, statistics that
/// are not finite f32 values (the observer's id and the field), histograms of
/// more than kMaxHistogramBins bins or whose counts overflow an int64.
mlir::FailureOr<std::vector<ObservedStatistics>>
statisticsFromJson(llvm::StringRef text, std::string &error);

} // namespace lowbit

#endif // LOWBIT_CALIBRATION_CALIBRATE_H

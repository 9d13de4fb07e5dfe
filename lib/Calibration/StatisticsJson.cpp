//===- StatisticsJson.cpp - calibration statistics as JSON ----------------===//
//
// The JSON file of lowbit-calibrate --write-json (lowbitc --calibration,
// lowbit-calibrate --apply-json): statistics to text and back, with every
// malformed field reported.
//
//===----------------------------------------------------------------------===//

#include "Json.h"
#include "lowbit/Calibration/Calibrate.h"

#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace lowbit;

std::string lowbit::statisticsToJson(ArrayRef<ObservedStatistics> statistics) {
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
      entry["channel_min"] = llvm::json::Array(llvm::map_range(
          stats.channelMins, [](float v) { return double(v); }));
      entry["channel_max"] = llvm::json::Array(llvm::map_range(
          stats.channelMaxs, [](float v) { return double(v); }));
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
LogicalResult lowbit::detail::checkJsonDepth(StringRef text, unsigned limit,
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
  if (failed(lowbit::detail::checkJsonDepth(text, kMaxJsonDepth, error)))
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
            return fail(countsPath.index(j), "expected a non-negative integer");
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

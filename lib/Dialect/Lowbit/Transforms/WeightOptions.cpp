//===- WeightOptions.cpp - weight schemes from pass options ---------------===//

#include "lowbit/Dialect/Lowbit/Transforms/WeightOptions.h"

using namespace mlir;
using namespace lowbit;

/// Parses `linspace(LO,HI,N)` or `a,b,c,...`.
static FailureOr<CodebookAttr>
parseCodebook(MLIRContext *context, StringRef text,
              function_ref<InFlightDiagnostic()> emitError) {
  SmallVector<float> levels;
  text = text.trim();
  if (text.consume_front("linspace(") && text.consume_back(")")) {
    SmallVector<StringRef> fields;
    text.split(fields, ',');
    double lo, hi;
    unsigned count;
    if (fields.size() != 3 || fields[0].trim().getAsDouble(lo) ||
        fields[1].trim().getAsDouble(hi) ||
        fields[2].trim().getAsInteger(10, count))
      return emitError() << "codebook 'linspace(" << text
                         << ")' must be linspace(LO,HI,N)";
    if (count < 2 || count > 256)
      return emitError() << "codebook linspace needs 2 to 256 levels";
    std::vector<float> values =
        numerics::linspaceCodebook(float(lo), float(hi), count);
    levels.assign(values.begin(), values.end());
  } else {
    SmallVector<StringRef> fields;
    text.split(fields, ',');
    for (StringRef field : fields) {
      double value;
      if (field.trim().getAsDouble(value))
        return emitError() << "codebook level '" << field
                           << "' is not a number";
      levels.push_back(float(value));
    }
  }
  CodebookAttr codebook = CodebookAttr::getChecked(
      emitError, context, DenseF32ArrayAttr::get(context, levels));
  if (!codebook)
    return failure();
  return codebook;
}

FailureOr<SchemeAttr>
lowbit::buildWeightScheme(MLIRContext *context,
                          const WeightSchemeOptions &options,
                          function_ref<InFlightDiagnostic()> emitError) {
  GranularityKind granularity;
  int64_t axis = 0, groupSize = 0;
  if (options.granularity == "per-tensor") {
    granularity = GranularityKind::PerTensor;
  } else if (options.granularity == "per-channel") {
    granularity = GranularityKind::PerChannel;
  } else if (options.granularity == "per-group") {
    granularity = GranularityKind::PerGroup;
    axis = 1;
    groupSize = options.groupSize;
  } else {
    return emitError() << "unknown granularity '" << options.granularity
                       << "' (expected per-tensor, per-channel or per-group)";
  }

  RoundingMode rounding;
  if (options.rounding == "nearest-even")
    rounding = RoundingMode::NearestEven;
  else if (options.rounding == "nearest-away")
    rounding = RoundingMode::NearestAway;
  else if (options.rounding == "toward-zero")
    rounding = RoundingMode::TowardZero;
  else
    return emitError() << "unknown rounding '" << options.rounding
                       << "' (expected nearest-even, nearest-away or "
                          "toward-zero)";

  CodebookAttr codebook;
  if (!options.codebook.empty()) {
    FailureOr<CodebookAttr> parsed =
        parseCodebook(context, options.codebook, emitError);
    if (failed(parsed))
      return failure();
    codebook = *parsed;
  }

  ParamForm form = ParamForm::Symmetric;
  if (!options.symmetric) {
    if (options.asymmetricForm == "affine")
      form = ParamForm::Affine;
    else if (options.asymmetricForm == "min-scale")
      form = ParamForm::MinScale;
    else
      return emitError() << "unknown asymmetric-form '"
                         << options.asymmetricForm
                         << "' (expected affine or min-scale)";
  }
  bool isSigned = options.symmetric && !codebook;
  SchemeAttr scheme = SchemeAttr::getChecked(
      emitError, context, options.bits, isSigned, form, granularity, axis,
      groupSize, options.narrowRange && options.symmetric, rounding, codebook);
  if (!scheme)
    return failure();
  return scheme;
}

static constexpr StringRef kPresetNames[] = {"w8", "w4g32", "w3g64", "w2g32",
                                             "c11g128"};

ArrayRef<StringRef> lowbit::getWeightPresetNames() { return kPresetNames; }

FailureOr<WeightSchemeOptions> lowbit::getWeightPreset(StringRef name) {
  WeightSchemeOptions options;
  if (name == "w8") {
    // int8 per output channel, symmetric, f32 scales.
    options.bits = 8;
    options.granularity = "per-channel";
    return options;
  }
  options.granularity = "per-group";
  options.paramType = "f16";
  if (name == "w4g32") {
    options.bits = 4;
    options.groupSize = 32;
    return options;
  }
  if (name == "w3g64") {
    options.bits = 3;
    options.groupSize = 64;
    return options;
  }
  if (name == "w2g32") {
    // Four levels spanning each group's [min, max]: symmetric 2-bit codes
    // would waste one of them.
    options.bits = 2;
    options.groupSize = 32;
    options.symmetric = false;
    options.asymmetricForm = "min-scale";
    return options;
  }
  if (name == "c11g128") {
    // The 3.5-bit seed scheme: 11 levels in [-1, 1], min/scale in fp16,
    // nine base-11 digits per 32-bit word.
    options.bits = 4;
    options.groupSize = 128;
    options.symmetric = false;
    options.asymmetricForm = "min-scale";
    options.codebook = "linspace(-1,1,11)";
    return options;
  }
  return failure();
}

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

FailureOr<ResolvedWeightScheme> lowbit::resolveWeightScheme(
    MLIRContext *context, const WeightSchemeOptions &options,
    StringRef clipping, function_ref<InFlightDiagnostic()> emitError,
    bool allowSuperblock) {
  ResolvedWeightScheme resolved;
  FailureOr<SchemeAttr> scheme = buildWeightScheme(context, options, emitError);
  if (failed(scheme))
    return failure();
  resolved.scheme = *scheme;
  if (options.paramType == "f16")
    resolved.paramType = Float16Type::get(context);
  else if (options.paramType == "f32")
    resolved.paramType = Float32Type::get(context);
  else if (options.paramType == "superblock" && allowSuperblock)
    resolved.paramType = IntegerType::get(context, 8);
  else if (options.paramType == "superblock")
    return emitError() << "param-type=superblock is only supported by "
                          "lowbit-quantize-weights";
  else
    return emitError() << "unknown param-type '" << options.paramType
                       << "' (expected f32, f16 or superblock)";
  if (isSuperblockParams(resolved.paramType) &&
      (resolved.scheme.getForm() != ParamForm::MinScale ||
       resolved.scheme.getGranularity() != GranularityKind::PerGroup))
    return emitError() << "param-type=superblock needs a min-scale scheme in "
                          "groups (symmetric=false asymmetric-form=min-scale "
                          "granularity=per-group)";
  if (clipping == "mse")
    resolved.clipping.method = numerics::ClipMethod::MSE;
  else if (clipping != "minmax")
    return emitError() << "unknown clipping '" << clipping
                       << "' (expected minmax or mse)";
  return resolved;
}

ArrayRef<StringRef> lowbit::getWeightPresetNames() {
  static const std::vector<StringRef> names = [] {
    std::vector<StringRef> result;
    for (const numerics::WeightPreset &preset : numerics::getWeightPresets())
      result.push_back(preset.name);
    return result;
  }();
  return names;
}

/// The pack-weights spelling of a packing layout.
static StringRef getLayoutName(numerics::PackKind kind) {
  switch (kind) {
  case numerics::PackKind::Int8:
    return "int8";
  case numerics::PackKind::Int4:
    return "int4";
  case numerics::PackKind::Int4Interleaved:
    return "int4-interleaved";
  case numerics::PackKind::Int2:
    return "int2";
  case numerics::PackKind::Int3:
    return "int3";
  case numerics::PackKind::Radix:
    return "radix";
  case numerics::PackKind::RadixSuperblock:
    return "radix-superblock";
  case numerics::PackKind::Int8Panel:
    return "int8-panel";
  case numerics::PackKind::Int4Panel:
    return "int4-panel";
  case numerics::PackKind::Int2Planes:
    return "int2-planes";
  case numerics::PackKind::Int2Panel:
    return "int2-panel";
  case numerics::PackKind::Int3Panel:
    return "int3-panel";
  case numerics::PackKind::RadixPanel:
    return "radix-panel";
  case numerics::PackKind::RadixFields:
    return "radix-fields";
  }
  llvm_unreachable("unknown pack kind");
}

FailureOr<WeightSchemeOptions> lowbit::getWeightPreset(StringRef name) {
  const numerics::WeightPreset *preset = numerics::findWeightPreset(name);
  if (!preset)
    return failure();
  const numerics::Scheme &scheme = preset->scheme;
  WeightSchemeOptions options;
  options.staticInt8Activations = preset->staticInt8Activations;
  options.bits = scheme.bits;
  options.symmetric = scheme.form == numerics::ParamForm::Symmetric;
  options.asymmetricForm =
      scheme.form == numerics::ParamForm::Affine ? "affine" : "min-scale";
  options.narrowRange = scheme.narrowRange;
  switch (preset->granularity.kind) {
  case numerics::GranularityKind::PerTensor:
    options.granularity = "per-tensor";
    break;
  case numerics::GranularityKind::PerChannel:
    options.granularity = "per-channel";
    break;
  case numerics::GranularityKind::PerGroup:
    options.granularity = "per-group";
    options.groupSize = preset->granularity.groupSize;
    break;
  }
  switch (scheme.rounding) {
  case numerics::Rounding::NearestEven:
    options.rounding = "nearest-even";
    break;
  case numerics::Rounding::NearestAway:
    options.rounding = "nearest-away";
    break;
  case numerics::Rounding::TowardZero:
    options.rounding = "toward-zero";
    break;
  }
  std::string codebook;
  for (float level : scheme.codebook) {
    if (!codebook.empty())
      codebook += ",";
    char text[32];
    snprintf(text, sizeof(text), "%.9g", double(level));
    codebook += text;
  }
  options.codebook = codebook;
  options.paramType =
      preset->format.kind == numerics::PackKind::RadixSuperblock ? "superblock"
      : scheme.paramStorage == numerics::ParamStorage::F16       ? "f16"
                                                                 : "f32";
  options.layout = getLayoutName(preset->format.kind).str();
  options.dynamicInt8Activations = preset->dynamicInt8Activations;
  options.bf16Activations = preset->bf16Activations;
  return options;
}

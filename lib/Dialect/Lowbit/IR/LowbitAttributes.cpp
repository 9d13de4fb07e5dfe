//===- LowbitAttributes.cpp - lowbit attributes ---------------------------===//

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Numerics/Quantize.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace lowbit;

#include "lowbit/Dialect/Lowbit/IR/LowbitEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "lowbit/Dialect/Lowbit/IR/LowbitAttributes.cpp.inc"

void LowbitDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "lowbit/Dialect/Lowbit/IR/LowbitAttributes.cpp.inc"
      >();
}

/// Parses `keyword` followed by one of the cases of an enum, e.g.
/// `rounding = nearest_even`.
template <typename EnumT>
static FailureOr<EnumT> parseEnumKeyword(AsmParser &parser, StringRef what) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return failure();
  std::optional<EnumT> value = symbolizeEnum<EnumT>(keyword);
  if (!value)
    return parser.emitError(loc) << "unknown " << what << " '" << keyword
                                 << "'";
  return *value;
}

//===----------------------------------------------------------------------===//
// CodebookAttr
//===----------------------------------------------------------------------===//

/// Parses one codebook value as an f32 (a hexadecimal literal is the f32 bit
/// pattern, as in `dense<0x7FC00000> : tensor<f32>`). Levels must be finite:
/// a NaN or infinity is an error at the literal.
static ParseResult parseCodebookValue(AsmParser &parser, float &value) {
  SMLoc loc = parser.getCurrentLocation();
  APFloat parsed(0.0f);
  if (parser.parseFloat(APFloat::IEEEsingle(), parsed))
    return failure();
  if (!parsed.isFinite())
    return parser.emitError(loc) << "codebook values must be finite, got "
                                 << (parsed.isNaN() ? "NaN" : "infinity");
  value = parsed.convertToFloat();
  return success();
}

Attribute CodebookAttr::parse(AsmParser &parser, Type) {
  SmallVector<float> levels;
  if (parser.parseLess())
    return {};
  if (succeeded(parser.parseOptionalKeyword("linspace"))) {
    float lo, hi;
    int64_t count;
    SMLoc countLoc;
    if (parser.parseLParen() || parseCodebookValue(parser, lo) ||
        parser.parseComma() || parseCodebookValue(parser, hi) ||
        parser.parseComma() || parser.getCurrentLocation(&countLoc) ||
        parser.parseInteger(count) || parser.parseRParen())
      return {};
    if (count < 2 || count > 256) {
      parser.emitError(countLoc) << "linspace needs 2 to 256 levels";
      return {};
    }
    llvm::append_range(levels,
                       numerics::linspaceCodebook(lo, hi, unsigned(count)));
  } else {
    auto parseLevel = [&]() -> ParseResult {
      float value;
      if (parseCodebookValue(parser, value))
        return failure();
      levels.push_back(value);
      return success();
    };
    if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square,
                                       parseLevel))
      return {};
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<CodebookAttr>(
      parser.getContext(), DenseF32ArrayAttr::get(parser.getContext(), levels));
}

void CodebookAttr::print(AsmPrinter &printer) const {
  printer << "<[";
  llvm::interleaveComma(getLevels().asArrayRef(), printer, [&](float level) {
    printer.printFloat(llvm::APFloat(level));
  });
  printer << "]>";
}

LogicalResult
CodebookAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                     DenseF32ArrayAttr levelsAttr) {
  ArrayRef<float> levels = levelsAttr.asArrayRef();
  if (levels.size() < 2 || levels.size() > 256)
    return emitError() << "codebook must have 2 to 256 levels, got "
                       << levels.size();
  for (auto [i, level] : llvm::enumerate(levels)) {
    if (!std::isfinite(level))
      return emitError() << "codebook level " << i << " is not finite";
    if (i > 0 && !(levels[i - 1] < level))
      return emitError() << "codebook levels must be strictly ascending (level "
                         << i << ")";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// SchemeAttr
//===----------------------------------------------------------------------===//

/// Parses a code type: `iN` (signed) or `uN` (unsigned).
static ParseResult parseCodeType(AsmParser &parser, unsigned &bits,
                                 bool &isSigned) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return failure();
  if (keyword.size() < 2 || (keyword[0] != 'i' && keyword[0] != 'u') ||
      keyword.drop_front().getAsInteger(10, bits))
    return parser.emitError(loc, "expected a code type such as i4 or u4");
  isSigned = keyword[0] == 'i';
  return success();
}

Attribute SchemeAttr::parse(AsmParser &parser, Type) {
  unsigned bits = 0;
  bool isSigned = true;
  int64_t axis = 0, groupSize = 0;
  bool narrowRange = false;
  RoundingMode rounding = RoundingMode::NearestEven;
  CodebookAttr codebook;

  if (parser.parseLess() || parseCodeType(parser, bits, isSigned) ||
      parser.parseComma())
    return {};
  FailureOr<ParamForm> form =
      parseEnumKeyword<ParamForm>(parser, "parameter form");
  if (failed(form) || parser.parseComma())
    return {};
  FailureOr<GranularityKind> granularity = parseEnumKeyword<GranularityKind>(parser, "granularity");
  if (failed(granularity))
    return {};
  if (*granularity != GranularityKind::PerTensor) {
    if (parser.parseLParen() || parser.parseKeyword("axis") ||
        parser.parseEqual() || parser.parseInteger(axis))
      return {};
    if (*granularity == GranularityKind::PerGroup &&
        (parser.parseComma() || parser.parseKeyword("size") ||
         parser.parseEqual() || parser.parseInteger(groupSize)))
      return {};
    if (parser.parseRParen())
      return {};
  }
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc loc = parser.getCurrentLocation();
    StringRef keyword;
    if (parser.parseKeyword(&keyword))
      return {};
    if (keyword == "narrow") {
      narrowRange = true;
    } else if (keyword == "rounding") {
      FailureOr<RoundingMode> mode;
      if (parser.parseEqual() ||
          failed(mode = parseEnumKeyword<RoundingMode>(parser, "rounding mode")))
        return {};
      rounding = *mode;
    } else if (keyword == "codebook") {
      if (parser.parseEqual() ||
          parser.parseCustomAttributeWithFallback(codebook))
        return {};
    } else {
      parser.emitError(loc) << "unknown scheme option '" << keyword
                            << "' (expected narrow, rounding or codebook)";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<SchemeAttr>(parser.getContext(), bits, isSigned,
                                       *form, *granularity, axis, groupSize,
                                       narrowRange, rounding, codebook);
}

void SchemeAttr::print(AsmPrinter &printer) const {
  printer << '<' << (getIsSigned() ? 'i' : 'u') << getBits() << ", "
          << stringifyParamForm(getForm()) << ", "
          << stringifyGranularityKind(getGranularity());
  if (getGranularity() == GranularityKind::PerChannel)
    printer << "(axis = " << getAxis() << ')';
  if (getGranularity() == GranularityKind::PerGroup)
    printer << "(axis = " << getAxis() << ", size = " << getGroupSize() << ')';
  if (getNarrowRange())
    printer << ", narrow";
  if (getRounding() != RoundingMode::NearestEven)
    printer << ", rounding = " << stringifyRoundingMode(getRounding());
  if (getCodebook()) {
    printer << ", codebook = ";
    printer.printStrippedAttrOrType(getCodebook());
  }
  printer << '>';
}

LogicalResult
SchemeAttr::verify(function_ref<InFlightDiagnostic()> emitError, unsigned bits,
                   bool isSigned, ParamForm form, GranularityKind granularity,
                   int64_t axis, int64_t groupSize, bool narrowRange,
                   RoundingMode rounding, CodebookAttr codebook) {
  if (bits < 2 || bits > 8)
    return emitError() << "scheme bit width must be in [2, 8], got " << bits;
  if (axis < 0)
    return emitError() << "scheme axis must be non-negative, got " << axis;
  if (granularity == GranularityKind::PerGroup && groupSize < 1)
    return emitError() << "per_group size must be positive, got " << groupSize;
  if (granularity != GranularityKind::PerGroup && groupSize != 0)
    return emitError() << "only per_group schemes have a group size";
  if (granularity == GranularityKind::PerTensor && axis != 0)
    return emitError() << "per_tensor schemes have no axis";
  if (narrowRange && (!isSigned || form != ParamForm::Symmetric || codebook))
    return emitError()
           << "narrow range needs signed symmetric codes without a codebook";
  if (codebook) {
    if (isSigned)
      return emitError() << "codebook codes are indices and must be unsigned "
                            "(use u"
                         << bits << ")";
    if (form == ParamForm::Affine)
      return emitError() << "codebook schemes must be symmetric or min_scale";
    if (int64_t(codebook.size()) > (int64_t(1) << bits))
      return emitError() << "codebook has " << codebook.size()
                         << " levels but " << bits << " bits hold only "
                         << (int64_t(1) << bits);
  } else if (form == ParamForm::Symmetric && !isSigned) {
    return emitError() << "symmetric schemes need signed codes or a codebook";
  }
  return success();
}

numerics::Scheme SchemeAttr::getNumericsScheme(Type paramType) const {
  numerics::Scheme scheme;
  scheme.bits = getBits();
  scheme.isSigned = getIsSigned();
  scheme.narrowRange = getNarrowRange();
  switch (getForm()) {
  case ParamForm::Symmetric:
    scheme.form = numerics::ParamForm::Symmetric;
    break;
  case ParamForm::Affine:
    scheme.form = numerics::ParamForm::Affine;
    break;
  case ParamForm::MinScale:
    scheme.form = numerics::ParamForm::MinScale;
    break;
  }
  switch (getRounding()) {
  case RoundingMode::NearestEven:
    scheme.rounding = numerics::Rounding::NearestEven;
    break;
  case RoundingMode::NearestAway:
    scheme.rounding = numerics::Rounding::NearestAway;
    break;
  case RoundingMode::TowardZero:
    scheme.rounding = numerics::Rounding::TowardZero;
    break;
  }
  if (getCodebook())
    scheme.codebook.assign(getCodebook().getValues().begin(),
                           getCodebook().getValues().end());
  if (paramType && paramType.isF16())
    scheme.paramStorage = numerics::ParamStorage::F16;
  return scheme;
}

numerics::Granularity SchemeAttr::getNumericsGranularity() const {
  numerics::Granularity granularity;
  switch (getGranularity()) {
  case GranularityKind::PerTensor:
    granularity.kind = numerics::GranularityKind::PerTensor;
    break;
  case GranularityKind::PerChannel:
    granularity.kind = numerics::GranularityKind::PerChannel;
    break;
  case GranularityKind::PerGroup:
    granularity.kind = numerics::GranularityKind::PerGroup;
    break;
  }
  granularity.axis = getAxis();
  granularity.groupSize = getGroupSize();
  return granularity;
}

int64_t SchemeAttr::getQmin() const {
  return numerics::qmin(getNumericsScheme());
}

int64_t SchemeAttr::getQmax() const {
  return numerics::qmax(getNumericsScheme());
}

int64_t SchemeAttr::getNumLevels() const { return getQmax() - getQmin() + 1; }

SmallVector<int64_t> SchemeAttr::getParamShape(ArrayRef<int64_t> shape) const {
  switch (getGranularity()) {
  case GranularityKind::PerTensor:
    return {};
  case GranularityKind::PerChannel:
    return {shape[getAxis()]};
  case GranularityKind::PerGroup: {
    SmallVector<int64_t> result(shape);
    int64_t dim = shape[getAxis()];
    if (!ShapedType::isDynamic(dim))
      result[getAxis()] = llvm::divideCeil(dim, getGroupSize());
    return result;
  }
  }
  llvm_unreachable("unknown granularity");
}

//===----------------------------------------------------------------------===//
// LayoutAttr
//===----------------------------------------------------------------------===//

/// Whether the layout kind is spelled with a radix: `radix(R)`.
static bool hasRadix(LayoutKind kind) {
  return kind == LayoutKind::Radix || kind == LayoutKind::RadixSuperblock ||
         kind == LayoutKind::RadixPanel || kind == LayoutKind::RadixFields;
}

Attribute LayoutAttr::parse(AsmParser &parser, Type) {
  unsigned radix = 0;
  int64_t block = 0;
  if (parser.parseLess())
    return {};
  FailureOr<LayoutKind> kind =
      parseEnumKeyword<LayoutKind>(parser, "layout");
  if (failed(kind))
    return {};
  if (hasRadix(*kind) && (parser.parseLParen() || parser.parseInteger(radix) ||
                          parser.parseRParen()))
    return {};
  if (succeeded(parser.parseOptionalComma()) &&
      (parser.parseKeyword("block") || parser.parseEqual() ||
       parser.parseInteger(block)))
    return {};
  if (parser.parseGreater())
    return {};
  return parser.getChecked<LayoutAttr>(parser.getContext(), *kind, radix,
                                       block);
}

void LayoutAttr::print(AsmPrinter &printer) const {
  printer << '<' << stringifyLayoutKind(getKind());
  if (hasRadix(getKind()))
    printer << '(' << getRadix() << ')';
  if (getBlock() != 0)
    printer << ", block = " << getBlock();
  printer << '>';
}

static numerics::PackFormat toPackFormat(LayoutKind kind, unsigned radix,
                                         int64_t block) {
  numerics::PackFormat format;
  switch (kind) {
  case LayoutKind::Int8:
    format.kind = numerics::PackKind::Int8;
    break;
  case LayoutKind::Int4:
    format.kind = numerics::PackKind::Int4;
    break;
  case LayoutKind::Int4Interleaved:
    format.kind = numerics::PackKind::Int4Interleaved;
    break;
  case LayoutKind::Int2:
    format.kind = numerics::PackKind::Int2;
    break;
  case LayoutKind::Int3:
    format.kind = numerics::PackKind::Int3;
    break;
  case LayoutKind::Radix:
    format.kind = numerics::PackKind::Radix;
    break;
  case LayoutKind::RadixSuperblock:
    format.kind = numerics::PackKind::RadixSuperblock;
    break;
  case LayoutKind::Int8Panel:
    format.kind = numerics::PackKind::Int8Panel;
    break;
  case LayoutKind::Int4Panel:
    format.kind = numerics::PackKind::Int4Panel;
    break;
  case LayoutKind::Int2Planes:
    format.kind = numerics::PackKind::Int2Planes;
    break;
  case LayoutKind::Int2Panel:
    format.kind = numerics::PackKind::Int2Panel;
    break;
  case LayoutKind::Int3Panel:
    format.kind = numerics::PackKind::Int3Panel;
    break;
  case LayoutKind::RadixFields:
    format.kind = numerics::PackKind::RadixFields;
    break;
  case LayoutKind::RadixPanel:
    format.kind = numerics::PackKind::RadixPanel;
    break;
  }
  format.radix = radix;
  format.block = block;
  return format;
}

LogicalResult
LayoutAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                   LayoutKind kind, unsigned radix, int64_t block) {
  if (std::optional<std::string> problem =
          numerics::verifyPackFormat(toPackFormat(kind, radix, block)))
    return emitError() << "invalid layout: " << *problem;
  return success();
}

numerics::PackFormat LayoutAttr::getPackFormat() const {
  return toPackFormat(getKind(), getRadix(), getBlock());
}

unsigned LayoutAttr::getUnitBits() const {
  return numerics::unitBits(getPackFormat());
}

unsigned LayoutAttr::getCodeBits() const {
  return numerics::bitsPerCode(getPackFormat());
}

int64_t LayoutAttr::getCodeCapacity() const {
  if (hasRadix(getKind()))
    return getRadix();
  return int64_t(1) << getCodeBits();
}

int64_t LayoutAttr::getUnitsPerRow(int64_t rowLength) const {
  if (ShapedType::isDynamic(rowLength))
    return ShapedType::kDynamic;
  return numerics::packedUnitsPerRow(getPackFormat(), rowLength);
}

bool LayoutAttr::isPanel() const {
  return numerics::isPanelFormat(getPackFormat());
}

SmallVector<int64_t>
LayoutAttr::getStorageShape(ArrayRef<int64_t> codesShape) const {
  SmallVector<int64_t> shape(codesShape);
  if (shape.empty())
    return shape;
  shape.back() = getUnitsPerRow(codesShape.back());
  if (isPanel() && shape.size() >= 2) {
    int64_t &rows = shape[shape.size() - 2];
    if (!ShapedType::isDynamic(rows))
      rows = numerics::panelCount(rows);
  }
  return shape;
}

//===----------------------------------------------------------------------===//
// From numerics descriptions
//===----------------------------------------------------------------------===//

SchemeAttr lowbit::getSchemeAttr(MLIRContext *context,
                                 const numerics::Scheme &scheme,
                                 const numerics::Granularity &granularity) {
  ParamForm form = scheme.form == numerics::ParamForm::Symmetric
                       ? ParamForm::Symmetric
                   : scheme.form == numerics::ParamForm::Affine
                       ? ParamForm::Affine
                       : ParamForm::MinScale;
  GranularityKind kind =
      granularity.kind == numerics::GranularityKind::PerTensor
          ? GranularityKind::PerTensor
      : granularity.kind == numerics::GranularityKind::PerChannel
          ? GranularityKind::PerChannel
          : GranularityKind::PerGroup;
  RoundingMode rounding = scheme.rounding == numerics::Rounding::NearestEven
                              ? RoundingMode::NearestEven
                          : scheme.rounding == numerics::Rounding::NearestAway
                              ? RoundingMode::NearestAway
                              : RoundingMode::TowardZero;
  CodebookAttr codebook;
  if (!scheme.codebook.empty()) {
    auto levels = DenseF32ArrayAttr::get(context, scheme.codebook);
    if (failed(CodebookAttr::verify([&] { return emitError(UnknownLoc::get(context)); },
                                    levels)))
      return {};
    codebook = CodebookAttr::get(context, levels);
  }
  int64_t axis = kind == GranularityKind::PerTensor ? 0 : granularity.axis;
  int64_t groupSize = kind == GranularityKind::PerGroup ? granularity.groupSize : 0;
  if (failed(SchemeAttr::verify([&] { return emitError(UnknownLoc::get(context)); },
                                scheme.bits, scheme.isSigned, form, kind, axis,
                                groupSize, scheme.narrowRange, rounding,
                                codebook)))
    return {};
  return SchemeAttr::get(context, scheme.bits, scheme.isSigned, form, kind,
                         axis, groupSize, scheme.narrowRange, rounding,
                         codebook);
}

LayoutAttr lowbit::getLayoutAttr(MLIRContext *context,
                                 const numerics::PackFormat &format) {
  LayoutKind kind;
  switch (format.kind) {
  case numerics::PackKind::Int8:
    kind = LayoutKind::Int8;
    break;
  case numerics::PackKind::Int4:
    kind = LayoutKind::Int4;
    break;
  case numerics::PackKind::Int4Interleaved:
    kind = LayoutKind::Int4Interleaved;
    break;
  case numerics::PackKind::Int2:
    kind = LayoutKind::Int2;
    break;
  case numerics::PackKind::Int3:
    kind = LayoutKind::Int3;
    break;
  case numerics::PackKind::Radix:
    kind = LayoutKind::Radix;
    break;
  case numerics::PackKind::RadixSuperblock:
    kind = LayoutKind::RadixSuperblock;
    break;
  case numerics::PackKind::Int8Panel:
    kind = LayoutKind::Int8Panel;
    break;
  case numerics::PackKind::Int4Panel:
    kind = LayoutKind::Int4Panel;
    break;
  case numerics::PackKind::Int2Planes:
    kind = LayoutKind::Int2Planes;
    break;
  case numerics::PackKind::Int2Panel:
    kind = LayoutKind::Int2Panel;
    break;
  case numerics::PackKind::Int3Panel:
    kind = LayoutKind::Int3Panel;
    break;
  case numerics::PackKind::RadixFields:
    kind = LayoutKind::RadixFields;
    break;
  case numerics::PackKind::RadixPanel:
    kind = LayoutKind::RadixPanel;
    break;
  }
  if (numerics::verifyPackFormat(format))
    return {};
  return LayoutAttr::get(context, kind, format.radix, format.block);
}

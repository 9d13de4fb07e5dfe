//===- PackWeights.cpp - pack constant weight codes -----------------------===//
//
// Rewrites lowbit.dequantize of constant [N, K] codes into a
// lowbit.packed_weight, a lowbit.unpack and the same dequantize.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/ConstantData.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Numerics/Presets.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Format.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITPACKWEIGHTS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

/// The packing block that makes every group start on a unit boundary.
static int64_t getGroupBlock(SchemeAttr scheme) {
  return scheme.getGranularity() == GranularityKind::PerGroup
             ? scheme.getGroupSize()
             : 0;
}

/// The panel layout for weights of `scheme` under dynamic int8 activations
/// (numerics::getPanelFormat), or null when the outer-product kernels do
/// not take them.
static LayoutAttr getPanelLayout(MLIRContext *context, SchemeAttr scheme) {
  std::optional<numerics::PackFormat> format = numerics::getPanelFormat(
      scheme.getNumericsScheme(), scheme.getNumericsGranularity());
  return format ? getLayoutAttr(context, *format) : LayoutAttr();
}

/// The smallest static M of the matmuls that read `weight` ([N, K]) as
/// their transposed right operand (through a linalg.transpose or the
/// transposed indexing maps), or nothing when another op reads it or an M
/// is dynamic.
static std::optional<int64_t> getMatmulRows(Value weight) {
  std::optional<int64_t> rows;
  auto addMatmul = [&](Operation *user, Value operand) -> bool {
    auto matmul = dyn_cast<linalg::MatmulOp>(user);
    if (!matmul || matmul.getNumDpsInputs() != 2 ||
        matmul.getDpsInputs()[1] != operand)
      return false;
    auto inputType = dyn_cast<ShapedType>(matmul.getDpsInputs()[0].getType());
    if (!inputType || inputType.getRank() != 2 || inputType.isDynamicDim(0))
      return false;
    rows = std::min(rows.value_or(inputType.getDimSize(0)),
                    inputType.getDimSize(0));
    return true;
  };
  for (Operation *user : weight.getUsers()) {
    if (auto transpose = dyn_cast<linalg::TransposeOp>(user)) {
      if (transpose.getPermutation() != ArrayRef<int64_t>{1, 0} ||
          transpose->getResult(0).use_empty())
        return std::nullopt;
      for (Operation *matmul : transpose->getResult(0).getUsers())
        if (!addMatmul(matmul, transpose->getResult(0)))
          return std::nullopt;
      continue;
    }
    auto matmul = dyn_cast<linalg::MatmulOp>(user);
    if (!matmul || !matmul.hasUserDefinedMaps())
      return std::nullopt;
    MLIRContext *context = matmul.getContext();
    AffineExpr m, n, k;
    bindDims(context, m, n, k);
    auto map = [&](ArrayRef<AffineExpr> results) {
      return AffineMap::get(3, 0, results, context);
    };
    if (matmul.getIndexingMapsArray() !=
            SmallVector<AffineMap>{map({m, k}), map({n, k}), map({m, n})} ||
        !addMatmul(matmul, weight))
      return std::nullopt;
  }
  return rows;
}

/// The layout the kernels prefer for `scheme` (whose activations the
/// matmuls quantize to int8 at run time when `dynamicInt8`).
static LayoutAttr chooseLayout(MLIRContext *context, SchemeAttr scheme,
                               bool dynamicInt8) {
  int64_t block = getGroupBlock(scheme);
  auto make = [&](LayoutKind kind, unsigned radix, int64_t blockSize) {
    return LayoutAttr::get(context, kind, radix, blockSize);
  };
  // A codebook of L levels needs ceil(log2 L) bits as plain codes; radix
  // words are denser when 32 / digitsPerWord(L) is smaller than that.
  if (CodebookAttr codebook = scheme.getCodebook()) {
    unsigned levels = codebook.size();
    unsigned plainBits = llvm::Log2_32_Ceil(levels);
    double plainCost = plainBits <= 2   ? 2.0
                       : plainBits == 3 ? 3.2
                       : plainBits == 4 ? 4.0
                                        : 8.0;
    unsigned digits = numerics::digitsPerWord(levels);
    double radixCost = 32.0 / digits;
    // Nine digits a word either way: the int8 kernels decode the fields'
    // form with 16-bit multiplies (RadixFields.h).
    if (radixCost < plainCost && dynamicInt8 &&
        digits == numerics::kRadixFieldCodes)
      return make(LayoutKind::RadixFields, levels, block);
    if (radixCost < plainCost)
      return make(LayoutKind::Radix, levels, block);
  }
  unsigned bits = scheme.getBits();
  if (scheme.getCodebook())
    bits = llvm::Log2_32_Ceil(scheme.getCodebook().size());
  if (bits <= 2)
    return make(LayoutKind::Int2, 0, block);
  if (bits == 3)
    return make(LayoutKind::Int3, 0, block);
  if (bits == 4)
    return make(LayoutKind::Int4Interleaved, 0,
                block > 0 && block % 2 == 0 ? block : 32);
  return make(LayoutKind::Int8, 0, block);
}

/// Layout `kind` in blocks of the scheme's groups.
template <LayoutKind kind>
static LayoutAttr getBlockLayout(MLIRContext *context, SchemeAttr scheme) {
  return LayoutAttr::get(context, kind, 0, getGroupBlock(scheme));
}

/// The panel layout of kind `kind` when it is `scheme`'s panel layout.
template <numerics::PackKind kind>
static LayoutAttr getPanelLayoutOf(MLIRContext *context, SchemeAttr scheme) {
  LayoutAttr panel = getPanelLayout(context, scheme);
  return panel && panel.getPackFormat().kind == kind ? panel : LayoutAttr();
}

namespace {
/// A value of the `layout` option besides `auto`: the layout it names for a
/// scheme (null when the scheme cannot take it) and, for the diagnostic,
/// the schemes that can ("" for every scheme without superblock
/// parameters).
struct LayoutOption {
  llvm::StringLiteral name;
  llvm::StringLiteral schemes;
  LayoutAttr (*get)(MLIRContext *context, SchemeAttr scheme);
};
} // namespace

/// The `layout` option's names, parsed and listed from this one table.
static const LayoutOption kLayoutOptions[] = {
    {"int8", "", getBlockLayout<LayoutKind::Int8>},
    {"int4", "", getBlockLayout<LayoutKind::Int4>},
    {"int4-interleaved", "",
     [](MLIRContext *context, SchemeAttr scheme) {
       int64_t block = getGroupBlock(scheme);
       return LayoutAttr::get(context, LayoutKind::Int4Interleaved, 0,
                              block > 0 && block % 2 == 0 ? block : 32);
     }},
    {"int3", "", getBlockLayout<LayoutKind::Int3>},
    {"int2", "", getBlockLayout<LayoutKind::Int2>},
    {"int2-planes", "groups of a multiple of 16 codes",
     [](MLIRContext *context, SchemeAttr scheme) {
       int64_t block = getGroupBlock(scheme);
       return block % 16 == 0
                  ? LayoutAttr::get(context, LayoutKind::Int2Planes, 0, block)
                  : LayoutAttr();
     }},
    {"int8-panel", "signed symmetric int8 per channel",
     getPanelLayoutOf<numerics::PackKind::Int8Panel>},
    {"int4-panel", "signed symmetric int4 in groups of a multiple of 8",
     getPanelLayoutOf<numerics::PackKind::Int4Panel>},
    {"int3-panel", "int3 in groups of a multiple of 32 (w3g64)",
     getPanelLayoutOf<numerics::PackKind::Int3Panel>},
    {"int2-panel", "int2 in groups of a multiple of 16 (w2g32)",
     getPanelLayoutOf<numerics::PackKind::Int2Panel>},
    {"radix-panel",
     "min/scale codes of 10 or 11 even levels in groups of a multiple of 4 "
     "(c11g128)",
     getPanelLayoutOf<numerics::PackKind::RadixPanel>},
    {"radix", "codebook schemes",
     [](MLIRContext *context, SchemeAttr scheme) {
       return scheme.getCodebook()
                  ? LayoutAttr::get(context, LayoutKind::Radix,
                                    scheme.getCodebook().size(),
                                    getGroupBlock(scheme))
                  : LayoutAttr();
     }},
    {"radix-fields", "codebook schemes of 2 to 11 levels",
     [](MLIRContext *context, SchemeAttr scheme) {
       CodebookAttr codebook = scheme.getCodebook();
       return codebook && codebook.size() >= 2 && codebook.size() <= 11
                  ? LayoutAttr::get(context, LayoutKind::RadixFields,
                                    codebook.size(), getGroupBlock(scheme))
                  : LayoutAttr();
     }},
};

/// What the `layout` option takes, from kLayoutOptions: "auto, int8, ...,
/// radix for codebook schemes, or auto / radix-superblock for superblock
/// parameters".
static std::string describeLayoutOptions() {
  std::string text = "auto";
  for (const LayoutOption &option : kLayoutOptions) {
    text += ", " + option.name.str();
    if (!option.schemes.empty())
      text += " for " + option.schemes.str();
  }
  return text + ", or auto / radix-superblock for superblock parameters";
}

/// Parses the `layout` option for `scheme`: a name of kLayoutOptions, or
/// `auto`. Superblock parameters (i8 scales) go with radix_superblock alone.
static FailureOr<LayoutAttr> getLayout(MLIRContext *context, StringRef name,
                                       SchemeAttr scheme, bool superblock,
                                       bool dynamicInt8) {
  if (superblock) {
    if (name != "auto" && name != "radix-superblock")
      return failure();
    return LayoutAttr::get(context, LayoutKind::RadixSuperblock,
                           scheme.getNumLevels(), scheme.getGroupSize());
  }
  if (name == "auto")
    return chooseLayout(context, scheme, dynamicInt8);
  for (const LayoutOption &option : kLayoutOptions)
    if (option.name == name) {
      if (LayoutAttr layout = option.get(context, scheme))
        return layout;
      return failure();
    }
  return failure();
}

static ElementsAttr getConstantPayload(Value value) {
  if (!value)
    return {};
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  return constant ? dyn_cast<ElementsAttr>(constant.getValue()) : ElementsAttr();
}

namespace {

struct LowbitPackWeightsPass
    : public lowbit::impl::LowbitPackWeightsBase<LowbitPackWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<DequantizeOp> candidates;
    getOperation().walk([&](DequantizeOp op) { candidates.push_back(op); });
    for (DequantizeOp op : candidates)
      if (failed(pack(op)))
        return signalPassFailure();
  }

  LogicalResult pack(DequantizeOp op);
};

} // namespace

LogicalResult LowbitPackWeightsPass::pack(DequantizeOp op) {
  ElementsAttr codes = getConstantPayload(op.getInput());
  ElementsAttr scales = getConstantPayload(op.getScales());
  ElementsAttr zeroPoints = getConstantPayload(op.getZeroPoints());
  ElementsAttr mins = getConstantPayload(op.getMins());
  auto codesType = op.getInput().getType();
  SchemeAttr scheme = op.getScheme();
  GranularityKind granularity = scheme.getGranularity();
  bool weightGranularity =
      granularity == GranularityKind::PerTensor ||
      (granularity == GranularityKind::PerChannel && scheme.getAxis() == 0) ||
      (granularity == GranularityKind::PerGroup && scheme.getAxis() == 1);
  // Only constant [N, K] weights with constant parameters are packed.
  if (!codes || !scales || (op.getZeroPoints() && !zeroPoints) ||
      (op.getMins() && !mins) || codesType.getRank() != 2 ||
      !codesType.hasStaticShape() || !weightGranularity)
    return success();

  MLIRContext *context = &getContext();
  bool superblock = isSuperblockParams(op.getScales().getType());
  FailureOr<LayoutAttr> layoutAttr =
      getLayout(context, layout, scheme, superblock, dynamicInt8Activations);
  if (failed(layoutAttr))
    return op.emitError() << "unknown layout '" << layout
                          << "' for this scheme (expected "
                          << describeLayoutOptions() << ")";
  LayoutAttr packedLayout = *layoutAttr;
  // Weights of matmuls with enough rows of dynamic int8 activations go to
  // the outer-product kernels, unless the layout is a panel layout already
  // (int2_planes: the lookup-table kernels).
  if (dynamicInt8Activations && panelMinRows > 0 && !superblock &&
      !numerics::isPanelFormat(packedLayout.getPackFormat())) {
    std::optional<int64_t> rows = getMatmulRows(op.getResult());
    LayoutAttr panel = getPanelLayout(context, scheme);
    if (panel && rows && *rows >= int64_t(panelMinRows))
      packedLayout = panel;
  }
  bool signedCodes = scheme.getQmin() < 0;
  if (packedLayout.getCodeCapacity() < scheme.getNumLevels() ||
      (signedCodes && (packedLayout.getKind() == LayoutKind::Radix ||
                       packedLayout.getKind() == LayoutKind::RadixPanel ||
                       packedLayout.getKind() == LayoutKind::RadixFields)))
    return op.emitError() << "layout " << packedLayout
                          << " cannot hold the codes of " << scheme;

  FailureOr<std::vector<uint8_t>> patterns =
      readCodePatterns(codes, packedLayout.getCodeBits(), signedCodes);
  numerics::PackFormat format = packedLayout.getPackFormat();
  if (failed(patterns) || numerics::findInvalidCode(format, *patterns))
    return op.emitError() << "weight codes do not fit " << packedLayout;

  int64_t n = codesType.getDimSize(0), k = codesType.getDimSize(1);
  unsigned unitBits = packedLayout.getUnitBits();
  auto packedType = RankedTensorType::get(packedLayout.getStorageShape({n, k}),
                                          IntegerType::get(context, unitBits));
  StringRef name = getResourceName(codes);
  bool asResource = !name.empty();
  std::string packedName = (name.empty() ? StringRef("weights") : name).str();
  if (StringRef(packedName).ends_with("_codes"))
    packedName.resize(packedName.size() - strlen("_codes"));
  ElementsAttr packed = packRows(format, *patterns, k, packedType, asResource,
                                 packedName + "_packed");

  OpBuilder builder(op);
  Location loc = op.getLoc();
  auto weight = PackedWeightOp::create(
      builder, loc, packed, scales, zeroPoints, mins,
      builder.getDenseI64ArrayAttr({n, k}), scheme, packedLayout);
  auto unpacked = UnpackOp::create(builder, loc, codesType, weight.getPacked(),
                                   packedLayout, signedCodes);
  Value oldCodes = op.getInput(), oldScales = op.getScales();
  Value oldOffsets = zeroPoints ? op.getZeroPoints() : op.getMins();
  op.getInputMutable().assign(unpacked);
  op.getScalesMutable().assign(weight.getScaleValues());
  if (zeroPoints)
    op.getZeroPointsMutable().assign(weight.getOffsetValues());
  if (mins)
    op.getMinsMutable().assign(weight.getOffsetValues());
  // Once each: after CSE, one constant may be both scales and mins.
  llvm::SmallSetVector<Value, 3> olds;
  for (Value old : {oldCodes, oldScales, oldOffsets})
    if (old)
      olds.insert(old);
  for (Value old : olds)
    if (old.use_empty())
      old.getDefiningOp()->erase();

  if (report) {
    int64_t paramBytes = 0;
    for (ElementsAttr param : {scales, zeroPoints, mins})
      if (param)
        paramBytes += param.getNumElements() *
                      (cast<ShapedType>(param.getType())
                           .getElementTypeBitWidth() /
                       8);
    int64_t storageBytes = packedType.getNumElements() * unitBits / 8;
    int64_t floatBytes = n * k * 4;
    std::string bitsPerWeight;
    llvm::raw_string_ostream(bitsPerWeight)
        << llvm::format("%.3f",
                        8.0 * double(storageBytes + paramBytes) / double(n * k));
    op.emitRemark() << "packed weight " << n << "x" << k << " as "
                    << packedLayout << ": " << storageBytes << " + "
                    << paramBytes << " bytes (f32: " << floatBytes << ", "
                    << bitsPerWeight << " bits per weight)";
  }
  return success();
}

//===- AttributesTest.cpp - lowbit attribute helpers ----------------------===//

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Numerics/Presets.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace lowbit;

namespace {

class LowbitAttributesTest : public ::testing::Test {
protected:
  LowbitAttributesTest() { context.loadDialect<LowbitDialect>(); }

  template <typename AttrT>
  AttrT parse(StringRef text) {
    return dyn_cast_if_present<AttrT>(parseAttribute(text, &context));
  }

  MLIRContext context;
};

TEST_F(LowbitAttributesTest, SignedSchemeRange) {
  auto scheme = parse<SchemeAttr>(
      "#lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>");
  ASSERT_TRUE(scheme);
  EXPECT_EQ(scheme.getQmin(), -8);
  EXPECT_EQ(scheme.getQmax(), 7);
  EXPECT_EQ(scheme.getNumLevels(), 16);
}

TEST_F(LowbitAttributesTest, NarrowAndUnsignedRanges) {
  auto narrow =
      parse<SchemeAttr>("#lowbit.scheme<i8, symmetric, per_tensor, narrow>");
  ASSERT_TRUE(narrow);
  EXPECT_EQ(narrow.getQmin(), -127);
  EXPECT_EQ(narrow.getQmax(), 127);
  auto affine = parse<SchemeAttr>("#lowbit.scheme<u3, affine, per_tensor>");
  ASSERT_TRUE(affine);
  EXPECT_EQ(affine.getQmin(), 0);
  EXPECT_EQ(affine.getQmax(), 7);
}

TEST_F(LowbitAttributesTest, CodebookRangeIsItsIndices) {
  auto scheme = parse<SchemeAttr>(
      "#lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), "
      "codebook = <linspace(-1.0, 1.0, 11)>>");
  ASSERT_TRUE(scheme);
  EXPECT_EQ(scheme.getQmin(), 0);
  EXPECT_EQ(scheme.getQmax(), 10);
  ArrayRef<float> levels = scheme.getCodebook().getValues();
  ASSERT_EQ(levels.size(), 11u);
  EXPECT_FLOAT_EQ(levels.front(), -1.0f);
  EXPECT_FLOAT_EQ(levels[5], 0.0f);
  EXPECT_FLOAT_EQ(levels[6], 0.2f);
  EXPECT_FLOAT_EQ(levels.back(), 1.0f);
}

TEST_F(LowbitAttributesTest, ParamShapes) {
  auto perGroup = parse<SchemeAttr>(
      "#lowbit.scheme<i4, symmetric, per_group(axis = 1, size = 32)>");
  EXPECT_EQ(perGroup.getParamShape({120, 400}),
            (SmallVector<int64_t>{120, 13}));
  // A group larger than the dimension is one partial group.
  EXPECT_EQ(perGroup.getParamShape({4, 16}), (SmallVector<int64_t>{4, 1}));
  EXPECT_EQ(perGroup.getParamShape({ShapedType::kDynamic, 64}),
            (SmallVector<int64_t>{ShapedType::kDynamic, 2}));
  auto perChannel =
      parse<SchemeAttr>("#lowbit.scheme<i8, symmetric, per_channel(axis = 0)>");
  EXPECT_EQ(perChannel.getParamShape({6, 1, 5, 5}),
            (SmallVector<int64_t>{6}));
  auto perTensor = parse<SchemeAttr>("#lowbit.scheme<i8, symmetric, per_tensor>");
  EXPECT_TRUE(perTensor.getParamShape({3, 4}).empty());
}

TEST_F(LowbitAttributesTest, LayoutUnitsPerRow) {
  auto int4 = parse<LayoutAttr>("#lowbit.layout<int4>");
  ASSERT_TRUE(int4);
  EXPECT_EQ(int4.getUnitBits(), 8u);
  EXPECT_EQ(int4.getUnitsPerRow(400), 200);
  EXPECT_EQ(int4.getUnitsPerRow(7), 4);
  auto radix = parse<LayoutAttr>("#lowbit.layout<radix(11), block = 128>");
  ASSERT_TRUE(radix);
  EXPECT_EQ(radix.getUnitBits(), 32u);
  EXPECT_EQ(radix.getCodeCapacity(), 11);
  // 128 codes per block at 9 per word: 15 words per block, 2 blocks.
  EXPECT_EQ(radix.getUnitsPerRow(256), 30);
  // A partial last block is padded to a full block.
  EXPECT_EQ(radix.getUnitsPerRow(130), 30);
  auto int3 = parse<LayoutAttr>("#lowbit.layout<int3>");
  EXPECT_EQ(int3.getUnitsPerRow(21), 3);
}

TEST_F(LowbitAttributesTest, InvalidAttributesAreRejected) {
  // Diagnostics go to the context's handler; silence them here.
  ScopedDiagnosticHandler silence(&context, [](Diagnostic &) {
    return success();
  });
  EXPECT_FALSE(parse<SchemeAttr>("#lowbit.scheme<i9, symmetric, per_tensor>"));
  EXPECT_FALSE(parse<SchemeAttr>("#lowbit.scheme<u4, symmetric, per_tensor>"));
  EXPECT_FALSE(parse<LayoutAttr>("#lowbit.layout<int4_interleaved>"));
  EXPECT_FALSE(parse<CodebookAttr>("#lowbit.codebook<[1.0, 0.5]>"));
}

/// Errors the parser cannot produce (its grammar never builds these
/// combinations) but the C++ builders can.
TEST_F(LowbitAttributesTest, BuilderOnlyVerifierErrors) {
  std::vector<std::string> messages;
  ScopedDiagnosticHandler collect(&context, [&](Diagnostic &diagnostic) {
    messages.push_back(diagnostic.str());
    return success();
  });
  auto emitError = [&]() { return mlir::emitError(UnknownLoc::get(&context)); };

  EXPECT_TRUE(failed(SchemeAttr::verify(
      emitError, 8, true, ParamForm::Symmetric, GranularityKind::PerTensor,
      /*axis=*/1, /*groupSize=*/0, false, RoundingMode::NearestEven,
      CodebookAttr())));
  EXPECT_TRUE(failed(SchemeAttr::verify(
      emitError, 8, true, ParamForm::Symmetric, GranularityKind::PerChannel,
      /*axis=*/0, /*groupSize=*/4, false, RoundingMode::NearestEven,
      CodebookAttr())));
  EXPECT_TRUE(failed(LayoutAttr::verify(emitError, LayoutKind::Int4,
                                        /*radix=*/5, /*block=*/0)));
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0], "per_tensor schemes have no axis");
  EXPECT_EQ(messages[1], "only per_group schemes have a group size");
  EXPECT_EQ(messages[2],
            "invalid layout: radix must be 0 unless the pack kind is radix");
}

TEST_F(LowbitAttributesTest, NumericsSchemeMirrorsTheAttribute) {
  auto scheme = parse<SchemeAttr>(
      "#lowbit.scheme<u4, min_scale, per_group(axis = 1, size = 128), "
      "rounding = toward_zero, codebook = <linspace(-1.0, 1.0, 11)>>");
  ASSERT_TRUE(scheme);
  numerics::Scheme converted =
      scheme.getNumericsScheme(Float16Type::get(&context));
  EXPECT_EQ(converted.bits, 4u);
  EXPECT_FALSE(converted.isSigned);
  EXPECT_EQ(converted.form, numerics::ParamForm::MinScale);
  EXPECT_EQ(converted.rounding, numerics::Rounding::TowardZero);
  EXPECT_EQ(converted.paramStorage, numerics::ParamStorage::F16);
  EXPECT_EQ(converted.codebook.size(), 11u);
  numerics::Granularity granularity = scheme.getNumericsGranularity();
  EXPECT_EQ(granularity.kind, numerics::GranularityKind::PerGroup);
  EXPECT_EQ(granularity.axis, 1);
  EXPECT_EQ(granularity.groupSize, 128);
}

/// Every preset's numerics description maps to attributes and back.
TEST_F(LowbitAttributesTest, PresetsRoundTripThroughAttributes) {
  for (const numerics::WeightPreset &preset : numerics::getWeightPresets()) {
    SchemeAttr scheme =
        getSchemeAttr(&context, preset.scheme, preset.granularity);
    ASSERT_TRUE(scheme) << preset.name;
    numerics::Scheme back = scheme.getNumericsScheme();
    EXPECT_EQ(back.bits, preset.scheme.bits) << preset.name;
    EXPECT_EQ(back.isSigned, preset.scheme.isSigned) << preset.name;
    EXPECT_EQ(back.form, preset.scheme.form) << preset.name;
    EXPECT_EQ(back.codebook, preset.scheme.codebook) << preset.name;
    numerics::Granularity granularity = scheme.getNumericsGranularity();
    EXPECT_EQ(granularity.kind, preset.granularity.kind) << preset.name;
    EXPECT_EQ(granularity.groupSize, preset.granularity.groupSize)
        << preset.name;
    LayoutAttr layout = getLayoutAttr(&context, preset.format);
    ASSERT_TRUE(layout) << preset.name;
    EXPECT_EQ(layout.getPackFormat(), preset.format) << preset.name;
  }
  // Invalid combinations give null attributes, not crashes.
  ScopedDiagnosticHandler silence(&context, [](Diagnostic &) {
    return success();
  });
  numerics::Scheme bad;
  bad.bits = 12;
  EXPECT_FALSE(getSchemeAttr(&context, bad, {}));
  numerics::PackFormat interleavedWithoutBlock;
  interleavedWithoutBlock.kind = numerics::PackKind::Int4Interleaved;
  EXPECT_FALSE(getLayoutAttr(&context, interleavedWithoutBlock));
}

} // namespace

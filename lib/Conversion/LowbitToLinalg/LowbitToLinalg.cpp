//===- LowbitToLinalg.cpp - lowbit ops to linalg on tensors ---------------===//
//
// The convert-lowbit-to-linalg pass: which lowbit ops cannot be lowered and
// why, the identity and constant lowerings (stats, observe, packed_weight),
// and the registration of every pattern: pack / unpack (PackUnpack.cpp),
// quantize / dequantize / requantize (QuantizeDequantize.cpp), matmuls
// (Matmuls.cpp). The lowered arithmetic restates the numerics library.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/LowbitToLinalg/LowbitToLinalg.h"
#include "LoweringUtils.h"
#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace lowbit {
#define GEN_PASS_DEF_CONVERTLOWBITTOLINALG
#include "lowbit/Conversion/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;
using namespace lowbit::lowbit_to_linalg;

namespace {

//===----------------------------------------------------------------------===//
// Unsupported cases
//===----------------------------------------------------------------------===//

/// Layouts lowered by a generic over the whole static storage.
bool hasWholeMatrixLayout(LayoutAttr layout) {
  return layout.isPanel() || layout.getKind() == LayoutKind::RadixSuperblock;
}

std::optional<std::string> unsupportedReason(Operation *op) {
  if (auto dequantize = dyn_cast<DequantizeOp>(op)) {
    if (isSuperblockParams(dequantize.getScales().getType()) &&
        !dequantize.getType().hasStaticShape())
      return std::string("cannot be lowered with dynamic shapes and "
                         "superblock parameters");
  } else if (auto unpack = dyn_cast<UnpackOp>(op)) {
    if (unpack.getType().isDynamicDim(unpack.getType().getRank() - 1))
      return std::string("cannot be lowered with a dynamic row length (the "
                         "last dimension of the codes must be static)");
    if (hasWholeMatrixLayout(unpack.getLayout()) &&
        (!unpack.getType().hasStaticShape() ||
         !unpack.getInput().getType().hasStaticShape()))
      return std::string("cannot be lowered with dynamic shapes under a "
                         "panel or radix_superblock layout");
  } else if (auto pack = dyn_cast<PackOp>(op)) {
    auto type = pack.getInput().getType();
    if (type.isDynamicDim(type.getRank() - 1))
      return std::string("cannot be lowered with a dynamic row length (the "
                         "last dimension of the codes must be static)");
    if (hasWholeMatrixLayout(pack.getLayout()) &&
        (!type.hasStaticShape() || !pack.getType().hasStaticShape()))
      return std::string("cannot be lowered with dynamic shapes under a "
                         "panel or radix_superblock layout");
  } else if (auto matmul = dyn_cast<MatmulOp>(op)) {
    if (matmul.getLayout().isPanel() && matmul.getType().isDynamicDim(1))
      return std::string("cannot be lowered with a dynamic N under a panel "
                         "layout (the result's last dimension must be "
                         "static)");
    if (matmul.getInput().getType().isDynamicDim(1))
      return std::string("cannot be lowered with a dynamic reduction size K "
                         "(the last dimension of the input must be static)");
    if (matmul.getDynamicInt8Activations())
      return std::string("has dynamic int8 activations, which only "
                         "lowbit-vectorize-matmul lowers (int8, "
                         "int4_interleaved, int3, int2, int2_planes or radix "
                         "weights)");
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// stats, observe, packed_weight
//===----------------------------------------------------------------------===//

struct StatsLowering : public LowbitPattern<StatsOp> {
  using LowbitPattern::LowbitPattern;
  FailureOr<SmallVector<Value>>
  lower(StatsOp, OpAdaptor adaptor,
        ConversionPatternRewriter &) const override {
    return SmallVector<Value>{adaptor.getInput()};
  }
};

/// An observer left in the IR (calibration not run) is the identity.
struct ObserveLowering : public LowbitPattern<ObserveOp> {
  using LowbitPattern::LowbitPattern;
  FailureOr<SmallVector<Value>>
  lower(ObserveOp, OpAdaptor adaptor,
        ConversionPatternRewriter &) const override {
    return SmallVector<Value>{adaptor.getInput()};
  }
};

struct PackedWeightLowering : public LowbitPattern<PackedWeightOp> {
  using LowbitPattern::LowbitPattern;
  FailureOr<SmallVector<Value>>
  lower(PackedWeightOp op, OpAdaptor,
        ConversionPatternRewriter &rewriter) const override {
    SmallVector<Value> results;
    auto constant = [&](Attribute attr) {
      results.push_back(arith::ConstantOp::create(rewriter, op.getLoc(),
                                                  cast<TypedAttr>(attr)));
    };
    constant(op.getData());
    constant(op.getScales());
    if (std::optional<ElementsAttr> zeroPoints = op.getZeroPoints())
      constant(*zeroPoints);
    else if (std::optional<ElementsAttr> mins = op.getMins())
      constant(*mins);
    return results;
  }
};

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

struct ConvertLowbitToLinalgPass
    : public lowbit::impl::ConvertLowbitToLinalgBase<
          ConvertLowbitToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Report every unsupported op with its reason before converting.
    bool unsupported = false;
    module.walk([&](Operation *op) {
      if (!isa_and_nonnull<LowbitDialect>(op->getDialect()))
        return;
      if (std::optional<std::string> reason = unsupportedReason(op)) {
        op->emitOpError() << *reason;
        unsupported = true;
      }
    });
    if (unsupported)
      return signalPassFailure();

    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<LowbitDialect>();
    // Vector-level dot products and byte lookups are left for
    // lowbit-lower-dot-i8, lowbit-lower-dot-bf16 and lowbit-lower-lookup-bytes.
    target.addLegalOp<DotI8Op, DotBf16Op, MmlaBf16Op, LookupBytesOp>();
    target.addLegalOp<MultishiftBytesOp>(); // lowbit-lower-multishift-bytes
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateLowbitToLinalgConversionPatterns(patterns);
    ConversionConfig config;
    // The lowering is what runs: never substitute a folded constant.
    config.foldingMode = DialectConversionFoldingMode::Never;
    if (failed(applyPartialConversion(module, target, std::move(patterns),
                                      config)))
      signalPassFailure();
  }
};

} // namespace

void lowbit::populateLowbitToLinalgConversionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<StatsLowering, PackedWeightLowering, ObserveLowering>(
      patterns.getContext());
  populatePackUnpackPatterns(patterns);
  populateQuantizeDequantizePatterns(patterns);
  populateMatmulPatterns(patterns);
}

std::optional<std::string>
lowbit::getLowbitToLinalgUnsupportedReason(Operation *op) {
  return unsupportedReason(op);
}

//===- WeightOptions.h - weight schemes from pass options --------*- C++ -*-===//
//
// Turns the textual options of weight quantization (as given to
// lowbit-quantize-weights and the lowbit-quantize pipeline) into a
// #lowbit.scheme for canonical [N, K] weights, and names the presets.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_WEIGHTOPTIONS_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_WEIGHTOPTIONS_H

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/WeightAnalysis.h"
#include "lowbit/Numerics/Presets.h"

#include <string>

namespace lowbit {

/// Options of weight quantization, as strings and numbers from the command
/// line. Granularity applies to canonical [N, K] weights: per-channel is one
/// parameter set per row N, per-group runs along K.
struct WeightSchemeOptions {
  unsigned bits = 8;
  bool symmetric = true;
  std::string asymmetricForm = "affine"; ///< affine | min-scale
  bool narrowRange = false;
  std::string granularity = "per-channel"; ///< per-tensor | per-channel | per-group
  int64_t groupSize = 32;
  std::string rounding = "nearest-even"; ///< nearest-even | nearest-away | toward-zero
  std::string codebook;                  ///< "" | linspace(LO,HI,N) | comma list
  std::string paramType = "f32";         ///< f32 | f16 | superblock
  std::string layout = "auto";           ///< see lowbit-pack-weights
  bool dynamicInt8Activations = false;   ///< see lowbit-fuse-matmul
  bool staticInt8Activations = false;    ///< see lowbit-integerize
  bool bf16Activations = false;          ///< see lowbit-fuse-matmul
};

/// Builds the scheme, or reports what is wrong through `emitError`.
mlir::FailureOr<SchemeAttr>
buildWeightScheme(mlir::MLIRContext *context,
                  const WeightSchemeOptions &options,
                  llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

/// A weight scheme resolved from pass options: the scheme, the parameter
/// element type and the clipping of the numerics.
struct ResolvedWeightScheme {
  SchemeAttr scheme;
  mlir::Type paramType;
  numerics::ClippingOptions clipping;

  numerics::Scheme getNumericsScheme() const {
    return scheme.getNumericsScheme(paramType);
  }
  numerics::Granularity getNumericsGranularity() const {
    return scheme.getNumericsGranularity();
  }
};

/// Builds the scheme, the parameter type (`f32` or `f16`) and the clipping
/// (`minmax` or `mse`), or reports what is wrong through `emitError`.
mlir::FailureOr<ResolvedWeightScheme>
resolveWeightScheme(mlir::MLIRContext *context,
                    const WeightSchemeOptions &options,
                    llvm::StringRef clipping,
                    llvm::function_ref<mlir::InFlightDiagnostic()> emitError,
                    bool allowSuperblock = false);

/// The base of a pass declared with the WeightSchemeOptions and / or
/// WeightSelectionOptions of Passes.td: reads them.
template <typename Base> class WeightQuantizationPass : public Base {
public:
  using Base::Base;

protected:
  /// The scheme of the WeightSchemeOptions; errors at the module.
  /// `allowSuperblock`: the pass emits superblock parameters for
  /// param-type=superblock (lowbit-quantize-weights); others reject it.
  mlir::FailureOr<ResolvedWeightScheme>
  resolveScheme(bool allowSuperblock = false) {
    WeightSchemeOptions options;
    options.bits = this->bits;
    options.symmetric = this->symmetric;
    options.asymmetricForm = this->asymmetricForm;
    options.narrowRange = this->narrowRange;
    options.granularity = this->granularity;
    options.groupSize = this->groupSize;
    options.rounding = this->rounding;
    options.codebook = this->codebook;
    options.paramType = this->paramType;
    mlir::ModuleOp module = this->getOperation();
    return resolveWeightScheme(
        &this->getContext(), options, this->clipping,
        [&]() { return module.emitError(); }, allowSuperblock);
  }
  WeightSelection getSelection() {
    WeightSelection selection;
    selection.ops.assign(this->ops.begin(), this->ops.end());
    selection.filter = this->filter;
    selection.minElements = this->minElements;
    selection.maxConstantBytes = this->maxConstantBytes;
    selection.report = this->report;
    return selection;
  }
};

/// The options of a named preset (see lowbit/Numerics/Presets.h), or failure
/// for an unknown name.
mlir::FailureOr<WeightSchemeOptions> getWeightPreset(llvm::StringRef name);

/// The names of the presets, for help text and diagnostics.
llvm::ArrayRef<llvm::StringRef> getWeightPresetNames();

} // namespace lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_WEIGHTOPTIONS_H

//===- WeightAnalysis.h - constant weights of layers ------------*- C++ -*-===//
//
// What the weight quantization passes (lowbit-quantize-weights, lowbit-gptq,
// lowbit-awq, lowbit-mixed-precision) and the calibration runner share:
// finding the constant weight of a matmul or convolution and its canonical
// [N, K] form (output dimensions, then reduction dimensions), the rows of the
// layer's input in that K order (a convolution's im2col view), the layer
// input statistics attached to a module, and the rewrite of a weight into
// codes + parameters + `lowbit.dequantize`.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_WEIGHTANALYSIS_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_WEIGHTANALYSIS_H

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Numerics/Quantize.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>
#include <vector>

namespace lowbit {

/// A constant weight reached from the weight operand of a consumer.
struct WeightUse {
  /// The use of the constant's result that gets the quantized value.
  mlir::OpOperand *use;
  mlir::arith::ConstantOp constant;
  /// Constant dimensions in canonical order: parallel, then reduction.
  llvm::SmallVector<int64_t> order;
  int64_t numParallel;
  mlir::Operation *consumer;
  /// Maps each constant dimension to the consumer's loop dimension.
  llvm::SmallVector<int64_t> loopDims;

  /// N and K of the canonical [N, K] form.
  int64_t getN() const;
  int64_t getK() const;
};

/// The inputs of `op` that may be its weight: the filter of a convolution,
/// or any input of a contraction (the one that is constant is the weight).
/// Empty for other ops and for pooling (whose window is a tensor.empty).
llvm::SmallVector<mlir::OpOperand *>
getWeightCandidates(mlir::linalg::LinalgOp op);

/// The constant weight of `op`; otherwise `whyFloat` says why it has none
/// (empty: nothing to say, e.g. already quantized, or the product of two
/// computed values unless `verbose`).
std::optional<WeightUse> findConstantWeight(mlir::linalg::LinalgOp op,
                                            std::string &whyFloat,
                                            bool verbose);

/// Which layers' weights a pass quantizes.
struct WeightSelection {
  /// Op names to quantize (empty: every matmul and convolution).
  llvm::SmallVector<std::string> ops;
  /// A regex that weight names must match (empty: all).
  std::string filter;
  /// Weights with fewer elements stay in float.
  int64_t minElements = 1;
  uint64_t maxConstantBytes = uint64_t(4) << 30;
  /// Remarks for every layer left in float, and a count.
  bool report = false;
};

/// Counts for a pass's closing report.
struct WeightCounts {
  int64_t layers = 0, quantized = 0, inFloat = 0;
};

/// The constant weights of `module`'s matmuls and convolutions that
/// `selection` takes, in program order; a remark on every layer left in
/// float says why. Fails (with an error) for an invalid filter or a
/// constant above maxConstantBytes.
mlir::FailureOr<llvm::SmallVector<WeightUse>>
collectWeights(mlir::ModuleOp module, const WeightSelection &selection,
               WeightCounts &counts);

/// The closing remark of `pass` on `module` (when it saw layers): how many
/// were quantized and left in float.
void remarkWeightCounts(mlir::ModuleOp module, llvm::StringRef pass,
                        const WeightCounts &counts);

/// Quantizes every weight in `weights` once per (constant, canonical order)
/// with `quantize`, which returns the value to use instead (a null value
/// leaves the weight in float), rewires the uses and erases constants left
/// unused.
mlir::LogicalResult rewriteWeights(
    llvm::ArrayRef<WeightUse> weights, WeightCounts &counts,
    llvm::function_ref<mlir::FailureOr<mlir::Value>(const WeightUse &)>
        quantize);

/// The run of a pass that quantizes each weight on its own: collectWeights,
/// rewriteWeights with `quantize`, then, with `report`, remarkWeightCounts
/// under `pass`.
mlir::LogicalResult quantizeEachWeight(
    mlir::ModuleOp module, const WeightSelection &selection, bool report,
    llvm::StringRef pass,
    llvm::function_ref<mlir::FailureOr<mlir::Value>(const WeightUse &)>
        quantize);

/// `value` printed with a printf `format` (for diagnostics, which take no
/// llvm::format objects).
std::string formatFloat(const char *format, double value);

/// The name of a weight for reports, filters and statistics: its resource
/// key, its name location, or its position in the source.
std::string getWeightName(mlir::arith::ConstantOp constant);

/// The weight's values in canonical [N, K] row-major order. Emits an error
/// (naming the weight and the index) for a non-finite value; returns an
/// empty vector with a remark when the payload cannot be read.
mlir::FailureOr<std::vector<float>>
readCanonicalWeight(const WeightUse &weight);

/// How the layer input's rows (length K, in the weight's canonical K order)
/// are read from the input tensor (row-major): element
///   base + sum_i m_i * rowStrides[i] + sum_j k_j * kStrides[j]
/// for every m in the box rowSizes and k in the box kSizes. A convolution's
/// rows overlap (im2col).
struct InputRowPlan {
  mlir::OpOperand *input = nullptr;
  int64_t base = 0;
  llvm::SmallVector<int64_t> rowSizes, rowStrides, kSizes, kStrides;

  int64_t getNumRows() const;
  int64_t getK() const;
  /// Appends the rows of `input` (the input tensor's values) to `rows`.
  void gather(llvm::ArrayRef<float> input, std::vector<float> &rows) const;
};

/// The plan of `weight`'s layer; fails with `why` for shapes it does not
/// handle (dynamic shapes, weights with batch dimensions, non-linear index
/// maps, reads outside the input).
mlir::FailureOr<InputRowPlan> planInputRows(const WeightUse &weight,
                                            std::string &why);

/// The module attribute that holds layer input statistics:
///   lowbit.layer_stats = {NAME = {rows = R : i64,
///       hessian = dense<...> : tensor<KxKxf64>,   (or dense_resource)
///       mean_abs = dense<...> : tensor<Kxf32>}, ...}
/// keyed by weight name (getWeightName), H = sum x^T x over R input rows in
/// the weight's canonical K order, mean_abs the mean |x| per input.
constexpr llvm::StringLiteral kLayerStatsAttrName = "lowbit.layer_stats";

struct LayerStatistics {
  int64_t rows = 0;
  std::vector<double> hessian;
  std::vector<float> meanAbs;
};

/// The statistics of weight `name` with K inputs from `module`'s attribute.
/// std::nullopt (no error) when there are none; failure with an error at
/// `weight` for malformed ones (wrong shapes, non-finite values).
mlir::FailureOr<std::optional<LayerStatistics>>
getLayerStatistics(mlir::ModuleOp module, llvm::StringRef name, int64_t k,
                   mlir::Operation *weight);

/// The statistics of `weight`'s layer. When there are none: an error at the
/// weight when `required`, else a remark that `pass` rounds it to nearest
/// and std::nullopt.
mlir::FailureOr<std::optional<LayerStatistics>>
requireLayerStatistics(mlir::ModuleOp module, const WeightUse &weight,
                       bool required, llvm::StringRef pass);

/// Sets `module`'s statistics of weight `name` (H as a dense_resource).
void setLayerStatistics(mlir::ModuleOp module, llvm::StringRef name,
                        const LayerStatistics &statistics);

/// Replaces the use of `weight` by codes + parameters + `lowbit.dequantize`
/// under `scheme` (parameters of `paramType`), reshaped and transposed back
/// to the original layout; returns the new value (built next to the
/// constant).
mlir::Value buildQuantizedWeight(const WeightUse &weight, SchemeAttr scheme,
                                 mlir::Type paramType,
                                 const numerics::QuantizedTensor &quantized);

/// The same with superblock parameters: codes + i8 parameter bytes
/// ([N, bytes per row]) feeding `lowbit.dequantize`.
mlir::Value buildSuperblockWeight(const WeightUse &weight, SchemeAttr scheme,
                                  const numerics::SuperblockTensor &quantized);

/// `result`, the dequantized [N, K] weight, expanded and transposed back to
/// the layout of `weight`'s constant.
mlir::Value restoreWeightLayout(mlir::OpBuilder &builder,
                                const WeightUse &weight, mlir::Value result);

} // namespace lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_WEIGHTANALYSIS_H

//===- LowbitToLinalg.h - lowbit to linalg conversion -----------*- C++ -*-===//
//
// Lowers lowbit ops on tensors to linalg / tensor / arith / math (and scf
// for codebooks of more than 33 levels), bit-exact with the numerics
// library. See the `convert-lowbit-to-linalg` pass description.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOLINALG_LOWBITTOLINALG_H
#define LOWBIT_CONVERSION_LOWBITTOLINALG_LOWBITTOLINALG_H

#include <optional>
#include <string>

namespace mlir {
class Operation;
class RewritePatternSet;
} // namespace mlir

namespace lowbit {

/// Adds the conversion patterns that rewrite every lowbit op (stats,
/// packed_weight, pack, unpack, quantize, dequantize, requantize, matmul)
/// into upstream ops. They are OpConversionPatterns: apply them with the
/// dialect conversion driver (applyPartialConversion / applyFullConversion)
/// with the lowbit dialect illegal. `lowbit.matmul` is rewritten into
/// `lowbit.unpack` + `lowbit.dequantize` plus linalg ops, which the driver
/// then legalizes in turn. Set ConversionConfig::foldingMode to Never if the
/// lowered code (rather than the numerics-library folders) must compute the
/// results, as the pass does.
void populateLowbitToLinalgConversionPatterns(
    mlir::RewritePatternSet &patterns);

/// Why `op` (a lowbit op) cannot be lowered by these patterns, or
/// std::nullopt when it can. The patterns decline exactly these ops.
std::optional<std::string>
getLowbitToLinalgUnsupportedReason(mlir::Operation *op);

} // namespace lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOLINALG_LOWBITTOLINALG_H

//===- ExternalWeights.h - constants kept out of the object -----*- C++ -*-===//
//
// What lowbit-externalize-constants records on a module, read back: the
// weights file's size and fingerprint and each constant's bytes at its
// offset (numerics::WeightsChunk), ready for numerics::serializeWeights.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_EXTERNALWEIGHTS_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_EXTERNALWEIGHTS_H

#include "lowbit/Numerics/WeightsFile.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <vector>

namespace lowbit {

/// The module attribute lowbit-externalize-constants sets.
constexpr llvm::StringLiteral kExternalWeightsAttrName =
    "lowbit.external_weights";

struct ExternalWeights {
  uint64_t total = 0;
  uint64_t fingerprint = 0;
  std::vector<numerics::WeightsChunk> chunks;
  /// Splat constants expanded to their bytes (the chunks point here).
  std::vector<std::vector<uint8_t>> storage;
};

/// The bytes of a constant as the target stores them (little-endian, whole
/// bytes per element), or nothing with a reason in `why`. Splats are
/// expanded into `storage`.
std::optional<llvm::ArrayRef<uint8_t>>
getConstantData(mlir::Attribute value, mlir::Type elementType,
                int64_t numElements, std::vector<uint8_t> &storage,
                std::string &why);

/// The weights recorded on `module`, or nothing if it has none.
std::optional<ExternalWeights> getExternalWeights(mlir::ModuleOp module);

} // namespace lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_EXTERNALWEIGHTS_H

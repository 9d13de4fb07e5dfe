//===- WeightsFile.cpp - writing the weights of --weights=external --------===//

#include "lowbit/Dialect/Lowbit/Transforms/ExternalWeights.h"
#include "lowbit/Target/Target.h"

using namespace mlir;
using namespace lowbit;

std::optional<uint64_t> lowbit::getExternalWeightsSize(ModuleOp module) {
  auto attr = module->getAttrOfType<DictionaryAttr>(kExternalWeightsAttrName);
  if (!attr)
    return std::nullopt;
  auto size = attr.getAs<IntegerAttr>("size");
  if (!size)
    return std::nullopt;
  return size.getValue().getZExtValue();
}

LogicalResult lowbit::writeWeightsFile(ModuleOp module, llvm::raw_ostream &os) {
  std::optional<ExternalWeights> weights = getExternalWeights(module);
  if (!weights)
    return module.emitError("the module has no external weights to write "
                            "(lowbit-externalize-constants did not run)");
  uint8_t header[numerics::kWeightsHeaderBytes];
  numerics::writeWeightsHeader(weights->total, weights->fingerprint, header);
  os.write(reinterpret_cast<const char *>(header), sizeof(header));
  numerics::serializeWeights(
      weights->chunks, weights->total, [&](const uint8_t *data, size_t bytes) {
        os.write(reinterpret_cast<const char *>(data), bytes);
      });
  return success();
}

void lowbit::setWeightsSizes(ModuleOp module,
                             MutableArrayRef<CEntryPoint> entryPoints) {
  std::optional<uint64_t> size = getExternalWeightsSize(module);
  if (!size)
    return;
  for (CEntryPoint &entry : entryPoints)
    entry.weightsBytes = static_cast<int64_t>(*size);
}

//===- Registry.cpp - op type -> converter --------------------------------===//
//
// The one table of converters: each family lists its ops with the opset
// range whose semantics it implements; a model at an opset outside every
// range is reported as unsupported rather than converted wrongly.
//
//===----------------------------------------------------------------------===//

#include "Converters.h"

using namespace lowbit::onnx_import;

bool lowbit::onnx_import::isDefaultDomain(llvm::StringRef domain) {
  return domain.empty() || domain == "ai.onnx";
}

const OpConverter *lowbit::onnx_import::lookupConverter(llvm::StringRef domain,
                                                        llvm::StringRef opType,
                                                        int64_t opset) {
  llvm::SmallVector<llvm::ArrayRef<OpConverter>> families;
  if (isDefaultDomain(domain))
    families = {getElementwiseConverters(),   getLinearAlgebraConverters(),
                getShapeConverters(),         getReductionConverters(),
                getNormalizationConverters(), getConvolutionConverters(),
                getQuantizationConverters(),  getGeluConverters()};
  else if (domain == "com.microsoft")
    families = {getMicrosoftConverters()};
  for (llvm::ArrayRef<OpConverter> family : families)
    for (const OpConverter &converter : family)
      if (opType == converter.opType &&
          (opset < 0 ||
           (converter.minOpset <= opset && opset <= converter.maxOpset)))
        return &converter;
  return nullptr;
}

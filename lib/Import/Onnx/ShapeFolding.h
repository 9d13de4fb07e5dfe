//===- ShapeFolding.h - shape arithmetic folded before inference -*- C++
//-*-===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_SHAPEFOLDING_H
#define LOWBIT_LIB_IMPORT_ONNX_SHAPEFOLDING_H

#include "onnx/onnx_pb.h"

namespace lowbit::onnx_import {

/// Evaluates the small integer computations exporters build from `Shape`
/// (Gather, Unsqueeze, Concat, Cast, Div, ...) with the shapes the last
/// inference gave, and replaces the shape operands of Reshape, Expand,
/// Tile, ConstantOfShape, Slice, Range and Pad that they compute by
/// initializers. Returns true when it replaced any, so that a new shape
/// inference can make more of the graph static.
bool foldShapeComputations(onnx::ModelProto &model);

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_SHAPEFOLDING_H

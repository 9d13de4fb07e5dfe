//===- ShapeFolding.h - shape arithmetic folded before inference -*- C++
//-*-===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_SHAPEFOLDING_H
#define LOWBIT_LIB_IMPORT_ONNX_SHAPEFOLDING_H

#include "onnx/onnx_pb.h"

namespace lowbit::onnx_import {

/// Evaluates the small integer computations exporters and function bodies
/// build from `Shape` and `Size` (Gather, Slice, Unsqueeze, Concat, Cast,
/// Neg, Add/Sub/Mul/Div, integer ConstantOfShape) with the shapes the last
/// inference gave, replaces the shape operands of Reshape, Expand, Tile and
/// ConstantOfShape that they compute by initializers, and removes the
/// folded nodes nothing reads any more. Returns true when it changed the
/// graph, so that a new shape inference can make more of it static.
bool foldShapeComputations(onnx::ModelProto &model);

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_SHAPEFOLDING_H

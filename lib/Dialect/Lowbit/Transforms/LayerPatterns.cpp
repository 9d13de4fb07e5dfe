//===- LayerPatterns.cpp - matchers for the layers of exported models -----===//

#include "LayerPatterns.h"

#include "lowbit/Dialect/Lowbit/IR/ConstantData.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace lowbit;

bool lowbit::isZeroFilled(Value value) {
  if (auto fill = value.getDefiningOp<linalg::FillOp>())
    return matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
  return matchPattern(value, m_AnyZeroFloat());
}

std::pair<AffineMap, AffineMap>
lowbit::getMatrixAndRowMaps(MLIRContext *context) {
  AffineExpr m, n;
  bindDims(context, m, n);
  return {AffineMap::get(2, 0, {m, n}, context),
          AffineMap::get(2, 0, {n}, context)};
}

Value lowbit::matchBiasAdd(linalg::GenericOp op, Value value) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 2 || op.getNumReductionLoops() != 0)
    return {};
  auto [identity, row] = getMatrixAndRowMaps(op.getContext());
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  int matrixIndex = op.getDpsInputs()[0] == value ? 0 : 1;
  if (op.getDpsInputs()[matrixIndex] != value ||
      maps[matrixIndex] != identity || maps[1 - matrixIndex] != row ||
      maps[2] != identity)
    return {};
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add || add->getBlock() != &body || body.getOperations().size() != 2)
    return {};
  Value a = body.getArgument(0), b = body.getArgument(1);
  if (!((add.getLhs() == a && add.getRhs() == b) ||
        (add.getLhs() == b && add.getRhs() == a)))
    return {};
  return op.getDpsInputs()[1 - matrixIndex];
}

bool lowbit::isElementwise(linalg::GenericOp op) {
  return op.getNumResults() == 1 &&
         op.getNumParallelLoops() == op.getNumLoops() &&
         op.getIndexingMapsArray().back().isIdentity();
}

bool lowbit::isRelu(linalg::GenericOp op) {
  if (!isElementwise(op) || op.getNumDpsInputs() != 1 ||
      !op.getIndexingMapsArray()[0].isIdentity())
    return false;
  Block &body = op.getRegion().front();
  Value x = body.getArgument(0);
  Value result = cast<linalg::YieldOp>(body.getTerminator()).getValues()[0];
  auto isZero = [](Value v) { return matchPattern(v, m_AnyZeroFloat()); };
  Operation *def = result.getDefiningOp();
  if (!def || def->getBlock() != &body)
    return false;
  if (isa<arith::MaximumFOp, arith::MaxNumFOp>(def))
    return (def->getOperand(0) == x && isZero(def->getOperand(1))) ||
           (def->getOperand(1) == x && isZero(def->getOperand(0)));
  auto select = dyn_cast<arith::SelectOp>(def);
  if (!select || select.getTrueValue() != x || !isZero(select.getFalseValue()))
    return false;
  auto compare = select.getCondition().getDefiningOp<arith::CmpFOp>();
  if (!compare || compare.getLhs() != x || !isZero(compare.getRhs()))
    return false;
  return compare.getPredicate() == arith::CmpFPredicate::OGT ||
         compare.getPredicate() == arith::CmpFPredicate::UGT;
}

bool lowbit::isComputedFromConstants(Value value) {
  SmallVector<Value> worklist{value};
  DenseSet<Value> seen;
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    Operation *def = v.getDefiningOp();
    if (!def)
      return false; // a block argument
    if (def->hasTrait<OpTrait::ConstantLike>() || isa<tensor::EmptyOp>(def))
      continue;
    if (!isa<linalg::LinalgOp>(def) &&
        !isa<tensor::TensorDialect, LowbitDialect>(def->getDialect()))
      return false;
    for (Value operand : def->getOperands())
      worklist.push_back(operand);
  }
  return true;
}

std::optional<std::vector<float>> lowbit::getConstantFloats(Value value) {
  ElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)) ||
      !fitsConstantLimit(cast<ShapedType>(attr.getType())))
    return std::nullopt;
  FailureOr<std::vector<float>> values = readFloats(attr);
  if (failed(values))
    return std::nullopt;
  return *values;
}

//===- RunObserved.cpp - run a model and read its observed tensors --------===//
//
// The part of the calibration runner that activation statistics
// (Calibrate.cpp) and layer input statistics (LayerStatistics.cpp) share:
// compile a variant of the model that returns every observed tensor and run
// it over the samples.
//
//===----------------------------------------------------------------------===//

#include "RunObserved.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace lowbit;

FailureOr<func::FuncOp>
lowbit::detail::findEntry(ModuleOp module, StringRef name, std::string &error) {
  func::FuncOp entry;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || !func.isPublic())
      continue;
    if (!name.empty() && func.getSymName() != name)
      continue;
    if (entry) {
      error = "the module has several public functions; name the one to "
              "calibrate";
      return failure();
    }
    entry = func;
  }
  if (!entry) {
    error = name.empty() ? "the module has no public function"
                         : "the module has no public function @" + name.str();
    return failure();
  }
  auto type = entry.getFunctionType();
  auto input = type.getNumInputs() == 1
                   ? dyn_cast<RankedTensorType>(type.getInput(0))
                   : RankedTensorType();
  if (!input || !input.hasStaticShape() ||
      !(input.getElementType().isF32() ||
        input.getElementType().isSignlessInteger(32))) {
    error = "calibration runs functions of one static f32 (or i32 token id) "
            "tensor argument; @" +
            entry.getSymName().str() + " has type " + [&] {
              std::string text;
              llvm::raw_string_ostream os(text);
              os << type;
              return text;
            }();
    return failure();
  }
  return entry;
}

FailureOr<SmallVector<ObserveOp>>
lowbit::detail::sortedObservers(func::FuncOp func, std::string &error) {
  SmallVector<ObserveOp> observes;
  func.walk([&](ObserveOp op) { observes.push_back(op); });
  llvm::sort(observes,
             [](ObserveOp a, ObserveOp b) { return a.getId() < b.getId(); });
  if (observes.empty()) {
    error = "@" + func.getSymName().str() +
            " has no observers (run lowbit-insert-observers)";
    return failure();
  }
  for (auto [i, op] : llvm::enumerate(observes)) {
    if (i > 0 && observes[i - 1].getId() == op.getId()) {
      error = "two observers have id " + std::to_string(op.getId());
      return failure();
    }
    RankedTensorType type = op.getType();
    if (!type.hasStaticShape() || type.getRank() == 0 ||
        !type.getElementType().isF32()) {
      error = "observer " + std::to_string(op.getId()) +
              " needs a static f32 tensor of rank >= 1";
      return failure();
    }
  }
  return observes;
}

LogicalResult lowbit::detail::runObserved(
    ModuleOp module, func::FuncOp entry, SampleSource &samples,
    const JitOptions &jitOptions, int passes,
    function_ref<void(int pass)> startPass,
    function_ref<void(int pass, ArrayRef<float> observed)> visit,
    std::string &error) {
  // The variant that returns every observed tensor, flattened into one
  // buffer in id order.
  std::string name = entry.getSymName().str();
  OwningOpRef<ModuleOp> clone = module.clone();
  auto func = clone->lookupSymbol<func::FuncOp>(name);
  FailureOr<SmallVector<ObserveOp>> sorted = sortedObservers(func, error);
  if (failed(sorted))
    return failure();
  SmallVector<ObserveOp> &observes = *sorted;
  SmallVector<int64_t> offsets;
  int64_t total = 0;
  for (ObserveOp op : observes) {
    offsets.push_back(total);
    total += op.getType().getNumElements();
  }
  auto returnOp = cast<func::ReturnOp>(func.getBody().back().getTerminator());
  OpBuilder b(returnOp);
  Location loc = func.getLoc();
  auto bufferType = RankedTensorType::get({total}, b.getF32Type());
  Value buffer =
      tensor::EmptyOp::create(b, loc, bufferType.getShape(), b.getF32Type());
  for (auto [op, offset] : llvm::zip(observes, offsets)) {
    Value value = op.getInput();
    RankedTensorType type = op.getType();
    ReassociationIndices all;
    for (int64_t d = 0; d < type.getRank(); ++d)
      all.push_back(d);
    Value flat = type.getRank() == 1
                     ? value
                     : Value(tensor::CollapseShapeOp::create(
                           b, loc, value, ArrayRef<ReassociationIndices>{all}));
    buffer = tensor::InsertSliceOp::create(
        b, loc, flat, buffer, ArrayRef<OpFoldResult>{b.getIndexAttr(offset)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(type.getNumElements())},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
    op.replaceAllUsesWith(op.getInput());
    op.erase();
  }
  func::ReturnOp::create(b, loc, buffer);
  returnOp.erase();
  func.setFunctionType(b.getFunctionType(func.getArgumentTypes(), bufferType));

  std::string source;
  llvm::raw_string_ostream os(source);
  clone->print(os);
  MLIRContext context;
  std::string jitError;
  auto jit = compileForHost(context, source, jitError, jitOptions);
  if (failed(jit)) {
    error = "cannot compile the model for calibration: " + jitError;
    return failure();
  }
  using Entry = int(const void *, float *);
  auto *run = (*jit)->lookupAs<Entry>("lowbit_" + name);
  if (!run) {
    error = "the compiled model has no entry point lowbit_" + name;
    return failure();
  }

  auto inputType = cast<RankedTensorType>(entry.getArgumentTypes()[0]);
  bool tokenIds = inputType.getElementType().isSignlessInteger(32);
  if (tokenIds != samples.hasTokenIds()) {
    error = tokenIds ? "the model takes token ids (i32): calibrate it on text "
                       "samples"
                     : "text samples are token ids: the model input must be "
                       "i32";
    return failure();
  }
  std::vector<float> input(inputType.getNumElements()), observed(total);
  std::vector<int32_t> tokens(tokenIds ? inputType.getNumElements() : 0);
  for (int pass = 0; pass < passes; ++pass) {
    startPass(pass);
    for (int64_t s = 0; s < samples.size(); ++s) {
      if (failed(tokenIds ? samples.readTokens(s, tokens, error)
                          : samples.read(s, input, error)))
        return failure();
      const void *in = tokenIds ? static_cast<const void *>(tokens.data())
                                : static_cast<const void *>(input.data());
      if (run(in, observed.data()) != 0) {
        error = "the model failed on sample " + std::to_string(s);
        return failure();
      }
      visit(pass, observed);
    }
  }
  return success();
}

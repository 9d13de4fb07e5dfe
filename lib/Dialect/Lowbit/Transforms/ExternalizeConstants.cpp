//===- ExternalizeConstants.cpp - weights passed in by the caller ---------===//
//
// A compiled model keeps its constants in the object's read-only data: on
// 4 KiB pages, inside the object file, one weight set per binary. This pass
// moves them into one buffer the caller loads (a weights file) and passes to
// every entry point, the way lowbit-plan-workspace threads the workspace.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/ExternalWeights.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SetVector.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITEXTERNALIZECONSTANTS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;
namespace numerics = lowbit::numerics;

std::optional<ArrayRef<uint8_t>>
lowbit::getConstantData(Attribute value, Type elementType, int64_t numElements,
                        std::vector<uint8_t> &storage, std::string &why) {
  if (!elementType.isIntOrFloat() || elementType.isIndex() ||
      elementType.getIntOrFloatBitWidth() % 8 != 0) {
    why = "elements are not whole bytes";
    return std::nullopt;
  }
  uint64_t bytes = numElements * (elementType.getIntOrFloatBitWidth() / 8);
  ArrayRef<char> raw;
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    raw = dense.getRawData();
    if (dense.isSplat()) {
      storage.resize(bytes);
      for (uint64_t at = 0; at < bytes; at += raw.size())
        std::copy(raw.begin(), raw.end(), storage.begin() + at);
      return ArrayRef<uint8_t>(storage);
    }
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      raw = blob->getData();
  } else {
    why = "its value is not dense";
    return std::nullopt;
  }
  if (raw.size() != bytes) {
    why = "its value has " + std::to_string(raw.size()) + " bytes, not " +
          std::to_string(bytes);
    return std::nullopt;
  }
  return ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(raw.data()),
                           raw.size());
}

std::optional<ExternalWeights> lowbit::getExternalWeights(ModuleOp module) {
  auto attr = module->getAttrOfType<DictionaryAttr>(kExternalWeightsAttrName);
  if (!attr)
    return std::nullopt;
  auto size = attr.getAs<IntegerAttr>("size");
  auto fingerprint = attr.getAs<IntegerAttr>("fingerprint");
  auto offsets = attr.getAs<DenseI64ArrayAttr>("offsets");
  auto constants = attr.getAs<ArrayAttr>("constants");
  if (!size || !fingerprint || !offsets || !constants ||
      offsets.size() != static_cast<int64_t>(constants.size()))
    return std::nullopt;
  ExternalWeights weights;
  weights.total = size.getValue().getZExtValue();
  weights.fingerprint = fingerprint.getValue().getZExtValue();
  weights.storage.reserve(constants.size());
  for (auto [offset, constant] : llvm::zip(offsets.asArrayRef(), constants)) {
    auto elements = dyn_cast<ElementsAttr>(constant);
    if (!elements)
      return std::nullopt;
    std::string why;
    weights.storage.emplace_back();
    std::optional<ArrayRef<uint8_t>> data =
        getConstantData(elements, elements.getElementType(),
                        elements.getNumElements(), weights.storage.back(), why);
    if (!data)
      return std::nullopt;
    weights.chunks.push_back(
        {static_cast<uint64_t>(offset), data->data(), data->size()});
  }
  return weights;
}

namespace {

/// A constant global the file holds, with its bytes.
struct Constant {
  memref::GlobalOp global;
  ArrayRef<uint8_t> data;
  uint64_t offset = 0;
};

/// The checks of numerics::checkWeights on the loaded file (`weights`,
/// `size` bytes); the size is compared first, so nothing is read from a
/// buffer shorter than the object expects.
Value buildCheck(OpBuilder &builder, Location loc, Value weights, Value size,
                 uint64_t total, uint64_t fingerprint) {
  auto i64 = builder.getI64Type();
  auto constant = [&](uint64_t value) -> Value {
    return arith::ConstantOp::create(
        builder, loc, builder.getI64IntegerAttr(static_cast<int64_t>(value)));
  };
  auto code = [&](numerics::WeightsCheck check) -> Value {
    return arith::ConstantOp::create(
        builder, loc, builder.getI32IntegerAttr(static_cast<int>(check)));
  };
  Value wrongSize = arith::CmpIOp::create(
      builder, loc, arith::CmpIPredicate::ne, size, constant(total));
  // The kernels' loads assume the 64-byte alignment of every constant.
  Value address =
      memref::ExtractAlignedPointerAsIndexOp::create(builder, loc, weights);
  Value misaligned = arith::CmpIOp::create(
      builder, loc, arith::CmpIPredicate::ne,
      arith::RemUIOp::create(
          builder, loc, address,
          arith::ConstantIndexOp::create(builder, loc,
                                         numerics::kWeightsAlignment)),
      arith::ConstantIndexOp::create(builder, loc, 0));
  auto ifOp = scf::IfOp::create(
      builder, loc, builder.getI32Type(),
      arith::OrIOp::create(builder, loc, wrongSize, misaligned),
      /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(ifOp.thenBlock());
  scf::YieldOp::create(
      builder, loc,
      ValueRange{arith::SelectOp::create(
          builder, loc, misaligned, code(numerics::WeightsCheck::Misaligned),
          code(numerics::WeightsCheck::WrongSize))});

  builder.setInsertionPointToStart(ifOp.elseBlock());
  auto wordsType = MemRefType::get({static_cast<int64_t>(total / 8)}, i64);
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  Value words = memref::ViewOp::create(builder, loc, wordsType, weights, zero,
                                       ValueRange());
  auto word = [&](int64_t index) -> Value {
    return memref::LoadOp::create(
        builder, loc, words,
        ValueRange{arith::ConstantIndexOp::create(builder, loc, index)});
  };
  Value magic = word(0), version = word(1), header = word(2),
        expected = word(3);
  // The content folded word by word, as numerics::WeightsFingerprint does.
  auto loop = scf::ForOp::create(
      builder, loc,
      arith::ConstantIndexOp::create(builder, loc,
                                     numerics::kWeightsHeaderBytes / 8),
      arith::ConstantIndexOp::create(builder, loc, total / 8),
      arith::ConstantIndexOp::create(builder, loc, 1),
      ValueRange{constant(numerics::kFingerprintBasis)},
      [&](OpBuilder &b, Location l, Value i, ValueRange state) {
        Value w = memref::LoadOp::create(b, l, words, ValueRange{i});
        Value mixed = arith::XOrIOp::create(b, l, state[0], w);
        Value next = arith::MulIOp::create(
            b, l, mixed,
            arith::ConstantOp::create(b, l,
                                      b.getI64IntegerAttr(static_cast<int64_t>(
                                          numerics::kFingerprintPrime))));
        scf::YieldOp::create(b, l, next);
      });
  // The first failing check wins: build the selects from the last one.
  std::pair<Value, numerics::WeightsCheck> checks[] = {
      {magic, numerics::WeightsCheck::NotWeights},
      {version, numerics::WeightsCheck::WrongVersion},
      {header, numerics::WeightsCheck::WrongSize},
      {expected, numerics::WeightsCheck::OtherModel},
      {loop.getResult(0), numerics::WeightsCheck::Corrupted}};
  uint64_t wanted[] = {numerics::kWeightsMagic, numerics::kWeightsVersionWord,
                       total, fingerprint, fingerprint};
  Value result = code(numerics::WeightsCheck::Ok);
  for (int i = 4; i >= 0; --i) {
    Value differs =
        arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ne,
                              checks[i].first, constant(wanted[i]));
    result = arith::SelectOp::create(builder, loc, differs,
                                     code(checks[i].second), result);
  }
  scf::YieldOp::create(builder, loc, result);
  return ifOp.getResult(0);
}

struct LowbitExternalizeConstantsPass
    : public lowbit::impl::LowbitExternalizeConstantsBase<
          LowbitExternalizeConstantsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    SymbolTable symbols(module);

    // The constants and their place in the file.
    SmallVector<Constant> constants;
    std::vector<std::vector<uint8_t>> storage;
    for (auto global : module.getOps<memref::GlobalOp>()) {
      if (!global.getConstant() || !global.getInitialValue())
        continue;
      FailureOr<ArrayRef<uint8_t>> data = getData(global, storage);
      if (failed(data))
        return signalPassFailure();
      constants.push_back({global, *data, 0});
    }
    std::vector<uint64_t> sizes;
    for (const Constant &constant : constants)
      sizes.push_back(constant.data.size());
    uint64_t total = 0;
    std::vector<uint64_t> offsets = numerics::layoutWeights(sizes, total);
    std::vector<numerics::WeightsChunk> chunks;
    for (auto [constant, offset] : llvm::zip(constants, offsets)) {
      constant.offset = offset;
      chunks.push_back({offset, constant.data.data(), constant.data.size()});
    }
    uint64_t fingerprint = numerics::fingerprintWeights(chunks, total);
    auto weightsType = MemRefType::get({static_cast<int64_t>(total)},
                                       IntegerType::get(context, 8));

    // Functions that read a constant, the entry points, and their callers.
    DenseMap<StringAttr, uint64_t> offsetOf;
    for (Constant &constant : constants)
      offsetOf[constant.global.getSymNameAttr()] = constant.offset;
    llvm::SetVector<func::FuncOp> readers;
    SmallVector<func::FuncOp> entries;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func->hasAttr("lowbit.entry_point") && !func.isExternal()) {
        entries.push_back(func);
        readers.insert(func);
      }
      func.walk([&](memref::GetGlobalOp get) {
        if (offsetOf.contains(get.getNameAttr().getAttr()))
          readers.insert(func);
      });
    }
    for (bool grew = true; grew;) {
      grew = false;
      for (auto func : module.getOps<func::FuncOp>())
        if (!readers.contains(func))
          func.walk([&](func::CallOp call) {
            auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
            if (callee && readers.contains(callee) && readers.insert(func))
              grew = true;
          });
    }

    for (func::FuncOp entry : entries)
      for (StringRef suffix : {"_weights_size", "_check_weights"})
        if (symbols.lookup((entry.getSymName() + suffix).str())) {
          entry.emitError() << "cannot externalize the constants of @"
                            << entry.getSymName() << ": a symbol named @"
                            << entry.getSymName() << suffix << " exists";
          return signalPassFailure();
        }

    for (func::FuncOp func : readers)
      if (failed(threadWeights(func, weightsType, offsetOf, readers, symbols)))
        return signalPassFailure();
    SmallVector<Attribute> values;
    SmallVector<int64_t> attrOffsets;
    for (Constant &constant : constants) {
      values.push_back(*constant.global.getInitialValue());
      attrOffsets.push_back(static_cast<int64_t>(constant.offset));
      constant.global.erase();
    }
    for (func::FuncOp entry : entries)
      addQueries(entry, weightsType, total, fingerprint, symbols);

    // The values were the globals' own attributes: they live in the context.
    Builder builder(context);
    module->setAttr(
        kExternalWeightsAttrName,
        builder.getDictionaryAttr(
            {builder.getNamedAttr("size", builder.getI64IntegerAttr(total)),
             builder.getNamedAttr(
                 "fingerprint",
                 builder.getI64IntegerAttr(static_cast<int64_t>(fingerprint))),
             builder.getNamedAttr("offsets",
                                  builder.getDenseI64ArrayAttr(attrOffsets)),
             builder.getNamedAttr("constants", builder.getArrayAttr(values))}));
  }

  /// The global's bytes, or an error at the global saying why there are
  /// none the file could hold.
  FailureOr<ArrayRef<uint8_t>>
  getData(memref::GlobalOp global, std::vector<std::vector<uint8_t>> &storage) {
    MemRefType type = global.getType();
    std::string why;
    std::optional<ArrayRef<uint8_t>> data;
    if (!type.hasStaticShape())
      why = "its shape is not static";
    else if (!type.getLayout().isIdentity())
      why = "its layout is not the identity";
    else {
      storage.emplace_back();
      data = getConstantData(*global.getInitialValue(), type.getElementType(),
                             type.getNumElements(), storage.back(), why);
    }
    if (!data) {
      global.emitError() << "cannot externalize constant @"
                         << global.getSymName() << " of type " << type << ": "
                         << why;
      return failure();
    }
    return *data;
  }

  /// Gives `func` the weights as its first argument: its reads of constants
  /// become views of it, and its calls of other readers pass it on.
  LogicalResult threadWeights(func::FuncOp func, MemRefType weightsType,
                              const DenseMap<StringAttr, uint64_t> &offsetOf,
                              const llvm::SetVector<func::FuncOp> &readers,
                              SymbolTable &symbols) {
    if (failed(func.insertArgument(0, weightsType, DictionaryAttr(),
                                   func.getLoc())))
      return failure();
    Value weights = func.getArgument(0);
    WalkResult result = func.walk([&](Operation *op) {
      if (auto get = dyn_cast<memref::GetGlobalOp>(op)) {
        auto found = offsetOf.find(get.getNameAttr().getAttr());
        if (found == offsetOf.end())
          return WalkResult::advance();
        if (op->getParentWithTrait<OpTrait::IsIsolatedFromAbove>() != func) {
          get.emitError() << "cannot externalize the read of @" << get.getName()
                          << ": it is inside an op isolated from above";
          return WalkResult::interrupt();
        }
        OpBuilder builder(get);
        Value offset = arith::ConstantIndexOp::create(
            builder, get.getLoc(), static_cast<int64_t>(found->second));
        Value view =
            memref::ViewOp::create(builder, get.getLoc(), get.getType(),
                                   weights, offset, ValueRange());
        get.replaceAllUsesWith(view);
        get.erase();
        return WalkResult::skip();
      }
      if (auto call = dyn_cast<func::CallOp>(op)) {
        auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
        if (!callee || !readers.contains(callee))
          return WalkResult::advance();
        SmallVector<Value> operands{weights};
        llvm::append_range(operands, call.getOperands());
        OpBuilder builder(call);
        auto replacement =
            func::CallOp::create(builder, call.getLoc(), call.getCallee(),
                                 call.getResultTypes(), operands);
        replacement->setDiscardableAttrs(call->getDiscardableAttrDictionary());
        call.replaceAllUsesWith(replacement.getResults());
        call.erase();
        return WalkResult::skip();
      }
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }

  /// NAME_weights_size() -> i64 and NAME_check_weights(weights, size) -> i32.
  void addQueries(func::FuncOp entry, MemRefType weightsType, uint64_t total,
                  uint64_t fingerprint, SymbolTable &symbols) {
    OpBuilder builder(entry);
    builder.setInsertionPointAfter(entry);
    Location loc = entry.getLoc();
    std::string name = entry.getSymName().str();
    auto sizeQuery =
        func::FuncOp::create(builder, loc, name + "_weights_size",
                             builder.getFunctionType({}, builder.getI64Type()));
    builder.setInsertionPointToStart(sizeQuery.addEntryBlock());
    func::ReturnOp::create(
        builder, loc,
        ValueRange{arith::ConstantOp::create(
            builder, loc,
            builder.getI64IntegerAttr(static_cast<int64_t>(total)))});
    symbols.insert(sizeQuery);

    builder.setInsertionPointAfter(sizeQuery);
    auto check = func::FuncOp::create(
        builder, loc, name + "_check_weights",
        builder.getFunctionType({weightsType, builder.getI64Type()},
                                builder.getI32Type()));
    Block *body = check.addEntryBlock();
    builder.setInsertionPointToStart(body);
    Value code = buildCheck(builder, loc, body->getArgument(0),
                            body->getArgument(1), total, fingerprint);
    func::ReturnOp::create(builder, loc, code);
    symbols.insert(check);
  }
};

} // namespace

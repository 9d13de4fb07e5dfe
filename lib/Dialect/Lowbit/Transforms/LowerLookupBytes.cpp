//===- LowerLookupBytes.cpp - lowbit.lookup_bytes to byte shuffles --------===//
//
// x86 vpshufb (SSSE3 per 16 bytes, AVX2 per 32, AVX512BW per 64), AArch64
// tbl per 16 bytes, otherwise compares and selects that any target runs.
// Whole 128-byte tables: AVX512-VBMI vpermi2b per 64 bytes of indices, or
// compares and selects.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSwitch.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITLOWERLOOKUPBYTES
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

enum class ByteLookup { Generic, Ssse3, Avx2, Avx512bw, Avx512vbmi, Neon };

struct LowerLookupBytes : public OpRewritePattern<LookupBytesOp> {
  LowerLookupBytes(MLIRContext *context, ByteLookup isa)
      : OpRewritePattern(context), isa(isa) {}
  ByteLookup isa;

  /// The widest chunk one instruction takes, and its intrinsic.
  std::pair<int64_t, StringRef> getInstruction(int64_t bytes) const {
    bool avx512 = isa == ByteLookup::Avx512bw || isa == ByteLookup::Avx512vbmi;
    if (avx512 && bytes % 64 == 0)
      return {64, "llvm.x86.avx512.pshuf.b.512"};
    if ((avx512 || isa == ByteLookup::Avx2) && bytes % 32 == 0)
      return {32, "llvm.x86.avx2.pshuf.b"};
    if (isa == ByteLookup::Neon)
      return {16, "llvm.aarch64.neon.tbl1.v16i8"};
    if (isa != ByteLookup::Generic)
      return {16, "llvm.x86.ssse3.pshuf.b.128"};
    return {0, ""};
  }

  /// Whole 128-byte tables: vpermi2b reads the low 7 bits of each index
  /// from its two 64-byte table operands; elsewhere 128 compares and
  /// selects against each entry broadcast.
  Value lookUpWholeTable(LookupBytesOp op, PatternRewriter &rewriter) const {
    Location loc = op.getLoc();
    VectorType type = op.getType();
    int64_t bytes = type.getNumElements();
    Value table = op.getTable();
    if (isa == ByteLookup::Avx512vbmi && bytes % 64 == 0) {
      auto half = VectorType::get({64}, rewriter.getI8Type());
      Value low = vector::ExtractStridedSliceOp::create(rewriter, loc, table,
                                                        {0}, {64}, {1});
      Value high = vector::ExtractStridedSliceOp::create(rewriter, loc, table,
                                                         {64}, {64}, {1});
      Value result = op.getIndices();
      for (int64_t offset = 0; offset < bytes; offset += 64) {
        Value indices = bytes == 64 ? op.getIndices()
                                    : vector::ExtractStridedSliceOp::create(
                                          rewriter, loc, op.getIndices(),
                                          {offset}, {64}, {1});
        Value part =
            LLVM::CallIntrinsicOp::create(
                rewriter, loc, half,
                rewriter.getStringAttr("llvm.x86.avx512.vpermi2var.qi.512"),
                ValueRange{low, indices, high})
                .getResult(0);
        result = bytes == 64 ? part
                             : vector::InsertStridedSliceOp::create(
                                   rewriter, loc, part, result, {offset}, {1})
                                   .getResult();
      }
      return result;
    }
    Value result =
        arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(type));
    for (int64_t entry = 0; entry < 128; ++entry) {
      Value value = vector::BroadcastOp::create(
          rewriter, loc, type,
          vector::ExtractOp::create(rewriter, loc, table, entry));
      result = select(rewriter, loc, op.getIndices(), entry, value, result);
    }
    return result;
  }

  /// `value` where `indices` equals `entry`, `otherwise` elsewhere.
  static Value select(PatternRewriter &rewriter, Location loc, Value indices,
                      int64_t entry, Value value, Value otherwise) {
    auto type = cast<VectorType>(indices.getType());
    Value index = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(
            type, rewriter.getIntegerAttr(rewriter.getI8Type(), entry)));
    Value hit = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                      indices, index);
    return arith::SelectOp::create(rewriter, loc, hit, value, otherwise);
  }

  LogicalResult matchAndRewrite(LookupBytesOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    VectorType type = op.getType();
    int64_t bytes = type.getNumElements();
    if (op.isWholeTable()) {
      rewriter.replaceOp(op, lookUpWholeTable(op, rewriter));
      return success();
    }
    int64_t chunk;
    StringRef intrinsic;
    std::tie(chunk, intrinsic) = getInstruction(bytes);
    if (chunk > 0) {
      auto chunkType = VectorType::get({chunk}, rewriter.getI8Type());
      Value result = op.getTable();
      for (int64_t offset = 0; offset < bytes; offset += chunk) {
        auto slice = [&](Value v) -> Value {
          if (chunk == bytes)
            return v;
          return vector::ExtractStridedSliceOp::create(rewriter, loc, v,
                                                       {offset}, {chunk}, {1});
        };
        Value part = LLVM::CallIntrinsicOp::create(
                         rewriter, loc, chunkType,
                         rewriter.getStringAttr(intrinsic),
                         ValueRange{slice(op.getTable()),
                                    slice(op.getIndices())})
                         .getResult(0);
        result = chunk == bytes ? part
                                : vector::InsertStridedSliceOp::create(
                                      rewriter, loc, part, result, {offset},
                                      {1})
                                      .getResult();
      }
      rewriter.replaceOp(op, result);
      return success();
    }
    // Portable: entry e of every lane broadcast over the lane, selected
    // where the index is e.
    Value result = arith::ConstantOp::create(rewriter, loc,
                                             rewriter.getZeroAttr(type));
    for (int64_t entry = 0; entry < 16; ++entry) {
      SmallVector<int64_t> spread;
      for (int64_t i = 0; i < bytes; ++i)
        spread.push_back(i / 16 * 16 + entry);
      Value values = vector::ShuffleOp::create(rewriter, loc, op.getTable(),
                                               op.getTable(), spread);
      result = select(rewriter, loc, op.getIndices(), entry, values, result);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowbitLowerLookupBytesPass
    : public lowbit::impl::LowbitLowerLookupBytesBase<
          LowbitLowerLookupBytesPass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<ByteLookup> parsed =
        llvm::StringSwitch<std::optional<ByteLookup>>(isa)
            .Case("generic", ByteLookup::Generic)
            .Case("ssse3", ByteLookup::Ssse3)
            .Case("avx2", ByteLookup::Avx2)
            .Case("avx512bw", ByteLookup::Avx512bw)
            .Case("avx512vbmi", ByteLookup::Avx512vbmi)
            .Case("neon", ByteLookup::Neon)
            .Default(std::nullopt);
    if (!parsed) {
      getOperation()->emitError()
          << "unknown isa '" << isa
          << "' (expected generic, ssse3, avx2, avx512bw, avx512vbmi or neon)";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerLookupBytes>(&getContext(), *parsed);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

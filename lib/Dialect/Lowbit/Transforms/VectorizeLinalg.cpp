//===- VectorizeLinalg.cpp - upstream linalg vectorization for models -----===//
//
// The float parts of a model (convolutions, pooling, fp32 matmuls,
// elementwise ops) through upstream MLIR: constant weight transposes are
// folded at compile time, convolutions and pooling are tiled to one output
// row and decomposed to their 1-D forms, everything is tiled (by divisors
// of its loops, so tiles stay static) to keep vectors register-sized, and
// linalg::vectorize turns each tile into vector ops.
//
//===----------------------------------------------------------------------===//

#include "Parallel.h"
#include "lowbit/Dialect/Lowbit/IR/ConstantData.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITVECTORIZELINALG
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// Lanes of an f32 tile along the innermost dimension.
constexpr int64_t kLanes = 16;

bool hasStaticShapes(linalg::LinalgOp op) {
  return llvm::all_of(op->getOperandTypes(), [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return !shaped || shaped.hasStaticShape();
  });
}

/// The largest divisor of `range` that is at most `cap`: tiles that divide
/// their loop keep every tile static (the vectorizer's masks for partial
/// tiles are not reliable for transposed reads).
int64_t divisorTile(int64_t range, int64_t cap) {
  for (int64_t size = std::min(range, cap); size > 1; --size)
    if (range % size == 0)
      return size;
  return 1;
}

/// Tile sizes for `op` (0 = untiled), or nothing to leave it alone.
std::optional<SmallVector<int64_t>> getTileSizes(linalg::LinalgOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // One output row and one kernel row at a time: the tile is a 1-D
  // convolution (or pooling) that vectorizes.
  if (isa<linalg::Conv2DNchwFchwOp>(op)) // n, f, oh, ow, c, kh, kw
    return SmallVector<int64_t>{1, 0, 1, 0, 0, 1, 0};
  if (isa<linalg::PoolingNchwSumOp, linalg::PoolingNchwMaxOp>(op))
    return SmallVector<int64_t>{1, 0, 1, 0, 1, 0}; // n, c, oh, ow, kh, kw
  // Up to 8 rows share each weight row: 8 x 16 accumulators per k.
  if (isa<linalg::MatmulOp>(op)) // m, n, k
    return SmallVector<int64_t>{divisorTile(ranges[0], 8),
                                divisorTile(ranges[1], kLanes),
                                divisorTile(ranges[2], kLanes)};
  // Attention's products: one batch (head) at a time, then as a matmul.
  if (isa<linalg::BatchMatmulOp>(op)) // b, m, n, k
    return SmallVector<int64_t>{1, divisorTile(ranges[1], 8),
                                divisorTile(ranges[2], kLanes),
                                divisorTile(ranges[3], kLanes)};
  // Row reductions split by splitRowReduction: one row at a time, the
  // reduction loop whole (up to 64 x 16 elements), its 16 parallel lanes
  // innermost; the combining step (16 lanes to one) likewise.
  if (op.getNumReductionLoops() != 0) {
    if (ranges.empty() || !isa<linalg::GenericOp>(op))
      return std::nullopt;
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    SmallVector<int64_t> sizes(ranges.size(), 1);
    int64_t elements = 1;
    for (int64_t d = ranges.size() - 1; d >= 0; --d) {
      bool innermostParallel = d == static_cast<int64_t>(ranges.size()) - 1 &&
                               iterators[d] == utils::IteratorType::parallel;
      if (iterators[d] == utils::IteratorType::reduction || innermostParallel) {
        sizes[d] = divisorTile(ranges[d], 1024 / elements);
        elements *= sizes[d];
        if (sizes[d] == ranges[d])
          sizes[d] = 0;
      }
    }
    return sizes;
  }
  if (ranges.empty())
    return std::nullopt;
  // Elementwise, fill, broadcast, transpose: rows of the innermost dim.
  SmallVector<int64_t> sizes(ranges.size(), 1);
  sizes.back() = ranges.back() <= 4 * kLanes
                     ? 0
                     : divisorTile(ranges.back(), 4 * kLanes);
  return sizes;
}

/// How an op is split across threads: loop `dim` in chunks of `chunk`
/// iterations.
struct ParallelSplit {
  unsigned dim;
  int64_t chunk;
};

/// The split of `op` (tiled by `sizes` within each chunk), if it is worth a
/// fork: the outermost parallel loop that `sizes` tiles (else the outermost
/// parallel one) with at least two tiles, cut into at most
/// kMaxParallelChunks chunks of whole tiles that divide the loop, so that
/// every chunk's tiles are the serial kernel's.
std::optional<ParallelSplit> getParallelSplit(linalg::LinalgOp op,
                                              ArrayRef<int64_t> sizes) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t work = 1;
  for (int64_t range : ranges)
    work *= range;
  // Elementwise iterations are cheaper than multiply-adds.
  int64_t threshold =
      op.getNumReductionLoops() == 0 ? 4 * kMinParallelWork : kMinParallelWork;
  if (work < threshold)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (bool tiledOnly : {true, false}) {
    for (auto [dim, range] : llvm::enumerate(ranges)) {
      if (iterators[dim] != utils::IteratorType::parallel ||
          (tiledOnly && sizes[dim] == 0))
        continue;
      int64_t tile = sizes[dim] == 0 ? 1 : sizes[dim];
      int64_t tiles = range / tile;
      if (tiles < 2)
        continue;
      // The most chunks (up to the cap) that divide the tiles evenly.
      int64_t chunks = divisorTile(tiles, kMaxParallelChunks);
      if (chunks < 2)
        continue;
      return ParallelSplit{unsigned(dim), tiles / chunks * tile};
    }
  }
  return std::nullopt;
}

/// The transpose of a constant (dense or dense_resource) as a constant:
/// weights stored [N, K] and used [K, N] are transposed once, here.
LogicalResult foldConstantTranspose(RewriterBase &rewriter,
                                    linalg::TransposeOp op) {
  ElementsAttr attr;
  if (!matchPattern(op.getInput(), m_Constant(&attr)))
    return failure();
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto resultType = cast<RankedTensorType>(op.getResult()[0].getType());
  if (!inputType.hasStaticShape() || !inputType.getElementType().isF32())
    return failure();
  FailureOr<std::vector<float>> values = readFloats(attr);
  if (failed(values))
    return failure();
  ArrayRef<int64_t> permutation = op.getPermutation();
  ArrayRef<int64_t> inShape = inputType.getShape();
  int64_t rank = inputType.getRank();
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    inStrides[d] = inStrides[d + 1] * inShape[d + 1];
  std::vector<float> transposed(values->size());
  SmallVector<int64_t> index(rank, 0); // in the result
  for (size_t flat = 0; flat < transposed.size(); ++flat) {
    int64_t source = 0;
    for (int64_t d = 0; d < rank; ++d)
      source += index[d] * inStrides[permutation[d]];
    transposed[flat] = (*values)[source];
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < resultType.getDimSize(d))
        break;
      index[d] = 0;
    }
  }
  rewriter.setInsertionPoint(op);
  ElementsAttr folded = makeFloatConstant(resultType, transposed,
                                          /*asResource=*/true,
                                          "lowbit_transposed");
  rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, resultType,
                                                 cast<TypedAttr>(folded));
  return success();
}

/// Whether every loop of `op` is parallel (elementwise, broadcast).
bool isAllParallel(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.getNumLoops() == linalgOp.getNumParallelLoops();
}

/// Elementwise chains (GELU's multiply, erf, add, multiply; a bias add
/// then a residual add) become one generic each, so that each element is
/// loaded and stored once instead of once per op (upstream elementwise
/// fusion). Only a producer whose one use is the consumer, both all
/// parallel, read element for element (not broadcast): fusing into a
/// reduction or a broadcast would recompute the producer per partial sum or
/// per broadcast element (LayerNorm's rsqrt once per element instead of per
/// row), and a producer with other users would be computed twice.
void fuseElementwiseChains(Operation *root) {
  RewritePatternSet patterns(root->getContext());
  linalg::populateElementwiseOpsFusionPatterns(patterns, [](OpOperand *fused) {
    Operation *producer = fused->get().getDefiningOp();
    auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
    return isa_and_nonnull<linalg::GenericOp>(producer) && consumer &&
           isAllParallel(producer) && isAllParallel(consumer) &&
           fused->get().hasOneUse() &&
           consumer.getMatchingIndexingMap(fused).isPermutation();
  });
  (void)applyPatternsGreedily(root, std::move(patterns));
}

/// Lanes of the partial sums of a split row reduction.
constexpr int64_t kReductionLanes = 16;

/// Splits a reduction over the innermost, contiguous dimension (a row sum or
/// maximum of softmax and normalization) into 16 interleaved partial
/// reductions (upstream linalg::splitReduction), so that vectorizing reduces
/// whole vectors lane by lane rather than one scalar after another; a second
/// op combines the 16 lanes.
void splitRowReduction(RewriterBase &rewriter, linalg::GenericOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (op.getNumReductionLoops() != 1 || ranges.empty() ||
      !op.hasPureTensorSemantics() || op.getNumDpsInits() != 1)
    return;
  int64_t innermost = ranges.size() - 1;
  if (op.getIteratorTypesArray()[innermost] != utils::IteratorType::reduction ||
      ranges[innermost] % kReductionLanes != 0 ||
      ranges[innermost] < 2 * kReductionLanes)
    return;
  // Every input reads the reduced dimension contiguously (innermost), or
  // not at all (a value broadcast along the row, such as LayerNorm's mean
  // in its variance).
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (!map.isProjectedPermutation())
      return;
    std::optional<unsigned> position =
        map.getResultPosition(rewriter.getAffineDimExpr(innermost));
    if (position && *position != map.getNumResults() - 1)
      return;
  }
  int64_t outputRank =
      cast<ShapedType>(op.getDpsInitOperand(0)->get().getType()).getRank();
  rewriter.setInsertionPoint(op);
  (void)linalg::splitReduction(rewriter, op, [&](linalg::LinalgOp) {
    return linalg::SplitReductionOptions{kReductionLanes,
                                         static_cast<unsigned>(outputRank),
                                         /*innerParallel=*/true};
  });
}

LogicalResult vectorizeTile(RewriterBase &rewriter, linalg::LinalgOp tile) {
  rewriter.setInsertionPoint(tile);
  Operation *op = tile;
  // 2-D convolutions and pooling of unit height become 1-D ones.
  if (isa<linalg::Conv2DNchwFchwOp, linalg::PoolingNchwSumOp,
          linalg::PoolingNchwMaxOp>(op)) {
    RewritePatternSet patterns(op->getContext());
    linalg::populateDecomposeConvolutionPatterns(patterns);
    FrozenRewritePatternSet frozen(std::move(patterns));
    // Apply to this op only; the decomposition replaces it.
    Operation *decomposed = nullptr;
    Block *block = op->getBlock();
    auto before = std::prev(Block::iterator(op));
    bool atStart = Block::iterator(op) == block->begin();
    if (failed(applyOpPatternsGreedily({op}, frozen)))
      return failure();
    for (auto it = atStart ? block->begin() : std::next(before);
         it != block->end(); ++it)
      if (isa<linalg::Conv1DNcwFcwOp, linalg::PoolingNcwSumOp,
              linalg::PoolingNcwMaxOp>(&*it)) {
        decomposed = &*it;
        break;
      }
    if (!decomposed)
      return failure();
    op = decomposed;
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::VectorizationResult> result =
        linalg::vectorize(rewriter, op);
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, result->replacements);
    return success();
  }
  // Tiles divide their loops, so every tile is static.
  // tensor.extract in bodies (parameters, tables of the lowbit lowering):
  // uniform ones become broadcasts, others gathers.
  if (failed(linalg::vectorizeOpPrecondition(op, {}, {},
                                             /*vectorizeNDExtract=*/true)))
    return failure();
  // Contractions become vector.contract, which the LLVM lowering turns into
  // outer products: x[k] broadcast times a contiguous row of the weight.
  FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
      rewriter, op, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
      /*vectorizeNDExtract=*/true, /*flatten1DDepthwiseConv=*/false,
      /*assumeDynamicDimsMatchVecSizes=*/false,
      /*createNamedContraction=*/
      isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op));
  if (failed(result))
    return failure();
  rewriter.replaceOp(op, result->replacements);
  return success();
}

struct LowbitVectorizeLinalgPass
    : public lowbit::impl::LowbitVectorizeLinalgBase<LowbitVectorizeLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    Operation *root = getOperation();
    MLIRContext *context = &getContext();
    IRRewriter rewriter(context);

    // Inputs this pass and the lowering cannot compile are errors at the op,
    // not crashes: a constant larger than the limit once expanded (a small
    // splat may declare a huge shape; folding a transpose and the LLVM
    // global would expand it), and tensors without elements (upstream
    // tiling divides by their sizes).
    bool supported = true;
    root->walk([&](Operation *op) {
      // arith.constant values, lowbit.packed_weight payloads, ...
      for (NamedAttribute attr : op->getAttrs())
        if (auto elements = dyn_cast<ElementsAttr>(attr.getValue()))
          if (failed(checkConstantBytes(
                  op, cast<ShapedType>(elements.getType()), maxConstantBytes)))
            supported = false;
    });
    root->walk([&](linalg::LinalgOp op) {
      for (Value value : op->getOperands()) {
        auto type = dyn_cast<ShapedType>(value.getType());
        if (!type || !type.hasRank() || !llvm::is_contained(type.getShape(), 0))
          continue;
        op->emitOpError() << "has an operand of type " << type
                          << ", which has no elements (lowbit does not "
                             "compile tensors with a zero-sized dimension)";
        supported = false;
        return;
      }
    });
    if (!supported)
      return signalPassFailure();

    // Transposes of constants (weights) fold at compile time.
    SmallVector<linalg::TransposeOp> transposes;
    root->walk([&](linalg::TransposeOp op) { transposes.push_back(op); });
    for (linalg::TransposeOp op : transposes)
      (void)foldConstantTranspose(rewriter, op);

    // Aggregate ops (linalg.softmax) become the generics they stand for:
    // a row maximum, exp(x - max), a row sum and a division.
    SmallVector<linalg::AggregatedOpInterface> aggregates;
    root->walk(
        [&](linalg::AggregatedOpInterface op) { aggregates.push_back(op); });
    for (linalg::AggregatedOpInterface op : aggregates) {
      rewriter.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> values = op.decomposeOperation(rewriter);
      if (succeeded(values))
        rewriter.replaceOp(op, *values);
    }

    fuseElementwiseChains(root);

    SmallVector<linalg::GenericOp> reductions;
    root->walk([&](linalg::GenericOp op) {
      if (hasStaticShapes(op))
        reductions.push_back(op);
    });
    for (linalg::GenericOp op : reductions)
      splitRowReduction(rewriter, op);

    SmallVector<linalg::LinalgOp> ops;
    root->walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && hasStaticShapes(op))
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      std::optional<SmallVector<int64_t>> sizes = getTileSizes(op);
      if (!sizes)
        continue;
      rewriter.setInsertionPoint(op);
      auto tilingInterface = cast<TilingInterface>(op.getOperation());
      // Large ops: chunks of one loop across threads (scf.forall) first,
      // then each chunk tiled as the whole op would be.
      std::optional<ParallelSplit> split;
      if (parallel)
        split = getParallelSplit(op, *sizes);
      if (split) {
        SmallVector<int64_t> chunkSizes(sizes->size(), 0);
        chunkSizes[split->dim] = split->chunk;
        scf::SCFTilingOptions chunkOptions;
        chunkOptions.setTileSizes(getAsIndexOpFoldResult(context, chunkSizes));
        chunkOptions.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
        FailureOr<scf::SCFTilingResult> chunked =
            scf::tileUsingSCF(rewriter, tilingInterface, chunkOptions);
        if (succeeded(chunked) && chunked->tiledOps.size() == 1) {
          rewriter.replaceOp(op, chunked->replacements);
          tilingInterface = cast<TilingInterface>(chunked->tiledOps.front());
          rewriter.setInsertionPoint(tilingInterface);
        }
      }
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(context, *sizes));
      FailureOr<scf::SCFTilingResult> tiled =
          scf::tileUsingSCF(rewriter, tilingInterface, options);
      if (failed(tiled))
        continue;
      rewriter.replaceOp(tilingInterface, tiled->replacements);
      for (Operation *tile : tiled->tiledOps)
        if (auto linalgTile = dyn_cast<linalg::LinalgOp>(tile))
          (void)vectorizeTile(rewriter, linalgTile);
    }
  }
};

} // namespace

//===- ParallelRows.cpp - row-wise linalg ops as scf.forall tiles ---------===//
//
// See Passes.td. The tiles come from linalg's TilingInterface (scf.forall
// with tensor.parallel_insert_slice), so bufferization writes every tile in
// place into the op's output buffer.
//
//===----------------------------------------------------------------------===//
#include "wl/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"

namespace wl {
#define GEN_PASS_DEF_WLPARALLELROWS
#include "wl/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;

namespace {

/// Elementwise ops and row reductions: every loop parallel but trailing
/// reductions, the first one parallel, and, with reductions, every input
/// indexed by every parallel loop (so not a matrix product, scaled or not:
/// each factor there misses one of them).
bool isRowWise(linalg::GenericOp op) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (iterators.empty() || iterators.front() != utils::IteratorType::parallel)
    return false;
  unsigned parallelLoops =
      llvm::find(iterators, utils::IteratorType::reduction) - iterators.begin();
  for (utils::IteratorType it :
       ArrayRef<utils::IteratorType>(iterators).drop_front(parallelLoops))
    if (it != utils::IteratorType::reduction)
      return false; // a parallel loop inside a reduction
  if (parallelLoops == iterators.size())
    return true;
  for (OpOperand *input : op.getDpsInputOperands())
    for (unsigned d = 0; d < parallelLoops; ++d)
      if (!op.getMatchingIndexingMap(input).isFunctionOfDim(d))
        return false;
  return !linalg::isaContractionOpInterface(op);
}

/// Rows per tile such that a tile has at least `minElements` iterations, or
/// 0 when the op would be a single tile anyway.
int64_t rowsPerTile(linalg::GenericOp op, int64_t minElements) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t inner = 1;
  for (int64_t r : ArrayRef<int64_t>(ranges).drop_front())
    inner *= ShapedType::isDynamic(r) ? 1 : r;
  int64_t rows = std::max<int64_t>(1, (minElements + inner - 1) / inner);
  if (!ShapedType::isDynamic(ranges.front()) && ranges.front() <= rows)
    return 0;
  return rows;
}

/// Square tiles for an elementwise op reading an operand transposed (S − Sᵀ,
/// a mirrored triangle): a row tile would read its transposed operand down
/// whole columns, one cache line per element (LLVM gathers 16 at a time
/// from lines n floats apart, mostly out of L2 at n = 1024); a tile of
/// kTransposeTile² elements reads kTransposeTile lines, which stay in L1.
constexpr int64_t kTransposeTile = 64;

bool readsTransposed(linalg::GenericOp op) {
  if (op.getNumLoops() != 2 || op.getNumReductionLoops() != 0)
    return false;
  AffineMap transposed =
      AffineMap::getPermutationMap(ArrayRef<unsigned>{1, 0}, op.getContext());
  return llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *input) {
    return op.getMatchingIndexingMap(input) == transposed;
  });
}

bool insideParallelLoop(Operation *op) {
  return op->getParentOfType<scf::ForallOp>() ||
         op->getParentOfType<scf::ParallelOp>();
}

struct WLParallelRowsPass
    : public wl::impl::WLParallelRowsBase<WLParallelRowsPass> {
  using WLParallelRowsBase::WLParallelRowsBase;

  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, int64_t>> candidates;
    getOperation()->walk([&](linalg::GenericOp op) {
      // A product's epilogue runs inside its kernel, on every thread.
      if (!op.hasPureTensorSemantics() || insideParallelLoop(op) ||
          !isRowWise(op) || wl::isProductEpilogue(op))
        return;
      if (int64_t rows = rowsPerTile(op, minElements))
        candidates.push_back({op, rows});
    });
    IRRewriter rewriter(&getContext());
    for (auto [op, rows] : candidates) {
      SmallVector<OpFoldResult> tileSizes(op.getNumLoops(),
                                          rewriter.getIndexAttr(0));
      tileSizes.front() = rewriter.getIndexAttr(rows);
      if (readsTransposed(op))
        tileSizes.assign(2, rewriter.getIndexAttr(kTransposeTile));
      scf::SCFTilingOptions options;
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      options.setTileSizes(tileSizes);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled)) {
        op.emitError("could not tile a row-wise op into scf.forall");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, tiled->replacements);
    }
  }
};

} // namespace

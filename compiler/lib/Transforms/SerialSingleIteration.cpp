//===- SerialSingleIteration.cpp - no fork for one iteration --------------===//
//
// See Passes.td: `omp.parallel if(trips > 1)` around each worksharing loop
// nest, so a loop of a single row tile or panel runs on the calling thread.
//
//===----------------------------------------------------------------------===//
#include "wl/Transforms/Passes.h"

namespace wl {
#define GEN_PASS_DEF_WLSERIALSINGLEITERATION
#include "wl/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;

namespace {

/// The loop nest the parallel region shares among its threads, if it is the
/// region's only worksharing loop.
omp::LoopNestOp sharedLoopNest(omp::ParallelOp parallel) {
  omp::LoopNestOp nest;
  unsigned count = 0;
  parallel.getRegion().walk([&](omp::WsloopOp wsloop) {
    ++count;
    nest = dyn_cast<omp::LoopNestOp>(wsloop.getWrappedLoop());
  });
  return count == 1 ? nest : omp::LoopNestOp();
}

struct WLSerialSingleIterationPass
    : public wl::impl::WLSerialSingleIterationBase<
          WLSerialSingleIterationPass> {
  void runOnOperation() override {
    getOperation()->walk([&](omp::ParallelOp parallel) {
      omp::LoopNestOp nest = sharedLoopNest(parallel);
      if (parallel.getIfExpr() || !nest || nest.getLoopInclusive())
        return;
      auto definedOutside = [&](Value v) {
        return !parallel->isAncestor(v.getParentRegion()->getParentOp());
      };
      if (!llvm::all_of(nest->getOperands(), definedOutside))
        return;
      OpBuilder b(parallel);
      Location loc = parallel.getLoc();
      // trips = Π ceil((ub − lb) / step), each factor at least 0.
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value trips = arith::ConstantIndexOp::create(b, loc, 1);
      for (auto [lb, ub, step] :
           llvm::zip(nest.getLoopLowerBounds(), nest.getLoopUpperBounds(),
                     nest.getLoopSteps())) {
        Value span = arith::MaxSIOp::create(
            b, loc, arith::SubIOp::create(b, loc, ub, lb), zero);
        trips = arith::MulIOp::create(
            b, loc, trips, arith::CeilDivSIOp::create(b, loc, span, step));
      }
      Value several =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, trips,
                                arith::ConstantIndexOp::create(b, loc, 1));
      parallel.getIfExprMutable().assign(several);
    });
  }
};

} // namespace

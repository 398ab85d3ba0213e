//===- InlineAllocaScopes.cpp - drop stack scopes that allocate nothing ---===//
//
// See Passes.td: a scope is kept only if a memref.alloca of its own (not one
// inside a nested automatic allocation scope) needs it; calls do not.
//
//===----------------------------------------------------------------------===//
#include "wl/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace wl {
#define GEN_PASS_DEF_WLINLINEALLOCASCOPES
#include "wl/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;

namespace {

/// Whether `scope` holds a memref.alloca whose lifetime it bounds.
bool allocatesOnStack(memref::AllocaScopeOp scope) {
  return scope
      ->walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (op != scope && op->hasTrait<OpTrait::AutomaticAllocationScope>())
          return WalkResult::skip();
        return isa<memref::AllocaOp>(op) ? WalkResult::interrupt()
                                         : WalkResult::advance();
      })
      .wasInterrupted();
}

struct WLInlineAllocaScopesPass
    : public wl::impl::WLInlineAllocaScopesBase<WLInlineAllocaScopesPass> {
  void runOnOperation() override {
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation()->walk([&](memref::AllocaScopeOp scope) {
      if (!allocatesOnStack(scope))
        scopes.push_back(scope);
    });
    IRRewriter rewriter(&getContext());
    for (memref::AllocaScopeOp scope : scopes) {
      Block *body = &scope.getBodyRegion().front();
      Operation *terminator = body->getTerminator();
      SmallVector<Value> results(terminator->getOperands());
      rewriter.eraseOp(terminator);
      rewriter.inlineBlockBefore(body, scope);
      rewriter.replaceOp(scope, results);
    }
  }
};

} // namespace

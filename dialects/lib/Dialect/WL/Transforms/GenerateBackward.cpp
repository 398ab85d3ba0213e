//===- GenerateBackward.cpp - reverse-mode differentiation ---------------===//
//
// Clones a function's body and appends its adjoint computation: ops are
// visited in reverse, each through its DifferentiableOpInterface VJP rule, and
// the adjoints reaching a `wl.param_ref` become `wl.grad_accumulate`.
//
//===----------------------------------------------------------------------===//
#include "wl/Dialect/WL/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"

namespace wl {
#define GEN_PASS_DEF_WLGENERATEBACKWARD
#include "wl/Dialect/WL/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;
using namespace wl;

namespace {

/// Adjoints of the values of one function, summed over their uses.
class Adjoints {
public:
  explicit Adjoints(OpBuilder &builder) : builder(builder) {}

  void add(Value value, Value grad, Location loc) {
    Value &slot = adjoints[value];
    slot = slot ? AddOp::create(builder, loc, slot.getType(), slot, grad)
                      .getResult()
                : grad;
  }
  Value lookup(Value value) const { return adjoints.lookup(value); }

private:
  OpBuilder &builder;
  DenseMap<Value, Value> adjoints;
};

/// Clones `source` into a new function `name` whose arguments are `source`'s
/// followed by `extraArgs`; the clone ends with the adjoint of `source`'s
/// result seeded with `seed(builder, clonedFunction)`. `finish` builds the
/// return.
func::FuncOp
differentiate(func::FuncOp source, StringRef name, TypeRange extraArgs,
              function_ref<Value(OpBuilder &, func::FuncOp)> seed,
              function_ref<LogicalResult(OpBuilder &, func::FuncOp, Adjoints &,
                                         Value primalResult)>
                  finish) {
  OpBuilder builder(source);
  builder.setInsertionPointAfter(source);
  SmallVector<Type> argTypes(source.getArgumentTypes());
  argTypes.append(extraArgs.begin(), extraArgs.end());
  Block &sourceBlock = source.getBody().front();
  auto sourceReturn = cast<func::ReturnOp>(sourceBlock.getTerminator());
  // The result types are fixed by `finish`; start with none and patch below.
  auto fn = func::FuncOp::create(builder, source.getLoc(), name,
                                 builder.getFunctionType(argTypes, {}));
  Block *entry = fn.addEntryBlock();
  builder.setInsertionPointToStart(entry);

  IRMapping mapping;
  for (auto [from, to] :
       llvm::zip(sourceBlock.getArguments(), entry->getArguments()))
    mapping.map(from, to);
  SmallVector<Operation *> primalOps;
  for (Operation &op : sourceBlock.without_terminator())
    primalOps.push_back(builder.clone(op, mapping));
  Value primalResult = mapping.lookup(sourceReturn.getOperand(0));

  Adjoints adjoints(builder);
  adjoints.add(primalResult, seed(builder, fn), source.getLoc());
  for (Operation *op : llvm::reverse(primalOps)) {
    SmallVector<Value> resultGrads;
    bool anyGrad = false;
    for (Value r : op->getResults()) {
      resultGrads.push_back(adjoints.lookup(r));
      anyGrad |= static_cast<bool>(resultGrads.back());
    }
    // A result nothing differentiable reads (attention's row statistics)
    // reaches the VJP as a null adjoint.
    if (!anyGrad)
      continue;
    if (auto ref = dyn_cast<ParamRefOp>(op)) {
      ParamOp param = lookupParam(op, ref.getParam());
      if (param && param.getTrainable())
        GradAccumulateOp::create(builder, op->getLoc(), ref.getParamAttr(),
                                 resultGrads[0]);
      continue;
    }
    auto differentiable = dyn_cast<DifferentiableOpInterface>(op);
    if (!differentiable)
      return (op->emitOpError("has no VJP rule (DifferentiableOpInterface)"),
              nullptr);
    SmallVector<Value> operandGrads;
    if (failed(differentiable.buildVJP(builder, resultGrads, operandGrads)))
      return nullptr;
    for (auto [operand, grad] : llvm::zip(op->getOperands(), operandGrads))
      if (grad)
        adjoints.add(operand, grad, op->getLoc());
  }
  if (failed(finish(builder, fn, adjoints, primalResult)))
    return nullptr;
  return fn;
}

struct WLGenerateBackwardPass
    : public wl::impl::WLGenerateBackwardBase<WLGenerateBackwardPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    auto forward = symbols.lookup<func::FuncOp>("forward");
    auto loss = symbols.lookup<func::FuncOp>("loss");
    if (!forward) {
      module.emitError("wl-generate-backward: no @forward function");
      return signalPassFailure();
    }
    // Each differentiated function has a body and returns exactly one value.
    for (func::FuncOp fn : {forward, loss}) {
      if (!fn)
        continue;
      if (fn.isExternal() || fn.getNumResults() != 1) {
        fn.emitError("wl-generate-backward: @")
            << fn.getName() << " must have a body and return exactly one value";
        return signalPassFailure();
      }
    }
    for (StringRef name : {"backward", "loss_backward"})
      if (symbols.lookup(name)) {
        module.emitError("wl-generate-backward: @")
            << name << " already exists";
        return signalPassFailure();
      }

    // @backward(%x, %dy) -> %dx: the VJP of the model output.
    Type outputType = forward.getResultTypes()[0];
    auto backward = differentiate(
        forward, "backward", {outputType},
        [](OpBuilder &, func::FuncOp fn) { return fn.getArguments().back(); },
        [&](OpBuilder &b, func::FuncOp fn, Adjoints &adjoints,
            Value) -> LogicalResult {
          Value x = fn.getArgument(0);
          // Token ids have no adjoint: @backward only accumulates gradients.
          if (!isa<FloatType>(getElementTypeOrSelf(x.getType()))) {
            func::ReturnOp::create(b, fn.getLoc());
            return success();
          }
          Value dx = adjoints.lookup(x);
          if (!dx)
            return forward.emitError(
                "the model output does not depend on its input");
          func::ReturnOp::create(b, fn.getLoc(), dx);
          fn.setType(b.getFunctionType(fn.getArgumentTypes(), {dx.getType()}));
          return success();
        });
    if (!backward)
      return signalPassFailure();

    if (!loss)
      return;
    // @loss_backward(%x, %labels) -> f32: gradients of the mean loss, which it
    // returns.
    auto lossBackward = differentiate(
        loss, "loss_backward", {},
        [](OpBuilder &b, func::FuncOp fn) -> Value {
          return arith::ConstantOp::create(b, fn.getLoc(),
                                           b.getF32FloatAttr(1.0f));
        },
        [](OpBuilder &b, func::FuncOp fn, Adjoints &,
           Value lossValue) -> LogicalResult {
          func::ReturnOp::create(b, fn.getLoc(), lossValue);
          fn.setType(
              b.getFunctionType(fn.getArgumentTypes(), {lossValue.getType()}));
          return success();
        });
    if (!lossBackward)
      return signalPassFailure();
  }
};

} // namespace

//===- OptimizerOps.td - optimizer groups, updates, schedules -*- tablegen -*-===//
#ifndef WL_OPTIMIZER_OPS_TD
#define WL_OPTIMIZER_OPS_TD

include "wl/Dialect/WL/IR/WLDialect.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def WL_OptimizerGroupOp : WL_Op<"optimizer_group", [HasParent<"::mlir::ModuleOp">,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "an optimizer and the trainable tensors it updates";
  let description = [{
    `optimizer` is `sgd` or `adamw`; `hyper` holds its hyperparameters, with
    every default filled in by the frontend. `wl-generate-step` turns each
    group into one fused update function.

    ```mlir
    wl.optimizer_group "sgd" [@"fc1.weight", @"fc1.bias"] {hyper = {lr = 0.1 : f64, momentum = 0.9 : f64, nesterov = false, weight_decay = 0.0 : f64}}
    ```
  }];
  let arguments = (ins StrAttr:$optimizer, SymbolRefArrayAttr:$targets, DictionaryAttr:$hyper);
  let assemblyFormat = "$optimizer $targets attr-dict";
  let hasVerifier = 1;
}

def WL_ScheduleOp : WL_Op<"schedule", [HasParent<"::mlir::ModuleOp">]> {
  let summary = "the learning-rate schedule shared by every optimizer group";
  let arguments = (ins StrAttr:$kind, DefaultValuedAttr<I64Attr, "0">:$warmup,
                       DefaultValuedAttr<I64Attr, "0">:$total);
  let assemblyFormat = "$kind attr-dict";
  let hasVerifier = 1;
}

def WL_ScheduleFactorOp : WL_Op<"schedule_factor", [Pure]> {
  let summary = "the schedule's lr multiplier at step t (t = 1 for the first step)";
  let description = [{
    `constant`: 1. `warmup_linear`: t/warmup for t ≤ warmup, then
    max(0, (total − t)/(total − warmup)). `warmup_cosine`: t/warmup for
    t ≤ warmup, then 0.5·(1 + cos(π·min(1, (t − warmup)/(total − warmup)))).
  }];
  let arguments = (ins I64:$step, StrAttr:$kind, DefaultValuedAttr<I64Attr, "0">:$warmup,
                       DefaultValuedAttr<I64Attr, "0">:$total);
  let results = (outs F32:$result);
  let assemblyFormat = "$kind $step attr-dict";
  let hasVerifier = 1;
}

def WL_SgdUpdateOp : WL_Op<"sgd_update", [Pure, AllTypesMatch<["param", "grad", "new_param"]>]> {
  let summary = "SGD with momentum, Nesterov and (coupled) weight decay";
  let description = [{
    g += wd·W; b ← μb + g; d = nesterov ? g + μb : b; W ← W − lr·d.
    With momentum = 0 there is no buffer operand or result.
  }];
  let arguments = (ins WL_F32Tensor:$param, WL_F32Tensor:$grad,
                       Optional<WL_F32Tensor>:$momentum_buffer, F32:$lr,
                       F64Attr:$momentum, BoolAttr:$nesterov, F64Attr:$weight_decay);
  let results = (outs WL_F32Tensor:$new_param, Optional<WL_F32Tensor>:$new_momentum_buffer);
  let assemblyFormat = [{
    $param `,` $grad `,` (`buffer` $momentum_buffer^ `:` type($momentum_buffer) `,`)? $lr attr-dict
      `:` type($param) (`,` type($new_momentum_buffer)^)?
  }];
  let hasVerifier = 1;
}

def WL_AdamWUpdateOp : WL_Op<"adamw_update", [Pure,
    AllTypesMatch<["param", "grad", "exp_avg", "exp_avg_sq", "new_param", "new_exp_avg",
                   "new_exp_avg_sq"]>]> {
  let summary = "AdamW (PyTorch): decoupled weight decay, bias-corrected moments";
  let description = [{
    W ← W(1 − lr·wd); m ← β1 m + (1−β1)g; v ← β2 v + (1−β2)g²;
    W ← W − lr·(m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + ε).
  }];
  let arguments = (ins WL_F32Tensor:$param, WL_F32Tensor:$grad, WL_F32Tensor:$exp_avg,
                       WL_F32Tensor:$exp_avg_sq, F32:$lr, I64:$step,
                       F64Attr:$beta1, F64Attr:$beta2, F64Attr:$eps, F64Attr:$weight_decay);
  let results = (outs WL_F32Tensor:$new_param, WL_F32Tensor:$new_exp_avg,
                      WL_F32Tensor:$new_exp_avg_sq);
  let assemblyFormat = [{
    $param `,` $grad `,` $exp_avg `,` $exp_avg_sq `,` $lr `,` $step attr-dict `:` type($param)
  }];
  let hasVerifier = 1;
}

#endif // WL_OPTIMIZER_OPS_TD

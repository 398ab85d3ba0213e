//===- OptimizerOps.td - optimizer groups, updates, schedules -*- tablegen -*-===//
#ifndef WL_OPTIMIZER_OPS_TD
#define WL_OPTIMIZER_OPS_TD

include "wl/Dialect/WL/IR/WLDialect.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "wl/Dialect/WL/IR/LinearOps.td"
include "wl/Dialect/WL/IR/ParamOps.td"

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

def WL_NewtonSchulzOp : WL_Op<"newton_schulz", [Pure, SameOperandsAndResultType]> {
  let summary = "approximate orthogonalisation of a matrix by a quintic Newton–Schulz iteration";
  let description = [{
    X = G/(‖G‖_F + 1e-7), transposed when it has more rows than columns; then
    `steps` times A = X Xᵀ, B = bA + cA², X = aX + BX; transposed back. With
    Muon's (a, b, c) = (3.4445, −4.7750, 2.0315) the singular values land in
    about [0.5, 1.5] (deliberately not convergent). A = X Xᵀ is symmetric and
    computed once per step at half the cost; B is fused into the product A·A,
    and aX into B·X.
  }];
  let arguments = (ins WL_Tensor2D:$input, I64Attr:$steps, F64Attr:$a, F64Attr:$b, F64Attr:$c);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def WL_MuonUpdateOp : WL_Op<"muon_update", [Pure,
    AllTypesMatch<["param", "grad", "momentum_buffer", "new_param", "new_momentum_buffer"]>]> {
  let summary = "Muon: momentum, Newton–Schulz orthogonalisation, decoupled weight decay";
  let description = [{
    m ← βm + (1−β)g; u = nesterov ? (1−β)g + βm : m;
    O = NS5(u)·sqrt(max(1, OUT/IN)); W ← W(1 − lr·wd) − lr·O. Matrices only.
  }];
  let arguments = (ins WL_Tensor2D:$param, WL_Tensor2D:$grad, WL_Tensor2D:$momentum_buffer,
                       F32:$lr, F64Attr:$momentum, BoolAttr:$nesterov, I64Attr:$ns_steps,
                       F64Attr:$weight_decay);
  let results = (outs WL_Tensor2D:$new_param, WL_Tensor2D:$new_momentum_buffer);
  let assemblyFormat = "$param `,` $grad `,` $momentum_buffer `,` $lr attr-dict `:` type($param)";
  let hasVerifier = 1;
}

def WL_OrthonormalPenaltyGradOp : WL_Op<"orthonormal_penalty_grad", [Pure,
    AllTypesMatch<["param", "result"]>]> {
  let summary = "weight · ∇‖AAᵀ − I‖_F (SORSA's orthonormal regulariser)";
  let description = [{
    For A [r, n]: M = AAᵀ − I (r × r), result = weight · 2·M·A/‖M‖_F.
    `transposed` (B [m, r], columns orthonormal): N = BᵀB − I (r × r),
    result = weight · 2·B·N/‖N‖_F. When the norm is 0 the result is 0.
    `weight` is γ/(lr·n) (wl-generate-step); it is added to the gradient
    before the optimizer update.

    ```mlir
    %p = wl.orthonormal_penalty_grad %a {weight = 0.5 : f64, transposed = false} : tensor<4x16xf32>
    ```
  }];
  let arguments = (ins WL_Tensor2D:$param, F64Attr:$weight, BoolAttr:$transposed);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$param attr-dict `:` type($param)";
  let hasVerifier = 1;
}

def WL_LionUpdateOp : WL_Op<"lion_update", [Pure,
    AllTypesMatch<["param", "grad", "exp_avg", "new_param", "new_exp_avg"]>]> {
  let summary = "Lion: the sign of an interpolated momentum";
  let description = [{
    c = β1 m + (1−β1)g; W ← W(1 − lr·wd) − lr·sign(c); m ← β2 m + (1−β2)g.
    sign(0) = 0.
  }];
  let arguments = (ins WL_F32Tensor:$param, WL_F32Tensor:$grad, WL_F32Tensor:$exp_avg, F32:$lr,
                       F64Attr:$beta1, F64Attr:$beta2, F64Attr:$weight_decay);
  let results = (outs WL_F32Tensor:$new_param, WL_F32Tensor:$new_exp_avg);
  let assemblyFormat = "$param `,` $grad `,` $exp_avg `,` $lr attr-dict `:` type($param)";
  let hasVerifier = 1;
}

def WL_AdamPUpdateOp : WL_Op<"adamp_update", [Pure,
    AllTypesMatch<["param", "grad", "exp_avg", "exp_avg_sq", "new_param", "new_exp_avg",
                   "new_exp_avg_sq"]>]> {
  let summary = "AdamP (Heo et al. 2021): Adam without the radial component for scale-invariant weights";
  let description = [{
    Adam's direction p = m̂/(√v̂ + ε). For a matrix, if max over rows of
    |cos(w_i, g_i)| < δ/√IN, the radial part of each row is removed
    (p_i ← p_i − (ŵ_iᵀp_i)ŵ_i, ŵ_i = w_i/(‖w_i‖ + ε)) and the weight decay is
    scaled by wd_ratio; otherwise the same test and projection on the whole
    tensor with δ/√numel. Then W ← W(1 − lr·wd·ratio) − (lr/(1−β1ᵗ))·p.
    Vectors get plain Adam with decoupled weight decay.
  }];
  let arguments = (ins WL_F32Tensor:$param, WL_F32Tensor:$grad, WL_F32Tensor:$exp_avg,
                       WL_F32Tensor:$exp_avg_sq, F32:$lr, I64:$step,
                       F64Attr:$beta1, F64Attr:$beta2, F64Attr:$eps, F64Attr:$weight_decay,
                       F64Attr:$delta, F64Attr:$wd_ratio);
  let results = (outs WL_F32Tensor:$new_param, WL_F32Tensor:$new_exp_avg,
                      WL_F32Tensor:$new_exp_avg_sq);
  let assemblyFormat = [{
    $param `,` $grad `,` $exp_avg `,` $exp_avg_sq `,` $lr `,` $step attr-dict `:` type($param)
  }];
  let hasVerifier = 1;
}

#endif // WL_OPTIMIZER_OPS_TD

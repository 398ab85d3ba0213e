//===- Passes.td - transformations of the wl dialect -------*- tablegen -*-===//
#ifndef WL_TRANSFORMS_PASSES_TD
#define WL_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def WLGenerateBackward : Pass<"wl-generate-backward", "mlir::ModuleOp"> {
  let summary = "Generates the backward functions from the forward and loss functions";
  let description = [{
    Reverse-mode differentiation through `DifferentiableOpInterface`. From
    `@forward(%x) -> %y` it generates `@backward(%x, %dy) -> %dx`, and from
    `@loss(%x, %labels) -> f32` it generates `@loss_backward(%x, %labels) -> f32`.
    Both recompute the forward pass and add each trainable parameter's
    gradient with `wl.grad_accumulate`; adjoints of a value used several times
    are summed.
  }];
  let dependentDialects = ["wl::WLDialect", "mlir::arith::ArithDialect"];
}

def WLGenerateStep : Pass<"wl-generate-step", "mlir::ModuleOp"> {
  let summary = "Generates the fused optimizer step from the optimizer groups and schedule";
  let description = [{
    Each trainable tensor, k-th in the order of the optimizer groups and their
    targets, gets a private `@step_<k>(%t: i64)` (marked `wl.updates = @param`)
    that computes its group's scheduled lr and applies the group's update
    (reading parameter, gradient and state, writing parameter and state).
    `@step_finish(%t)` holds the work that needs every tensor updated (SST's
    rounds; wl-generate-constraints adds the product clips). Entry points:
    `@step(%t)` calls every `@step_<k>` then `@step_finish`;
    `@step_tensor(%t, %k: i64)` calls `@step_<k>` alone (an `scf.index_switch`),
    for steps sharded across ranks. Optimizer state tensors are declared on
    their `wl.param` (`state = [...]`).
  }];
  let dependentDialects = ["wl::WLDialect", "mlir::func::FuncDialect",
                           "mlir::arith::ArithDialect", "mlir::tensor::TensorDialect",
                           "mlir::scf::SCFDialect"];
}

def WLGenerateConstraints : Pass<"wl-generate-constraints", "mlir::ModuleOp"> {
  let summary = "Enforces each parameter's constraints after every update and at creation";
  let description = [{
    Runs after wl-generate-step. For a parameter with `constraints`, the value
    each step stores is projected first (spectral normalize with a persistent
    power-iteration vector `power_u`, hard_cap, soft_cap, hammer, norm_bound),
    and the runtime projections (svd_clip, rank_at_most, the `strict` Gram
    rescale) run on the stored parameter right after the store. `@project()`
    applies the exact creation-time projection of every constraint once.
    soft_cap's strength α is derived here from the parameter's optimizer
    (k = c(1 − lr·wd) + lr·B, B the optimizer's update-norm bound, α the
    smallest root of f(k) = c with f(σ) = s + αs³, s = σ − ασ³); where the
    optimizer has no bound or f is not monotone on [0, k], a warning says the
    method is only a heuristic for this configuration. A stacked parameter
    ([g, m, n]: Kronecker factors, Monarch and block-diagonal blocks) is g
    matrices, each projected on its own (one scf.for; `power_u` is [g, m]).
  }];
  let dependentDialects = ["wl::WLDialect", "mlir::func::FuncDialect",
                           "mlir::arith::ArithDialect", "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect"];
}

def WLCertify : Pass<"wl-certify", "mlir::ModuleOp"> {
  let summary = "Derives the Lipschitz certificate's composition from the forward graph";
  let description = [{
    Walks `@forward` and records, as the module attribute `wl.certificate`, the
    forward graph in SSA order (the last node is the output; node formats in
    runtime/include/wl/wlgen.h): the input, each layer application (whose
    weight the runtime bounds soundly from the current weights: a
    Gram-iteration bound for dense layers), activations as their Lipschitz
    constants (LipschitzOpInterface) with a magnitude rule, scalar products,
    and sums (residuals: h + f(h) gives 1 + L_f). A layer's bias changes only
    its magnitude bound. Sequence models add embeddings, positions, attention,
    mean_pool, row_norm and flatten nodes, values being measured per position
    where the model is a sequence model (ALGORITHMS.md, "Certificates of
    sequence models"; Certify.cpp says when), and `wl.certificate_notes`, the
    rules that `wlc --report` prints. An op without a rule is an error.
  }];
}

def WLAssignArena : Pass<"wl-assign-arena", "mlir::ModuleOp"> {
  let summary = "Lays out parameters, gradients and optimizer state in one arena";
  let description = [{
    Sets `offset`, `grad_offset` and `state_offsets` (in floats, 16-float
    aligned) on every `wl.param` and `wl.arena_size` on the module: parameters
    first, then gradients, then optimizer state.
  }];
}

#endif // WL_TRANSFORMS_PASSES_TD

//===- ConstraintOps.td - projections that keep constraints true -*- tablegen -*-===//
//
// What `wl-generate-constraints` inserts after each update (and into
// @project, run once at creation). The formulas are ALGORITHMS.md's.
//
//===----------------------------------------------------------------------===//
#ifndef WL_CONSTRAINT_OPS_TD
#define WL_CONSTRAINT_OPS_TD

include "wl/Dialect/WL/IR/WLDialect.td"
include "wl/Dialect/WL/IR/LinearOps.td"
include "wl/Dialect/WL/IR/ParamOps.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def WL_PowerIterationOp : WL_Op<"power_iteration", [Pure, AllTypesMatch<["u", "new_u"]>]> {
  let summary = "power iteration for the top singular pair of W, from the vector u";
  let description = [{
    `iterations` times: v ← Wᵀu/‖Wᵀu‖, u ← Wv/‖Wv‖. Returns the new u and the
    estimate σ̂ = ‖Wv‖ = uᵀWv (a lower bound of σ_max). u is [OUT].
  }];
  let arguments = (ins WL_Tensor2D:$weight, WL_Tensor1D:$u, I64Attr:$iterations);
  let results = (outs WL_Tensor1D:$new_u, F32:$sigma);
  let assemblyFormat = "$weight `,` $u attr-dict `:` type($weight) `,` type($u)";
  let hasVerifier = 1;
}

def WL_SpectralRescaleOp : WL_Op<"spectral_rescale", [Pure, AllTypesMatch<["weight", "result"]>]> {
  let summary = "W / max(1, σ/c): `normalize`, and the `strict` rescale with a sound σ bound";
  let arguments = (ins WL_Tensor2D:$weight, F32:$sigma, F64Attr:$bound);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$weight `,` $sigma attr-dict `:` type($weight)";
  let hasVerifier = 1;
}

def WL_SpectralHammerOp : WL_Op<"spectral_hammer", [Pure, AllTypesMatch<["weight", "result"]>]> {
  let summary = "W + (c − σ) u vᵀ with v = Wᵀu/‖Wᵀu‖: sets only the top singular value to c";
  let arguments = (ins WL_Tensor2D:$weight, WL_Tensor1D:$u, F32:$sigma, F64Attr:$bound);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$weight `,` $u `,` $sigma attr-dict `:` type($weight) `,` type($u)";
  let hasVerifier = 1;
}

def WL_SpectralHardCapOp : WL_Op<"spectral_hard_cap", [Pure, SameOperandsAndResultType]> {
  let summary = "≈ min(σ, c) on every singular value by four odd polynomial steps";
  let description = [{
    On M = W/s, s = max(c, ‖W‖_F/3.5) (= c unless σ/c might exceed 3.5): four
    steps M ← M(aI + bA + cA²), A = MᵀM (MMᵀ on the short side, applied from
    the left), with ALGORITHMS.md's coefficients; then W = c·M. Stays ≤ 1.011·c
    (beyond 3.5 the polynomials would overflow, hence the larger s).
  }];
  let arguments = (ins WL_Tensor2D:$weight, F64Attr:$bound);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$weight attr-dict `:` type($weight)";
  let hasVerifier = 1;
}

def WL_SoftCapStrengthOp : WL_Op<"soft_cap_strength", [Pure]> {
  let summary = "soft_cap's α for the lr of this step";
  let description = [{
    k = c·(1 − lr·weight_decay) + lr·update_bound is the largest singular
    value one step of the optimizer can reach from σ ≤ c (`update_bound`
    bounds the spectral norm of its update direction). α is the smallest
    α ≥ 0 with f(k) = c, where f(σ) = s + αs³, s = σ − ασ³ (0 when k ≤ c):
    with t = αk², (1 − t) + t(1 − t)³ = c/k, whose left side falls strictly
    from 1 to 0 on [0, 1], so 64 bisection steps on t in f64 find it. The
    lr comes from the schedule at run time, so α shrinks as the lr decays
    (ALGORITHMS.md); a constant lr folds to a constant α.
  }];
  let arguments = (ins F32:$lr, F64Attr:$bound, F64Attr:$update_bound,
                       F64Attr:$weight_decay);
  let results = (outs F32:$alpha);
  let assemblyFormat = "$lr attr-dict";
  let hasVerifier = 1;
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// The bisection of the description in f64; the lowering generates the
    /// same steps, so folded and run-time α agree.
    static double strength(double bound, double k);
    /// k = c·(1 − lr·weight_decay) + lr·update_bound.
    static double reach(double bound, double lr, double weightDecay,
                        double updateBound) {
      return bound * (1.0 - lr * weightDecay) + lr * updateBound;
    }
    static constexpr int kBisectionSteps = 64;
  }];
}

def WL_SpectralSoftCapOp : WL_Op<"spectral_soft_cap", [Pure, AllTypesMatch<["weight", "result"]>]> {
  let summary = "two coupled steps M ← M(I − αA), M ← M(I + αA), A = MᵀM";
  let description = [{
    σ ↦ s + αs³ with s = σ − ασ³, for α ≥ 0 from `wl.soft_cap_strength` (the
    largest σ the optimizer can produce this step, k, maps to exactly c).
  }];
  let arguments = (ins WL_Tensor2D:$weight, F32:$alpha);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$weight `,` $alpha attr-dict `:` type($weight)";
  let hasVerifier = 1;
}

def WL_NormBoundOp : WL_Op<"norm_bound", [Pure, SameOperandsAndResultType]> {
  let summary = "scales W (or each row / column) so that its norm is ≤ c";
  let arguments = (ins WL_Tensor2D:$weight, F64Attr:$bound, WL_NormKindAttr:$norm);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$weight `,` $norm attr-dict `:` type($weight)";
  let hasVerifier = 1;
}

def WL_AbsClampOp : WL_Op<"abs_clamp", [Pure, SameOperandsAndResultType]> {
  let summary = "clamps every entry to [−c, c]: a spectral bound on `svd`'s s or `diagonal`'s d";
  let description = [{
    Exact for those structures: their singular values are the |entries| (with
    `svd`'s U and V orthonormal).
  }];
  let arguments = (ins WL_Tensor1D:$input, F64Attr:$bound);
  let results = (outs WL_Tensor1D:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def WL_PolarIterationOp : WL_Op<"polar_iteration", [Pure, AllTypesMatch<["weight", "result"]>]> {
  let summary = "projection onto the orthonormal matrices by the Newton–Schulz polar iteration";
  let description = [{
    X₀ = W/s, then `steps` times X ← 1.5X − 0.5 X XᵀX (on the short side), which
    converges to the polar factor U Vᵀ of W = U S Vᵀ when every σ/s lies in
    (0, √3). s is `scale` when given (an estimate of σ_max, for weights that
    are already nearly orthonormal), else ‖W‖_F (always ≥ σ_max).
  }];
  let arguments = (ins WL_Tensor2D:$weight, Optional<F32>:$scale, I64Attr:$steps);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$weight (`,` $scale^)? attr-dict `:` type($weight)";
  let hasVerifier = 1;
}

def WL_ProjectParamOp : WL_Op<"project_param", [MemoryEffects<[MemRead, MemWrite]>,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "projects a stored parameter in place with a runtime routine";
  let description = [{
    For projections that need a dense factorisation or a sound bound:
    `svd_clip` (W = U min(S, c) Vᵀ, LAPACK), `rank_at_most` (truncated SVD),
    `strict` (Gram-iteration bound β; W ← W·c/β when β > c),
    `product_clip` (the singular values of U Vᵀ clipped at c, for U the
    parameter and V the `partner`, stored as Vᵀ when `transposed`: thin SVDs
    of U and V and the SVD of the r × r core, W never formed). With a
    `left` factor the product is U diag(d) Vᵀ for the parameter d [r] and U
    = `left`: its clip re-splits U, d and V (sorsa), or, when `fixed` (loldu:
    U and V frozen), scales d by c/σ_max when σ_max > c.
    `row_block_scale` (bone(mode = bat): the parameter is B [ni, r, r], the
    `partner` the frozen base [ni·r, nj·r]; the term's row block i is
    M_i (I ⊗ B_i) with M = base + (1ᵀ ⊗ I)): every B_i scaled by c/β when
    β = sqrt(Σ_i σ(M_i)² σ(B_i)²), from sound Gram bounds, exceeds c.
  }];
  let arguments = (ins FlatSymbolRefAttr:$param, WL_ProjectionKindAttr:$kind, F64Attr:$value,
                       OptionalAttr<FlatSymbolRefAttr>:$partner, UnitAttr:$transposed,
                       OptionalAttr<FlatSymbolRefAttr>:$left, UnitAttr:$fixed);
  let assemblyFormat = "$param $kind `,` $value attr-dict";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// verifySymbolUses for a product U diag(d) Vᵀ (a `left` factor).
    ::mlir::LogicalResult verifyDiagProduct(::mlir::SymbolTableCollection &symbols,
                                            ::wl::ParamOp d);
    /// verifySymbolUses for row_block_scale (bone bat's B and its base).
    ::mlir::LogicalResult verifyRowBlocks(::mlir::SymbolTableCollection &symbols,
                                          ::wl::ParamOp blocks);
  }];
}

#endif // WL_CONSTRAINT_OPS_TD

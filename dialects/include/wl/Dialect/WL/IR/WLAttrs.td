//===- WLAttrs.td - enums and attributes of the wl dialect -*- tablegen -*-===//
//
// The concepts that ops and passes dispatch on: structure kinds, initialiser
// kinds, constraint kinds and their methods, re-split and projection kinds.
// The `.wl` names map to these once, in MLIRGen; past that point nothing
// compares strings. A constraint is an attribute whose `verify` checks its
// arguments (`#wl.spectral_bound<c = 1.0, method = soft_cap, strict = false>`).
//
//===----------------------------------------------------------------------===//
#ifndef WL_ATTRS_TD
#define WL_ATTRS_TD

include "wl/Dialect/WL/IR/WLDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def WL_StructureKind : I32EnumAttr<"StructureKind", "a weight structure (LANGUAGE.md)", [
    I32EnumAttrCase<"Dense", 0, "dense">,
    I32EnumAttrCase<"LowRank", 1, "lowrank">,
    I32EnumAttrCase<"Kronecker", 2, "kronecker">,
    I32EnumAttrCase<"Monarch", 3, "monarch">,
    I32EnumAttrCase<"BlockDiag", 4, "blockdiag">,
    I32EnumAttrCase<"Diagonal", 5, "diagonal">,
    I32EnumAttrCase<"OrthogonalCayley", 6, "orthogonal_cayley">,
    I32EnumAttrCase<"OrthogonalExp", 7, "orthogonal_exp">,
    I32EnumAttrCase<"OrthogonalHouseholder", 8, "orthogonal_householder">,
    I32EnumAttrCase<"OrthogonalPolar", 9, "orthogonal_polar">,
    I32EnumAttrCase<"Svd", 10, "svd">,
    I32EnumAttrCase<"Frozen", 11, "frozen">,
    I32EnumAttrCase<"Lora", 12, "lora">,
    I32EnumAttrCase<"Bone", 13, "bone">,
    I32EnumAttrCase<"SvFit", 14, "svfit">,
    I32EnumAttrCase<"LoLDU", 15, "loldu">,
    I32EnumAttrCase<"Sorsa", 16, "sorsa">,
    I32EnumAttrCase<"Sst", 17, "sst">]> {
  let cppNamespace = "::wl";
  let genSpecializedAttr = 0;
}
def WL_StructureKindAttr : EnumAttr<WL_Dialect, WL_StructureKind, "structure"> {
  let assemblyFormat = "`<` $value `>`";
}
def WL_StructureKindArrayAttr : TypedArrayAttrBase<WL_StructureKindAttr,
    "the terms of a weight, in order">;

def WL_InitKind : I32EnumAttr<"InitKind", "how wl_create fills a tensor", [
    I32EnumAttrCase<"Zeros", 0, "zeros">,
    I32EnumAttrCase<"Ones", 1, "ones">,
    I32EnumAttrCase<"Normal", 2, "normal">,
    I32EnumAttrCase<"Uniform", 3, "uniform">,
    I32EnumAttrCase<"Orthogonal", 4, "orthogonal">,
    I32EnumAttrCase<"From", 5, "from">]> {
  let cppNamespace = "::wl";
  let genSpecializedAttr = 0;
}

def WL_SpectralMethod : I32EnumAttr<"SpectralMethod", "how a spectral bound is enforced", [
    I32EnumAttrCase<"Normalize", 0, "normalize">,
    I32EnumAttrCase<"SoftCap", 1, "soft_cap">,
    I32EnumAttrCase<"HardCap", 2, "hard_cap">,
    I32EnumAttrCase<"Hammer", 3, "hammer">,
    I32EnumAttrCase<"SvdClip", 4, "svd_clip">,
    // The bound on svd's s or diagonal's d: the entries clamped to [-c, c].
    I32EnumAttrCase<"Clamp", 5, "clamp">,
    // The bound on a product U Vᵀ of two factors (lowrank, lora): the
    // singular values of the product clipped exactly through thin SVDs of
    // the factors and of the r × r core, after every step (runtime).
    I32EnumAttrCase<"ProductClip", 6, "product_clip">,
    // The bound on bone(mode = bat)'s term, whose row block i is
    // M_i (I ⊗ B_i) with M = base + (1ᵀ ⊗ I): every B_i scaled by c/β when
    // the sound β = sqrt(Σ_i σ(M_i)² σ(B_i)²) (Gram bounds) exceeds c.
    I32EnumAttrCase<"RowBlockScale", 7, "row_block_scale">]> {
  let cppNamespace = "::wl";
  let genSpecializedAttr = 0;
}

def WL_NormKind : I32EnumAttr<"NormKind", "the norm of a norm bound", [
    I32EnumAttrCase<"Frobenius", 0, "frobenius">,
    I32EnumAttrCase<"Row", 1, "row">,
    I32EnumAttrCase<"Column", 2, "column">]> {
  let cppNamespace = "::wl";
  let genSpecializedAttr = 0;
}
def WL_NormKindAttr : EnumAttr<WL_Dialect, WL_NormKind, "norm">;

def WL_ResplitKind : I32EnumAttr<"ResplitKind", "a creation-time split of a frozen base", [
    I32EnumAttrCase<"Pissa", 0, "pissa">,
    I32EnumAttrCase<"SvFit", 1, "svfit">,
    I32EnumAttrCase<"KpSvd", 2, "kpsvd">,
    I32EnumAttrCase<"LoLDU", 3, "loldu">,
    I32EnumAttrCase<"Sorsa", 4, "sorsa">]> {
  let cppNamespace = "::wl";
  let genSpecializedAttr = 0;
}
def WL_ResplitKindAttr : EnumAttr<WL_Dialect, WL_ResplitKind, "resplit"> {
  let extraClassDeclaration = [{
    /// How many factors the split writes: the runtime routine's arguments
    /// after the base, in its order (wlgen.h).
    unsigned getFactorCount() const {
      switch (getValue()) {
      case ResplitKind::Pissa: // lora_A, lora_B
      case ResplitKind::KpSvd: // A, B
        return 2;
      case ResplitKind::SvFit: // U, s, V
      case ResplitKind::LoLDU: // (PL)_r, z, U_r
      case ResplitKind::Sorsa: // A, S, B
        return 3;
      }
      return 0;
    }
  }];
}

def WL_ProjectionKind : I32EnumAttr<"ProjectionKind", "a projection done by a runtime routine", [
    I32EnumAttrCase<"SvdClip", 0, "svd_clip">,
    I32EnumAttrCase<"RankAtMost", 1, "rank_at_most">,
    I32EnumAttrCase<"Strict", 2, "strict">,
    // σ(U Vᵀ) ≤ c for the parameter U and its partner V.
    I32EnumAttrCase<"ProductClip", 3, "product_clip">,
    // bone(mode = bat): the stack B [ni, r, r] scaled against its partner,
    // the frozen base [ni·r, nj·r] (SpectralMethod::RowBlockScale).
    I32EnumAttrCase<"RowBlockScale", 4, "row_block_scale">]> {
  let cppNamespace = "::wl";
  let genSpecializedAttr = 0;
}
def WL_ProjectionKindAttr : EnumAttr<WL_Dialect, WL_ProjectionKind, "projection">;

def WL_RowNormKind : I32EnumAttr<"RowNormKind", "a normalisation of each row", [
    // x / sqrt(mean(x²) + eps)
    I32EnumAttrCase<"Rms", 0, "rms">,
    // (x − mean x) / sqrt(var x + eps), biased variance (PyTorch's)
    I32EnumAttrCase<"Layer", 1, "layer">]> {
  let cppNamespace = "::wl";
  let genSpecializedAttr = 0;
}
def WL_RowNormKindAttr : EnumAttr<WL_Dialect, WL_RowNormKind, "row_norm"> {
  let assemblyFormat = "`<` $value `>`";
}

def WL_BoundRule : I32EnumAttr<"BoundRule",
    "how the runtime bounds a layer's spectral norm (ALGORITHMS.md, Certificates)", [
    // Gram iteration on the effective weight: sound for any weight.
    I32EnumAttrCase<"Gram", 0, "gram">,
    // sqrt(1 + ‖WᵀW − I‖_F) on the short side: sound for any weight, tight
    // for a nearly orthonormal one.
    I32EnumAttrCase<"Orthonormal", 1, "orthonormal">,
    // max |d| of a diagonal layer's d (exact).
    I32EnumAttrCase<"MaxAbs", 2, "max_abs">,
    // max |s| times the orthonormality bounds of U and V (svd).
    I32EnumAttrCase<"Svd", 3, "svd">,
    // The largest block's Gram bound (blockdiag: exact in the limit).
    I32EnumAttrCase<"BlockMax", 4, "block_max">,
    // Σ_i bound(A_i)·bound(B_i) (kronecker; one term: σ(A)σ(B) exactly).
    I32EnumAttrCase<"Kronecker", 5, "kronecker">,
    // max bound(L blocks) · max bound(R blocks) (monarch; sound).
    I32EnumAttrCase<"Monarch", 6, "monarch">]> {
  let cppNamespace = "::wl";
  let genSpecializedAttr = 0;
}
def WL_BoundRuleAttr : EnumAttr<WL_Dialect, WL_BoundRule, "bound"> {
  let assemblyFormat = "`<` $value `>`";
}

def WL_Guarantee : I32EnumAttr<"Guarantee", "what a constraint promises for a configuration", [
    I32EnumAttrCase<"Exact", 0, "exact">,
    I32EnumAttrCase<"Conditional", 1, "conditional">,
    I32EnumAttrCase<"Heuristic", 2, "heuristic">]> {
  let cppNamespace = "::wl";
  let genSpecializedAttr = 0;
}

def WL_ConstraintOrigin : I32EnumAttr<"ConstraintOrigin", "where a constraint comes from", [
    // Written with `with ...` and enforced by generated code.
    I32EnumAttrCase<"Written", 0, "written">,
    // Written, and true by the weight's structure: nothing is generated.
    I32EnumAttrCase<"Structure", 1, "structure">,
    // Not written: the retraction that keeps a factor orthonormal (svd's U
    // and V, orthogonal(polar)'s weight).
    I32EnumAttrCase<"Retraction", 2, "retraction">,
    // Written on a structured term and enforced through it: on one factor,
    // with that factor's share of the bound (each Kronecker factor ≤ √c, each
    // block ≤ c), so the term satisfies the written constraint.
    I32EnumAttrCase<"Factor", 3, "factor">]> {
  let cppNamespace = "::wl";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

/// A double (wl::F64, which compares and hashes), written as a plain number.
def WL_F64Parameter : AttrParameter<"::wl::F64", "a float"> {
  let parser = [{ [&]() -> ::mlir::FailureOr<::wl::F64> {
    double value;
    if (::mlir::failed($_parser.parseFloat(value)))
      return ::mlir::failure();
    return ::wl::F64(value);
  }() }];
  // printFloat prints the shortest text that reads back to the same double.
  let printer = [{ $_printer.printFloat(::llvm::APFloat(double($_self))) }];
}
def WL_OptionalF64Parameter : OptionalParameter<"std::optional<::wl::F64>", "a float"> {
  let parser = [{ [&]() -> ::mlir::FailureOr<std::optional<::wl::F64>> {
    double value;
    if (::mlir::failed($_parser.parseFloat(value)))
      return ::mlir::failure();
    return std::optional<::wl::F64>(value);
  }() }];
  let printer = [{ $_printer.printFloat(::llvm::APFloat(double(*$_self))) }];
}
class WL_BoolParameter<string default> : AttrParameter<"bool", "true or false"> {
  let defaultValue = default;
  let parser = [{ [&]() -> ::mlir::FailureOr<bool> {
    if (::mlir::succeeded($_parser.parseOptionalKeyword("true")))
      return true;
    if (::mlir::succeeded($_parser.parseKeyword("false")))
      return false;
    return ::mlir::failure();
  }() }];
  let printer = [{ $_printer << ($_self ? "true" : "false") }];
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

class WL_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<WL_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def WL_InitAttr : WL_Attr<"Init", "init"> {
  let summary = "how wl_create fills a tensor";
  let description = [{
    `#wl.init<kind = normal, std = 0.05>`; `uniform` takes `a` (U(−a, a)),
    `from` the safetensors `file` (an absolute path) and `tensor`;
    `transposed` (with `from` on a matrix) stores the file's [n, m] tensor
    transposed into the [m, n] parameter (sst's V holding W0ᵀ).
  }];
  let parameters = (ins EnumParameter<WL_InitKind>:$kind,
                        WL_OptionalF64Parameter:$std, WL_OptionalF64Parameter:$a,
                        OptionalParameter<"::mlir::StringAttr">:$file,
                        OptionalParameter<"::mlir::StringAttr">:$tensor,
                        WL_BoolParameter<"false">:$transposed);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "InitKind":$kind), [{
      return $_get($_ctxt, kind, std::nullopt, std::nullopt, nullptr, nullptr,
                   false);
    }]>
  ];
  let extraClassDeclaration = [{
    static InitAttr getNormal(::mlir::MLIRContext *ctx, double std) {
      return get(ctx, InitKind::Normal, ::wl::F64(std), std::nullopt, nullptr, nullptr, false);
    }
    static InitAttr getUniform(::mlir::MLIRContext *ctx, double a) {
      return get(ctx, InitKind::Uniform, std::nullopt, ::wl::F64(a), nullptr, nullptr, false);
    }
    /// The same initialiser, stored transposed (`from` into a Wᵀ holder).
    InitAttr asTransposed() const {
      return get(getContext(), getKind(), getStd(), getA(), getFile(), getTensor(), true);
    }
  }];
}

def WL_OrthonormalPenaltyAttr : WL_Attr<"OrthonormalPenalty", "orthonormal_penalty"> {
  let summary = "SORSA's orthonormal regulariser on one factor (ALGORITHMS.md)";
  let description = [{
    On a `wl.param`: before the optimizer update, `wl-generate-step` adds
    γ/(lr·n) · ∇‖M‖_F to the gradient, with lr the group's `lr`, n the number
    of parameters in the module carrying this attribute, and M = AAᵀ − I for
    A [r, IN] (rows orthonormal), or M = BᵀB − I for B [OUT, r] when
    `transposed` (columns orthonormal). γ = 0 adds nothing (the parameter
    still counts in n).
    `#wl.orthonormal_penalty<gamma = 0.1, transposed = false>`
  }];
  let parameters = (ins WL_F64Parameter:$gamma, WL_BoolParameter<"false">:$transposed);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// γ as a number.
    double strength() const { return getGamma(); }
  }];
}

def WL_ConstraintAttrInterface : AttrInterface<"ConstraintAttrInterface"> {
  let description = [{
    A constraint on a parameter (`wl.param`'s `constraints`). Each kind is an
    attribute with its own arguments and a common tail: the `.wl` location
    it was written at (diagnostics point there), its origin, and the
    structure behind it where one is.
  }];
  let cppNamespace = "::wl";
  let methods = [
    InterfaceMethod<"Where the constraint was written (or null).", "::mlir::LocationAttr",
      "getLocation", (ins), [{ return $_attr.getLoc(); }]>,
    InterfaceMethod<"Whether it was written, is true by structure, or is a retraction.",
      "::wl::ConstraintOrigin", "getConstraintOrigin", (ins), [{ return $_attr.getOrigin(); }]>,
    InterfaceMethod<"The structure behind it, where one is.", "std::optional<::wl::StructureKind>",
      "getStructureKind", (ins), [{
        if (auto s = $_attr.getStructure())
          return s.getValue();
        return std::nullopt;
      }]>,
  ];
}

/// The common tail of every constraint: where it was written, where it comes
/// from and the structure behind it.
class WL_ConstraintAttr<string name, string attrMnemonic, dag own>
    : WL_Attr<name, attrMnemonic, [WL_ConstraintAttrInterface]> {
  let parameters = !con(own, (ins
      OptionalParameter<"::mlir::LocationAttr">:$loc,
      DefaultValuedParameter<"ConstraintOrigin", "ConstraintOrigin::Written">:$origin,
      // The structure behind a Structure or Retraction origin, or the one
      // whose scale a clamp bounds (svd, diagonal).
      OptionalParameter<"StructureKindAttr">:$structure));
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def WL_SpectralBoundAttr : WL_ConstraintAttr<"SpectralBound", "spectral_bound",
    (ins WL_F64Parameter:$c,
         DefaultValuedParameter<"SpectralMethod", "SpectralMethod::Normalize">:$method,
         WL_BoolParameter<"false">:$strict,
         // product_clip: the other factor V of W = U Vᵀ (this parameter is
         // U), stored as Vᵀ when `transposed`; row_block_scale: the frozen
         // base.
         OptionalParameter<"::mlir::FlatSymbolRefAttr">:$partner,
         WL_BoolParameter<"false">:$transposed,
         // product_clip of W = U diag(d) Vᵀ (sorsa, loldu): this parameter
         // is d, `left` is U and `partner` V; `fixed` when U and V are frozen
         // (loldu: only d is scaled, radially).
         OptionalParameter<"::mlir::FlatSymbolRefAttr">:$left,
         WL_BoolParameter<"false">:$fixed)> {
  let summary = "σ_max(W) ≤ c, kept by `method` (and a sound rescale when strict)";
  let builders = [
    AttrBuilder<(ins "::wl::F64":$c, "SpectralMethod":$method,
                     "bool":$strict, "::mlir::LocationAttr":$loc,
                     "ConstraintOrigin":$origin, "StructureKindAttr":$structure), [{
      return $_get($_ctxt, c, method, strict, nullptr, false, nullptr, false,
                   loc, origin, structure);
    }]>
  ];
  let extraClassDeclaration = [{
    /// c as a number.
    double bound() const { return getC(); }
    /// The same bound with c replaced by a factor's share of it, carried onto
    /// a factor of `structure` (ConstraintOrigin::Factor).
    SpectralBoundAttr withShare(double share, StructureKindAttr structure) const {
      return get(getContext(), ::wl::F64(share), getMethod(), getStrict(),
                 getPartner(), getTransposed(), getLeft(), getFixed(), getLoc(),
                 ConstraintOrigin::Factor, structure);
    }
  }];
}

def WL_NormBoundAttr : WL_ConstraintAttr<"NormBound", "norm_bound",
    (ins WL_F64Parameter:$c,
         DefaultValuedParameter<"NormKind", "NormKind::Frobenius">:$norm)> {
  let summary = "the Frobenius norm of W, or of each row or column, ≤ c";
  let extraClassDeclaration = [{
    /// c as a number.
    double bound() const { return getC(); }
    /// The same bound with c replaced by a factor's share of it, carried onto
    /// a factor of `structure` (ConstraintOrigin::Factor).
    NormBoundAttr withShare(double share, StructureKindAttr structure) const {
      return get(getContext(), ::wl::F64(share), getNorm(), getLoc(),
                 ConstraintOrigin::Factor, structure);
    }
  }];
}

def WL_RankAtMostAttr : WL_ConstraintAttr<"RankAtMost", "rank_at_most",
    (ins "int64_t":$r)> {
  let summary = "rank W ≤ r (truncated SVD after every step)";
}

def WL_OrthonormalAttr : WL_ConstraintAttr<"Orthonormal", "orthonormal", (ins)> {
  let summary = "WᵀW = I (WWᵀ = I when OUT < IN)";
}

def WL_ConstraintArrayAttr : TypedArrayAttrBase<WL_ConstraintAttrInterface,
    "constraints, in the order written">;

#endif // WL_ATTRS_TD

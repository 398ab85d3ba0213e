//===- ParamOps.td - parameters, layers, gradients, state --*- tablegen -*-===//
#ifndef WL_PARAM_OPS_TD
#define WL_PARAM_OPS_TD

include "wl/Dialect/WL/IR/WLDialect.td"
include "wl/Dialect/WL/IR/WLAttrs.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def WL_F32Tensor : StaticShapeTensorOf<[F32]>;

def WL_ParamOp : WL_Op<"param", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "declares a model tensor (trainable or frozen)";
  let description = [{
    A tensor the model owns, e.g. `fc1.weight`. `init` says how `wl_create`
    fills it (`#wl.init<kind = normal, std = 0.05>`, `zeros`, `ones`,
    `uniform` with `a`, `orthogonal`, `from` a safetensors file). `state` lists the optimizer state
    tensors that `wl-generate-step` and `wl-generate-constraints` attached to
    it: of the parameter's shape, or of the shape in `state_types` (e.g. a
    power-iteration vector). `constraints` lists what `wl-generate-constraints`
    enforces after every update, e.g.
    `#wl.spectral_bound<c = 1.0, method = soft_cap>` (WLAttrs.td).
    `orthonormal_penalty` (SORSA's A and B) adds the orthonormal
    regulariser's gradient before the optimizer update (wl-generate-step).
    `wl-assign-arena` sets the offsets (in floats) into the model's arena.

    ```mlir
    wl.param @"fc1.weight" : tensor<256x784xf32> {init = #wl.init<kind = normal, std = 0.0357>, trainable}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttr:$type, WL_InitAttr:$init,
                       UnitAttr:$trainable, OptionalAttr<StrArrayAttr>:$state,
                       OptionalAttr<I64Attr>:$offset, OptionalAttr<I64Attr>:$grad_offset,
                       OptionalAttr<I64ArrayAttr>:$state_offsets,
                       OptionalAttr<TypeArrayAttr>:$state_types,
                       OptionalAttr<WL_ConstraintArrayAttr>:$constraints,
                       OptionalAttr<WL_OrthonormalPenaltyAttr>:$orthonormal_penalty);
  let assemblyFormat = "$sym_name `:` $type attr-dict";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::RankedTensorType getTensorType() {
      return ::llvm::cast<::mlir::RankedTensorType>(getType());
    }
    /// Whether `name` is one of the optimizer state tensors of this parameter.
    bool hasState(::llvm::StringRef name);
    /// The type of state tensor `name`: its own (`state_types`) or the parameter's.
    ::mlir::RankedTensorType getStateType(::llvm::StringRef name);
    /// Appends a state tensor (of the parameter's type unless `type` is given).
    void addState(::llvm::StringRef name, ::mlir::RankedTensorType type = {});
  }];
}

def WL_LayerOp : WL_Op<"layer", [Symbol, HasParent<"::mlir::ModuleOp">,
                                  DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "declares a linear layer y = W x + b";
  let description = [{
    Names the parameters that make up a layer, for the runtime
    (`wl_get_weight`) and the certificate. `structure` lists the weight's
    terms (`[#wl.structure<frozen>, #wl.structure<lora>]`). `weight` is the
    [OUT, IN] parameter of a single `dense` or `orthogonal_polar` term, else
    the first of `factors`, which lists every parameter the weight is built
    from (LANGUAGE.md's names, in order). `bound` is how the certificate
    bounds its spectral norm, chosen by the structure's spec (`max_abs` for a
    diagonal layer, `svd` for an svd layer; default `gram`). `embedding`
    marks a token embedding `E: V -> d`: its weight is the table [V, d]
    (OUT = V, IN = d), applied by row lookup (`wl.embedding`).
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, I64Attr:$in_features, I64Attr:$out_features,
                       WL_StructureKindArrayAttr:$structure, FlatSymbolRefAttr:$weight,
                       OptionalAttr<FlatSymbolRefAttr>:$bias,
                       OptionalAttr<FlatSymbolRefArrayAttr>:$factors,
                       DefaultValuedAttr<WL_BoundRuleAttr, "BoundRule::Gram">:$bound,
                       UnitAttr:$embedding);
  let assemblyFormat = "$sym_name `:` $in_features `->` $out_features attr-dict";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Whether `weight` is the [OUT, IN] matrix itself (dense, orthogonal(polar)).
    bool hasDenseWeight();
    /// The terms' kinds, in order.
    ::llvm::SmallVector<StructureKind> getTerms();
    /// "frozen+lora", "orthogonal(polar)": the terms as the report and the
    /// runtime's metadata spell them.
    std::string getStructureName();
  }];
}

class WL_ParamAccessOp<string mnemonic, list<Trait> traits = []> :
    WL_Op<mnemonic, !listconcat(traits, [DeclareOpInterfaceMethods<SymbolUserOpInterface>])>;

def WL_ParamRefOp : WL_ParamAccessOp<"param_ref", [MemoryEffects<[MemRead]>]> {
  let summary = "reads the current value of a parameter";
  let arguments = (ins FlatSymbolRefAttr:$param);
  let results = (outs WL_F32Tensor:$result);
  let assemblyFormat = "$param attr-dict `:` type($result)";
}

def WL_GradRefOp : WL_ParamAccessOp<"grad_ref", [MemoryEffects<[MemRead]>]> {
  let summary = "reads the accumulated gradient of a trainable parameter";
  let arguments = (ins FlatSymbolRefAttr:$param);
  let results = (outs WL_F32Tensor:$result);
  let assemblyFormat = "$param attr-dict `:` type($result)";
}

def WL_GradAccumulateOp : WL_ParamAccessOp<"grad_accumulate", [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "adds a contribution to a trainable parameter's gradient";
  let arguments = (ins FlatSymbolRefAttr:$param, WL_F32Tensor:$value);
  let assemblyFormat = "$param `,` $value attr-dict `:` type($value)";
}

def WL_ParamStoreOp : WL_ParamAccessOp<"param_store", [MemoryEffects<[MemWrite]>]> {
  let summary = "overwrites a trainable parameter (the optimizer step)";
  let arguments = (ins FlatSymbolRefAttr:$param, WL_F32Tensor:$value);
  let assemblyFormat = "$param `,` $value attr-dict `:` type($value)";
}

def WL_StateRefOp : WL_ParamAccessOp<"state_ref", [MemoryEffects<[MemRead]>]> {
  let summary = "reads an optimizer state tensor of a parameter";
  let arguments = (ins FlatSymbolRefAttr:$param, StrAttr:$state);
  let results = (outs WL_F32Tensor:$result);
  let assemblyFormat = "$param `[` $state `]` attr-dict `:` type($result)";
}

def WL_StateStoreOp : WL_ParamAccessOp<"state_store", [MemoryEffects<[MemWrite]>]> {
  let summary = "overwrites an optimizer state tensor of a parameter";
  let arguments = (ins FlatSymbolRefAttr:$param, StrAttr:$state, WL_F32Tensor:$value);
  let assemblyFormat = "$param `[` $state `]` `,` $value attr-dict `:` type($value)";
}

def WL_ResplitBaseOp : WL_Op<"resplit_base", [MemoryEffects<[MemRead, MemWrite]>,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "re-splits a frozen base into trainable factors at creation";
  let description = [{
    `pissa` (lora_A, lora_B from the top-r SVD), `svfit` (U, s, V) and
    `kpsvd` (Kronecker A, B by the Van Loan–Pitsianis SVD): the factors are
    written and the base becomes the residual, so the effective weight equals
    the original base. Runs the runtime's LAPACK routine on the stored
    parameters (wlrt_<kind>_split, runtime/include/wl/wlgen.h); `factors`
    are in the routine's order: pissa (lora_A, lora_B), svfit (U, s, V),
    kpsvd (A, B). `scale` is the adapter's scale s when the split depends on
    it (W_res = W0 − s·(factors' product)); the routine then takes it as a
    last argument.
  }];
  let arguments = (ins WL_ResplitKindAttr:$kind, FlatSymbolRefAttr:$base,
                       FlatSymbolRefArrayAttr:$factors, OptionalAttr<F64Attr>:$scale);
  let assemblyFormat = "$kind $base `into` $factors attr-dict";
  let hasVerifier = 1;
}

def WL_SstRoundOp : WL_Op<"sst_round", [MemoryEffects<[MemRead, MemWrite]>,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "sparse spectral training's bookkeeping on one `sst` layer";
  let description = [{
    U [OUT, m], s [m], V [IN, m] and `sampled` [m] (1 on the r columns
    that train this round) of one layer, in place (ALGORITHMS.md, SST).
    Without `step` (in @project, at creation): the initialiser's W0, held
    by U when OUT ≥ IN and by V as W0ᵀ otherwise, becomes its full thin
    SVD U diag(s) Vᵀ, and round 0 is sampled. With `step` t (at the end of
    @step, after every update): s ← max(s, 0) and every column of U and V
    is normalised; when t is a multiple of `every` the round ends: the
    sampled columns of U's and V's optimizer state are zeroed, U diag(s) Vᵀ
    is re-decomposed, and the next round's r columns are sampled with
    p(i) = ½(1/m + s_i/Σs), from the model's seed and `stream`.

    ```mlir
    wl.sst_round @"a.weight.U", @"a.weight.s", @"a.weight.V", @"a.weight.sampled" {rank = 2 : i64, every = 100 : i64, stream = 0 : i64}
    wl.sst_round @"a.weight.U", @"a.weight.s", @"a.weight.V", @"a.weight.sampled" step %t {rank = 2 : i64, every = 100 : i64, stream = 0 : i64}
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$u, FlatSymbolRefAttr:$s,
                       FlatSymbolRefAttr:$v, FlatSymbolRefAttr:$sampled,
                       Optional<I64>:$step, I64Attr:$rank, I64Attr:$every,
                       I64Attr:$stream);
  let assemblyFormat = [{
    $u `,` $s `,` $v `,` $sampled (`step` $step^)? attr-dict
  }];
  let hasVerifier = 1;
}

#endif // WL_PARAM_OPS_TD

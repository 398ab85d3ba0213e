//===- StructureOps.td - weights built from factors --------*- tablegen -*-===//
//
// Structures of LANGUAGE.md whose weight is a function of what the optimizer
// trains: orthogonal (Cayley, exponential, Householder), svd, diagonal. Each
// op has its VJP beside it (StructureOps.cpp) and its lowering in
// compiler/lib/Conversion/WLToLinalg/Structures.cpp. ALGORITHMS.md has the
// formulas.
//
//===----------------------------------------------------------------------===//
#ifndef WL_STRUCTURE_OPS_TD
#define WL_STRUCTURE_OPS_TD

include "wl/Dialect/WL/IR/WLDialect.td"
include "wl/Dialect/WL/IR/WLInterfaces.td"
include "wl/Dialect/WL/IR/LinearOps.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def WL_CayleyOp : WL_Op<"cayley", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "Q = (I − X/2)⁻¹(I + X/2) with the skew X = S − Sᵀ";
  let description = [{
    PyTorch's Cayley convention. Q is orthogonal for every square S; it is
    computed by an LU solve, never an explicit inverse.
  }];
  let arguments = (ins WL_Tensor2D:$generator);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$generator attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def WL_CayleyGradOp : WL_Op<"cayley_grad", [Pure, AllTypesMatch<["generator", "q", "grad", "result"]>]> {
  let summary = "dS of ⟨G, cayley(S)⟩: dX = ½ A⁻ᵀ G (I + Qᵀ), dS = dX − dXᵀ";
  let description = [{
    A = I − X/2. One transposed solve with the LU factors of A.
  }];
  let arguments = (ins WL_Tensor2D:$generator, WL_Tensor2D:$q, WL_Tensor2D:$grad);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$generator `,` $q `,` $grad attr-dict `:` type($result)";
}

def WL_CayleyLinearGradOp : WL_Op<"cayley_linear_grad", [Pure,
    AllTypesMatch<["generator", "q", "result"]>,
    AllTypesMatch<["dy", "x", "xq"]>]> {
  let summary = "dS of ⟨dyᵀx, cayley(S)⟩: a Cayley weight's gradient through "
                "its linear layer y = x Qᵀ";
  let description = [{
    `xq` is the forward's x Qᵀ. The weight's gradient G = dyᵀx has rank at
    most B, and dX = A⁻ᵀ G A⁻ᵀ = uᵀv with u = dy A⁻¹ = ½(dy + dy Q) and
    v = x A⁻ᵀ = ½(x + xq) (A⁻¹ = ½(I + Q)): 4Bn² flops instead of the
    2Bn² + 4n³ of forming G for cayley_grad. The lowering takes that form
    when B < 2n and forms G otherwise. dS = dX − dXᵀ.
  }];
  let arguments = (ins WL_Tensor2D:$generator, WL_Tensor2D:$q,
                       WL_Tensor2D:$dy, WL_Tensor2D:$x, WL_Tensor2D:$xq);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$generator `,` $q `,` $dy `,` $x `,` $xq attr-dict `:` type($result) `,` type($dy)";
  let hasVerifier = 1;
}

def WL_ExpSkewOp : WL_Op<"exp_skew", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "Q = exp(X) with the skew X = S − Sᵀ (scaling and squaring)";
  let description = [{
    X is scaled by 2⁻ˢ so that ‖X‖₂·2⁻ˢ ≤ 1 (s chosen at run time from a
    two-step Gram bound of ‖X‖₂), a degree-12 Taylor polynomial is evaluated
    by Horner's rule, and the result squared s times.
  }];
  let arguments = (ins WL_Tensor2D:$generator);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$generator attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def WL_ExpSkewGradOp : WL_Op<"exp_skew_grad", [Pure, AllTypesMatch<["generator", "grad", "result"]>]> {
  let summary = "dS of ⟨G, exp(S − Sᵀ)⟩ through the Fréchet derivative";
  let description = [{
    dX = L(Xᵀ, G), the upper-right block of exp([[Xᵀ, G], [0, Xᵀ]]), computed
    on (value, derivative) pairs by the same scaling, Taylor and squaring
    steps as the forward; then dS = dX − dXᵀ.
  }];
  let arguments = (ins WL_Tensor2D:$generator, WL_Tensor2D:$grad);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$generator `,` $grad attr-dict `:` type($result)";
}

def WL_LeadingBlockOp : WL_Op<"leading_block", [Pure,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "the top-left [OUT, IN] block of a square orthogonal Q";
  let description = [{
    A rectangular orthogonal weight is the first OUT rows (OUT < IN) or first
    IN columns (OUT > IN) of an n × n orthogonal matrix, n = max(OUT, IN).
  }];
  let arguments = (ins WL_Tensor2D:$input);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def WL_EmbedBlockOp : WL_Op<"embed_block", [Pure]> {
  let summary = "zero-pads [OUT, IN] to the top-left block of a larger matrix";
  let arguments = (ins WL_Tensor2D:$input);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def WL_HouseholderOp : WL_Op<"householder", [Pure,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "y = (H₁⋯H_k · pad(x))[:OUT], H_i = I − 2 v_i v_iᵀ/‖v_i‖², Q never formed";
  let description = [{
    `input` is [B, IN], `reflectors` [k, n] with n = max(IN, OUT); the result
    [B, OUT]. Each reflector is a rank-1 update of the batch, O(B·n) work,
    applied from H_k to H₁.
  }];
  let arguments = (ins WL_Tensor2D:$input, WL_Tensor2D:$reflectors);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$input `,` $reflectors attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def WL_HouseholderGradOp : WL_Op<"householder_grad", [Pure]> {
  let summary = "dx and dv of wl.householder from dy";
  let description = [{
    Recomputes the full-width output, then walks the reflectors back from H₁
    to H_k: each reflection is its own inverse, so the input of H_i is H_i
    applied to its output, and no intermediate is stored.
  }];
  let arguments = (ins WL_Tensor2D:$input, WL_Tensor2D:$reflectors, WL_Tensor2D:$grad);
  let results = (outs WL_Tensor2D:$input_grad, WL_Tensor2D:$reflectors_grad);
  let assemblyFormat = [{
    $input `,` $reflectors `,` $grad attr-dict `:` functional-type(operands, results)
  }];
}

def WL_ScaleColumnsOp : WL_Op<"scale_columns", [Pure,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "y[b, j] = x[b, j] · d[j]: `diagonal`, and the s of `svd`";
  let arguments = (ins WL_Tensor2D:$input, WL_Tensor1D:$scale);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$input `,` $scale attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def WL_SstProductOp : WL_Op<"sst_product", [Pure,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "y = ((x V)·s) Uᵀ with sparse spectral training's gradients";
  let description = [{
    The weight of `sst` is U diag(s) Vᵀ (U [OUT, m], s [m], V [IN, m]),
    applied without forming it. The VJP gives x and s their true adjoints
    but U and V the gradients of SST (ALGORITHMS.md), without the s factor:
    dU = dyᵀ (x V) = G V, dV = xᵀ (dy U) = Gᵀ U, for G = dyᵀ x. Lowered to
    wl.matmul and wl.scale_columns.
  }];
  let arguments = (ins WL_Tensor2D:$input, WL_Tensor2D:$u, WL_Tensor1D:$s,
                       WL_Tensor2D:$v);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = [{
    $input `,` $u `,` $s `,` $v attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def WL_ColumnDotOp : WL_Op<"column_dot", [Pure]> {
  let summary = "r[j] = Σ_b x[b, j] · y[b, j] (the scale's adjoint in wl.scale_columns)";
  let arguments = (ins WL_Tensor2D:$lhs, WL_Tensor2D:$rhs);
  let results = (outs WL_Tensor1D:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def WL_EyeOp : WL_Op<"eye", [Pure]> {
  let summary = "the identity matrix (materialising diagonal and Householder weights)";
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def WL_TransposeOp : WL_Op<"transpose", [Pure,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "yᵀ of a matrix";
  let arguments = (ins WL_Tensor2D:$input);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def WL_ContractOp : WL_Op<"contract", [Pure,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "out[m_out(l)] = Σ over the other loops of Π_i operand_i[m_i(l)]";
  let description = [{
    A product of operands summed over the loops that the result does not
    index: every structured layer (low rank, Kronecker, Monarch, block
    diagonal, Bone) is a chain of these over reshaped activations, so W is
    never formed. `indexing_maps` has one projected permutation per operand,
    then the result's; the loop order is the maps' dimension order (the last
    loop is innermost). The VJP of operand i is the same loops with the
    result's adjoint in its place and operand i's map as the result map.
  }];
  let arguments = (ins Variadic<RankedTensorOf<[F32]>>:$inputs, AffineMapArrayAttr:$indexing_maps);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::llvm::SmallVector<::mlir::AffineMap> getIndexingMapsArray() {
      return ::llvm::to_vector(getIndexingMaps().getAsValueRange<::mlir::AffineMapAttr>());
    }
  }];
}

def WL_ReshapeOp : WL_Op<"reshape", [Pure,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "row-major reshape that splits or merges adjacent dimensions";
  let description = [{
    [B, n1·n2] ↔ [B, n1, n2] for activations (the batch dimension stays), or
    any static regrouping of a parameter. Lowered to tensor.expand_shape or
    tensor.collapse_shape; the VJP is the inverse reshape.
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$input);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Groups of result dims (expanding) or input dims (collapsing) that map
    /// to one dim of the other side; empty when the shapes do not regroup.
    ::llvm::SmallVector<::mlir::ReassociationIndices> getReassociation();
  }];
}

#endif // WL_STRUCTURE_OPS_TD

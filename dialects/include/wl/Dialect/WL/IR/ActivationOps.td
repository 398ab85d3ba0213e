//===- ActivationOps.td - elementwise activations ----------*- tablegen -*-===//
//
// Each activation is one op; its derivative is `wl.activation_grad` with the
// activation's name. The scalar formulas of both live in one table
// (ActivationOps.cpp for the names and constants, WLToLinalg/Activations.cpp
// for the arithmetic), so adding an activation touches one place per layer.
//
//===----------------------------------------------------------------------===//
#ifndef WL_ACTIVATION_OPS_TD
#define WL_ACTIVATION_OPS_TD

include "wl/Dialect/WL/IR/WLDialect.td"
include "wl/Dialect/WL/IR/WLInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

class WL_ActivationOp<string mnemonic, string lipschitz, string formula> :
    WL_Op<mnemonic, [Pure, SameOperandsAndResultType,
                     DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>,
                     WL_LipschitzOpInterface]> {
  let summary = "elementwise " # mnemonic # ": " # formula;
  let arguments = (ins RankedTensorOf<[F32]>:$input);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let extraClassDeclaration = [{
    double getLipschitzConstant() { return }] # lipschitz # [{; }
  }];
}

def WL_ReluOp : WL_ActivationOp<"relu", "1.0", "max(x, 0)">;
// sup |d/dx x·Φ(x)| = 1.1289 (at x = √2); rounded up.
def WL_GeluOp : WL_ActivationOp<"gelu", "1.13", "x·Φ(x) with the exact erf">;
def WL_GeluTanhOp : WL_ActivationOp<"gelu_tanh", "1.13",
    "0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))">;
def WL_TanhOp : WL_ActivationOp<"tanh", "1.0", "tanh(x)">;
def WL_SigmoidOp : WL_ActivationOp<"sigmoid", "0.25", "1 / (1 + exp(-x))">;
def WL_AbsOp : WL_ActivationOp<"abs", "1.0", "|x|">;
def WL_IdentityOp : WL_ActivationOp<"identity", "1.0", "x">;

def WL_ActivationGradOp : WL_Op<"activation_grad", [Pure, SameOperandsAndResultType]> {
  let summary = "VJP of a unary activation: dx = f'(x) · dy";
  let description = [{
    `input` is x, except for `relu`, whose VJP passes its output relu(x):
    the derivative [input > 0] is the same mask for both.
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$input, RankedTensorOf<[F32]>:$grad,
                       StrAttr:$activation);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = "$activation $input `,` $grad attr-dict `:` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Names of the activations whose derivative this op computes.
    static ::llvm::ArrayRef<::llvm::StringRef> getKnownActivations();
  }];
}

def WL_GroupSortOp : WL_Op<"groupsort", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>,
    WL_LipschitzOpInterface]> {
  let summary = "sorts ascending within consecutive groups of `group` features";
  let description = [{
    `group = 2` is MaxMin. A permutation of each row, so 1-Lipschitz.
    Ties keep their original order.
  }];
  let arguments = (ins WL_Tensor2D:$input, I64Attr:$group);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$input `,` $group attr-dict `:` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    double getLipschitzConstant() { return 1.0; }
  }];
}

def WL_GroupSortGradOp : WL_Op<"groupsort_grad", [Pure, SameOperandsAndResultType]> {
  let summary = "VJP of groupsort: routes dy back through the sorting permutation";
  let arguments = (ins WL_Tensor2D:$input, WL_Tensor2D:$grad, I64Attr:$group);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$input `,` $grad `,` $group attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def WL_RowNormOp : WL_Op<"row_norm", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>,
    WL_LipschitzOpInterface]> {
  let summary = "rms_norm or layer_norm of each row, without learned parameters";
  let description = [{
    Over the last dimension of [rows, n] (an example, or one position of a
    sequence): `rms` is x / sqrt(mean(x²) + eps), `layer` is
    (x − mean x) / sqrt(var x + eps) with the biased variance
    (ALGORITHMS.md). Both are 1/sqrt(eps)-Lipschitz in l2: the Jacobian of
    x ↦ √n·x / sqrt(‖x‖² + n·eps) has norm at most 1/sqrt(eps) (at x = 0),
    and layer applies it to the centred x, an orthogonal projection of x.
  }];
  let arguments = (ins WL_Tensor2D:$input, WL_RowNormKindAttr:$kind, F64Attr:$eps);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$kind $input `,` $eps attr-dict `:` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    double getLipschitzConstant() {
      return 1.0 / std::sqrt(getEpsAttr().getValueAsDouble());
    }
  }];
}

def WL_RowNormGradOp : WL_Op<"row_norm_grad", [Pure, SameOperandsAndResultType]> {
  let summary = "VJP of wl.row_norm: dx from x and dy (the statistics recomputed)";
  let description = [{
    With r = 1/sqrt(s + eps) and y the output: `rms` gives
    dx = r·(dy − y·mean(dy ⊙ y)), `layer` dx = r·(dy − mean(dy) − y·mean(dy ⊙ y)).
  }];
  let arguments = (ins WL_Tensor2D:$input, WL_Tensor2D:$grad,
                       WL_RowNormKindAttr:$kind, F64Attr:$eps);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$kind $input `,` $grad `,` $eps attr-dict `:` type($result)";
  let hasVerifier = 1;
}

#endif // WL_ACTIVATION_OPS_TD

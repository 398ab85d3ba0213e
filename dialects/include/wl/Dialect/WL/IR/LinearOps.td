//===- LinearOps.td - linear maps, sums, reductions --------*- tablegen -*-===//
#ifndef WL_LINEAR_OPS_TD
#define WL_LINEAR_OPS_TD

include "wl/Dialect/WL/IR/WLDialect.td"
include "wl/Dialect/WL/IR/WLInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def WL_Tensor2D : TensorRankOf<[F32], [2]>;
def WL_Tensor1D : TensorRankOf<[F32], [1]>;

def WL_LinearOp : WL_Op<"linear", [Pure,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "dense linear map y = x Wᵀ on a batch";
  let description = [{
    `x` is `[B, IN]`, `weight` is `[OUT, IN]`, the result `[B, OUT]`.
  }];
  let arguments = (ins WL_Tensor2D:$input, WL_Tensor2D:$weight);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$input `,` $weight attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def WL_MatmulOp : WL_Op<"matmul", [Pure,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "matrix product op(A) · op(B) with optional transposes";
  let description = [{
    Used by VJP rules: for `wl.linear`, dx = dy · W and dW = dyᵀ · x.
  }];
  let arguments = (ins WL_Tensor2D:$lhs, WL_Tensor2D:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def WL_BiasAddOp : WL_Op<"bias_add", [Pure,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "adds a bias vector to every row: y[b, j] = x[b, j] + bias[j]";
  let arguments = (ins WL_Tensor2D:$input, WL_Tensor1D:$bias);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$input `,` $bias attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def WL_ReduceBatchOp : WL_Op<"reduce_batch", [Pure]> {
  let summary = "sums over the batch dimension: y[j] = Σ_b x[b, j]";
  let arguments = (ins WL_Tensor2D:$input);
  let results = (outs WL_Tensor1D:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def WL_AddOp : WL_Op<"add", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "elementwise sum (residual connections, adjoint accumulation)";
  let arguments = (ins RankedTensorOf<[F32]>:$lhs, RankedTensorOf<[F32]>:$rhs);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def WL_ScaleOp : WL_Op<"scale", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>,
    DeclareOpInterfaceMethods<WL_LipschitzOpInterface>]> {
  let summary = "multiplies by a compile-time constant: y = factor · x";
  let arguments = (ins RankedTensorOf<[F32]>:$input, F64Attr:$factor);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = "$input `,` $factor attr-dict `:` type($result)";
}

#endif // WL_LINEAR_OPS_TD

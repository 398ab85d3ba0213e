//===- LossOps.td - training objectives --------------------*- tablegen -*-===//
#ifndef WL_LOSS_OPS_TD
#define WL_LOSS_OPS_TD

include "wl/Dialect/WL/IR/WLDialect.td"
include "wl/Dialect/WL/IR/WLInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def WL_CrossEntropyOp : WL_Op<"cross_entropy", [Pure,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "mean over the batch of logsumexp(z_b) − z_b[y_b]";
  let arguments = (ins WL_Tensor2D:$logits, TensorRankOf<[I32], [1]>:$labels);
  let results = (outs F32:$result);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` type($logits) `,` type($labels)";
  let hasVerifier = 1;
}

def WL_CrossEntropyGradOp : WL_Op<"cross_entropy_grad", [Pure, AllTypesMatch<["logits", "result"]>]> {
  let summary = "VJP of cross_entropy: dz = (softmax(z) − onehot(y)) · dl / B";
  let arguments = (ins WL_Tensor2D:$logits, TensorRankOf<[I32], [1]>:$labels, F32:$grad);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$logits `,` $labels `,` $grad attr-dict `:` type($logits) `,` type($labels)";
  let hasVerifier = 1;
}

def WL_MseOp : WL_Op<"mse", [Pure, AllTypesMatch<["prediction", "target"]>,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "mean over all elements of (z − t)²";
  let arguments = (ins WL_Tensor2D:$prediction, WL_Tensor2D:$target);
  let results = (outs F32:$result);
  let assemblyFormat = "$prediction `,` $target attr-dict `:` type($prediction)";
}

def WL_MseGradOp : WL_Op<"mse_grad", [Pure, AllTypesMatch<["prediction", "target", "result"]>]> {
  let summary = "VJP of mse: dz = 2 (z − t) · dl / numel";
  let arguments = (ins WL_Tensor2D:$prediction, WL_Tensor2D:$target, F32:$grad);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$prediction `,` $target `,` $grad attr-dict `:` type($prediction)";
}

#endif // WL_LOSS_OPS_TD

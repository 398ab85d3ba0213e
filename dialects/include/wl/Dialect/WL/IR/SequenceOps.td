//===- SequenceOps.td - positions, embeddings, attention ---*- tablegen -*-===//
//
// Sequence values are in "row form": a per-example [T, d] value is a
// [B·T, d] tensor whose row b·T + t is position t of example b, so every
// per-position op (layers, activations, wl.row_norm) applies unchanged. The
// ops here are the ones that mix positions or read token ids. Verifiers and
// VJP rules live in SequenceOps.cpp, the lowering in WLToLinalg/Sequence.cpp
// and WLToLinalg/Attention.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef WL_SEQUENCE_OPS_TD
#define WL_SEQUENCE_OPS_TD

include "wl/Dialect/WL/IR/WLDialect.td"
include "wl/Dialect/WL/IR/WLInterfaces.td"
include "wl/Dialect/WL/IR/LinearOps.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def WL_TokenIds : TensorRankOf<[I32], [2]>;

def WL_PositionsOp : WL_Op<"positions", [Pure]> {
  let summary = "the position ids [B, T] of a batch: ids[b, t] = t";
  let description = [{
    B is dimension 0 of `like` (any ranked tensor of the batch); the result
    is `tensor<?xTxi32>` with T = `length`. Integer-valued, so it has no
    VJP: the embedding that reads it gives its ids a null adjoint.

    ```mlir
    %p = wl.positions %ids {length = 8 : i64} : tensor<?x8xi32> -> tensor<?x8xi32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$like, I64Attr:$length);
  let results = (outs WL_TokenIds:$result);
  let assemblyFormat = "$like attr-dict `:` type($like) `->` type($result)";
  let hasVerifier = 1;
}

def WL_EmbeddingOp : WL_Op<"embedding", [Pure,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "table lookup: out[b·T + t, :] = table[ids[b, t], :]";
  let description = [{
    `table` is [V, D] (nn.Embedding's layout), `ids` [B, T]; the result is
    in row form, [B·T, D]. The lowering clamps every id into [0, V) so that
    it never reads out of bounds (the runtime refuses bad ids before the
    call; the clamp only guards memory). VJP: the table's adjoint is
    `wl.embedding_grad`, the ids have none.
  }];
  let arguments = (ins WL_Tensor2D:$table, WL_TokenIds:$ids);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$table `,` $ids attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def WL_EmbeddingGradOp : WL_Op<"embedding_grad", [Pure]> {
  let summary = "VJP of wl.embedding: dtable[ids[b, t], :] += dy[b·T + t, :]";
  let description = [{
    A scatter-add into a zero [V, D] table (ids may repeat; clamped as in
    the forward). Only the rows of the ids that occur are touched.
  }];
  let arguments = (ins WL_TokenIds:$ids, WL_Tensor2D:$grad);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$ids `,` $grad attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

/// Attributes of wl.attention and its VJP.
defvar WL_AttentionAttrs = (ins I64Attr:$length, I64Attr:$heads,
    BoolAttr:$causal, F64Attr:$scale, BoolAttr:$rope, F64Attr:$rope_base);

def WL_AttentionOp : WL_Op<"attention", [Pure,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "multi-head scaled dot-product attention over row-form sequences";
  let description = [{
    `q`, `k`, `v` are [B·T, D] (T = `length`). For example b and head h
    (columns h·m .. h·m + m − 1, m = D / `heads`, of rows b·T .. b·T + T − 1):
    with `rope`, q and k are rotated (the rotate_half convention, θ_j =
    `rope_base`^(−2j/m)); z_ts = `scale`·⟨q_t, k_s⟩, −∞ for s > t when
    `causal`; A_t = softmax(z_t) and out_t = Σ_s A_ts v_s (ALGORITHMS.md,
    "Sequences and attention"). `stats` [B·T, heads] holds each row's
    logsumexp, which the VJP uses to recompute A without saving it.

    The lowering is a fused kernel: per (example, head, query tile) it walks
    the key tiles with an online softmax, skips the tiles above the diagonal
    when causal, and never materialises the [T, T] scores of more than one
    tile.

    ```mlir
    %out, %stats = wl.attention %q, %k, %v {length = 8 : i64, heads = 2 : i64,
        causal = true, scale = 0.25 : f64, rope = true, rope_base = 10000.0 : f64}
        : (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>)
        -> (tensor<?x32xf32>, tensor<?x2xf32>)
    ```
  }];
  let arguments = !con((ins WL_Tensor2D:$q, WL_Tensor2D:$k, WL_Tensor2D:$v),
                       WL_AttentionAttrs);
  let results = (outs WL_Tensor2D:$out, WL_Tensor2D:$stats);
  let assemblyFormat = "$q `,` $k `,` $v attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::TypeRange":$resultTypes, "::mlir::Value":$q,
      "::mlir::Value":$k, "::mlir::Value":$v, "int64_t":$length,
      "int64_t":$heads, "bool":$causal, "double":$scale, "bool":$rope,
      "double":$ropeBase), [{
      build($_builder, $_state, resultTypes, q, k, v,
            $_builder.getI64IntegerAttr(length),
            $_builder.getI64IntegerAttr(heads), $_builder.getBoolAttr(causal),
            $_builder.getF64FloatAttr(scale), $_builder.getBoolAttr(rope),
            $_builder.getF64FloatAttr(ropeBase));
    }]>
  ];
}

def WL_AttentionGradOp : WL_Op<"attention_grad", [Pure]> {
  let summary = "VJP of wl.attention: (dq, dk, dv) from q, k, v, out, stats, dout";
  let description = [{
    Same attributes as the forward. FlashAttention-2's backward: per tile the
    probabilities are recomputed from q, k and the saved logsumexp `stats`;
    with D_t = ⟨dout_t, out_t⟩, dz = A ⊙ (dout vᵀ − D), dv = Aᵀ dout,
    dq = scale·dz k, dk = scale·dzᵀ q, in the original (un-rotated)
    coordinates: the inverse rotation is applied to dq and dk.
  }];
  let arguments = !con((ins WL_Tensor2D:$q, WL_Tensor2D:$k, WL_Tensor2D:$v,
                            WL_Tensor2D:$out, WL_Tensor2D:$stats,
                            WL_Tensor2D:$dout),
                       WL_AttentionAttrs);
  let results = (outs WL_Tensor2D:$dq, WL_Tensor2D:$dk, WL_Tensor2D:$dv);
  let assemblyFormat = "$q `,` $k `,` $v `,` $out `,` $stats `,` $dout attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def WL_MeanPoolOp : WL_Op<"mean_pool", [Pure,
    DeclareOpInterfaceMethods<WL_DifferentiableOpInterface>]> {
  let summary = "mean over the positions: y[b, :] = (1/T) Σ_t h[b·T + t, :]";
  let description = [{
    Row form [B·T, D] in, one row per example [B, D] out (T = `length`).
    1-Lipschitz in the sequence norm max_t ‖h_t‖₂. VJP: `wl.mean_pool_grad`.
  }];
  let arguments = (ins WL_Tensor2D:$input, I64Attr:$length);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def WL_MeanPoolGradOp : WL_Op<"mean_pool_grad", [Pure]> {
  let summary = "VJP of wl.mean_pool: dh[b·T + t, :] = dy[b, :] / T";
  let arguments = (ins WL_Tensor2D:$grad, I64Attr:$length);
  let results = (outs WL_Tensor2D:$result);
  let assemblyFormat = "$grad attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // WL_SEQUENCE_OPS_TD

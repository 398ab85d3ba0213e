"""wl.Model and wl.torch.Module on a token model (token_model.test).

argv: the path of a token-model library. Today that is lib/libfaketok.so, the
runtime's fake token model (test/unit/FakeTokenModel.c: ids i32[4] < 5, an
embedding E [5, 2] and a head [3, 2] per position, logits [4, 3], per-position
labels, mean cross entropy, SGD lr 0.5).
"""
import sys

import numpy as np
import torch

from pycheck import check, close, guarded, raises
import wl
import wl.torch

T, V, D, C = 4, 5, 2, 3


def reference(p, ids):
    """float64 logits [B, T, C] of the fake model."""
    e = p["E.weight"].astype(np.float64)[ids]
    return e @ p["head.weight"].astype(np.float64).T


def main():
    lib = wl.load_library(sys.argv[1])
    check("queries", lib.input_kind == "tokens" and lib.sequence_length == T
          and lib.label_size == T and lib.input_shape == (T,) and lib.output_shape == (T, C),
          repr(lib))
    m = lib.create(seed=1)
    p = {k: v for k, v in m.params.items()}
    ids64 = np.array([[0, 1, 2, 3], [4, 4, 0, 2]], np.int64)
    y = m.forward(ids64)
    close("forward_int64", y, reference(p, ids64))
    close("forward_int32", m.forward(ids64.astype(np.int32)), reference(p, ids64))
    close("forward_one_example", m.forward(ids64[1]), reference(p, ids64)[1])
    check("forward_shape", y.shape == (2, T, C) and y.dtype == np.float32, str(y.shape))

    # Errors: C's id range (WLError naming example and position), int32 range and
    # dtype in Python; the model is unchanged.
    bad = ids64.copy()
    bad[1, 2] = 70
    e = raises("id_range", wl.WLError, m.forward, bad,
               contains=["wl_forward: token id 70 at example 1, position 2 is outside [0, 5)"])
    check("id_range_status", e is not None and e.status_name == "WL_ERR_ARG")
    bad[1, 2] = 2 ** 40
    raises("id_int32_range", ValueError, m.forward, bad, contains=["outside the int32 range"])
    raises("id_float", TypeError, m.forward, ids64.astype(np.float32),
           contains=["integer token ids"])
    raises("id_width", ValueError, m.forward, ids64[:, :3],
           contains=["x must have shape [B, 4]", "int32 token ids", "[2, 3]"])
    check("unchanged", all(np.array_equal(m.params[k], p[k]) for k in p))

    # backward: no input gradient; the parameters' gradients accumulate.
    dy = np.zeros((2, T, C), np.float32)
    dy[:, :, 0] = 1
    m.zero_grad()
    check("backward_none", m.backward(ids64, dy) is None)
    g = m.grads["E.weight"]
    want = np.zeros((V, D))
    for i in ids64.ravel():
        want[i] += p["head.weight"][0]
    close("backward_embedding_grad", g, want)
    raises("backward_out", ValueError, m.backward, ids64, dy, out=np.empty((2, T), np.float32),
           contains=["no input gradient"])

    # Per-position labels [B, T].
    labels = np.array([[0, 1, 2, 0], [1, 2, 0, 1]], np.int32)
    first = m.loss(ids64, labels)
    for _ in range(30):
        m.train_step(ids64, labels)
    last = m.loss(ids64, labels)
    check("train_lowers_loss", last < 0.7 * first, "%g -> %g" % (first, last))
    raises("labels_shape", ValueError, m.loss, ids64, labels[:, 0],
           contains=["y must have shape [2, 4]"])
    raises("labels_range", wl.WLError, m.loss, ids64, labels + 1,
           contains=["label 3 at example 0, position 2 is outside [0, 3)"])

    # wl.torch.Module: int64 id tensors, the output [B, T, C] against torch's
    # embedding, the wl parameters' gradients, no input gradient.
    block = wl.torch.Module(lib, seed=2)
    w = {k: v.double() for k, v in block.wl_parameters().items()}
    ids = torch.tensor(ids64)
    out = block(ids)
    check("torch_forward", out.shape == (2, T, C) and out.dtype == torch.float32)
    ref = torch.nn.functional.embedding(ids, w["E.weight"]) @ w["head.weight"].T
    check("torch_forward_values", torch.allclose(out.double(), ref, atol=1e-5))
    block.zero_grad()
    out.sum().backward()
    g = block.wl_gradients()["E.weight"].double()
    E = w["E.weight"].clone().requires_grad_(True)
    (torch.nn.functional.embedding(ids, E) @ w["head.weight"].T).sum().backward()
    check("torch_embedding_grad", torch.allclose(g, E.grad, atol=1e-5))
    try:
        block(ids.float())
        check("torch_float_ids", False, "no error")
    except TypeError:
        check("torch_float_ids", True)


guarded(main)

"""CPU/sequence_lm.wl: a 2-block causal transformer LM against float64 PyTorch."""
import sys

import numpy as np
import torch

import seqref as S
import wl
import wlcheck

T, V = 8, 11


def forward(p, ids):
    h = p["tok.weight"][ids] + p["pos.weight"][torch.arange(T)][None]
    h = h + S.linear(p, "o1", S.attention(S.linear(p, "q1", h), S.linear(p, "k1", h),
                                          S.linear(p, "v1", h), 2, causal=True, rope=True))
    h = h + S.linear(p, "m2", torch.nn.functional.gelu(S.linear(p, "m1", S.rms_norm(h))))
    a = S.rms_norm(h)
    h = h + S.linear(p, "o2", S.attention(S.linear(p, "q2", a), S.linear(p, "k2", a),
                                          S.linear(p, "v2", a), 4, causal=True, scale=0.25))
    return S.linear(p, "head", torch.nn.functional.layer_norm(h, (16,), eps=1e-5))


def cross_entropy(logits, labels):
    return torch.nn.functional.cross_entropy(logits.reshape(-1, V), torch.tensor(labels, dtype=torch.long).reshape(-1))


def main():
    m = wl.load_library(sys.argv[1]).create(seed=1)
    rng = np.random.default_rng(0)
    ids = rng.integers(0, V, size=(3, T)).astype(np.int32)
    ids_ref = torch.tensor(ids, dtype=torch.long)
    S.gradcheck_reference(forward, S.params_of(m), ids_ref[:1], ["q1.weight", "k2.weight", "tok.weight"])
    S.check_forward_and_grads(m, forward, ids, ids_ref, rng, dx_expected=False)
    one = ids[1:2].astype(np.int64)
    wlcheck.ok("forward_b1", S.rel(m.forward(one), forward(S.params_of(m), ids_ref[1:2]).detach().numpy()), S.TOL)

    # A later token never changes earlier logits.
    y = m.forward(ids)
    changed = ids.copy()
    changed[:, 5] = (changed[:, 5] + 3) % V
    y2 = m.forward(changed)
    wlcheck.expect(np.array_equal(y[:, :5], y2[:, :5]) and not np.array_equal(y[:, 5:], y2[:, 5:]),
                   "causal", "max change before position 5: %g" % np.abs(y[:, :5] - y2[:, :5]).max())

    labels = rng.integers(0, V, size=(3, T)).astype(np.int32)
    S.check_step(m, forward, cross_entropy, ids, ids_ref, labels,
                 lambda ps: torch.optim.AdamW(ps, lr=1e-2), "adamw",
                 project=lambda p: S.row_norm_bound(p["tok.weight"], 1.0))

    before = {k: v.copy() for k, v in m.params.items()}
    bad = ids.copy()
    bad[2, 6] = V
    try:
        m.train_step(bad, labels)
        wlcheck.expect(False, "id_out_of_range", "an id of V was accepted")
    except wl.WLError as e:
        wlcheck.expect("example 2, position 6" in str(e), "id_out_of_range", str(e))
    wlcheck.expect(all(np.array_equal(before[k], v) for k, v in m.params.items()), "unchanged_after_error")


if __name__ == "__main__":
    try:
        main()
    except wlcheck.Failure as e:
        print("FAIL", e, file=sys.stderr)
        sys.exit(1)

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


class TorchLM(torch.nn.Module):
    """The same model as a PyTorch user writes it: nn.Embedding and nn.Linear
    named like the .wl layers, so wl_export_dense's file is its state dict."""

    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.tok, self.pos = nn.Embedding(V, 16), nn.Embedding(T, 16)
        for name in ("q1", "k1", "v1", "q2", "k2", "v2"):
            setattr(self, name, nn.Linear(16, 16, bias=False))
        self.o1, self.o2, self.m2 = nn.Linear(16, 16), nn.Linear(16, 16), nn.Linear(32, 16)
        self.m1, self.head = nn.Linear(16, 32), nn.Linear(16, V)

    def forward(self, ids):
        p = {k: v for k, v in self.state_dict().items()}
        return forward(p, ids)


def check_export(m, ids, scratch):
    """export_dense loads into TorchLM with strict=True and computes the same
    logits; a checkpoint restores the model bit for bit."""
    from wl.safetensors import load_file
    path = scratch + ".dense.safetensors"
    m.export_dense(path)
    net = TorchLM().double()
    net.load_state_dict({k: torch.tensor(v, dtype=torch.float64) for k, v in load_file(path).items()},
                        strict=True)
    with torch.no_grad():
        y = net(torch.tensor(ids, dtype=torch.long)).numpy()
    wlcheck.ok("export_dense_module", S.rel(m.forward(ids), y), S.TOL)
    ckpt = scratch + ".ckpt.safetensors"
    m.save(ckpt)
    before = m.forward(ids)
    m2 = wl.load_library(sys.argv[1]).create(seed=9)
    m2.load(ckpt)
    wlcheck.expect(np.array_equal(m2.forward(ids), before), "checkpoint_round_trip")


def project(p):
    """The constraints after the step: tok's rows, pos's spectral norm."""
    S.row_norm_bound(p["tok.weight"], 1.0)
    S.svd_clip(p["pos.weight"], 2.0)


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
                 project=project)
    after = m.params
    rows, sigma = np.linalg.norm(after["tok.weight"], axis=1).max(), np.linalg.norm(after["pos.weight"], 2)
    wlcheck.expect(rows <= 1 + 1e-6 and sigma <= 2 * (1 + 1e-5), "embedding_constraints",
                   "max row norm %.8g (bound 1), sigma_max %.8g (bound 2)" % (rows, sigma))

    check_export(m, ids, sys.argv[2])
    bad = ids.copy()
    bad[2, 6] = V
    S.check_refused(m, bad, labels, "id_out_of_range", "example 2, position 6")

if __name__ == "__main__":
    S.run(main)

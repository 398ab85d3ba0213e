"""CPU/sequence_classifier.wl: a float-sequence classifier against float64 PyTorch."""
import sys

import numpy as np
import torch

import seqref as S
import wl


def forward(p, x):
    x = x.reshape(-1, 6, 4)
    h = S.linear(p, "inp", x)
    h = h + S.attention(S.linear(p, "q", h), S.linear(p, "k", h), S.linear(p, "v", h), 2)
    pooled = torch.relu(h).mean(1)
    return S.linear(p, "head", pooled + 0.5 * S.linear(p, "flat", x.reshape(-1, 24)))


def cross_entropy(logits, labels):
    return torch.nn.functional.cross_entropy(logits, torch.tensor(labels, dtype=torch.long))


def inside(rng, b):
    """[b, 6, 4] with every position's norm at most 2."""
    x = rng.normal(size=(b, 6, 4))
    return x * (rng.uniform(0.1, 2.0, size=(b, 6, 1)) / np.linalg.norm(x, axis=2, keepdims=True))


def main():
    m = wl.load_library(sys.argv[1]).create(seed=3)
    rng = np.random.default_rng(1)
    x = inside(rng, 4).astype(np.float32)
    x_ref = torch.tensor(x, dtype=torch.float64)
    S.gradcheck_reference(forward, S.params_of(m), x_ref[:2], ["q.weight", "k.weight", "inp.bias"])
    S.check_forward_and_grads(m, forward, x, x_ref, rng, dx_expected=True)
    labels = rng.integers(0, 3, size=4).astype(np.int32)
    S.check_step(m, forward, cross_entropy, x, x_ref, labels,
                 lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9), "sgd")

    bad = x.copy()
    bad[3, 4] *= 2.5 / np.linalg.norm(bad[3, 4])
    S.check_refused(m, bad, labels, "outside_domain", "example 3, position 4")

if __name__ == "__main__":
    S.run(main)

"""CPU/sequence_adapters.wl: LoRA / Kronecker / lowrank projections of an
attention block against float64 PyTorch (each W built from its factors)."""
import sys

import numpy as np
import torch

import seqref as S
import wl


def weights(p):
    kron = lambda a, b: sum(torch.kron(a[i], b[i]) for i in range(a.shape[0]))
    return {
        "q": p["q.weight.base"] + (4 / 2) * p["q.weight.lora_B"] @ p["q.weight.lora_A"],
        "k": kron(p["k.weight.A"], p["k.weight.B"]),
        "v": p["v.weight.base"] + kron(p["v.weight.A"], p["v.weight.B"]),
        "o": p["o.weight.U"] @ p["o.weight.V"].T,
    }


def forward(p, x):
    x = x.reshape(-1, 5, 8)
    w = weights(p)
    a = S.attention(x @ w["q"].T, x @ w["k"].T, x @ w["v"].T, 2, causal=True, rope=True)
    return (x + S.linear(p, "o", a, weight=w["o"])).reshape(-1, 40)


def mse(out, target):
    return ((out - torch.tensor(target, dtype=torch.float64)) ** 2).mean()


def main():
    m = wl.load_library(sys.argv[1]).create(seed=5)
    rng = np.random.default_rng(2)
    # Every trainable factor random (LoRA's B starts at zero).
    m.params.update({k: rng.normal(scale=0.4, size=v.shape).astype(np.float32)
                     for k, v in m.params.items() if not k.endswith(".base")})
    x = rng.normal(size=(3, 40)).astype(np.float32)
    x_ref = torch.tensor(x, dtype=torch.float64)
    S.check_forward_and_grads(m, forward, x, x_ref, rng, dx_expected=True)
    y = rng.normal(size=(3, 40)).astype(np.float32)
    S.check_step(m, forward, mse, x, x_ref, y, lambda ps: torch.optim.SGD(ps, lr=0.05), "sgd")


if __name__ == "__main__":
    S.run(main)

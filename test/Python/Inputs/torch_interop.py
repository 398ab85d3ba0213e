"""wl.torch.Module inside PyTorch graphs (torch_interop.test).

argv: the cache directory for wl.compile. Prints "OK <check>" lines; any failed
check prints "FAIL <check>: ..." and the exit status is 1.
"""
import os
import sys

import numpy as np
import torch

import wl
import wl.torch

torch.manual_seed(0)
failures = []


def check(name, ok, detail=""):
    print(("OK %s" % name) if ok else ("FAIL %s: %s" % (name, detail)))
    if not ok:
        failures.append(name)


here = os.path.dirname(os.path.abspath(__file__))
lib = wl.compile(os.path.join(here, "torch_mlp.wl"), cache_dir=sys.argv[1])
block = wl.torch.Module(lib, seed=3)
check("is_nn_module", isinstance(block, torch.nn.Module))
params = {k: v.double() for k, v in block.wl_parameters().items()}


def replica(x, p):
    """The same network in torch (float64): fc2(tanh(fc1(x)))."""
    h = torch.tanh(x @ p["fc1.weight"].T + p["fc1.bias"])
    return h @ p["fc2.weight"].T + p["fc2.bias"]


# 1. torch.autograd.gradcheck: the Function's dx against finite differences of
#    its forward (float64 inputs, computed in float32 inside: loose tolerances).
x64 = torch.randn(3, 6, dtype=torch.float64, requires_grad=True)
ok = torch.autograd.gradcheck(block, (x64,), eps=1e-3, atol=1e-3, rtol=1e-3, raise_exception=False)
check("gradcheck", ok)

# 2. dx against central finite differences of the float64 replica.
x = torch.randn(4, 6, dtype=torch.float64)
w = torch.randn(4, 4, dtype=torch.float64)
xr = x.clone().requires_grad_(True)
(block(xr) * w).sum().backward()
fd = torch.zeros_like(x)
h = 1e-6
for i in range(x.shape[0]):
    for j in range(x.shape[1]):
        e = torch.zeros_like(x)
        e[i, j] = h
        fd[i, j] = ((replica(x + e, params) * w).sum() - (replica(x - e, params) * w).sum()) / (2 * h)
err = (xr.grad - fd).norm() / fd.norm()
check("dx_vs_float64_finite_differences", err < 1e-5, "relative error %.3g" % err)
block.zero_grad()

# 3. Inside a larger model: stem (torch) -> block (wl) -> head (torch), trained
#    by PyTorch's loss. Gradients reaching stem and head, and the wl parameters'
#    gradients, equal those of the all-torch replica.
stem = torch.nn.Linear(5, 6)
head = torch.nn.Linear(4, 3)
xb = torch.randn(7, 5)
yb = torch.randint(0, 3, (7,))
loss = torch.nn.functional.cross_entropy(head(block(stem(xb))), yb)
loss.backward()
stem_grad, head_grad = stem.weight.grad.clone(), head.weight.grad.clone()
wl_grads = block.wl_gradients()
stem.zero_grad()
head.zero_grad()
p32 = {k: v.float().clone().requires_grad_(True) for k, v in block.wl_parameters().items()}
ref_loss = torch.nn.functional.cross_entropy(head(replica(stem(xb), p32)), yb)
ref_loss.backward()
check("loss_matches", abs(loss.item() - ref_loss.item()) < 1e-5,
      "%r vs %r" % (loss.item(), ref_loss.item()))
check("stem_grad_matches", torch.allclose(stem_grad, stem.weight.grad, rtol=1e-4, atol=1e-6))
check("head_grad_matches", torch.allclose(head_grad, head.weight.grad, rtol=1e-4, atol=1e-6))
check("wl_grads_match", all(torch.allclose(wl_grads[k], p32[k].grad, rtol=1e-4, atol=1e-6)
                            for k in wl_grads), str({k: (wl_grads[k] - p32[k].grad).abs().max().item() for k in wl_grads}))

# 4. block.step(): the generated SGD step (w - 0.1 g), then zeroed gradients.
before = block.wl_parameters()
block.step()
after = block.wl_parameters()
check("step_is_sgd", all(torch.allclose(after[k], before[k] - 0.1 * wl_grads[k], rtol=1e-5, atol=1e-7)
                         for k in wl_grads))
check("step_zeroes_grads", all(float(g.abs().max()) == 0.0 for g in block.wl_gradients().values()))
check("step_count", block.model.step_count == 1, str(block.model.step_count))

# 5. A few steps of joint training lower the loss.
opt = torch.optim.SGD(list(stem.parameters()) + list(head.parameters()), lr=0.1)
losses = []
for _ in range(20):
    opt.zero_grad()
    block.zero_grad()
    loss = torch.nn.functional.cross_entropy(head(block(stem(xb))), yb)
    loss.backward()
    opt.step()
    block.step()
    losses.append(loss.item())
check("joint_training_lowers_loss", losses[-1] < 0.7 * losses[0], str(losses[:: 5]))

# 6. Clear errors before reaching C.
for name, bad, kind in (("wrong_width", torch.randn(2, 5), ValueError),
                        ("integer_input", torch.ones(2, 6, dtype=torch.int32), TypeError)):
    try:
        block(bad)
        check(name, False, "no exception")
    except kind as e:
        check(name, "TorchMLP" in str(e), str(e))

# 7. Merged dense weights exported by the library load into a plain torch.nn.Linear
#    stack (through wl.safetensors, the same format safetensors.torch reads) that
#    reproduces the model's forward.
export = os.path.join(sys.argv[1], "dense.safetensors")
block.model.export_dense(export)
tensors = {k: torch.from_numpy(v) for k, v in wl.safetensors.load_file(export).items()}
stack = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 4))
stack[0].load_state_dict({"weight": tensors["fc1.weight"], "bias": tensors["fc1.bias"]})
stack[2].load_state_dict({"weight": tensors["fc2.weight"], "bias": tensors["fc2.bias"]})
xs = torch.randn(5, 6)
with torch.no_grad():
    check("export_dense_torch_linear_stack",
          torch.allclose(stack(xs), block(xs), rtol=1e-5, atol=1e-6),
          str((stack(xs) - block(xs)).abs().max().item()))

# 8. Parameters written from torch reach the library.
new = {k: torch.zeros_like(v) for k, v in block.wl_parameters().items()}
block.load_wl_parameters(new)
check("load_wl_parameters", float(block(torch.randn(2, 6)).abs().max()) == 0.0)

print("%d failed" % len(failures))
sys.exit(1 if failures else 0)

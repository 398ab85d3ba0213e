"""PyTorch interop: a compiled wl model as a torch.nn.Module.

    import wl, wl.torch
    lib = wl.compile("model.wl")
    block = wl.torch.Module(lib, seed=0)      # a torch.nn.Module
    y = head(block(stem(x)))                  # inside any PyTorch graph
    loss.backward()                           # dx flows back into `stem`; the wl
                                              # parameters' gradients accumulate in the library
    torch_opt.step(); block.step()            # block.step(): the generated optimizer step
                                              # and constraints, then its gradients are zeroed

The forward is a torch.autograd.Function calling wl_forward; its backward calls
wl_backward, which returns dx and accumulates the gradients of the wl parameters
inside the library (they are not torch Parameters: the library owns them and
its own optimizer updates them). Inputs of any floating dtype are computed in
float32 and the results cast back to the input's dtype (so float64 inputs work,
e.g. for torch.autograd.gradcheck); tensors on another device are moved to the
CPU for the call and the results moved back.
"""
import numpy as np
import torch

import wl as _wl


class _Apply(torch.autograd.Function):
    """y = model(x); backward: dx, and the model's parameter gradients accumulated."""

    @staticmethod
    def forward(ctx, x, anchor, model):
        ctx.model = model
        ctx.save_for_backward(x)
        y = model.forward(_to_numpy(x))
        return torch.from_numpy(y).to(dtype=x.dtype, device=x.device)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        dx = ctx.model.backward(_to_numpy(x), _to_numpy(dy))
        dx = torch.from_numpy(dx).to(dtype=x.dtype, device=x.device)
        return (dx if ctx.needs_input_grad[0] else None), None, None


def _to_numpy(t):
    """float32, C-contiguous, on the host (what the C ABI takes)."""
    return np.ascontiguousarray(t.detach().to(device="cpu", dtype=torch.float32).numpy())


class Module(torch.nn.Module):
    """A wl model (one wl_model of `lib`) as a torch.nn.Module.

    `lib` is a wl.Library, or a path: a .wl file (compiled with wl.compile) or a
    lib<model>.so (wl.load_library). The model's parameters stay in the library;
    `wl_parameters()` returns copies as tensors and `load_wl_parameters()` writes them.
    """

    def __init__(self, lib, seed=0):
        super().__init__()
        if isinstance(lib, str):
            lib = _wl.load_library(lib) if lib.endswith(".so") else _wl.compile(lib)
        self.lib = lib
        self.model = lib.create(seed)
        # autograd calls a Function's backward only when one of its inputs
        # requires grad; the input batch usually does not, the wl parameters
        # are not tensors, so this empty parameter stands in for them.
        self._wl_anchor = torch.nn.Parameter(torch.zeros(0))

    def forward(self, x):
        if x.dim() != 2 or x.shape[1] != self.lib.input_size:
            raise ValueError("wl.torch.Module(%s): input must be [batch, %d], got %s"
                             % (self.lib.name, self.lib.input_size, tuple(x.shape)))
        if not x.is_floating_point():
            raise TypeError("wl.torch.Module(%s): input must be a floating tensor, got %s"
                            % (self.lib.name, x.dtype))
        return _Apply.apply(x, self._wl_anchor, self.model)

    def step(self, zero_grad=True):
        """The generated optimizer update and constraint enforcement (wl_step), then,
        unless zero_grad is False, the wl gradients are zeroed for the next batch."""
        self.model.step()
        if zero_grad:
            self.model.zero_grad()

    def zero_grad(self, set_to_none=True):
        super().zero_grad(set_to_none=set_to_none)
        self.model.zero_grad()

    def wl_parameters(self):
        """name -> torch.Tensor (a copy) of every wl parameter, trainable and frozen."""
        return {name: torch.from_numpy(value) for name, value in self.model.params.items()}

    def wl_gradients(self):
        """name -> torch.Tensor (a copy) of every trainable wl parameter's gradient."""
        return {name: torch.from_numpy(value) for name, value in self.model.grads.items()}

    def load_wl_parameters(self, tensors):
        """Writes wl parameters by name (shapes must match)."""
        for name, value in tensors.items():
            self.model.params[name] = _to_numpy(torch.as_tensor(value))

    def extra_repr(self):
        return "%s: %d -> %d" % (self.lib.name, self.lib.input_size, self.lib.output_size)

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

Sequence models: a token model (lib.input_kind == "tokens") takes an integer tensor
of ids [batch, T] (int64, as nn.Embedding takes them, or int32); its output is
float32 and its backward gives no input gradient (the ids are not differentiable),
only the wl parameters' gradients. A float sequence input f32[T, d] may be given as
[batch, T, d] (or flat [batch, T·d]); dx has the input's shape. The output is
[batch, *lib.output_shape] ([batch, T, classes] for per-position class labels).
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
        tokens = not x.is_floating_point()
        y = model.forward(_ids_numpy(x) if tokens else _to_numpy(x))
        # Token ids are integers: their model's output is float32.
        return torch.from_numpy(y).to(dtype=torch.float32 if tokens else x.dtype, device=x.device)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        if not x.is_floating_point():
            # Token ids: the wl parameters' gradients accumulate, no input gradient.
            ctx.model.backward(_ids_numpy(x), _to_numpy(dy))
            return None, None, None
        dx = ctx.model.backward(_to_numpy(x), _to_numpy(dy))
        dx = torch.from_numpy(dx).to(dtype=x.dtype, device=x.device)
        return (dx if ctx.needs_input_grad[0] else None), None, None


def _to_numpy(t):
    """float32, C-contiguous, on the host (what the C ABI takes)."""
    return np.ascontiguousarray(t.detach().to(device="cpu", dtype=torch.float32).numpy())


def _ids_numpy(t):
    """Token ids on the host as numpy integers (wl.Model converts int64 to int32)."""
    return np.ascontiguousarray(t.detach().to(device="cpu").numpy())


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
        lib = self.lib
        n, shape = lib.input_size, tuple(lib.input_shape)
        if x.dim() < 2 or tuple(x.shape[1:]) not in ((n,), shape):
            forms = " or ".join("[batch, %s]" % ", ".join(str(d) for d in s)
                                for s in dict.fromkeys([(n,), shape]))
            raise ValueError("wl.torch.Module(%s): input must be %s, got %s"
                             % (lib.name, forms, tuple(x.shape)))
        if lib.input_kind == "tokens":
            if x.is_floating_point() or x.is_complex() or x.dtype == torch.bool:
                raise TypeError("wl.torch.Module(%s): input must be an integer tensor of token "
                                "ids (int64 or int32), got %s" % (lib.name, x.dtype))
        elif not x.is_floating_point():
            raise TypeError("wl.torch.Module(%s): input must be a floating tensor, got %s"
                            % (lib.name, x.dtype))
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
        lib = self.lib
        if lib.input_kind == "tokens" or len(lib.input_shape) > 1 or len(lib.output_shape) > 1:
            return "%s: %s%s -> %s" % (lib.name, "tokens " if lib.input_kind == "tokens" else "",
                                      list(lib.input_shape), list(lib.output_shape))
        return "%s: %d -> %d" % (lib.name, lib.input_size, lib.output_size)

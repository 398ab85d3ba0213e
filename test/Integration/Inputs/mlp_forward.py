"""Forward of ForwardMix (CPU/mlp_forward.wl) against the float64 reference."""
import numpy as np

import reference as R
import wlcheck

TOL = 3e-5  # max |y - y_ref| / max |y_ref|: float32 accumulation over <= 24 terms


def forward(p, x):
    h = R.groupsort(R.gelu(R.linear(p, "fc1", x)), 4)
    h = h + R.linear(p, "fc3", R.relu(R.linear(p, "fc2", h)))
    h = 0.5 * h
    a = R.tanh(R.linear(p, "fc4", h))
    b = R.sigmoid(R.linear(p, "fc5", h))
    h = R.gelu_tanh(a) + R.absolute(R.identity(b) + a)
    return R.linear(p, "head", h)


SPEC = R.Spec(
    "ForwardMix", 12, 5,
    {"fc1.weight": (16, 12), "fc1.bias": (16,), "fc2.weight": (24, 16),
     "fc3.weight": (16, 24), "fc3.bias": (16,), "fc4.weight": (8, 16), "fc4.bias": (8,),
     "fc5.weight": (8, 16), "fc5.bias": (8,), "head.weight": (5, 8), "head.bias": (5,)},
    forward, "cross_entropy", {"default": R.adamw(lr=1e-3)})


def params64(m):
    return {k: v.astype(np.float64) for k, v in m.params().items()}


def run(lib, spec):
    rng = np.random.default_rng(1234)
    m = lib.create(seed=3)
    p = params64(m)
    for b in (1, 64):
        x = rng.normal(size=(b, spec.input_size)).astype(np.float32)
        wlcheck.ok("forward_default_init_b%d" % b,
                   R.rel_err(m.forward(x), spec.forward(p, x.astype(np.float64))), TOL)

    p = {k: v.astype(np.float32) for k, v in spec.random_params(rng).items()}
    m.set_params(p)
    p = params64(m)
    for k in p:  # set_param/get_param round trip is exact
        if not np.array_equal(p[k], p[k].astype(np.float32)):
            raise wlcheck.Failure("get_param(%s) changed values" % k)
    for b in (1, 7, 257):
        x = rng.normal(size=(b, spec.input_size)).astype(np.float32)
        wlcheck.ok("forward_random_b%d" % b, R.rel_err(m.forward(x), spec.forward(p, x.astype(np.float64))), TOL)

    x = rng.normal(size=(33, spec.input_size)).astype(np.float32)
    y = m.forward(x)
    rows = np.concatenate([m.forward(x[i:i + 1]) for i in range(x.shape[0])])
    wlcheck.ok("forward_rows_independent", R.rel_err(rows, y), 1e-5)

    x = (20.0 * rng.normal(size=(16, spec.input_size))).astype(np.float32)
    y = m.forward(x)
    wlcheck.ok("forward_large_inputs", R.rel_err(y, spec.forward(p, x.astype(np.float64))), TOL,
               "(finite=%s)" % np.isfinite(y).all())

    before = m.params()
    m.forward(x)
    wlcheck.expect(all(np.array_equal(before[k], v) for k, v in m.params().items()),
                   "forward_keeps_params", "wl_forward changed a parameter")


if __name__ == "__main__":
    wlcheck.main(run, [SPEC])

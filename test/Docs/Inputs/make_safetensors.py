"""Writes the safetensors file that docs/examples/init_from.wl reads.

    make_safetensors.py OUT.safetensors

With wl.safetensors (runtime/python/wl/safetensors.py: numpy only, no safetensors
package needed; lit puts runtime/python on PYTHONPATH).
Tensors: fc1.weight F32 [32, 16], fc1.bias F32 [32], head.weight F64 [4, 32]
(wl_create converts F64, F16 and BF16 to float32).
"""
import sys

import numpy as np

from wl.safetensors import save_file

if __name__ == "__main__":
    rng = np.random.default_rng(0)
    save_file({
        "fc1.weight": (rng.standard_normal((32, 16)) / 4).astype(np.float32),
        "fc1.bias": np.zeros(32, np.float32),
        "head.weight": rng.standard_normal((4, 32)) / np.sqrt(32),  # float64
    }, sys.argv[1], metadata={"source": "docs example"})

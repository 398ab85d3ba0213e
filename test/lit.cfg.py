# lit configuration for the wlc test suite.
import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "WL"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".wl", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.wl_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%wl_src_root", config.wl_src_root))
config.substitutions.append(("%wl_obj_root", config.wl_obj_root))
config.substitutions.append(("%wl_lib_dir", config.wl_lib_dir))
config.substitutions.append(("%test_inputs", os.path.join(config.test_source_root, "Integration", "Inputs")))
# Debian's python3 has numpy (TOOLCHAIN.md); never another python on PATH.
config.substitutions.append(("%python", "/usr/bin/python3"))

llvm_config.use_default_substitutions()
llvm_config.with_system_environment(["HOME", "TMPDIR"])
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.wl_tools_dir, append_path=True)
llvm_config.with_environment("PYTHONPATH", os.path.join(config.wl_src_root, "test", "Integration", "Inputs"), append_path=True)

tools = [
    ToolSubst("wlc", unresolved="fatal"),
    ToolSubst("wl-opt", unresolved="fatal"),
    ToolSubst("wl-runtime-unit", unresolved="ignore"),
    ToolSubst("train_fashion", unresolved="ignore"),
]
llvm_config.add_tool_substitutions(tools, [config.wl_tools_dir, config.llvm_tools_dir])

# Sanity features: the Fashion-MNIST data set and nm are optional.
if os.path.exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"):
    config.available_features.add("fashion-mnist")
if shutil.which("nm"):
    config.available_features.add("nm")

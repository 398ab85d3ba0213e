# lit configuration for the wlc test suite.
import os
import shutil
import subprocess
import sys

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
# LLVM 22's tools by path: an older LLVM's (Debian's default clang, llc) may
# come first on PATH and cannot read LLVM 22's IR.
config.substitutions.append(("%llvm_tools_dir", config.llvm_tools_dir))

# A sanitized build (cmake -DWL_SANITIZE=address,undefined; README,
# "Sanitizers"): libwlrt.a, and so every generated lib<model>.so, needs the
# sanitizer runtime, which has to come first in a process: %preload_sanitizer
# puts it into a plain program (python, a C example) that loads such a
# library. Leak checks stay on in the project's own executables (wlc, wl-opt,
# the unit tests, the fuzzers), which link the runtime themselves; python
# leaks by design, so they are off there.
preload = ""
if config.wl_sanitize:
    config.name = "WL-sanitized"
    config.available_features.add("sanitized")
    for sanitizer in config.wl_sanitize.split(","):
        config.available_features.add("sanitize-" + sanitizer.strip())
    # UBSan: the whole stack of a report; reports are fatal (-fno-sanitize-recover).
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1"
    # LLVM's BumpPtrAllocator poisons a new slab from instrumented inline code
    # (the wl attributes' storage, allocated in our TUs), and the uninstrumented
    # libMLIR.so then writes into it without unpoisoning: a false
    # use-after-poison. Manual poisoning is off; every other check stays on.
    config.environment["ASAN_OPTIONS"] = "allow_user_poisoning=0"
    if config.wl_sanitizer_preload:
        preload = "env LD_PRELOAD=%s" % config.wl_sanitizer_preload
config.substitutions.append(("%preload_sanitizer", preload))
# Debian's python3 has numpy (TOOLCHAIN.md); never another python on PATH.
config.substitutions.append(("%python", (preload + " ASAN_OPTIONS=detect_leaks=0:allow_user_poisoning=0 " if preload else "")
                             + "/usr/bin/python3"))

llvm_config.use_default_substitutions()
llvm_config.with_system_environment(["HOME", "TMPDIR"])
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.wl_tools_dir, append_path=True)
llvm_config.with_environment("PYTHONPATH", os.path.join(config.wl_src_root, "test", "Integration", "Inputs"), append_path=True)
# The Python package (runtime/python/wl) from the source tree; it finds wlc
# through $WLC.
llvm_config.with_environment("PYTHONPATH", os.path.join(config.wl_src_root, "runtime", "python"), append_path=True)
llvm_config.with_environment("WLC", os.path.join(config.wl_tools_dir, "wlc"))

# `lit --param wl_target=cuda build/test/Integration/CPU` runs the numeric
# integration suite on libraries built with --target=cuda (Integration/GPU).
wl_target = lit_config.params.get("wl_target", "cpu")
if wl_target not in ("cpu", "cuda"):
    lit_config.fatal("wl_target must be cpu or cuda, not %r" % wl_target)
config.substitutions.append(("%wl_target", wl_target))
if wl_target == "cuda":
    config.test_exec_root = os.path.join(config.wl_obj_root, "test-cuda")
config.substitutions.append(("%lit", "%s %s" % (sys.executable, shutil.which("lit") or "/usr/lib/llvm-22/bin/lit")))

tools = [
    ToolSubst("wlc", unresolved="fatal",
              extra_args=["--target=cuda"] if wl_target == "cuda" else None),
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
# wlc links with LLVM's linker when ld.lld is on PATH (Debian's lld, .ci/setup).
if shutil.which("ld.lld"):
    config.available_features.add("lld")
# wl-train's plots (Debian's python3-matplotlib, installed by .ci/setup).
if subprocess.run(["/usr/bin/python3", "-c", "import matplotlib"], stdout=subprocess.DEVNULL,
                  stderr=subprocess.DEVNULL).returncode == 0:
    config.available_features.add("matplotlib")

# CUDA: `ptxas` where a toolkit is installed (cubins; else wlc embeds PTX), and
# `cuda` only where a GPU answers (Inputs/cuda_probe.py asks the driver), so
# the kernels run only there and the GPU suite is unsupported elsewhere.
for cuda_home in (os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH"), "/usr/local/cuda"):
    if cuda_home and os.access(os.path.join(cuda_home, "bin", "ptxas"), os.X_OK):
        config.available_features.add("ptxas")
        stub = os.path.join(cuda_home, "lib64", "stubs", "libcuda.so")
        if os.path.exists(stub):
            config.available_features.add("cuda-stub-driver")
            config.substitutions.append(("%cuda_stub_driver", stub))
        break
probe = os.path.join(config.test_source_root, "Integration", "Inputs", "cuda_probe.py")
if subprocess.run(["/usr/bin/python3", probe], stdout=subprocess.DEVNULL,
                  stderr=subprocess.DEVNULL).returncode == 0:
    config.available_features.add("cuda")

# The libFuzzer targets exist in a clang build with -DWL_FUZZ=ON (test/fuzz/README.md;
# .ci/build-sanitized): `lit --param wl_fuzz_dir=DIR`, else $WL_FUZZ_DIR, else this build's bin/.
fuzz_dir = (lit_config.params.get("wl_fuzz_dir") or os.environ.get("WL_FUZZ_DIR")
            or config.wl_tools_dir)
if all(os.access(os.path.join(fuzz_dir, t), os.X_OK) for t in ("wl-fuzz-frontend", "wl-fuzz-load")):
    config.available_features.add("fuzz")
config.substitutions.append(("%wl_fuzz_dir", fuzz_dir))

# The sanitized build (.ci/build-sanitized; README, "Sanitizers") that
# Sanitizers/subset.test runs a part of this suite on: `lit --param
# wl_sanitized_build=DIR`, else <source>/build-asan.
sanitized_build = (lit_config.params.get("wl_sanitized_build")
                   or os.path.join(config.wl_src_root, "build-asan"))
if not config.wl_sanitize and os.path.exists(os.path.join(sanitized_build, "test", "lit.site.cfg.py")):
    config.available_features.add("sanitized-build")
config.substitutions.append(("%wl_sanitized_build", sanitized_build))

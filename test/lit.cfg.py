# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "lowbit"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.lowbit_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py",
                   "lit.site.cfg.py", "Inputs"]

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    [ToolSubst("lowbit-opt", unresolved="fatal"),
     ToolSubst("lowbitc", unresolved="fatal"),
     ToolSubst("lowbit-calibrate", unresolved="fatal")],
    [config.lowbit_tools_dir])

# End-to-end tests compile objects, link them with C harnesses and run them:
# natively, and for AArch64 with the cross compiler under qemu-aarch64.
import shutil
config.substitutions.append(("%e2e-inputs", os.path.join(config.test_source_root, "e2e", "Inputs")))
# Every object an e2e test builds must need nothing beyond the symbols
# utils/check-undefined.sh allows (libc's allocator and memory functions,
# the compiler runtime's fp16 conversions).
config.substitutions.append(("%check-undefined", "sh " + os.path.join(os.path.dirname(config.test_source_root), "utils", "check-undefined.sh")))
config.substitutions.append(("%host-cc", shutil.which("clang-22", path=config.llvm_tools_dir + os.pathsep + os.environ.get("PATH", "")) or "cc"))
if shutil.which("qemu-aarch64") and shutil.which("aarch64-linux-gnu-gcc"):
    config.available_features.add("qemu-aarch64")
    config.substitutions.append(("%aarch64-cc", "aarch64-linux-gnu-gcc"))
    # There is no arm64 libomp next to the cross compiler: AArch64 objects
    # are compiled with --threading=none (serial, no OpenMP symbol).
    # Options after the substitution (e.g. -cpu cortex-a53) go to qemu.
    config.substitutions.append(("%qemu-aarch64", "qemu-aarch64 -L /usr/aarch64-linux-gnu"))

# Objects with parallel kernels link LLVM's OpenMP runtime (libomp-22-dev).
omp_dir = "/usr/lib/llvm-22/lib"
if os.path.exists(os.path.join(omp_dir, "libomp.so")):
    config.available_features.add("libomp")
    config.substitutions.append(
        ("%omp-link", "-L{0} -lomp -Wl,-rpath,{0}".format(omp_dir)))

# Tests that run code built for an x86 CPU level need a host that has it.
try:
    with open("/proc/cpuinfo") as cpuinfo:
        flags = next((line.split(":", 1)[1].split() for line in cpuinfo
                      if line.startswith("flags")), [])
except OSError:
    flags = []
if "avx2" in flags and "fma" in flags:
    config.available_features.add("host-avx2")
if all(f in flags for f in ("avx512vbmi", "avx512bw", "avx512vl",
                            "avx512_vnni")):
    config.available_features.add("host-avx512vbmi")

# Real models and data live beside the repository (../shared).
config.substitutions.append(("%shared", config.lowbit_shared_dir))
if os.path.isdir(os.path.join(config.lowbit_shared_dir, "models")):
    config.available_features.add("shared-models")

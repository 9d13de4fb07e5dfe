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
    [ToolSubst("lowbit-opt", unresolved="fatal")],
    [config.lowbit_tools_dir])

# Real models and data live beside the repository (../shared).
config.substitutions.append(("%shared", config.lowbit_shared_dir))
if os.path.isdir(os.path.join(config.lowbit_shared_dir, "models")):
    config.available_features.add("shared-models")

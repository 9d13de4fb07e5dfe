"""tinylm bits per character with every Linear weight replaced by its
quantize-dequantize under c11g128 and under the superblock radix layout
(two-level parameters), both computed by lowbit's numerics library through
lowbit-bench-superblock; everything else stays fp32. The evaluation protocol
of ../shared/models/README.md (312 windows of 64 ids, bpc in double).

  /usr/bin/python3 bench/torch_tinylm_fakequant.py SHARED_MODELS_DIR BUILD_BIN [--mse]
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch


def bpc(module, ids):
    windows = ids[: 64 * 312].view(312, 64)
    targets = ids[1 : 64 * 312 + 1].view(312, 64)
    with torch.inference_mode():
        logits = torch.cat([module(windows[i : i + 16]) for i in range(0, 312, 16)])
        nats = torch.nn.functional.cross_entropy(
            logits.reshape(-1, 100).double(), targets.reshape(-1), reduction="mean")
    return nats.item() / math.log(2)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("models")
    parser.add_argument("bin")
    parser.add_argument("--mse", action="store_true")
    args = parser.parse_args()
    directory = os.path.join(args.models, "tinylm")
    sys.path.insert(0, os.path.join(directory, "torch"))
    import model as tinylm  # noqa: E402

    with open(os.path.join(directory, "test.bin"), "rb") as f:
        ids = torch.tensor(list(f.read(64 * 312 + 1)), dtype=torch.int64)
    path = os.path.join(directory, "torch", "tinylm.pt")
    print(f"fp32        bpc {bpc(tinylm.load('tinylm', 100, path), ids):.4f}")
    for fmt in ("c11g128", "superblock"):
        module = tinylm.load("tinylm", 100, path)
        bits = numel = 0
        with tempfile.TemporaryDirectory() as work:
            for name, layer in module.named_modules():
                if not isinstance(layer, torch.nn.Linear):
                    continue
                w = layer.weight.detach().numpy().astype(np.float32)
                rows, cols = w.shape
                src, dst = os.path.join(work, "w.f32"), os.path.join(work, "q.f32")
                w.tofile(src)
                cmd = [os.path.join(args.bin, "lowbit-bench-superblock"), "--rows", str(rows),
                       "--cols", str(cols), src, dst, "--format", fmt] + (["--mse"] if args.mse else [])
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                line = next(l for l in out.splitlines() if l.startswith(fmt))
                bpw = float(line.split("bpw")[1].split()[0])
                bits += bpw * w.size
                numel += w.size
                q = np.fromfile(dst, dtype=np.float32).reshape(rows, cols)
                layer.weight.data = torch.from_numpy(q)
        print(f"{fmt:<11} bpc {bpc(module, ids):.4f}  bits per weight {bits / numel:.4f}")


if __name__ == "__main__":
    main()

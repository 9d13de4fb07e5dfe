"""PyTorch side of the whole-model benchmark: tinylm (../shared/models/tinylm)
in fp32 eager mode and with torch.ao.quantization.quantize_dynamic (qint8
Linear layers, onednn engine), one thread, one 64-token window per call.

  /usr/bin/python3 bench/torch_tinylm.py SHARED_MODELS_DIR [--rounds=5] [--calls=20]

Prints one line per variant: name, min and median ms per window over rounds
(each round the mean of `calls` calls after a warm-up), and the bits per
character on the first `--windows` windows of the test text as a check that
the model is the one lowbit compiles.
"""
import argparse
import math
import os
import statistics
import sys
import time

import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("models")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--windows", type=int, default=20)
    args = parser.parse_args()

    directory = os.path.join(args.models, "tinylm")
    sys.path.insert(0, os.path.join(directory, "torch"))
    import model as tinylm  # noqa: E402  (the module definition shipped with the model)

    torch.set_num_threads(1)
    fp32 = tinylm.load("tinylm", 100, os.path.join(directory, "torch", "tinylm.pt"))
    torch.backends.quantized.engine = "onednn"
    int8 = torch.ao.quantization.quantize_dynamic(fp32, {torch.nn.Linear}, dtype=torch.qint8)

    with open(os.path.join(directory, "test.bin"), "rb") as f:
        ids = torch.tensor(list(f.read(64 * args.windows + 1)), dtype=torch.int64)
    windows = ids[: 64 * args.windows].view(args.windows, 64)
    targets = ids[1 : 64 * args.windows + 1].view(args.windows, 64)

    for name, module in (("pytorch-fp32", fp32), ("pytorch-dynamic-int8", int8)):
        with torch.inference_mode():
            logits = torch.cat([module(w[None]) for w in windows])
            nats = torch.nn.functional.cross_entropy(
                logits.reshape(-1, 100).double(), targets.reshape(-1), reduction="mean")
            x = windows[:1]
            module(x)
            times = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                for _ in range(args.calls):
                    module(x)
                times.append(1e3 * (time.perf_counter() - start) / args.calls)
        print(f"{name} min-ms {min(times):.3f} median-ms {statistics.median(times):.3f} "
              f"bpc {nats.item() / math.log(2):.4f}")


if __name__ == "__main__":
    main()

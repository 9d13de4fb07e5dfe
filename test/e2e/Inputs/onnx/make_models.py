#!/usr/bin/python3
"""Writes the two PyTorch-exported models of the ONNX end-to-end tests, a
fixed input for each and PyTorch's outputs (raw little-endian f32), and the
fake-quantization reference error of every lowbitc preset:

  cnn.onnx                a small CNN: padded 3x3 conv with bias, ReLU,
                          BatchNorm, MaxPool, a grouped dilated conv,
                          GlobalAveragePool, Flatten, Gemm
  transformer_block.onnx  one pre-norm encoder block: LayerNorm, 4-head
                          attention from MatMul/Softmax/Transpose/Reshape, an
                          MLP with exact GELU (Erf), residual additions
  NAME.input.bin, NAME.output.bin   the input and PyTorch's fp32 output
  NAME.fakequant.txt      per preset, the relative L2 error of PyTorch's
                          output with the preset's weights quantized and
                          dequantized (and its activations rounded) in
                          numpy, against the fp32 output
  NAME.calib.bin          32 calibration samples (raw f32, back to back,
                          from the input's distribution) for the static
                          w8a8 preset, whose fakequant line quantizes the
                          inputs and outputs of every Linear / Conv2d and the
                          model output per tensor with their min-max ranges
                          over these samples

Needs Debian's python3-torch (1.13) and python3-onnx; deterministic (fixed
seed, one thread). Run from this directory: /usr/bin/python3 make_models.py
"""
import math

import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
torch.set_num_threads(1)
OPSET = 17


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=True)
        self.bn = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=2, dilation=2, groups=2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(self.bn(torch.relu(self.conv1(x))))
        x = torch.relu(self.conv2(x))
        return self.fc(torch.flatten(self.gap(x), 1))


class MatMul(nn.Module):
    """torch.matmul as a module, so that the w8a8 reference can hook the
    attention products (it exports as the same MatMul)."""

    def forward(self, a, b):
        return torch.matmul(a, b)


class TransformerBlock(nn.Module):
    def __init__(self, d_model=64, heads=4, hidden=128):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d_model)
        self.q = nn.Linear(d_model, d_model)
        self.k = nn.Linear(d_model, d_model)
        self.v = nn.Linear(d_model, d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.ln2 = nn.LayerNorm(d_model)
        self.fc1 = nn.Linear(d_model, hidden)
        self.gelu = nn.GELU()  # exact: exported through Erf
        self.fc2 = nn.Linear(hidden, d_model)
        self.scores = MatMul()
        self.context = MatMul()

    def split(self, x):
        b, t, d = x.shape
        return x.reshape(b, t, self.heads, d // self.heads).transpose(1, 2)

    def forward(self, x):
        b, t, d = x.shape
        h = self.ln1(x)
        q, k, v = self.split(self.q(h)), self.split(self.k(h)), self.split(self.v(h))
        scores = self.scores(q, k.transpose(-2, -1)) / math.sqrt(d // self.heads)
        attention = self.context(torch.softmax(scores, dim=-1), v)
        x = x + self.proj(attention.transpose(1, 2).reshape(b, t, d))
        return x + self.fc2(self.gelu(self.fc1(self.ln2(x))))


# Weight schemes of lowbitc's presets (lib/Numerics/Presets.cpp): bits,
# form, group size along K (0: per output channel), activation rounding.
PRESETS = {
    "w8": (8, "symmetric", 0, None),
    "w4g32": (4, "symmetric", 32, None),
    "w3g64": (3, "symmetric", 64, None),
    "w2g32": (2, "minscale", 32, None),
    "c11g128": (11, "codebook", 128, None),
    "w8a8-dynamic": (8, "symmetric", 0, "int8"),
    "w4a8-dynamic": (4, "symmetric", 32, "int8"),
    "w3a8-dynamic": (3, "symmetric", 64, "int8"),
    "w2a8-dynamic": (2, "minscale", 32, "int8"),
    "c11a8-dynamic": (11, "codebook", 128, "int8"),
    "w8a16": (8, "symmetric", 0, "bf16"),
    "w4a16": (4, "symmetric", 32, "bf16"),
    "c11a16": (11, "codebook", 128, "bf16"),
}


def f16(x):
    return x.astype(np.float16).astype(np.float32)


def fake_quantize_rows(w, bits, form, group):
    """Quantize-dequantize each row of w [N, K] in groups along K."""
    n, k = w.shape
    group = group or k
    out = np.empty_like(w)
    for start in range(0, k, group):
        g = w[:, start:start + group]
        if form == "symmetric":
            qmax = 2 ** (bits - 1) - 1
            scale = np.abs(g).max(axis=1, keepdims=True) / qmax
            scale = scale if group == k and bits == 8 else f16(scale)
            safe = np.where(scale == 0, 1, scale)
            out[:, start:start + group] = np.clip(np.rint(g / safe), -qmax, qmax) * scale
            continue
        lo = f16(g.min(axis=1, keepdims=True))
        span = f16(g.max(axis=1, keepdims=True) - lo)
        safe = np.where(span == 0, 1, span)
        if form == "minscale":  # 2^bits evenly spaced levels over [min, max]
            levels = 2 ** bits - 1
            out[:, start:start + group] = np.clip(np.rint((g - lo) / safe * levels), 0, levels) / levels * span + lo
        else:  # 11-level codebook in [-1, 1]: x = (c + 1) / 2 * span + min
            book = np.linspace(-1, 1, bits, dtype=np.float32)
            c = (g - lo) / safe * 2 - 1
            nearest = book[np.abs(c[..., None] - book).argmin(axis=-1)]
            out[:, start:start + group] = (nearest + 1) / 2 * span + lo
    return out


def round_activation(x, kind):
    if kind == "bf16":
        bits = x.contiguous().view(torch.int32)
        bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & ~0xFFFF
        return bits.view(torch.float32)
    rows = x.reshape(-1, x.shape[-1])  # int8 per row, symmetric
    scale = rows.abs().amax(dim=1, keepdim=True) / 127
    scale = torch.where(scale == 0, torch.ones_like(scale), scale)
    return (torch.clamp(torch.round(rows / scale), -127, 127) * scale).reshape(x.shape)


def fake_quant_error(model, x, want, preset):
    bits, form, group, activations = PRESETS[preset]
    quantized = type(model)()
    quantized.load_state_dict(model.state_dict())
    quantized.eval()
    hooks = []
    for module in quantized.modules():
        if not isinstance(module, (nn.Linear, nn.Conv2d)):
            continue
        # lowbit-quantize-weights leaves grouped convolutions in f32.
        if isinstance(module, nn.Conv2d) and module.groups > 1:
            continue
        w = module.weight.detach().numpy()
        rows = fake_quantize_rows(w.reshape(w.shape[0], -1), bits, form, group)
        module.weight.data = torch.from_numpy(rows.reshape(w.shape))
        # Activations are rounded where the matmuls read them (lowbit.matmul).
        if activations and isinstance(module, nn.Linear):
            hooks.append(module.register_forward_pre_hook(
                lambda m, inputs, kind=activations: (round_activation(inputs[0], kind),)))
    with torch.no_grad():
        got = quantized(x)
    for hook in hooks:
        hook.remove()
    return (torch.linalg.norm(got - want) / torch.linalg.norm(want)).item()


CALIBRATION_SAMPLES = 32


def affine_int8(t, lo, hi):
    """Quantize-dequantize t to int8 over [lo, hi] widened to contain 0
    (lowbit-fold-calibration's min-max form; nearest-even, saturating)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255 if hi > lo else 1.0
    zp = -128 - round(lo / scale)
    q = torch.clamp(torch.round(t / scale) + zp, -128, 127)
    return (q - zp) * scale


def static_fake_quant_error(model, x, want, calibration):
    """w8a8: w8's weights; the inputs and outputs of every Linear, Conv2d
    and MatMul and the model's output quantized per tensor over their
    min-max ranges on the calibration samples (where lowbit-insert-observers
    puts observers, up to the elementwise ops it lets an output observer
    follow)."""
    with torch.random.fork_rng():  # the models made after this one stay as they were
        quantized = type(model)()
    quantized.load_state_dict(model.state_dict())
    quantized.eval()
    layers = [m for m in quantized.modules() if isinstance(m, (nn.Linear, nn.Conv2d, MatMul))]
    ranges = {}

    def observe(key, t):
        lo, hi = ranges.get(key, (math.inf, -math.inf))
        ranges[key] = (min(lo, t.min().item()), max(hi, t.max().item()))

    def observe_layer(m, inputs, output):
        for i, t in enumerate(inputs):
            observe((m, i), t)
        observe((m, "out"), output)

    hooks = [m.register_forward_hook(observe_layer) for m in layers]
    with torch.no_grad():
        for sample in calibration:
            observe("output", quantized(sample))
    for hook in hooks:
        hook.remove()
    for m in layers:
        if not isinstance(m, MatMul) and not (isinstance(m, nn.Conv2d) and m.groups > 1):
            w = m.weight.detach().numpy()
            rows = fake_quantize_rows(w.reshape(w.shape[0], -1), 8, "symmetric", 0)
            m.weight.data = torch.from_numpy(rows.reshape(w.shape))
        m.register_forward_pre_hook(lambda m, inputs: tuple(
            affine_int8(t, *ranges[(m, i)]) for i, t in enumerate(inputs)))
        m.register_forward_hook(lambda m, inputs, output: affine_int8(output, *ranges[(m, "out")]))
    with torch.no_grad():
        got = affine_int8(quantized(x), *ranges["output"])
    return (torch.linalg.norm(got - want) / torch.linalg.norm(want)).item()


def export(name, model, x):
    model.eval()
    with torch.no_grad():
        want = model(x)
    torch.onnx.export(model, (x,), name + ".onnx", opset_version=OPSET,
                      input_names=["input"], output_names=["output"],
                      do_constant_folding=True)
    x.numpy().astype("<f4").tofile(name + ".input.bin")
    want.numpy().astype("<f4").tofile(name + ".output.bin")
    with open(name + ".fakequant.txt", "w") as f:
        f.write("# preset  relative L2 error of the fake-quantized model (make_models.py)\n")
        for preset in PRESETS:
            f.write("%s %.6g\n" % (preset, fake_quant_error(model, x, want, preset)))
        # A generator of its own leaves the models and inputs above as they were.
        generator = torch.Generator().manual_seed(1)
        calibration = torch.randn((CALIBRATION_SAMPLES,) + tuple(x.shape), generator=generator)
        calibration.numpy().astype("<f4").tofile(name + ".calib.bin")
        f.write("w8a8 %.6g\n" % static_fake_quant_error(model, x, want, calibration))


def main():
    cnn = Cnn()
    with torch.no_grad():  # non-trivial BatchNorm statistics
        cnn.bn.running_mean.uniform_(-0.5, 0.5)
        cnn.bn.running_var.uniform_(0.5, 2.0)
        cnn.bn.weight.uniform_(0.5, 1.5)
        cnn.bn.bias.uniform_(-0.2, 0.2)
    export("cnn", cnn, torch.randn(1, 3, 16, 16))
    export("transformer_block", TransformerBlock(), torch.randn(1, 8, 64))


if __name__ == "__main__":
    main()

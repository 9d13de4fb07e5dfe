#!/usr/bin/env python3
"""Exports small PyTorch models with torch.onnx.export (opset 17) into
DIR/<name>/model.onnx with DIR/<name>/test_data_set_0 holding an input and
PyTorch's output: `cnn` (Conv, BatchNorm, ReLU, MaxPool, depthwise Conv,
AdaptiveAvgPool, Flatten, Linear) and `encoder` (a pre-norm transformer
block: attention, LayerNorm, GELU, Softmax, residuals)."""
import os
import sys

import numpy as np
import torch
from onnx import numpy_helper


class Cnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(8)
        self.dw = torch.nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8)
        self.fc1 = torch.nn.Linear(8 * 4 * 4, 64)
        self.fc2 = torch.nn.Linear(64, 10)

    def forward(self, x):
        x = torch.relu(self.bn(self.conv1(x)))
        x = torch.nn.functional.max_pool2d(x, 2)
        x = torch.nn.functional.hardswish(self.dw(x))
        x = torch.nn.functional.adaptive_avg_pool2d(x, 4).flatten(1)
        return self.fc2(torch.nn.functional.gelu(self.fc1(x)))


class Encoder(torch.nn.Module):
    """A pre-norm transformer block (GPT-style attention, GELU MLP)."""

    def __init__(self, d=64, heads=4):
        super().__init__()
        self.heads = heads
        self.ln1 = torch.nn.LayerNorm(d)
        self.qkv = torch.nn.Linear(d, 3 * d)
        self.proj = torch.nn.Linear(d, d)
        self.ln2 = torch.nn.LayerNorm(d)
        self.fc = torch.nn.Linear(d, 2 * d)
        self.out = torch.nn.Linear(2 * d, d)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        shape = (b, t, self.heads, d // self.heads)
        q, k, v = (z.reshape(shape).transpose(1, 2) for z in (q, k, v))
        att = torch.softmax(q @ k.transpose(-2, -1) / (d // self.heads) ** 0.5,
                            dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(y)
        return x + self.out(torch.nn.functional.gelu(self.fc(self.ln2(x))))


def export(out, name, model, x):
    model.eval()
    directory = os.path.join(out, name)
    os.makedirs(os.path.join(directory, "test_data_set_0"), exist_ok=True)
    with torch.no_grad():
        y = model(x)
        torch.onnx.export(model, x, os.path.join(directory, "model.onnx"),
                          opset_version=17, input_names=["input"],
                          output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}})
    for kind, t in (("input_0", x), ("output_0", y)):
        with open(os.path.join(directory, "test_data_set_0", kind + ".pb"),
                  "wb") as f:
            f.write(numpy_helper.from_array(t.numpy()).SerializeToString())


torch.manual_seed(0)
out = sys.argv[1]
cnn = Cnn()
with torch.no_grad():
    cnn.bn.running_mean.uniform_(-0.5, 0.5)
    cnn.bn.running_var.uniform_(0.5, 2.0)
export(out, "cnn", cnn, torch.randn(2, 3, 16, 16))
export(out, "encoder", Encoder(), torch.randn(1, 8, 64))

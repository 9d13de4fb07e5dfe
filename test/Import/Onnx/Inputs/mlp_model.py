#!/usr/bin/env python3
"""Writes DIR/model.onnx, the graph torch.onnx.export makes of a two-layer
MLP (Linear 64->32 as Gemm transB=1 with bias, Relu, Linear 32->10 as
MatMul + Add), and DIR/test_data_set_0 with an input and numpy's output."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(7)
w1 = (rng.standard_normal((32, 64)) / 8).astype(np.float32)
b1 = (rng.standard_normal(32) / 8).astype(np.float32)
w2 = (rng.standard_normal((32, 10)) / 6).astype(np.float32)
b2 = (rng.standard_normal(10) / 6).astype(np.float32)
x = rng.standard_normal((4, 64)).astype(np.float32)
y = np.maximum(x @ w1.T + b1, 0) @ w2 + b2

inits = [numpy_helper.from_array(a, n) for a, n in
         ((w1, "fc1.weight"), (b1, "fc1.bias"), (w2, "fc2.weight_t"),
          (b2, "fc2.bias"))]
nodes = [
    helper.make_node("Gemm", ["x", "fc1.weight", "fc1.bias"], ["h"],
                     name="/fc1/Gemm", alpha=1.0, beta=1.0, transB=1),
    helper.make_node("Relu", ["h"], ["r"], name="/relu/Relu"),
    helper.make_node("MatMul", ["r", "fc2.weight_t"], ["m"],
                     name="/fc2/MatMul"),
    helper.make_node("Add", ["m", "fc2.bias"], ["y"], name="/fc2/Add"),
]
graph = helper.make_graph(
    nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                 ["batch", 64])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 10])],
    inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
os.makedirs(os.path.join(out, "test_data_set_0"), exist_ok=True)
onnx.save(model, os.path.join(out, "model.onnx"))
for name, array in (("input_0", x), ("output_0", y.astype(np.float32))):
    with open(os.path.join(out, "test_data_set_0", name + ".pb"), "wb") as f:
        f.write(numpy_helper.from_array(array).SerializeToString())

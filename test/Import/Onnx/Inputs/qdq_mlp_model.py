#!/usr/bin/env python3
"""Writes DIR/model.onnx in ONNX Runtime's QDQ format: x (float) ->
QuantizeLinear/DequantizeLinear (uint8, per tensor) -> MatMul with an int8
weight (per-column scales) behind DequantizeLinear -> Add bias -> y; and
DIR/test_data_set_0 with numpy's result of exactly that arithmetic."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(3)
K, N = 48, 16
w = rng.standard_normal((K, N)).astype(np.float32) / 4
w_scale = (np.abs(w).max(axis=0) / 127).astype(np.float32)
w_q = np.clip(np.rint(w / w_scale), -127, 127).astype(np.int8)
bias = rng.standard_normal(N).astype(np.float32)
x = rng.standard_normal((2, K)).astype(np.float32)
x_scale, x_zp = np.float32(6.0 / 255), np.uint8(128)

x_q = np.clip(np.rint(x / x_scale) + x_zp, 0, 255).astype(np.uint8)
x_dq = (x_q.astype(np.float32) - np.float32(x_zp)) * x_scale
w_dq = w_q.astype(np.float32) * w_scale
y = (x_dq @ w_dq + bias).astype(np.float32)

inits = [numpy_helper.from_array(a, n) for a, n in (
    (np.array(x_scale), "x_scale"), (np.array(x_zp), "x_zp"),
    (w_q, "w_q"), (w_scale, "w_scale"), (np.zeros(N, np.int8), "w_zp"),
    (bias, "bias"))]
nodes = [
    helper.make_node("QuantizeLinear", ["x", "x_scale", "x_zp"], ["xq"],
                     name="x_QuantizeLinear"),
    helper.make_node("DequantizeLinear", ["xq", "x_scale", "x_zp"], ["xdq"],
                     name="x_DequantizeLinear"),
    helper.make_node("DequantizeLinear", ["w_q", "w_scale", "w_zp"], ["wdq"],
                     name="w_DequantizeLinear", axis=1),
    helper.make_node("MatMul", ["xdq", "wdq"], ["m"], name="fc/MatMul"),
    helper.make_node("Add", ["m", "bias"], ["y"], name="fc/Add"),
]
graph = helper.make_graph(
    nodes, "qdq", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                 [2, K])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, N])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
os.makedirs(os.path.join(out, "test_data_set_0"), exist_ok=True)
onnx.save(model, os.path.join(out, "model.onnx"))
for name, array in (("input_0", x), ("output_0", y)):
    with open(os.path.join(out, "test_data_set_0", name + ".pb"), "wb") as f:
        f.write(numpy_helper.from_array(array).SerializeToString())

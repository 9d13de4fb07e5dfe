#!/usr/bin/env python3
"""Writes DIR/model.onnx whose 8x4 weight W lives in DIR/weights.bin at
offset 16 (after 16 bytes of padding): Y = MatMul(X[2,8], W), W = 0..31.

  external_data_model.py DIR [NAME LOCATION OFFSET]
writes DIR/NAME instead, with W's external data location and offset as
given (strings, for the error tests)."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

out = sys.argv[1]
name, location, offset = sys.argv[2:5] if len(sys.argv) == 5 else (
    "model.onnx", "weights.bin", "16")
os.makedirs(out, exist_ok=True)
weight = np.arange(32, dtype=np.float32).reshape(8, 4)
with open(os.path.join(out, "weights.bin"), "wb") as f:
    f.write(b"\0" * 16 + weight.tobytes())
w = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[8, 4])
w.data_location = TensorProto.EXTERNAL
for key, value in (("location", location), ("offset", offset),
                   ("length", str(weight.nbytes))):
    entry = w.external_data.add()
    entry.key, entry.value = key, value
graph = helper.make_graph(
    [helper.make_node("MatMul", ["X", "W"], ["Y"], name="fc")], "g",
    [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 8])],
    [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2, 4])], [w])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
with open(os.path.join(out, name), "wb") as f:
    f.write(model.SerializeToString())

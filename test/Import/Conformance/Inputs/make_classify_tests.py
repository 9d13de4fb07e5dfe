#!/usr/bin/python3
"""Writes classify/: two ONNX models whose import fails, for the runner's
classification through ImportStatus (not the diagnostic's text):

- test_error_says_unsupported: an initializer named 'unsupported_w' whose
  data does not fit its shape: an error, although the text says
  "unsupported";
- test_unsupported_runtime_starts: Slice with starts and ends as graph
  inputs, which the importer needs constant: unsupported, although the text
  does not say so.

Needs no onnx module: the few protobuf fields are encoded by hand.
Run from this directory: /usr/bin/python3 make_classify_tests.py
"""
import os
import shutil
import struct

ROOT = "classify"
FLOAT, INT64 = 1, 7


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, value):
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint(number << 3 | 2) + varint(len(value)) + value


def tensor(name, data_type, dims, values):
    fmt = "<%d%s" % (len(values), "f" if data_type == FLOAT else "q")
    return (b"".join(field(1, d) for d in dims) + field(2, data_type) +
            field(8, name) + field(9, struct.pack(fmt, *values)))


def value_info(name, data_type, dims):
    shape = b"".join(field(1, field(1, d)) for d in dims)
    return field(1, name) + field(2, field(1, field(1, data_type) +
                                            field(2, shape)))


def node(op_type, inputs, outputs, attributes=b""):
    return (b"".join(field(1, i) for i in inputs) +
            b"".join(field(2, o) for o in outputs) + field(4, op_type) +
            attributes)


def model(opset, nodes, inputs, outputs, initializers=()):
    graph = (b"".join(field(1, n) for n in nodes) + field(2, "g") +
             b"".join(field(5, t) for t in initializers) +
             b"".join(field(11, i) for i in inputs) +
             b"".join(field(12, o) for o in outputs))
    return (field(1, 8) + field(7, graph) +
            field(8, field(1, "") + field(2, opset)))


def write_test(name, model_bytes, inputs, outputs):
    directory = os.path.join(ROOT, name)
    set_dir = os.path.join(directory, "test_data_set_0")
    os.makedirs(set_dir)
    with open(os.path.join(directory, "model.onnx"), "wb") as f:
        f.write(model_bytes)
    for kind, tensors in (("input", inputs), ("output", outputs)):
        for k, t in enumerate(tensors):
            with open(os.path.join(set_dir, "%s_%d.pb" % (kind, k)), "wb") as f:
                f.write(t)


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    # Three floats for a [2] initializer.
    write_test(
        "test_error_says_unsupported",
        model(13, [node("Add", ["X", "unsupported_w"], ["Y"])],
              [value_info("X", FLOAT, [2])], [value_info("Y", FLOAT, [2])],
              [tensor("unsupported_w", FLOAT, [2], [1.0, 2.0, 3.0])]),
        [tensor("X", FLOAT, [2], [1.0, 2.0])],
        [tensor("Y", FLOAT, [2], [2.0, 4.0])])
    write_test(
        "test_unsupported_runtime_starts",
        model(13, [node("Slice", ["X", "S", "E"], ["Y"])],
              [value_info("X", FLOAT, [4]), value_info("S", INT64, [1]),
               value_info("E", INT64, [1])],
              [value_info("Y", FLOAT, [2])]),
        [tensor("X", FLOAT, [4], [1.0, 2.0, 3.0, 4.0]),
         tensor("S", INT64, [1], [1]), tensor("E", INT64, [1], [3])],
        [tensor("Y", FLOAT, [2], [2.0, 3.0])])


if __name__ == "__main__":
    main()

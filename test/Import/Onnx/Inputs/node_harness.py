#!/usr/bin/env python3
"""Writes a C program that runs an ONNX backend test through lowbit's C ABI.

  node_harness.py TEST_DIR [--entry main] [--set 0] > harness.c

The inputs and expected outputs of TEST_DIR/test_data_set_N are embedded;
the program calls lowbit_<entry>(inputs..., outputs...), compares floats
with |got - want| <= atol + rtol * |want| (default 1e-5, 1e-4; NaN must
match NaN)
and integers exactly, prints "ok N values" and exits 0, or prints each
mismatch and exits 1. Bools are one byte per element.
"""
import argparse
import glob
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

C_TYPES = {
    np.float32: "float", np.float64: "double", np.int8: "int8_t",
    np.uint8: "uint8_t", np.int16: "int16_t", np.uint16: "uint16_t",
    np.int32: "int32_t", np.uint32: "uint32_t", np.int64: "int64_t",
    np.uint64: "uint64_t", np.bool_: "uint8_t",
}


def c_literal(value, dtype):
    if dtype in (np.float32, np.float64):
        if np.isnan(value):
            return "NAN"
        if np.isinf(value):
            return "INFINITY" if value > 0 else "-INFINITY"
        return repr(float(value)) + ("f" if dtype == np.float32 else "")
    if dtype == np.bool_:
        return "1" if value else "0"
    if dtype == np.int64 and value == -2**63:
        return "INT64_MIN"
    suffix = "ULL" if dtype == np.uint64 else ("LL" if dtype == np.int64 else "")
    return str(int(value)) + suffix


def array(name, tensor, const):
    dtype = tensor.dtype.type
    flat = tensor.reshape(-1) if tensor.size else np.zeros(1, tensor.dtype)
    body = ", ".join(c_literal(v, dtype) for v in flat)
    return "static %s%s %s[%d] = {%s};\n" % (
        "const " if const else "", C_TYPES[dtype], name, flat.size, body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("test_dir")
    parser.add_argument("--entry", default="main")
    parser.add_argument("--set", type=int, default=0)
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-5)
    args = parser.parse_args()

    model = onnx.load(os.path.join(args.test_dir, "model.onnx"))
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    data = os.path.join(args.test_dir, "test_data_set_%d" % args.set)

    def load(kind, k):
        tensor = onnx.TensorProto()
        with open(os.path.join(data, "%s_%d.pb" % (kind, k)), "rb") as f:
            tensor.ParseFromString(f.read())
        return numpy_helper.to_array(tensor)

    ins = [load("input", k) for k in range(len(inputs))]
    outs = [load("output", k) for k in range(len(model.graph.output))]

    c = ["#include <math.h>\n#include <stdint.h>\n#include <stdio.h>\n\n"]
    params = []
    for k, tensor in enumerate(ins):
        c.append(array("in%d" % k, tensor, True))
        params.append("const %s *" % C_TYPES[tensor.dtype.type])
    for k, tensor in enumerate(outs):
        c.append(array("want%d" % k, tensor, True))
        c.append("static %s got%d[%d];\n" % (C_TYPES[tensor.dtype.type], k,
                                             max(tensor.size, 1)))
        params.append("%s *" % C_TYPES[tensor.dtype.type])
    c.append("int lowbit_%s(%s);\n\n" % (args.entry, ", ".join(params)))
    c.append("int main(void) {\n")
    call_args = ["in%d" % k for k in range(len(ins))] + \
                ["got%d" % k for k in range(len(outs))]
    c.append("  if (lowbit_%s(%s) != 0) {\n    puts(\"call failed\");\n"
             "    return 1;\n  }\n" % (args.entry, ", ".join(call_args)))
    c.append("  long bad = 0, total = 0;\n")
    for k, tensor in enumerate(outs):
        dtype = tensor.dtype.type
        c.append("  for (long i = 0; i < %d; ++i, ++total) {\n" % tensor.size)
        if dtype in (np.float32, np.float64):
            c.append("    double g = got%d[i], w = want%d[i];\n" % (k, k))
            c.append("    int ok = isnan(w) ? isnan(g) : (isinf(w) ? g == w :"
                     " fabs(g - w) <= %r + %r * fabs(w));\n" %
                     (args.atol, args.rtol))
            fmt = "%.9g"
            cast = "(double)"
        else:
            c.append("    int ok = got%d[i] == want%d[i];\n" % (k, k))
            fmt = "%lld"
            cast = "(long long)"
        c.append("    if (!ok && bad++ < 10)\n      printf(\"out%d[%%ld]: got "
                 "%s, want %s\\n\", i, %sgot%d[i], %swant%d[i]);\n  }\n" %
                 (k, fmt, fmt, cast, k, cast, k))
    c.append("  if (bad) {\n    printf(\"%ld of %ld values differ\\n\", bad, "
             "total);\n    return 1;\n  }\n  printf(\"ok %ld values\\n\", "
             "total);\n  return 0;\n}\n")
    sys.stdout.write("".join(c))


if __name__ == "__main__":
    main()

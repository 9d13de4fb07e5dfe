#!/usr/bin/python3
"""Writes the runner's own test directories under runner/: hand-written
model.mlir files (so the runner's data reading, call trampoline and
comparison are tested without the importer) and their test data as
serialized onnx.TensorProto files, in raw_data and in every typed field.

Run from this directory: /usr/bin/python3 make_runner_tests.py
"""
import os
import shutil

import numpy as np
from onnx import TensorProto, numpy_helper

ROOT = "runner"


def raw(name, array):
    return numpy_helper.from_array(array, name)


def typed(name, array, data_type):
    """A tensor with its values in the typed repeated field, not raw_data."""
    tensor = TensorProto()
    tensor.name = name
    tensor.data_type = data_type
    tensor.dims.extend(array.shape)
    flat = array.flatten()
    if data_type == TensorProto.FLOAT:
        tensor.float_data.extend(flat.tolist())
    elif data_type == TensorProto.DOUBLE:
        tensor.double_data.extend(flat.tolist())
    elif data_type == TensorProto.INT64:
        tensor.int64_data.extend(flat.tolist())
    elif data_type == TensorProto.FLOAT16:  # the bits, in int32_data
        tensor.int32_data.extend(flat.view(np.uint16).astype(np.int32).tolist())
    else:  # bool and the integers of 32 bits or less
        tensor.int32_data.extend(flat.astype(np.int32).tolist())
    return tensor


def write_test(name, mlir, data_sets):
    directory = os.path.join(ROOT, name)
    os.makedirs(directory)
    with open(os.path.join(directory, "model.mlir"), "w") as f:
        f.write(mlir)
    for n, (inputs, outputs) in enumerate(data_sets):
        set_dir = os.path.join(directory, "test_data_set_%d" % n)
        os.makedirs(set_dir)
        for kind, tensors in (("input", inputs), ("output", outputs)):
            for k, tensor in enumerate(tensors):
                path = os.path.join(set_dir, "%s_%d.pb" % (kind, k))
                with open(path, "wb") as f:
                    f.write(tensor.SerializeToString())


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    rng = np.random.default_rng(7)

    # Two data sets in raw_data.
    add = """func.func @main(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = arith.addf %a, %b : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
"""
    sets = []
    for _ in range(2):
        a = rng.standard_normal((2, 3)).astype(np.float32)
        b = rng.standard_normal((2, 3)).astype(np.float32)
        sets.append(([raw("a", a), raw("b", b)], [raw("y", a + b)]))
    write_test("test_add_raw", add, sets)

    # Every typed field: float_data, int64_data, int32_data (bool, f16 bits),
    # double_data; bool and f16 results.
    typed_mlir = """func.func @main(%x: tensor<4xf32>, %i: tensor<4xi64>, %p: tensor<4xi1>,
                %d: tensor<4xf64>, %h: tensor<4xf16>)
    -> (tensor<4xf32>, tensor<4xi64>, tensor<4xi1>, tensor<4xf64>, tensor<4xf16>) {
  %two = arith.constant dense<2.0> : tensor<4xf32>
  %one = arith.constant dense<1> : tensor<4xi64>
  %true = arith.constant dense<true> : tensor<4xi1>
  %half = arith.constant dense<0.5> : tensor<4xf64>
  %x2 = arith.mulf %x, %two : tensor<4xf32>
  %i1 = arith.addi %i, %one : tensor<4xi64>
  %np = arith.xori %p, %true : tensor<4xi1>
  %dh = arith.mulf %d, %half : tensor<4xf64>
  %hh = arith.addf %h, %h : tensor<4xf16>
  return %x2, %i1, %np, %dh, %hh : tensor<4xf32>, tensor<4xi64>, tensor<4xi1>, tensor<4xf64>, tensor<4xf16>
}
"""
    x = np.array([1.5, -2.25, 0.0, 3.0], np.float32)
    i = np.array([-5, 0, 1 << 40, 7], np.int64)
    p = np.array([True, False, False, True])
    d = np.array([1e-300, -3.0, 0.1, 8.0], np.float64)
    h = np.array([0.5, -1.25, 1000.0, 0.0], np.float16)
    inputs = [typed("x", x, TensorProto.FLOAT), typed("i", i, TensorProto.INT64),
              typed("p", p, TensorProto.BOOL), typed("d", d, TensorProto.DOUBLE),
              typed("h", h, TensorProto.FLOAT16)]
    outputs = [typed("x2", x * 2, TensorProto.FLOAT), raw("i1", i + 1),
               raw("np", ~p), typed("dh", d * 0.5, TensorProto.DOUBLE),
               raw("hh", h + h)]
    write_test("test_typed_fields", typed_mlir, [(inputs, outputs)])

    # NaN and infinity must match themselves; finite values within tolerance.
    div = """func.func @main(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = arith.divf %a, %b : tensor<4xf32>
  return %0 : tensor<4xf32>
}
"""
    a = np.array([0.0, 1.0, -1.0, 1.0], np.float32)
    b = np.array([0.0, 0.0, 3.0, 7.0], np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = a / b
    y[3] *= 1 + 5e-5  # inside rtol 1e-4
    write_test("test_nan_inf", div, [([raw("a", a), raw("b", b)], [raw("y", y)])])

    # A wrong expected value: the runner must name index 4 and both values.
    neg = """func.func @main(%a: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = arith.negf %a : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
"""
    a = np.arange(8, dtype=np.float32).reshape(2, 4)
    y = -a
    y[1, 0] = -4.01  # outside rtol 1e-4 of -4
    write_test("test_mismatch", neg, [([raw("a", a)], [raw("y", y)])])

    # Test data whose shape is not the function's.
    a = np.zeros(5, np.float32)
    write_test("test_wrong_shape", neg, [([raw("a", a)], [raw("y", -a)])])

    # A crash and a hang fail their test only (each test runs in a child).
    one = [([raw("a", np.ones(1, np.float32))], [raw("y", np.ones(1, np.float32))])]
    write_test("test_abort", """func.func @main(%a: tensor<1xf32>) -> tensor<1xf32> {
  %false = arith.constant false
  cf.assert %false, "the runner must survive this"
  return %a : tensor<1xf32>
}
""", one)
    # Counts while its input is 1: the count is the output, so the loop
    # cannot be folded away.
    write_test("test_hang", """func.func @main(%a: tensor<1xf32>) -> tensor<1xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0 : i32
  %step = arith.constant 1 : i32
  %one = arith.constant 1.0 : f32
  %x = tensor.extract %a[%c0] : tensor<1xf32>
  %count = scf.while (%i = %zero) : (i32) -> i32 {
    %same = arith.cmpf oeq, %x, %one : f32
    scf.condition(%same) %i : i32
  } do {
  ^bb0(%j: i32):
    %next = arith.addi %j, %step : i32
    scf.yield %next : i32
  }
  %r = arith.sitofp %count : i32 to f32
  %y = tensor.from_elements %r : tensor<1xf32>
  return %y : tensor<1xf32>
}
""", one)

    # Many pointers: 40 inputs + 1 output go through the trampoline; 64 + 1
    # exceed its limit and are rejected with a message.
    for count, name in ((40, "test_many_args"), (64, "test_too_many_args")):
        args = ", ".join("%%a%d: tensor<1xi32>" % k for k in range(count))
        body = ["  %s0 = arith.addi %a0, %a1 : tensor<1xi32>"]
        for k in range(2, count):
            body.append("  %%s%d = arith.addi %%s%d, %%a%d : tensor<1xi32>" %
                        (k - 1, k - 2, k))
        mlir = ("func.func @main(%s) -> tensor<1xi32> {\n%s\n"
                "  return %%s%d : tensor<1xi32>\n}\n" %
                (args, "\n".join(body), count - 2))
        values = [np.array([k * k], np.int32) for k in range(count)]
        write_test(name, mlir, [([raw("a%d" % k, v) for k, v in enumerate(values)],
                                 [raw("y", np.array([sum(k * k for k in range(count))], np.int32))])])


if __name__ == "__main__":
    main()

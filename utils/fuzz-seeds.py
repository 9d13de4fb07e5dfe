#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (fuzz/) into OUT/<target>/.

lowbit-fuzz-mlir: every lit input under test/ split on `// -----`, and the
models of ../shared/models with their weights as splats (structure kept,
bytes dropped); the target skips inputs over 64 KiB, tinylm among them
(one run of it takes ~20 s under ASan).
lowbit-fuzz-onnx: the binary .onnx models under test/.
lowbit-fuzz-readers: statistics JSON ('J'), IDX images ('I', plain and
gzip-ed, some of the MNIST calibration images), raw f32 ('R') and text
through a vocabulary ('T', tinylm's vocabulary and calibration text), each
prefixed as the target expects.

Usage: fuzz-seeds.py SOURCE_DIR SHARED_DIR OUT
"""
import gzip
import hashlib
import json
import os
import re
import struct
import sys


def write(directory, data):
    if isinstance(data, str):
        data = data.encode()
    os.makedirs(directory, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def mlir_seeds(source, shared, out):
    for root, _, files in os.walk(os.path.join(source, "test")):
        for name in sorted(files):
            if not name.endswith(".mlir"):
                continue
            with open(os.path.join(root, name), encoding="utf-8") as f:
                text = f.read()
            for case in re.split(r"^// -----.*$", text, flags=re.M):
                if case.strip() and len(case) <= 64 * 1024:
                    write(out, case)
    # Weights as splats: `dense_resource<blob>` -> `dense<0.5>`, blobs gone.
    models = os.path.join(shared, "models")
    for root, _, files in os.walk(models):
        for name in sorted(files):
            if not name.endswith(".mlir"):
                continue
            with open(os.path.join(root, name), encoding="utf-8") as f:
                text = f.read()
            text = text.split("{-#")[0]
            text = re.sub(
                r"dense_resource\s*<[^>]*>(\s*:\s*tensor<[0-9x]*([a-z]))",
                lambda m: ("dense<5.000000e-01>" if m.group(2) in "bf"
                           else "dense<1>") + m.group(1), text)
            if len(text) <= 64 * 1024:
                write(out, text)


def idx(images, rows, cols, pixels):
    return struct.pack(">IIII", 0x803, images, rows, cols) + bytes(pixels)


def reader_seeds(shared, out):
    histogram = {"lo": -2.0, "hi": 2.0, "counts": [0, 3, 5, 9, 9, 5, 3, 1]}
    statistics = {"version": 1, "observers": [
        {"id": 0, "type": "tensor<1x1x4x4xf32>", "location": "model.mlir:2:3",
         "samples": 3, "non_finite": 0, "min": -1.5, "max": 2.0,
         "histogram": histogram},
        {"id": 1, "type": "tensor<1x2x2x2xf32>", "samples": 3,
         "non_finite": 1, "min": 0.0, "max": 4.0, "axis": 1,
         "channel_min": [0.0, 0.5], "channel_max": [3.0, 4.0]},
        {"id": 2, "type": "tensor<4xf32>", "min": 0.0, "max": 0.0,
         "histogram": {"lo": 0.0, "hi": 1.0, "counts": [7, 0]}}]}
    write(out, "J" + json.dumps(statistics, indent=2))
    write(out, "J" + json.dumps(statistics))
    write(out, 'J{"version": 1, "observers": []}')
    write(out, 'J{"version": 1, "observers": [{"id": 0, "type": "t", '
               '"min": -1e300, "max": 1e39}]}')
    write(out, "J" + "[" * 70)
    small = idx(3, 2, 2, b"AAAABBBBCCCC")
    for choice in (0x00, 0x21, 0x01, 0x19, 0x9b):
        write(out, b"I" + bytes([choice]) + small)
        write(out, b"I" + bytes([choice]) + gzip.compress(small, mtime=0))
    mnist = os.path.join(shared, "data", "mnist",
                         "calib-1000-images-idx3-ubyte.gz")
    if os.path.exists(mnist):
        with gzip.open(mnist) as f:
            header = f.read(16)
            _, _, rows, cols = struct.unpack(">IIII", header)
            pixels = f.read(4 * rows * cols)
        four = idx(4, rows, cols, pixels)
        write(out, b"I\x01" + four)
        write(out, b"I\x19" + gzip.compress(four, mtime=0))
    raw = struct.pack("<16f", *[i / 4 - 2 for i in range(16)])
    write(out, b"R\x00" + raw * 2)
    write(out, b"R\x00" + gzip.compress(raw, mtime=0))
    write(out, b"R\x0a" + struct.pack("<6f", 1, -1, float("nan"),
                                      float("inf"), 0, 3e38))
    # Text: window length and count, the vocabulary's length, vocabulary,
    # text.
    def text_seed(choice, vocab, text):
        return (b"T" + bytes([choice]) + struct.pack("<H", len(vocab)) +
                vocab + text)
    small_vocab = json.dumps({"id_to_byte": [None, 97, 98, 10],
                              "unk_id": 0}).encode()
    write(out, text_seed(0x04, small_vocab, b"abba\nabc\nba"))
    write(out, text_seed(0x82, small_vocab, b"ab"))
    write(out, text_seed(0x00, small_vocab, b"abab"))
    write(out, text_seed(0x03, b'{"id_to_byte": [300], "unk_id": 9}', b"a"))
    tinylm = os.path.join(shared, "models", "tinylm")
    vocab_path = os.path.join(tinylm, "vocab.json")
    calib_path = os.path.join(tinylm, "calib.txt")
    if os.path.exists(vocab_path) and os.path.exists(calib_path):
        with open(vocab_path, "rb") as f:
            vocab = f.read()
        with open(calib_path, "rb") as f:
            text = f.read(4096)
        write(out, text_seed(0x20, vocab, text))


def onnx_seeds(source, out):
    """The binary ONNX models checked in under test/ (the PyTorch exports
    of test/e2e/Inputs/onnx, the conformance runner's inputs) and, where
    python3-onnx is installed, the importer tests' text models
    (.onnxtxt: every op family and error) in binary form."""
    try:
        import onnx.parser
    except ImportError:
        onnx = None
    for root, _, files in os.walk(os.path.join(source, "test")):
        for name in sorted(files):
            path = os.path.join(root, name)
            if name.endswith(".onnx"):
                with open(path, "rb") as f:
                    write(out, f.read())
            elif name.endswith(".onnxtxt") and onnx:
                with open(path, encoding="utf-8") as f:
                    text = "".join(line for line in f if not line.startswith("#"))
                try:
                    write(out, onnx.parser.parse_model(text).SerializeToString())
                except Exception:  # the malformed-text tests
                    pass


def main():
    source, shared, out = sys.argv[1:4]
    mlir_seeds(source, shared, os.path.join(out, "lowbit-fuzz-mlir"))
    reader_seeds(shared, os.path.join(out, "lowbit-fuzz-readers"))
    onnx_seeds(source, os.path.join(out, "lowbit-fuzz-onnx"))


if __name__ == "__main__":
    main()

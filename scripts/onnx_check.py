#!/usr/bin/env python3
"""Runs an ONNX model in onnxruntime on a raw float32 input and compares it with expected features.

Usage: onnx_check.py MODEL.onnx INPUT.bin N,C,H,W EXPECTED.bin
Prints one JSON object: {"max_abs_diff": …, "shape": […], "onnxruntime": version}.
Exit status 3 when onnxruntime is not installed (the caller skips), 1 on a shape mismatch.
"""
import json
import sys

try:
    import numpy as np
    import onnxruntime as ort
except ImportError as error:  # the Swift test turns this into a skip
    print(json.dumps({"error": f"missing python package: {error}"}))
    sys.exit(3)

model, input_path, shape_text, expected_path = sys.argv[1:5]
shape = [int(v) for v in shape_text.split(",")]
x = np.fromfile(input_path, dtype="<f4").reshape(shape)
options = ort.SessionOptions()
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
(y,) = session.run(None, {session.get_inputs()[0].name: x})
expected = np.fromfile(expected_path, dtype="<f4")
if expected.size != y.size:
    print(json.dumps({"error": f"onnxruntime gave {list(y.shape)}, expected {expected.size} values"}))
    sys.exit(1)
diff = float(np.abs(y.reshape(-1) - expected).max())
print(json.dumps({"max_abs_diff": diff, "shape": list(y.shape), "onnxruntime": ort.__version__,
                  "max_abs_value": float(np.abs(expected).max())}))

"""Peer for the extraction benchmark: onnxruntime on the same images, decode and resize included.

Mirrors what `reid extract` does (its clock also includes building the session): OpenCV decode, bilinear resize to 256x128, RGB/255, ImageNet
mean/std, NCHW float32; the next batch is decoded on a thread pool while the model runs.
Prints one JSON object.
"""
import argparse, glob, json, os, sys, time
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import onnxruntime as ort

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def load(path, h, w):
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise SystemExit(f"cannot decode {path}")
    img = cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)
    img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0
    return ((img - MEAN) / STD).transpose(2, 0, 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--images", nargs="+", required=True, help="folders")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--out", help="optional .npy of the features")
    a = ap.parse_args()
    cv2.setNumThreads(1)
    paths = sorted(p for d in a.images for p in glob.glob(os.path.join(d, "*.jpg")))
    # The clock starts before the session is built (onnxruntime optimises the graph there), as
    # `reid extract`'s clock includes tracing and optimising the model for inference.
    start = time.time()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = a.threads
    sess = ort.InferenceSession(a.model, opts, providers=["CPUExecutionProvider"])
    session_seconds = time.time() - start
    name = sess.get_inputs()[0].name
    batches = [paths[i:i + a.batch] for i in range(0, len(paths), a.batch)]
    pool = ThreadPoolExecutor(a.threads)

    def decode(batch):
        return np.stack(list(pool.map(lambda p: load(p, 256, 128), batch)))

    feats = []
    with ThreadPoolExecutor(1) as prefetch:
        pending = prefetch.submit(decode, batches[0])
        for i in range(len(batches)):
            x = pending.result()
            if i + 1 < len(batches):
                pending = prefetch.submit(decode, batches[i + 1])
            feats.append(sess.run(None, {name: x})[0])
    seconds = time.time() - start
    if a.out:
        np.save(a.out, np.concatenate(feats))
    print(json.dumps({"images": len(paths), "seconds": seconds, "images_per_second": len(paths) / seconds,
                      "session_seconds": session_seconds, "onnxruntime": ort.__version__, "threads": a.threads}))


if __name__ == "__main__":
    main()

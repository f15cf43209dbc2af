"""Foundation benchmark: SwiftReID against its peers, side by side in one run on one machine.

1. Extraction: OSNet x0.25 (shared ONNX) over every image of cuhk03-pair1, decode and resize
   included: `reid extract` against onnxruntime (bench/peers/onnxruntime_extract.py).
2. Training: the ResNet-50 baseline step, batch 32, 256x128, Adam: `reid bench train-step`
   against the same step in PyTorch (bench/peers/torch_train_step.py), Debian's python3-torch.
Writes bench/results/foundation.json.
"""
import argparse, json, os, platform, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import run_json, write_result  # noqa: E402



def onnxruntime_model_only(onnx, batch=64, iterations=10, threads=None):
    import numpy as np
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or os.cpu_count()
    sess = ort.InferenceSession(onnx, opts, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).normal(size=(batch, 3, 256, 128)).astype(np.float32)
    name = sess.get_inputs()[0].name
    for _ in range(2):
        sess.run(None, {name: x})
    t = time.perf_counter()
    for _ in range(iterations):
        sess.run(None, {name: x})
    return batch * iterations / (time.perf_counter() - t)


def feature_agreement(ours_path, peer_npy, data):
    """Max and mean relative L2 distance per image between our features and onnxruntime's
    (matched by path): the fast path must compute the same function."""
    import glob, struct
    import numpy as np
    from safetensors.numpy import load_file
    with open(ours_path, "rb") as f:
        meta = json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))["__metadata__"]
    ours = load_file(ours_path)["features"]
    paths = [os.path.realpath(p) for p in json.loads(meta["paths"])]
    peer_paths = sorted(p for d in ("bounding_box_train", "query", "bounding_box_test")
                        for p in glob.glob(os.path.join(data, d, "*.jpg")))
    row = {os.path.realpath(p): i for i, p in enumerate(peer_paths)}
    peer = np.load(peer_npy)[[row[p] for p in paths]]
    rel = np.linalg.norm(ours - peer, axis=1) / np.linalg.norm(peer, axis=1)
    return {"images": len(rel), "max_relative_l2": float(rel.max()), "mean_relative_l2": float(rel.mean())}


def best(results, key):
    return max(results, key=lambda r: r[key])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reid", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--repeats", type=int, default=2)
    a = ap.parse_args()
    data = os.path.join(a.shared, "data", "cuhk03-pair1")
    onnx = os.path.join(a.shared, "weights", "osnet_x0_25_msmt17.onnx")
    folders = [os.path.join(data, f) for f in ("bounding_box_train", "query", "bounding_box_test")]
    work = os.path.join(HERE, "work")
    os.makedirs(work, exist_ok=True)

    ours_x, ours_x1, peer_x = [], [], []
    for _ in range(a.repeats):  # alternate so that drift of the machine hits both alike
        # The default (two single-threaded streams on 2 cores), and one stream on both cores.
        ours_x.append(run_json([a.reid, "extract", "--model", "onnx:" + onnx, "--dataset", data,
                                "--split", "train,query,gallery", "--out", os.path.join(work, "osnet.safetensors"),
                                "--json"]))
        ours_x1.append(run_json([a.reid, "extract", "--model", "onnx:" + onnx, "--dataset", data, "--streams", "1",
                                 "--split", "train,query,gallery", "--out", os.path.join(work, "osnet.safetensors"),
                                 "--json"]))
        peer_x.append(run_json([sys.executable, os.path.join(HERE, "peers", "onnxruntime_extract.py"),
                                "--model", onnx, "--images", *folders, "--out", os.path.join(work, "ort.npy")]))
    agreement = feature_agreement(os.path.join(work, "osnet.safetensors"), os.path.join(work, "ort.npy"), data)
    ox, px = best(ours_x, "images_per_second"), best(peer_x, "images_per_second")
    # Model alone (random input, no decoding), to show where the time goes.
    ours_model = run_json([a.reid, "bench", "infer", "--model", "onnx:" + onnx, "--batch", "64", "--json"])
    ours_model_1 = run_json(["env", "REID_THREADS=1", a.reid, "bench", "infer", "--model", "onnx:" + onnx,
                             "--batch", "64", "--json"])
    ours_model_1_unfused = run_json(["env", "REID_THREADS=1", "REID_NO_FUSION=1", a.reid, "bench", "infer",
                                     "--model", "onnx:" + onnx, "--batch", "64", "--json"])
    ort_model = onnxruntime_model_only(onnx)
    ort_model_1 = onnxruntime_model_only(onnx, threads=1)

    ours_t, peer_t, peer_cl = [], [], []
    for _ in range(a.repeats):
        ours_t.append(run_json([a.reid, "bench", "train-step", "--model", "resnet50", "--batch", "32",
                                "--steps", "5", "--json"]))
        peer_t.append(run_json([sys.executable, os.path.join(HERE, "peers", "torch_train_step.py"),
                                "--batch", "32", "--steps", "5"]))
        peer_cl.append(run_json([sys.executable, os.path.join(HERE, "peers", "torch_train_step.py"),
                                 "--batch", "32", "--steps", "5", "--channels-last"]))
    ot, pt, pcl = (best(r, "steps_per_second") for r in (ours_t, peer_t, peer_cl))

    result = {
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "date": time.strftime("%Y-%m-%d %H:%M")},
        "extraction": {
            "what": "OSNet x0.25 (shared ONNX) on all 8,177 cuhk03-pair1 images, 256x128, decode+resize included; "
                    "both clocks include preparing the model (tracing and optimising; building the session)",
            "swiftreid_images_per_second": ox["images_per_second"],
            "onnxruntime_images_per_second": px["images_per_second"],
            "onnxruntime_version": px.get("onnxruntime"),
            "ratio": ox["images_per_second"] / px["images_per_second"],
            "target_ratio": 1.0,
            "swiftreid_one_stream_images_per_second": best(ours_x1, "images_per_second")["images_per_second"],
            "model_only_images_per_second": {"swiftreid_traced": ours_model["images_per_second"],
                                             "swiftreid_traced_one_thread": ours_model_1["images_per_second"],
                                             "swiftreid_traced_one_thread_without_fusion":
                                                 ours_model_1_unfused["images_per_second"],
                                             "onnxruntime": ort_model,
                                             "onnxruntime_one_thread": ort_model_1},
            "limits": "The convolutions themselves. After torch.jit.freeze + optimize_for_inference, a graph "
                      "pass (Sources/CTorch/mkldnn_fusion.cpp) fuses every ReLU and sigmoid into the oneDNN "
                      "convolution before it, every residual add (and its ReLU) into the convolution as a sum "
                      "post-op that writes into the residual's memory, and every channel gate and gated sum "
                      "into one broadcast oneDNN multiply with a sum post-op: the model alone on one thread "
                      "went from swiftreid_traced_one_thread_without_fusion to swiftreid_traced_one_thread. "
                      "A oneDNN verbose trace of one fused forward (batch 16, one thread) then has about 90 % "
                      "in oneDNN 2.6 convolutions (1x1 56 %, depthwise 19 %, the 7x7 stem on 3 channels 16 %). "
                      "onnxruntime's MLAS kernels still run the model alone faster, much faster on two threads "
                      "(libtorch splits these small convolutions poorly over cores, so SwiftReID runs two "
                      "single-threaded streams side by side); SwiftReID leads end to end because its decoding "
                      "is cheaper (OpenCV decode, resize and a fused normalisation in C++: about 0.56 ms per "
                      "image against 0.9 ms with numpy). Also kept: a short last batch runs padded through the "
                      "full batch's script, and one malloc arena for all threads (about 160,000 page faults per "
                      "extraction instead of 1.2-2.5 million). Tried and dropped earlier (no gain beyond the "
                      "machine's +-8 % noise): mkldnn_prepacked::conv2d_run with ReLU folded in on channels-last "
                      "tensors, and rewriting out-of-place adds and ReLUs in place.",
            "features_against_onnxruntime": agreement,
            "runs": {"swiftreid": ours_x, "swiftreid_one_stream": ours_x1, "onnxruntime": peer_x},
        },
        "training": {
            "what": "ResNet-50 (last stride 1) + BNNeck + classifier, CE, Adam; batch 32 of 3x256x128; best of repeats",
            "swiftreid_steps_per_second": ot["steps_per_second"],
            "pytorch_steps_per_second": pt["steps_per_second"],
            "pytorch_channels_last_steps_per_second": pcl["steps_per_second"],
            "ratio": ot["steps_per_second"] / pt["steps_per_second"],
            "ratio_vs_pytorch_channels_last": ot["steps_per_second"] / pcl["steps_per_second"],
            "target_ratio": 1.05,
            "limits": "Both sides run the same libtorch 1.13 kernels. SwiftReID keeps 4-D weights and "
                      "activations channels-last (oneDNN's preferred layout) and keeps freed memory for reuse "
                      "instead of unmapping it (no page faults each step); PyTorch with channels-last is "
                      "reported too. The step is compute-bound in convolutions on 2 cores.",
            "runs": {"swiftreid": ours_t, "pytorch": peer_t, "pytorch_channels_last": peer_cl},
        },
    }
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=2)
    os.replace(tmp, a.out)
    print(json.dumps({k: {kk: v for kk, v in result[k].items() if kk != "runs"} for k in ("extraction", "training")},
                     indent=2))


if __name__ == "__main__":
    main()

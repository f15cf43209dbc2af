"""Foundation benchmark: SwiftReID against its peers, side by side in one run on one machine.

1. Extraction: OSNet x0.25 (shared ONNX) over every image of cuhk03-pair1, decode and resize
   included: `reid extract` against onnxruntime (bench/peers/onnxruntime_extract.py).
2. Training: the ResNet-50 baseline step, batch 32, 256x128, Adam: `reid bench train-step`
   against the same step in PyTorch (bench/peers/torch_train_step.py): Debian's python3-torch
   (the libtorch 1.13 SwiftReID links) and the newest PyTorch from PyPI (bench/.venv-torch, made
   by `scripts/bootstrap.sh --bench`), each in fp32 and in bf16 autocast.
3. bf16 at equal accuracy: cuhk03-pair1 mAP of the shared OSNet extracted in bf16 against fp32,
   and the supervised MobileNetV2 recipe (configs/bench-mobilenetv2-cuhk03.yaml) trained at a
   short budget (128x64, --bf16-epochs epochs, last epoch) in fp32 and in bf16, same seed.
Writes bench/results/foundation.json, which starts with a `summary` object.
"""
import argparse, json, os, platform, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from common import finished_row, run_json, save_row, write_result  # noqa: E402



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


def cpu_facts():
    """The CPU's model name and whether it has native bfloat16 (which flags /proc/cpuinfo shows)."""
    model, flags = platform.processor(), set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return {"cpu": model, "avx512_bf16": "avx512_bf16" in flags, "amx_bf16": "amx_bf16" in flags}


def evaluate_map(a, onnx, data, precision):
    return run_json([a.reid, "evaluate", "--model", "onnx:" + onnx, "--data", data, "--precision", precision, "--json"])


def bf16_training_check(a, data, work):
    """The supervised MobileNetV2 recipe at a short budget, fp32 then bf16 (same seed): last-epoch
    cuhk03-pair1 metrics. A finished run made by the same binary with the same arguments is reused."""
    rows = {}
    for precision in ("fp32", "bf16"):
        run = os.path.join(work, "foundation", f"bf16-check-{precision}")
        args = ["train", "--data", data, "--config", os.path.join(ROOT, "configs", "bench-mobilenetv2-cuhk03.yaml"),
                "--init", os.path.join(a.shared, "weights", "mobilenetv2_imagenet.safetensors"),
                "--set", "data.height=128", "--set", "data.width=64", "--set", f"training.epochs={a.bf16_epochs}",
                "--set", "training.evalEvery=0", "--set", "training.maxMinutes=0", "--precision", precision]
        row = finished_row(run, args, a.fresh, a.binary_commit)
        if row is None:
            started = time.time()
            summary = run_json([a.reid, *args, "--out", run, "--overwrite", "--json"])
            row = {"args": args, "binary_commit": a.binary_commit, "summary": summary,
                   "wall_seconds": time.time() - started}
            save_row(run, row)
        rows[precision] = row
    # With evaluation only after the last epoch and no validation split, "best" is the last epoch.
    last = {p: rows[p]["summary"]["best"] for p in rows}
    return {"what": f"configs/bench-mobilenetv2-cuhk03.yaml at 128x64 for {a.bf16_epochs} epochs (schedule fitted), "
                    "seed 0, from the shared ImageNet MobileNetV2; last epoch on cuhk03-pair1 query/gallery",
            "runs": rows, "last": last}


def torch_step(python, *flags):
    return run_json([python, os.path.join(HERE, "peers", "torch_train_step.py"), "--batch", "32", "--steps", "5", *flags])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reid", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--newest-torch", default=os.path.join(HERE, ".venv-torch", "bin", "python"),
                    help="python of a venv with the newest PyTorch from PyPI (scripts/bootstrap.sh --bench makes it)")
    ap.add_argument("--bf16-epochs", type=int, default=12)
    ap.add_argument("--binary-commit", help="commit the --reid binary was built from (default: HEAD)")
    ap.add_argument("--fresh", action="store_true", help="train the bf16 accuracy check again even if finished")
    ap.add_argument("--only", choices=["speed", "accuracy"], help="run one part; the other is kept from --out")
    a = ap.parse_args()
    a.binary_commit = a.binary_commit or subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                                        stdout=subprocess.PIPE, text=True).stdout.strip()
    data = os.path.join(a.shared, "data", "cuhk03-pair1")
    onnx = os.path.join(a.shared, "weights", "osnet_x0_25_msmt17.onnx")
    folders = [os.path.join(data, f) for f in ("bounding_box_train", "query", "bounding_box_test")]
    work = os.path.join(HERE, "work")
    os.makedirs(work, exist_ok=True)
    previous = json.load(open(a.out)) if os.path.exists(a.out) else {}
    result = {"machine": {"cores": os.cpu_count(), "platform": platform.platform(), **cpu_facts(),
                          "date": time.strftime("%Y-%m-%d %H:%M"), "load_average_before": os.getloadavg()},
              "binary_commit": a.binary_commit}
    if a.only != "accuracy":
        result.update(speed(a, data, onnx, folders, work))
        result["speed_binary_commit"] = a.binary_commit
    else:
        result.update({k: previous[k] for k in ("extraction", "training", "speed_binary_commit") if k in previous})
    if a.only != "speed":
        result["bf16_accuracy"] = {"extraction": {p: evaluate_map(a, onnx, data, p) for p in ("fp32", "bf16")},
                                   "training": bf16_training_check(a, data, work), "binary_commit": a.binary_commit}
    elif "bf16_accuracy" in previous:
        result["bf16_accuracy"] = previous["bf16_accuracy"]
    result["machine"]["load_average_after"] = os.getloadavg()
    write_result({"summary": summary(result), **result}, a.out)


def summary(r):
    """The headline ratios and deltas (fractions), from whatever parts the result holds."""
    s = {}
    t, x, acc = r.get("training", {}), r.get("extraction", {}), r.get("bf16_accuracy", {})
    if t.get("newest_pytorch_bf16_steps_per_second"):
        s["train_bf16_ratio_vs_pytorch_bf16"] = t["swiftreid_bf16_steps_per_second"] / t["newest_pytorch_bf16_steps_per_second"]
        s["train_fp32_ratio_vs_pytorch_bf16"] = t["swiftreid_steps_per_second"] / t["newest_pytorch_bf16_steps_per_second"]
    if x.get("swiftreid_bf16_images_per_second"):  # a result from before bf16 lacks it
        s["extraction_ratio_vs_onnxruntime"] = x["swiftreid_bf16_images_per_second"] / x["onnxruntime_images_per_second"]
        s["extraction_fp32_ratio_vs_onnxruntime"] = x["ratio"]
        m = x["model_only_images_per_second"]
        s["onnx_model_only_ratio_vs_onnxruntime"] = m["swiftreid_traced"] / m["onnxruntime"]
    if acc:
        e = acc["extraction"]
        s["bf16_extraction_mAP_delta"] = e["bf16"]["mAP"] - e["fp32"]["mAP"]
        last = acc["training"]["last"]
        s["bf16_train_mAP_delta"] = last["bf16"]["mAP"] - last["fp32"]["mAP"]
    return s


def speed(a, data, onnx, folders, work):
    ours_x, ours_x1, ours_xb, peer_x = [], [], [], []
    out = os.path.join(work, "osnet.safetensors")
    for _ in range(a.repeats):  # alternate so that drift of the machine hits both alike
        # The default (two single-threaded streams on 2 cores), one stream on both cores, and bf16.
        base = [a.reid, "extract", "--model", "onnx:" + onnx, "--dataset", data, "--split", "train,query,gallery"]
        ours_x.append(run_json([*base, "--out", out, "--json"]))
        ours_x1.append(run_json([*base, "--streams", "1", "--out", out, "--json"]))
        ours_xb.append(run_json([*base, "--precision", "bf16", "--out", os.path.join(work, "osnet-bf16.safetensors"), "--json"]))
        peer_x.append(run_json([sys.executable, os.path.join(HERE, "peers", "onnxruntime_extract.py"),
                                "--model", onnx, "--images", *folders, "--out", os.path.join(work, "ort.npy")]))
    agreement = feature_agreement(out, os.path.join(work, "ort.npy"), data)
    agreement_bf16 = feature_agreement(os.path.join(work, "osnet-bf16.safetensors"), os.path.join(work, "ort.npy"), data)
    ox, px, oxb = best(ours_x, "images_per_second"), best(peer_x, "images_per_second"), best(ours_xb, "images_per_second")
    # Model alone (random input, no decoding), to show where the time goes.
    infer = [a.reid, "bench", "infer", "--model", "onnx:" + onnx, "--batch", "64", "--json"]
    ours_model = run_json(infer)
    ours_model_bf16 = run_json([*infer, "--precision", "bf16"])
    ours_model_1 = run_json(["env", "REID_THREADS=1", *infer])
    ours_model_1_bf16 = run_json(["env", "REID_THREADS=1", *infer, "--precision", "bf16"])
    ours_model_1_unfused = run_json(["env", "REID_THREADS=1", "REID_NO_FUSION=1", *infer])
    ort_model = onnxruntime_model_only(onnx)
    ort_model_1 = onnxruntime_model_only(onnx, threads=1)

    newest = a.newest_torch if os.path.exists(a.newest_torch) else None
    runs = {k: [] for k in ("swiftreid", "swiftreid_bf16", "pytorch", "pytorch_channels_last",
                            "newest_pytorch_channels_last", "newest_pytorch_bf16")}
    step = [a.reid, "bench", "train-step", "--model", "resnet50", "--batch", "32", "--steps", "5", "--json"]
    for _ in range(a.repeats):
        runs["swiftreid"].append(run_json(step))
        runs["swiftreid_bf16"].append(run_json([*step, "--precision", "bf16"]))
        runs["pytorch"].append(torch_step(sys.executable))
        runs["pytorch_channels_last"].append(torch_step(sys.executable, "--channels-last"))
        if newest:
            runs["newest_pytorch_channels_last"].append(torch_step(newest, "--channels-last"))
            runs["newest_pytorch_bf16"].append(torch_step(newest, "--channels-last", "--bf16"))
    rate = {k: best(v, "steps_per_second")["steps_per_second"] if v else None for k, v in runs.items()}

    return {
        "extraction": {
            "what": "OSNet x0.25 (shared ONNX) on all 8,177 cuhk03-pair1 images, 256x128, decode+resize included; "
                    "both clocks include preparing the model (tracing and optimising; building the session)",
            "swiftreid_images_per_second": ox["images_per_second"],
            "swiftreid_bf16_images_per_second": oxb["images_per_second"],
            "onnxruntime_images_per_second": px["images_per_second"],
            "onnxruntime_version": px.get("onnxruntime"),
            "ratio": ox["images_per_second"] / px["images_per_second"],
            "ratio_bf16": oxb["images_per_second"] / px["images_per_second"],
            "target_ratio_bf16": 1.5,
            "swiftreid_one_stream_images_per_second": best(ours_x1, "images_per_second")["images_per_second"],
            "model_only_images_per_second": {"swiftreid_traced": ours_model["images_per_second"],
                                             "swiftreid_traced_bf16": ours_model_bf16["images_per_second"],
                                             "swiftreid_traced_one_thread": ours_model_1["images_per_second"],
                                             "swiftreid_traced_one_thread_bf16": ours_model_1_bf16["images_per_second"],
                                             "swiftreid_traced_one_thread_without_fusion":
                                                 ours_model_1_unfused["images_per_second"],
                                             "onnxruntime": ort_model,
                                             "onnxruntime_one_thread": ort_model_1},
            "bf16": "--precision bf16: the traced graph is recorded under libtorch's CPU autocast, so its "
                    "convolutions run in bfloat16 (oneDNN's avx512_core_bf16 kernels where the CPU has them) and "
                    "the features come out float32.",
            "features_against_onnxruntime": agreement,
            "features_bf16_against_onnxruntime": agreement_bf16,
            "runs": {"swiftreid": ours_x, "swiftreid_one_stream": ours_x1, "swiftreid_bf16": ours_xb, "onnxruntime": peer_x},
        },
        "training": {
            "what": "ResNet-50 (last stride 1) + BNNeck + classifier, CE, Adam; batch 32 of 3x256x128; best of repeats",
            "swiftreid_steps_per_second": rate["swiftreid"],
            "swiftreid_bf16_steps_per_second": rate["swiftreid_bf16"],
            "pytorch_steps_per_second": rate["pytorch"],
            "pytorch_channels_last_steps_per_second": rate["pytorch_channels_last"],
            "newest_pytorch": runs["newest_pytorch_bf16"][0]["torch"] if runs["newest_pytorch_bf16"] else None,
            "newest_pytorch_channels_last_steps_per_second": rate["newest_pytorch_channels_last"],
            "newest_pytorch_bf16_steps_per_second": rate["newest_pytorch_bf16"],
            "ratio": rate["swiftreid"] / rate["pytorch"],
            "ratio_vs_pytorch_channels_last": rate["swiftreid"] / rate["pytorch_channels_last"],
            "target_ratio": 1.05,
            "target_ratio_bf16_vs_newest_pytorch_bf16": 1.1,
            "limits": "fp32: both sides run the same libtorch 1.13 kernels; SwiftReID keeps 4-D weights and "
                      "activations channels-last and keeps freed memory for reuse (no page faults each step). "
                      "bf16: CPU autocast on both sides; whether oneDNN's bf16 convolutions beat its fp32 ones "
                      "depends on the CPU (see the machine's cpu and the two PyTorch rows of this run).",
            "runs": runs,
        },
    }


if __name__ == "__main__":
    main()

"""Foundation benchmark: SwiftReID against its peers, side by side in one run on one machine.

1. Extraction: OSNet x0.25 (shared ONNX) over every image of cuhk03-pair1, decode and resize
   included: `reid extract` against onnxruntime (bench/peers/onnxruntime_extract.py).
2. Training: the ResNet-50 baseline step, batch 32, 256x128, Adam: `reid bench train-step`
   against the same step in PyTorch (bench/peers/torch_train_step.py), Debian's python3-torch.
Writes bench/results/foundation.json.
"""
import argparse, json, os, platform, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))


def run_json(cmd):
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out[out.index("{"):])


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

    ours_x, peer_x = [], []
    for _ in range(a.repeats):  # alternate so that drift of the machine hits both alike
        ours_x.append(run_json([a.reid, "extract", "--model", "onnx:" + onnx, "--dataset", data,
                                "--split", "train,query,gallery", "--out", os.path.join(work, "osnet.safetensors"),
                                "--json"]))
        peer_x.append(run_json([sys.executable, os.path.join(HERE, "peers", "onnxruntime_extract.py"),
                                "--model", onnx, "--images", *folders]))
    ox, px = best(ours_x, "images_per_second"), best(peer_x, "images_per_second")

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
            "what": "OSNet x0.25 (shared ONNX) on all 8,177 cuhk03-pair1 images, 256x128, decode+resize included",
            "swiftreid_images_per_second": ox["images_per_second"],
            "onnxruntime_images_per_second": px["images_per_second"],
            "onnxruntime_version": px.get("onnxruntime"),
            "ratio": ox["images_per_second"] / px["images_per_second"],
            "target_ratio": 1.0,
            "runs": {"swiftreid": ours_x, "onnxruntime": peer_x},
        },
        "training": {
            "what": "ResNet-50 (last stride 1) + BNNeck + classifier, CE, Adam; batch 32 of 3x256x128; best of repeats",
            "swiftreid_steps_per_second": ot["steps_per_second"],
            "pytorch_steps_per_second": pt["steps_per_second"],
            "pytorch_channels_last_steps_per_second": pcl["steps_per_second"],
            "ratio": ot["steps_per_second"] / pt["steps_per_second"],
            "ratio_vs_pytorch_channels_last": ot["steps_per_second"] / pcl["steps_per_second"],
            "target_ratio": 1.05,
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

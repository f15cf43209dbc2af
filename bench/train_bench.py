"""Training benchmark: SwiftReID's whole training loop against the same loop in PyTorch, and the
accuracy of the supervised baseline on real data. Writes bench/results/train.json.

Speed: images/s of `reid train` (supervised, MobileNetV2, 16x4 batches, 256x128, flip + pad/crop +
random erasing, loading and augmentation included) against bench/peers/torch_train_loop.py
(Debian's python3-torch + torchvision, DataLoader with 2 workers), alternated, best of repeats.

Accuracy: MobileNetV2 from the shared ImageNet weights trained with identity labels on
cuhk03-pair1 train (configs/bench-mobilenetv2-cuhk03.yaml, at most 58 minutes), evaluated on its
query and gallery; the curve comes from the run's log.jsonl.
"""
import argparse, json, os, shutil, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import run_json, write_result  # noqa: E402
ROOT = os.path.dirname(HERE)



def log_entries(run):
    with open(os.path.join(run, "log.jsonl")) as f:
        return [json.loads(l) for l in f if l.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reid", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--accuracy-run", help="reuse this finished run folder instead of training again")
    ap.add_argument("--accuracy-wall-seconds", type=float, help="wall time of the reused --accuracy-run")
    ap.add_argument("--skip-accuracy", action="store_true")
    a = ap.parse_args()
    data = os.path.join(a.shared, "data", "cuhk03-pair1")
    work = os.path.join(HERE, "work")
    ours, peer = [], []
    for _ in range(a.repeats):
        run = os.path.join(work, "train-speed")
        shutil.rmtree(run, ignore_errors=True)
        run_json([a.reid, "train", "--method", "supervised", "--data", data, "--out", run,
                  "--set", "model.backbone=mobilenetv2", "--set", "model.lastStride=2", "--set", "training.epochs=1",
                  "--set", f"training.itersPerEpoch={a.iterations}", "--set", "training.evalEvery=-1",
                  "--set", "schedule.warmupEpochs=0", "--json"])
        ours.append(log_entries(run)[0]["images_per_second"])
        peer.append(run_json([sys.executable, os.path.join(HERE, "peers", "torch_train_loop.py"),
                              "--data", os.path.join(data, "bounding_box_train"),
                              "--iterations", str(a.iterations)])["images_per_second"])
    result = {
        "machine": {"cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M")},
        "speed": {
            "what": "whole supervised training loop (loading + augmentation + MobileNetV2 step), batch 16x4, 256x128",
            "swiftreid_images_per_second": max(ours), "pytorch_dataloader2_images_per_second": max(peer),
            "ratio": max(ours) / max(peer), "target_ratio": 1.1, "runs": {"swiftreid": ours, "pytorch": peer},
        },
    }
    if not a.skip_accuracy:
        run = a.accuracy_run or os.path.join(work, "train-accuracy")
        if not a.accuracy_run:
            shutil.rmtree(run, ignore_errors=True)
            start = time.time()
            run_json([a.reid, "train", "--data", data, "--config", os.path.join(ROOT, "configs", "bench-mobilenetv2-cuhk03.yaml"),
                      "--init", os.path.join(a.shared, "weights", "mobilenetv2_imagenet.safetensors"), "--out", run, "--json"])
            wall = time.time() - start
        else:
            wall = a.accuracy_wall_seconds
        log = log_entries(run)
        curve = [{"epoch": e["epoch"], **e["metrics"]} for e in log if "metrics" in e]
        best = max(curve, key=lambda m: m["mAP"])
        result["accuracy"] = {
            "what": "MobileNetV2 (shared ImageNet weights), supervised on cuhk03-pair1 train, evaluated on its query/gallery",
            "config": "configs/bench-mobilenetv2-cuhk03.yaml",
            "best": best, "last": curve[-1], "curve": curve,
            "epochs": len(log), "train_seconds": sum(e["seconds"] for e in log), "wall_seconds": wall,
            "target_mAP": 0.60, "target_minutes": 60,
        }
    write_result(result, a.out)


if __name__ == "__main__":
    main()

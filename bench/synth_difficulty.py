"""How hard the built-in synthetic dataset is: learning-free and untrained baselines must score
low on it, or it would not exercise re-identification. Writes bench/results/synth.json.

Baselines, all on `reid synth --ids 200 --cameras 4 --seed 0` (query/gallery, Market protocol):
- colour histogram (joint RGB, 512 bins, Hellinger/cosine), no learning at all;
- OSNet x0.25 with random weights (an untrained network);
- MobileNetV2 with ImageNet weights (generic features, no re-ID training), for reference.
"""
import argparse, json, os, shutil, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import run_json, write_result  # noqa: E402



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reid", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    data = os.path.join(HERE, "work", "synth")
    shutil.rmtree(data, ignore_errors=True)
    made = run_json([a.reid, "synth", "--out", data, "--ids", "200", "--cameras", "4", "--seed", "0", "--json"])
    baselines = {
        "color_histogram": ["--model", "color-histogram"],
        "untrained_osnet_x0_25": ["--model", "osnet_x0_25", "--random-init"],
        "imagenet_mobilenetv2": ["--model", "mobilenetv2", "--weights",
                                 os.path.join(a.shared, "weights", "mobilenetv2_imagenet.safetensors")],
    }
    result = {"machine": {"cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M")},
              "dataset": {k: made[k] for k in ("ids", "cameras", "train", "query", "gallery", "views",
                                               "tracklet_frames", "seconds")}}
    for name, args in baselines.items():
        result[name] = run_json([a.reid, "evaluate", "--dataset", data, *args, "--json"])
    write_result(result, a.out)


if __name__ == "__main__":
    main()

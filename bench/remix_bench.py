"""ReMix benchmark: generalisation to a domain no run sees. Writes bench/results/remix.json.

Both runs train MobileNetV2 (shared ImageNet weights) on cuhk03-pair1 train with its identity
labels, with the same encoder, losses, batch size and number of steps
(configs/bench-remix-cuhk03.yaml). The labeled-only baseline is the remix method with
remix.labeledFraction=1 (labeled batches only, no video clustered); ReMix additionally mixes in
unlabeled single-camera videos:
  - cuhk03-pair1's two training cameras, each as one video of untracked crops (labels unused);
  - the synthetic dataset's tracklets (`reid synth`, one video per synthetic camera);
  - vtest.avi tracklets (`reid tracklets`, HOG detection + IoU tracking), when opencv-doc is installed.
Both are evaluated on pku-reid-subset (query/gallery), plus the ImageNet weights alone for scale,
and on cuhk03-pair1's own test split (in-domain). Each method runs once per seed (--seeds): with
74 pku identities one query is 0.7 % Rank-1, so the seed-to-seed spread is reported next to
the difference.
"""
import argparse, json, os, re, shutil, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import run_json, write_result  # noqa: E402
ROOT = os.path.dirname(HERE)
VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"


def link(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    os.symlink(os.path.abspath(src), dst)


def prepare_single_camera(reid, shared, work):
    """One folder of videos: <video>/*.jpg or <video>/<track>/*.jpg, as symlinks."""
    single = os.path.join(work, "single")
    shutil.rmtree(single, ignore_errors=True)
    sources = {}
    train = os.path.join(shared, "data", "cuhk03-pair1", "bounding_box_train")
    for name in sorted(os.listdir(train)):
        m = re.match(r"([-\d]+)_c(\d)", name)
        if m:
            link(os.path.join(train, name), os.path.join(single, f"cuhk03-c{m.group(2)}", name))
    for cam in sorted(d for d in os.listdir(single) if d.startswith("cuhk03")):
        sources[cam] = len(os.listdir(os.path.join(single, cam)))
    synth = os.path.join(work, "synth")
    if not os.path.isdir(os.path.join(synth, "tracklets")):
        run_json([reid, "synth", "--out", synth, "--ids", "20", "--cameras", "4", "--seed", "7", "--json"])
    for cam in sorted(os.listdir(os.path.join(synth, "tracklets"))):
        link(os.path.join(synth, "tracklets", cam), os.path.join(single, f"synth-{cam}"))
        sources[f"synth-{cam}"] = sum(len(f) for _, _, f in os.walk(os.path.join(synth, "tracklets", cam)))
    vtest = None
    if os.path.exists(VTEST):
        out = os.path.join(work, "vtest-tracklets")
        cached = os.path.join(work, "vtest-tracklets.json")
        if os.path.exists(cached) and os.path.isdir(os.path.join(out, "vtest")):
            with open(cached) as f:
                vtest = json.load(f)
        else:
            vtest = run_json([reid, "tracklets", "--video", VTEST, "--out", out, "--frame-step", "2", "--json"])
            with open(cached, "w") as f:
                json.dump(vtest, f)
        link(vtest["out"], os.path.join(single, "vtest"))
        sources["vtest"] = vtest["crops"]
    return single, sources, vtest


def evaluate(reid, shared, weights, dataset="pku-reid-subset"):
    root = os.path.join(shared, "data", dataset)
    cmd = [reid, "evaluate", "--dataset", root, "--model", "mobilenetv2", "--weights", weights, "--size", "128x64", "--json"]
    return run_json(cmd)


def mean(values):
    return sum(values) / len(values)


def train(reid, shared, out, extra):
    data = os.path.join(shared, "data", "cuhk03-pair1")
    shutil.rmtree(out, ignore_errors=True)
    start = time.time()
    summary = run_json([reid, "train", "--method", "remix", "--data", data,
                        "--config", os.path.join(ROOT, "configs", "bench-remix-cuhk03.yaml"),
                        "--init", os.path.join(shared, "weights", "mobilenetv2_imagenet.safetensors"),
                        "--out", out, "--json"] + extra)
    wall = time.time() - start
    with open(os.path.join(out, "log.jsonl")) as f:
        log = [json.loads(l) for l in f if l.strip()]
    return {"wall_seconds": wall, "train_seconds": sum(e["seconds"] for e in log), "epochs": len(log),
            "final_losses": summary.get("loss"),
            "stats": [e.get("stats", {}) for e in log]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reid", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--set", action="append", default=[], help="extra config overrides for both runs")
    ap.add_argument("--seeds", default="0,1", help="comma-separated seeds; each method is trained once per seed")
    a = ap.parse_args()
    seeds = [int(x) for x in a.seeds.split(",")]
    work = os.path.join(HERE, "work", "remix")
    os.makedirs(work, exist_ok=True)
    single, sources, vtest = prepare_single_camera(a.reid, a.shared, work)
    common = sum((["--set", s] for s in a.set), [])
    runs = {"labeled_only": [], "remix": []}
    imagenet = evaluate(a.reid, a.shared, os.path.join(a.shared, "weights", "mobilenetv2_imagenet.safetensors"))
    for seed in seeds:
        for name, extra in [("labeled_only", ["--set", "remix.labeledFraction=1"]),
                            ("remix", ["--single-camera", single])]:
            run_dir = os.path.join(work, f"{name}-seed{seed}")
            run = train(a.reid, a.shared, run_dir, common + extra + ["--set", f"seed={seed}"])
            weights = os.path.join(run_dir, "last.safetensors")
            run["seed"] = seed
            run["pku"] = evaluate(a.reid, a.shared, weights)
            run["cuhk03_test_in_domain"] = evaluate(a.reid, a.shared, weights, "cuhk03-pair1")
            runs[name].append(run)
    summary = {name: {"pku_rank1_mean": mean([r["pku"]["rank1"] for r in rs]),
                      "pku_mAP_mean": mean([r["pku"]["mAP"] for r in rs]),
                      "cuhk03_mAP_mean": mean([r["cuhk03_test_in_domain"]["mAP"] for r in rs]),
                      "wall_seconds_mean": mean([r["wall_seconds"] for r in rs])}
               for name, rs in runs.items()}
    base, mix = summary["labeled_only"], summary["remix"]
    result = {
        "machine": {"cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M")},
        "what": "MobileNetV2 (ImageNet init) trained on cuhk03-pair1 train with labels; ReMix also on unlabeled "
                "single-camera videos; both evaluated on pku-reid-subset, never seen in training",
        "config": "configs/bench-remix-cuhk03.yaml", "overrides": a.set,
        "baseline": "the remix method with remix.labeledFraction=1: same encoder, losses, batch size (64) and steps, "
                    "labeled batches only",
        "single_camera_videos": sources,
        "vtest_tracklets": vtest and {k: vtest[k] for k in ("frames", "tracks", "crops", "seconds")},
        "imagenet_only_pku": imagenet,
        "seeds": seeds,
        "summary": summary,
        "remix_minus_labeled_only": {"pku_rank1": mix["pku_rank1_mean"] - base["pku_rank1_mean"],
                                     "pku_mAP": mix["pku_mAP_mean"] - base["pku_mAP_mean"],
                                     "cuhk03_mAP": mix["cuhk03_mAP_mean"] - base["cuhk03_mAP_mean"]},
        "seed_spread_pku_mAP": {name: max(r["pku"]["mAP"] for r in rs) - min(r["pku"]["mAP"] for r in rs)
                                for name, rs in runs.items()},
        "runs": runs,
    }
    write_result(result, a.out)


if __name__ == "__main__":
    main()

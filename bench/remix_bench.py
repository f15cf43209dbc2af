"""ReMix benchmark: generalisation to a domain no run sees. Writes bench/results/remix.json.

Every arm trains MobileNetV2 (shared ImageNet weights) on cuhk03-pair1 train with its identity
labels, with the same encoder, losses and number of steps (configs/remix.yaml, the 2-core recipe). The labeled-only arm is the remix method with
remix.labeledFraction=1 and 8 identities a batch (labeled batches only, no video clustered); ReMix
takes the same 8 labeled identities a step and adds 4 pseudo-identities from unlabeled
single-camera tracklets of two real videos, made by `reid tracklets` with the shared OSNet
linking boxes by appearance as well as motion (a third arm, labeled_only_12ids, is labeled-only at
ReMix's 96 images a step, to tell the videos' effect from the larger batch's):
  - Debian's vtest.avi (opencv-doc), every 2nd frame, frames upscaled 1.3x for HOG;
  - ../shared/videos/one-by-one-person-detection.mp4, boxes at least 250 px tall (smaller ones there
    are HOG firing on clothing and walls).
Each arm runs once per seed (--seeds, default 0,1,2) and is evaluated at its last epoch on
pku-reid-subset (never seen) and on cuhk03-pair1's own test split (in-domain). A finished run is
reused when its arguments and binary match (row.json in its folder), so arms and seeds can be
split between processes (--arms) and sessions; the result is written from every finished run.
`--tracklets-only` makes the tracklets and their contact sheets (bench/work/remix/<video>-tracks.png,
-2.png, ...; every track one row) to look at; `--judged-switches vtest=N,...` records how many tracks were judged (by eye, from the
montages) to switch person.
"""
import argparse, hashlib, json, os, shutil, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import claim_run, finished_row, run_json, save_row, write_result  # noqa: E402
ROOT = os.path.dirname(HERE)
CONFIG = "configs/remix.yaml"
ARMS = {"labeled_only": ["--set", "remix.labeledFraction=1", "--set", "data.identitiesPerBatch=8"], "remix": None,
        # control: labeled-only with ReMix's 96 images a step, to tell the videos' effect from the
        # larger batch's (optional: reported when all its seeds are done)
        "labeled_only_12ids": ["--set", "remix.labeledFraction=1", "--set", "data.identitiesPerBatch=12"]}
REQUIRED = ("labeled_only", "remix")


def videos(shared):
    """(name, file, extra tracklets flags) of the real videos; a missing one is an error."""
    found = [("vtest", "/usr/share/doc/opencv-doc/examples/data/vtest.avi", ["--frame-step", "2", "--upscale", "1.3"]),
             # people stand ~330 px tall in this close indoor view; HOG's smaller boxes there are
             # parts of clothing, hair and wall corners (judged from the contact sheets)
             ("one-by-one-person-detection", os.path.join(shared, "videos", "one-by-one-person-detection.mp4"),
              ["--min-height", "250"])]
    for name, path, _ in found:
        if not os.path.exists(path):
            sys.exit(f"{path} not found: {name} is one of the two real videos this bench needs "
                     "(vtest.avi comes with Debian's opencv-doc, which scripts/bootstrap.sh installs)")
    return found


def prepare_tracklets(reid, shared, work, commit, fresh):
    """The tracklets of both videos in work/single/<video>/<track>/*.jpg, reused when made with the
    same arguments (each summary keeps the commit of the binary that made it); returns their
    summaries."""
    single = os.path.join(work, "single")
    model = "onnx:" + os.path.join(shared, "weights", "osnet_x0_25_msmt17.onnx")
    summaries = {}
    for name, path, flags in videos(shared):
        args = ["tracklets", "--video", path, "--out", single, "--model", model,
                "--montage", os.path.join(work, f"{name}-tracks.png"), "--json"] + flags
        cached = os.path.join(work, f"{name}-tracklets.json")
        summary = None
        if os.path.exists(cached) and os.path.isdir(os.path.join(single, name)):
            with open(cached) as f:
                summary = json.load(f)
            if summary.get("args") != args or fresh:
                summary = None
        if summary is None:
            summary = run_json([reid] + args)
            summary.update(args=args, binary_commit=commit)
            with open(cached + ".tmp", "w") as f:
                json.dump(summary, f, indent=2)
            os.replace(cached + ".tmp", cached)
        sheets = run_json([reid, "dataset", "montage", os.path.join(single, name),
                           "--out", os.path.join(work, f"{name}-tracks.png"), "--json"])["sheets"]
        summaries[name] = summary | {"montages": [os.path.relpath(p, ROOT) for p in sheets]}
    return single, summaries


def evaluate(reid, shared, weights, dataset):
    root = os.path.join(shared, "data", dataset)
    return run_json([reid, "evaluate", "--dataset", root, "--model", "mobilenetv2", "--weights", weights,
                     "--size", size(), "--json"])


def size():
    """HEIGHTxWIDTH of the bench config, for evaluating its checkpoints."""
    with open(os.path.join(ROOT, CONFIG)) as f:
        lines = [l.split("#")[0].strip() for l in f]
    get = lambda key: next(int(l.split(":")[1]) for l in lines if l.startswith(key + ":"))
    return f"{get('height')}x{get('width')}"


def settings_digest(text):
    """A digest of a config's settings with its comments left out, so a comment edit does not
    retrain every arm while a changed setting does."""
    settings = "\n".join(l.split("#")[0].rstrip() for l in text.splitlines() if l.split("#")[0].strip())
    return hashlib.sha256(settings.encode()).hexdigest()[:16]


def upgrade_row_args(run):
    """Rows written before the digest kept the config's whole text: store its digest instead."""
    done = os.path.join(run, "row.json")
    if not os.path.exists(done):
        return
    with open(done) as f:
        row = json.load(f)
    if "config_text" in row.get("args", {}):
        text = row["args"].pop("config_text")
        row["args"] = {"config": row["args"]["config"], "config_settings": settings_digest(text),
                       "sets": row["args"]["sets"]}
        save_row(run, row)


def train_arm(a, arm, seed, single, commit):
    """Trains one arm with one seed (or reuses its finished run) and returns its row."""
    run = os.path.join(a.work, f"{arm}-seed{seed}")
    extra = ARMS[arm] or ["--single-camera", single]
    sets = sum((["--set", s] for s in a.set), []) + extra + ["--set", f"seed={seed}"]
    with open(os.path.join(ROOT, CONFIG)) as f:
        config_text = f.read()
    args = {"config": CONFIG, "config_settings": settings_digest(config_text), "sets": sets}
    upgrade_row_args(run)
    row = finished_row(run, args, a.fresh, commit)
    if row:
        return row
    claim_run(run)
    shutil.rmtree(run, ignore_errors=True)
    data = os.path.join(a.shared, "data", "cuhk03-pair1")
    load_before = [round(x, 2) for x in os.getloadavg()]
    start = time.time()
    run_json([a.reid, "train", "--method", "remix", "--data", data, "--config", os.path.join(ROOT, CONFIG),
              "--init", os.path.join(a.shared, "weights", "mobilenetv2_imagenet.safetensors"),
              "--out", run, "--json"] + sets)
    wall = time.time() - start
    with open(os.path.join(run, "log.jsonl")) as f:
        log = [json.loads(l) for l in f if l.strip()]
    weights = os.path.join(run, "last.safetensors")
    row = {"args": args, "arm": arm, "seed": seed, "binary_commit": commit, "run": os.path.relpath(run, ROOT),
           "wall_seconds": round(wall, 1), "load_average_before": load_before,
           "load_average_after": [round(x, 2) for x in os.getloadavg()],
           "epochs": len(log), "stats": [e.get("stats", {}) for e in log],
           "pku": evaluate(a.reid, a.shared, weights, "pku-reid-subset"),
           "cuhk03_test_in_domain": evaluate(a.reid, a.shared, weights, "cuhk03-pair1")}
    save_row(run, row)
    return row


def spread(values):
    return {"mean": statistics.mean(values), "std": statistics.stdev(values) if len(values) > 1 else None,
            "values": values}


def git_commit():
    return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                          text=True).stdout.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reid", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--binary-commit", help="the commit the --reid binary was built from (default: this tree's)")
    ap.add_argument("--set", action="append", default=[], help="extra config overrides for both arms")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--arms", default=",".join(ARMS), help="arms to train here; the others' finished runs are read")
    ap.add_argument("--fresh", action="store_true", help="make the tracklets and train every run again")
    ap.add_argument("--tracklets-only", action="store_true", help="make the tracklets and montages, then stop")
    ap.add_argument("--judged-switches", default="",
                    help="VIDEO=N,... tracks judged by eye (from the montages) to switch person")
    a = ap.parse_args()
    commit = a.binary_commit or git_commit()
    a.work = os.path.join(HERE, "work", "remix")
    os.makedirs(a.work, exist_ok=True)
    single, tracklets = prepare_tracklets(a.reid, a.shared, a.work, commit, a.fresh)
    if a.tracklets_only:
        print(json.dumps(tracklets, indent=2))
        return
    seeds = [int(x) for x in a.seeds.split(",")]
    for arm in a.arms.split(","):
        if arm not in ARMS:
            sys.exit(f"--arms: unknown arm '{arm}'; the arms are {', '.join(ARMS)}")
        for seed in seeds:
            train_arm(a, arm, seed, single, commit)
    rows = {arm: [json.load(open(os.path.join(a.work, f"{arm}-seed{s}", "row.json"))) for s in seeds
                  if os.path.exists(os.path.join(a.work, f"{arm}-seed{s}", "row.json"))] for arm in ARMS}
    rows = {arm: r for arm, r in rows.items() if arm in REQUIRED or len(r) == len(seeds)}
    if any(len(r) < len(seeds) for r in rows.values()):
        print("not every arm has every seed yet; remix.json is written when they do", file=sys.stderr)
        return
    per_arm = {arm: {"pku_rank1": spread([r["pku"]["rank1"] for r in rs]),
                     "pku_mAP": spread([r["pku"]["mAP"] for r in rs]),
                     "indomain_mAP": spread([r["cuhk03_test_in_domain"]["mAP"] for r in rs]),
                     "wall_seconds": spread([r["wall_seconds"] for r in rs])} for arm, rs in rows.items()}
    mix, base = per_arm["remix"], per_arm["labeled_only"]
    imagenet_only = evaluate(a.reid, a.shared, os.path.join(a.shared, "weights", "mobilenetv2_imagenet.safetensors"),
                             "pku-reid-subset")
    judged = dict(x.split("=") for x in a.judged_switches.split(",") if x)
    result = {
        "summary": {"pku_remix_mAP_mean": mix["pku_mAP"]["mean"], "pku_remix_mAP_std": mix["pku_mAP"]["std"],
                    "pku_labeled_mAP_mean": base["pku_mAP"]["mean"], "pku_labeled_mAP_std": base["pku_mAP"]["std"],
                    "indomain_remix_mAP_mean": mix["indomain_mAP"]["mean"],
                    "indomain_labeled_mAP_mean": base["indomain_mAP"]["mean"]},
        "target": {"pku_gain_over_larger_std": mix["pku_mAP"]["mean"] - base["pku_mAP"]["mean"]
                   > max(mix["pku_mAP"]["std"] or 0, base["pku_mAP"]["std"] or 0),
                   "indomain_loss_at_most_1_point": base["indomain_mAP"]["mean"] - mix["indomain_mAP"]["mean"] <= 0.01},
        "machine": {"cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M")},
        "what": "MobileNetV2 (ImageNet init) trained on cuhk03-pair1 train with labels; ReMix also on unlabeled "
                "tracklets of two real videos; evaluated at the last epoch on pku-reid-subset (never seen) and "
                "cuhk03-pair1 test (in-domain)",
        "config": CONFIG, "overrides": a.set, "seeds": seeds,
        "baseline": "the remix method with remix.labeledFraction=1 and 8 identities a batch: same encoder, losses, "
                    "steps and labeled identities a step (8 x 4 images x 2 views); ReMix adds 4 pseudo-identities a step",
        "tracklets": {name: {k: t.get(k) for k in ("frames", "tracks", "crops", "linked_by", "split_by_appearance",
                                                    "merged_by_appearance", "seconds", "montages",
                                                    "binary_commit")}
                      | {"judged_switched_tracks": int(judged[name]) if name in judged else None}
                      for name, t in tracklets.items()},
        "control": "labeled_only_12ids (when present): labeled-only with 12 identities a step, ReMix's 96 images, so "
                   "a gain of ReMix over it is the videos' and not the larger batch's",
        "imagenet_only_pku": {k: imagenet_only[k] for k in ("rank1", "mAP", "mINP")},
        "arms": per_arm,
        "runs": rows,
    }
    write_result(result, a.out)


if __name__ == "__main__":
    main()

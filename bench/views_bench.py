"""Generated views for PPLR (issue 18): the view generator on real data, and the four ways to use
views, over seeds. Writes bench/results/views.json, which starts with a `summary` object.

1. Synthetic data with ground-truth views and masks (`reid synth --ids 80 --cameras 4 --seed 0`):
   every variant of configs/views_ablation.yaml at the plan's budget, `reid ablation --seeds`
   (mean ± std per variant; a difference within the spread is "no effect").
2. The generator on cuhk03-pair1 (train labels hidden), at most --generator-minutes: identity
   encoder = the shared OSNet x0.25 MSMT17 (the model the cuhk03 variants adapt), views at
   90/135/180/270 (built-in structure), identity preservation judged by --judge, a re-ID model the
   generator did not use (default: the PPLR-from-ImageNet run of the unsupervised bench, trained
   on cuhk03's training images without labels and never on views).
3. cuhk03-pair1 with those views: every variant from the shared OSNet with seed 0, then seeds 1
   and 2 for the baseline and the two variants that did best on the SYNTHETIC data (chosen there,
   not on cuhk03's test set).

Run folders live in bench/work/views/<binary commit>/, so an interrupted bench resumes (finished
runs are reused, a generator resumes from its checkpoint) and a new binary starts afresh.
--skip-synthetic / --skip-generator / --skip-cuhk03 keep that part from the existing results file;
--generator-from FILE takes the generator part from another results file of this script (so the
generator can train on one core while the synthetic part runs on the other, each with
OMP_NUM_THREADS=1 and its own --out); --generator-also FILE keeps other generator settings tried
under generator_trials.
"""
import argparse, json, os, shutil, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from common import run_json, write_result  # noqa: E402

PLAN = os.path.join(ROOT, "configs", "views_ablation.yaml")
ANGLES = "90,135,180,270"
SUPERSEDED_REASON = ("measured before issue 18: one seed per variant, a smaller synthetic budget (6 x 15), "
                     "cumulative sequential phases by default, and a generator trained 97-222 steps with an "
                     "ImageNet encoder, judged by that same encoder")


def machine():
    """Where and how a part ran: cores, the cores this process may use, its threads, the load."""
    return {"cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M"), "cpus_used": sorted(os.sched_getaffinity(0)),
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"), "load_average": os.getloadavg()}


def binary_commit():
    return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                          text=True).stdout.strip()


def ablation(a, data, out, sets, seeds, only):
    cmd = [a.reid, "ablation", "--config", PLAN, "--data", data, "--out", out, "--seeds", ",".join(map(str, seeds)),
           *[x for s in sets for x in ("--set", s)], *[x for v in only for x in ("--only", v)], "--json"]
    start = time.time()
    table = run_json(cmd)
    table["wall_seconds_this_call"] = time.time() - start
    return table


def variant(table, name):
    return next((v for v in table.get("variants", []) if v["name"] == name), None)


def best(table, exclude=("baseline",), min_runs=1):
    """Variant with the highest mean mAP among those with at least min_runs runs."""
    candidates = [v for v in table.get("variants", []) if v["name"] not in exclude and len(v["mAP_values"]) >= min_runs]
    return max(candidates, key=lambda v: v["mAP_mean"]) if candidates else None


def compact(table):
    keep = ("name", "seeds", "rank1_mean", "rank1_std", "mAP_mean", "mAP_std", "mAP_min", "mAP_values",
            "mAP_difference", "runs_above_reference_mean", "verdict", "seconds_mean")
    return [{k: v[k] for k in keep if k in v} for v in table.get("variants", [])]


def verdicts(variants, time_of_baseline):
    out = []
    for v in variants:
        if v["name"] == "baseline":
            continue
        cost = v["seconds_mean"] / time_of_baseline if time_of_baseline else float("nan")
        std = v.get("mAP_std")
        spread = "" if std is None else " ± %.1f" % (std * 100)
        out.append("%s: %s (mAP %.1f%s, %+.1f points on the mean over %d seed(s), %.1fx the baseline's time)"
                   % (v["name"], v.get("verdict", "?"), v["mAP_mean"] * 100, spread, v["mAP_difference"] * 100,
                      len(v["mAP_values"]), cost))
    return out


def synthetic(a, work):
    data = os.path.join(HERE, "work", "views", "synth80")
    if not os.path.isdir(os.path.join(data, "nv")):
        shutil.rmtree(data, ignore_errors=True)
        run_json([a.reid, "synth", "--out", data, "--ids", "80", "--cameras", "4", "--seed", "0", "--json"])
    weights = os.path.join(a.shared, "weights", "mobilenetv2_imagenet.safetensors")
    sets = [f"model.initialWeights={weights}", f"views.dir={data}"]
    table = ablation(a, data, os.path.join(work, "synthetic"), sets, a.seeds, [])
    variants = compact(table)
    base = variant(table, "baseline")
    return {"data": "reid synth --ids 80 --cameras 4 --seed 0, its ground-truth views nv/<deg>/ and masks mask/",
            "plan": "configs/views_ablation.yaml (its own budget)", "settings": table["set"], "seeds": a.seeds,
            "variants": variants, "runs": table["rows"],
            "verdicts": verdicts(variants, base["seconds_mean"] if base else None)}


def generator(a, work):
    data = os.path.join(a.shared, "data", "cuhk03-pair1")
    osnet = os.path.join(a.shared, "weights", "osnet_x0_25_msmt17.onnx")
    suffix = "".join("-" + "".join(c for c in o if c.isalnum()) for o in a.generator_option)  # one folder per setting
    run = os.path.join(work, "cuhk03-generator" + suffix)
    views = os.path.join(work, "cuhk03-views" + suffix)
    start = time.time()
    train = run_json([a.reid, "generator", "train", "--data", data, "--structure", "auto", "--out", run,
                      "--init", osnet, "--minutes", str(a.generator_minutes), *a.generator_option, "--json"])
    train_wall = time.time() - start
    if not os.path.exists(os.path.join(views, "generation.json")):
        shutil.rmtree(views, ignore_errors=True)
        judge = ["--judge", a.judge] if a.judge else []  # a run is read at its own input size
        run_json([a.reid, "generator", "generate", "--run", run, "--data", data, "--angles", ANGLES, "--out", views,
                  *judge, "--json"])
    with open(os.path.join(views, "generation.json")) as f:
        gen = json.load(f)
    return {"data": "cuhk03-pair1 training images, labels hidden (7,239)",
            "encoder": "shared OSNet x0.25 MSMT17 (ONNX), frozen", "options": a.generator_option, "train": train, "train_wall_seconds": train_wall,
            "generate": gen, "views": os.path.relpath(views, ROOT),
            "grid": os.path.relpath(os.path.join(views, "preview.png"), ROOT),
            "samples": os.path.relpath(os.path.join(run, "samples.png"), ROOT)}


def cuhk03(a, work, result):
    data = os.path.join(a.shared, "data", "cuhk03-pair1")
    osnet = os.path.join(a.shared, "weights", "osnet_x0_25_msmt17.onnx")
    # The generator part's views (it may come from another binary's work folder, --generator-from).
    views = os.path.join(ROOT, result.get("generator", {}).get("views", os.path.relpath(os.path.join(work, "cuhk03-views"), ROOT)))
    # The shared OSNet's unsupervised recipe (bench/unsupervised_bench.py): 256x128, Adam 3.5e-5, eps 0.5.
    sets = [f"model.initialWeights={osnet}", f"views.dir={views}", "data.height=256", "data.width=128",
            "optimizer.lr=0.000035", "clustering.eps=0.5", "pplr.aalsEpoch=1",
            f"training.epochs={a.cuhk03_epochs}", f"training.itersPerEpoch={a.cuhk03_iters}"]
    out = os.path.join(work, "cuhk03-ablation")
    first = ablation(a, data, out, sets, [a.seeds[0]], [])
    chosen = picks(result)  # after the first pass, which does not need them
    table = ablation(a, data, out, sets, a.seeds, ["baseline"] + chosen)
    variants = compact(table)
    base = variant(table, "baseline")
    return {"data": "cuhk03-pair1, train labels hidden (7,239 images); evaluated on its 200 query / 738 gallery",
            "initialisation": "shared OSNet x0.25 MSMT17 (ONNX) for every variant",
            "seeds": {"all variants": [a.seeds[0]], "baseline and the two picked": a.seeds},
            "picked_on": "the synthetic ablation's two best variants by mean mAP (not cuhk03's test set)",
            "picked": chosen, "settings": table["set"], "variants": variants, "runs": table["rows"],
            "wall_seconds_first_pass": first["wall_seconds_this_call"],
            "verdicts": verdicts(variants, base["seconds_mean"] if base else None)}


def summary(result):
    s = {}
    gen = result.get("generator", {}).get("generate", {})
    if gen:
        s["generator_identity_preservation"] = gen.get("identityPreservation")
        s["generator_identity_preservation_by_encoder"] = gen.get("identityPreservationByEncoder")
        s["generator_judge"] = gen.get("judge")
        # The same views, counted when their nearest original shows the same person (names only
        # measure), and real new views' own-image rate: the ceiling of the first number.
        s["generator_person_preservation"] = gen.get("personPreservation")
        s["generator_person_preservation_by_encoder"] = gen.get("personPreservationByEncoder")
        s["real_new_views_identity_preservation"] = (gen.get("realViews") or {}).get("image")
    syn = {v["name"]: v for v in result.get("synthetic", {}).get("variants", [])}
    if "baseline" in syn:
        s["synthetic_baseline_mAP_mean"] = syn["baseline"]["mAP_mean"]
        top = best({"variants": list(syn.values())})
        if top:
            s.update(synthetic_best_variant=top["name"], synthetic_best_mAP_mean=top["mAP_mean"],
                     synthetic_best_min_seed_mAP=top["mAP_min"])
    cu = result.get("cuhk03_pair1", {})
    cv = {v["name"]: v for v in cu.get("variants", [])}
    if "baseline" in cv:
        s["cuhk03_baseline_mAP_mean"] = cv["baseline"]["mAP_mean"]
        runs = len(cv["baseline"]["mAP_values"])
        top = best({"variants": [v for v in cv.values() if v["name"] in cu.get("picked", [])]}, min_runs=runs)
        if top:
            s.update(cuhk03_best_variant=top["name"], cuhk03_best_mAP_mean=top["mAP_mean"])
    return s


def picks(result):
    """The two best variants of the synthetic ablation by mean mAP (baseline excluded)."""
    syn = result.get("synthetic", {}).get("variants", [])
    names = [v["name"] for v in sorted((v for v in syn if v["name"] != "baseline"), key=lambda v: -v["mAP_mean"])[:2]]
    if len(names) < 2:
        sys.exit("the cuhk03 part picks two variants from the synthetic ablation; run it first (without --skip-synthetic)")
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reid", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--binary-commit", help="commit the --reid binary was built from (default: HEAD)")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--skip-generator", action="store_true")
    ap.add_argument("--skip-cuhk03", action="store_true")
    ap.add_argument("--generator-minutes", type=float, default=60)
    ap.add_argument("--generator-option", action="append", default=[],
                    help="an extra option for reid generator train, e.g. --generator-option=--structure-detail=9 (repeatable)")
    ap.add_argument("--generator-from", help="take the generator part from this results file (written by this script "
                    "with --skip-synthetic --skip-cuhk03, e.g. run beside the synthetic part) instead of running it")
    ap.add_argument("--generator-also", action="append", default=[],
                    help="results files (of this script) whose generator parts are kept under generator_trials: the other "
                    "settings tried, beside the one in `generator` (repeatable)")
    ap.add_argument("--judge", default="run:" + os.path.join(HERE, "work", "unsupervised", "imagenet_pplr"),
                    help="re-ID model that judges identity preservation ('' for the generator's own encoder)")
    ap.add_argument("--cuhk03-epochs", type=int, default=4)
    ap.add_argument("--cuhk03-iters", type=int, default=40)
    a = ap.parse_args()
    a.seeds = [int(s) for s in a.seeds.split(",")]
    commit = a.binary_commit or binary_commit()
    work = os.path.join(HERE, "work", "views", commit)
    os.makedirs(work, exist_ok=True)
    if a.judge.startswith("run:") and not os.path.exists(os.path.join(a.judge[4:], "best.safetensors")):
        sys.exit(f"--judge {a.judge}: no trained run there; run bench/unsupervised_bench.py --only imagenet first, "
                 "or pass another re-ID model the generator does not use")
    previous = json.load(open(a.out)) if os.path.exists(a.out) else {}
    result = {"machine": machine(), "binary_commit": commit}
    if "summary" not in previous and previous:
        result["superseded"] = {"reason": SUPERSEDED_REASON, "results": previous}
    elif "superseded" in previous:
        result["superseded"] = previous["superseded"]
    # Each part records the binary that made it; a skipped part keeps its earlier result as it is.
    parts = (("synthetic", a.skip_synthetic, lambda: synthetic(a, work)),
             ("generator", a.skip_generator, lambda: generator(a, work)),
             ("cuhk03_pair1", a.skip_cuhk03, lambda: cuhk03(a, work, result)))
    if a.generator_from:
        other = json.load(open(a.generator_from))
        result["generator"] = {"machine": other.get("machine"), **other["generator"]}
    trials = [json.load(open(f)).get("generator") for f in a.generator_also]
    if trials:
        result["generator_trials"] = [t for t in trials if t]
    for key, skip, part in parts:
        if key == "generator" and a.generator_from:
            continue
        if skip:
            if key in previous and "summary" in previous:
                result[key] = previous[key]
            continue
        started_on = machine()
        result[key] = {**part(), "binary_commit": commit, "machine": {**started_on, "load_average_at_end": os.getloadavg()}}
        write_result({"summary": summary(result), **result}, a.out)
    write_result({"summary": summary(result), **result}, a.out)


if __name__ == "__main__":
    main()

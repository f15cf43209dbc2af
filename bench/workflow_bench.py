"""The adapt-and-deploy job on real data, measured end to end (issue 16). Writes
bench/results/workflow.json.

cuhk03-pair1's training images are copied into an unlabeled folder with one subfolder per camera
(cam1/, cam2/) and file names that reveal nothing (a seeded shuffle numbers them). UDA from the
shared OSNet x0.25 MSMT17 model, with the training settings of the `uda` row of unsupervised.json,
adapts to it once from the labelled layout (labels hidden by the method) and once from the
unlabeled folder with cuhk03-pair1's query/gallery given through --eval-data. The two must agree
within 1 mAP point. The adapted model is then exported to ONNX and evaluated through onnxruntime
on the very input tensors SwiftReID fed its own model (`reid extract --save-inputs`); its mAP must
equal SwiftReID's within 0.1 points.

Every number is plain cosine distance (no re-ranking, no camera normalisation) of the LAST epoch's
checkpoint: nothing is chosen on the test set. A finished run (row.json written with the same
arguments) is reused, so an interrupted benchmark resumes; --fresh trains again.
"""
import argparse, json, os, random, re, shutil, statistics, struct, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import finished_row, run_json, save_row, write_result  # noqa: E402
ROOT = os.path.dirname(HERE)

# The training settings of the uda row of unsupervised.json (its UDA_BUDGET on top of configs/uda.yaml,
# which already has eps 0.5 and penalty 0.1); only the evaluation differs: once, after the last
# epoch, plain cosine (evaluation never changes training: every epoch reseeds).
BUDGET = ["data.height=256", "data.width=128", "training.epochs=10", "training.itersPerEpoch=100",
          "optimizer.lr=0.000035", "schedule.milestones=[8]", "schedule.totalEpochs=10", "clustering.eps=0.5",
          "clustering.cameraPenalty=0.1", "training.evalEvery=10", "training.evalBeforeTraining=false",
          "evaluation.rerank=false", "evaluation.cameraNorm=false"]


def unlabeled_folder(data, out, seed=16):
    """Copies data's bounding_box_train into out/cam1, out/cam2 (camera from the Market name),
    named by a seeded shuffle: the names carry neither id nor original order."""
    source = os.path.join(data, "bounding_box_train")
    names = sorted(n for n in os.listdir(source) if n.lower().endswith((".jpg", ".png")))
    marker = os.path.join(out, "done.json")
    if os.path.exists(marker):
        with open(marker) as f:
            if json.load(f).get("images") == len(names):
                return len(names)
    shutil.rmtree(out, ignore_errors=True)
    order = list(range(len(names)))
    random.Random(seed).shuffle(order)
    for number, i in enumerate(order):
        camera = int(re.match(r"\d+_c(\d+)", names[i]).group(1))
        folder = os.path.join(out, f"cam{camera}")
        os.makedirs(folder, exist_ok=True)
        shutil.copyfile(os.path.join(source, names[i]), os.path.join(folder, f"{number:05d}" + os.path.splitext(names[i])[1]))
    with open(marker, "w") as f:
        json.dump({"images": len(names)}, f)
    return len(names)


def train(reid, name, data, extra, onnx, work, fresh, seed, binary_commit):
    """One UDA run (reused when finished with the same arguments). Seed 0 is the config's default,
    so its runs carry no seed in their name or arguments."""
    if seed:
        name, extra = f"{name}_seed{seed}", extra + ["--set", f"seed={seed}"]
    run = os.path.join(work, name)
    args = {"data": os.path.relpath(data, ROOT) if data.startswith(ROOT) else data, "extra": extra, "sets": BUDGET}
    row = finished_row(run, args, fresh, binary_commit)
    if row:
        return row
    shutil.rmtree(run, ignore_errors=True)
    cmd = [reid, "train", "--config", os.path.join(ROOT, "configs/uda.yaml"), "--data", data, "--init", onnx,
           "--out", run] + extra + [x for s in BUDGET for x in ("--set", s)]
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    start = time.time()
    subprocess.run(cmd, check=True)
    row = {"args": args, "run": os.path.relpath(run, ROOT), "wall_seconds": time.time() - start,
           "binary_commit": binary_commit, "load_average_after": [round(x, 2) for x in os.getloadavg()]}
    with open(os.path.join(run, "log.jsonl")) as f:
        stats = [json.loads(l).get("stats") for l in f if l.strip()]
    stats = [s for s in stats if s]
    row["clusters_per_epoch"] = [s.get("clusters") for s in stats]
    row["ari_per_epoch"] = [s.get("ari") for s in stats]
    save_row(run, row)
    return row


def read_safetensors(path):
    """{name: (dtype, shape, bytes)} and the metadata of a safetensors file."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        body = f.read()
    meta = header.pop("__metadata__", None)
    return {k: (v["dtype"], v["shape"], body[v["data_offsets"][0]:v["data_offsets"][1]]) for k, v in header.items()}, meta


def write_safetensors(tensors, meta, path):
    header, offset, chunks = {}, 0, []
    for k, (dtype, shape, data) in tensors.items():
        header[k] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        chunks.append(data)
    if meta:
        header["__metadata__"] = meta
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
    os.replace(path + ".tmp", path)


def onnxruntime_features(model, inputs_file, swift_file, out_file, python):
    """Runs the exported graph in onnxruntime (a child process of the venv's Python) on the saved
    inputs and writes swift_file with its features replaced; returns the largest difference."""
    code = f"""
import json, sys, numpy as np, onnxruntime as ort
sys.path.insert(0, {HERE!r})
from workflow_bench import read_safetensors, write_safetensors
inputs, _ = read_safetensors({inputs_file!r})
dtype, shape, data = inputs["input"]
x = np.frombuffer(data, dtype="<f4").reshape(shape)
options = ort.SessionOptions()
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
session = ort.InferenceSession({model!r}, options, providers=["CPUExecutionProvider"])
name = session.get_inputs()[0].name
y = np.concatenate([session.run(None, {{name: x[i:i + 64]}})[0] for i in range(0, len(x), 64)]).astype("<f4")
tensors, meta = read_safetensors({swift_file!r})
ours = np.frombuffer(tensors["features"][2], dtype="<f4").reshape(tensors["features"][1])
tensors["features"] = ("F32", list(y.shape), y.tobytes())
write_safetensors(tensors, meta, {out_file!r})
print(json.dumps({{"max_abs_diff": float(np.abs(y - ours).max()), "onnxruntime": ort.__version__}}))
"""
    out = subprocess.run([python, "-c", code], check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out[out.index("{"):])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reid", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--python", default=os.path.join(ROOT, ".venv-test", "bin", "python"),
                    help="a Python with numpy and onnxruntime (scripts/test-venv.sh makes one)")
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--seeds", default="0,1", help="comma-separated training seeds; each trains both layouts")
    ap.add_argument("--binary-commit", required=True, help="the commit the --reid binary was built from (recorded)")
    a = ap.parse_args()
    data = os.path.join(a.shared, "data", "cuhk03-pair1")
    onnx = os.path.join(a.shared, "weights", "osnet_x0_25_msmt17.onnx")
    work = os.path.join(HERE, "work", "workflow")
    crops = os.path.join(work, "crops")
    os.makedirs(work, exist_ok=True)
    images = unlabeled_folder(data, crops)
    inspect = run_json([a.reid, "dataset", "inspect", crops, "--json"])

    def last(run):
        return run_json([a.reid, "evaluate", "--data", data, "--run", os.path.join(ROOT, run["run"]),
                         "--checkpoint", "last", "--json"])
    seeds = [int(x) for x in a.seeds.split(",")]
    labelled_rows, unlabelled_rows = [], []
    for seed in seeds:
        for name, source, extra, rows in [("labelled_layout", data, [], labelled_rows),
                                          ("unlabelled_folder", crops, ["--eval-data", data], unlabelled_rows)]:
            row = train(a.reid, name, source, extra, onnx, work, a.fresh, seed, a.binary_commit)
            rows.append({"seed": seed, "run": row, "last_epoch": last(row)})
    labelled, unlabelled = labelled_rows[0]["run"], unlabelled_rows[0]["run"]
    direct = run_json([a.reid, "evaluate", "--data", data, "--model", "onnx:" + onnx, "--json"])

    run = os.path.join(ROOT, unlabelled["run"])
    exported = os.path.join(work, "adapted.onnx")
    export = run_json([a.reid, "export", "--run", run, "--checkpoint", "last", "--out", exported, "--json"])
    swift = os.path.join(work, "swift_features.safetensors")
    inputs = os.path.join(work, "inputs.safetensors")
    run_json([a.reid, "extract", "--run", run, "--checkpoint", "last", "--data", data, "--out", swift,
              "--save-inputs", inputs, "--json"])
    ort_file = os.path.join(work, "onnxruntime_features.safetensors")
    parity = onnxruntime_features(exported, inputs, swift, ort_file, a.python)
    os.remove(inputs)
    ort_eval = run_json([a.reid, "evaluate", "--features", ort_file, "--json"])
    swift_eval = run_json([a.reid, "evaluate", "--features", swift, "--json"])

    def spread(rows):
        values = [r["last_epoch"]["mAP"] for r in rows]
        return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else None), values
    (lab_mean, lab_std, lab_all), (unl_mean, unl_std, unl_all) = spread(labelled_rows), spread(unlabelled_rows)

    pick = lambda r: {k: r[k] for k in ("rank1", "rank5", "rank10", "mAP", "mINP") if k in r}
    result = {
        "summary": {
            "labelled_layout_mAP": lab_mean,
            "unlabelled_folder_mAP": unl_mean,
            "exported_onnx_mAP": ort_eval["mAP"],
            "labelled_layout_mAP_std": lab_std,
            "unlabelled_folder_mAP_std": unl_std,
            "labelled_layout_mAP_per_seed": lab_all,
            "unlabelled_folder_mAP_per_seed": unl_all,
            "seeds": seeds,
            "direct_transfer_mAP": direct["mAP"],
            "layout_difference_points": round(100 * (unl_mean - lab_mean), 3),
            "exported_vs_swiftreid_points": round(100 * (ort_eval["mAP"] - swift_eval["mAP"]), 4),
            "protocol": "plain cosine, last epoch, cuhk03-pair1 query 200 / gallery 738; means over seeds; "
                        "the export is of the seed-0 unlabelled-folder run",
        },
        "machine": {"cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M")},
        "code": f"runs made by a release binary built from commit {a.binary_commit}",
        "what": "UDA from the shared OSNet x0.25 MSMT17 (ONNX) with the uda row's training settings "
                "(unsupervised.json), on cuhk03-pair1's training images: from the labelled layout (labels hidden "
                "by the method) and from an unlabeled cam1/cam2 folder with anonymised names and --eval-data; "
                "the seed-0 folder run exported to ONNX and evaluated through onnxruntime on the same input tensors",
        "budget": BUDGET,
        "unlabelled_folder": {"images": images, "cameras": inspect.get("cameras", inspect.get("train", {}))},
        "labelled_layout": [{"seed": r["seed"], "last_epoch": pick(r["last_epoch"]), "run": r["run"]} for r in labelled_rows],
        "unlabelled": [{"seed": r["seed"], "last_epoch": pick(r["last_epoch"]), "run": r["run"]} for r in unlabelled_rows],
        "direct_transfer": pick(direct),
        "export": {"run": unlabelled["run"], "nodes": export.get("nodes"), "opset": export.get("opset"),
                   "onnxruntime": parity["onnxruntime"], "max_abs_feature_diff": parity["max_abs_diff"],
                   "swiftreid_features_mAP": swift_eval["mAP"], "onnxruntime_mAP": ort_eval["mAP"],
                   "onnxruntime_rank1": ort_eval["rank1"]},
    }
    write_result(result, a.out)


if __name__ == "__main__":
    main()

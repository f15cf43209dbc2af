"""Clustering benchmark: k-reciprocal Jaccard distance + DBSCAN (the pseudo-labelling step of
unsupervised re-ID). Writes bench/results/cluster.json.

1. N = 7,239 real features (the cuhk03-pair1 training set, shared fixture): `reid cluster` against
   PPLR's algorithm as PPLR runs it (bench/peers/pplr_jaccard.py: faiss-cpu kNN, then its per-row
   loops over dense N x N matrices, then scikit-learn's DBSCAN), measured in the same run, each
   timed twice (the faster kept); the labels must agree (ARI) with each other and the golden labels.
2. N = 100,000 and N = 1,000,000 synthetic 512-d features (identities x 20 images): time and peak
   memory of `reid cluster` alone (a dense method would need 40 GB and 4 TB per N x N matrix).
The load average is recorded before each timed run.
"""
import argparse, os, subprocess, sys, time

import numpy as np
from safetensors.numpy import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import run_json, write_result  # noqa: E402
from eval_bench import peak_mb_of  # noqa: E402


def ari(a, b):
    from sklearn.metrics import adjusted_rand_score
    return float(adjusted_rand_score(a, b))


def load():
    return [round(x, 2) for x in os.getloadavg()]


def synthetic(path, ids, per=20, dim=512, seed=0):
    """Identity centres plus noise, L2-normalised, written in chunks (1M x 512 is 2 GB)."""
    if os.path.exists(path):
        return
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(ids, dim)).astype(np.float32)
    x = np.empty((ids * per, dim), np.float32)
    step = 50_000
    for s in range(0, ids * per, step):
        e = min(ids * per, s + step)
        part = centres[np.arange(s, e) // per] + 0.9 * rng.normal(size=(e - s, dim)).astype(np.float32)
        x[s:e] = part / np.linalg.norm(part, axis=1, keepdims=True)
    save_file({"features": x, "pids": (np.arange(ids * per) // per).astype(np.int64)}, path + ".tmp")
    os.replace(path + ".tmp", path)


def cluster_large(reid, work, ids, what):
    path = os.path.join(work, f"cluster_{ids * 20 // 1000}k.safetensors")
    synthetic(path, ids)
    before = load()
    ours, peak = peak_mb_of([reid, "cluster", "--features", path, "--json",
                             "--out", os.path.join(work, f"cluster_{ids * 20 // 1000}k_labels.safetensors")])
    return {"what": what, "swiftreid_seconds": ours["seconds"], "swiftreid_peak_memory_mb": peak,
            "phase_seconds": ours.get("phase_seconds"), "clusters": ours["clusters"], "outliers": ours["outliers"],
            "ari_vs_ids": ours.get("ari_vs_ids"), "load_average_before": before}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reid", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--skip-1m", action="store_true", help="skip the N = 1,000,000 run (about 10 minutes)")
    a = ap.parse_args()
    work = os.path.join(HERE, "work")
    os.makedirs(work, exist_ok=True)
    fixture = os.path.join(a.shared, "fixtures", "jaccard_cuhk03_train_osnet.safetensors")
    t = load_file(fixture)
    ours_labels = os.path.join(work, "cluster_labels.safetensors")
    peer_labels = os.path.join(work, "cluster_labels_pplr.safetensors")
    ours_runs, peer_runs = [], []
    for _ in range(2):
        before = load()
        ours, ours_peak = peak_mb_of([a.reid, "cluster", "--features", fixture, "--k1", "30", "--k2", "6",
                                      "--eps", "0.6", "--min-samples", "4", "--out", ours_labels, "--json"])
        ours_runs.append((ours["seconds"], before, ours, ours_peak))
        before = load()
        peer = run_json([os.path.join(HERE, ".venv", "bin", "python"), os.path.join(HERE, "peers", "pplr_jaccard.py"),
                         "--features", fixture, "--k1", "30", "--k2", "6", "--eps", "0.6", "--min-samples", "4",
                         "--labels-out", peer_labels, "--json"])
        peer_runs.append((peer["seconds"], before, peer))
    ours_s, ours_load, ours, ours_peak = min(ours_runs, key=lambda r: r[0])
    peer_s, peer_load, peer = min(peer_runs, key=lambda r: r[0])
    ours_l, peer_l = load_file(ours_labels)["labels"], load_file(peer_labels)["labels"]
    result = {
        "summary": {},
        "machine": {"cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M")},
        "n7239": {
            "what": "Jaccard (k1 30, k2 6) + DBSCAN (eps 0.6, min_samples 4) on cuhk03-pair1 train features; "
                    "best of 2 runs each",
            "swiftreid_seconds": ours_s, "swiftreid_runs_seconds": [r[0] for r in ours_runs],
            "swiftreid_phase_seconds": ours.get("phase_seconds"), "swiftreid_peak_memory_mb": ours_peak,
            "swiftreid_load_average_before": ours_load,
            "pplr_algorithm_seconds": peer_s, "pplr_algorithm_runs_seconds": [r[0] for r in peer_runs],
            "pplr_algorithm_jaccard_seconds": peer.get("jaccard_seconds"),
            "pplr_algorithm_dbscan_seconds": peer.get("dbscan_seconds"),
            "pplr_algorithm_load_average_before": peer_load,
            "pplr_algorithm": "bench/peers/pplr_jaccard.py: PPLR's compute_jaccard_distance as its code runs on a "
                              "CPU (faiss-cpu %s exact kNN, per-row numpy loops, dense N x N) + scikit-learn DBSCAN"
                              % peer.get("faiss_version"),
            "pplr_own_code_seconds_in_issue": [6.4, 7.5],
            "speedup": peer_s / ours_s, "target_speedup": 20,
            "clusters": ours["clusters"], "outliers": ours["outliers"],
            "ari_vs_pplr_algorithm": ari(peer_l, ours_l),
            "ari_vs_golden_labels": ari(t["dbscan_eps0.6_labels"], ours_l),
        },
    }
    result["n100000"] = cluster_large(a.reid, work, 5000, "100,000 synthetic 512-d features (5,000 ids x 20), "
                                      "Jaccard k1 30 k2 6 + DBSCAN eps 0.6; IVF kNN")
    result["n100000"].update({"target_seconds": 60, "target_peak_memory_mb": 4096})
    if not a.skip_1m:
        result["n1000000"] = cluster_large(a.reid, work, 50_000, "1,000,000 synthetic 512-d features (50,000 ids x "
                                           "20), Jaccard k1 30 k2 6 + DBSCAN eps 0.6; IVF kNN")
        result["n1000000"].update({"target_seconds": 600, "target_peak_memory_mb": 16384})
    result["summary"] = {
        "jaccard_ratio_vs_pplr_algorithm": result["n7239"]["speedup"],
        "n1m_seconds": result.get("n1000000", {}).get("swiftreid_seconds"),
        "n1m_peak_gb": (result["n1000000"]["swiftreid_peak_memory_mb"] / 1024) if "n1000000" in result else None,
    }
    write_result(result, a.out)


if __name__ == "__main__":
    main()

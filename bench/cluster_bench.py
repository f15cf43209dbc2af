"""Clustering benchmark: k-reciprocal Jaccard distance + DBSCAN (the pseudo-labelling step of
unsupervised re-ID). Writes bench/results/cluster.json.

1. N = 7,239 real features (the cuhk03-pair1 training set, shared fixture): `reid cluster`
   against the dense numpy reference in bench/reference/jaccard_dense.py + scikit-learn's DBSCAN on
   the dense matrix, measured in the same run; the labels must agree (ARI).
2. N = 100,000 synthetic 512-d features (5,000 identities x 20 images): time and peak memory
   of `reid cluster` alone (the dense reference would need 40 GB per N x N matrix).
"""
import argparse, os, sys, time

import numpy as np
from safetensors.numpy import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "reference"))
from common import run_json, write_result  # noqa: E402
from eval_bench import peak_mb_of  # noqa: E402
from jaccard_dense import jaccard  # noqa: E402


def ari(a, b):
    from sklearn.metrics import adjusted_rand_score
    return float(adjusted_rand_score(a, b))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reid", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    work = os.path.join(HERE, "work")
    os.makedirs(work, exist_ok=True)
    fixture = os.path.join(a.shared, "fixtures", "jaccard_cuhk03_train_osnet.safetensors")
    t = load_file(fixture)
    ours_labels = os.path.join(work, "cluster_labels.safetensors")
    ours, ours_peak = peak_mb_of([a.reid, "cluster", "--features", fixture, "--k1", "30", "--k2", "6", "--eps", "0.6",
                                  "--min-samples", "4", "--out", ours_labels, "--json"])
    from sklearn.cluster import DBSCAN
    start = time.perf_counter()
    dense = jaccard(t["features"], k1=30, k2=6)
    ref_labels = DBSCAN(eps=0.6, min_samples=4, metric="precomputed").fit_predict(dense)
    ref_seconds = time.perf_counter() - start
    ours_l = load_file(ours_labels)["labels"]
    result = {
        "machine": {"cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M")},
        "n7239": {
            "what": "Jaccard (k1 30, k2 6) + DBSCAN (eps 0.6, min_samples 4) on cuhk03-pair1 train features",
            "swiftreid_seconds": ours["seconds"], "swiftreid_peak_memory_mb": ours_peak,
            "numpy_dense_reference_seconds": ref_seconds, "speedup": ref_seconds / ours["seconds"], "target_speedup": 10,
            "clusters": ours["clusters"], "outliers": ours["outliers"],
            "reference_clusters": int(len(set(ref_labels)) - (1 if -1 in ref_labels else 0)),
            "ari_vs_reference": ari(ref_labels, ours_l),
            "ari_vs_golden_labels": ari(t["dbscan_eps0.6_labels"], ours_l),
        },
    }
    rng = np.random.default_rng(0)
    ids, per, dim = 5000, 20, 512
    centres = rng.normal(size=(ids, dim)).astype(np.float32)
    x = np.repeat(centres, per, axis=0) + 0.9 * rng.normal(size=(ids * per, dim)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    big = os.path.join(work, "cluster_100k.safetensors")
    save_file({"features": x.astype(np.float32), "pids": np.repeat(np.arange(ids), per).astype(np.int64)}, big)
    ours_big, big_peak = peak_mb_of([a.reid, "cluster", "--features", big, "--out", os.path.join(work, "cluster_100k_labels.safetensors"),
                                     "--json"])
    result["n100000"] = {
        "what": "100,000 synthetic 512-d features (5,000 ids x 20), Jaccard k1 30 k2 6 + DBSCAN eps 0.6; faiss IVF kNN",
        "swiftreid_seconds": ours_big["seconds"], "swiftreid_peak_memory_mb": big_peak,
        "clusters": ours_big["clusters"], "outliers": ours_big["outliers"], "ari_vs_ids": ours_big.get("ari_vs_ids"),
        "target_seconds": 60, "target_peak_memory_mb": 4096,
    }
    write_result(result, a.out)


if __name__ == "__main__":
    main()

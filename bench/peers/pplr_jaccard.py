"""Peer for the clustering benchmark: PPLR's training-time Jaccard distance, run the way PPLR's
own code runs it on a CPU, then scikit-learn DBSCAN on the precomputed matrix (as Cluster-Contrast
and PPLR cluster their pseudo labels).

What PPLR's CPU path does, and what this file repeats step for step (written afresh from that
description, not copied):
  * exact k-nearest neighbours with faiss-cpu: an IndexFlatL2 over the L2-normalised features,
    searched with the features themselves for k1 neighbours (each item finds itself first);
  * per item, in Python: the k-reciprocal set for k1 and the one for round(k1/2) (the lists are
    only k1 long, so the k1 set reads all of them and the half set reads round(k1/2)+1 entries);
  * per item, in Python: the k1 set grows by every member's half set that lies more than 2/3 inside
    it; the item's row of a DENSE N x N float32 matrix V gets softmax(-(2 - 2 cos)) over the grown
    set (PPLR keeps V in float32 unless called with use_float16, which its training does not do);
  * query expansion: each row of V becomes the mean of the rows of its k2 nearest neighbours;
  * an inverted index: for each column, the rows where V is not zero;
  * per item, in Python: m = sum over its non-zero columns of min(V[i, c], V[r, c]) accumulated
    into the rows r of that column's list, and the distance row 1 - m / (2 - m), clipped at 0.
The per-row loops are the point of this peer: they are what PPLR's training spends its clustering
time in, and what SwiftReID's Jaccard is measured against.

Prints one JSON object with --json.
"""
import argparse, json, sys, time

import numpy as np


def _knn(x, k):
    """Exact Euclidean k-nearest-neighbour lists with faiss on the CPU, each row starting with itself."""
    import faiss
    index = faiss.IndexFlatL2(x.shape[1])
    index.add(x)
    _, rank = index.search(x, k)
    return rank


def _reciprocal(rank, i, k):
    """Members j of i's first k+1 neighbours whose own first k+1 neighbours contain i."""
    forward = rank[i, :k + 1]
    back = rank[forward, :k + 1]
    return forward[(back == i).any(axis=1)]


def jaccard(features, k1=30, k2=6):
    """Dense N x N float32 k-reciprocal Jaccard distance of `features` [N, D], PPLR's way."""
    x = np.ascontiguousarray(features, dtype=np.float32)
    x = np.ascontiguousarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)
    n = x.shape[0]
    rank = _knn(x, k1)
    half = int(np.around(k1 / 2))

    full_sets = [_reciprocal(rank, i, k1) for i in range(n)]
    half_sets = [_reciprocal(rank, i, half) for i in range(n)]

    V = np.zeros((n, n), dtype=np.float32)
    for i in range(n):
        core = full_sets[i]
        grown = core
        for c in core:
            extra = half_sets[c]
            if len(np.intersect1d(extra, core)) > 2 / 3 * len(extra):
                grown = np.append(grown, extra)
        grown = np.unique(grown)
        neg = -(2 - 2 * (x[grown] @ x[i]))
        w = np.exp(neg - neg.max())
        V[i, grown] = w / w.sum()
    del full_sets, half_sets

    if k2 != 1:
        expanded = np.zeros_like(V)
        for i in range(n):
            expanded[i, :] = np.mean(V[rank[i, :k2], :], axis=0)
        V = expanded
        del expanded
    del rank

    # Column-wise scan of the row-major V, one column at a time, as PPLR builds its index.
    rows_of_column = [np.where(V[:, c] != 0)[0] for c in range(n)]

    dist = np.zeros((n, n), dtype=np.float32)
    for i in range(n):
        m = np.zeros((1, n), dtype=np.float32)
        cols = np.where(V[i, :] != 0)[0]
        for c in cols:
            rows = rows_of_column[c]
            m[0, rows] = m[0, rows] + np.minimum(V[i, c], V[rows, c])
        dist[i] = 1 - m / (2 - m)
    del rows_of_column, V
    dist[dist < 0] = 0.0
    return dist


def cluster(dist, eps=0.6, min_samples=4, n_jobs=8):
    """scikit-learn DBSCAN on the precomputed distance (PPLR builds it with n_jobs=8)."""
    from sklearn.cluster import DBSCAN
    return DBSCAN(eps=eps, min_samples=min_samples, metric="precomputed", n_jobs=n_jobs).fit_predict(dist)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--features", required=True, help="safetensors file with a float tensor `features` [N, D]")
    ap.add_argument("--k1", type=int, default=30)
    ap.add_argument("--k2", type=int, default=6)
    ap.add_argument("--eps", type=float, default=0.6)
    ap.add_argument("--min-samples", type=int, default=4)
    ap.add_argument("--dbscan-jobs", type=int, default=8, help="DBSCAN n_jobs (PPLR's training passes 8)")
    ap.add_argument("--labels-out", help="optional safetensors file to write `labels` (int64, -1 = outlier)")
    ap.add_argument("--json", action="store_true", help="print one JSON object (default: a short text line)")
    a = ap.parse_args()

    import faiss
    from safetensors.numpy import load_file, save_file
    features = load_file(a.features)["features"].astype(np.float32)

    start = time.perf_counter()
    dist = jaccard(features, a.k1, a.k2)
    jaccard_seconds = time.perf_counter() - start
    start = time.perf_counter()
    labels = cluster(dist, a.eps, a.min_samples, a.dbscan_jobs)
    dbscan_seconds = time.perf_counter() - start

    labels = np.asarray(labels, dtype=np.int64)
    out = {"jaccard_seconds": jaccard_seconds, "dbscan_seconds": dbscan_seconds,
           "seconds": jaccard_seconds + dbscan_seconds,
           "clusters": int(len(set(labels[labels >= 0].tolist()))), "outliers": int((labels < 0).sum()),
           "n": int(len(labels)), "k1": a.k1, "k2": a.k2, "eps": a.eps, "min_samples": a.min_samples,
           "faiss_version": faiss.__version__,
           "implementation": "PPLR compute_jaccard_distance, CPU search (faiss-cpu IndexFlatL2), "
                             "dense float32, + scikit-learn DBSCAN"}
    if a.labels_out:
        save_file({"labels": labels}, a.labels_out)
        out["labels_file"] = a.labels_out
    if a.json:
        print(json.dumps(out))
    else:
        print(f"jaccard {jaccard_seconds:.2f} s, DBSCAN {dbscan_seconds:.2f} s: {out['clusters']} clusters, "
              f"{out['outliers']} outliers (faiss {out['faiss_version']})")


if __name__ == "__main__":
    sys.exit(main())

"""Dense numpy reference of the training-time k-reciprocal Jaccard distance used by SpCL,
Cluster-Contrast and PPLR, written from the published algorithm:

1. L2-normalised features; each item's k1 nearest neighbours by Euclidean distance (itself first);
2. R(i, k): the members j of i's list whose own list contains i (lists of k1 entries, or of
   round(k1/2)+1 for the half-size sets), expanded by R(j, round(k1/2)) when more than 2/3 of it
   lies in R(i, k1);
3. V[i, expanded set] = softmax(-(2 - 2 cos)); then V[i] = mean of V over i's k2 nearest;
4. Jaccard(i, j) = 1 - m / (2 - m) with m = sum(min(V_i, V_j)), clipped at 0.
Everything N x N is dense here.
"""
import numpy as np


def jaccard(features, k1=30, k2=6):
    x = features / np.linalg.norm(features, axis=1, keepdims=True)
    x = x.astype(np.float32)
    n = len(x)
    sim = x @ x.T
    rank = np.argsort(-sim, axis=1, kind="stable")[:, :k1].astype(np.int64)
    half = int(np.around(k1 / 2.0))

    def reciprocal(i, k):
        forward = rank[i, :k + 1]
        backward = rank[forward, :k + 1]
        return forward[(backward == i).any(axis=1)]

    V = np.zeros((n, n), dtype=np.float32)
    for i in range(n):
        r = reciprocal(i, k1)
        members = [r]
        for c in r:
            rc = reciprocal(c, half)
            if len(np.intersect1d(rc, r)) > 2.0 / 3 * len(rc):
                members.append(rc)
        idx = np.unique(np.concatenate(members))
        d = 2 - 2 * (x[i] @ x[idx].T)
        w = np.exp(-d - (-d).max())
        V[i, idx] = w / w.sum()
    if k2 != 1:
        V = np.stack([V[rank[i, :k2]].mean(axis=0) for i in range(n)]).astype(np.float32)
    nz_rows = [np.flatnonzero(V[:, j]) for j in range(n)]
    out = np.zeros((n, n), dtype=np.float32)
    for i in range(n):
        m = np.zeros(n, dtype=np.float32)
        for j in np.flatnonzero(V[i]):
            rows = nz_rows[j]
            m[rows] += np.minimum(V[i, j], V[rows, j])
        out[i] = 1 - m / (2 - m)
    out[out < 0] = 0
    return out

"""Dense numpy reference of k-reciprocal re-ranking (Zhong et al., CVPR 2017) as fast-reid's
`re_ranking(q_g, q_q, g_g, k1, k2, lambda)` defines it, written here from the paper's algorithm:

1. original = the full (query+gallery)^2 distance matrix, squared, each row divided by its max;
2. R(i, k1): the k1-reciprocal neighbours of i (j in i's k1+1 nearest and i in j's);
   expanded by R(j, round(k1/2)) of each member j when at least 2/3 of it lies in R(i, k1);
3. V[i, j] = exp(-original[i, j]) normalised over the expanded set (0 elsewhere);
4. local query expansion: V[i] = mean of V over i's k2 nearest neighbours;
5. Jaccard distance 1 - sum(min(V_i, V_j)) / sum(max(V_i, V_j)), computed as
   1 - m / (2 - m) with m = sum(min(V_i, V_j)) since each V row sums to 1;
6. final = (1 - lambda) * jaccard + lambda * original, query rows x gallery columns.
Every N x N matrix is dense here: that is what makes it slow and memory hungry.
"""
import numpy as np


def reciprocal(rank, i, k):
    forward = rank[i, :k + 1]
    backward = rank[forward, :k + 1]
    return forward[(backward == i).any(axis=1)]


def re_ranking(q_g, q_q, g_g, k1=20, k2=6, lam=0.3):
    q = q_g.shape[0]
    full = np.block([[q_q, q_g], [q_g.T, g_g]]).astype(np.float32) ** 2
    full = (full / full.max(axis=1, keepdims=True)).astype(np.float32)
    n = full.shape[0]
    rank = np.argsort(full, axis=1).astype(np.int32)
    half = int(np.around(k1 / 2.0))
    V = np.zeros((n, n), dtype=np.float32)
    for i in range(n):
        r = reciprocal(rank, i, k1)
        expanded = [r]
        for c in r:
            rc = reciprocal(rank, c, half)
            if len(np.intersect1d(rc, r)) > 2.0 / 3 * len(rc):
                expanded.append(rc)
        idx = np.unique(np.concatenate(expanded))
        w = np.exp(-full[i, idx])
        V[i, idx] = w / w.sum()
    if k2 != 1:
        V = np.stack([V[rank[i, :k2]].mean(axis=0) for i in range(n)]).astype(np.float32)
    jac = np.zeros((q, n), dtype=np.float32)
    nz_rows = [np.flatnonzero(V[:, j]) for j in range(n)]
    for i in range(q):
        m = np.zeros(n, dtype=np.float32)
        for j in np.flatnonzero(V[i]):
            rows = nz_rows[j]
            m[rows] += np.minimum(V[i, j], V[rows, j])
        jac[i] = 1 - m / (2 - m)
    final = jac * (1 - lam) + full[:q] * lam
    return final[:, q:]

"""Dense numpy reference of the Market-1501 evaluation protocol (CMC, mAP, mINP), written from
the published definition used by fast-reid's eval_market1501: for each query, gallery entries of
the same identity seen by the same camera are removed; queries without any remaining true match
are skipped; CMC is averaged over valid queries, AP is the mean precision at each true match, and
INP is (number of true matches) / (rank of the hardest true match)."""
import numpy as np


def evaluate(distmat, q_pids, g_pids, q_cams, g_cams, max_rank=50):
    num_q, num_g = distmat.shape
    max_rank = min(max_rank, num_g)
    order = np.argsort(distmat, axis=1, kind="stable")
    matches = (g_pids[order] == q_pids[:, None]).astype(np.int32)
    cmcs, aps, inps = [], [], []
    for i in range(num_q):
        keep = ~((g_pids[order[i]] == q_pids[i]) & (g_cams[order[i]] == q_cams[i]))
        raw = matches[i][keep]
        if not raw.any():
            continue
        cum = raw.cumsum()
        last = np.flatnonzero(raw).max()
        inps.append(cum[last] / (last + 1.0))
        cmc = np.minimum(cum, 1)
        cmcs.append(cmc[:max_rank])
        precision = cum / np.arange(1, len(raw) + 1)
        aps.append((precision * raw).sum() / raw.sum())
    cmc = np.asarray(cmcs, dtype=np.float32).sum(0) / len(cmcs)
    return {"rank1": float(cmc[0]), "rank5": float(cmc[4]), "rank10": float(cmc[9]),
            "mAP": float(np.mean(aps)), "mINP": float(np.mean(inps)), "valid_queries": len(cmcs)}

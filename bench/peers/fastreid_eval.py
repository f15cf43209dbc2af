"""Peer for the evaluation benchmark: fast-reid's compiled Cython ranking (CMC, mAP, mINP).

fast-reid ships its Market-1501 evaluation as a Cython source, fastreid/evaluation/rank_cylib/
rank_cy.pyx, inside the PyPI package `fastreid`. `scripts/bootstrap.sh --bench` downloads that
wheel without its dependencies (it pins torch 1.13.1, tensorboard, ...), compiles rank_cy.pyx with
Cython against the venv's numpy into bench/.venv/peers/fastreid/, and this script loads that one
extension module by its path, so the rest of the fastreid package is never imported.

It is called the way fast-reid's ReidEvaluator calls it: evaluate_cy(distmat, query pids, gallery
pids, query cams, gallery cams, max_rank, use_metric_cuhk03=False), which returns the CMC curve as
fractions and one AP and one INP per valid query; mAP and mINP are their means (np.mean, as
fast-reid takes them). Only that call is timed.

If the module is missing or does not load, the numbers come from bench/reference/market_eval.py
(a numpy version of the same protocol) and "implementation" says so and why.

Prints one JSON object with --json.
"""
import argparse, contextlib, glob, importlib.machinery, importlib.util, json, os, sys, time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)


def _candidates():
    env = os.environ.get("FASTREID_RANK_CY_DIR")
    dirs = [env] if env else []
    dirs += [os.path.join(sys.prefix, "peers", "fastreid"), os.path.join(BENCH, ".venv", "peers", "fastreid")]
    seen = []
    for d in dirs:
        if d and os.path.abspath(d) not in seen:
            seen.append(os.path.abspath(d))
    return seen


def load_rank_cy():
    """(module, version, None) for the compiled fast-reid rank_cy, or (None, None, reason)."""
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    reason = "no compiled rank_cy in " + " or ".join(_candidates()) + " (run scripts/bootstrap.sh --bench)"
    for d in _candidates():
        found = [p for s in suffixes for p in glob.glob(os.path.join(d, "rank_cy" + s))]
        if not found:
            continue
        try:
            spec = importlib.util.spec_from_file_location("rank_cy", found[0])
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except Exception as e:  # a stale build against another numpy or Python
            reason = f"{found[0]} does not load: {type(e).__name__}: {e}"
            continue
        version = "?"
        vfile = os.path.join(d, "VERSION")
        if os.path.exists(vfile):
            with open(vfile) as f:
                version = f.read().strip() or "?"
        return module, version, None
    return None, None, reason


def evaluate(distmat, q_pids, g_pids, q_cams, g_cams, max_rank=50):
    """(metrics dict, seconds of the evaluation call, implementation string)."""
    module, version, reason = load_rank_cy()
    if module is not None:
        # fast-reid prints a note to stdout when the gallery is smaller than max_rank; keep stdout JSON.
        with contextlib.redirect_stdout(sys.stderr):
            start = time.perf_counter()
            cmc, all_ap, all_inp = module.evaluate_cy(distmat, q_pids, g_pids, q_cams, g_cams, max_rank, False)
            m_ap, m_inp = np.mean(all_ap), np.mean(all_inp)
            seconds = time.perf_counter() - start
        metrics = {"rank1": float(cmc[0]), "rank5": float(cmc[4]), "rank10": float(cmc[9]),
                   "mAP": float(m_ap), "mINP": float(m_inp), "valid_queries": int(len(all_ap))}
        return metrics, seconds, f"fast-reid Cython rank_cy (fastreid {version} from PyPI)"
    sys.path.insert(0, os.path.join(BENCH, "reference"))
    import market_eval
    start = time.perf_counter()
    metrics = market_eval.evaluate(distmat, q_pids, g_pids, q_cams, g_cams, max_rank)
    seconds = time.perf_counter() - start
    return metrics, seconds, f"numpy reference (fast-reid Cython did not build: {reason})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--distmat", required=True, help="safetensors: distmat [Q,G] float32, query_pids, "
                                                     "gallery_pids, query_cams, gallery_cams int64")
    ap.add_argument("--max-rank", type=int, default=50)
    ap.add_argument("--json", action="store_true", help="print one JSON object (default: a short text line)")
    a = ap.parse_args()

    from safetensors.numpy import load_file
    t = load_file(a.distmat)
    distmat = np.ascontiguousarray(t["distmat"], dtype=np.float32)
    ids = [np.ascontiguousarray(t[k], dtype=np.int64)
           for k in ("query_pids", "gallery_pids", "query_cams", "gallery_cams")]
    metrics, seconds, implementation = evaluate(distmat, *ids, max_rank=a.max_rank)
    out = dict(seconds=seconds, **metrics, implementation=implementation,
               queries=int(distmat.shape[0]), gallery=int(distmat.shape[1]), max_rank=a.max_rank)
    if a.json:
        print(json.dumps(out))
    else:
        print(f"rank-1 {out['rank1']:.4f}  mAP {out['mAP']:.4f}  mINP {out['mINP']:.4f}  "
              f"({seconds * 1000:.1f} ms, {implementation})")


if __name__ == "__main__":
    sys.exit(main())

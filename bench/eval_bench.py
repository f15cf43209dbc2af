"""Evaluation benchmark at Market-1501 scale (3,368 query + 15,913 gallery, 512-d), SwiftReID
against fast-reid's own Cython evaluation (bench/peers/fastreid_eval.py, built by
`scripts/bootstrap.sh --bench`) and the dense numpy references in bench/reference/, in one run on
one machine; then re-ranking at MSMT17 scale (11,659 query + 82,161 gallery), time and peak memory
(no dense reference: it would need tens of GB).

Features are synthetic but structured like re-ID features: identities seen by several cameras
(identity centre + camera shift + noise, L2-normalised) plus pid-0 distractors in the gallery.
Writes bench/results/eval.json, starting with a `summary`.
"""
import argparse, json, os, resource, subprocess, sys, time

import numpy as np
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import run_json, write_result  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "reference"))
from market_eval import evaluate  # noqa: E402
from rerank_dense import re_ranking  # noqa: E402


def market_like(seed=0, nq=3368, ng=15913, ids=751, cams=6, dim=512):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(ids, dim)).astype(np.float32)
    shifts = 0.6 * rng.normal(size=(cams, dim)).astype(np.float32)

    def draw(pids, cam):
        base = np.where(pids[:, None] > 0, centres[np.maximum(pids, 1) - 1], rng.normal(size=(len(pids), dim)))
        x = base + shifts[cam] + 1.1 * rng.normal(size=(len(pids), dim))
        return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)

    q_pids = rng.integers(1, ids + 1, nq)
    q_cams = rng.integers(0, cams, nq)
    g_pids = np.where(rng.random(ng) < 0.18, 0, rng.integers(1, ids + 1, ng))
    g_cams = rng.integers(0, cams, ng)
    return draw(q_pids, q_cams), draw(g_pids, g_cams), q_pids.astype(np.int64), g_pids.astype(np.int64), \
        q_cams.astype(np.int64), g_cams.astype(np.int64)


def run_child(cmd):
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out[out.index("{"):])


def peak_mb_of(cmd):
    """Runs cmd under GNU time to read its own peak RSS (not the whole process tree of this script)."""
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    r = subprocess.run(["/usr/bin/time", "-f", "PEAK_KB=%M"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, check=True)
    kb = int([l for l in r.stderr.splitlines() if l.startswith("PEAK_KB=")][-1].split("=")[1])
    return json.loads(r.stdout[r.stdout.index("{"):]), kb / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reid", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--skip-dense-rerank", action="store_true", help="skip the slow, ~10 GB dense reference")
    ap.add_argument("--skip-msmt", action="store_true", help="skip the MSMT17-scale re-ranking (about a minute, 6 GB)")
    a = ap.parse_args()
    work = os.path.join(HERE, "work")
    os.makedirs(work, exist_ok=True)
    qf, gf, qp, gp, qc, gc = market_like()
    feats = os.path.join(work, "market_like_features.safetensors")
    save_file({"query_features": qf, "gallery_features": gf, "query_pids": qp, "gallery_pids": gp,
               "query_cams": qc, "gallery_cams": gc}, feats)
    distmat = (1 - qf @ gf.T).astype(np.float32)
    dfile = os.path.join(work, "market_like_distmat.safetensors")
    save_file({"distmat": distmat, "query_pids": qp, "gallery_pids": gp, "query_cams": qc, "gallery_cams": gc}, dfile)

    # Evaluation of the 3,368 x 15,913 distmat.
    t = time.perf_counter()
    ref_metrics = evaluate(distmat, qp, gp, qc, gc)
    ref_eval_s = time.perf_counter() - t
    ours_eval = run_child([a.reid, "bench", "eval", "--distmat", dfile, "--json"])
    eval_agree = max(abs(ours_eval[k] - ref_metrics[k]) for k in ("rank1", "rank5", "rank10", "mAP", "mINP"))
    peer_load = [round(x, 2) for x in os.getloadavg()]
    peer_eval = run_child([os.path.join(HERE, ".venv", "bin", "python"), os.path.join(HERE, "peers", "fastreid_eval.py"),
                           "--distmat", dfile, "--json"])
    peer_agree = max(abs(ours_eval[k] - peer_eval[k]) for k in ("rank1", "rank5", "rank10", "mAP", "mINP"))

    # Re-ranking at Market scale.
    ours_rr, ours_peak = peak_mb_of([a.reid, "bench", "rerank", "--features", feats, "--json",
                                     "--out", os.path.join(work, "rerank_ours.safetensors")])
    result = {
        "machine": {"cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M")},
        "evaluation": {
            "what": "CMC/mAP/mINP of a 3,368 x 15,913 cosine distmat (market-like synthetic features)",
            "swiftreid_seconds": ours_eval["seconds"], "numpy_reference_seconds": ref_eval_s,
            "speedup": ref_eval_s / ours_eval["seconds"], "target_speedup": 5,
            "largest_metric_difference": eval_agree,
            "peer": peer_eval.get("implementation"), "peer_seconds": peer_eval["seconds"],
            "peer_load_average_before": peer_load,
            "speedup_vs_peer": peer_eval["seconds"] / ours_eval["seconds"],
            "largest_metric_difference_vs_peer": peer_agree,
        },
        "reranking": {
            "what": "k-reciprocal re-ranking k1=20 k2=6 lambda=0.3, 3,368 query + 15,913 gallery, 512-d",
            "swiftreid_seconds": ours_rr["seconds"], "swiftreid_phase_seconds": ours_rr.get("phase_seconds"),
            "swiftreid_peak_memory_mb": ours_peak, "blas_kernels": ours_rr.get("blas_kernels"),
            "target_seconds": 1.0, "target_speedup": 20, "target_peak_memory_mb": 2048,
        },
    }
    if not a.skip_msmt:
        qf2, gf2, qp2, gp2, qc2, gc2 = market_like(seed=1, nq=11659, ng=82161, ids=3060, cams=15)
        msmt = os.path.join(work, "msmt_like_features.safetensors")
        save_file({"query_features": qf2, "gallery_features": gf2, "query_pids": qp2, "gallery_pids": gp2,
                   "query_cams": qc2, "gallery_cams": gc2}, msmt)
        del qf2, gf2
        before = [round(x, 2) for x in os.getloadavg()]
        big, big_peak = peak_mb_of([a.reid, "bench", "rerank", "--features", msmt, "--json"])
        result["reranking_msmt"] = {
            "what": "k-reciprocal re-ranking k1=20 k2=6 lambda=0.3, 11,659 query + 82,161 gallery (MSMT17 scale), 512-d",
            "swiftreid_seconds": big["seconds"], "swiftreid_phase_seconds": big.get("phase_seconds"),
            "swiftreid_peak_memory_mb": big_peak, "load_average_before": before,
            "target_seconds": 60, "target_peak_memory_mb": 8192,
            "note": "the [Q, G] result alone is 3.8 GB of float32; torchreid users report more than 25 GB",
        }
    result["summary"] = {
        "rerank_market_seconds": ours_rr["seconds"],
        "rerank_msmt_seconds": result.get("reranking_msmt", {}).get("swiftreid_seconds"),
        "rerank_msmt_peak_gb": (result["reranking_msmt"]["swiftreid_peak_memory_mb"] / 1024)
        if "reranking_msmt" in result else None,
        "evaluation_speedup_vs_fastreid_cython": result["evaluation"]["speedup_vs_peer"],
    }
    result = {"summary": result.pop("summary"), **result}
    if not a.skip_dense_rerank:
        t = time.perf_counter()
        dense = re_ranking(1 - qf @ gf.T, 1 - qf @ qf.T, 1 - gf @ gf.T)
        ref_rr_s = time.perf_counter() - t
        peak_self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        from safetensors.numpy import load_file
        ours_d = load_file(os.path.join(work, "rerank_ours.safetensors"))["distmat"]
        result["reranking"].update({
            "numpy_dense_reference_seconds": ref_rr_s, "numpy_dense_reference_peak_memory_mb": peak_self_mb,
            "speedup": ref_rr_s / ours_rr["seconds"],
            "largest_distance_difference": float(np.abs(dense - ours_d).max()),
        })
    write_result(result, a.out)


if __name__ == "__main__":
    main()

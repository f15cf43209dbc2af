#!/usr/bin/env python3
"""Gallery search benchmark: in-process search latency at 10k and 100k items, and wrk on
loopback against `reid serve`'s POST /v1/search at 8 and 32 connections.

Search latency (faiss exact inner-product search + the SQLite lookup of the hits) excludes
image decoding and the model; decoding and embedding of a query crop are reported separately,
and the server's own per-stage means over each wrk run are read from /metrics.
Writes bench/results/search.json.
"""
import argparse, json, os, re, shutil, subprocess, sys, time, urllib.request

from common import run_json, stop_server, write_result

here = os.path.dirname(os.path.abspath(__file__))


def wrk_run(url, lua, connections, seconds, threads=2):
    cmd = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", lua, url]
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    def ms(text):
        value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
    pct = {p: ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"connections": connections, "threads": min(threads, connections), "seconds": seconds,
            "requests": total, "requests_per_second": rps, "latency_ms": {"p50": pct.get("50"), "p90": pct.get("90"),
            "p99": pct.get("99")}, "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else None}


def stage_sums(port, token):
    """Sum and count of each search stage from the server's /metrics."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {token}"})
    text = urllib.request.urlopen(req).read().decode()
    stats = {}
    for kind, stage, value in re.findall(r'reid_search_stage_seconds_(sum|count)\{stage="(\w+)"\} ([\d.e+-]+)', text):
        stats.setdefault(stage, {})[kind] = float(value)
    return stats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reid", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--http-items", type=int, default=100000, help="gallery size the HTTP load runs against")
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--port", type=int, default=18790)
    args = ap.parse_args()

    work = os.path.join(here, "work", "search")
    os.makedirs(work, exist_ok=True)
    onnx = os.path.join(args.shared, "weights", "osnet_x0_25_msmt17.onnx")
    model = f"onnx:{onnx}"
    synth = os.path.join(work, "synth")
    if not os.path.isdir(os.path.join(synth, "query")):
        subprocess.run([args.reid, "synth", "--out", synth, "--ids", "20", "--cameras", "4"], check=True)
    query = os.path.join(synth, "query", sorted(os.listdir(os.path.join(synth, "query")))[0])

    result = {"what": "gallery search: faiss inner product, exact (IndexIDMap2 over IndexFlatIP) below 100k items and "
                      "approximate from there (IndexIVFFlat, recall against exact search reported), + SQLite (GRDB, WAL) lookup",
              "machine_cores": os.cpu_count(), "model": "osnet_x0_25_msmt17.onnx (512-d) for the query embedding",
              "gallery_features": "synthetic, 512-d, groups of 10 near-duplicates around random centres",
              "target": "p99 < 50 ms at 100k and at 1M items on 2 cores, excluding image decoding, recall@10 >= 0.99 "
                        "against exact search at 1M; over HTTP at 32 connections p99 < 300 ms at 100k",
              "load_average_at_start": os.getloadavg(), "search": [], "http": [],
              "binary_commit": subprocess.run(["git", "-C", os.path.dirname(here), "rev-parse", "--short", "HEAD"],
                                              stdout=subprocess.PIPE, text=True).stdout.strip()}
    dbs = {}
    for n in [int(s) for s in args.sizes.split(",")]:
        db = os.path.join(work, f"gallery-{n}.sqlite")
        r = run_json([args.reid, "bench", "search", "--items", str(n), "--db", db, "--model", model,
                      "--image", query, "--queries", "1000", "--rebuild-index", "--json"])
        result["search"].append(r)
        dbs[n] = db

    if shutil.which("wrk") is None:
        result["http_note"] = "wrk not installed (apt-get install wrk); HTTP load not measured"
    else:
        n = args.http_items if args.http_items in dbs else max(dbs)
        token = "bench-token"
        with open(os.path.join(work, "token.txt"), "w") as f:
            f.write(token + "\n")
        lua = os.path.join(work, "post.lua")
        with open(lua, "w") as f:
            f.write(f'''wrk.method = "POST"
local file = io.open("{query}", "rb")
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "image/jpeg"
wrk.headers["Authorization"] = "Bearer {token}"
''')
        log = open(os.path.join(work, "serve.log"), "w")
        server = subprocess.Popen([args.reid, "serve", "--db", dbs[n], "--port", str(args.port),
                                   "--token-file", os.path.join(work, "token.txt")], stdout=log, stderr=log)
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{args.port}/v1/health")
                    break
                except Exception:
                    time.sleep(0.2)
            url = f"http://127.0.0.1:{args.port}/v1/search?top=10"
            for c in (8, 32):
                before = stage_sums(args.port, token)
                run = wrk_run(url, lua, c, args.seconds)
                after = stage_sums(args.port, token)
                run["gallery_items"] = n
                run["server_stage_mean_ms"] = {
                    s: 1000 * (after[s]["sum"] - before.get(s, {}).get("sum", 0)) /
                       max(1, after[s]["count"] - before.get(s, {}).get("count", 0)) for s in after}
                result["http"].append(run)
        finally:
            stop_server(server)
    result["load_average_at_end"] = os.getloadavg()
    big = max(result["search"], key=lambda r: r["items"])
    # Search alone (the in-process part); the HTTP target is http_target_met.
    result["target_met"] = all(r["search_ms"]["p99"] < 50 for r in result["search"]) and big.get("recall_at_top", 1) >= 0.99
    result["notes"] = ("search_ms is one query's faiss search plus fetching its top-10 rows from SQLite, "
                       "without decoding or the model; decode_ms and embed_ms are one query crop's decoding and "
                       "OSNet x0.25 embedding. wrk (2 threads) shares the 2 cores with the server, and every "
                       "request decodes and embeds the uploaded crop, so requests/s is bound by the model, "
                       "not the search. The load averages show how busy the shared machine was (other jobs ran beside).")
    summary = {}
    for r in result["search"]:
        if r["items"] == 1000000:
            summary.update(p99_ms_1m=r["search_ms"]["p99"], recall_at_10_1m=r.get("recall_at_top"),
                           index_build_seconds_1m=r.get("index_seconds"))
    http32 = [h for h in result["http"] if h.get("connections") == 32]
    if http32:
        summary["http_p99_ms_32_connections"] = http32[0]["latency_ms"]["p99"]
        result["http_target_met"] = http32[0]["latency_ms"]["p99"] < 300
    write_result({"summary": summary, **result}, args.out)


if __name__ == "__main__":
    main()

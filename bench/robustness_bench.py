#!/usr/bin/env python3
"""Robustness benchmark (`make fuzz`): the fuzzers at a larger scale, then `reid serve` on
127.0.0.1 under hostile input. Writes bench/results/robustness.json, starting with `summary`.

1. Fuzz: the deterministic fuzz tests of `make test` (safetensors, ONNX, multipart, YAML configs)
   with REID_FUZZ_SCALE times the cases; each writes a report; a fuzzer whose report is missing
   or whose test failed counts as a crash.
2. Image bombs: real PNGs declaring up to 30000x30000 pixels (zlib-compressed zeros, a few MB),
   a JPEG header declaring 65500x65500, and a 4400x4400 PNG just under the 20 MP limit (decoded
   for real), each posted to /v1/search and /v1/gallery; the server's resident memory is sampled
   after each (peak above idle, VmHWM at the end).
3. Multipart: bodies at the upload limit built to be slow to parse (a flood of empty parts,
   one huge part full of near-boundaries, an unterminated body); the worst wall time.
4. wrk on POST /v1/search at 8 and 32 connections (non-2xx must be 0; p99 reported).
5. Slow clients: 2,000 connections that send half a request head; /v1/health latency while they
   are open, and how many the server has closed after its header timeout.
"""
import argparse, glob, json, os, re, shutil, socket, struct, subprocess, sys, time, urllib.request, zlib

from common import stop_server, write_result

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)


def rss_mb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def png_bomb(width, height):
    """A real PNG of zeros: every row filter byte 0 then width*3 zero bytes, deflated."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    z = zlib.compressobj(9)
    row = b"\0" * (width * 3 + 1)
    parts = [z.compress(row) for _ in range(height)]
    idat = b"".join(parts) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg_header(width, height):
    """SOI, a baseline SOF0 declaring width x height, then junk: a bomb's header."""
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + sof + b"\xff\xda" + b"\x00\x08" + b"\x55" * 4096


def request(port, path, body=b"", headers=None, method="POST", timeout=60):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body if method == "POST" else None,
                                 headers=headers or {}, method=method)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, data = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, data = e.code, e.read()
    return status, data, time.perf_counter() - started


def multipart(parts, boundary="BNDRY"):
    body = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def run_fuzzers(scale, out):
    report_dir = os.path.join(here, "work", "robustness", "fuzz")
    shutil.rmtree(report_dir, ignore_errors=True)
    os.makedirs(report_dir)
    env = dict(os.environ, REID_FUZZ_SCALE=str(scale), REID_FUZZ_REPORT_DIR=report_dir)
    started = time.time()
    proc = subprocess.run(["swift", "test", "--skip-build", "--disable-swift-testing", "--filter", "Fuzz"],
                          cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with open(os.path.join(report_dir, "test.log"), "w") as f:
        f.write(proc.stdout)
    reports = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(report_dir, "*.json")))]
    expected = {"safetensors", "onnx", "multipart", "config"}
    missing = sorted(expected - {r["fuzzer"] for r in reports})
    failed = re.findall(r"error: -\[\w+\.(\w+) (\w+)\]", proc.stdout)
    return {"scale": scale, "exit_code": proc.returncode, "seconds": round(time.time() - started, 1),
            "fuzzers": reports, "missing_reports": missing, "failed_tests": sorted(set(f"{a}.{b}" for a, b in failed)),
            "crashes": len(missing) + (0 if proc.returncode == 0 or failed else 1)}


def slow_clients(port, count):
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")
        sockets.append(s)
    opened = time.time()
    latencies = []
    for _ in range(20):
        status, _, seconds = request(port, "/v1/health", method="GET")
        assert status == 200, status
        latencies.append(seconds * 1000)
    measured_after = time.time() - opened
    # After the header timeout the server closes them: count how many it did within 20 s.
    closed = 0
    deadline = time.time() + 20
    for s in sockets:
        s.settimeout(max(0.01, deadline - time.time()))
        try:
            closed += s.recv(1) == b""
        except (socket.timeout, OSError):
            pass
        s.close()
    latencies.sort()
    return {"slow_connections": count, "health_requests": len(latencies), "measured_within_seconds": round(measured_after, 2),
            "health_ms": {"p50": round(latencies[len(latencies) // 2], 2), "max": round(latencies[-1], 2)},
            "closed_by_server_within_20s": closed}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reid", required=True)
    ap.add_argument("--shared", default=os.environ.get("REID_SHARED", os.path.join(root, "..", "shared")))
    ap.add_argument("--out", required=True)
    ap.add_argument("--fuzz-scale", type=int, default=20)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--port", type=int, default=18795)
    ap.add_argument("--slow", type=int, default=2000)
    args = ap.parse_args()

    result = {"what": "robustness: fuzzers at scale, and reid serve on 127.0.0.1 under image bombs, slow multipart "
                      "bodies, wrk load and 2,000 slow connections",
              "machine": {"cores": os.cpu_count(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
              "code": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, stdout=subprocess.PIPE,
                                     text=True).stdout.strip()}
    result["fuzz"] = run_fuzzers(args.fuzz_scale, args.out)

    work = os.path.join(here, "work", "robustness")
    os.makedirs(work, exist_ok=True)
    synth = os.path.join(work, "synth")
    if not os.path.isdir(os.path.join(synth, "bounding_box_test")):
        subprocess.run([args.reid, "synth", "--out", synth, "--ids", "40", "--cameras", "4", "--seed", "3"],
                       check=True, stdout=subprocess.DEVNULL)
    onnx = os.path.join(args.shared, "weights", "osnet_x0_25_msmt17.onnx")
    model = f"onnx:{onnx}" if os.path.exists(onnx) else "color-histogram"
    db = os.path.join(work, "gallery.sqlite")
    for f in glob.glob(db + "*"):
        shutil.rmtree(f) if os.path.isdir(f) else os.remove(f)
    subprocess.run([args.reid, "index", "build", "--gallery", os.path.join(synth, "bounding_box_test"), "--model", model,
                    "--db", db], check=True, stdout=subprocess.DEVNULL)
    token = "robustness-token"
    with open(os.path.join(work, "token.txt"), "w") as f:
        f.write(token + "\n")
    auth = {"Authorization": f"Bearer {token}"}
    log = open(os.path.join(work, "serve.log"), "w")
    server = subprocess.Popen([args.reid, "serve", "--db", db, "--port", str(args.port), "--token-file",
                               os.path.join(work, "token.txt")], stdout=log, stderr=log)
    try:
        for _ in range(300):
            try:
                request(args.port, "/v1/health", method="GET")
                break
            except Exception:
                time.sleep(0.2)
        query = os.path.join(synth, "query", sorted(os.listdir(os.path.join(synth, "query")))[0])
        with open(query, "rb") as f:
            crop = f.read()
        for _ in range(5):    # warm: the first searches settle the allocator
            request(args.port, "/v1/search", crop, dict(auth, **{"Content-Type": "image/jpeg"}))
        time.sleep(1)
        idle = rss_mb(server.pid)

        # 2. image bombs
        bombs = {"png_30000x30000": png_bomb(30000, 30000), "png_20000x20000": png_bomb(20000, 20000),
                 "png_5000x5000": png_bomb(5000, 5000), "jpeg_65500x65500_header": jpeg_header(65500, 65500),
                 # Just under the 20 MP limit: this one is decoded (57 MB of pixels) and searched.
                 "png_4400x4400_under_limit": png_bomb(4400, 4400)}
        peak = idle
        answers = {}
        for name, data in bombs.items():
            for path in ("/v1/search", "/v1/gallery"):
                body, ctype = multipart([("image", "bomb.png", data)])
                status, reply, seconds = request(args.port, path, body, dict(auth, **{"Content-Type": ctype}))
                peak = max(peak, rss_mb(server.pid))
                answers[f"{name} {path}"] = {"bytes": len(data), "status": status, "seconds": round(seconds, 3),
                                            "message": json.loads(reply)["error"]["message"] if status >= 400 else None}
        hwm = rss_mb(server.pid, "VmHWM")
        result["bombs"] = {"idle_rss_mb": round(idle, 1), "peak_rss_sampled_mb": round(peak, 1),
                           "vm_hwm_mb_at_end": round(hwm, 1), "answers": answers,
                           "note": "VmHWM is the process's peak since start (it includes model loading); "
                                   "bomb_peak_mb_above_idle uses it, so it is an upper bound"}

        # 3. multipart bodies at the upload limit (8 MiB)
        limit = 8 << 20
        boundary = "B" * 70
        slow = {
            "empty_parts_flood": (f"--{boundary}\r\n\r\n\r\n".encode() * (limit // (len(boundary) + 8)))[:limit - 200]
                                 + f"--{boundary}--\r\n".encode(),
            "near_boundaries_in_one_part": f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a\"\r\n\r\n".encode()
                                           + (b"\r\n--" + b"B" * 69 + b"x") * ((limit - 300) // 74) + f"\r\n--{boundary}--\r\n".encode(),
            "unterminated": f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\n".encode()
                            + b"\r\n-" * ((limit - 200) // 3),
            "header_without_end": f"--{boundary}\r\n".encode() + b"X-Pad: " + b"a" * (limit - 200),
        }
        parse = {}
        for name, body in slow.items():
            status, _, seconds = request(args.port, "/v1/search", body,
                                         dict(auth, **{"Content-Type": f"multipart/form-data; boundary={boundary}"}))
            parse[name] = {"bytes": len(body), "status": status, "seconds": round(seconds, 3)}
        result["multipart"] = parse

        # 4. wrk
        http = []
        if shutil.which("wrk"):
            lua = os.path.join(work, "post.lua")
            with open(lua, "w") as f:
                f.write(f'wrk.method = "POST"\nlocal file = io.open("{query}", "rb")\nwrk.body = file:read("*a")\n'
                        f'file:close()\nwrk.headers["Content-Type"] = "image/jpeg"\n'
                        f'wrk.headers["Authorization"] = "Bearer {token}"\n')
            sys.path.insert(0, here)
            from search_bench import wrk_run
            for c in (8, 32):
                http.append(wrk_run(f"http://127.0.0.1:{args.port}/v1/search?top=10", lua, c, args.seconds))
        result["wrk"] = http or "wrk not installed"

        # 5. slow clients
        result["slowloris"] = slow_clients(args.port, args.slow)
        result["model"] = model
    finally:
        stop_server(server)

    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    fuzz = result["fuzz"]
    result = {"summary": {
        "fuzz_cases": sum(r["cases"] for r in fuzz["fuzzers"]),
        "fuzz_crashes": fuzz["crashes"],
        "bomb_peak_mb_above_idle": round(max(result["bombs"]["peak_rss_sampled_mb"], result["bombs"]["vm_hwm_mb_at_end"])
                                         - result["bombs"]["idle_rss_mb"], 1),
        "multipart_worst_seconds": max(p["seconds"] for p in result["multipart"].values()),
        "wrk_non2xx": sum(r["non_2xx"] for r in http) if http else None,
        "wrk_p99_ms": {str(r["connections"]): r["latency_ms"]["p99"] for r in http} if http else None,
        "health_ms_under_slowloris": result["slowloris"]["health_ms"]["max"],
    }, **result}
    write_result(result, args.out)


if __name__ == "__main__":
    main()

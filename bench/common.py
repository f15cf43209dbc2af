"""Helpers shared by the benchmark scripts."""
import atexit, json, os, signal, subprocess, sys


def run_json(cmd):
    """Runs a command that prints one JSON object (possibly after other text) and returns it."""
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out[out.index("{"):])


def write_result(result, path):
    """Writes the result atomically (temp file + rename) and echoes it, with the machine's load
    average (1, 5, 15 min) at writing: 2 cores shared with other jobs make every time longer."""
    if isinstance(result.get("machine"), dict):
        result["machine"]["load_average_at_write"] = [round(x, 2) for x in os.getloadavg()]
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=2)
    os.replace(tmp, path)
    print(json.dumps(result, indent=2))


def stop_server(server, seconds=30):
    """Stops a `reid serve` process as Ctrl-C would (it writes its index on the way out), and
    kills it if it has not exited after `seconds`."""
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        server.kill()


def finished_row(run, args, fresh, binary_commit=None):
    """The row.json of a finished run made with the same arguments (so an interrupted benchmark
    resumes) and, when given, by a binary of the same commit; else None. --fresh (fresh=True)
    always trains again."""
    done = os.path.join(run, "row.json")
    if fresh or not os.path.exists(done):
        return None
    with open(done) as f:
        row = json.load(f)
    if row.get("args") != args or (binary_commit is not None and row.get("binary_commit") != binary_commit):
        return None
    print(f"reusing finished run {run}", file=sys.stderr)
    return row


def claim_run(run):
    """Marks `run` as being trained by this process (run + ".lock", holding its pid) and refuses,
    with the owner's pid, when a live process already holds it: a second bench process that
    reached the same row would otherwise delete the folder under a training run. A lock whose
    process is gone is taken over. The lock is removed when this process exits."""
    lock = run + ".lock"
    if os.path.exists(lock):
        try:
            with open(lock) as f:
                owner = int(f.read().strip() or 0)
            alive = owner > 0 and owner != os.getpid()
            if alive:
                os.kill(owner, 0)
        except (ValueError, ProcessLookupError):
            alive = False
        except PermissionError:
            alive = True
        if alive:
            sys.exit(f"{run} is being trained by process {owner}; wait for it or stop it, then run again")
    tmp = lock + f".{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(str(os.getpid()))
    os.replace(tmp, lock)
    atexit.register(lambda: os.path.exists(lock) and os.remove(lock))


def save_row(run, row):
    """Writes a run's row.json atomically (temp file + rename)."""
    done = os.path.join(run, "row.json")
    with open(done + ".tmp", "w") as f:
        json.dump(row, f, indent=2)
    os.replace(done + ".tmp", done)

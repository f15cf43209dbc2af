"""Helpers shared by the benchmark scripts."""
import json, os, subprocess, sys


def run_json(cmd):
    """Runs a command that prints one JSON object (possibly after other text) and returns it."""
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out[out.index("{"):])


def write_result(result, path):
    """Writes the result atomically (temp file + rename) and echoes it."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=2)
    os.replace(tmp, path)
    print(json.dumps(result, indent=2))

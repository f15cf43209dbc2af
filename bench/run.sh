#!/usr/bin/env bash
# Runs every benchmark with the release binary and writes bench/results/*.json.
# Usage: bench/run.sh [.build/release/reid]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(cd "$(dirname "${1:-.build/release/reid}")" && pwd)/$(basename "${1:-.build/release/reid}")"
shared="${REID_SHARED:-$here/../../shared}"
[ -d "$shared" ] || { echo "bench: ../shared not found (set REID_SHARED)" >&2; exit 1; }
mkdir -p "$here/results" "$here/work"
"$here/.venv/bin/python" "$here/foundation.py" --reid "$bin" --shared "$shared" --out "$here/results/foundation.json"
"$here/.venv/bin/python" "$here/synth_difficulty.py" --reid "$bin" --shared "$shared" --out "$here/results/synth.json"
"$here/.venv/bin/python" "$here/eval_bench.py" --reid "$bin" --out "$here/results/eval.json"
"$here/.venv/bin/python" "$here/train_bench.py" --reid "$bin" --shared "$shared" --out "$here/results/train.json"
"$here/.venv/bin/python" "$here/cluster_bench.py" --reid "$bin" --shared "$shared" --out "$here/results/cluster.json"
"$here/.venv/bin/python" "$here/search_bench.py" --reid "$bin" --shared "$shared" --out "$here/results/search.json"
"$here/.venv/bin/python" "$here/remix_bench.py" --reid "$bin" --shared "$shared" --out "$here/results/remix.json"
"$here/.venv/bin/python" "$here/unsupervised_bench.py" --reid "$bin" --shared "$shared" --out "$here/results/unsupervised.json"
# After the unsupervised bench: its PPLR-from-ImageNet run judges the generated views.
"$here/.venv/bin/python" "$here/views_bench.py" --reid "$bin" --shared "$shared" --out "$here/results/views.json"

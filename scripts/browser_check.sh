#!/usr/bin/env bash
# Checks the web page of `reid serve` in a real browser (headless Chromium): builds a small
# gallery from the synthetic dataset, starts the server, opens /?item=N#token=… (the page
# fetches gallery item N through the API, uploads it to /v1/search and shows the top-k crops),
# saves a screenshot and the rendered DOM, and fails unless the results were drawn.
#   scripts/browser_check.sh [path/to/reid] [out-dir]
# Needs Debian's chromium (scripts/bootstrap.sh --bench installs it).
set -euo pipefail
reid="${1:-.build/release/reid}"
out="${2:-out/browser}"
port="${PORT:-18765}"
browser="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$browser" ] || { echo "browser_check: chromium not found (apt-get install chromium)" >&2; exit 1; }
mkdir -p "$out"
shared="${REID_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}"
model="color-histogram"
[ -f "$shared/weights/osnet_x0_25_msmt17.onnx" ] && model="onnx:$shared/weights/osnet_x0_25_msmt17.onnx"

[ -d "$out/data/bounding_box_test" ] || "$reid" synth --out "$out/data" --ids 40 --cameras 4 --seed 3 >/dev/null
rm -f "$out"/gallery.sqlite*
"$reid" index build --gallery "$out/data/bounding_box_test" --model "$model" --db "$out/gallery.sqlite" >/dev/null
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$out/token.txt"
"$reid" serve --db "$out/gallery.sqlite" --port "$port" --token-file "$out/token.txt" > "$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break
  sleep 0.2
done
url="http://127.0.0.1:$port/?item=5#token=$(cat "$out/token.txt")"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,760 --virtual-time-budget=15000)
"$browser" "${flags[@]}" --screenshot="$out/search.png" "$url" 2>/dev/null
"$browser" "${flags[@]}" --dump-dom "$url" 2>/dev/null > "$out/dom.html"
figures=$(grep -o '<figure' "$out/dom.html" | wc -l)
if grep -q 'data-done="true"' "$out/dom.html" && [ "$figures" -ge 11 ]; then
  echo "browser_check: results drawn ($((figures - 1)) result crops + the query) → $out/search.png"
else
  echo "browser_check: the page did not show results; see $out/dom.html and $out/serve.log" >&2
  exit 1
fi

#!/usr/bin/env bash
# Creates .venv-test with numpy and onnxruntime for the ONNX export tests, only when missing
# (safe to run again). The tests skip the onnxruntime check, with a message, without it.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$here/.venv-test"
python="${PYTHON:-python3}"
command -v "$python" >/dev/null || { echo "test-venv: no $python; the onnxruntime checks will be skipped" >&2; exit 0; }
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import onnxruntime, numpy" 2>/dev/null; then
  exit 0
fi
echo "test-venv: installing numpy and onnxruntime into .venv-test"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv" || { echo "test-venv: cannot create a venv (python3-venv missing?); onnxruntime checks will be skipped" >&2; exit 0; }
"$venv/bin/pip" install -q --disable-pip-version-check numpy onnxruntime \
  || echo "test-venv: pip install failed (offline?); the onnxruntime checks will be skipped" >&2

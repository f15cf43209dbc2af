#!/usr/bin/env bash
# Builds and runs every test (XCTest), then prints one closing summary line taken from XCTest's
# own last "Executed N tests, with [S tests skipped and] F failures" line (the run's total).
set -uo pipefail
swift build --build-tests || exit 1
scripts/test-venv.sh || true   # onnxruntime for the ONNX export checks (skipped without it)
log=.build/test.log
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
scripts/test-summary.sh "$log" || status=1
exit "$status"

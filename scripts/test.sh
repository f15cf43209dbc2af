#!/usr/bin/env bash
# Builds and runs every test (XCTest), then prints one closing summary line.
set -uo pipefail
swift build --build-tests || exit 1
scripts/test-venv.sh || true   # onnxruntime for the ONNX export checks (skipped without it)
log=.build/test.log
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E "^[[:space:]]*Executed [0-9]+ tests?, with [0-9]+ failures?" "$log" | tail -1)
total=$(echo "$summary" | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/')
failed=$(echo "$summary" | sed -E 's/.*with ([0-9]+) failures?.*/\1/')
skipped=$(grep -cE "Test Case .* skipped" "$log")
if [ -n "$total" ]; then
  echo "tests: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
fi
exit "$status"

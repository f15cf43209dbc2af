#!/usr/bin/env bash
# Prints "tests: P passed, F failed, S skipped" from an XCTest log: the last line of the form
#   Executed 227 tests, with 1 test skipped and 0 failures (0 unexpected) in 12.3 seconds
#   Executed 12 tests, with 0 failures (0 unexpected) in 1.2 seconds
# which is the summary of the whole run. Exits 1 when the log has no such line.
set -euo pipefail
log="$1"
line=$(grep -E "Executed [0-9]+ tests?, with " "$log" | tail -1 || true)
if [ -z "$line" ]; then
  echo "tests: no XCTest summary line in $log (did the test binary crash?)" >&2
  exit 1
fi
total=$(sed -E 's/.*Executed ([0-9]+) tests?,.*/\1/' <<<"$line")
failed=$(sed -E 's/.* ([0-9]+) failures?.*/\1/' <<<"$line")
skipped=0
if grep -qE "with [0-9]+ tests? skipped" <<<"$line"; then
  skipped=$(sed -E 's/.*with ([0-9]+) tests? skipped.*/\1/' <<<"$line")
fi
echo "tests: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"

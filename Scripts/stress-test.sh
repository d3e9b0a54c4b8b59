#!/usr/bin/env bash
# Runs the whole `make test` several times in a row (default 5) on a fresh clone of the
# committed HEAD while CPU hogs keep every core busy, the conditions under which a test that
# samples a moment instead of waiting for a condition fails. Prints one line per run (result,
# duration, the test runner's summary) and exits 1 if any run failed; the logs are kept then.
#
#   Scripts/stress-test.sh [RUNS]
set -euo pipefail

runs=${1:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/tgpt-stress.XXXXXX")
git clone --quiet "$repo" "$work/tgpt"
echo "stress-test: $runs × make test on a clone of $(git -C "$repo" rev-parse --short HEAD), $(nproc) CPU hog(s); logs in $work"

hogs=()
stop_hogs() {
  if ((${#hogs[@]})); then kill "${hogs[@]}" 2>/dev/null || true; fi
  wait 2>/dev/null || true
}
trap stop_hogs EXIT
for _ in $(seq "$(nproc)"); do
  yes >/dev/null &
  hogs+=($!)
done

failed=0
for run in $(seq "$runs"); do
  log="$work/run-$run.log"
  began=$(date +%s)
  if make -C "$work/tgpt" test >"$log" 2>&1; then result=passed; else result=FAILED; failed=1; fi
  seconds=$(($(date +%s) - began))
  summary=$(grep -aE "Test run with [0-9]+ tests" "$log" | tail -n 1 | sed -E 's/^[^A-Za-z]*//')
  echo "run $run: $result in ${seconds} s — ${summary:-no test summary (see $log)}"
done

stop_hogs
hogs=()
if ((failed)); then
  echo "stress-test: a run failed; logs kept in $work" >&2
  exit 1
fi
rm -rf "$work"
echo "stress-test: all $runs runs passed"

#!/usr/bin/env bash
# What a round of tool calls adds to a turn beyond the tool's own run time (issue 14), against
# a turn that offers the same tool and is answered without a call, measured in the same run
# (the machine is shared and noisy: compare the difference and ratio, not absolutes). The fake
# provider answers at zero delay; the tool is `true`.
# Output: one JSON object on stdout (also saved to Benchmarks/results/tools.json), a table on
# stderr. Needs hyperfine and jq (`make bench` installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-30}
for product in tgpt-session tgpt-fake-provider; do
  swift build -c release --static-swift-stdlib --product "$product" >/dev/null
done
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)
work=$(mktemp -d)
exec 3< <(exec sleep 100000 2>/dev/null)
keeper=$!
"$bin/tgpt-fake-provider" <&3 >"$work/fake.url" &
fake=$!
trap 'kill $fake $keeper 2>/dev/null; rm -rf "$work"' EXIT
until [ -s "$work/fake.url" ]; do sleep 0.05; done
base=$(head -1 "$work/fake.url")
export TGPT_HOME="$work/home" OPENROUTER_API_KEY=bench
printf '%s\n' '{"name":"noop","description":"does nothing","parameters":{"type":"object"},"command":["true"]}' \
  >"$work/noop.json"
median_ms() { jq -r ".results[$2].median * 1000 | . * 100 | round / 100" "$1"; }

# A new session each run (no -s), so no run carries the history of the ones before it.
with_call="$bin/tgpt-session --base-url $base/call=noop:%7B%7D/v1 --tool $work/noop.json go"
without="$bin/tgpt-session --base-url $base/v1 --tool $work/noop.json go"
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/tools.json" "$with_call" "$without" >/dev/null 2>&1
call_ms=$(median_ms "$work/tools.json" 0)
plain_ms=$(median_ms "$work/tools.json" 1)
# The tool's own run time as the loop measured it (spawn, run, exit), median of the runs.
for _ in $(seq 1 "$RUNS"); do $with_call 2>/dev/null | jq -r 'select(.type=="tool_result") | .duration_ms'; done \
  | sort -n >"$work/durations"
tool_ms=$(awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }' "$work/durations")

mkdir -p Benchmarks/results
jq -n --argjson call "$call_ms" --argjson plain "$plain_ms" --argjson tool "$tool_ms" --argjson runs "$RUNS" '{
  turn_with_tool_round_ms: $call, turn_without_ms: $plain, tool_run_ms: $tool,
  round_adds_ms: (($call - $plain) * 100 | round / 100),
  round_adds_beyond_tool_ms: (($call - $plain - $tool) * 100 | round / 100), runs: $runs,
  machine: "2 shared cores, noisy"
}' | tee Benchmarks/results/tools.json
{
  echo "turn with one tool round   ${call_ms} ms (median of $RUNS)"
  echo "same turn, no call         ${plain_ms} ms"
  echo "the tool's own run time    ${tool_ms} ms (duration_ms)"
} >&2

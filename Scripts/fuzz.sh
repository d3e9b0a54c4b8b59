#!/usr/bin/env bash
# Fuzzes tgpt's parsers with libFuzzer (issue 18): each target in Fuzz/ runs for SECONDS
# seconds, starting from its committed seed corpus (Fuzz/corpus/TARGET) and the corpus earlier
# runs grew (.build/fuzz-corpus/TARGET). A crash, a hang (FUZZ_TIMEOUT, 60 s on one input:
# libFuzzer counts wall time, and a loaded machine can stall a process for seconds) or a broken
# invariant stops that target and leaves the input in .build/fuzz-crashes/; copy it into
# Fuzz/corpus/TARGET (the tests replay that directory) and fix the bug.
# Usage: Scripts/fuzz.sh SECONDS [TARGET…]   (make fuzz SECONDS=600 TARGETS="sse toml")
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:?usage: Scripts/fuzz.sh SECONDS [TARGET…]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sse chunks ndjson toml markdown intake)

# Swift's driver keeps only the last -sanitize= it is given, so fuzzer and address go together
# in one flag; SwiftPM's own --sanitize=fuzzer is still needed for it to link libFuzzer's main.
build=(swift build -c release --scratch-path .build/fuzz --sanitize=fuzzer
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING)
failed=()
for target in "${targets[@]}"; do
  "${build[@]}" --product "fuzz-$target" >/dev/null
  corpus=.build/fuzz-corpus/$target
  crashes=.build/fuzz-crashes/$target
  mkdir -p "$corpus" "$crashes"
  echo "fuzz-$target: $duration s" >&2
  if ! .build/fuzz/release/"fuzz-$target" "$corpus" "Fuzz/corpus/fuzz-$target" \
    -max_total_time="$duration" -timeout="${FUZZ_TIMEOUT:-60}" -rss_limit_mb=4096 -max_len=65536 \
    -artifact_prefix="$crashes/" -print_final_stats=1 >".build/fuzz-$target.log" 2>&1; then
    failed+=("$target")
    echo "fuzz-$target FAILED: $(ls -t "$crashes" | head -1) (log: .build/fuzz-$target.log)" >&2
  fi
  grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss_mb)' ".build/fuzz-$target.log" >&2 || true
done
[ ${#failed[@]} -eq 0 ] || { echo "failed: ${failed[*]}" >&2; exit 1; }
echo "no crash in ${targets[*]} ($duration s each)" >&2

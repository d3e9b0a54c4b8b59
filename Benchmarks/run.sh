#!/usr/bin/env bash
# Builds release binaries and prints tgpt's speed figures, each next to a baseline measured in
# the same run (the machine is shared and noisy: compare ratios, not absolutes).
# Output: one JSON object on stdout (also saved to Benchmarks/results/latest.json), and a table
# on stderr. Needs hyperfine, curl and jq (`make bench` installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-30}
swift build -c release --static-swift-stdlib >/dev/null
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)
work=$(mktemp -d)
trap 'kill $fake_pid 2>/dev/null || true; rm -rf "$work"' EXIT

# The fake provider stays up while its stdin is open.
mkfifo "$work/fake.in"
"$bin/tgpt-fake-provider" <"$work/fake.in" >"$work/fake.url" &
fake_pid=$!
exec 3>"$work/fake.in"
for _ in $(seq 50); do [ -s "$work/fake.url" ] && break; sleep 0.1; done
base=$(head -1 "$work/fake.url")
export OPENROUTER_API_KEY=bench-key

median_ms() { jq -r ".results[$2].median * 1000 | . * 100 | round / 100" "$1"; }

# 1. Start-up: --version, against curl --version (which loads libcurl and its TLS stack).
hyperfine -N --warmup 10 --runs $((RUNS * 3)) --export-json "$work/startup.json" \
  "$bin/tgpt-stream --version" "curl --version" >/dev/null 2>&1
startup=$(median_ms "$work/startup.json" 0)
startup_curl=$(median_ms "$work/startup.json" 1)

# 2. 2000 tokens at zero delay, whole process, against curl -N on the same request.
url="$base/tokens=2000/v1"
body='{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true}}'
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/stream.json" \
  "$bin/tgpt-stream --provider openrouter --base-url $url x" \
  "curl -sS -N -H 'Content-Type: application/json' -H 'Authorization: Bearer bench-key' -d '$body' $url/chat/completions" \
  >/dev/null 2>&1
stream=$(median_ms "$work/stream.json" 0)
stream_curl=$(median_ms "$work/stream.json" 1)

# 3. Time to the first answer line with a 50 ms/token provider (first token right after the
#    head), against curl -N printing the same token's data line.
first_line_ms() { # command… ; prints ms until a line containing "The " appears on stdout
  local start end
  start=$(date +%s%N)
  "$@" 2>/dev/null | while IFS= read -r line; do
    if [[ $line == *'"The '* ]]; then date +%s%N >"$work/first"; break; fi
  done
  end=$(cat "$work/first")
  echo $(((end - start) / 1000))
}
slow="$base/tokens=40;delay=50/v1"
ours=() theirs=()
for _ in $(seq "$RUNS"); do
  ours+=("$(first_line_ms "$bin/tgpt-stream" --provider openrouter --base-url "$slow" x)")
  theirs+=("$(first_line_ms curl -sS -N -H 'Content-Type: application/json' -H 'Authorization: Bearer bench-key' -d "$body" "$slow/chat/completions")")
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.2f", m/1000}'; }
first=$(med "${ours[@]}")
first_curl=$(med "${theirs[@]}")

# 4. A stalled stream ends at the idle timeout (2 s here): how long after it.
start=$(date +%s%N)
"$bin/tgpt-stream" --provider openrouter --base-url "$base/stall-after=2/v1" --idle-timeout 2 "a b c d" >/dev/null 2>&1 || true
stall_overshoot=$(( ($(date +%s%N) - start) / 1000000 - 2000 ))

# 5. In-process: SSE parse + chunk decode + event encode; NDJSON event decode; styled render.
"$bin/tgpt-bench" >"$work/inprocess.ndjson"
sse_rate=$(jq -r 'select(.benchmark=="sse_decode_encode").events_per_s' "$work/inprocess.ndjson")
ndjson_rate=$(jq -r 'select(.benchmark=="ndjson_decode").events_per_s' "$work/inprocess.ndjson")
render_inprocess=$(jq -r 'select(.benchmark=="render_styled").mb_per_s' "$work/inprocess.ndjson")

# 6. tgpt-render: start-up, and a 2 MB Markdown answer (many code blocks) in 64-byte chunks,
#    styled and plain, into a file; code blocks of growing length (time must grow linearly).
"$bin/tgpt-bench" corpus "$work"
hyperfine -N --warmup 10 --runs $((RUNS * 3)) --export-json "$work/render-startup.json" \
  "$bin/tgpt-render --version" >/dev/null 2>&1
render_startup=$(median_ms "$work/render-startup.json" 0)
hyperfine --warmup 2 --runs "$RUNS" --export-json "$work/render.json" \
  "$bin/tgpt-render --color always --width 100 < $work/answer-2mb.ndjson > $work/styled.out" \
  "$bin/tgpt-render < $work/answer-2mb.ndjson > $work/plain.out" \
  "cat $work/answer-2mb.ndjson > /dev/null" >/dev/null 2>&1
styled_ms=$(median_ms "$work/render.json" 0)
plain_ms=$(median_ms "$work/render.json" 1)
cmp -s "$work/plain.out" "$work/answer-2mb.md" || { echo "plain output differs from the answer" >&2; exit 1; }
answer_mb=$(stat -c %s "$work/answer-2mb.md" | awk '{printf "%.3f", $1 / 1e6}')
mbps() { awk -v mb="$answer_mb" -v ms="$1" -v start="${2:-0}" 'BEGIN { printf "%.1f", mb / ((ms - start) / 1000) }'; }
styled_mbps=$(mbps "$styled_ms")
plain_mbps=$(mbps "$plain_ms")
styled_net=$(mbps "$styled_ms" "$render_startup")
plain_net=$(mbps "$plain_ms" "$render_startup")
code_ms=()
for lines in 250 500 1000 2000; do
  hyperfine --warmup 1 --runs "$RUNS" --export-json "$work/code.json" \
    "$bin/tgpt-render --color always < $work/code-$lines.ndjson > /dev/null" >/dev/null 2>&1
  code_ms+=("$(median_ms "$work/code.json" 0)")
done
icu=$(ldd "$bin/tgpt-render" | grep -ci icu || true)

# 7. The same 2 MB Markdown rendered by Python's rich (the whole document at once, width 100,
#    into /dev/null: its most generous case), next to tgpt-render's styled figure above. rich
#    comes from PyPI into a venv under .build; without python3-venv or the network it is skipped.
venv=.build/bench-venv
rich_ms=null rich_ratio=null
if [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >/dev/null 2>&1; then
  "$venv/bin/python" -c 'import rich' 2>/dev/null || "$venv/bin/pip" install -q rich >/dev/null 2>&1 || true
fi
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import rich' 2>/dev/null; then
  cat >"$work/rich_render.py" <<'PY'
import os, sys
from rich.console import Console
from rich.markdown import Markdown
Console(force_terminal=True, width=100, file=open(os.devnull, "w")).print(Markdown(sys.stdin.read()))
PY
  hyperfine --warmup 0 --runs "${RICH_RUNS:-3}" --export-json "$work/rich.json" \
    "$venv/bin/python $work/rich_render.py < $work/answer-2mb.md" >/dev/null 2>&1
  rich_ms=$(median_ms "$work/rich.json" 0)
  rich_ratio=$(awk -v r="$rich_ms" -v s="$styled_ms" 'BEGIN { printf "%.1f", r / s }')
else
  echo "rich baseline skipped: no python3 venv with rich (pip install rich failed)" >&2
fi

mkdir -p Benchmarks/results
jq -n \
  --argjson startup "$startup" --argjson startup_curl "$startup_curl" \
  --argjson stream "$stream" --argjson stream_curl "$stream_curl" \
  --argjson first "$first" --argjson first_curl "$first_curl" \
  --argjson stall "$stall_overshoot" --argjson sse "$sse_rate" --argjson ndjson "$ndjson_rate" \
  --argjson rstart "$render_startup" --argjson styled "$styled_ms" --argjson plain "$plain_ms" \
  --argjson smb "$styled_mbps" --argjson pmb "$plain_mbps" --argjson snet "$styled_net" --argjson pnet "$plain_net" \
  --argjson rin "$render_inprocess" --argjson icu "$icu" --argjson rich "$rich_ms" --argjson rratio "$rich_ratio" \
  --argjson c250 "${code_ms[0]}" --argjson c500 "${code_ms[1]}" --argjson c1000 "${code_ms[2]}" --argjson c2000 "${code_ms[3]}" \
  --arg machine "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" \
  '{machine: $machine,
    startup_version_ms: {tgpt_stream: $startup, curl: $startup_curl},
    stream_2000_tokens_ms: {tgpt_stream: $stream, curl_N: $stream_curl, ratio: (($stream / $stream_curl) * 100 | round / 100)},
    first_token_ms_50ms_per_token: {tgpt_stream: $first, curl_N: $first_curl, behind_ms: (($first - $first_curl) * 100 | round / 100)},
    stall_end_after_idle_timeout_ms: $stall,
    in_process_events_per_s: {sse_decode_encode: $sse, ndjson_decode: $ndjson},
    render: {startup_version_ms: $rstart, icu_libraries_linked: $icu,
      answer_2mb_styled_ms: $styled, answer_2mb_plain_ms: $plain,
      styled_mb_per_s: $smb, plain_mb_per_s: $pmb,
      styled_mb_per_s_without_startup: $snet, plain_mb_per_s_without_startup: $pnet,
      styled_in_process_mb_per_s: $rin,
      rich_2mb_whole_document_ms: $rich, rich_ms_over_styled_ms: $rratio,
      code_block_ms: {"250": $c250, "500": $c500, "1000": $c1000, "2000": $c2000}}}' | tee Benchmarks/results/latest.json

{
  printf '\n%-44s %12s %12s %10s\n' "figure (median)" "tgpt" "baseline" "goal"
  printf '%-44s %10s ms %10s ms %10s\n' "tgpt-stream --version vs curl --version" "$startup" "$startup_curl" "<= 10 ms"
  printf '%-44s %10s ms %10s ms %10s\n' "2000 tokens, whole process vs curl -N" "$stream" "$stream_curl" "<= 2x"
  printf '%-44s %10s ms %10s ms %10s\n' "first token at 50 ms/token vs curl -N" "$first" "$first_curl" "<= +10 ms"
  printf '%-44s %10s ms %12s %10s\n' "stall: end after the 2 s idle timeout" "+$stall_overshoot" "-" "<= +1000"
  printf '%-44s %9s/s %12s %10s\n' "SSE parse + decode + event encode" "$sse_rate" "-" ">= 500000"
  printf '%-44s %9s/s %12s %10s\n' "NDJSON event decode" "$ndjson_rate" "-" "-"
  printf '%-44s %10s ms %12s %10s\n' "tgpt-render --version" "$render_startup" "-" "<= 8 ms"
  printf '%-44s %7s MB/s %12s %10s\n' "render 2 MB styled, into a file" "$styled_mbps" "($styled_ms ms)" ">= 30"
  printf '%-44s %7s MB/s %12s %10s\n' "render 2 MB plain, into a file" "$plain_mbps" "($plain_ms ms)" ">= 200"
  printf '%-44s %7s MB/s %12s %10s\n' "  the same without start-up: styled" "$styled_net" "-" "-"
  printf '%-44s %7s MB/s %12s %10s\n' "  the same without start-up: plain" "$plain_net" "-" "-"
  printf '%-44s %10s ms %10s ms %10s\n' "render 2 MB styled vs Python rich (x$rich_ratio)" "$styled_ms" "$rich_ms" ">= 100x"
  printf '%-44s %s\n' "code block 250/500/1000/2000 lines (ms)" "${code_ms[*]}"
  printf '%-44s %s\n' "ICU libraries linked by tgpt-render" "$icu"
} >&2

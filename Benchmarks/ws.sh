#!/usr/bin/env bash
# tgpt-ws-bridge's speed figures (issue 5), with baselines from the same run (the machine is
# shared and noisy: compare ratios, not absolutes). The server relays to tgpt-session serve
# with the echo provider at zero delay; the load comes from `tgpt-ws-bridge bench`.
# Output: one JSON object on stdout (also saved to Benchmarks/results/ws.json).
# Needs jq and curl (`make bench` installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

SESSIONS=${SESSIONS:-500}
ROUNDS=${ROUNDS:-10}
ROUND_SIZE=${ROUND_SIZE:-3000}
BIG=${BIG:-1000}
IDLE=${IDLE:-10000}
build="swift build -c release --static-swift-stdlib"
$build --product tgpt-ws-bridge >/dev/null
$build --product tgpt-session >/dev/null
bin=$($build --show-bin-path)
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

export TGPT_HOME="$work/home"
"$bin/tgpt-ws-bridge" serve --port 0 --rate 0 --max-connections 20000 --ping-interval 5 \
  -- "$bin/tgpt-session" serve --provider echo --max-turns 2048 >"$work/url" 2>"$work/server.log" &
server=$!
while [ ! -s "$work/url" ]; do sleep 0.05; done
http=$(head -1 "$work/url")
ws="ws${http#http}"
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
open_connections() { curl -s "$http/metrics" | awk '/^tgpt_connections_open / {print $2}'; }

# Baseline: tgpt-session serve alone, the same messages over a pipe (what the relay adds to).
words=$(seq 0 19 | sed 's/^/w/' | paste -sd' ')
for s in $(seq 1 "$SESSIONS"); do for m in 1 2 3 4 5; do
  printf '{"message":"%s: %s","session_id":"base-%s"}\n' "$m" "$words" "$s"
done; done >"$work/lines.ndjson"
start=$(date +%s%N)
events=$(TGPT_HOME="$work/base" "$bin/tgpt-session" serve --provider echo --max-turns 2048 <"$work/lines.ndjson" | wc -l)
base_ms=$((($(date +%s%N) - start) / 1000000))

# 1. Relay throughput at $SESSIONS concurrent sessions × 5 messages.
"$bin/tgpt-ws-bridge" bench "$ws" --sessions "$SESSIONS" --messages 5 --words 20 --json >"$work/relay.json"
# 2. Time to first chunk at $BIG concurrent sessions.
"$bin/tgpt-ws-bridge" bench "$ws" --sessions "$BIG" --messages 5 --words 20 --json >"$work/big.json"

# 3. Memory given back: the server's RSS after each of $ROUNDS rounds of $ROUND_SIZE
# connections opened and closed (before the fix for issue 12 it grew ~15 MB a round). The
# server pings every 5 s: a closed connection's ping timer holds a little memory until it
# would have fired, which with the default 30 s would blur what is really kept.
churn=()
for _ in $(seq 1 "$ROUNDS"); do
  "$bin/tgpt-ws-bridge" bench "$ws" --idle "$ROUND_SIZE" --hold 0.1 >/dev/null
  churn+=("$(rss_kb)")
done
churn_json=$(printf '%s\n' "${churn[@]}" | jq -s .)

# 4. Memory per idle connection: the server's RSS before and while $IDLE connections are held.
before=$(rss_kb)
"$bin/tgpt-ws-bridge" bench "$ws" --idle "$IDLE" --hold 20 >"$work/idle.json" &
holder=$!
peak_open=0
during=$before
for _ in $(seq 1 400); do
  now=$(open_connections || echo 0)
  if [ "${now:-0}" -gt "$peak_open" ]; then peak_open=$now; during=$(rss_kb); fi
  [ "$now" -ge "$IDLE" ] && break
  sleep 0.1
done
wait "$holder" || true

mkdir -p Benchmarks/results
jq -n \
  --slurpfile relay "$work/relay.json" --slurpfile big "$work/big.json" --slurpfile idle "$work/idle.json" \
  --argjson base_events "$events" --argjson base_ms "$base_ms" \
  --argjson before "$before" --argjson during "$during" --argjson peak "$peak_open" \
  --argjson churn "$churn_json" --argjson round_size "$ROUND_SIZE" \
  '{relay: {sessions: $relay[0].sessions, completed: $relay[0].completed, expected: $relay[0].expected,
            events_per_s: $relay[0].events_per_second, failed_connections: $relay[0].failed_connections,
            baseline_tgpt_session_serve_events_per_s: ($base_events / $base_ms * 1000 | round)},
    first_chunk: {sessions: $big[0].sessions, completed: $big[0].completed, expected: $big[0].expected,
                  p50_ms: $big[0].first_chunk_ms_p50, p99_ms: $big[0].first_chunk_ms_p99,
                  complete_p99_ms: $big[0].complete_ms_p99, failed_connections: $big[0].failed_connections},
    churn: {rounds: ($churn | length), connections_per_round: $round_size, rss_after_each_round_kb: $churn,
            growth_first_to_last_kb: ($churn[-1] - $churn[0])},
    idle: {requested: $idle[0].idle_requested, opened: $idle[0].idle_opened, failed: $idle[0].idle_failed,
           seen_open_at_once: $peak,
           rss_before_kb: $before, rss_during_kb: $during,
           kb_per_connection: (if $peak > 0 then (($during - $before) / $peak * 10 | round / 10) else null end)}}' \
  | tee Benchmarks/results/ws.json

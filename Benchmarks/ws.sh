#!/usr/bin/env bash
# tgpt-ws-bridge's speed figures (issue 5), with baselines from the same run (the machine is
# shared and noisy: compare ratios, not absolutes). The server relays to tgpt-session serve
# with the echo provider at zero delay; the load comes from `tgpt-ws-bridge bench`.
# Output: one JSON object on stdout (also saved to Benchmarks/results/ws.json).
# CPU per event (utime + stime from /proc/PID/stat of the server and of its child, before and
# after the run, over the events relayed) is printed next to the child's own CPU per event
# over a pipe. Time to first chunk is measured with the echo provider at a realistic 20 ms per
# token (`--echo-delay-ms`, applied between words like a streaming provider).
# BIN=dir runs the binaries in dir instead of building (to compare with older ones);
# RELAY_ONLY=1 skips the memory rounds (churn, idle).
# Needs jq and curl (`make bench` installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

SESSIONS=${SESSIONS:-500}
ROUNDS=${ROUNDS:-10}
ROUND_SIZE=${ROUND_SIZE:-3000}
BIG=${BIG:-1000}
IDLE=${IDLE:-10000}
TOKEN_MS=${TOKEN_MS:-20}
if [ -n "${BIN:-}" ]; then
  bin=$BIN
else
  build="swift build -c release --static-swift-stdlib"
  $build --product tgpt-ws-bridge >/dev/null
  $build --product tgpt-session >/dev/null
  bin=$($build --show-bin-path)
fi
work=$(mktemp -d)
server=""
slow=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  [ -n "$slow" ] && kill "$slow" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
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
# CPU time used so far by a process, in clock ticks (utime + stime; the command name may
# hold spaces, so fields are counted after its closing parenthesis).
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
child_of() { cat /proc/"$1"/task/*/children | awk '{print $1; exit}'; }
hz=$(getconf CLK_TCK)
# Microseconds of CPU per event: ticks used over events.
per_event_us() { jq -n --argjson t "$1" --argjson e "$2" --argjson hz "$hz" \
  'if $e > 0 then ($t / $hz * 1e6 / $e * 10 | round / 10) else null end'; }

# Baseline: tgpt-session serve alone, the same messages over a pipe (what the relay adds to).
words=$(seq 0 19 | sed 's/^/w/' | paste -sd' ')
for s in $(seq 1 "$SESSIONS"); do for m in 1 2 3 4 5; do
  printf '{"message":"%s: %s","session_id":"base-%s"}\n' "$m" "$words" "$s"
done; done >"$work/lines.ndjson"
start=$(date +%s%N)
TIMEFORMAT='%3U %3S'
{ time TGPT_HOME="$work/base" "$bin/tgpt-session" serve --provider echo --max-turns 2048 \
  <"$work/lines.ndjson" | wc -l >"$work/base_events"; } 2>"$work/base_cpu"
base_ms=$((($(date +%s%N) - start) / 1000000))
events=$(cat "$work/base_events")
base_ticks=$(awk -v hz="$hz" '{print int(($1 + $2) * hz + 0.5)}' "$work/base_cpu")

# 1. Relay throughput at $SESSIONS concurrent sessions × 5 messages, and the CPU it took.
child=$(child_of "$server")
server_before=$(cpu_ticks "$server")
child_before=$(cpu_ticks "$child")
"$bin/tgpt-ws-bridge" bench "$ws" --sessions "$SESSIONS" --messages 5 --words 20 --json >"$work/relay.json"
server_ticks=$(($(cpu_ticks "$server") - server_before))
child_ticks=$(($(cpu_ticks "$child") - child_before))
relayed=$(jq .events "$work/relay.json")
# 2. Time to first chunk at $BIG concurrent sessions, against a child whose provider takes
# $TOKEN_MS ms per token as a real one does (a turn lasts about 20 × that).
TGPT_HOME="$work/slow-home" "$bin/tgpt-ws-bridge" serve --port 0 --rate 0 --max-connections 20000 \
  -- "$bin/tgpt-session" serve --provider echo --echo-delay-ms "$TOKEN_MS" --max-turns 2048 \
  >"$work/slow-url" 2>"$work/slow.log" &
slow=$!
while [ ! -s "$work/slow-url" ]; do sleep 0.05; done
slow_http=$(head -1 "$work/slow-url")
slow_child=$(child_of "$slow")
slow_server_before=$(cpu_ticks "$slow")
slow_child_before=$(cpu_ticks "$slow_child")
# The load generator shares the two cores: its CPU is counted too (`time`, in seconds).
{ time "$bin/tgpt-ws-bridge" bench "ws${slow_http#http}" --sessions "$BIG" --messages 5 --words 20 --json \
  >"$work/big.json"; } 2>"$work/big_cpu"
slow_server_ticks=$(($(cpu_ticks "$slow") - slow_server_before))
slow_child_ticks=$(($(cpu_ticks "$slow_child") - slow_child_before))
client_ticks=$(awk -v hz="$hz" '{print int(($1 + $2) * hz + 0.5)}' "$work/big_cpu")
big_events=$(jq .events "$work/big.json")
kill "$slow"
wait "$slow" 2>/dev/null || true
slow=""

if [ -n "${RELAY_ONLY:-}" ]; then
  echo '{}' >"$work/idle.json"
  before=0 during=0 peak_open=0 churn_json='[0]'
else
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
fi

mkdir -p Benchmarks/results
jq -n \
  --slurpfile relay "$work/relay.json" --slurpfile big "$work/big.json" --slurpfile idle "$work/idle.json" \
  --argjson base_events "$events" --argjson base_ms "$base_ms" \
  --argjson before "$before" --argjson during "$during" --argjson peak "$peak_open" \
  --argjson churn "$churn_json" --argjson round_size "$ROUND_SIZE" \
  --argjson server_us "$(per_event_us "$server_ticks" "$relayed")" \
  --argjson child_us "$(per_event_us "$child_ticks" "$relayed")" \
  --argjson base_us "$(per_event_us "$base_ticks" "$events")" --argjson token_ms "$TOKEN_MS" \
  --argjson slow_server_us "$(per_event_us "$slow_server_ticks" "$big_events")" \
  --argjson slow_child_us "$(per_event_us "$slow_child_ticks" "$big_events")" \
  --argjson client_us "$(per_event_us "$client_ticks" "$big_events")" \
  '{relay: {sessions: $relay[0].sessions, completed: $relay[0].completed, expected: $relay[0].expected,
            events_per_s: $relay[0].events_per_second, failed_connections: $relay[0].failed_connections,
            server_cpu_us_per_event: $server_us, child_cpu_us_per_event: $child_us,
            baseline_tgpt_session_serve_events_per_s: ($base_events / $base_ms * 1000 | round),
            baseline_tgpt_session_serve_cpu_us_per_event: $base_us},
    first_chunk: {sessions: $big[0].sessions, ms_per_token: $token_ms, completed: $big[0].completed, expected: $big[0].expected,
                  p50_ms: $big[0].first_chunk_ms_p50, p99_ms: $big[0].first_chunk_ms_p99,
                  complete_p99_ms: $big[0].complete_ms_p99, failed_connections: $big[0].failed_connections,
                  events_per_s: $big[0].events_per_second, server_cpu_us_per_event: $slow_server_us,
                  child_cpu_us_per_event: $slow_child_us, load_generator_cpu_us_per_event: $client_us},
    churn: {rounds: ($churn | length), connections_per_round: $round_size, rss_after_each_round_kb: $churn,
            growth_first_to_last_kb: ($churn[-1] - $churn[0])},
    idle: {requested: $idle[0].idle_requested, opened: $idle[0].idle_opened, failed: $idle[0].idle_failed,
           seen_open_at_once: $peak,
           rss_before_kb: $before, rss_during_kb: $during,
           kb_per_connection: (if $peak > 0 then (($during - $before) / $peak * 10 | round / 10) else null end)}}' \
  | tee Benchmarks/results/ws.json

# The same figures as a table, each beside its baseline or goal (issue 17's goals).
jq -r '
  def row(name; ours; base; goal): "\(name)|\(ours)|\(base)|\(goal)";
  "figure|tgpt|baseline|goal",
  row("relayed events/s (\(.relay.sessions) sessions x 5)"; .relay.events_per_s;
      "\(.relay.baseline_tgpt_session_serve_events_per_s) (child alone)"; ">= 60000"),
  row("server CPU us per relayed event"; .relay.server_cpu_us_per_event; "-"; "<= 8"),
  row("child CPU us per relayed event"; .relay.child_cpu_us_per_event;
      "\(.relay.baseline_tgpt_session_serve_cpu_us_per_event) (child alone)"; "<= 6"),
  row("first chunk p50 ms (\(.first_chunk.sessions) x 5, \(.first_chunk.ms_per_token) ms/token)";
      .first_chunk.p50_ms; "-"; "<= 20"),
  row("first chunk p99 ms"; .first_chunk.p99_ms; "-"; "<= 100"),
  row("  CPU us/event there: server, child, load generator";
      "\(.first_chunk.server_cpu_us_per_event), \(.first_chunk.child_cpu_us_per_event), \(.first_chunk.load_generator_cpu_us_per_event)";
      "-"; "-")
' Benchmarks/results/ws.json | awk -F'|' '{printf "%-52s %18s %22s %10s\n", $1, $2, $3, $4}' >&2

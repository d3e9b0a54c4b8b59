#!/usr/bin/env bash
# tgpt-session's speed figures (issue 4), each next to a baseline measured in the same run
# (the machine is shared and noisy: compare ratios, not absolutes).
# Output: one JSON object on stdout (also saved to Benchmarks/results/session.json), and a
# table on stderr. Needs hyperfine, jq, sqlite3 and python3 (`make bench` installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-20}
swift build -c release --static-swift-stdlib --product tgpt-session >/dev/null
swift build -c release --static-swift-stdlib --product tgpt-stream >/dev/null
swift build -c release --static-swift-stdlib --product tgpt-bench >/dev/null
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median_ms() { jq -r ".results[$2].median * 1000 | . * 100 | round / 100" "$1"; }

# 1. list with 10,000 sessions and 1,000,000 messages (100 each), built with SQL on the schema
#    tgpt-session made, against the sqlite3 shell running the same query.
export TGPT_HOME="$work/big"
"$bin/tgpt-session" --provider echo -s seed hello >/dev/null 2>&1
sqlite3 "$TGPT_HOME/sessions.db" <<'SQL'
DELETE FROM message;
DELETE FROM session;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO session (principal, id, created_at, updated_at, model, provider, system, turns, title)
  SELECT 'default', printf('bench-%05d', i), 1790000000000 + i, 1790000000000 + i * 1000, 'openai/gpt-4o-mini', 'openrouter',
         NULL, 50, 'How do I rotate the logs of service number ' || i
  FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
INSERT INTO message (principal, session_id, seq, turn, role, content, model, status, created_at)
  SELECT s.principal, s.id, n.i, (n.i + 1) / 2, CASE n.i % 2 WHEN 1 THEN 'user' ELSE 'assistant' END,
         'Message ' || n.i || ' of ' || s.id || ': rotate logs with logrotate, keep seven days, compress old ones.',
         CASE n.i % 2 WHEN 0 THEN 'openai/gpt-4o-mini' END, 'complete', s.created_at + n.i
  FROM session s, n;
SQL
messages=$(sqlite3 "$TGPT_HOME/sessions.db" "SELECT count(*) FROM message")
sessions=$(sqlite3 "$TGPT_HOME/sessions.db" "SELECT count(*) FROM session")
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/list.json" \
  "$bin/tgpt-session list" "$bin/tgpt-session list --json" \
  "sqlite3 $TGPT_HOME/sessions.db 'SELECT id, turns, created_at, updated_at, model, provider, system, title FROM session ORDER BY updated_at DESC, id'" \
  >/dev/null 2>&1
list_ms=$(median_ms "$work/list.json" 0)
list_json_ms=$(median_ms "$work/list.json" 1)
list_sqlite_ms=$(median_ms "$work/list.json" 2)

# 2. A turn on a session of 1,000 messages (echo provider, zero delay). In process (tgpt-bench):
#    TurnRunner against the same echo request through CompletionRunner alone. As whole
#    processes: tgpt-session against tgpt-stream sending the same message, which adds the
#    larger program's start-up and opening the store. The store directory (database, WAL and
#    shared memory together) is restored before every run, so each turn sees 1,000 messages.
"$bin/tgpt-bench" turn "$work/inprocess" >"$work/turn-inprocess.json"
turn_inprocess=$(jq -r .turn_ms "$work/turn-inprocess.json")
turn_provider=$(jq -r .provider_only_ms "$work/turn-inprocess.json")
turn_overhead=$(jq -r .overhead_ms "$work/turn-inprocess.json")
export TGPT_HOME="$work/turn"
python3 -c '
import json
for i in range(500):
    print(json.dumps({"message": f"question {i}: how do the logs rotate on host {i}, and how long are they kept?"}))
' | "$bin/tgpt-session" --provider echo -s hist --messages >/dev/null
# Checkpointed first: otherwise every measured turn would start 11 pages short of the WAL's
# auto-checkpoint and pay for it, where a real turn pays one every few hundred turns.
sqlite3 "$TGPT_HOME/sessions.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp -r "$TGPT_HOME" "$work/turn-pristine"
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/turn.json" \
  --prepare "sh -c 'rm -rf $TGPT_HOME && cp -r $work/turn-pristine $TGPT_HOME'" \
  "$bin/tgpt-session --provider echo -s hist what about the next host" \
  "$bin/tgpt-stream --provider echo what about the next host" >/dev/null 2>&1
turn_ms=$(median_ms "$work/turn.json" 0)
stream_ms=$(median_ms "$work/turn.json" 1)
sent=$("$bin/tgpt-session" --provider echo -s hist probe | jq -r 'select(.type=="start") | .turns_sent')

# 3. serve: 500 sessions × 10 messages interleaved on one stdin, echo at zero delay; answers
#    of 20 words (22 events a turn) and of one word (3 events: the per-turn cost).
python3 -c '
import json
words = " ".join(f"word{i}" for i in range(20))
for m in range(10):
    for s in range(500):
        print(json.dumps({"message": words, "session_id": f"s{s}", "id": f"s{s}-{m}"}))
' >"$work/serve20.in"
sed 's/"message": "[^"]*"/"message": "w"/' "$work/serve20.in" >"$work/serve1.in"
events20=$(TGPT_HOME="$work/count" "$bin/tgpt-session" serve --provider echo <"$work/serve20.in" | wc -l)
rm -rf "$work/count"
events1=$(TGPT_HOME="$work/count" "$bin/tgpt-session" serve --provider echo <"$work/serve1.in" | wc -l)
hyperfine --warmup 1 --runs "$((RUNS / 2 > 3 ? RUNS / 2 : 3))" --export-json "$work/serve.json" \
  --prepare "rm -rf $work/serve" \
  "TGPT_HOME=$work/serve $bin/tgpt-session serve --provider echo < $work/serve20.in > /dev/null" \
  "TGPT_HOME=$work/serve $bin/tgpt-session serve --provider echo < $work/serve1.in > /dev/null" >/dev/null 2>&1
serve20_ms=$(median_ms "$work/serve.json" 0)
serve1_ms=$(median_ms "$work/serve.json" 1)
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%d", n / (ms / 1000) }'; }
serve20_rate=$(rate "$events20" "$serve20_ms")
serve1_turns=$(rate 5000 "$serve1_ms")

mkdir -p Benchmarks/results
jq -n \
  --argjson list "$list_ms" --argjson listj "$list_json_ms" --argjson lists "$list_sqlite_ms" \
  --argjson sessions "$sessions" --argjson messages "$messages" \
  --argjson turn "$turn_ms" --argjson stream "$stream_ms" --argjson sent "$sent" \
  --argjson tin "$turn_inprocess" --argjson tprov "$turn_provider" --argjson tover "$turn_overhead" \
  --argjson s20 "$serve20_ms" --argjson e20 "$events20" --argjson r20 "$serve20_rate" \
  --argjson s1 "$serve1_ms" --argjson e1 "$events1" --argjson t1 "$serve1_turns" \
  --arg machine "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" \
  '{machine: $machine,
    list_ms: {sessions: $sessions, messages: $messages, tgpt_session_list: $list, tgpt_session_list_json: $listj,
      sqlite3_same_query: $lists},
    turn_1000_messages_ms: {in_process: {turn: $tin, provider_only: $tprov, overhead: $tover},
      process: {tgpt_session: $turn, tgpt_stream_same_message: $stream,
        difference: (($turn - $stream) * 100 | round / 100), turns_sent: $sent}},
    serve_500_sessions: {events_20_words: $e20, ms_20_words: $s20, events_per_s: $r20,
      events_1_word: $e1, ms_1_word: $s1, turns_per_s: $t1}}' | tee Benchmarks/results/session.json

{
  printf '\n%-48s %12s %12s %10s\n' "figure (median)" "tgpt" "baseline" "goal"
  printf '%-48s %10s ms %10s ms %10s\n' "list, $sessions sessions / $messages messages" "$list_ms" "$list_sqlite_ms" "<= 50 ms"
  printf '%-48s %10s ms %12s %10s\n' "list --json, the same store" "$list_json_ms" "-" "-"
  printf '%-48s %10s ms %10s ms %10s\n' "turn on 1000 messages, in process vs echo alone" "$turn_inprocess" "$turn_provider" "<= +5 ms"
  printf '%-48s %10s ms %10s ms %10s\n' "  as processes: tgpt-session vs tgpt-stream" "$turn_ms" "$stream_ms" "-"
  printf '%-48s %9s/s %12s %10s\n' "serve, 500 sessions, 20-word answers: events" "$serve20_rate" "($serve20_ms ms)" ">= 50000"
  printf '%-48s %9s/s %12s %10s\n' "serve, 500 sessions, 1-word answers: turns" "$serve1_turns" "($serve1_ms ms)" "-"
} >&2

#!/usr/bin/env bash
# Issue 15's figures, each beside its baseline from the same run (the machine is shared and
# noisy: compare ratios, not absolutes):
#   1. turns/s and p99 turn time at 100 concurrent sessions through one server, on a SQLite
#      store and on a PostgreSQL store (the echo provider at zero delay, so a turn's time is
#      all overhead: relay, orchestrator, store);
#   2. relayed events/s through nginx in front of two servers (one PostgreSQL store) against
#      one of those servers asked directly.
# Output: one JSON object on stdout (also Benchmarks/results/multi-server.json).
# Needs jq, curl, nginx and postgresql (Debian packages; `make bench` installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

SESSIONS=${SESSIONS:-100}
MESSAGES=${MESSAGES:-10}
LONG_WORDS=${LONG_WORDS:-400}
build="swift build -c release --static-swift-stdlib"
$build --product tgpt-ws-bridge >/dev/null
$build --product tgpt-session >/dev/null
bin=$($build --show-bin-path)
work=$(mktemp -d)
chmod 777 "$work"
pids=()
pg=""
cleanup() {
  # serve() runs in a command substitution, a subshell: its servers' pids are in files.
  for file in "$work"/*.pid; do [ -e "$file" ] && pids+=("$(cat "$file")"); done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "$pg" ] && Scripts/test-postgres.sh stop "$pg"
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

# A server on a free port with store $1; its http:// address on stdout.
serve() {
  local store=$1 name=$2
  TGPT_HOME="$work/home-$name" TGPT_STORE="$store" "$bin/tgpt-ws-bridge" serve --port 0 --rate 0 \
    -- "$bin/tgpt-session" serve --provider echo --max-turns 2048 >"$work/$name.url" 2>"$work/$name.log" &
  echo $! >"$work/$name.pid"
  while [ ! -s "$work/$name.url" ]; do sleep 0.05; done
  head -1 "$work/$name.url"
}

bench() { "$bin/tgpt-ws-bridge" bench "ws${1#http}" --sessions "$SESSIONS" --messages "$2" --words "$3" --json; }

started=$(Scripts/test-postgres.sh start --owner $$)
pg_url="$(sed -n 1p <<<"$started")"
pg=$(sed -n 2p <<<"$started")
database="bench$$"
psql -X -q -d "$pg_url" -c "CREATE DATABASE $database" >/dev/null
store_pg="${pg_url%/postgres}/$database?sslmode=disable"

# 1. The store's share: the same load on one server over SQLite, then over PostgreSQL.
sqlite_server=$(serve "$work/sessions.db" sqlite)
bench "$sqlite_server" "$MESSAGES" 5 >"$work/sqlite.json"
pg_one=$(serve "$store_pg" pg1)
bench "$pg_one" "$MESSAGES" 5 >"$work/postgres.json"

# 2. Through nginx to two servers on the PostgreSQL store, and to one of them directly.
pg_two=$(serve "$store_pg" pg2)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  upstream tgpt { server ${pg_one#http://}; server ${pg_two#http://}; }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://tgpt;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
CONF
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
until curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.05; done
bench "$pg_one" 3 "$LONG_WORDS" >"$work/direct.json"
bench "http://127.0.0.1:$port" 3 "$LONG_WORDS" >"$work/nginx.json"

mkdir -p Benchmarks/results
jq -n --slurpfile sqlite "$work/sqlite.json" --slurpfile postgres "$work/postgres.json" \
  --slurpfile direct "$work/direct.json" --slurpfile nginx "$work/nginx.json" \
  --argjson sessions "$SESSIONS" '
  def turns_per_second(r): (r.completed / r.seconds * 10 | round / 10);
  {
    machine: "2 shared cores, noisy: compare ratios within this run",
    sessions: $sessions,
    sqlite: { turns_per_second: turns_per_second($sqlite[0]), complete_ms_p50: $sqlite[0].complete_ms_p50,
      complete_ms_p99: $sqlite[0].complete_ms_p99, completed: $sqlite[0].completed },
    postgres: { turns_per_second: turns_per_second($postgres[0]), complete_ms_p50: $postgres[0].complete_ms_p50,
      complete_ms_p99: $postgres[0].complete_ms_p99, completed: $postgres[0].completed },
    postgres_over_sqlite_turns_per_second: (turns_per_second($postgres[0]) / turns_per_second($sqlite[0]) * 100 | round / 100),
    events_per_second_direct_one_server: ($direct[0].events_per_second | round),
    events_per_second_nginx_two_servers: ($nginx[0].events_per_second | round),
    nginx_over_direct: ($nginx[0].events_per_second / $direct[0].events_per_second * 100 | round / 100),
    all_answered: ([$sqlite[0], $postgres[0], $direct[0], $nginx[0]] | all(.completed == .expected))
  }' | tee Benchmarks/results/multi-server.json

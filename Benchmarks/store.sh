#!/usr/bin/env bash
# The session store's share of a turn (lock, history, begin, finish, release) on SQLite and on
# PostgreSQL, measured in one run: one session turn after turn, then 100 sessions at once.
# PostgreSQL is a throw-away local server (Scripts/test-postgres.sh: no fsync, as SQLite's
# synchronous=NORMAL does not sync each commit either). Output: JSON lines on stdout.
# CONFIG=debug measures a debug build (quicker to build; slower to run).
set -euo pipefail
cd "$(dirname "$0")/.."

config=${CONFIG:-release}
swift build -c "$config" --product tgpt-bench >/dev/null
bin=$(swift build -c "$config" --show-bin-path)
work=$(mktemp -d)
server=$(Scripts/test-postgres.sh start --owner $$)
url=$(head -n 1 <<<"$server")
trap 'Scripts/test-postgres.sh stop "$(tail -n 1 <<<"$server")"; rm -rf "$work"' EXIT
"$bin/tgpt-bench" store "$work" "$url?sslmode=disable"

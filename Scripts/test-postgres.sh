#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests (Debian's `postgresql` package).
#
#   Scripts/test-postgres.sh start [--owner PID]   prints the server's URL, then its directory
#   Scripts/test-postgres.sh stop DIR              stops it (fast) and removes DIR
#   Scripts/test-postgres.sh pause DIR             stops it, keeping its data
#   Scripts/test-postgres.sh resume DIR            starts it again, on the same port
#
# The cluster lives in a new temporary directory: initdb, a free port on 127.0.0.1, the unix
# socket in that directory, TLS with a self-signed certificate (so sslmode=require can be
# tried), no fsync (test data need not survive a crash of the machine). initdb refuses root,
# so as root the server runs as `nobody`. With --owner, a watchdog stops the server once that
# process has gone, so a killed test run leaves no server behind.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "test-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 69; }

# Runs a command as the server's user.
as_server() {
  if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Starts the server of $1 on port $2; false if it did not come up.
start_server() {
  local dir=$1 port=$2
  as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -s \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key" \
    start >/dev/null
}

case "${1:-}" in
start)
  owner=""
  [ "${2:-}" = "--owner" ] && owner=${3:?--owner needs a pid}
  dir=$(mktemp -d /tmp/tgpt-pg.XXXXXX)
  chmod 755 "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=tgpt-test-postgres" \
    -keyout "$dir/server.key" -out "$dir/server.crt" >/dev/null 2>&1
  chmod 600 "$dir/server.key"
  [ "$(id -u)" -eq 0 ] && chown -R nobody:nogroup "$dir"
  as_server "$bin/initdb" -D "$dir/data" -U tgpt -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  # Another process may take the port between asking and binding: try a few.
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    if start_server "$dir" "$port"; then
      echo "$port" >"$dir/port"
      if [ -n "$owner" ]; then
        nohup bash -c "while kill -0 $owner 2>/dev/null; do sleep 1; done; '$0' stop '$dir'" >/dev/null 2>&1 &
      fi
      echo "postgres://tgpt@127.0.0.1:$port/postgres"
      echo "$dir"
      exit 0
    fi
  done
  echo "test-postgres: the server did not start:" >&2
  tail -n 20 "$dir/server.log" >&2
  exit 1
  ;;
stop)
  dir=${2:?usage: test-postgres.sh stop DIR}
  [ -d "$dir/data" ] && as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w -s stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
pause)
  dir=${2:?usage: test-postgres.sh pause DIR}
  as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w -s stop >/dev/null
  ;;
resume)
  dir=${2:?usage: test-postgres.sh resume DIR}
  start_server "$dir" "$(cat "$dir/port")" || { tail -n 20 "$dir/server.log" >&2; exit 1; }
  ;;
*)
  echo "usage: test-postgres.sh start [--owner PID] | stop DIR | pause DIR | resume DIR" >&2
  exit 64
  ;;
esac

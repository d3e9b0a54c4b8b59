#!/usr/bin/env bash
# The Python virtual environment of the tests that talk to a real MCP server: mcp-server-time
# from PyPI, pinned, at .build/test-venv. Made on first use and kept; an flock lets test
# processes that start at once make it once. Prints the server program's path.
set -euo pipefail
cd "$(dirname "$0")/.."
package="mcp-server-time==2026.10.19"
venv=.build/test-venv
mkdir -p .build
exec 9>.build/test-venv.lock
flock 9
if [ ! -e "$venv/.tgpt-ready-$package" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$package" >&2
  touch "$venv/.tgpt-ready-$package"
fi
echo "$PWD/$venv/bin/mcp-server-time"

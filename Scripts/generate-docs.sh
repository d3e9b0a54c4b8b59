#!/usr/bin/env bash
# Writes man/ (one page per program) and completions/ (bash, zsh, fish) from the argument
# parser, so they always say what the programs accept.
#   Scripts/generate-docs.sh           regenerate in place
#   Scripts/generate-docs.sh --check   fail if the committed files are stale (run by `make test`)
set -euo pipefail
cd "$(dirname "$0")/.."

# The date printed in the man pages: the release date of ToolkitVersion. Bump both together.
DOC_DATE=2026-11-29

programs=()
for program in tgpt-stream tgpt-session tgpt-ws-bridge tgpt-render; do
  [ -d "Sources/$program" ] && programs+=("$program")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/man" "$work/completions"

# swift-argument-parser's generate-manual tool, whose pages lose every character that is not
# ASCII (日本, —, …): it drops them. So the tool runs on each program through a wrapper that
# writes each such character of the help as an ASCII placeholder (\u0001, its code in hex,
# \u0002), which the tool keeps; the placeholders then become groff escapes (\[u65E5]). (Its
# plugin, `swift package generate-manual`, would also run it on every other executable that
# links the parser, such as the fuzz targets, which have no help to give.)
swift build --product generate-manual >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
for program in "${programs[@]}"; do
  swift build --product "$program" >>"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
done
bin=$(swift build --show-bin-path)
# `swift build --product generate-manual` makes generate-manual; the plugin, generate-manual-tool.
generator=""
for name in generate-manual-tool generate-manual; do
  if [ -x "$bin/$name" ]; then generator="$bin/$name"; break; fi
done
[ -n "$generator" ] || { echo "no generate-manual tool in $bin after swift package generate-manual" >&2; exit 1; }
mkdir -p "$work/tools" "$work/pages"
cat >"$work/wrapper" <<'EOF'
#!/usr/bin/env bash
# The output of the program this script is named after, each non-ASCII character as a placeholder.
set -o pipefail
"$TGPT_DOCS_BIN/${0##*/}" "$@" | perl -CS -pe 's/([^\x00-\x7F])/sprintf("\\u0001%04X\\u0002", ord($1))/ge'
EOF
chmod +x "$work/wrapper"
for program in "${programs[@]}"; do
  ln -s "$work/wrapper" "$work/tools/$program"
  TGPT_DOCS_BIN="$bin" "$generator" "$work/tools/$program" --date "$DOC_DATE" --authors "tgpt contributors" \
    -o "$work/pages" >>"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
  perl -pe 's/\x01([0-9A-F]+)\x02/\\[u$1]/g' "$work/pages/$program.1" >"$work/man/$program.1"
  "$bin/$program" --generate-completion-script bash >"$work/completions/$program.bash"
  "$bin/$program" --generate-completion-script zsh >"$work/completions/_$program"
  "$bin/$program" --generate-completion-script fish >"$work/completions/$program.fish"
done

if [ "${1:-}" = "--check" ]; then
  if ! diff -ru man "$work/man" >"$work/diff" 2>&1 || ! diff -ru completions "$work/completions" >>"$work/diff" 2>&1; then
    head -40 "$work/diff" >&2
    echo "man/ or completions/ are stale: run Scripts/generate-docs.sh and commit the result" >&2
    exit 1
  fi
  echo "man/ and completions/ are current (${programs[*]})"
else
  rm -rf man completions
  cp -r "$work/man" "$work/completions" .
  echo "wrote man/ and completions/ for: ${programs[*]}"
fi

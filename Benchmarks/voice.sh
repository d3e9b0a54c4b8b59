#!/usr/bin/env bash
# First-sentence latency against first-token latency (issue 16): how long after the request
# `tgpt-stream | tgpt-render --sentences` writes its first sentence, against when the first
# chunk came out of tgpt-stream, in the same run. The fake provider streams a real-looking
# answer word by word at DELAY ms a word (default 25: ~40 words/s, ~50 tokens/s, a typical
# hosted model) after FIRST ms (default 400, a typical time to first token). The sentence
# cannot come before its last word and the first letter of the next one; what is measured
# is that, plus what the programs add.
# Output: one JSON object on stdout (also saved to Benchmarks/results/voice.json), a table on
# stderr. Needs jq and python3. BUILD=debug uses the debug build (quicker to make; the
# latency is the provider's pace either way).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-10}
DELAY=${DELAY:-25}
FIRST=${FIRST:-400}
config=${BUILD:-release}
flags=(-c "$config")
[ "$config" = release ] && flags+=(--static-swift-stdlib)
for product in tgpt-stream tgpt-render tgpt-fake-provider; do
  swift build "${flags[@]}" --product "$product" >/dev/null
done
bin=$(swift build "${flags[@]}" --show-bin-path)
work=$(mktemp -d)
exec 3< <(exec sleep 100000 2>/dev/null)
keeper=$!
"$bin/tgpt-fake-provider" <&3 >"$work/fake.url" &
fake=$!
trap 'kill $fake $keeper 2>/dev/null; rm -rf "$work"' EXIT
until [ -s "$work/fake.url" ]; do sleep 0.05; done
base=$(head -1 "$work/fake.url")
export TGPT_HOME="$work/home" OPENROUTER_API_KEY=bench

# A first sentence of 12 words, then two more.
answer="The sky looks blue because air scatters short blue wavelengths far more strongly. \
Red and yellow light pass through almost untouched. At sunset the light crosses more air."
url="$base/first=$FIRST;delay=$DELAY;text=${answer// /+}/v1"

# Times, in ms from the start of tgpt-stream: its first chunk, its chunk with the first word of
# the second sentence (the earliest the first can be known to have ended), tgpt-render's first
# line, tgpt-stream's last line.
measure() {
  python3 - "$bin" "$url" <<'EOF'
import subprocess, sys, threading, time
bin, url = sys.argv[1], sys.argv[2]
start = time.monotonic()
stream = subprocess.Popen([bin + "/tgpt-stream", "--provider", "openrouter", "--base-url", url, "hi"],
                          stdout=subprocess.PIPE)
render = subprocess.Popen([bin + "/tgpt-render", "--sentences"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
times = {}
def sentences():
    lines = []
    for line in render.stdout:
        times.setdefault("sentence", time.monotonic())
        lines.append(line)
    times["sentences"] = len(lines)
reader = threading.Thread(target=sentences)
reader.start()
for line in stream.stdout:
    if b'"type":"chunk"' in line:
        times.setdefault("token", time.monotonic())
        if b'"content":"Red ' in line:
            times["decisive"] = time.monotonic()
    render.stdin.write(line)
    render.stdin.flush()
times["end"] = time.monotonic()
render.stdin.close()
reader.join()
stream.wait(); render.wait()
ms = lambda t: round((t - start) * 1000, 1)
print(ms(times["token"]), ms(times["sentence"]), ms(times["end"]), times["sentences"], ms(times["decisive"]))
EOF
}

: >"$work/runs"
for _ in $(seq 1 "$RUNS"); do measure >>"$work/runs"; done
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
token=$(cut -d' ' -f1 "$work/runs" | median)
sentence=$(cut -d' ' -f2 "$work/runs" | median)
answer_end=$(cut -d' ' -f3 "$work/runs" | median)
count=$(cut -d' ' -f4 "$work/runs" | sort -u | tr '\n' ' ')
decisive=$(cut -d' ' -f5 "$work/runs" | median)
# What tgpt-render adds: its first line after the chunk that decided it, per run.
added=$(awk '{ print $2 - $5 }' "$work/runs" | median)

mkdir -p Benchmarks/results
jq -n --argjson token "$token" --argjson sentence "$sentence" --argjson finish "$answer_end" \
  --argjson decisive "$decisive" --argjson added "$added" --argjson delay "$DELAY" --argjson first "$FIRST" --argjson runs "$RUNS" --arg build "$config" '{
  first_token_ms: $token, first_sentence_ms: $sentence, last_token_ms: $finish,
  sentence_after_token_ms: (($sentence - $token) * 10 | round / 10),
  next_sentence_first_word_ms: $decisive, render_adds_ms: $added,
  first_sentence_words: 12, word_delay_ms: $delay, provider_first_byte_ms: $first, runs: $runs,
  build: $build, machine: "2 shared cores, noisy"
}' | tee Benchmarks/results/voice.json
{
  echo "first token      ${token} ms (median of $RUNS; provider: first byte ${FIRST} ms, a word every ${DELAY} ms)"
  echo "first sentence   ${sentence} ms (12 words; the 13th word left tgpt-stream at ${decisive} ms:"
  echo "                 tgpt-render adds ${added} ms)"
  echo "answer ended     ${answer_end} ms"
  echo "sentences        ${count}"
} >&2

import Foundation
import TGPTEvents
import Testing

/// `tgpt-render --sentences` and `--speak`: sentences as they complete, spoken in order by a
/// real speech program (espeak-ng into WAV files, checked with sox), never holding the stream.
@Suite(.timeLimit(.minutes(10))) struct VoiceEndToEndTests {
  static var fake: FakeProviderServer {
    get async throws { try await FakeProviderServer.shared }
  }

  static func key() -> String { "v\(UInt32.random(in: 0...UInt32.max))" }

  static func environment(_ extra: [String: String]) -> [String: String] {
    Harness.environment(["OPENROUTER_API_KEY": "test-key"].merging(extra) { $1 })
  }

  /// The provider holds back the answer's last word until the test has read the first
  /// sentence: so that sentence was written while the answer was still streaming.
  @Test func theFirstSentenceComesBeforeTheLastToken() async throws {
    let fake = try await Self.fake
    let gate = Self.key()
    let text = "Dr. Smith measured 3.5 mm today. Then he wrote it all down, slowly and carefully."
    let url = fake.url("hold-last=\(gate);key=\(gate);delay=5;text=" + text.replacingOccurrences(of: " ", with: "+"))
    let result = try await Harness.shell(
      """
      dir=$(mktemp -d)
      tgpt-stream --provider openrouter --base-url "$URL" hi | tgpt-render --sentences >"$dir/out" & pipeline=$!
      until [ -s "$dir/out" ]; do sleep 0.05; done
      echo "before the last token: $(cat "$dir/out")"
      curl -fsS "$RELEASE" >/dev/null
      wait $pipeline; status=$?
      cat "$dir/out"; rm -r "$dir"; exit $status
      """,
      env: Self.environment(["URL": url, "RELEASE": fake.baseURL + "/_release?gate=" + gate]))
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.text
        == """
        before the last token: Dr. Smith measured 3.5 mm today.
        Dr. Smith measured 3.5 mm today.
        Then he wrote it all down, slowly and carefully.

        """)
  }

  /// espeak-ng writes one WAV file per sentence, numbered in order; sox finds sound in each,
  /// and the long sentence is the long file.
  @Test func espeakSpeaksEachSentenceIntoItsOwnFile() async throws {
    let fake = try await Self.fake
    let dir = Harness.scratchDirectory()
    let text = "Hello there. This second sentence is by far the longest of the three, it goes on and on. Bye now."
    let url = fake.url("key=\(Self.key());text=" + text.replacingOccurrences(of: " ", with: "+"))
    let result = try await Harness.shell(
      """
      tgpt-stream --provider openrouter --base-url "$URL" hi | tgpt-render --speak "espeak-ng -w $DIR/{n}.wav" || exit $?
      for n in 1 2 3; do
        printf '%s ' "$n" "$(sox "$DIR/$n.wav" -n stat 2>&1 | awk '/RMS +amplitude/ {print $3}')" "$(soxi -D "$DIR/$n.wav")"
        echo
      done
      ls "$DIR" | wc -l
      """,
      env: Self.environment(["URL": url, "DIR": dir.path]))
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.text.split(separator: "\n")
    try #require(lines.count == 5, "\(result.text)")
    #expect(lines[0] == Substring(text), "the rendering goes to stdout as usual")
    var durations: [Double] = []
    for line in lines[1...3] {
      let fields = line.split(separator: " ")
      try #require(fields.count == 3, "\(line)")
      let rms = try #require(Double(fields[1]), "\(line)")
      #expect(rms > 0.01, "sound in file \(fields[0]): RMS amplitude \(rms)")
      durations.append(try #require(Double(fields[2])))
    }
    #expect(lines[4] == "3", "one file per sentence")
    #expect(durations[1] > durations[0] && durations[1] > durations[2], "file 2 holds the long sentence: \(durations)")
  }

  /// The speech command runs one sentence at a time, in order; while it is busy the stream
  /// goes on (every sentence is written before the first has been spoken); at the end of
  /// the input tgpt-render waits until all have been spoken.
  @Test func sentencesAreSpokenInOrderWithoutHoldingTheStream() async throws {
    let dir = Harness.scratchDirectory()
    let speak = "sh -c 'until [ -e \(dir.path)/go ]; do sleep 0.05; done; printf \"%s\\n\" \"$1\" >>\(dir.path)/log' sh"
    let result = try await Harness.shell(
      """
      printf '%s' "$TEXT" | tgpt-render --input text --sentences --speak "$SPEAK" >"$DIR/out" & render=$!
      until grep -q 'Third' "$DIR/out"; do sleep 0.05; done
      [ -e "$DIR/log" ] && echo "spoken before go"
      touch "$DIR/go"
      wait $render; status=$?
      cat "$DIR/log"; exit $status
      """,
      env: Harness.environment(["TEXT": "First one. **Second** one!\n\n- Third one", "SPEAK": speak, "DIR": dir.path]))
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.text == "First one.\nSecond one!\nThird one\n")
  }

  /// Ctrl-C while a sentence is being spoken ends the speaking process too.
  @Test func sigintStopsTheVoice() async throws {
    let dir = Harness.scratchDirectory()
    let speak = "sh -c 'echo $$ >\(dir.path)/pid; exec sleep 600'"
    let result = try await Harness.shell(
      """
      printf 'A long answer. Another sentence.' | tgpt-render --input text --speak "$SPEAK" >/dev/null & render=$!
      until [ -s "$DIR/pid" ]; do sleep 0.05; done
      kill -INT $render; wait $render; echo "status $?"
      pid=$(cat "$DIR/pid")
      # Gone, or a zombie waiting for a parent that is not ours to reap it.
      for i in $(seq 1200); do
        state=$(ps -o stat= -p "$pid") || break
        case "$state" in Z*) break ;; esac
        sleep 0.1
      done
      state=$(ps -o stat= -p "$pid"); echo "speaker: ${state:-gone}"
      """,
      env: Harness.environment(["SPEAK": speak, "DIR": dir.path]))
    let lines = result.text.split(separator: "\n")
    #expect(lines.first == "status 130", "\(result.text)")
    #expect(lines.last == "speaker: gone" || lines.last?.hasPrefix("speaker: Z") == true, "\(result.text)")
  }

  @Test func aFailingSpeechCommandIsWarnedAboutOnce() async throws {
    let result = try await Harness.shell(
      "printf 'One. Two. Three.' | tgpt-render --input text --sentences --speak false")
    #expect(result.status == 0)
    #expect(result.text == "One.\nTwo.\nThree.\n")
    #expect(
      result.stderr
        == "tgpt-render: warning: the speech command false exited with status 1; going on without a voice where it fails\n"
    )
  }

  @Test func speakWithoutACommandNeedsEspeak() async throws {
    let result = try await Harness.run(
      "tgpt-render", ["--speak", "--input", "text"], stdin: "Hi.", env: Harness.environment(["PATH": "/nonexistent"]))
    #expect(result.status == 69)
    #expect(result.stderr.contains("espeak-ng, which is not on PATH"))
  }
}

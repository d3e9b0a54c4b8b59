import Foundation
import TGPTEvents
import Testing

/// tgpt-render as users run it: in pipelines, under a pseudo-terminal, with bad input.
@Suite(.timeLimit(.minutes(10))) struct RenderEndToEndTests {
  static let markdown = "# Title\n\nSome **bold** text and `code`.\n\n- one\n- two\n\n```swift\nlet x = 1\n```\n"

  static func events(_ text: String, error: String? = nil) -> String {
    var lines = [Event(.start(.init(model: "m", provider: "echo"))).jsonText]
    for piece in text.split(separator: " ", omittingEmptySubsequences: false).enumerated().map({ index, word in
      index == 0 ? String(word) : " " + word
    }) {
      lines.append(Event(.chunk(.init(content: piece, model: "m"))).jsonText)
    }
    if let error {
      lines.append(Event(.error(.init(message: error, code: .rateLimited, partial: true))).jsonText)
    } else {
      lines.append(Event(.complete(.init(processingTimeMs: 1))).jsonText)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  @Test func intoAPipeTheOutputIsExactlyTheAnswer() async throws {
    let result = try await Harness.shell(
      "printf '%s' \"$TEXT\" | tgpt-stream --provider echo | tgpt-render",
      env: Harness.environment(["TEXT": Self.markdown]))
    #expect(result.status == 0)
    #expect(result.text == Self.markdown)
    #expect(result.stderr.isEmpty)
  }

  @Test func underAPseudoTerminalTheOutputIsStyled() async throws {
    let result = try await Harness.shell(
      "script -qec \"printf '%s' \\\"\\$TEXT\\\" | tgpt-stream --provider echo | tgpt-render\" /dev/null",
      env: Harness.environment(["TEXT": Self.markdown, "TERM": "xterm-256color"]))
    #expect(result.status == 0)
    #expect(result.text.contains("\u{1B}[0;1;95mTitle\u{1B}[0m"), "the heading is styled")
    #expect(result.text.contains("• "), "bullets are rendered")
    // The open line may be drawn as it grows and redrawn ("\r\e[K"); what stays is the last.
    let screen = result.text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").map {
      $0.components(separatedBy: "\r\u{1B}[K").last ?? ""
    }
    #expect(!screen.contains { $0.contains("**bold**") }, "the markers are gone: \(screen)")
    #expect(screen.contains { $0.contains("Some \u{1B}[0;1mbold\u{1B}[0m text") })
    #expect(!result.text.contains("\u{1B}[?1049h"), "no alternate screen")
  }

  @Test func noColorAndTermDumbGiveThePlainTextEvenOnATerminal() async throws {
    for extra in [["NO_COLOR": "1", "TERM": "xterm"], ["TERM": "dumb"]] {
      let result = try await Harness.shell(
        "script -qec \"printf '%s' \\\"\\$TEXT\\\" | tgpt-render --input text\" /dev/null",
        env: Harness.environment(["TEXT": "**a** b\n"].merging(extra) { $1 }))
      #expect(result.text.replacingOccurrences(of: "\r\n", with: "\n") == "**a** b\n", "\(extra)")
    }
  }

  @Test func theExitCodeFollowsTheErrorEvent() async throws {
    let result = try await Harness.run(
      "tgpt-render", [], stdin: Self.events("half an answer", error: "rate limited upstream"))
    #expect(result.status == 75)
    #expect(result.text == "half an answer\n", "the answer ends its line, also when it failed")
    #expect(result.stderr.contains("tgpt-render: error: rate limited upstream"))
  }

  @Test func malformedLinesWarnWithTheirNumberAndExit65AtTheEnd() async throws {
    let input = Self.events("one two").replacingOccurrences(
      of: "\n{\"type\":\"complete\"", with: "\nnot json\n{\"type\":\"complete\"")
    let result = try await Harness.run("tgpt-render", [], stdin: input)
    #expect(result.status == 65)
    #expect(result.text == "one two\n", "rendering went on after the bad line")
    #expect(result.stderr.contains("tgpt-render: warning: line 4: invalid JSON"))
    let strict = try await Harness.run("tgpt-render", ["--strict"], stdin: input)
    #expect(strict.status == 65)
    #expect(strict.text == "one two\n")
    #expect(!strict.stderr.contains("complete"))
  }

  @Test func unknownEventTypesAreSkipped() async throws {
    let input = #"{"type":"future","content":{"x":1}}"# + "\n" + Self.events("fine")
    let result = try await Harness.run("tgpt-render", [], stdin: input)
    #expect(result.status == 0)
    #expect(result.text == "fine\n")
  }

  @Test func passthroughCopiesTheEventsUnchanged() async throws {
    let input = Self.events("copy me") + "not json\n"
    let result = try await Harness.run("tgpt-render", ["--passthrough", "--to", "stderr"], stdin: input)
    #expect(result.text == input)
    #expect(result.stderr.contains("copy me"))
    #expect(result.status == 65)
  }

  @Test func passthroughCopiesBytesExactlyEvenCRLFAndBlankLines() async throws {
    let input = Self.events("x").replacingOccurrences(of: "\n", with: "\r\n") + "\r\n\n  \n"
    let result = try await Harness.run("tgpt-render", ["--passthrough", "--to", "stderr"], stdin: input)
    #expect(result.text == input)
    #expect(result.status == 0)
  }

  @Test func textInputIntoAPipeIsByteExactEvenForInvalidUTF8() async throws {
    let result = try await Harness.shell("printf 'ok \\377\\376 end\\n' | tgpt-render --input text | od -An -tx1")
    #expect(
      result.text.split(whereSeparator: \.isWhitespace) == ["6f", "6b", "20", "ff", "fe", "20", "65", "6e", "64", "0a"])
  }

  @Test func aTenMegabyteAnswerIsReproducedByteForByte() async throws {
    var text = ""
    var lines: [String] = []
    var index = 0
    let alphabet = Array("abc déf 日本 😀 \n\t`*_#|".unicodeScalars)
    while text.utf8.count < 10_000_000 {
      var piece = ""
      for k in 0..<200 { piece.unicodeScalars.append(alphabet[(index * 7 + k * 13) % alphabet.count]) }
      index += 1
      text += piece
      lines.append(Event(.chunk(.init(content: piece, model: "m"))).jsonText)
    }
    lines.append(Event(.complete(.init(processingTimeMs: 1))).jsonText)
    let result = try await Harness.run("tgpt-render", ["--exact"], stdin: lines.joined(separator: "\n") + "\n")
    #expect(result.status == 0)
    #expect(result.stdout == Data(text.utf8))
  }

  @Test func textInputRendersMarkdownFiles() async throws {
    let result = try await Harness.run(
      "tgpt-render", ["--input", "text", "--color", "always", "--width", "40"], stdin: Self.markdown)
    #expect(result.status == 0)
    #expect(result.text.contains("\u{1B}[0;1;95mTitle"))
    #expect(!result.text.contains("\u{1B}]8;"), "no hyperlinks when not writing to a terminal")
  }

  @Test func theBinaryLinksNeitherFoundationNorICUNorCurl() async throws {
    let result = try await Harness.shell("ldd \"$(command -v tgpt-render)\"")
    #expect(result.status == 0)
    for library in ["libicu", "libFoundation.so", "FoundationInternationalization", "libcurl"] {
      #expect(!result.text.contains(library), "\(library) is linked")
    }
  }

  @Test func sigintLeavesACleanExit() async throws {
    let chunk = Event(.chunk(.init(content: "partial", model: "m"))).jsonText + "\n"
    let result = try await Harness.run(
      "tgpt-render", [], stdin: chunk, signal: SIGINT, signalAfter: 0, keepStdinOpen: true)
    #expect(result.status == 130)
    #expect(result.text == "partial\n")
  }

  @Test func theStatsLineStartsOnALineOfItsOwnWhereTheAnswerGoesToo() async throws {
    let events = Self.events("no newline at the end")
    let shared = try await Harness.shell(
      #"printf '%s' "$EVENTS" | tgpt-render --stats 2>&1"#, env: Harness.environment(["EVENTS": events]))
    #expect(shared.text.hasPrefix("no newline at the end\ntgpt-render: m · "), "\(shared.text)")
    // Apart, the answer ends its line, and with --exact stays byte-exact.
    let apart = try await Harness.run("tgpt-render", ["--stats"], stdin: events)
    #expect(apart.text == "no newline at the end\n")
    let exact = try await Harness.run("tgpt-render", ["--stats", "--exact"], stdin: events)
    #expect(exact.text == "no newline at the end")
    #expect(apart.stderr.hasPrefix("tgpt-render: m · "), "\(apart.stderr)")
  }

  @Test func intoAFileEachAnswerEndsItsLineUnlessExact() async throws {
    // Two turns of one stream, and a second run appended: three answers, three lines.
    let twoTurns = Self.events("first answer") + Self.events("second\n") + Self.events("")
    let file = Harness.scratchDirectory().appendingPathComponent("answers.txt").path
    let result = try await Harness.shell(
      #"printf '%s' "$EVENTS" | tgpt-render >> "$FILE" && printf '%s' "$EVENTS" | tgpt-render --exact >> "$FILE""#
        + #" && cat "$FILE""#,
      env: Harness.environment(["EVENTS": twoTurns, "FILE": file]))
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.text == "first answer\nsecond\n" + "first answersecond\n")
  }

  @Test func plainTextIsShownAsTextWhateverTheInputOption() async throws {
    let text = "Just **text**, from tgpt-stream --text"
    for arguments in [[], ["--input", "auto"], ["--input", "text"]] {
      let piped = try await Harness.run("tgpt-render", arguments, stdin: "\n" + text)
      #expect(piped.status == 0 && piped.stderr.isEmpty, "\(arguments): \(piped.stderr)")
      #expect(piped.text == "\n" + text, "into a pipe, text passes through byte for byte")
    }
    let onTerminal = try await Harness.shell(
      "script -qec \"printf '%s' \\\"\\$TEXT\\\" | tgpt-render\" /dev/null",
      env: Harness.environment(["TEXT": text, "TERM": "xterm-256color"]))
    #expect(onTerminal.text.contains("\u{1B}[0;1mtext\u{1B}[0m"), "rendered as Markdown: \(onTerminal.text)")
    let strict = try await Harness.run("tgpt-render", ["--input", "events"], stdin: text + "\n")
    #expect(strict.status == 65)
    #expect(strict.text.isEmpty)
    #expect(
      strict.stderr.contains("line 1: invalid JSON")
        && strict.stderr.contains("this looks like plain text: use --input text"),
      "\(strict.stderr)")
  }

  /// Two tool calls running at once, their output interleaved, one failing; escapes in the
  /// arguments and the output; the answer goes on around them.
  static let toolEvents = #"""
    {"type":"start","model":"m","provider":"echo"}
    {"type":"chunk","content":"Let me check ","finish_reason":null,"model":"m","usage":null,"tools_used":[]}
    {"type":"tool_call","call_id":"c1","name":"get_weather","arguments":{"city":"Paris"}}
    {"type":"tool_call","call_id":"c2","name":"run","arguments":"make test\u001b]52;c;Zm9v\u0007"}
    {"type":"tool_output","call_id":"c2","content":"compiling\n\u001b[2Jtest"}
    {"type":"tool_output","call_id":"c1","content":"{\"temp_c\":18}\n"}
    {"type":"tool_output","call_id":"c2","content":"ing\n"}
    {"type":"tool_result","call_id":"c1","name":"get_weather","content":"{\"temp_c\":18}\n","exit_code":0,"duration_ms":120,"is_error":false}
    {"type":"tool_result","call_id":"c2","name":"run","content":"compiling\n\u001b[2Jtesting\n2 failed\n","exit_code":2,"duration_ms":4321,"is_error":true}
    {"type":"chunk","content":"the **weather**: 18 °C.\n","finish_reason":null,"model":"m","usage":null,"tools_used":[]}
    {"type":"complete","processing_time_ms":1}

    """#

  static let toolAnswer = "Let me check the **weather**: 18 °C.\n"

  @Test func toolActivityOnAPseudoTerminal() async throws {
    let file = Harness.scratchDirectory().appendingPathComponent("events.ndjson")
    try Self.toolEvents.write(to: file, atomically: false, encoding: .utf8)
    // The answer's first words are on the screen (an open line) before the tool events come:
    // the status lines must take that line away and give it back whole.
    let result = try await Harness.shell(
      """
      dir=$(mktemp -d); mkfifo "$dir/in"
      IN="$dir/in" script -qfec 'tgpt-render --tools show <"$IN"' /dev/null >"$dir/screen" </dev/null & runner=$!
      exec 3>"$dir/in"
      head -n 2 "$EVENTS" >&3
      until grep -q "Let me check" "$dir/screen"; do sleep 0.05; done
      tail -n +3 "$EVENTS" >&3
      exec 3>&-
      wait $runner; status=$?
      cat "$dir/screen"; rm -r "$dir"; exit $status
      """,
      env: Harness.environment(["EVENTS": file.path, "TERM": "xterm-256color"]))
    #expect(result.status == 0, "a failed tool is not a failed turn: \(result.stderr)")
    // What stays on the screen: each line as last drawn after a carriage return and erase.
    let screen = result.text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").map {
      $0.components(separatedBy: "\r\u{1B}[K").last ?? ""
    }
    #expect(
      screen == [
        "\u{1B}[2mtgpt-render: ⚙ get_weather {\"city\":\"Paris\"}\u{1B}[0m",
        "\u{1B}[2mtgpt-render: ⚙ run make test\u{1B}[0m",
        "\u{1B}[2m  run│ compiling\u{1B}[0m",
        "\u{1B}[2m  get_weather│ {\"temp_c\":18}\u{1B}[0m",
        "\u{1B}[2m  run│ testing\u{1B}[0m",
        "\u{1B}[2mtgpt-render: ✓ get_weather (120 ms)\u{1B}[0m",
        "\u{1B}[31mtgpt-render: ✗ run failed (exit 2, 4.32 s): 2 failed\u{1B}[0m",
        "Let me check the \u{1B}[0;1mweather\u{1B}[0m: 18 °C.",
      ], "\(result.text.debugDescription)")
  }

  @Test func withNoColorAFailedToolStillSaysSo() async throws {
    let file = Harness.scratchDirectory().appendingPathComponent("events.ndjson")
    try Self.toolEvents.write(to: file, atomically: false, encoding: .utf8)
    let result = try await Harness.shell(
      #"script -qec 'tgpt-render <"$EVENTS"' /dev/null"#,
      env: Harness.environment(["EVENTS": file.path, "TERM": "xterm-256color", "NO_COLOR": "1"]))
    #expect(result.status == 0)
    #expect(!result.text.contains("\u{1B}"), "no escape at all: \(result.text.debugDescription)")
    #expect(result.text.contains("tgpt-render: ✗ run failed (exit 2, 4.32 s): compiling testing 2 failed\r\n"))
    #expect(result.text.contains("tgpt-render: ✓ get_weather (120 ms): {\"temp_c\":18}\r\n"))
  }

  @Test func toolLinesNeverReachAPipedAnswer() async throws {
    let expected: [[String]: String] = [
      ["--tools", "hide"]: "",
      ["--tools", "status"]: """
      tgpt-render: ⚙ get_weather {"city":"Paris"}
      tgpt-render: ⚙ run make test
      tgpt-render: ✓ get_weather (120 ms): {"temp_c":18}
      tgpt-render: ✗ run failed (exit 2, 4.32 s): compiling testing 2 failed

      """,
      ["--tools", "show", "--plain"]: """
      tgpt-render: ⚙ get_weather {"city":"Paris"}
      tgpt-render: ⚙ run make test
        run│ compiling
        get_weather│ {"temp_c":18}
        run│ testing
      tgpt-render: ✓ get_weather (120 ms)
      tgpt-render: ✗ run failed (exit 2, 4.32 s): 2 failed

      """,
    ]
    for (arguments, stderr) in expected {
      let result = try await Harness.run("tgpt-render", arguments, stdin: Self.toolEvents)
      #expect(result.status == 0, "\(arguments)")
      #expect(result.text == Self.toolAnswer, "\(arguments): the answer alone, byte for byte")
      #expect(result.stderr == stderr, "\(arguments): stderr is not a terminal, so no colour")
    }
    // The exit code is still the turn's error's.
    let failed = Self.toolEvents.replacingOccurrences(
      of: #"{"type":"complete","processing_time_ms":1}"#,
      with: #"{"type":"error","error":"slow down","code":"rate_limited","partial":true}"#)
    let result = try await Harness.run("tgpt-render", [], stdin: failed)
    #expect(result.status == 75)
    #expect(result.text == Self.toolAnswer)
  }

  @Test func passthroughCopiesToolEventsUnchanged() async throws {
    let result = try await Harness.run(
      "tgpt-render", ["--passthrough", "--to", "stderr", "--tools", "show"], stdin: Self.toolEvents)
    #expect(result.status == 0)
    #expect(result.text == Self.toolEvents)
    // Rendered where the status lines go: they start lines of their own, the answer's bytes unchanged.
    #expect(
      result.stderr.hasPrefix("Let me check \ntgpt-render: ⚙ get_weather")
        && result.stderr.contains("\n  run│ testing\n") && result.stderr.hasSuffix("\nthe **weather**: 18 °C.\n"),
      "\(result.stderr)")
  }
}

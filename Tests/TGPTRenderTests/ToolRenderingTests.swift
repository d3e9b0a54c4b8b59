import TGPTEvents
import Testing

@testable import TGPTRender

/// Tool activity: status lines per call and result, `--tools show` output, on stderr only.
@Suite struct ToolRenderingTests {
  /// Renders events one at a time, as they would arrive; everything written, in order.
  static func render(_ events: [Event], options: RenderOptions) -> (
    outputs: [EventRenderer.Output], exit: Int32
  ) {
    var renderer = EventRenderer(options: options)
    var outputs: [EventRenderer.Output] = []
    let origin = ContinuousClock.now
    for (index, event) in events.enumerated() {
      renderer.handle(event, at: origin + .milliseconds(100 * (index + 1)))
      outputs += renderer.take()
    }
    renderer.finish()
    outputs += renderer.take()
    return (outputs, renderer.exitCode)
  }

  static func stderr(_ outputs: [EventRenderer.Output]) -> String {
    var bytes: [UInt8] = []
    for case .stderr(let line) in outputs { bytes += line }
    return String(decoding: bytes, as: UTF8.self)
  }

  static func stdout(_ outputs: [EventRenderer.Output]) -> [UInt8] {
    var bytes: [UInt8] = []
    for case .stdout(let piece) in outputs { bytes += piece }
    return bytes
  }

  static func options(tools: RenderOptions.Tools, colour: Bool = false, width: Int = 80) -> RenderOptions {
    var options = RenderOptions(output: .styled(live: false), width: width, stderrStyled: colour)
    options.tools = tools
    return options
  }

  static func call(_ id: String, _ name: String, _ arguments: JSON) -> Event {
    Event(.toolCall(.init(callID: id, name: name, arguments: arguments)))
  }

  static func arguments(_ members: (String, JSON)...) -> JSON { .object(JSONObject(members)) }

  static func output(_ id: String, _ content: String) -> Event {
    Event(.toolOutput(.init(callID: id, content: content)))
  }

  static func result(
    _ id: String, _ name: String, _ content: String, exit: Int? = nil, ms: Int? = nil, error: Bool = false
  ) -> Event {
    Event(.toolResult(.init(callID: id, name: name, content: content, exitCode: exit, durationMs: ms, isError: error)))
  }

  static let answer = [
    Event(.chunk(.init(content: "Let me check "))), Event(.chunk(.init(content: "the weather.\n"))),
    Event(.complete(.init(processingTimeMs: 1))),
  ]

  @Test(arguments: [RenderOptions.Tools.status, .show])
  func theFixtureAsGolden(_ tools: RenderOptions.Tools) throws {
    // Parallel calls with interleaved output, one of a name twice, a failure, an MCP-like result.
    let input = try RenderHarness.fixture("tools.ndjson")
    var options = RenderHarness.options(live: false)
    options.stderrStyled = true
    options.tools = tools
    let (stdout, stderr, exit) = try RenderHarness.renderEvents(input, options: options)
    let text = "--- stdout ---\n" + RenderHarness.readable(stdout) + "--- stderr ---\n" + RenderHarness.readable(stderr)
    try RenderHarness.checkGolden("tools-\(tools.rawValue)", text)
    #expect(exit == 0, "a failed tool is not a failed turn")
  }

  @Test func aCallAndItsResult() {
    let events = [
      Self.call("c1", "get_weather", Self.arguments(("city", .string("Paris")))),
      Self.result("c1", "get_weather", "{\"temp_c\":18}\n", exit: 0, ms: 1234),
    ]
    let (outputs, exit) = Self.render(events + Self.answer, options: Self.options(tools: .status, colour: true))
    #expect(
      Self.stderr(outputs) == """
        \u{1B}[2mtgpt-render: ⚙ get_weather {"city":"Paris"}\u{1B}[0m
        \u{1B}[2mtgpt-render: ✓ get_weather (1.23 s): {"temp_c":18}\u{1B}[0m

        """)
    #expect(String(decoding: Self.stdout(outputs), as: UTF8.self) == "Let me check the weather.\n")
    #expect(exit == 0)
  }

  @Test func anErrorResultIsRedAndSaysFailed() {
    let events = [
      Self.call("c1", "run", .string("ls /nope")),
      Self.result("c1", "run", "ls: /nope: No such file\n", exit: 2, ms: 40, error: true),
      Self.call("c2", "time", Self.arguments()), Self.result("c2", "time", "denied by the user", error: true),
    ]
    let (outputs, exit) = Self.render(events, options: Self.options(tools: .status, colour: true))
    #expect(
      Self.stderr(outputs) == """
        \u{1B}[2mtgpt-render: ⚙ run ls /nope\u{1B}[0m
        \u{1B}[31mtgpt-render: ✗ run failed (exit 2, 40 ms): ls: /nope: No such file\u{1B}[0m
        \u{1B}[2mtgpt-render: ⚙ time {}\u{1B}[0m
        \u{1B}[31mtgpt-render: ✗ time failed: denied by the user\u{1B}[0m

        """)
    #expect(exit == 0)
  }

  @Test func withoutColourTheWordsSayItAll() {
    // NO_COLOR (or stderr not a terminal): the same lines, no escape; "failed" marks the error.
    let events = [
      Self.call("c1", "run", .string("make")), Self.output("c1", "cc -c a.c\n"),
      Self.result("c1", "run", "cc -c a.c\nerror: a.c:1\n", exit: 2, ms: 900, error: true),
    ]
    for tools in [RenderOptions.Tools.status, .show] {
      var options = Self.options(tools: tools)
      options.output = .plain(terminal: true)
      let (outputs, _) = Self.render(events, options: options)
      let expected =
        tools == .show
        ? "tgpt-render: ⚙ run make\n  run│ cc -c a.c\ntgpt-render: ✗ run failed (exit 2, 900 ms): error: a.c:1\n"
        : "tgpt-render: ⚙ run make\ntgpt-render: ✗ run failed (exit 2, 900 ms): cc -c a.c error: a.c:1\n"
      #expect(Self.stderr(outputs) == expected, "\(tools)")
      #expect(!Self.stderr(outputs).utf8.contains(0x1B))
    }
  }

  @Test func longArgumentsAndOutputFitTheWidth() {
    let arguments = Self.arguments(
      ("city", .string("東京都千代田区丸の内一丁目")), ("note", .string(String(repeating: "x", count: 200))))
    let long = String(repeating: "0123456789", count: 9)
    let events = [
      Self.call("c1", "lookup", arguments), Self.output("c1", long + "\n"),
      Self.result("c1", "lookup", long + "\n" + long, ms: 5),
    ]
    let (outputs, _) = Self.render(events, options: Self.options(tools: .show, width: 40))
    let lines = Self.stderr(outputs).split(separator: "\n").map(String.init)
    #expect(
      lines == [
        "tgpt-render: ⚙ lookup {\"city\":\"東京都千…",
        "  lookup│ 012345678901234567890123456789",
        "  lookup│ 012345678901234567890123456789",
        "  lookup│ 012345678901234567890123456789",
        "tgpt-render: ✓ lookup (5 ms): 012345678…",
      ])
    for line in lines { #expect(DisplayWidth.of(line) <= 40, "\(line)") }
  }

  @Test func controlCharactersInNamesArgumentsAndOutputAreNeutralised() {
    let hostile = "a\u{1B}[2J\u{1B}]52;c;Zm9v\u{07}b\u{202E}c\rd\ne\u{9B}31mf\u{08}g"
    let events = [
      Self.call("c1", "ev\u{1B}[31mil", .string(hostile)),
      Self.output("c1", "step 1\rstep 2\r\u{1B}]8;;http://x\u{1B}\\link\u{1B}]8;;\u{1B}\\\tend\r\n"),
      Self.output("c1", "\u{1B}[1mbold"), Self.output("c1", "\u{1B}[0m\n"),
      Self.result("c1", "ev\u{1B}[31mil", hostile, error: true),
    ]
    for tools in [RenderOptions.Tools.status, .show] {
      let (outputs, _) = Self.render(events, options: Self.options(tools: tools))
      let expected =
        tools == .show
        ? "tgpt-render: ⚙ evil abc d efg\n  evil│ link    end\n  evil│ bold\ntgpt-render: ✗ evil failed: abc d efg\n"
        : "tgpt-render: ⚙ evil abc d efg\ntgpt-render: ✗ evil failed: abc d efg\n"
      #expect(Self.stderr(outputs) == expected, "\(tools)")
    }
  }

  @Test func theOpenLineOfTheAnswerSurvivesTheStatusLines() {
    // A live terminal: the half-written line is taken away for the status lines and comes back
    // whole under them, then goes on.
    let events = [
      Event(.chunk(.init(content: "Let me **check"))), Self.call("c1", "look", Self.arguments()),
      Self.output("c1", "out"), Event(.chunk(.init(content: "** the"))),
      Self.result("c1", "look", "out", ms: 3), Event(.chunk(.init(content: " weather.\n\nDone."))),
      Event(.complete(.init(processingTimeMs: 1))),
    ]
    var options = Self.options(tools: .show)
    options.output = .styled(live: true)
    let (outputs, _) = Self.render(events, options: options)
    var terminal = VirtualTerminal()
    for output in outputs {
      switch output {
      case .stdout(let bytes), .stderr(let bytes): terminal.feed(bytes)
      }
    }
    #expect(terminal.unexpected.isEmpty)
    #expect(
      terminal.screen == [
        "tgpt-render: ⚙ look {}", "  look│ out", "tgpt-render: ✓ look (3 ms)",
        "Let me ⟨0;1|⟩check⟨|⟩ the weather.", "", "Done.",
      ])
  }

  @Test func hideShowsNothingAndStatusNoOutput() {
    let events = [
      Self.call("c1", "look", Self.arguments()), Self.output("c1", "noisy output\n"), Self.result("c1", "look", "x"),
    ]
    #expect(Self.render(events, options: Self.options(tools: .hide)).outputs.isEmpty)
    #expect(
      Self.stderr(Self.render(events, options: Self.options(tools: .status)).outputs)
        == "tgpt-render: ⚙ look {}\ntgpt-render: ✓ look: x\n")
  }

  @Test func anyCutOfTheOutputGivesTheSameLines() {
    let text = "one\ntwo 日本\r\nthree\u{1B}[1m\n\nfour"
    let scalars = Array(text.unicodeScalars)
    func lines(_ pieces: [String]) -> String {
      let events =
        [Self.call("c1", "t", Self.arguments())] + pieces.map { Self.output("c1", $0) }
        + [Self.result("c1", "t", text)]
      return Self.stderr(Self.render(events, options: Self.options(tools: .show)).outputs)
    }
    let whole = lines([text])
    #expect(whole == "tgpt-render: ⚙ t {}\n  t│ one\n  t│ two 日本\n  t│ three\n  t│\n  t│ four\ntgpt-render: ✓ t\n")
    for first in 0...scalars.count {
      for second in first...scalars.count {
        let pieces = [scalars[..<first], scalars[first..<second], scalars[second...]].map {
          String(String.UnicodeScalarView($0))
        }
        #expect(lines(pieces) == whole, "cut at \(first), \(second)")
      }
    }
  }

  @Test func intoAPipeTheOutputIsExactlyTheAnswer() throws {
    let input = try RenderHarness.fixture("tools.ndjson")
    var options = RenderOptions(output: .plain(terminal: false))
    options.tools = .show
    var renderer = EventRenderer(options: options)
    var stdout: [UInt8] = []
    var stderr = ""
    for line in input.split(separator: "\n") {
      // The fast path tgpt-render reads with.
      try Array(line.utf8).withUnsafeBytes { try renderer.handleLine($0, at: .now) }
      for output in renderer.take() {
        switch output {
        case .stdout(let bytes): stdout += bytes
        case .stderr(let bytes): stderr += String(decoding: bytes, as: UTF8.self)
        }
      }
    }
    #expect(String(decoding: stdout, as: UTF8.self) == "Let me check the weather: **18 °C** in Paris.\n")
    #expect(stderr.contains("  run_tests│ 2 of 40 tests failed\n"))
  }

  @Test func outputLinesLeftOpenAreShownAtTheEndOfTheTurn() {
    let events = [
      Self.call("c1", "a", Self.arguments()), Self.call("c2", "b", Self.arguments()), Self.output("c2", "b's last"),
      Self.output("c1", "a's last"), Event(.error(.init(message: "cut off", code: .unavailable))),
    ]
    let (outputs, exit) = Self.render(events, options: Self.options(tools: .show))
    #expect(
      Self.stderr(outputs)
        == "tgpt-render: ⚙ a {}\ntgpt-render: ⚙ b {}\n  a│ a's last\n  b│ b's last\ntgpt-render: error: cut off\n")
    #expect(exit == 69, "the turn's error sets the exit code")
  }

  @Test func aLineThatNeverEndsIsShownOnceItIsLong() {
    var activity = ToolActivity()
    _ = activity.begin(callID: "c", name: "t")
    let piece = String(repeating: "y", count: 1000)
    var shown: [String] = []
    for _ in 0..<40 { shown += activity.output(callID: "c", content: piece).lines }
    // 17 pieces reach the limit of 16 384 bytes.
    #expect(shown.count == 2 && shown.allSatisfy { $0.utf8.count == 17_000 }, "\(shown.map(\.utf8.count))")
  }
}

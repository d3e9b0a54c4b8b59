import TGPTEvents
import Testing

@testable import TGPTRender

/// Terminal output at width 80, compared with files under Golden/ (RECORD_GOLDEN=1 rewrites).
@Suite struct GoldenTests {
  @Test(arguments: ["elements", "long-answer", "cjk-table", "wide-table", "emoji-list", "escapes"])
  func markdown(_ name: String) throws {
    let input = try RenderHarness.fixture("\(name).md")
    let output = RenderHarness.render([input], options: RenderHarness.options(live: false))
    try RenderHarness.checkGolden(name, RenderHarness.readable(output))
  }

  @Test func eventsWithReasoningToolsRetryAndAnError() throws {
    let input = try RenderHarness.fixture("events.ndjson")
    var options = RenderHarness.options(live: false)
    options.stats = true
    let (stdout, stderr, exit) = try RenderHarness.renderEvents(input, options: options)
    let text = "--- stdout ---\n" + RenderHarness.readable(stdout) + "--- stderr ---\n" + RenderHarness.readable(stderr)
    try RenderHarness.checkGolden("events", text)
    #expect(exit == 69)
  }

  @Test func statsFooterAfterAComplete() throws {
    let input = """
      {"type":"start","model":"m1","provider":"echo"}
      {"type":"chunk","content":"Hi","finish_reason":null,"model":"m1","usage":null,"tools_used":[]}
      {"type":"complete","processing_time_ms":500,"finish_reason":"stop","usage":{"prompt_tokens":3,"completion_tokens":10,"total_tokens":13,"cost":0.0001},"model":"m1"}
      """
    var options = RenderHarness.options(live: false)
    options.stats = true
    let (_, stderr, exit) = try RenderHarness.renderEvents(input, options: options)
    #expect(exit == 0)
    #expect(
      String(decoding: stderr, as: UTF8.self)
        == "tgpt-render: m1 · 10 tokens · 3 in · first token 250 ms · total 500 ms · 40 tokens/s · $0.0001\n")
  }

  @Test(arguments: [
    ("Hi", true, "\ntgpt-render: m1"), ("Hi", false, "tgpt-render: m1"), ("Hi\n", true, "tgpt-render: m1"),
  ])
  func aStatsLineWhereTheAnswerGoesTooStartsOnALineOfItsOwn(answer: String, shared: Bool, start: String) throws {
    // --exact: the answer's bytes alone, so the break is on the message's side.
    var options = RenderOptions(output: .plain(terminal: false), stats: true)
    options.messagesShareOutput = shared
    options.exact = true
    let (out, err) = try Self.renderTurn(answer, options: options)
    #expect(out == Array(answer.utf8), "the answer stays exact")
    #expect(String(decoding: err, as: UTF8.self).hasPrefix(start))
  }

  @Test(arguments: [("Hi", true), ("Hi", false), ("Hi\n", true), ("", false)])
  func eachAnswerEndsItsLineSoTheStatsLineNeedsNoBreak(answer: String, shared: Bool) throws {
    var options = RenderOptions(output: .plain(terminal: false), stats: true)
    options.messagesShareOutput = shared
    let (out, err) = try Self.renderTurn(answer, options: options)
    #expect(out == Array((answer.isEmpty || answer.hasSuffix("\n") ? answer : answer + "\n").utf8))
    #expect(String(decoding: err, as: UTF8.self).hasPrefix("tgpt-render: m1"))
  }

  /// One turn with `answer` as its text, through the plain fast path: stdout and stderr.
  static func renderTurn(_ answer: String, options: RenderOptions) throws -> ([UInt8], [UInt8]) {
    var renderer = EventRenderer(options: options)
    var (out, err) = ([UInt8](), [UInt8]())
    let lines = [
      Event(.start(.init(model: "m1", provider: "echo"))), Event(.chunk(.init(content: answer, model: "m1"))),
      Event(.complete(.init(processingTimeMs: 5))),
    ]
    for line in lines.map(\.jsonText) {
      // The plain fast path, as tgpt-render reads its input.
      let bytes = Array(line.utf8)
      try bytes.withUnsafeBytes { try renderer.handleLine($0, at: .now) }
      for output in renderer.take() {
        switch output {
        case .stdout(let bytes): out += bytes
        case .stderr(let bytes): err += bytes
        }
      }
    }
    return (out, err)
  }

  @Test func plainModeIsExactlyTheAnswer() throws {
    for name in ["elements", "long-answer", "cjk-table", "emoji-list", "escapes"] {
      let input = try RenderHarness.fixture("\(name).md")
      let output = RenderHarness.render([input], options: RenderOptions(output: .plain(terminal: false)))
      #expect(output == Array(input.utf8), "\(name)")
    }
  }

  @Test func plainModeOnATerminalStillNeutralisesEscapes() throws {
    let input = try RenderHarness.fixture("escapes.md")
    let output = RenderHarness.render([input], options: RenderOptions(output: .plain(terminal: true)))
    #expect(!output.contains(0x1B))
    #expect(String(decoding: output, as: UTF8.self).hasPrefix("Safe text red? back to normal.\n"))
  }

  @Test func noWidthIsExceededOutsideCode() throws {
    for name in ["elements", "cjk-table", "wide-table", "emoji-list"] {
      let input = try RenderHarness.fixture("\(name).md")
      for width in [20, 40, 80] {
        let output = RenderHarness.render([input], options: RenderHarness.options(live: false, width: width))
        var terminal = VirtualTerminal()
        terminal.feed(output)
        var inCode = false
        for line in terminal.lines {
          let text = String(line.map(\.character))
          if text.hasPrefix("```") || text.hasPrefix("~~~") {
            inCode.toggle()
            continue
          }
          // Code lines are never wrapped (copied code must stay exact); everything else fits.
          if !inCode { #expect(DisplayWidth.of(text) <= width, "\(name) at \(width): \(text)") }
        }
      }
    }
  }
}

import Foundation
import TGPTEvents
import Testing

/// The fake provider's own command line: `--help` once started a server instead.
@Suite(.timeLimit(.minutes(10))) struct FakeProviderTests {
  @Test func helpPrintsTheUsageAndExits() async throws {
    for flag in ["--help", "-h"] {
      let result = try await Harness.run("tgpt-fake-provider", [flag])
      #expect(result.status == 0)
      #expect(result.text.hasPrefix("usage: tgpt-fake-provider [--port N]\n"))
      #expect(result.text.contains("/[SCENARIO/]v1/chat/completions"))
      #expect(result.text.contains("call=NAME:ARGS") && result.text.contains("rounds=N"))
      #expect(!result.text.contains("http://127.0.0.1:"), "no server was started")
    }
    let wrong = try await Harness.run("tgpt-fake-provider", ["--prot", "80"])
    #expect(wrong.status == 64)
    #expect(wrong.stderr == "tgpt-fake-provider: error: unknown argument '--prot' (see tgpt-fake-provider --help)\n")
  }
}

/// The fake as a model that uses tools (`call=`, `rounds=`), seen through `tgpt-stream` and on
/// the wire.
@Suite(.timeLimit(.minutes(10))) struct FakeToolCallTests {
  static var fake: FakeProviderServer {
    get async throws { try await FakeProviderServer.shared }
  }

  /// Arguments with escapes, a backslash, accents, CJK, an emoji and a modifier sequence, so
  /// 3-byte pieces cut inside characters and between `\` and `"`.
  static let weatherArguments = #"{"city":"Zürich","note":"say \"hi\" \\ ok"}"#
  static let searchArguments = #"{"q":"日本語 😀👍🏽","n":[1,2]}"#

  static func encoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
  }

  /// Two parallel calls with text before them.
  static func twoCalls(key: String) -> String {
    "call=get_weather:\(encoded(weatherArguments));call=search:\(encoded(searchArguments));text=Checking.;key=\(key)"
  }

  static func key() -> String { "t\(UInt32.random(in: 0...UInt32.max))" }

  static func stream(_ provider: String, _ scenario: String, _ arguments: [String], stdin: String? = nil) async throws
    -> Harness.Result
  {
    try await Harness.run(
      "tgpt-stream", ["--provider", provider, "--base-url", fake.url(scenario)] + arguments, stdin: stdin,
      env: Harness.environment(["OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k"]))
  }

  static func toolCalls(_ result: Harness.Result) -> [Event.ToolCall] {
    result.events.compactMap { if case .toolCall(let c) = $0.payload { c } else { nil } }
  }

  static func finishReason(_ result: Harness.Result) -> String? {
    if case .complete(let complete)? = result.events.last?.payload { complete.finishReason } else { nil }
  }

  @Test(arguments: [("openai", "call"), ("anthropic", "toolu")])
  func twoParallelCallsArriveWithExactNamesAndArguments(provider: String, prefix: String) async throws {
    let result = try await Self.stream(provider, Self.twoCalls(key: Self.key()), ["Weather and search?"])
    #expect(result.status == 0, "\(result.stderr)")
    Harness.expectInvariants(result, answer: "Checking.")
    let calls = Self.toolCalls(result)
    #expect(
      calls == [
        Event.ToolCall(callID: "\(prefix)_1", name: "get_weather", arguments: try JSON.parse(Self.weatherArguments)),
        Event.ToolCall(callID: "\(prefix)_2", name: "search", arguments: try JSON.parse(Self.searchArguments)),
      ])
    #expect(calls.map(\.arguments.compactText) == [Self.weatherArguments, Self.searchArguments])
    #expect(Self.finishReason(result) == (provider == "openai" ? "tool_calls" : "tool_use"))
  }

  /// What the previous test's calls got back: one result, one failed.
  static let replay = #"""
    {"messages":[{"role":"user","content":"Weather and search?"},
    {"role":"assistant","content":"Checking.","tool_calls":[
    {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Zürich\"}"}},
    {"id":"call_2","type":"function","function":{"name":"search","arguments":"{\"q\":\"x\"}"}}]},
    {"role":"tool","tool_call_id":"call_1","content":"18°C, sunny"},
    {"role":"tool","tool_call_id":"call_2","content":"search is down","is_error":true}]}
    """#

  @Test func afterToolResultsOpenAIGetsAReportOfEveryResult() async throws {
    let key = Self.key()
    let result = try await Self.stream("openai", Self.twoCalls(key: key), ["--request"], stdin: Self.replay)
    #expect(result.status == 0, "\(result.stderr)")
    Harness.expectInvariants(result, answer: "get_weather(call_1) -> 18°C, sunny\nsearch(call_2) -> search is down")
    #expect(Self.toolCalls(result).isEmpty)
    #expect(Self.finishReason(result) == "stop")
    let messages = try #require(try await Self.fake.requests(key: key).first?["body"]?["messages"]?.arrayValue)
    #expect(messages.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "tool", "tool"])
    #expect(messages.allSatisfy { $0["is_error"] == nil }, "OpenAI is not sent our error mark")
  }

  @Test func afterToolResultsAnthropicGetsAReportWithTheErrorMark() async throws {
    let key = Self.key()
    let result = try await Self.stream("anthropic", Self.twoCalls(key: key), ["--request"], stdin: Self.replay)
    #expect(result.status == 0, "\(result.stderr)")
    Harness.expectInvariants(
      result, answer: "get_weather(call_1) -> 18°C, sunny\nsearch(call_2) -> search is down [error]")
    #expect(Self.finishReason(result) == "end_turn")
    let messages = try #require(try await Self.fake.requests(key: key).first?["body"]?["messages"]?.arrayValue)
    #expect(
      messages.last?.compactText
        == #"{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"18°C, sunny"},{"type":"tool_result","tool_use_id":"call_2","content":"search is down","is_error":true}]}"#
    )
  }

  @Test func roundsKeepsCallingUntilThatManyRoundsCameBack() async throws {
    let scenario = "call=lookup:\(Self.encoded(#"{"n":1}"#));rounds=2"
    let call = #"{"id":"ID","type":"function","function":{"name":"lookup","arguments":"{}"}}"#
    func round(_ id: String, _ content: String) -> String {
      #"{"role":"assistant","content":"","tool_calls":[\#(call.replacingOccurrences(of: "ID", with: id))]},"#
        + #"{"role":"tool","tool_call_id":"\#(id)","content":"\#(content)"}"#
    }
    let first = #"{"messages":[{"role":"user","content":"go"},\#(round("call_1", "one"))]}"#
    let again = try await Self.stream("openai", scenario, ["--request"], stdin: first)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(Self.toolCalls(again) == [Event.ToolCall(callID: "call_2", name: "lookup", arguments: ["n": 1])])
    let second = #"{"messages":[{"role":"user","content":"go"},\#(round("call_1", "one")),\#(round("call_2", "two"))]}"#
    let report = try await Self.stream("openai", scenario, ["--request"], stdin: second)
    Harness.expectInvariants(report, answer: "lookup(call_2) -> two")
    // A new user message starts a new turn: the rounds of the last one no longer count.
    let next =
      #"{"messages":[{"role":"user","content":"go"},\#(round("call_1", "one")),\#(round("call_2", "two")),"#
      + #"{"role":"assistant","content":"done"},{"role":"user","content":"again"}]}"#
    let fresh = try await Self.stream("openai", scenario, ["--request"], stdin: next)
    #expect(Self.toolCalls(fresh).map(\.callID) == ["call_1"])
  }

  /// On the wire: each call's first fragment (id, name, empty arguments), then 3-byte pieces
  /// taking turns by index, some of them cutting a character.
  @Test func openAIPiecesAreThreeBytesAndInterleaved() async throws {
    let url = try await Self.fake.url(Self.twoCalls(key: Self.key())) + "/chat/completions"
    let result = try await Harness.shell(
      #"curl -sN -X POST -H 'Content-Type: application/json' -d '{"messages":[{"role":"user","content":"x"}]}' '\#(url)'"#
    )
    let lines = Self.dataLines(Array(result.stdout))
    var heads: [(Int, String, String)] = []
    var pieces: [(index: Int, bytes: [UInt8])] = []
    for line in lines {
      guard let fragment = try Self.toolFragment(line) else { continue }
      if let id = fragment.id {
        #expect(fragment.arguments.isEmpty, "the first fragment has empty arguments")
        heads.append((fragment.index, id, fragment.name ?? ""))
      } else {
        #expect(fragment.name == nil, "id and name come only first")
        pieces.append((fragment.index, fragment.arguments))
      }
    }
    #expect(heads.map(\.0) == [0, 1] && heads.map(\.1) == ["call_1", "call_2"])
    #expect(heads.map(\.2) == ["get_weather", "search"])
    let weather = Array(Self.weatherArguments.utf8)
    let search = Array(Self.searchArguments.utf8)
    #expect(pieces.filter { $0.index == 0 }.flatMap(\.bytes) == weather)
    #expect(pieces.filter { $0.index == 1 }.flatMap(\.bytes) == search)
    let rounds = max(weather.count, search.count) / 3 + 1
    let expectedOrder = (0..<rounds).flatMap { round in
      [0, 1].filter { round * 3 < [weather.count, search.count][$0] }
    }
    #expect(pieces.map(\.index) == expectedOrder, "the calls' pieces take turns")
    for index in [0, 1] {
      let sizes = pieces.filter { $0.index == index }.map(\.bytes.count)
      #expect(sizes.dropLast().allSatisfy { $0 == 3 } && (1...3).contains(sizes.last ?? 0))
    }
    #expect(pieces.contains { String(validating: $0.bytes, as: UTF8.self) == nil }, "some piece cuts a character")
    #expect(lines.contains { String(decoding: $0, as: UTF8.self).contains(#""finish_reason":"tool_calls""#) })
  }

  @Test func anthropicSendsOneToolUseBlockPerCallInThreeBytePieces() async throws {
    let url = try await Self.fake.url(Self.twoCalls(key: Self.key())) + "/messages"
    let result = try await Harness.shell(
      #"curl -sN -X POST -H 'Content-Type: application/json' -d '{"messages":[{"role":"user","content":"x"}]}' '\#(url)'"#
    )
    let text = String(decoding: result.stdout, as: UTF8.self)
    let deltas = text.components(separatedBy: #""type":"input_json_delta""#).count - 1
    let expected = [Self.weatherArguments, Self.searchArguments].map { ($0.utf8.count + 2) / 3 }.reduce(0, +)
    #expect(deltas == expected)
    #expect(text.contains(#""content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}"#))
    #expect(text.contains(#""content_block":{"type":"tool_use","id":"toolu_2","name":"search","input":{}}"#))
    #expect(text.contains(#""stop_reason":"tool_use""#))
  }

  @Test func malformedToolOptionsAreRejected() async throws {
    for scenario in ["call=noargs", "call=:{}", "rounds=0;call=f:{}"] {
      let url = try await Self.fake.url(scenario) + "/chat/completions"
      let result = try await Harness.shell(
        #"curl -gs -o /dev/null -w '%{http_code}' -X POST -d '{"messages":[{"role":"user","content":"x"}]}' '\#(url)'"#)
      #expect(result.text == "400", "\(scenario)")
    }
  }

  // MARK: - Reading the raw stream

  /// The `data:` payloads of an SSE body, as bytes (a piece may cut a character).
  static func dataLines(_ body: [UInt8]) -> [[UInt8]] {
    body.split(separator: 0x0A).compactMap { line in
      let prefix = Array("data: ".utf8)
      return line.starts(with: prefix) ? Array(line.dropFirst(prefix.count)) : nil
    }
  }

  struct Fragment {
    var index = 0
    var id: String?
    var name: String?
    var arguments: [UInt8] = []
  }

  /// The first tool-call fragment of a chunk, its arguments as raw bytes.
  static func toolFragment(_ line: [UInt8]) throws -> Fragment? {
    guard line != Array("[DONE]".utf8) else { return nil }
    return try line.withUnsafeBytes { raw in
      var scanner = JSONScanner(raw)
      // choices[0].delta.tool_calls[0]
      guard try member(&scanner, "choices"), try firstElement(&scanner), try member(&scanner, "delta"),
        try member(&scanner, "tool_calls"), try firstElement(&scanner)
      else { return nil }
      var fragment = Fragment()
      try scanner.beginObject()
      while let key = try scanner.nextKey() {
        if key.equals("index") {
          fragment.index = try scanner.readValue().intValue ?? -1
        } else if key.equals("id") {
          fragment.id = try scanner.readString()
        } else if key.equals("function") {
          try scanner.beginObject()
          while let inner = try scanner.nextKey() {
            if inner.equals("name") {
              fragment.name = try scanner.readString()
            } else if inner.equals("arguments") {
              try scanner.appendString(to: &fragment.arguments)
            } else {
              try scanner.skipValue()
            }
          }
        } else {
          try scanner.skipValue()
        }
      }
      return fragment
    }
  }

  /// Moves to the value of the object's member `name`; false when there is none.
  static func member(_ scanner: inout JSONScanner, _ name: StaticString) throws -> Bool {
    guard try scanner.peekKind() == .object else { return false }
    try scanner.beginObject()
    while let key = try scanner.nextKey() {
      if key.equals(name) { return true }
      try scanner.skipValue()
    }
    return false
  }

  /// Moves to the array's first element; false when it is empty.
  static func firstElement(_ scanner: inout JSONScanner) throws -> Bool {
    guard try scanner.peekKind() == .array else { return false }
    try scanner.beginArray()
    return try scanner.nextElement()
  }
}

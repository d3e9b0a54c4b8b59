import Foundation
import TGPTEvents
import Testing

/// Issue 14's "Done when" for tgpt-session: the fake provider plays a model that calls tools
/// (`call=NAME:ARGS`, arguments streamed in 3-byte fragments, parallel calls interleaved, and
/// the Anthropic format); real executables and a real MCP server run the calls.
@Suite(.timeLimit(.minutes(10))) struct SessionToolsTests {
  /// A scratch home with tool files in `tools/` (its path is `dir`).
  struct Bench {
    let env: [String: String]
    let dir: URL
    let key = StreamEndToEndTests.key()

    init() throws {
      let home = Harness.scratchDirectory()
      // A loaded machine can take longer than the 30 s default to start Python.
      env = Harness.environment(
        ["OPENROUTER_API_KEY": "test-key", "ANTHROPIC_API_KEY": "test-key", "TGPT_MCP_START_TIMEOUT": "600"], home: home
      )
      dir = home.appendingPathComponent("tools")
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      // The arguments back, exactly as the tool read them.
      try tool("echo", ["cat"])
      try tool("fails", ["sh", "-c", "echo half; echo 'disk on fire' >&2; exit 3"])
      try tool("sleeps", ["sleep", "30"], timeout: 1)
      try tool("floods", ["sh", "-c", "head -c 10000000 /dev/zero | tr '\\\\0' x"])
    }

    func tool(_ name: String, _ command: [String], timeout: Int? = nil) throws {
      var object: JSON = [
        "name": .string(name), "description": "a test tool",
        "parameters": ["type": "object"], "command": .array(command.map { .string($0) }),
      ]
      if let timeout, case .object(var fields) = object {
        fields["timeout_s"] = .int(timeout)
        object = .object(fields)
      }
      try object.compactText.write(to: dir.appendingPathComponent(name + ".json"), atomically: true, encoding: .utf8)
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name + ".json").path }

    /// The fake's base URL for calls `(name, arguments)`.
    func url(_ calls: [(String, String)], extra: String = "") async throws -> String {
      let options = calls.map { "call=\($0.0):\(Self.percentEncoded($0.1))" }.joined(separator: ";")
      return try await FakeProviderServer.shared.url("key=\(key);\(options)\(extra)")
    }

    static func percentEncoded(_ text: String) -> String {
      text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    func session(_ arguments: [String], stdin: String? = nil) async throws -> Harness.Result {
      try await Harness.run("tgpt-session", arguments, stdin: stdin, env: env)
    }

    func requests() async throws -> [JSON] {
      try await FakeProviderServer.shared.requests(key: key).map { $0["body"] ?? .null }
    }
  }

  static func results(_ result: Harness.Result) -> [Event.ToolResult] {
    result.events.compactMap { if case .toolResult(let r) = $0.payload { r } else { nil } }
  }

  static func calls(_ result: Harness.Result) -> [Event.ToolCall] {
    result.events.compactMap { if case .toolCall(let c) = $0.payload { c } else { nil } }
  }

  @Test func twoParallelCallsRunTheirResultsGoBackAndTheNextTurnReplaysThem() async throws {
    let bench = try Bench()
    let url = try await bench.url([("echo", #"{"city":"Zürich","n":1}"#), ("echo", #"{"city":"Tōkyō \"east\""}"#)])
    let first = try await bench.session(["--base-url", url, "-s", "t", "--tool", bench.path("echo"), "weather?"])
    #expect(first.status == 0, "\(first.stderr)")
    Harness.expectInvariants(first)
    let calls = Self.calls(first)
    #expect(calls.map(\.arguments) == [["city": "Zürich", "n": 1], ["city": #"Tōkyō "east""#]])
    let results = Self.results(first)
    // The tool read the arguments as one line of compact JSON, and `cat` gave it back.
    #expect(Set(results.map(\.content)) == [#"{"city":"Zürich","n":1}"# + "\n", #"{"city":"Tōkyō \"east\""}"# + "\n"])
    #expect(results.allSatisfy { $0.exitCode == 0 && !$0.isError })
    #expect(
      first.answer.contains(#"echo(call_1) -> {"city":"Zürich","n":1}"#), "the results went back: \(first.answer)")
    #expect(first.events.filter { $0.type == "start" }.count == 1)

    let second = try await bench.session(["--base-url", url, "-s", "t", "--tool", bench.path("echo"), "thanks"])
    #expect(second.status == 0, "\(second.stderr)")
    let requests = try await bench.requests()
    #expect(requests.count == 4, "two rounds per turn")
    let replayed = try #require(requests[2]["messages"]?.arrayValue, "the second turn's first request")
    #expect(
      replayed.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "tool", "tool", "assistant", "user"])
    let assistant = replayed[1]
    #expect(assistant["tool_calls"]?.arrayValue?.map { $0["id"]?.stringValue ?? "" } == ["call_1", "call_2"])
    #expect(replayed[2]["tool_call_id"]?.stringValue == "call_1")
    #expect(requests.first?["tools"]?.arrayValue?.first?["function"]?["name"]?.stringValue == "echo")

    let shown = try await bench.session(["show", "t"])
    #expect(shown.text.contains("── tool") && shown.text.contains("⚙ echo("), "\(shown.text)")

    // Export and import keep the exchange.
    let exported = try await bench.session(["export", "t"])
    #expect(exported.status == 0)
    let imported = try await bench.session(["import", "--as", "t2"], stdin: exported.text)
    #expect(imported.status == 0, "\(imported.stderr)")
    let again = try await bench.session(["export", "t2"])
    let roles = try again.text.split(separator: "\n").compactMap { try JSON.parse(String($0))["role"]?.stringValue }
    #expect(roles.filter { $0 == "tool" }.count == 4, "\(roles)")
    #expect(again.text.contains(#""tool_calls":{"call_id":"call_1","name":"echo","exit_code":0"#), "\(again.text)")
  }

  @Test func theAnthropicFormatRoundTripsToo() async throws {
    let bench = try Bench()
    let url = try await bench.url([("echo", #"{"q":"ünï"}"#), ("fails", "{}")])
    let provider = ["--provider", "anthropic", "--base-url", url]
    let first = try await bench.session(
      provider + ["-s", "a", "--tool", bench.path("echo"), "--tool", bench.path("fails"), "go"])
    #expect(first.status == 0, "\(first.stderr)")
    Harness.expectInvariants(first)
    #expect(first.answer.contains(#"echo(toolu_1) -> {"q":"ünï"}"#), "\(first.answer)")
    #expect(first.answer.contains("fails(toolu_2) -> ") && first.answer.contains("[error]"), "\(first.answer)")
    _ = try await bench.session(provider + ["-s", "a", "--tool", bench.path("echo"), "again"])
    let requests = try await bench.requests()
    #expect(requests.count == 4)
    let last = try #require(requests[2]["messages"]?.arrayValue, "the second turn's first request")
    #expect(last.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "user", "assistant", "user"])
    let uses = last[1]["content"]?.arrayValue?.filter { $0["type"]?.stringValue == "tool_use" } ?? []
    #expect(uses.map { $0["id"]?.stringValue ?? "" } == ["toolu_1", "toolu_2"])
    #expect(uses.first?["input"] == ["q": "ünï"])
    let answers = last[2]["content"]?.arrayValue?.filter { $0["type"]?.stringValue == "tool_result" } ?? []
    #expect(answers.map { $0["tool_use_id"]?.stringValue ?? "" } == ["toolu_1", "toolu_2"])
    #expect(answers.last?["is_error"]?.boolValue == true)
  }

  @Test func failingToolsGiveTheModelAnErrorAndTheTurnCompletes() async throws {
    let bench = try Bench()
    let url = try await bench.url([("fails", "{}"), ("sleeps", "{}"), ("floods", "{}"), ("nosuch", "{}")])
    let tools = ["fails", "sleeps", "floods"].flatMap { ["--tool", bench.path($0)] }
    // 64 KiB of flood is more than the default 8192-token window holds (which would end the
    // turn with context_overflow): a window that fits it.
    let result = try await bench.session(
      ["--base-url", url, "-s", "f", "--context-tokens", "200000"] + tools + ["try them all"])
    #expect(result.status == 0, "\(result.stderr)")
    Harness.expectInvariants(result)
    let byName = Dictionary(Self.results(result).map { ($0.name, $0) }) { a, _ in a }
    #expect(byName.count == 4)
    #expect(byName.values.allSatisfy { $0.isError }, "\(byName)")
    #expect(byName["fails"]?.exitCode == 3 && byName["fails"]?.content.contains("disk on fire") == true)
    #expect(byName["sleeps"]?.content.contains("timed out") == true, "\(byName["sleeps"]?.content ?? "")")
    let flood = try #require(byName["floods"])
    #expect(flood.content.utf8.count < 70_000 && flood.content.contains("65536"), "capped, and says so")
    #expect(byName["nosuch"]?.content.contains("no tool named nosuch") == true)
    #expect(result.answer.components(separatedBy: "[error]").count == 1, "OpenAI has no is_error mark")
    #expect(result.answer.contains("fails(call_1) -> "), "\(result.answer)")
  }

  @Test func toolsDoNotSeeTheProviderKeys() async throws {
    let bench = try Bench()
    try bench.tool("env", ["env"])
    let url = try await bench.url([("env", "{}")])
    let result = try await bench.session(["--base-url", url, "-s", "e", "--tool", bench.path("env"), "env?"])
    #expect(result.status == 0, "\(result.stderr)")
    let seen = try #require(Self.results(result).first?.content)
    #expect(seen.contains("PATH=") && seen.contains("HOME="), "\(seen)")
    #expect(!seen.contains("_API_KEY=") && !seen.contains("TGPT_"), "\(seen)")
  }

  @Test func withoutATerminalAskDeniesAndNeverWaits() async throws {
    let bench = try Bench()
    let url = try await bench.url([("echo", #"{"a":1}"#)])
    for approve in ["ask", "never"] {
      let result = try await bench.session(
        ["--base-url", url, "-s", "d-\(approve)", "--tool", bench.path("echo"), "--approve", approve, "hi"])
      #expect(result.status == 0, "\(result.stderr)")
      let denied = try #require(Self.results(result).first)
      #expect(denied.isError && denied.exitCode == nil, "\(denied)")
      #expect(denied.content.contains(approve == "ask" ? "no terminal" : "--approve never"), "\(denied.content)")
    }
  }

  @Test func pastMaxToolRoundsTheTurnEndsWithAnError() async throws {
    let bench = try Bench()
    let url = try await bench.url([("echo", "{}")], extra: ";rounds=5")
    let result = try await bench.session(
      ["--base-url", url, "-s", "m", "--tool", bench.path("echo"), "--max-tool-rounds", "2", "loop"])
    #expect(result.status == 65, "\(result.stderr)")
    Harness.expectInvariants(result)
    #expect(result.failure?.message.contains("--max-tool-rounds 2") == true)
    #expect(try await bench.requests().count == 3)
  }

  @Test func toolsAreEnabledByNameFromTheConfigDirectory() async throws {
    let bench = try Bench()
    let config = URL(fileURLWithPath: bench.env["XDG_CONFIG_HOME"]!).appendingPathComponent("tgpt")
    try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: bench.dir, to: config.appendingPathComponent("tools"))
    try #"tools = ["echo"]"#.write(to: config.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
    let url = try await bench.url([("echo", #"{"from":"config"}"#), ("fails", "{}")])
    let result = try await bench.session(["--base-url", url, "-s", "n", "--tools", "fails", "hi"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(Self.results(result).map(\.exitCode).sorted { ($0 ?? -1) < ($1 ?? -1) } == [0, 3])
    let unknown = try await bench.session(["--base-url", url, "-s", "n", "--tools", "ech", "hi"])
    #expect(unknown.status == 78 && unknown.stderr.contains("no tool named ech"), "\(unknown.stderr)")
    #expect(unknown.stderr.contains("echo"), "lists the tools there are")
    let none = try await bench.session(["--base-url", url, "-s", "n2", "--no-tools", "hi"])
    #expect(none.status == 0 && Self.results(none).isEmpty, "\(none.stderr)")
  }

  @Test func aRealMCPServerAnswers() async throws {
    let bench = try Bench()
    let server = try await TestVenv.mcpServerTime()
    let url = try await bench.url([
      ("get_current_time", #"{"timezone":"UTC"}"#), ("get_current_time", #"{"timezone":"Mars/Olympus"}"#),
    ])
    let result = try await bench.session([
      "--base-url", url, "-s", "mcp", "--mcp", "'\(server)' --local-timezone UTC", "time?",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    Harness.expectInvariants(result)
    // Parallel calls finish in any order; each result is found by its call's id.
    let results = Dictionary(Self.results(result).map { ($0.callID, $0) }, uniquingKeysWith: { first, _ in first })
    #expect(results.count == 2)
    let utc = results["call_1"]
    #expect(utc?.content.contains("\"timezone\": \"UTC\"") == true, "\(results)")
    #expect(utc.map { !$0.isError && $0.exitCode == nil } == true, "\(results)")
    #expect(results["call_2"]?.isError == true, "an unknown zone is the server's error: \(results)")
    #expect(result.answer.contains("get_current_time(call_1) -> "), "\(result.answer)")
  }
}

/// The same loop behind `tgpt-ws-bridge serve`: a WebSocket client and the SSE endpoint get
/// the tool events; the tools are the server's.
@Suite(.timeLimit(.minutes(10))) struct BridgeToolsTests {
  @Test func aWebSocketClientGetsTheToolEventsOfAServerSideMCPServer() async throws {
    let bench = try SessionToolsTests.Bench()
    let venvServer = try await TestVenv.mcpServerTime()
    let url = try await bench.url([("get_current_time", #"{"timezone":"Europe/Paris"}"#), ("echo", #"{"x":1}"#)])
    let child = [
      Harness.binary("tgpt-session").path, "serve", "--base-url", url, "--tool", bench.path("echo"), "--mcp",
      "'\(venvServer)' --local-timezone UTC",
    ]
    let server = try await BridgeServerProcess.start(child: child, env: bench.env)
    defer { server.terminate() }
    let talk = try await SeedClient.talk(server.ws("ws-tools"), [SeedClient.message("what time is it in Paris?")])
    let events = try #require(talk.replies.first)
    #expect(events.last?.type == "complete", "\(events.map(\.type))")
    let types = events.map(\.type)
    #expect(types.filter { $0 == "tool_call" }.count == 2 && types.filter { $0 == "tool_result" }.count == 2)
    #expect(types.contains("tool_output"), "the executable's stdout streamed")
    let results = events.compactMap { if case .toolResult(let r) = $0.payload { r } else { nil } }
    #expect(results.first { $0.name == "get_current_time" }?.content.contains("Europe/Paris") == true, "\(results)")
    let answer = events.compactMap { if case .chunk(let c) = $0.payload { c.content } else { nil } }.joined()
    #expect(answer.contains("get_current_time(call_1) -> ") && answer.contains(#"echo(call_2) -> {"x":1}"#))

    // More turns over SSE (curl -N) and REST: the server's MCP server is still there.
    let sse = try await Harness.shell(
      "curl -sN -X POST --data-binary '{\"message\":\"again\"}' \(server.baseURL)/chat/ws-tools/stream")
    #expect(sse.status == 0)
    #expect(sse.text.contains("\"type\":\"tool_result\"") && sse.text.contains("\"type\":\"complete\""), "\(sse.text)")
    let rest = try await Harness.shell(
      "curl -s -X POST --data-binary '{\"message\":\"once more\"}' \(server.baseURL)/chat/ws-tools")
    let reply = try JSON.parse(rest.text)
    let listed = try #require(reply["tool_calls"]?.arrayValue, "\(rest.text)")
    #expect(listed.map { $0["name"]?.stringValue ?? "" } == ["get_current_time", "echo"])
    #expect(listed.last?["content"]?.stringValue == #"{"x":1}"# + "\n" && listed.last?["exit_code"]?.intValue == 0)
  }
}

/// The chat asks before each call, on the terminal, under tmux.
@Suite(.timeLimit(.minutes(10))) struct ChatToolsTests {
  @Test func theChatAsksAndRunsDeniesOrAlwaysRuns() async throws {
    let bench = try SessionToolsTests.Bench()
    let url = try await bench.url([("echo", #"{"n":1}"#), ("fails", "{}")])
    var env = bench.env
    env["TERM"] = "xterm-256color"
    let command =
      "\(ChatEndToEndTests.session) chat -s c --base-url '\(url)' --tool \(bench.path("echo")) --tool \(bench.path("fails"))"
    let chat = try await TmuxSession.start(command: command, env: env)
    try await chat.wait("the prompt") { $0.contains("c>") }
    try await chat.send("use the tools", "Enter")
    try await chat.wait("the first question") { $0.contains("run echo {\"n\":1}?") }
    try await chat.send("y", "Enter")
    try await chat.wait("the second question") { $0.contains("run fails {}?") }
    try await chat.send("n", "Enter")
    let first = try await chat.wait("the answer") { $0.contains("fails(call_2) -> ") && $0.occurrences(of: "c>") == 2 }
    #expect(first.contains(#"echo(call_1) -> {"n":1}"#), "\(first)")
    #expect(first.contains("declined"), "the denial went to the model: \(first)")

    try await chat.send("again", "Enter")
    try await chat.wait("the third question") { $0.occurrences(of: "run echo {\"n\":1}?") == 2 }
    try await chat.send("a", "Enter")
    try await chat.wait("the fourth question") { $0.occurrences(of: "run fails {}?") == 2 }
    try await chat.send("y", "Enter")
    try await chat.wait("the second answer") { $0.occurrences(of: "c>") == 3 }
    try await chat.send("and again", "Enter")
    let third = try await chat.wait("the third answer, asking only about fails") {
      $0.occurrences(of: "run fails {}?") == 3
    }
    #expect(third.occurrences(of: "run echo {\"n\":1}?") == 2, "always means no more questions for echo")
    // Ctrl-C at a question stops the turn, and the chat goes on.
    try await chat.send("C-c")
    try await chat.wait("the interruption") { $0.contains("interrupted by Ctrl-C") && $0.occurrences(of: "c>") == 4 }
    try await chat.send("/history", "Enter")
    try await chat.wait("the history with the tool results") { $0.contains("── tool") && $0.contains("⚙ echo(") }
    try await chat.send("/quit", "Enter")
    try await chat.wait("the exit") { $0.contains("EXIT=0") }
  }
}

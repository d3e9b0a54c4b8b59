import Foundation
import Testing

extension String {
  func occurrences(of needle: String) -> Int { components(separatedBy: needle).count - 1 }
}

@Suite(.timeLimit(.minutes(10))) struct ChatEndToEndTests {
  static let session = Harness.binary("tgpt-session").path

  /// The provider flags for a chat's turns: the fake provider echoing the message, except that
  /// an answer of more than three words stops after the third and holds (until the client
  /// leaves), so Ctrl-C always meets an answer in progress, however busy the machine.
  static func holdingProvider() async throws -> [String] {
    let base = try await FakeProviderServer.shared.url("stall-after=3")
    return ["--provider", "openrouter", "--base-url", base, "--idle-timeout", "600"]
  }

  /// The chat's environment: a fresh home on a terminal, the fake provider's key.
  static func chatEnvironment() -> [String: String] {
    Harness.environment(["TERM": "xterm-256color", "OPENROUTER_API_KEY": "test-key"])
  }

  /// The issue's script, for a chat started in session `one` with `holdingProvider`: two turns;
  /// `/new x` and an answer stopped by Ctrl-C; `/session one` back and `/history` with both
  /// turns; a continued line; an unknown command's hint; `/quit`.
  static func script(_ chat: TmuxSession) async throws {
    try await chat.wait("the prompt") { $0.contains("one>") }
    try await chat.send("first question", "Enter")
    try await chat.wait("the first answer") {
      $0.occurrences(of: "one>") == 2 && $0.occurrences(of: "first question") == 2
    }
    try await chat.send("second **question**", "Enter")
    try await chat.wait("the second answer") { $0.occurrences(of: "one>") == 3 && $0.contains("\nsecond question") }
    try await chat.send("/new x", "Enter")
    try await chat.wait("the new session") { $0.contains("new session x") && $0.contains("x>") }
    try await chat.send((["a", "b", "c"] + (0..<97).map { "w\($0)" }).joined(separator: " "), "Enter")
    try await chat.wait("the answer to start") { $0.contains("\na b c") }
    try await chat.send("C-c")
    try await chat.wait("the interruption") {
      $0.contains("interrupted by Ctrl-C") && $0.occurrences(of: "x>") == 2
    }
    try await chat.send("/session one", "Enter")
    try await chat.send("/history", "Enter")
    let history = try await chat.wait("the history") { $0.occurrences(of: "── user") == 2 }
    #expect(history.occurrences(of: "── assistant") == 2)
    #expect(history.contains("first question") && history.contains("second **question**"))
    // A continued line (the editor once crashed on the continuation prompt).
    try await chat.send("-l", "--", "line one\\")
    try await chat.send("Enter")
    try await chat.send("-l", "--", "line two")
    try await chat.send("Enter")
    try await chat.wait("the continued answer") { $0.contains("... line two") && $0.contains("\nline one\nline two") }
    try await chat.send("/nope", "Enter")
    try await chat.wait("the hint") { $0.contains("unknown command /nope") }
    try await chat.send("/quit", "Enter")
    try await chat.wait("the exit") { $0.contains("EXIT=0") }
  }

  /// What the script leaves in the store of `env`: x's answer interrupted, three in one.
  static func expectStored(env: [String: String]) async throws {
    let stored = try await Harness.run("tgpt-session", ["show", "x"], env: env)
    #expect(stored.text.contains("· interrupted"), "\(stored.text)")
    #expect(stored.text.contains("[error: interrupted by Ctrl-C]"), "\(stored.text)")
    let one = try await Harness.run("tgpt-session", ["show", "--json", "one"], env: env)
    #expect(one.text.occurrences(of: #""role":"assistant""#) == 3)
  }

  @Test func theScriptOnTheLocalStore() async throws {
    let env = Self.chatEnvironment()
    let provider = try await Self.holdingProvider().joined(separator: " ")
    let chat = try await TmuxSession.start(command: "\(Self.session) chat -s one \(provider)", env: env)
    try await Self.script(chat)
    try await Self.expectStored(env: env)
  }

  @Test func theSameScriptThroughATGPTWSBridgeServer() async throws {
    let serverEnv = Self.chatEnvironment()
    let server = try await BridgeServerProcess.start(
      child: [Self.session, "serve"] + Self.holdingProvider(), env: serverEnv)
    defer { server.terminate() }
    // The chat's own data directory is another: everything must come from the server.
    let chatEnv = Harness.environment(["TERM": "xterm-256color"])
    let chat = try await TmuxSession.start(
      command: "\(Self.session) chat -s one --api-url \(server.wsBase)", env: chatEnv)
    try await Self.script(chat)
    // The server's child records a turn after sending its last event: stopped, it has.
    #expect(await server.stop() == 0)
    try await Self.expectStored(env: serverEnv)
    let chatHome = try #require(chatEnv["TGPT_HOME"])
    #expect(!FileManager.default.fileExists(atPath: chatHome + "/sessions.db"), "the remote chat opened no store")
    #expect(FileManager.default.fileExists(atPath: chatHome + "/chat_history"))
  }

  @Test func aMessageSentWhileTheServerIsDownIsSentAgainWhenItIsBack() async throws {
    let serverEnv = Harness.environment()
    let child = [Self.session, "serve", "--provider", "echo"]
    let first = try await BridgeServerProcess.start(child: child, env: serverEnv)
    let chat = try await TmuxSession.start(
      command: "\(Self.session) chat -s back --api-url \(first.wsBase)",
      env: Harness.environment(["TERM": "xterm-256color"]))
    try await chat.wait("the prompt") { $0.contains("back>") }
    await first.stop()
    try await chat.send("are you back", "Enter")
    try await chat.wait("the notice") { $0.contains("connection refused; trying again in") }
    let second = try await BridgeServerProcess.start(child: child, port: first.port, env: serverEnv)
    defer { second.terminate() }
    try await chat.wait("the answer") { $0.contains("\nare you back") && $0.occurrences(of: "back>") == 2 }
    try await chat.send("/history", "Enter")
    try await chat.wait("the history") {
      $0.occurrences(of: "── user") == 1 && $0.occurrences(of: "── assistant") == 1
    }
    try await chat.send("C-d")
    try await chat.wait("the exit") { $0.contains("EXIT=0") }
  }

  @Test func ctrlCDropsATypedLineAndLeavesFromAnEmptyPrompt() async throws {
    let chat = try await TmuxSession.start(
      command: "\(Self.session) chat -s keys --provider echo", env: Harness.environment(["TERM": "xterm-256color"]))
    try await chat.wait("the prompt") { $0.contains("keys>") }
    try await chat.send("-l", "--", "never sent")
    try await chat.send("C-c")
    try await chat.wait("the drop") { $0.contains("(dropped;") && $0.occurrences(of: "keys>") == 2 }
    try await chat.send("C-c")
    let screen = try await chat.wait("the exit") { $0.contains("EXIT=") }
    #expect(screen.contains("EXIT=0") && screen.occurrences(of: "never sent") == 1, "\(screen)")
  }

  @Test func aSpinnerShowsUntilTheFirstTokenAndIsErased() async throws {
    // The answer is held back until the test has seen the spinner in what the pane received.
    let fake = try await FakeProviderServer.shared
    let gate = "spin-\(UUID().uuidString)"
    let chat = try await TmuxSession.start(
      command: "\(Self.session) chat -s spin --provider openrouter --base-url \(fake.url("gate=\(gate)"))",
      env: Self.chatEnvironment())
    try await chat.wait("the prompt") { $0.contains("spin>") }
    try await chat.send("late answer", "Enter")
    let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    try await chat.waitForOutput("the spinner") { written in frames.contains { written.contains($0) } }
    try await fake.release(gate: gate)
    let after = try await chat.wait("the answer") {
      $0.occurrences(of: "late answer") == 2 && $0.occurrences(of: "spin>") == 2
    }
    #expect(!frames.contains { after.contains($0) }, "the spinner is erased: \(after)")
    try await chat.send("/quit", "Enter")
    try await chat.wait("the exit") { $0.contains("EXIT=0") }
  }

  @Test func anAbsentServerIsNamedAtOnceWithExit69() async throws {
    let chat = try await TmuxSession.start(
      command: "\(Self.session) chat --api-url ws://127.0.0.1:1 --connect-timeout 5",
      env: Harness.environment(["TERM": "xterm-256color"]))
    let screen = try await chat.wait("the exit") { $0.contains("EXIT=") }
    #expect(
      screen.contains("cannot connect to 127.0.0.1:1: connection refused") && screen.contains("EXIT=69"), "\(screen)")
  }

  @Test func aWrongTokenIsRefusedAtStartWithExit77() async throws {
    let server = try await BridgeServerProcess.start(["--token", "right"])
    defer { server.terminate() }
    let chat = try await TmuxSession.start(
      command: "\(Self.session) chat --api-url \(server.wsBase) --token s3cr3t-guess",
      env: Harness.environment(["TERM": "xterm-256color"]))
    let screen = try await chat.wait("the exit") { $0.contains("EXIT=") }
    #expect(screen.contains("EXIT=77") && screen.contains("token"), "\(screen)")
    #expect(!screen.contains("s3cr3t"), "the token is not shown: \(screen)")
  }

  @Test func providerOptionsWithAnAPIURLAreRefusedByName() async throws {
    let result = try await Harness.run(
      "tgpt-session", ["chat", "--api-url", "ws://127.0.0.1:1", "--temperature", "0.2", "--store", "/tmp/x.db"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("--temperature, --store: the server's choice with --api-url"), "\(result.stderr)")
  }

  @Test func withoutATerminalItExits64AndSaysWhatToUse() async throws {
    let result = try await Harness.run("tgpt-session", ["chat", "--provider", "echo"], stdin: "hi\n")
    #expect(result.status == 64)
    #expect(result.stderr.contains("chat needs a terminal") && result.stderr.contains("tgpt-session serve"))
  }
}

import Foundation
import Testing

/// A terminal program driven through tmux: keys in, the screen read back.
final class TmuxSession {
  let socket = "tgpt-test-\(UUID().uuidString.prefix(8))"
  let name = "chat"

  init(command: String, env: [String: String]) throws {
    let exports = env.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
    // `env -i`: only `env` reaches the program (the test runner's own NO_COLOR would not).
    let shell = "env -i \(exports) \(command); echo EXIT=$?; sleep 60"
    try tmux(["new-session", "-d", "-s", name, "-x", "100", "-y", "50", shell], detached: true)
  }

  /// Runs tmux and returns its stdout. Spawned with an empty signal mask and default handlers:
  /// the test runner blocks SIGCHLD, and a tmux client inheriting that never sees its server
  /// start (Foundation's Process passes the mask on).
  @discardableResult
  func tmux(_ arguments: [String], detached: Bool = false) throws -> String {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { throw LoopbackHTTP.Failure(what: "pipe failed") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    // The server a new session starts outlives this call: it must not hold our pipe.
    if detached {
      posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    } else {
      posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
    }
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addclose(&actions, ends[0])
    posix_spawn_file_actions_addclose(&actions, ends[1])
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv: [UnsafeMutablePointer<CChar>?] = (["tmux", "-L", socket] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let spawned = posix_spawnp(&pid, "tmux", &actions, &attributes, argv, environ)
    close(ends[1])
    defer { close(ends[0]) }
    guard spawned == 0 else { throw LoopbackHTTP.Failure(what: "cannot run tmux: \(spawned)") }
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(ends[0], $0.baseAddress, $0.count) }
      if count <= 0 { break }
      output += buffer[..<count]
    }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return String(decoding: output, as: UTF8.self)
  }

  func send(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }

  var screen: String { (try? tmux(["capture-pane", "-p", "-S", "-200", "-t", name])) ?? "" }

  /// Waits until `condition` holds for the screen (up to 30 s); the screen then.
  @discardableResult
  func wait(_ what: String, until condition: (String) -> Bool) async throws -> String {
    for _ in 0..<600 {
      let now = screen
      if condition(now) { return now }
      try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting for \(what); screen:\n\(screen)")
    throw CancellationError()
  }

  deinit { _ = try? tmux(["kill-server"]) }
}

extension String {
  func occurrences(of needle: String) -> Int { components(separatedBy: needle).count - 1 }
}

@Suite(.timeLimit(.minutes(3))) struct ChatEndToEndTests {
  static let session = Harness.binary("tgpt-session").path

  /// The issue's script, for a chat started in session `one` with the echo provider at 40 ms a
  /// word: two turns; `/new x` and a slow answer stopped by Ctrl-C; `/session one` back and
  /// `/history` with both turns; a continued line; an unknown command's hint; `/quit`.
  static func script(_ chat: TmuxSession) async throws {
    try await chat.wait("the prompt") { $0.contains("one>") }
    try chat.send("first question", "Enter")
    try await chat.wait("the first answer") {
      $0.occurrences(of: "one>") == 2 && $0.occurrences(of: "first question") == 2
    }
    try chat.send("second **question**", "Enter")
    try await chat.wait("the second answer") { $0.occurrences(of: "one>") == 3 && $0.contains("\nsecond question") }
    try chat.send("/new x", "Enter")
    try await chat.wait("the new session") { $0.contains("new session x") && $0.contains("x>") }
    // 100 words at 40 ms each: the answer is still streaming when Ctrl-C comes, even on a busy machine.
    try chat.send((["a", "b", "c"] + (0..<97).map { "w\($0)" }).joined(separator: " "), "Enter")
    try await chat.wait("the answer to start") { $0.contains("\na b c") }
    try chat.send("C-c")
    try await chat.wait("the interruption") { $0.contains("interrupted by Ctrl-C") && $0.occurrences(of: "x>") == 2 }
    try chat.send("/session one", "Enter")
    try chat.send("/history", "Enter")
    let history = try await chat.wait("the history") { $0.occurrences(of: "── user") == 2 }
    #expect(history.occurrences(of: "── assistant") == 2)
    #expect(history.contains("first question") && history.contains("second **question**"))
    // A continued line (the editor once crashed on the continuation prompt).
    try chat.send("-l", "--", "line one\\")
    try chat.send("Enter")
    try chat.send("-l", "--", "line two")
    try chat.send("Enter")
    try await chat.wait("the continued answer") { $0.contains("... line two") && $0.contains("\nline one\nline two") }
    try chat.send("/nope", "Enter")
    try await chat.wait("the hint") { $0.contains("unknown command /nope") }
    try chat.send("/quit", "Enter")
    try await chat.wait("the exit") { $0.contains("EXIT=0") }
  }

  /// What the script leaves in the store of `env`: x's answer interrupted, three in one.
  static func expectStored(env: [String: String]) throws {
    let stored = try Harness.run("tgpt-session", ["show", "x"], env: env)
    #expect(stored.text.contains("· interrupted"), "\(stored.text)")
    #expect(stored.text.contains("[error: interrupted by Ctrl-C]"), "\(stored.text)")
    let one = try Harness.run("tgpt-session", ["show", "--json", "one"], env: env)
    #expect(one.text.occurrences(of: #""role":"assistant""#) == 3)
  }

  @Test func theScriptOnTheLocalStore() async throws {
    let env = Harness.environment(["TERM": "xterm-256color"])
    let chat = try TmuxSession(command: "\(Self.session) chat -s one --provider echo --echo-delay-ms 40", env: env)
    try await Self.script(chat)
    try Self.expectStored(env: env)
  }

  @Test func theSameScriptThroughATGPTWSBridgeServer() async throws {
    let serverEnv = Harness.environment()
    let server = try BridgeServerProcess(
      child: [Self.session, "serve", "--provider", "echo", "--echo-delay-ms", "40"], env: serverEnv)
    defer { server.stop() }
    // The chat's own data directory is another: everything must come from the server.
    let chatEnv = Harness.environment(["TERM": "xterm-256color"])
    let chat = try TmuxSession(command: "\(Self.session) chat -s one --api-url \(server.wsBase)", env: chatEnv)
    try await Self.script(chat)
    try Self.expectStored(env: serverEnv)
    let chatHome = try #require(chatEnv["TGPT_HOME"])
    #expect(!FileManager.default.fileExists(atPath: chatHome + "/sessions.db"), "the remote chat opened no store")
    #expect(FileManager.default.fileExists(atPath: chatHome + "/chat_history"))
  }

  @Test func aMessageSentWhileTheServerIsDownIsSentAgainWhenItIsBack() async throws {
    let serverEnv = Harness.environment()
    let child = [Self.session, "serve", "--provider", "echo"]
    let first = try BridgeServerProcess(child: child, env: serverEnv)
    let chat = try TmuxSession(
      command: "\(Self.session) chat -s back --api-url \(first.wsBase)",
      env: Harness.environment(["TERM": "xterm-256color"]))
    try await chat.wait("the prompt") { $0.contains("back>") }
    first.stop()
    try chat.send("are you back", "Enter")
    try await chat.wait("the notice") { $0.contains("connection refused; trying again in") }
    let second = try BridgeServerProcess(child: child, port: first.port, env: serverEnv)
    defer { second.stop() }
    try await chat.wait("the answer") { $0.contains("\nare you back") && $0.occurrences(of: "back>") == 2 }
    try chat.send("/history", "Enter")
    try await chat.wait("the history") { $0.occurrences(of: "── user") == 1 && $0.occurrences(of: "── assistant") == 1 }
    try chat.send("C-d")
    try await chat.wait("the exit") { $0.contains("EXIT=0") }
  }

  @Test func ctrlCDropsATypedLineAndLeavesFromAnEmptyPrompt() async throws {
    let chat = try TmuxSession(
      command: "\(Self.session) chat -s keys --provider echo", env: Harness.environment(["TERM": "xterm-256color"]))
    try await chat.wait("the prompt") { $0.contains("keys>") }
    try chat.send("-l", "--", "never sent")
    try chat.send("C-c")
    try await chat.wait("the drop") { $0.contains("(dropped;") && $0.occurrences(of: "keys>") == 2 }
    try chat.send("C-c")
    let screen = try await chat.wait("the exit") { $0.contains("EXIT=") }
    #expect(screen.contains("EXIT=0") && screen.occurrences(of: "never sent") == 1, "\(screen)")
  }

  @Test func aSpinnerShowsUntilTheFirstTokenAndIsErased() async throws {
    let env = Harness.environment(["TERM": "xterm-256color", "OPENROUTER_API_KEY": "test-key"])
    let base = FakeProviderServer.shared.url("first=1500")
    let chat = try TmuxSession(
      command: "\(Self.session) chat -s spin --provider openrouter --base-url \(base)", env: env)
    try await chat.wait("the prompt") { $0.contains("spin>") }
    try chat.send("late answer", "Enter")
    let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    try await chat.wait("the spinner") { screen in frames.contains { screen.contains($0) } }
    let after = try await chat.wait("the answer") {
      $0.occurrences(of: "late answer") == 2 && $0.occurrences(of: "spin>") == 2
    }
    #expect(!frames.contains { after.contains($0) }, "the spinner is erased: \(after)")
    try chat.send("/quit", "Enter")
    try await chat.wait("the exit") { $0.contains("EXIT=0") }
  }

  @Test func anAbsentServerIsNamedAtOnceWithExit69() async throws {
    let chat = try TmuxSession(
      command: "\(Self.session) chat --api-url ws://127.0.0.1:1 --connect-timeout 5",
      env: Harness.environment(["TERM": "xterm-256color"]))
    let screen = try await chat.wait("the exit") { $0.contains("EXIT=") }
    #expect(
      screen.contains("cannot connect to 127.0.0.1:1: connection refused") && screen.contains("EXIT=69"), "\(screen)")
  }

  @Test func aWrongTokenIsRefusedAtStartWithExit77() async throws {
    let server = try BridgeServerProcess(["--token", "right"])
    defer { server.stop() }
    let chat = try TmuxSession(
      command: "\(Self.session) chat --api-url \(server.wsBase) --token s3cr3t-guess",
      env: Harness.environment(["TERM": "xterm-256color"]))
    let screen = try await chat.wait("the exit") { $0.contains("EXIT=") }
    #expect(screen.contains("EXIT=77") && screen.contains("token"), "\(screen)")
    #expect(!screen.contains("s3cr3t"), "the token is not shown: \(screen)")
  }

  @Test func providerOptionsWithAnAPIURLAreRefusedByName() throws {
    let result = try Harness.run(
      "tgpt-session", ["chat", "--api-url", "ws://127.0.0.1:1", "--temperature", "0.2", "--store", "/tmp/x.db"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("--temperature, --store: the server's choice with --api-url"), "\(result.stderr)")
  }

  @Test func withoutATerminalItExits64AndSaysWhatToUse() throws {
    let result = try Harness.run("tgpt-session", ["chat", "--provider", "echo"], stdin: "hi\n")
    #expect(result.status == 64)
    #expect(result.stderr.contains("chat needs a terminal") && result.stderr.contains("tgpt-session serve"))
  }
}

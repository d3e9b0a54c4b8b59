import Foundation
import TGPTEvents
import Testing

/// What a new user of tgpt-session stumbled on (issue 13): a mistyped command sent as a paid
/// prompt, a mistyped --store path created, no way to remove sessions by prefix, a session
/// that forgot the server it was made on, and the chat's /retry, /model, /system, /sessions.
@Suite(.timeLimit(.minutes(10))) struct SessionStumbleTests {
  static func home() -> [String: String] { Harness.environment(["OPENROUTER_API_KEY": "test-key"]) }

  @Test func mistypedCommandsAreUsageErrorsAndNothingIsSent() async throws {
    let env = Self.home()
    let key = StreamEndToEndTests.key()
    let provider = ["--provider", "openrouter", "--base-url", try await FakeProviderServer.shared.url("key=\(key)")]
    let hints = [
      ["lst"]: "did you mean list?", ["exprot"]: "did you mean export?",
      ["-s", "work", "list"]: "'list' is a command, and commands come first", ["logs"]: "did you mean list",
      ["models"]: "tgpt-stream --models", ["templates"]: "--profile", ["keys", "set", "openrouter"]: "api_key_cmd",
    ]
    for (words, hint) in hints {
      let result = try await Harness.run("tgpt-session", provider + words, env: env)
      #expect(result.status == 64, "\(words): \(result.stderr)")
      #expect(result.stderr.contains(hint), "\(words): \(result.stderr)")
      let message = words.drop { $0 == "-s" || $0 == "work" }.joined(separator: " ")
      #expect(result.stderr.contains("tgpt-session -- \(message)"), "\(result.stderr)")
      #expect(result.stdout.isEmpty)
    }
    let store = try #require(env["TGPT_HOME"]) + "/sessions.db"
    #expect(!FileManager.default.fileExists(atPath: store), "a refused command created the store")
    #expect(try await FakeProviderServer.shared.requests(key: key).isEmpty, "a refused command reached the provider")

    // `--` and ordinary words are messages.
    let sent = try await Harness.run("tgpt-session", provider + ["--", "lst"], env: env)
    #expect(sent.status == 0, "\(sent.stderr)")
    let hello = try await Harness.run("tgpt-session", provider + ["history", "of", "rome"], env: env)
    #expect(hello.status == 0, "\(hello.stderr)")
    // Words with piped text are an instruction about it.
    let piped = try await Harness.run("tgpt-session", provider + ["lint"], stdin: "x=1\n", env: env)
    #expect(piped.status == 0, "\(piped.stderr)")
    #expect(try await FakeProviderServer.shared.requests(key: key).count == 3)
  }

  @Test func aMistypedStorePathIsNamedAndNothingIsCreated() async throws {
    let env = Self.home()
    let scratch = try #require(env["HOME"])
    let missing = scratch + "/nonexistent/dir/x.db"
    for arguments in [["list"], ["show", "work"], ["search", "sky"], ["export", "work"], ["rm", "work"], ["check"]] {
      let result = try await Harness.run("tgpt-session", arguments + ["--store", missing], env: env)
      #expect(result.status == 78, "\(arguments): \(result.stderr)")
      #expect(result.stderr.contains("no session store at \(missing)"), "\(arguments): \(result.stderr)")
    }
    let turn = try await Harness.run("tgpt-session", ["--provider", "echo", "--store", missing, "hi"], env: env)
    #expect(turn.status == 78, "\(turn.stderr)")
    #expect(turn.stderr.contains("the directory \(scratch)/nonexistent/dir does not exist"), "\(turn.stderr)")
    #expect(!FileManager.default.fileExists(atPath: scratch + "/nonexistent"), "a directory was created")

    // In a directory that exists, a writing command creates the file.
    let given = scratch + "/mine.db"
    let made = try await Harness.run("tgpt-session", ["--provider", "echo", "--store", given, "hi"], env: env)
    #expect(made.status == 0, "\(made.stderr)")
    #expect(FileManager.default.fileExists(atPath: given))

    // At the default location, reading before the first turn is an empty list, not a new file.
    let fresh = try await Harness.run("tgpt-session", ["list", "--json"], env: env)
    #expect(fresh.status == 0 && fresh.stdout.isEmpty, "\(fresh.stderr)")
    let dataDirectory = try #require(env["TGPT_HOME"])
    #expect(!FileManager.default.fileExists(atPath: dataDirectory), "list created the data directory")
    let first = try await Harness.run("tgpt-session", ["--provider", "echo", "-s", "a", "hi"], env: env)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(FileManager.default.fileExists(atPath: dataDirectory + "/sessions.db"))
  }

  @Test func rmTakesSeveralIdsAndAPrefix() async throws {
    let env = Self.home()
    let lines = ["bench-1", "bench-2", "bench-3", "keep", "a", "b"].map { #"{"message":"hi","session_id":"\#($0)"}"# }
    let made = try await Harness.run(
      "tgpt-session", ["--provider", "echo", "--messages"], stdin: lines.joined(separator: "\n"), env: env)
    #expect(made.status == 0, "\(made.stderr)")

    let byPrefix = try await Harness.run("tgpt-session", ["rm", "--prefix", "bench-"], env: env)
    #expect(byPrefix.status == 0, "\(byPrefix.stderr)")
    #expect(byPrefix.stderr.contains("removed bench-1\n") && byPrefix.stderr.contains("removed bench-3\n"))
    #expect(byPrefix.stderr.contains("removed 3 sessions"), "\(byPrefix.stderr)")
    let several = try await Harness.run("tgpt-session", ["rm", "a", "b"], env: env)
    #expect(several.status == 0, "\(several.stderr)")
    let left = try await Harness.run("tgpt-session", ["list", "--json"], env: env)
    let ids = try left.text.split(separator: "\n").compactMap { try JSON.parse(String($0))["id"]?.stringValue }
    #expect(ids == ["keep"])

    let none = try await Harness.run("tgpt-session", ["rm", "--prefix", "nothing-"], env: env)
    #expect(none.status == 0 && none.stderr.contains("removed 0 sessions"), "\(none.stderr)")
    let everything = try await Harness.run("tgpt-session", ["rm", "--prefix", ""], env: env)
    #expect(everything.status == 64, "\(everything.stderr)")
    let missing = try await Harness.run("tgpt-session", ["rm", "keep", "gone"], env: env)
    #expect(missing.status == 65 && missing.stderr.contains("no session 'gone'"), "\(missing.stderr)")
    let after = try await Harness.run("tgpt-session", ["list", "--json"], env: env)
    #expect(after.stdout.isEmpty, "the existing id was not removed: \(after.text)")
  }

  @Test func aSessionRemembersTheServerItWasMadeOn() async throws {
    let key = StreamEndToEndTests.key()
    let base = try await FakeProviderServer.shared.url("key=\(key)")
    let env = Self.home()
    let first = try await Harness.run(
      "tgpt-session", ["-s", "local", "one"], env: env.merging(["TGPT_BASE_URL": base]) { $1 })
    #expect(first.status == 0, "\(first.stderr)")
    // The variable is gone: the session still knows where its server is.
    let second = try await Harness.run("tgpt-session", ["-s", "local", "two"], env: env)
    #expect(second.status == 0, "\(second.stderr)")
    #expect(try await FakeProviderServer.shared.requests(key: key).count == 2)
    let header = try await Harness.run("tgpt-session", ["list", "--json"], env: env)
    #expect(header.text.contains(#""base_url":"\#(base)""#), "\(header.text)")

    // Through the wire, the history does not say where the provider is.
    let history = try await Harness.run(
      "tgpt-session", ["serve"], stdin: #"{"history":true,"session_id":"local"}"# + "\n", env: env)
    #expect(history.status == 0 && history.text.contains("\"two\""), "\(history.stderr)")
    #expect(!history.text.contains("base_url"), "\(history.text)")

    // An export from elsewhere does not choose where this machine's keys go.
    let exported = try await Harness.run("tgpt-session", ["export", "local"], env: env)
    let other = Self.home()
    let imported = try await Harness.run(
      "tgpt-session", ["import", "--as", "shared"], stdin: exported.text, env: other)
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stderr.contains("was not imported"), "\(imported.stderr)")
    let shown = try await Harness.run("tgpt-session", ["list", "--json"], env: other)
    #expect(!shown.text.contains("base_url"), "\(shown.text)")
  }

  @Test func aSessionMovedToAHostedProviderForgetsItsServer() async throws {
    let key = StreamEndToEndTests.key()
    let base = try await FakeProviderServer.shared.url("key=\(key)")
    let env = Self.home()
    let made = try await Harness.run(
      "tgpt-session", ["-s", "s", "one"], env: env.merging(["TGPT_BASE_URL": base]) { $1 })
    #expect(made.status == 0, "\(made.stderr)")
    let moved = try await Harness.run("tgpt-session", ["set", "s", "--provider", "openai"], env: env)
    #expect(moved.status == 0, "\(moved.stderr)")
    let header = try await Harness.run("tgpt-session", ["list", "--json"], env: env)
    #expect(!header.text.contains("base_url"), "\(header.text)")
    // The old server never sees the hosted provider's key: the turn goes where OpenAI is
    // configured to be (here another scenario of the fake provider).
    let openAIKey = StreamEndToEndTests.key()
    let config = try #require(env["XDG_CONFIG_HOME"]) + "/tgpt"
    try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
    let openAI = try await FakeProviderServer.shared.url("key=\(openAIKey)")
    try "[providers.openai]\nbase_url = \"\(openAI)\"\n".write(
      toFile: config + "/config.toml", atomically: false, encoding: .utf8)
    let second = try await Harness.run(
      "tgpt-session", ["-s", "s", "two"], env: env.merging(["OPENAI_API_KEY": "sk-secret"]) { $1 })
    #expect(second.status == 0, "\(second.stderr)")
    #expect(try await FakeProviderServer.shared.requests(key: key).count == 1)
    #expect(try await FakeProviderServer.shared.requests(key: openAIKey).count == 1)
  }

  @Test func aRetriedMessageOnTheWireReplacesTheLastTurn() async throws {
    let env = Self.home()
    let lines = [
      #"{"message":"q1","session_id":"s"}"#, #"{"message":"q2","session_id":"s"}"#,
      #"{"message":"q2","session_id":"s","retry":true}"#, #"{"message":"q1","session_id":"s","retry":true}"#,
    ]
    let run = try await Harness.run(
      "tgpt-session", ["--provider", "echo", "--messages"], stdin: lines.joined(separator: "\n"), env: env)
    #expect(run.status == 0, "\(run.stderr)")
    let shown = try await Harness.run("tgpt-session", ["show", "--json", "s"], env: env)
    let users = try shown.text.split(separator: "\n").map { try JSON.parse(String($0)) }
      .filter { $0["role"]?.stringValue == "user" }.compactMap { $0["content"]?.stringValue }
    // The second q2 replaced the first; q1 was not the last turn, so it is asked again.
    #expect(users == ["q1", "q2", "q1"])
  }

  @Test func theChatRetriesInPlaceAndShowsWhatItUses() async throws {
    let env = Harness.environment(["TERM": "xterm-256color"])
    let lines = (1...25).map { #"{"message":"hi","session_id":"s\#($0)"}"# }
    let made = try await Harness.run(
      "tgpt-session", ["--provider", "echo", "--messages"], stdin: lines.joined(separator: "\n"), env: env)
    #expect(made.status == 0, "\(made.stderr)")

    let session = Harness.binary("tgpt-session").path
    let chat = try await TmuxSession.start(
      command: "\(session) chat -s one --provider echo --system 'Be brief.'", env: env)
    try await chat.wait("the prompt") { $0.contains("one>") }
    try await chat.send("first question", "Enter")
    try await chat.wait("the answer") { $0.occurrences(of: "first question") == 2 }
    try await chat.send("/retry", "Enter")
    try await chat.wait("the answer again") { $0.occurrences(of: "first question") == 3 }
    try await chat.send("/model", "Enter")
    try await chat.wait("the model") { $0.contains("model echo (provider echo)") }
    try await chat.send("/system", "Enter")
    try await chat.wait("the system prompt") { $0.contains("system prompt: Be brief.") }
    try await chat.send("/sessions", "Enter")
    try await chat.wait("the count") { $0.contains("the 20 most recent of 26 sessions") }
    try await chat.send("/sessions all", "Enter")
    try await chat.wait("every session") { $0.contains("s25") && $0.contains("s1 ") }
    try await chat.send("/system --clear", "Enter")
    try await chat.send("/system", "Enter")
    try await chat.wait("no system prompt") { $0.contains("no system prompt") }
    // What was said in one session is not retried in another.
    try await chat.send("/session fresh", "Enter")
    try await chat.send("/retry", "Enter")
    try await chat.wait("nothing to retry") { $0.contains("nothing to retry yet") }
    try await chat.send("/quit", "Enter")
    try await chat.wait("the exit") { $0.contains("EXIT=0") }

    let stored = try await Harness.run("tgpt-session", ["show", "--json", "one"], env: env)
    let messages = try stored.text.split(separator: "\n").map { try JSON.parse(String($0)) }
    #expect(messages.first?["turns"]?.intValue == 1, "\(stored.text)")
    #expect(messages.filter { $0["role"]?.stringValue == "user" }.count == 1, "/retry stored a second copy")
    let check = try await Harness.run("tgpt-session", ["check"], env: env)
    #expect(check.status == 0, "\(check.stderr)")
  }
}

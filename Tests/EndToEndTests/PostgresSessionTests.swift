import Foundation
import TGPTEvents
import TGPTTestPostgres
import Testing

/// tgpt-session on a PostgreSQL store (a real server the tests start): turns and every
/// management command, as a user runs them with --store or TGPT_STORE.
@Suite(.timeLimit(.minutes(10))) struct PostgresSessionTests {
  static func session(_ arguments: [String], env: [String: String], stdin: String? = nil) async throws
    -> Harness.Result
  {
    try await Harness.run("tgpt-session", arguments, stdin: stdin, env: env)
  }

  @Test func turnsAndEveryManagementCommandWorkOnPostgres() async throws {
    let url = try await TestPostgres.database()
    let env = Harness.environment(["TGPT_STORE": url])
    for message in ["the first question about rotation", "日本語のテキスト 😀"] {
      let turn = try await Self.session(
        ["--provider", "echo", "--system", "be brief", "-s", "work", message], env: env)
      #expect(turn.status == 0, "\(turn.stderr)")
      #expect(turn.answer == message)
    }
    let other = try await Self.session(["--store", url, "--provider", "echo", "-s", "other", "hello"], env: env)
    #expect(other.status == 0, "--store names it too: \(other.stderr)")

    let list = try await Self.session(["list", "--json"], env: env)
    #expect(list.status == 0, "\(list.stderr)")
    let listed = list.text.split(separator: "\n").compactMap { try? JSON.parse(String($0)) }
    #expect(Set(listed.compactMap { $0["id"]?.stringValue }) == ["work", "other"])
    #expect(listed.first { $0["id"]?.stringValue == "work" }?["turns"]?.intValue == 2)

    let shown = try await Self.session(["show", "work"], env: env)
    #expect(shown.status == 0 && shown.text.contains("the first question about rotation"), "\(shown.stderr)")
    let found = try await Self.session(["search", "Rotat"], env: env)
    #expect(found.status == 0 && found.text.contains("work") && found.text.contains("[rotat]"), "\(found.text)")
    let cjk = try await Self.session(["search", "テキスト"], env: env)
    #expect(cjk.text.contains("[テキスト]"), "\(cjk.text)")

    let set = try await Self.session(["set", "-m", "some/model", "work"], env: env)
    #expect(set.status == 0, "\(set.stderr)")
    let exported = try await Self.session(["export", "work"], env: env)
    #expect(exported.status == 0 && exported.text.contains(#""model":"some/model""#), "\(exported.stderr)")
    let imported = try await Self.session(["import", "--as", "copy"], env: env, stdin: exported.text)
    #expect(imported.status == 0, "\(imported.stderr)")
    let again = try await Self.session(["export", "copy"], env: env)
    #expect(again.text == exported.text.replacingOccurrences(of: #""id":"work""#, with: #""id":"copy""#))
    let duplicate = try await Self.session(["import"], env: env, stdin: exported.text)
    #expect(duplicate.status == 65 && duplicate.stderr.contains("already exists"), "\(duplicate.stderr)")

    #expect(try await Self.session(["rename", "copy", "kept"], env: env).status == 0)
    #expect(try await Self.session(["rm", "other"], env: env).status == 0)
    let missing = try await Self.session(["rm", "other"], env: env)
    #expect(missing.status == 65 && missing.stderr.contains("no session 'other'"), "\(missing.stderr)")
    let ids = try await Self.session(["list", "--json"], env: env).text.split(separator: "\n")
      .compactMap { try? JSON.parse(String($0))["id"]?.stringValue }
    #expect(Set(ids) == ["work", "kept"])
    let check = try await Self.session(["check"], env: env)
    #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
  }

  /// The session's messages, from `show --json`.
  static func messages(_ id: String, env: [String: String]) async throws -> [JSON] {
    let shown = try await session(["show", "--json", id], env: env)
    #expect(shown.status == 0, "show \(id): \(shown.stderr)")
    return try shown.text.split(separator: "\n").map { try JSON.parse(String($0)) }
      .filter { $0["type"]?.stringValue == "message" }
  }

  @Test func processesTakingTurnsInOneSessionLoseNothing() async throws {
    let env = Harness.environment(["TGPT_STORE": try await TestPostgres.database()])
    let result = try await Harness.shell(
      "seq 1 24 | xargs -P 8 -I{} tgpt-session --provider echo -s same 'm{}' > /dev/null", env: env)
    #expect(result.status == 0, "\(result.stderr)")
    let messages = try await Self.messages("same", env: env)
    #expect(messages.count == 48)
    #expect(messages.allSatisfy { $0["status"]?.stringValue == "complete" })
    for pair in stride(from: 0, to: messages.count - 1, by: 2) {
      #expect(messages[pair]["content"] == messages[pair + 1]["content"], "each answer follows its question")
    }
    #expect(try await Self.session(["check"], env: env).status == 0)
  }

  @Test func aProcessKilledMidTurnLeavesItInterruptedAndTheSessionFree() async throws {
    let env = Harness.environment(["TGPT_STORE": try await TestPostgres.database(), "OPENROUTER_API_KEY": "k"])
    #expect(try await Self.session(["--provider", "echo", "-s", "k", "first"], env: env).status == 0)
    // The fake holds the answer after three words until the client leaves: killed mid-answer.
    let holding = ["--provider", "openrouter", "--base-url", try await FakeProviderServer.shared.url("stall-after=3")]
    let slow = try await Harness.run(
      "tgpt-session", holding + ["--idle-timeout", "3600", "-s", "k", "one two three four five six"],
      env: env, signal: SIGKILL, signalAfter: 2)
    #expect(slow.status == 128 + SIGKILL || slow.status == SIGKILL, "killed: \(slow.status)")
    // Its lock went with its connection: the next turn runs.
    let next = try await Self.session(["--provider", "echo", "-s", "k", "after"], env: env)
    #expect(next.status == 0, "\(next.stderr)")
    let statuses = try await Self.messages("k", env: env).map { $0["status"]?.stringValue ?? "" }
    #expect(statuses == ["complete", "complete", "complete", "interrupted", "complete", "complete"])
    #expect(try await Self.session(["check"], env: env).status == 0)
  }

  @Test func anUnreachableServerExits69NamingItEveryTime() async throws {
    let env = Harness.environment()
    for arguments in [["list"], ["--provider", "echo", "hi"]] {
      for _ in 0..<3 {
        let result = try await Self.session(
          arguments + ["--store", "postgres://tgpt@127.0.0.1:1/x?connect_timeout=2"], env: env)
        #expect(result.status == 69, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("127.0.0.1:1") && result.stderr.contains("refused"), "\(result.stderr)")
      }
    }
  }

  @Test func aOneShotTurnExitsPromptlyAndLeavesNoConnection() async throws {
    let url = try await TestPostgres.database()
    let env = Harness.environment(["TGPT_STORE": url])
    for _ in 0..<3 {
      let turn = try await Self.session(["--provider", "echo", "-s", "quick", "hi"], env: env)
      #expect(turn.status == 0, "\(turn.stderr)")
    }
    let name = String(url.split(separator: "/").last!.split(separator: "?").first!)
    let server = try await TestPostgres.server()
    // The store closed its connections before the process exited.
    let open = try await TestPostgres.sql(
      server.url, "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(name)' AND pid <> pg_backend_pid()")
    #expect(open == "0\n")
  }
}

import Foundation
import TGPTEvents
import Testing

/// tgpt-session as users run it: real processes on one real SQLite store per test, the fake
/// provider or the echo provider behind it. Issue 4's "Done when".
@Suite(.timeLimit(.minutes(10))) struct SessionEndToEndTests {
  static var fake: FakeProviderServer {
    get async throws { try await FakeProviderServer.shared }
  }

  /// One store (one scratch home) per test.
  static func home(_ extra: [String: String] = [:]) -> [String: String] {
    Harness.environment(["OPENROUTER_API_KEY": "test-key"].merging(extra) { $1 })
  }

  static func session(_ arguments: [String], env: [String: String], stdin: String? = nil) async throws -> Harness.Result
  {
    try await Harness.run("tgpt-session", arguments, stdin: stdin, env: env)
  }

  /// The session's export lines, parsed.
  static func export(_ id: String, env: [String: String]) async throws -> [JSON] {
    let result = try await session(["show", "--json", id], env: env)
    #expect(result.status == 0, "show \(id): \(result.stderr)")
    return try result.text.split(separator: "\n").map { try JSON.parse(String($0)) }
  }

  static func messages(_ id: String, env: [String: String]) async throws -> [JSON] {
    try await export(id, env: env).filter { $0["type"]?.stringValue == "message" }
  }

  @Test func theSecondRequestCarriesTheFirstTurnAndShowListsBoth() async throws {
    let env = Self.home()
    let key = StreamEndToEndTests.key()
    let provider = ["--provider", "openrouter", "--base-url", try await Self.fake.url("key=\(key)")]
    let first = try await Self.session(provider + ["-s", "work", "What is 2+2?"], env: env)
    #expect(first.status == 0, "\(first.stderr)")
    Harness.expectInvariants(first, answer: "What is 2+2?")
    guard case .start(let start)? = first.events.first?.payload else { Issue.record("no start"); return }
    #expect(first.events.first?.sessionID == "work" && start.turnsSent == 0)

    let second = try await Self.session(provider + ["-s", "work", "And 3+3?"], env: env)
    #expect(second.status == 0, "\(second.stderr)")
    let bodies = try await Self.fake.requests(key: key)
    #expect(bodies.count == 2)
    let sent = bodies.last?["body"]?["messages"]?.arrayValue?.map {
      "\($0["role"]?.stringValue ?? ""):\($0["content"]?.stringValue ?? "")"
    }
    #expect(sent == ["user:What is 2+2?", "assistant:What is 2+2?", "user:And 3+3?"])

    let shown = try await Self.session(["show", "work"], env: env)
    #expect(shown.status == 0)
    for text in ["What is 2+2?", "And 3+3?", "── user", "── assistant"] {
      #expect(shown.text.contains(text), "\(text)")
    }
    #expect(try await Self.messages("work", env: env).count == 4)
  }

  @Test func eightProcessesOnOneSessionLoseNothing() async throws {
    let env = Self.home()
    let result = try await Harness.shell(
      "seq 1 40 | xargs -P 8 -I{} tgpt-session --provider echo -s same 'm{}' > /dev/null", env: env)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(!result.stderr.contains("locked"))
    let messages = try await Self.messages("same", env: env)
    #expect(messages.count == 80)
    #expect(messages.allSatisfy { $0["status"]?.stringValue == "complete" })
    let questions = messages.filter { $0["role"]?.stringValue == "user" }.compactMap { $0["content"]?.stringValue }
    #expect(Set(questions) == Set((1...40).map { "m\($0)" }))
    for pair in stride(from: 0, to: messages.count, by: 2) {
      #expect(messages[pair]["content"] == messages[pair + 1]["content"], "each answer follows its question")
      #expect(messages[pair]["turn"] == messages[pair + 1]["turn"])
    }
    #expect(try await Self.session(["check"], env: env).status == 0)
  }

  @Test func aSecondProcessWaitsForTheTurnInProgressAndSeesIt() async throws {
    // The first turn's answer is held at the fake's gate; the second process is started then,
    // and the gate opens only once it says (at debug level) that it is waiting for the first.
    let fake = try await Self.fake
    let gate = "lock-\(UUID().uuidString)"
    let result = try await Harness.shell(
      """
      dir=$(mktemp -d)
      tgpt-session --provider openrouter --base-url "$BASE" -s locked "one two" > "$dir/1" &
      first=$!
      until [ -n "$(curl -s "$FAKE/_requests?key=$GATE")" ]; do sleep 0.02; done
      tgpt-session --provider openrouter --base-url "$BASE" --log-level debug -s locked "three four" \\
        > "$dir/2" 2> "$dir/2.err" &
      second=$!
      until grep -q "waiting for the turn in progress in session locked" "$dir/2.err"; do sleep 0.02; done
      curl -s "$FAKE/_release?gate=$GATE" > /dev/null
      wait $first && wait $second && cat "$dir/1" "$dir/2"
      """,
      env: Self.home(["BASE": fake.url("gate=\(gate);key=\(gate)"), "FAKE": fake.baseURL, "GATE": gate]))
    #expect(result.status == 0, "\(result.stderr)")
    let sent = result.events.compactMap {
      if case .start(let start) = $0.payload { start.turnsSent } else { nil }
    }
    #expect(sent == [0, 1], "the second turn started after the first ended, with it as context")
  }

  @Test func eightProcessesOnEightSessionsLoseNothing() async throws {
    let env = Self.home()
    let result = try await Harness.shell(
      "seq 1 40 | xargs -P 8 -I{} sh -c 'tgpt-session --provider echo -s s$(({} % 8)) m{} > /dev/null'", env: env)
    #expect(result.status == 0, "\(result.stderr)")
    let list = try await Self.session(["list", "--json"], env: env)
    let sessions = try list.text.split(separator: "\n").map { try JSON.parse(String($0)) }
    #expect(sessions.count == 8)
    #expect(sessions.allSatisfy { $0["turns"]?.intValue == 5 })
    #expect(try await Self.session(["check"], env: env).status == 0)
  }

  @Test func killedDuringASlowTurnLeavesAConsistentStore() async throws {
    let env = Self.home()
    // The fake holds the answer after three words until the client leaves: killed mid-answer.
    let holding = ["--provider", "openrouter", "--base-url", try await Self.fake.url("stall-after=3")]
    let slow = try await Harness.run(
      "tgpt-session", holding + ["--idle-timeout", "3600", "-s", "k", "one two three four five six"],
      env: env, signal: SIGKILL, signalAfter: 2)
    #expect(slow.status == 128 + SIGKILL || slow.status == SIGKILL, "killed: \(slow.status)")
    let next = try await Self.session(["--provider", "echo", "-s", "k", "after"], env: env)
    #expect(next.status == 0, "\(next.stderr)")
    guard case .start(let start)? = next.events.first?.payload else { Issue.record("no start"); return }
    #expect(start.turnsSent == 0, "the killed turn is not sent as context")
    let messages = try await Self.messages("k", env: env)
    #expect(messages.map { $0["status"]?.stringValue ?? "" } == ["complete", "interrupted", "complete", "complete"])
    #expect(try await Self.session(["check"], env: env).status == 0)
  }

  @Test func serveAnswersInterleavedSessionsInOrderAndSurvivesABadLine() async throws {
    var lines: [String] = []
    for round in 0..<5 {
      for session in 0..<50 {
        lines.append(
          #"{"message":"m\#(round) s\#(session)","session_id":"s\#(session)","id":"s\#(session)-\#(round)"}"#)
      }
      if round == 2 { lines.append("{this is not json") }
    }
    let env = Self.home()
    let result = try await Self.session(
      ["serve", "--provider", "echo", "--log-level", "debug"], env: env, stdin: lines.joined(separator: "\n") + "\n")
    #expect(result.status == 0, "\(result.stderr)")
    // A session's turns wait for each other once, in serve's own queue: none ever reaches the
    // store's turn lock (which is for other processes) while another of this process holds it.
    #expect(!result.stderr.contains("waiting for the turn in progress"), "\(result.stderr.suffix(2000))")
    let events = result.events
    let errors = events.filter { $0.type == "error" }
    #expect(errors.count == 1)
    guard case .error(let failure)? = errors.first?.payload else { return }
    #expect(failure.code == .badInput && failure.message.contains("line 151"))
    let tagged = events.filter { $0.type != "error" }
    #expect(tagged.allSatisfy { $0.id != nil && $0.sessionID != nil })
    for session in 0..<50 {
      let id = "s\(session)"
      let ends = events.filter { $0.sessionID == id && $0.isTerminal }
      #expect(ends.map(\.id) == (0..<5).map { "\(id)-\($0)" }, "\(id): one terminal event per message, in order")
      for round in 0..<5 {
        let text = events.filter { $0.id == "\(id)-\(round)" }.map {
          if case .chunk(let c) = $0.payload { c.content } else { "" }
        }
        #expect(text.joined() == "m\(round) \(id)")
      }
    }
    #expect(try await Self.session(["list", "--json"], env: env).text.split(separator: "\n").count == 50)
  }

  @Test func aCancelReachesMessagesWhileItsOneTurnRuns() async throws {
    // --messages takes one line at a time: the cancel must still get past the running turn.
    let words = (1...60).map { "w\($0)" }.joined(separator: " ")
    let holding = "--provider openrouter --base-url \(try await Self.fake.url("stall-after=3")) --idle-timeout 3600"
    let result = try await Harness.midAnswer(
      "tgpt-session -s c --messages \(holding)", first: #"{"message":"\#(words)","id":"m"}"#,
      then: [#"{"cancel":"m","reason":"enough"}"#, #"{"message":"after","id":"n"}"#], env: Self.home())
    #expect(result.status == 130, "\(result.stderr)")
    let ends = result.events.filter(\.isTerminal)
    #expect(ends.map(\.id) == ["m", "n"])
    guard case .error(let failure)? = ends.first?.payload else {
      Issue.record("m was not stopped: \(result.text)")
      return
    }
    #expect(failure.code == .interrupted && failure.message == "enough")
    #expect(ends.last?.type == "complete")
  }

  @Test func overflowInvalidIDMissingKeyAndProviderFaults() async throws {
    let env = Self.home()
    let long = String(repeating: "many words here ", count: 200)
    let overflow = try await Self.session(["--provider", "echo", "--context-tokens", "256", "-s", "o", long], env: env)
    #expect(overflow.status == 65)
    #expect(overflow.failure?.code == .contextOverflow)
    #expect(try await Self.session(["show", "o"], env: env).status == 65, "nothing was recorded")

    let invalid = try await Self.session(["--provider", "echo", "-s", "no/slash", "hi"], env: env)
    #expect(invalid.status == 64)
    #expect(invalid.stderr.contains("A-Z a-z 0-9 . _ : -"))

    let noKey = try await Self.session(["--provider", "openrouter", "hi"], env: Harness.environment())
    #expect(noKey.status == 77)
    #expect(noKey.failure?.code == .auth)
    #expect(!noKey.stderr.contains("new session"), "no id is announced for a session never made")

    let noRoom = try await Self.session(
      ["--provider", "echo", "--context-tokens", "1000", "--max-tokens", "1000", "-s", "r", "hi"], env: env)
    #expect(noRoom.status == 65 && noRoom.failure?.code == .contextOverflow)
    #expect(noRoom.stderr.contains("--max-tokens 1000 leaves no room"))

    let key = StreamEndToEndTests.key()
    let failing = ["--provider", "openrouter", "--retries", "0", "-s", "f"]
    let down = try await Self.session(
      failing + ["--base-url", Self.fake.url("status=503;key=\(key)"), "first"], env: env)
    #expect(down.status == 69)
    #expect(down.failure?.code == .unavailable)
    let cut = try await Self.session(
      failing + ["--base-url", Self.fake.url("drop-after=2;key=\(key)"), "one two three four"], env: env)
    #expect(cut.status == 69 && cut.failure?.partial == true)
    let after = try await Self.session(failing + ["--base-url", Self.fake.url("key=\(key)"), "fine"], env: env)
    #expect(after.status == 0)
    let sent = try await Self.fake.requests(key: key).last?["body"]?["messages"]?.arrayValue?.count
    #expect(sent == 1, "failed turns are left out of the context")
    let statuses = try await Self.messages("f", env: env).filter { $0["role"]?.stringValue == "assistant" }
    #expect(statuses.map { $0["status"]?.stringValue ?? "" } == ["error", "partial", "complete"])

    let included = try await Self.session(
      failing + ["--include-failed", "--base-url", Self.fake.url("key=\(key)"), "with failures"], env: env)
    #expect(included.status == 0)
    let withFailed = try await Self.fake.requests(key: key).last?["body"]?["messages"]?.arrayValue ?? []
    #expect(withFailed.count == 5, "the partial turn and the complete one, plus the new message")
  }

  @Test func exportImportExportIsIdentical() async throws {
    let env = Self.home()
    for message in ["first \"quoted\"\nline", "日本語 😀", "third"] {
      #expect(
        try await Self.session(["--provider", "echo", "--system", "be brief", "-s", "orig", message], env: env).status
          == 0)
    }
    let exported = try await Self.session(["export", "orig"], env: env)
    #expect(exported.status == 0)
    let elsewhere = Self.home()
    let imported = try await Self.session(["import"], env: elsewhere, stdin: exported.text)
    #expect(imported.status == 0, "\(imported.stderr)")
    let again = try await Self.session(["export", "orig"], env: elsewhere)
    #expect(again.stdout == exported.stdout)
    let duplicate = try await Self.session(["import"], env: elsewhere, stdin: exported.text)
    #expect(duplicate.status == 65 && duplicate.stderr.contains("already exists"))
    let renamed = try await Self.session(["import", "--as", "copy"], env: elsewhere, stdin: exported.text)
    #expect(renamed.status == 0)
    #expect(try await Self.messages("copy", env: elsewhere).count == 6)
    let edited = exported.text.replacingOccurrences(of: #""seq":2,"#, with: #""seq":1,"#)
    let broken = try await Self.session(["import", "--as", "broken"], env: elsewhere, stdin: edited)
    #expect(broken.status == 65 && broken.stderr.contains("line 3: seq 1 does not follow 1"))
    #expect(try await Self.session(["show", "broken"], env: elsewhere).status == 65, "nothing was imported")
  }

  @Test func continueSetRenameRemoveAndSearch() async throws {
    let env = Self.home()
    let key = StreamEndToEndTests.key()
    let base = ["--provider", "openrouter", "--base-url", try await Self.fake.url("key=\(key)")]
    #expect(try await Self.session(base + ["-s", "a", "alpha question"], env: env).status == 0)
    #expect(try await Self.session(base + ["-s", "b", "bravo question"], env: env).status == 0)
    let continued = try await Self.session(base + ["-c", "follow up"], env: env)
    #expect(continued.events.first?.sessionID == "b", "-c continues the most recently used session")

    #expect(
      try await Self.session(["set", "a", "--model", "fake/other", "--system", "be terse"], env: env).status == 0)
    #expect(try await Self.session(base + ["-s", "a", "next"], env: env).status == 0)
    let body = try await Self.fake.requests(key: key).last?["body"]
    #expect(body?["model"]?.stringValue == "fake/other")
    #expect(body?["messages"]?.arrayValue?.first?["content"]?.stringValue == "be terse")

    let found = try await Self.session(["search", "--json", "bravo"], env: env)
    #expect(found.text.contains(#""session_id":"b""#))
    #expect(try await Self.session(["rename", "b", "b"], env: env).status == 64)
    #expect(try await Self.session(["rename", "b", "renamed"], env: env).status == 0)
    #expect(try await Self.session(["rm", "renamed"], env: env).status == 0)
    #expect(try await Self.session(["search", "bravo"], env: env).text.isEmpty)
    #expect(try await Self.session(["rm", "renamed"], env: env).status == 65)
    let elsewhere = try await Self.session(["--provider", "echo", "-s", "a", "to echo now"], env: env)
    guard case .start(let start)? = elsewhere.events.first?.payload else { Issue.record("no start"); return }
    #expect(start.model == "echo", "another provider does not get the session's model")
    let fresh = try await Self.session(["--provider", "echo", "new session"], env: env)
    #expect(fresh.stderr.contains("new session "), "a made id is shown on stderr")
    #expect(fresh.events.first?.sessionID?.isEmpty == false)
  }

  @Test func anAnswerCutShortAfterAnEndMarkerIsStoredAsPartial() async throws {
    let env = Self.home()
    let cut = try await Self.session(
      ["--provider", "openrouter", "--base-url", try await Self.fake.url("nofinish"), "-s", "t", "one two three"],
      env: env)
    #expect(cut.status == 69, "\(cut.stderr)")
    Harness.expectInvariants(cut, answer: "one two three")
    #expect(cut.failure?.code == .unavailable && cut.failure?.partial == true)
    let answers = try await Self.messages("t", env: env).filter { $0["role"]?.stringValue == "assistant" }
    #expect(answers.map { $0["status"]?.stringValue } == ["partial"], "never stored as complete")
  }
}

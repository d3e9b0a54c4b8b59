import Foundation
import TGPTEvents
import Testing

/// `tgpt-session --cache`: an identical turn is answered from the response cache without a
/// request; anything that differs, a stale entry, a failed answer, another principal asks
/// the provider; a broken cache file never breaks a turn.
@Suite(.timeLimit(.minutes(10))) struct CacheEndToEndTests {
  static var fake: FakeProviderServer {
    get async throws { try await FakeProviderServer.shared }
  }

  /// A turn with `--cache` and `extra` flags against the fake provider's scenario `key=KEY;…`.
  static func turn(
    _ message: String, key: String, scenario: String = "", _ extra: [String] = ["--cache"], env: [String: String]
  ) async throws -> Harness.Result {
    let url = try await fake.url("key=\(key)" + (scenario.isEmpty ? "" : ";" + scenario))
    return try await Harness.run(
      "tgpt-session", ["--provider", "openrouter", "--base-url", url] + extra + [message], env: env)
  }

  static func requests(_ key: String) async throws -> Int { try await fake.requests(key: key).count }

  static func cached(_ result: Harness.Result) -> (start: Bool, complete: Bool) {
    var start = false
    var complete = false
    for event in result.events {
      if case .start(let s) = event.payload { start = s.cached }
      if case .complete(let c) = event.payload { complete = c.cached }
    }
    return (start, complete)
  }

  static func stats(_ env: [String: String], _ extra: [String] = []) async throws -> JSON {
    let result = try await Harness.run("tgpt-session", ["cache", "stats"] + extra, env: env)
    #expect(result.status == 0, "\(result.stderr)")
    return try JSON.parse(result.text)
  }

  @Test func anIdenticalTurnIsAnsweredFromTheCacheAndRecorded() async throws {
    let env = SessionEndToEndTests.home()
    let key = StreamEndToEndTests.key()
    let first = try await Self.turn("what is the weather like?", key: key, ["--cache", "-s", "one"], env: env)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(Self.cached(first) == (false, false))
    let second = try await Self.turn("what is the weather like?", key: key, ["--cache", "1h", "-s", "two"], env: env)
    #expect(second.status == 0, "\(second.stderr)")
    #expect(Self.cached(second) == (true, true))
    #expect(second.answer == first.answer)
    #expect(try await Self.requests(key) == 1, "the second turn made no request")
    guard case .complete(let complete)? = second.events.last?.payload else { return #expect(Bool(false)) }
    #expect(complete.usage?.promptTokens != nil, "the original usage is replayed")
    // The replayed answer is in the session's history: the next turn sends it.
    let third = try await Self.turn("and tomorrow?", key: key, ["-s", "two"], env: env)
    #expect(third.status == 0)
    let sent = try await Self.fake.requests(key: key).last?["body"]?["messages"]?.arrayValue ?? []
    #expect(
      sent.compactMap { $0["content"]?.stringValue } == ["what is the weather like?", first.answer, "and tomorrow?"])
    let stats = try await Self.stats(env)
    #expect(stats["entries"]?.intValue == 1 && stats["hits"]?.intValue == 1 && stats["misses"]?.intValue == 1)
  }

  /// A retry (the chat's `/retry`, `"retry":true`) asks for another answer: never the cached one.
  @Test func aRetryAsksTheProviderAgain() async throws {
    let env = SessionEndToEndTests.home()
    let key = StreamEndToEndTests.key()
    let first = try await Self.turn("pick a colour", key: key, ["--cache", "-s", "r"], env: env)
    #expect(first.status == 0, "\(first.stderr)")
    let url = try await Self.fake.url("key=\(key)")
    let retried = try await Harness.run(
      "tgpt-session", ["--provider", "openrouter", "--base-url", url, "--cache", "-s", "r", "--messages"],
      stdin: #"{"message":"pick a colour","retry":true}"# + "\n", env: env)
    #expect(retried.status == 0, "\(retried.stderr)")
    #expect(Self.cached(retried) == (false, false))
    #expect(try await Self.requests(key) == 2, "the retry made a request")
  }

  @Test func anyDifferenceInTheRequestMisses() async throws {
    let env = SessionEndToEndTests.home()
    let key = StreamEndToEndTests.key()
    _ = try await Self.turn("hello", key: key, env: env)
    var expected = 1
    for extra in [
      ["--model", "other/model"], ["--temperature", "0.5"], ["--system", "be brief"], ["--param", "top_p=0.9"],
    ] {
      let result = try await Self.turn("hello", key: key, ["--cache"] + extra, env: env)
      expected += 1
      #expect(Self.cached(result).start == false, "\(extra)")
      #expect(try await Self.requests(key) == expected, "\(extra)")
    }
    _ = try await Self.turn("hello!", key: key, env: env)
    #expect(try await Self.requests(key) == expected + 1, "another message")
    _ = try await Self.turn("hello", key: key, scenario: "ok", env: env)
    #expect(try await Self.requests(key) == expected + 2, "another base URL")
    _ = try await Self.turn("hello", key: key, ["--no-cache"], env: env)
    #expect(try await Self.requests(key) == expected + 3, "--no-cache")
    let again = try await Self.turn("hello", key: key, env: env)
    #expect(Self.cached(again).start, "the first request is still cached")
  }

  @Test func anEntryPastItsTTLMisses() async throws {
    let env = SessionEndToEndTests.home()
    let key = StreamEndToEndTests.key()
    _ = try await Self.turn("tick", key: key, ["--cache", "1s"], env: env)
    let answered = Date()
    _ = try await Harness.eventually("a second to pass") { Date().timeIntervalSince(answered) > 1.2 }
    let stale = try await Self.turn("tick", key: key, ["--cache", "1s"], env: env)
    #expect(Self.cached(stale).start == false)
    #expect(try await Self.requests(key) == 2)
  }

  @Test func failedAnswersAreNotCached() async throws {
    let env = SessionEndToEndTests.home()
    for scenario in ["error-after=1", "nofinish", "status=400"] {
      let key = StreamEndToEndTests.key()
      for _ in 0..<2 {
        let result = try await Self.turn("one two three", key: key, scenario: scenario, env: env)
        #expect(result.status != 0, "\(scenario)")
        #expect(Self.cached(result).start == false)
      }
      #expect(try await Self.requests(key) == 2, "\(scenario)")
    }
  }

  /// A turn that ran a tool is not kept: replaying it would skip the tool's effects.
  @Test func turnsThatCalledToolsAreNotCached() async throws {
    let env = SessionEndToEndTests.home()
    let home = try #require(env["HOME"])
    let tool = home + "/clock.json"
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    try #"{"name":"clock","description":"the time","parameters":{"type":"object"},"command":["date"]}"#.write(
      toFile: tool, atomically: true, encoding: .utf8)
    let key = StreamEndToEndTests.key()
    for _ in 0..<2 {
      let result = try await Self.turn(
        "what time is it?", key: key, scenario: "call=clock:%7B%7D", ["--cache", "--tool", tool], env: env)
      #expect(result.status == 0, "\(result.stderr)")
      #expect(Self.cached(result).start == false)
    }
    // Two turns, each a round with the call and a round with the answer.
    #expect(try await Self.requests(key) == 4)
    #expect(try await Self.stats(env)["entries"]?.intValue == 0)
  }

  @Test func principalsDoNotShareAnswers() async throws {
    let env = SessionEndToEndTests.home()
    let key = StreamEndToEndTests.key()
    _ = try await Self.turn("secret plan", key: key, ["--cache", "--principal", "alice"], env: env)
    let bob = try await Self.turn("secret plan", key: key, ["--cache", "--principal", "bob"], env: env)
    #expect(Self.cached(bob).start == false, "alice's answer is not served to bob")
    #expect(try await Self.requests(key) == 2)
    #expect(try await Self.stats(env, ["--principal", "alice"])["entries"]?.intValue == 1)
    let cleared = try await Harness.run("tgpt-session", ["cache", "clear", "--principal", "alice"], env: env)
    #expect(cleared.stderr == "tgpt-session: removed 1 cached answer\n")
    #expect(try await Self.stats(env, ["--principal", "alice"])["entries"]?.intValue == 0)
    #expect(try await Self.stats(env, ["--principal", "bob"])["entries"]?.intValue == 1)
    let again = try await Self.turn("secret plan", key: key, ["--cache", "--principal", "bob"], env: env)
    #expect(Self.cached(again).start, "bob's own entry stayed")
    _ = try await Harness.run("tgpt-session", ["cache", "clear"], env: env)
    #expect(try await Self.stats(env)["entries"]?.intValue == 0)
  }

  @Test func theConfigFileTurnsItOn() async throws {
    let home = Harness.scratchDirectory()
    let env = SessionEndToEndTests.home(["XDG_CONFIG_HOME": home.appendingPathComponent("config").path])
    let config = home.appendingPathComponent("config/tgpt")
    try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
    try "cache = \"1h\"\n".write(to: config.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
    let key = StreamEndToEndTests.key()
    _ = try await Self.turn("from cron", key: key, [], env: env)
    let second = try await Self.turn("from cron", key: key, [], env: env)
    #expect(Self.cached(second).start)
    let off = try await Self.turn("from cron", key: key, ["--no-cache"], env: env)
    #expect(Self.cached(off).start == false)
    #expect(try await Self.requests(key) == 2)
  }

  @Test func aBrokenCacheFileWarnsAndTheTurnRuns() async throws {
    let env = SessionEndToEndTests.home()
    let home = try #require(env["TGPT_HOME"])
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    try String(repeating: "not a database ", count: 100).write(
      toFile: home + "/cache.sqlite", atomically: true, encoding: .utf8)
    let result = try await Self.turn("still answered", key: StreamEndToEndTests.key(), env: env)
    #expect(result.status == 0)
    #expect(result.answer == "still answered")
    #expect(result.stderr.contains("is not a response cache"), "\(result.stderr)")
    #expect(result.stderr.contains("--cache is off for this run"))
  }

  /// Several processes fill and read one cache file at once: none fails, nothing is lost.
  @Test func processesShareTheCacheFile() async throws {
    let env = SessionEndToEndTests.home()
    let key = StreamEndToEndTests.key()
    let url = try await Self.fake.url("key=\(key)")
    let result = try await Harness.shell(
      """
      mkdir -p "$TGPT_HOME"; seq 1 16 | sed 's/^/question /' >"$TGPT_HOME/questions"
      for round in 1 2; do
        xargs -P 8 -I{} tgpt-session --provider openrouter --base-url "$URL" --cache "{}" <"$TGPT_HOME/questions" >/dev/null || exit 1
      done
      tgpt-session cache stats
      """, env: env.merging(["URL": url]) { $1 })
    #expect(result.status == 0, "\(result.stderr)")
    let stats = try JSON.parse(result.text)
    #expect(stats["entries"]?.intValue == 16)
    #expect(stats["hits"]?.intValue == 16 && stats["misses"]?.intValue == 16, "\(stats)")
    #expect(try await Self.requests(key) == 16)
  }
}

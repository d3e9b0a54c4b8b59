import Foundation
import TGPTEvents
import Testing

/// tgpt-stream against the fake provider: every fault of issue 2's "Done when", with SPEC §3
/// invariants checked in each case.
@Suite(.timeLimit(.minutes(10))) struct StreamEndToEndTests {
  static var fake: FakeProviderServer {
    get async throws { try await FakeProviderServer.shared }
  }
  static let text = "héllo wörld, 日本語 and 😀👍🏽 done"

  static func stream(
    _ scenario: String, _ extra: [String] = [], prompt: String = text, env: [String: String] = [:],
    signal: Int32? = nil, signalAfter: Int = 0
  ) async throws -> Harness.Result {
    try await Harness.run(
      "tgpt-stream", ["--provider", "openrouter", "--base-url", fake.url(scenario)] + extra + [prompt],
      env: Harness.environment(["OPENROUTER_API_KEY": "test-key"].merging(env) { $1 }), signal: signal,
      signalAfter: signalAfter)
  }

  static func key() -> String { "k\(UInt32.random(in: 0...UInt32.max))" }

  @Test func aNormalAnswerStreamsStartChunksComplete() async throws {
    let result = try await Self.stream("ok")
    #expect(result.status == 0)
    Harness.expectInvariants(result, answer: Self.text)
    let types = result.events.map(\.type)
    #expect(types.first == "start" && types.last == "complete")
    guard case .complete(let complete)? = result.events.last?.payload else { return }
    #expect(complete.finishReason == "stop")
    #expect(complete.usage?.cost?.text == "0.00042", "OpenRouter's usage.cost is kept")
    #expect(result.stderr.isEmpty)
  }

  @Test func rateLimitedThenOKHonoursRetryAfter() async throws {
    let key = Self.key()
    let result = try await Self.stream("status=429;retry-after=1;times=1;key=\(key)")
    #expect(result.status == 0)
    Harness.expectInvariants(result, answer: Self.text)
    let retries = result.events.compactMap { if case .retry(let r) = $0.payload { r } else { nil } }
    #expect(retries.count == 1)
    #expect(retries.first?.delayMs == 1000)
    #expect(retries.first?.status == 429)
    #expect(result.elapsed >= 0.95, "the wait asked for by Retry-After happened")
    #expect(try await Self.fake.requests(key: key).count == 2)
  }

  @Test func alwaysRateLimitedExits75AfterTheRetries() async throws {
    let key = Self.key()
    let result = try await Self.stream("status=429;retry-after=0;key=\(key)", ["--retries", "2"])
    #expect(result.status == 75)
    Harness.expectInvariants(result, answer: "")
    #expect(result.events.filter { $0.type == "retry" }.count == 2)
    #expect(result.failure?.code == .rateLimited)
    #expect(result.failure?.partial == false)
    #expect(try await Self.fake.requests(key: key).count == 3)
  }

  @Test(arguments: [500, 502, 503])
  func serverErrorsExit69AfterTheRetries(_ status: Int) async throws {
    let key = Self.key()
    let result = try await Self.stream("status=\(status);retry-after=0;key=\(key)", ["--retries", "1"])
    #expect(result.status == 69)
    Harness.expectInvariants(result, answer: "")
    #expect(result.failure?.code == .unavailable)
    #expect(result.failure?.status == status)
    #expect(try await Self.fake.requests(key: key).count == 2)
  }

  @Test func unauthorizedExits77WithoutRetrying() async throws {
    let key = Self.key()
    let result = try await Self.stream("status=401;key=\(key)")
    #expect(result.status == 77)
    #expect(result.failure?.code == .auth)
    #expect(try await Self.fake.requests(key: key).count == 1)
  }

  @Test func anErrorAfterHTTP200IsOnePartialError() async throws {
    let result = try await Self.stream("error-after=3")
    #expect(result.status == 69)
    Harness.expectInvariants(result, answer: "héllo wörld, 日本語 ")
    #expect(result.failure?.partial == true)
    #expect(result.failure?.message == "Provider disconnected unexpectedly")
  }

  @Test func aDroppedConnectionIsOnePartialError() async throws {
    let result = try await Self.stream("drop-after=2")
    #expect(result.status == 69)
    Harness.expectInvariants(result, answer: "héllo wörld, ")
    #expect(result.failure?.partial == true)
    #expect(result.failure?.code == .unavailable)
  }

  @Test func aStreamWithoutAFinishIsTruncatedNotComplete() async throws {
    let result = try await Self.stream("nofinish;nodone", ["--retries", "0"])
    #expect(result.status == 69)
    Harness.expectInvariants(result, answer: Self.text)
    #expect(result.failure?.message.contains("without finishing") == true)
  }

  @Test(arguments: ["openrouter", "anthropic"])
  func anEndMarkerWithoutAFinishReasonIsACutShortAnswer(_ provider: String) async throws {
    // llama.cpp sends [DONE] after aborting a generation; Anthropic's message_stop alike.
    let result = try await Harness.run(
      "tgpt-stream", ["--provider", provider, "--base-url", try await Self.fake.url("nofinish"), Self.text],
      env: Harness.environment(["OPENROUTER_API_KEY": "k", "ANTHROPIC_API_KEY": "k"]))
    #expect(result.status == 69, "\(result.stderr)")
    Harness.expectInvariants(result, answer: Self.text)
    #expect(result.failure?.code == .unavailable && result.failure?.partial == true)
    #expect(result.failure?.message.contains("an end marker, but no finish reason") == true, "\(result.text)")
    let text = try await Harness.run(
      "tgpt-stream", ["--provider", provider, "--base-url", try await Self.fake.url("nofinish"), "--text", "a b"],
      env: Harness.environment(["OPENROUTER_API_KEY": "k", "ANTHROPIC_API_KEY": "k"]))
    #expect(text.status == 69 && text.text == "a b\n" && text.stderr.contains("without finishing"))
  }

  @Test func anEmpty200IsRetriedThenAnError() async throws {
    let key = Self.key()
    let result = try await Self.stream("empty;key=\(key)", ["--retries", "1"])
    #expect(result.status == 69)
    Harness.expectInvariants(result, answer: "")
    #expect(try await Self.fake.requests(key: key).count == 2)
  }

  @Test func aStallEndsAtTheIdleTimeoutWithExit75() async throws {
    let result = try await Self.stream("stall-after=2", ["--idle-timeout", "2"])
    #expect(result.status == 75)
    Harness.expectInvariants(result, answer: "héllo wörld, ")
    #expect(result.failure?.code == .timeout)
    #expect(result.failure?.partial == true)
    #expect(result.failure?.message.contains("--idle-timeout") == true)
    #expect(result.elapsed >= 2, "it waited for the idle timeout, not less")
  }

  @Test func theOverallDeadlineEndsASlowAnswer() async throws {
    let result = try await Self.stream("delay=300", ["--timeout", "1"], prompt: "a b c d e f g h i j k l")
    #expect(result.status == 75)
    Harness.expectInvariants(result)
    #expect(result.failure?.code == .timeout)
    #expect(result.failure?.message == "no complete answer within 1 s (--timeout)")
  }

  @Test func doneEndsTheAnswerEvenIfTheServerKeepsTheConnection() async throws {
    // The server holds the connection until the client leaves; waiting for it would run into
    // the hang guard long before the idle timeout.
    let result = try await Harness.run(
      "tgpt-stream",
      ["--provider", "openrouter", "--base-url", Self.fake.url("hold"), "--idle-timeout", "3600", "a b"],
      env: Harness.environment(["OPENROUTER_API_KEY": "k"]))
    #expect(result.status == 0)
    Harness.expectInvariants(result, answer: "a b")
  }

  @Test func aFinishWithoutDONEOnAHeldConnectionCompletesAfterAShortGrace() async throws {
    let result = try await Harness.run(
      "tgpt-stream",
      ["--provider", "openrouter", "--base-url", Self.fake.url("hold;nodone"), "--idle-timeout", "3600", "a b"],
      env: Harness.environment(["OPENROUTER_API_KEY": "k"]))
    #expect(result.status == 0)
    Harness.expectInvariants(result, answer: "a b")
    guard case .complete(let complete)? = result.events.last?.payload else { return }
    #expect(complete.usage?.totalTokens != nil, "the usage chunk after the finish still arrived")
  }

  @Test func anErrorReportedAfterTheFinishIsStillAnError() async throws {
    let result = try await Self.stream("late-error")
    #expect(result.status == 69)
    Harness.expectInvariants(result, answer: Self.text)
    #expect(result.failure?.message == "late failure after the finish")
  }

  @Test func utf8SplitAcrossWritesArrivesIntact() async throws {
    let result = try await Self.stream("split")
    #expect(result.status == 0)
    Harness.expectInvariants(result, answer: Self.text)
    #expect(!result.answer.contains("\u{FFFD}"))
  }

  @Test func keepAliveCommentsCRLFAndSlowFirstByte() async throws {
    let result = try await Self.stream("keepalive;crlf;first=300;nodone")
    #expect(result.status == 0)
    Harness.expectInvariants(result, answer: Self.text)
  }

  @Test func aFortyKilobyteEventArrivesWhole() async throws {
    let result = try await Self.stream("big=40000", prompt: "x")
    #expect(result.status == 0)
    Harness.expectInvariants(result, answer: "x" + String(repeating: "x", count: 40000))
  }

  @Test func reasoningIsItsOwnEventNeverChunkContent() async throws {
    let result = try await Self.stream("reasoning")
    Harness.expectInvariants(result, answer: Self.text)
    let reasoning = result.events.compactMap { if case .reasoning(let r) = $0.payload { r.content } else { nil } }
    #expect(reasoning.joined() == "Let me think. ")
  }

  @Test func toolCallFragmentsBecomeOneEvent() async throws {
    let result = try await Self.stream("tools", prompt: "weather?")
    Harness.expectInvariants(result, answer: "weather?")
    let calls = result.events.compactMap { if case .toolCall(let c) = $0.payload { c } else { nil } }
    #expect(calls == [Event.ToolCall(callID: "call_1", name: "get_weather", arguments: ["city": "Paris"])])
  }

  @Test func llamaCppErrorFieldIsReported() async throws {
    let result = try await Self.stream("llama-error")
    #expect(result.status == 65)
    #expect(result.failure?.code == .contextOverflow)
  }

  @Test func aNonStreamingJSONAnswerIsAccepted() async throws {
    let result = try await Self.stream("json")
    #expect(result.status == 0)
    Harness.expectInvariants(result, answer: Self.text)
  }

  // The fake holds the answer after its third word until the client leaves: the signal, sent
  // once two words have arrived, always meets an answer in progress.
  @Test func sigintMidAnswerIsInterruptedAnd130() async throws {
    let result = try await Self.stream(
      "stall-after=3", ["--idle-timeout", "3600"], prompt: "a b c d e f", signal: SIGINT, signalAfter: 3)
    #expect(result.status == 130)
    Harness.expectInvariants(result)
    #expect(result.failure?.code == .interrupted)
    #expect(result.failure?.partial == true)
  }

  @Test func sigtermMidAnswerIsInterruptedAnd143() async throws {
    let result = try await Self.stream(
      "stall-after=3", ["--idle-timeout", "3600"], prompt: "a b c d e f", signal: SIGTERM, signalAfter: 3)
    #expect(result.status == 143)
    Harness.expectInvariants(result)
    #expect(result.failure?.code == .interrupted)
  }

  @Test func sigintWhileWaitingToRetryIsInterrupted() async throws {
    // Retry-After at its cap of a minute: the signal comes during the wait.
    let result = try await Self.stream("status=429;retry-after=60;key=\(Self.key())", signal: SIGINT, signalAfter: 2)
    #expect(result.status == 130)
    Harness.expectInvariants(result)
    #expect(result.failure?.partial == false)
  }

  @Test func theRequestCarriesWhatTheFlagsSay() async throws {
    let key = Self.key()
    let result = try await Self.stream(
      "ok;key=\(key)",
      [
        "-m", "some/model", "--system", "be brief", "--temperature", "0.2", "--max-tokens", "50", "--param",
        "top_p=0.9",
        "--param", "reasoning_effort=high", "--header", "X-Test: yes", "--app-url", "https://example.org",
      ],
      prompt: "hi")
    #expect(result.status == 0)
    let recorded = try #require(try await Self.fake.requests(key: key).first)
    let body = try #require(recorded["body"])
    #expect(
      body.compactText
        == #"{"model":"some/model","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true},"temperature":0.2,"max_tokens":50,"top_p":0.9,"reasoning_effort":"high"}"#
    )
    let headers = try #require(recorded["headers"])
    #expect(headers["authorization"]?.stringValue == "Bearer test-key")
    #expect(headers["x-test"]?.stringValue == "yes")
    #expect(headers["x-title"]?.stringValue == "tgpt")
    #expect(headers["http-referer"]?.stringValue == "https://example.org")
    #expect(!result.text.contains("test-key"), "the key never appears in events")
  }

  @Test func anthropicStreamsThroughTheSameEvents() async throws {
    let result = try await Harness.run(
      "tgpt-stream", ["--provider", "anthropic", "--base-url", Self.fake.url("tools"), "a b"],
      env: Harness.environment(["ANTHROPIC_API_KEY": "k"]))
    #expect(result.status == 0)
    Harness.expectInvariants(result, answer: "a b")
    #expect(result.events.contains { $0.type == "tool_call" })
  }

  @Test func proxyVariablesAreHonoured() async throws {
    let key = Self.key()
    let result = try await Harness.run(
      "tgpt-stream",
      ["--provider", "openrouter", "--base-url", "http://upstream.invalid/ok;key=\(key)/v1", "via proxy"],
      env: Harness.environment(["OPENROUTER_API_KEY": "k", "http_proxy": Self.fake.baseURL]))
    #expect(result.status == 0)
    Harness.expectInvariants(result, answer: "via proxy")
    #expect(try await Self.fake.requests(key: key).first?["proxied_host"]?.stringValue == "upstream.invalid")
  }

  @Test func aBaseURLWithoutAProviderNeverReceivesAHostedKey() async throws {
    let home = Harness.scratchDirectory()
    let config = home.appendingPathComponent("config/tgpt")
    try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
    try "provider = \"openrouter\"\n".write(
      to: config.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
    for extra in [[:], ["TGPT_PROVIDER": "openrouter"]] as [[String: String]] {
      let key = Self.key()
      var env = ["OPENROUTER_API_KEY": "sk-or-secret", "TGPT_API_KEY": "generic-secret"]
      env.merge(extra) { $1 }
      let result = try await Harness.run(
        "tgpt-stream", ["--base-url", Self.fake.url("ok;key=\(key)"), "hi"], env: Harness.environment(env, home: home))
      #expect(result.status == 0)
      let headers = try #require(try await Self.fake.requests(key: key).first?["headers"])
      #expect(headers["authorization"]?.stringValue == "Bearer generic-secret", "only the compatible key: \(extra)")
    }
  }

  @Test func hostedProvidersReadOnlyTheirOwnKeyVariable() async throws {
    let result = try await Harness.run(
      "tgpt-stream", ["--provider", "openai", "hi"], env: Harness.environment(["TGPT_API_KEY": "x"]))
    #expect(result.status == 77)
    #expect(result.stderr.contains("OPENAI_API_KEY"))
  }

  @Test func aRedirectIsAConfigurationErrorNamingTheTarget() async throws {
    let key = Self.key()
    let result = try await Self.stream("status=301;location=https%3A%2F%2Fexample.org%2Fv1;key=\(key)")
    #expect(result.status == 78)
    #expect(result.failure?.message.contains("redirected to https://example.org/v1") == true)
    #expect(try await Self.fake.requests(key: key).count == 1, "not retried")
  }

  @Test func aMalformedURLIsAConfigurationErrorWithoutRetries() async throws {
    let result = try await Harness.run("tgpt-stream", ["--base-url", "http://exa mple.com/v1", "hi"])
    #expect(result.status == 78)
    #expect(!result.events.contains { $0.type == "retry" })
  }

  @Test func aRefusedConnectionExits69() async throws {
    let result = try await Harness.run("tgpt-stream", ["--base-url", "http://127.0.0.1:1/v1", "--retries", "0", "hi"])
    #expect(result.status == 69)
    Harness.expectInvariants(result)
    #expect(result.failure?.message.contains("could not connect") == true)
  }
}

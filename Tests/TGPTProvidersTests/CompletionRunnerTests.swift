import Synchronization
import Testing

@testable import TGPTEvents
@testable import TGPTProviders

/// An upstream that plays one script per attempt.
final class ScriptedUpstream: Upstream, @unchecked Sendable {
  enum Step {
    case output(ProviderOutput)
    case fail(ProviderError)
    case sleep(milliseconds: Int)
  }

  private let scripts: Guarded<[[Step]]>
  let attempts = Atomic<Int>(0)

  init(_ scripts: [[Step]]) { self.scripts = Guarded(scripts) }

  func attempt(
    _ request: ChatRequest, limits: RunLimits, deadline: Deadline?, emit: (ProviderOutput) throws -> Void
  ) async throws {
    attempts.add(1, ordering: .relaxed)
    let script = scripts.withLock { $0.isEmpty ? [] : $0.removeFirst() }
    for step in script {
      switch step {
      case .output(let output): try emit(output)
      case .fail(let error): throw error
      case .sleep(let ms): try await Task.sleep(for: .milliseconds(ms))
      }
    }
  }
}

extension Provider {
  init(testing upstream: any Upstream) {
    self.init(kind: .echo, baseURL: nil, upstream: upstream)
  }
}

@Suite struct CompletionRunnerTests {
  static let ok: [ScriptedUpstream.Step] = [
    .output(.model("m")), .output(.content("Hel")), .output(.content("lo")), .output(.finish("stop")), .output(.done),
  ]
  static let rateLimited = ProviderError.http(
    status: 429, message: "slow down", details: nil, code: nil, type: nil, retryAfter: 0, shouldRetry: nil)
  static let fastRetry = RetryPolicy(retries: 3, maxRetryAfter: 60, baseDelay: 0.001, maxDelay: 0.002)

  static func run(_ scripts: [[ScriptedUpstream.Step]], retry: RetryPolicy = fastRetry, limits: RunLimits = RunLimits())
    async -> (RunOutcome, [Event], ScriptedUpstream)
  {
    let upstream = ScriptedUpstream(scripts)
    let runner = CompletionRunner(provider: Provider(testing: upstream), retry: retry, limits: limits)
    var events: [Event] = []
    let outcome = await runner.run(ChatRequest(prompt: "hi"), id: "r1", sessionID: "s1") { events.append($0) }
    return (outcome, events, upstream)
  }

  /// SPEC §3 invariant 1: exactly one terminal event, and it is the last.
  static func expectOneTerminal(_ events: [Event], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(events.filter(\.isTerminal).count == 1, sourceLocation: sourceLocation)
    #expect(events.last?.isTerminal == true, sourceLocation: sourceLocation)
    #expect(events.first?.type == "start", sourceLocation: sourceLocation)
  }

  @Test func successWritesStartChunksComplete() async {
    let (outcome, events, _) = await Self.run([Self.ok])
    Self.expectOneTerminal(events)
    #expect(events.map(\.type) == ["start", "chunk", "chunk", "complete"])
    #expect(events.allSatisfy { $0.id == "r1" && $0.sessionID == "s1" })
    guard case .completed(let complete) = outcome else {
      Issue.record("expected completion")
      return
    }
    #expect(complete.finishReason == "stop")
    #expect(complete.model == "m")
  }

  @Test func retriesBeforeTheFirstByteThenSucceeds() async {
    let (outcome, events, upstream) = await Self.run([[.fail(Self.rateLimited)], [.fail(Self.rateLimited)], Self.ok])
    Self.expectOneTerminal(events)
    #expect(events.map(\.type) == ["start", "retry", "retry", "chunk", "chunk", "complete"])
    #expect(upstream.attempts.load(ordering: .relaxed) == 3)
    if case .completed = outcome {} else { Issue.record("expected completion") }
  }

  @Test func givesUpAfterTheConfiguredRetries() async {
    var retry = Self.fastRetry
    retry.retries = 2
    let (outcome, events, upstream) = await Self.run(
      Array(repeating: [.fail(Self.rateLimited)], count: 5), retry: retry)
    Self.expectOneTerminal(events)
    #expect(events.filter { $0.type == "retry" }.count == 2)
    #expect(upstream.attempts.load(ordering: .relaxed) == 3)
    guard case .failed(let failure) = outcome else {
      Issue.record("expected failure")
      return
    }
    #expect(failure.code == .rateLimited)
    #expect(failure.partial == false)
  }

  @Test func neverRetriesOnceTheAnswerStarted() async {
    let lost = ProviderError.connectionLost("reset")
    let (outcome, events, upstream) = await Self.run([[.output(.content("Hel")), .fail(lost)], Self.ok])
    Self.expectOneTerminal(events)
    #expect(upstream.attempts.load(ordering: .relaxed) == 1)
    guard case .failed(let failure) = outcome else {
      Issue.record("expected failure")
      return
    }
    #expect(failure.partial)
    #expect(failure.code == .unavailable)
  }

  @Test func reasoningAlsoCountsAsStartedOutput() async {
    let (_, events, upstream) = await Self.run([[.output(.reasoning("hmm")), .fail(.connectionLost("x"))], Self.ok])
    Self.expectOneTerminal(events)
    #expect(upstream.attempts.load(ordering: .relaxed) == 1)
  }

  @Test func nonRetryableFailuresAreNotRetried() async {
    let unauthorized = ProviderError.http(
      status: 401, message: "no", details: nil, code: nil, type: nil, retryAfter: nil, shouldRetry: nil)
    let noQuota = ProviderError.http(
      status: 429, message: "quota", details: nil, code: "insufficient_quota", type: nil, retryAfter: nil,
      shouldRetry: nil)
    let told = ProviderError.http(
      status: 503, message: "no", details: nil, code: nil, type: nil, retryAfter: nil, shouldRetry: false)
    for error in [unauthorized, noQuota, told, .idleTimeout(seconds: 1)] {
      let (_, events, upstream) = await Self.run([[.fail(error)], Self.ok])
      Self.expectOneTerminal(events)
      #expect(upstream.attempts.load(ordering: .relaxed) == 1, "\(error)")
    }
  }

  @Test func cancellationWritesInterruptedWithPartial() async {
    let upstream = ScriptedUpstream([[.output(.content("Hel")), .sleep(milliseconds: 60_000)]])
    let runner = CompletionRunner(provider: Provider(testing: upstream))
    let collected = Guarded<[Event]>([])
    let task = Task {
      await runner.run(ChatRequest(prompt: "hi"), interruption: { "stopped" }) { event in
        collected.withLock { $0.append(event) }
      }
    }
    while collected.withLock({ $0.count }) < 2 { await Task.yield() }
    task.cancel()
    let outcome = await task.value
    let events = collected.withLock { $0 }
    Self.expectOneTerminal(events)
    guard case .failed(let failure) = outcome else {
      Issue.record("expected failure")
      return
    }
    #expect(failure.code == .interrupted)
    #expect(failure.message == "stopped")
    #expect(failure.partial)
  }

  @Test func aClosedOutputEndsTheRunQuietly() async {
    let runner = CompletionRunner(provider: Provider(testing: ScriptedUpstream([Self.ok])))
    var writes = 0
    let outcome = await runner.run(ChatRequest(prompt: "hi")) { _ in
      writes += 1
      if writes == 2 { throw ProtocolError.outputClosed }
    }
    guard case .outputClosed = outcome else {
      Issue.record("expected .outputClosed, got \(outcome)")
      return
    }
    #expect(writes == 2, "nothing is written after EPIPE")
  }

  @Test func otherWriteFailuresAreNotQuiet() async {
    let runner = CompletionRunner(provider: Provider(testing: ScriptedUpstream([Self.ok])))
    let outcome = await runner.run(ChatRequest(prompt: "hi")) { event in
      if event.type == "chunk" { throw ProtocolError.writeFailed(errno: 28) }
    }
    guard case .outputFailed(let why) = outcome else {
      Issue.record("expected .outputFailed, got \(outcome)")
      return
    }
    #expect(why.contains("errno 28"))
  }

  @Test func theDeadlineBoundsRetryWaits() async {
    let slow = ProviderError.http(
      status: 429, message: "wait", details: nil, code: nil, type: nil, retryAfter: 30, shouldRetry: nil)
    let (outcome, events, _) = await Self.run(
      [[.fail(slow)], Self.ok], limits: RunLimits(connectTimeout: 1, idleTimeout: 1, totalTimeout: 0.5))
    Self.expectOneTerminal(events)
    guard case .failed(let failure) = outcome else {
      Issue.record("expected failure")
      return
    }
    #expect(failure.code == .timeout)
    #expect(failure.details?.contains("HTTP 429") == true)
  }
}

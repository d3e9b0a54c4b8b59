import TGPTEvents
import TGPTSession
import TGPTTools
import Testing

@testable import TGPTOrchestrator
@testable import TGPTProviders

/// A model that calls `calls` (name, arguments) while the request's last message is the
/// user's, and otherwise answers with what the tool messages said; it keeps every request.
final class ToolUsingModel: Upstream {
  let calls: [(String, JSON)]
  /// Rounds of calls before it answers (it counts the tool rounds already in the request).
  let rounds: Int
  private let requests = Guarded<[ChatRequest]>([])

  init(calls: [(String, JSON)], rounds: Int = 1) {
    self.calls = calls
    self.rounds = rounds
  }

  var seen: [ChatRequest] { requests.withLock { $0 } }

  func attempt(
    _ chat: ChatRequest, limits: RunLimits, deadline: Deadline?, emit: (ProviderOutput) throws -> Void
  ) async throws {
    requests.withLock { $0.append(chat) }
    try emit(.model("scripted"))
    let done = chat.messages.filter { $0["tool_calls"] != nil }.count
    if done < rounds {
      try emit(.content("Let me look. "))
      for (index, call) in calls.enumerated() {
        try emit(.toolCall(.init(callID: "c\(done)-\(index)", name: call.0, arguments: call.1)))
      }
      try emit(.finish("tool_calls"))
      try emit(.usage(Usage(promptTokens: 10, completionTokens: 2, totalTokens: 12)))
    } else {
      let results = chat.messages.reversed().prefix { $0["role"]?.stringValue == "tool" }.reversed()
      let text = results.map { "\($0["tool_call_id"]?.stringValue ?? "?")=\($0["content"]?.stringValue ?? "?")" }
      try emit(.content("Answer: " + text.joined(separator: ", ")))
      try emit(.finish("stop"))
      try emit(.usage(Usage(promptTokens: 20, completionTokens: 3, totalTokens: 23)))
    }
    try emit(.done)
  }

  func models(limits: RunLimits, deadline: Deadline?) async throws -> [JSON] { [] }
}

/// Tools that answer from a table; `slow` waits until cancelled.
struct TableTools: ToolExecutor {
  var specs: [ToolSpec] {
    ["clock", "echo", "slow"].map { ToolSpec(name: $0, description: "test", parameters: ["type": "object"]) }
  }

  func run(_ call: Event.ToolCall, onOutput: @escaping @Sendable (String) -> Void) async -> ToolOutcome {
    switch call.name {
    case "clock":
      onOutput("12:")
      onOutput("00")
      return ToolOutcome(content: "12:00", exitCode: 0)
    case "echo": return ToolOutcome(content: call.arguments.compactText, exitCode: 0)
    case "slow":
      while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
      return ToolOutcome(content: "stopped", exitCode: 143, isError: true)
    default: return ToolOutcome(content: "no tool named \(call.name)", isError: true)
    }
  }
}

func toolRunner(
  _ store: any SessionStore, model: ToolUsingModel, approval: ToolApproval = .always, maxRounds: Int = 8
) -> TurnRunner {
  TurnRunner(store: store) { _ in
    let provider = Provider(kind: .openai, baseURL: "http://127.0.0.1:9", upstream: model)
    return TurnSetup(
      runner: CompletionRunner(provider: provider), request: ChatRequest(messages: [], model: "scripted"),
      providerName: "openai", tools: TurnTools(executor: TableTools(), approval: approval, maxRounds: maxRounds))
  }
}

@Suite(.timeLimit(.minutes(5))) struct ToolLoopTests {
  @Test func parallelCallsRunTheirResultsGoBackAndTheTurnEndsOnce() async throws {
    let store = try makeStore()
    let model = ToolUsingModel(calls: [("clock", ["tz": "UTC"]), ("echo", ["say": "hi"])])
    let events = Collected()
    let outcome = await toolRunner(store, model: model).run(TurnRequest(sessionID: "s", requestID: "r", message: "q")) {
      events.append($0)
    }
    guard case .completed(let complete) = outcome else { Issue.record("\(outcome)"); return }
    let types = events.all.map(\.type)
    #expect(types.filter { $0 == "start" }.count == 1 && types.filter { $0 == "complete" }.count == 1)
    #expect(types.last == "complete" && !types.contains("error"))
    #expect(events.all.allSatisfy { $0.id == "r" && $0.sessionID == "s" })
    let outputs = events.all.compactMap { if case .toolOutput(let o) = $0.payload { o.content } else { nil } }
    #expect(outputs == ["12:", "00"])
    let results = events.all.compactMap { if case .toolResult(let r) = $0.payload { r } else { nil } }
    #expect(Set(results.map(\.content)) == ["12:00", #"{"say":"hi"}"#])
    #expect(results.allSatisfy { !$0.isError && $0.durationMs != nil })
    let text = events.all.compactMap { if case .chunk(let c) = $0.payload { c.content } else { nil } }.joined()
    #expect(text == #"Let me look. Answer: c0-0=12:00, c0-1={"say":"hi"}"#)
    let lastChunk = events.all.last { $0.type == "chunk" }
    if case .chunk(let chunk)? = lastChunk?.payload { #expect(chunk.toolsUsed == ["clock", "echo"]) }
    #expect(complete.usage?.totalTokens == 35, "both rounds' usage")

    // The second request carried the exchange in the OpenAI shape.
    let second = try #require(model.seen.last)
    let roles = second.messages.map { $0["role"]?.stringValue ?? "" }
    #expect(roles == ["user", "assistant", "tool", "tool"])
    #expect(second.messages[1]["tool_calls"]?.arrayValue?.count == 2)
    #expect(
      second.messages[1]["tool_calls"]?.arrayValue?.first?["function"]?["arguments"]?.stringValue == #"{"tz":"UTC"}"#)
    #expect(second.messages[2]["tool_call_id"]?.stringValue == "c0-0")
    #expect(model.seen.first?.tools.map(\.name) == ["clock", "echo", "slow"])

    // Recorded, and replayed on the next turn before the new message.
    let session = try #require(try await store.session("s"))
    #expect(session.messages.map(\.role) == ["user", "assistant", "tool", "tool", "assistant"])
    #expect(session.messages.allSatisfy { $0.status == .complete })
    _ = await toolRunner(store, model: model).run(TurnRequest(sessionID: "s", message: "next")) { _ in }
    let replay = try #require(model.seen.last)
    #expect(
      replay.messages.map { $0["role"]?.stringValue ?? "" } == [
        "user", "assistant", "tool", "tool", "assistant", "user",
      ])
  }

  @Test func deniedCallsGiveTheModelAnErrorResult() async throws {
    let store = try makeStore()
    let model = ToolUsingModel(calls: [("clock", [:]), ("echo", [:])])
    let asked = Guarded<[String]>([])
    let approval = ToolApproval.ask { call in
      asked.withLock { $0.append(call.name) }
      return call.name == "echo"
    }
    let events = Collected()
    let outcome = await toolRunner(store, model: model, approval: approval).run(
      TurnRequest(sessionID: "s", message: "q")
    ) { events.append($0) }
    guard case .completed = outcome else { Issue.record("\(outcome)"); return }
    #expect(asked.withLock { $0 } == ["clock", "echo"], "asked one call at a time, in order")
    let results = events.all.compactMap { if case .toolResult(let r) = $0.payload { r } else { nil } }
    let clock = try #require(results.first { $0.name == "clock" })
    #expect(clock.isError && clock.content.contains("declined"))
    #expect(results.first { $0.name == "echo" }?.isError == false)
    let sent = model.seen.last?.messages.last { $0["tool_call_id"]?.stringValue == "c0-0" }
    #expect(sent?["is_error"]?.boolValue == true)
  }

  @Test func anUnknownToolIsAnErrorResultWithoutAsking() async throws {
    let store = try makeStore()
    let model = ToolUsingModel(calls: [("rm_rf", [:])])
    let approval = ToolApproval.ask { _ in
      Issue.record("asked about a tool we do not have")
      return true
    }
    let events = Collected()
    let outcome = await toolRunner(store, model: model, approval: approval).run(
      TurnRequest(sessionID: "s", message: "q")
    ) { events.append($0) }
    guard case .completed = outcome else { Issue.record("\(outcome)"); return }
    let result = events.all.compactMap { if case .toolResult(let r) = $0.payload { r } else { nil } }.first
    #expect(result?.isError == true && result?.content.contains("no tool named rm_rf") == true)
  }

  @Test func pastMaxRoundsTheTurnEndsWithAnErrorSayingSo() async throws {
    let store = try makeStore()
    let model = ToolUsingModel(calls: [("clock", [:])], rounds: 5)
    let events = Collected()
    let outcome = await toolRunner(store, model: model, maxRounds: 2).run(TurnRequest(sessionID: "s", message: "q")) {
      events.append($0)
    }
    guard case .failed(let failure) = outcome else { Issue.record("\(outcome)"); return }
    #expect(failure.message.contains("--max-tool-rounds 2") && failure.partial)
    #expect(events.all.filter(\.isTerminal).count == 1 && events.all.last?.type == "error")
    #expect(model.seen.count == 3, "two rounds ran, the third request's calls did not")
    // The turn is left out of later context: its last answer is not complete.
    _ = await toolRunner(store, model: ToolUsingModel(calls: [])).run(TurnRequest(sessionID: "s", message: "next")) {
      _ in
    }
    let session = try #require(try await store.session("s"))
    #expect(session.messages.last { $0.turn == 1 && $0.role == "assistant" }?.status == .partial)
  }

  @Test func cancellingWhileAToolRunsEndsTheTurnInterrupted() async throws {
    let store = try makeStore()
    let model = ToolUsingModel(calls: [("slow", [:])])
    let events = Collected()
    let task = Task {
      await toolRunner(store, model: model).run(TurnRequest(sessionID: "s", message: "q")) { events.append($0) }
    }
    try await eventually { events.all.contains { $0.type == "tool_call" } }
    task.cancel()
    guard case .failed(let failure) = await task.value else { Issue.record("not failed"); return }
    #expect(failure.code == .interrupted && failure.partial)
    #expect(events.all.filter(\.isTerminal).count == 1)
    let session = try #require(try await store.session("s"))
    let answer = try #require(session.messages.last)
    #expect(answer.role == "assistant" && answer.status == .interrupted)
    let calling = session.messages.first { $0.toolCalls?.arrayValue != nil }
    #expect(calling?.toolCalls?.arrayValue?.first?["name"]?.stringValue == "slow", "the call is kept with the record")
    // What became of the call: stopped while it ran, or not started at all.
    let outcome = session.messages.first { $0.role == "tool" }?.content ?? ""
    #expect(outcome == "stopped" || outcome.contains("interrupted"), "\(outcome)")
    let builder = ContextBuilder(budget: 100_000)
    let context = try builder.build(history: try await store.history(of: "s").messages, system: nil, message: "x")
    #expect(context.turnsSent == 0, "a turn cut short in its tools is not sent again")
  }

  @Test func aTurnWithoutToolsGetsEarlierExchangesAsText() async throws {
    let store = try makeStore()
    let model = ToolUsingModel(calls: [("clock", ["tz": "UTC"])])
    _ = await toolRunner(store, model: model).run(TurnRequest(sessionID: "s", message: "q")) { _ in }
    let plain = ToolUsingModel(calls: [], rounds: 0)
    let runner = TurnRunner(store: store) { _ in
      let provider = Provider(kind: .anthropic, baseURL: "http://127.0.0.1:9", upstream: plain)
      return TurnSetup(
        runner: CompletionRunner(provider: provider), request: ChatRequest(messages: [], model: "scripted"),
        providerName: "anthropic")
    }
    _ = await runner.run(TurnRequest(sessionID: "s", message: "next")) { _ in }
    let sent = try #require(plain.seen.last)
    #expect(sent.tools.isEmpty)
    #expect(sent.messages.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "user"])
    #expect(!sent.messages.contains { $0["tool_calls"] != nil })
    let answer = sent.messages[1]["content"]?.stringValue ?? ""
    #expect(answer.contains(#"[tool clock({"tz":"UTC"}) → 12:00]"#), "\(answer)")
    #expect(answer.hasPrefix("Let me look. ") && answer.hasSuffix("Answer: c0-0=12:00"), "\(answer)")
  }

  @Test func eachMessageKeepsItsOwnRoundsUsage() async throws {
    let store = try makeStore()
    _ = await toolRunner(store, model: ToolUsingModel(calls: [("clock", [:])])).run(
      TurnRequest(sessionID: "s", message: "q")
    ) { _ in }
    let session = try #require(try await store.session("s"))
    let totals = session.messages.filter { $0.role == "assistant" }.map { $0.usage?.totalTokens }
    #expect(totals == [12, 23], "the rounds' own usage, which add up to the turn's")
  }

  @Test func manyCallsRunEightAtATimeAndAtMostThirtyTwo() async throws {
    let store = try makeStore()
    let counter = ConcurrencyCounter()
    let model = ToolUsingModel(calls: (0..<40).map { _ in ("count", [:]) })
    let runner = TurnRunner(store: store) { _ in
      let provider = Provider(kind: .openai, baseURL: "http://127.0.0.1:9", upstream: model)
      return TurnSetup(
        runner: CompletionRunner(provider: provider), request: ChatRequest(messages: [], model: "scripted"),
        providerName: "openai", tools: TurnTools(executor: counter))
    }
    let events = Collected()
    _ = await runner.run(TurnRequest(sessionID: "s", message: "q")) { events.append($0) }
    let results = events.all.compactMap { if case .toolResult(let r) = $0.payload { r } else { nil } }
    #expect(results.count == 40)
    #expect(counter.peak <= 8, "peak \(counter.peak)")
    #expect(counter.runs == 32)
    #expect(results.filter { $0.isError && $0.content.contains("at most 32") }.count == 8)
  }

  @Test func anInterruptedRoundKeepsItsResults() async throws {
    let store = try makeStore()
    let model = ToolUsingModel(calls: [("clock", [:]), ("slow", [:])])
    let events = Collected()
    let task = Task {
      await toolRunner(store, model: model).run(TurnRequest(sessionID: "s", message: "q")) { events.append($0) }
    }
    try await eventually { events.all.contains { $0.type == "tool_result" } }
    task.cancel()
    _ = await task.value
    let session = try #require(try await store.session("s"))
    #expect(session.messages.map(\.role) == ["user", "assistant", "tool", "tool", "assistant"])
    #expect(session.messages.last?.status == .interrupted)
    #expect(Set(session.messages.filter { $0.role == "tool" }.map(\.content)) == ["12:00", "stopped"])
  }

  @Test func resultsThatOutgrowTheContextEndTheTurnWithContextOverflow() async throws {
    let store = try makeStore()
    let model = ToolUsingModel(calls: (0..<8).map { _ in ("flood", [:]) })
    let runner = TurnRunner(store: store) { _ in
      let provider = Provider(kind: .openai, baseURL: "http://127.0.0.1:9", upstream: model)
      return TurnSetup(
        runner: CompletionRunner(provider: provider), request: ChatRequest(messages: [], model: "scripted"),
        providerName: "openai", contextTokens: 2048, tools: TurnTools(executor: Flood()))
    }
    let events = Collected()
    let outcome = await runner.run(TurnRequest(sessionID: "s", message: "q")) { events.append($0) }
    guard case .failed(let failure) = outcome else { Issue.record("\(outcome)"); return }
    #expect(failure.code == .contextOverflow && failure.message.contains("tool results"))
    #expect(model.seen.count == 1, "the overflowing request was not sent")
    #expect(events.all.filter(\.isTerminal).count == 1)
  }

  @Test func trimmingDropsACallWithItsResults() throws {
    var stored: [StoredMessage] = []
    func add(_ turn: Int, _ role: String, _ content: String, _ tools: JSON? = nil) {
      stored.append(
        StoredMessage(
          sessionID: "s", seq: stored.count + 1, turn: turn, role: role, content: content, toolCalls: tools,
          createdAt: 0))
    }
    add(1, "user", "old question")
    add(1, "assistant", "", [["call_id": "a", "name": "clock", "arguments": [:]]])
    add(1, "tool", String(repeating: "result ", count: 200), ["call_id": "a", "name": "clock"])
    add(1, "assistant", "old answer")
    add(2, "user", "recent")
    add(2, "assistant", "recent answer")
    let all = try ContextBuilder(budget: 100_000).build(history: stored, system: nil, message: "new")
    #expect(
      all.messages.map { $0["role"]?.stringValue ?? "" } == [
        "user", "assistant", "tool", "assistant", "user", "assistant", "user",
      ])
    let tight = try ContextBuilder(budget: 100).build(history: stored, system: nil, message: "new")
    #expect(tight.messages.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "user"])
    #expect(!tight.messages.contains { $0["role"]?.stringValue == "tool" || $0["tool_calls"] != nil })
  }
}

/// Waits for `condition`, checking every 10 ms, for up to two minutes.
func eventually(_ condition: @Sendable () -> Bool) async throws {
  let deadline = ContinuousClock.now + .seconds(120)
  while !condition() {
    guard ContinuousClock.now < deadline else { throw CancellationError() }
    try await Task.sleep(for: .milliseconds(10))
  }
}

/// One tool, `count`, that records how many of its runs overlap.
final class ConcurrencyCounter: ToolExecutor {
  private let state = Guarded((running: 0, peak: 0, runs: 0))
  var peak: Int { state.withLock { $0.peak } }
  var runs: Int { state.withLock { $0.runs } }
  var specs: [ToolSpec] { [ToolSpec(name: "count", description: "test", parameters: ["type": "object"])] }

  func run(_ call: Event.ToolCall, onOutput: @escaping @Sendable (String) -> Void) async -> ToolOutcome {
    state.withLock {
      $0.running += 1
      $0.runs += 1
      $0.peak = max($0.peak, $0.running)
    }
    try? await Task.sleep(for: .milliseconds(20))
    state.withLock { $0.running -= 1 }
    return ToolOutcome(content: "ok", exitCode: 0)
  }
}

/// One tool, `flood`, that answers with 4000 characters.
struct Flood: ToolExecutor {
  var specs: [ToolSpec] { [ToolSpec(name: "flood", description: "test", parameters: ["type": "object"])] }
  func run(_ call: Event.ToolCall, onOutput: @escaping @Sendable (String) -> Void) async -> ToolOutcome {
    ToolOutcome(content: String(repeating: "x", count: 4000), exitCode: 0)
  }
}

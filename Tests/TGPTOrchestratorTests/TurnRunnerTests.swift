import Foundation
import TGPTEvents
import TGPTProviders
import TGPTSession
import Testing

@testable import TGPTOrchestrator

/// Events written by a turn, gathered from any task.
final class Collected: Sendable {
  private let events = Guarded<[Event]>([])
  func append(_ event: Event) { events.withLock { $0.append(event) } }
  var all: [Event] { events.withLock { $0 } }
}

func makeStore() throws -> SQLiteSessionStore {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tgpt-turn-\(UUID().uuidString)").path
  return try SQLiteSessionStore(path: directory + "/sessions.db")
}

/// A runner over the echo provider (`delayMs` between words), with an optional fixed window;
/// each turn first awaits `beforeTurn` (holding its session's lock).
func echoRunner(
  _ store: any SessionStore, delayMs: Int = 0, window: Int? = nil,
  outputGone: @escaping @Sendable () -> Bool = { false }, beforeTurn: @escaping @Sendable () async -> Void = {}
) -> TurnRunner {
  TurnRunner(store: store, outputGone: outputGone) { settings in
    await beforeTurn()
    let provider = try Provider(settings: ProviderSettings(kind: .echo, echoDelayMs: delayMs))
    let request = ChatRequest(messages: [], model: settings.model ?? "echo", system: settings.system)
    return TurnSetup(
      runner: CompletionRunner(provider: provider), request: request, providerName: "echo", contextTokens: window)
  }
}

@Suite(.timeLimit(.minutes(5))) struct TurnRunnerTests {
  @Test func aTurnIsTaggedRecordedAndSentWithTheHistory() async throws {
    let store = try makeStore()
    let runner = echoRunner(store)
    let first = Collected()
    let outcome = await runner.run(TurnRequest(sessionID: "s", requestID: "r1", message: "hello world")) {
      first.append($0)
    }
    guard case .completed = outcome else { Issue.record("first turn: \(outcome)"); return }
    #expect(first.all.allSatisfy { $0.id == "r1" && $0.sessionID == "s" }, "every event is tagged")
    #expect(first.all.filter(\.isTerminal).count == 1)

    let second = Collected()
    _ = await runner.run(TurnRequest(sessionID: "s", requestID: "r2", message: "again")) { second.append($0) }
    guard case .start(let start)? = second.all.first?.payload else { Issue.record("no start"); return }
    #expect(start.turnsSent == 1 && start.turnsDropped == 0)
    let session = try #require(try await store.session("s"))
    #expect(session.messages.map(\.content) == ["hello world", "hello world", "again", "again"])
    #expect(session.messages.allSatisfy { $0.status == .complete })
    #expect(session.summary.settings.provider == "echo" && session.summary.settings.model == "echo")
  }

  @Test func anOverflowIsReportedAndNothingRecorded() async throws {
    let store = try makeStore()
    let events = Collected()
    let outcome = await echoRunner(store, window: 256).run(
      TurnRequest(sessionID: "s", message: String(repeating: "long ", count: 400))
    ) { events.append($0) }
    guard case .failed(let failure) = outcome else { Issue.record("\(outcome)"); return }
    #expect(failure.code == .contextOverflow)
    #expect(events.all.count == 1 && events.all.first?.sessionID == "s")
    #expect(try await store.session("s") == nil, "nothing was recorded")
  }

  @Test func aSetupFailureRecordsNothing() async throws {
    let store = try makeStore()
    let runner = TurnRunner(store: store) { _ in throw ProviderError.config("no key") }
    let events = Collected()
    let outcome = await runner.run(TurnRequest(sessionID: "s", message: "hi")) { events.append($0) }
    guard case .failed(let failure) = outcome else { Issue.record("\(outcome)"); return }
    #expect(failure.code == .config)
    #expect(try await store.session("s") == nil)
  }

  @Test func aTurnWhoseReaderHasGoneIsNotBegunAndLeavesNoRecord() async throws {
    let store = try makeStore()
    _ = await echoRunner(store).run(TurnRequest(sessionID: "s", message: "first")) { _ in }
    let ends = try #require(FileIO.makePipe())
    defer { close(ends.write) }
    close(ends.read)
    let events = Collected()
    let outcome = await echoRunner(store, outputGone: { FileIO.readerGone(ends.write) }).run(
      TurnRequest(sessionID: "s", message: "nobody hears this")
    ) { events.append($0) }
    guard case .outputClosed = outcome else { Issue.record("\(outcome)"); return }
    #expect(events.all.isEmpty)
    let session = try #require(try await store.session("s"))
    #expect(session.messages.map(\.content) == ["first", "first"], "only the turn before")
  }

  @Test func anInvalidSessionIDIsBadInput() async throws {
    let events = Collected()
    let outcome = await echoRunner(try makeStore()).run(TurnRequest(sessionID: "no spaces", message: "hi")) {
      events.append($0)
    }
    guard case .failed(let failure) = outcome else { Issue.record("\(outcome)"); return }
    #expect(failure.code == .badInput)
    #expect(failure.message.contains("A-Z a-z 0-9"), "the error states the rule")
  }

  @Test func aCancelledTurnIsStoredAsInterruptedWithItsPartialText() async throws {
    let store = try makeStore()
    let events = Collected()
    // A minute and a half of answer: still streaming when the cancel comes, however busy the machine.
    let message = (1...900).map { "w\($0)" }.joined(separator: " ")
    let task = Task {
      await echoRunner(store, delayMs: 100).run(TurnRequest(sessionID: "s", message: message)) { events.append($0) }
    }
    while !events.all.contains(where: { if case .chunk = $0.payload { true } else { false } }) {
      try await Task.sleep(for: .milliseconds(10))
    }
    task.cancel()
    guard case .failed(let failure) = await task.value else { Issue.record("not failed"); return }
    #expect(failure.code == .interrupted && failure.partial == true)
    let answer = try #require(try await store.session("s")?.messages.last)
    #expect(answer.status == .interrupted)
    #expect(!answer.content.isEmpty && message.hasPrefix(answer.content) && answer.content != message)
  }
}

/// Lets tasks through only once `count` of them have arrived: proof that they ran at once.
actor Barrier {
  private let count: Int
  private var waiting: [CheckedContinuation<Void, Never>] = []

  init(count: Int) { self.count = count }

  func arrive() async {
    await withCheckedContinuation { continuation in
      waiting.append(continuation)
      if waiting.count >= count {
        waiting.forEach { $0.resume() }
        waiting = []
      }
    }
  }
}

import Synchronization
import TGPTEvents
import TGPTOrchestrator
import TGPTProviders
import TGPTSession

/// A turn's own cost, in process: a session of 1,000 messages in a fresh store under
/// `directory`, then `runs` turns through `TurnRunner` (lock, load and fit the history,
/// record, stream from echo, record the answer), against the same echo request — with the
/// same 1,000 messages — through `CompletionRunner` alone. The difference is the turn's own
/// overhead. The history grows by two messages a turn (1,000 to 1,000 + 2 × runs).
func runTurnBenchmark(directory: String, runs: Int = 60) async throws {
  let store = try SQLiteSessionStore(path: directory + "/sessions.db")
  for index in 0..<500 {
    let question = "question \(index): how do the logs rotate on host \(index), and how long are they kept?"
    let turn = try await store.beginTurn(
      session: "hist", settings: SessionSettings(model: "echo", provider: "echo"), message: question, now: 1)
    try await store.finishTurn(
      turn, content: question, status: .complete, model: "echo", usage: nil, toolCalls: nil, error: nil, now: 2)
  }
  let provider = try Provider(settings: ProviderSettings(kind: .echo))
  let completion = CompletionRunner(provider: provider)
  let turns = TurnRunner(store: store) { _ in
    TurnSetup(runner: completion, request: ChatRequest(messages: [], model: "echo"), providerName: "echo")
  }
  let message = "what about the next host"
  let history = try await store.history(of: "hist").messages.map {
    ChatRequest.message(role: $0.role, content: $0.content)
  }
  let direct = ChatRequest(messages: history + [ChatRequest.message(role: "user", content: message)], model: "echo")

  let clock = ContinuousClock()
  func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
  }
  var turnTimes: [Double] = []
  var providerTimes: [Double] = []
  let sent = TurnsSent()
  for _ in 0..<runs {
    let providerTime = await clock.measure {
      _ = await completion.run(direct, id: "r") { _ in }
    }
    providerTimes.append(milliseconds(providerTime))
    let turnTime = await clock.measure {
      _ = await turns.run(TurnRequest(sessionID: "hist", requestID: "r", message: message)) { event in
        if case .start(let start) = event.payload { sent.value.store(start.turnsSent ?? 0, ordering: .relaxed) }
      }
    }
    turnTimes.append(milliseconds(turnTime))
  }
  turnTimes.sort()
  providerTimes.sort()
  let turn = turnTimes[runs / 2]
  let providerOnly = providerTimes[runs / 2]
  let line: JSON = [
    "benchmark": "turn_1000_messages", "runs": .int(runs), "turns_sent_last": .int(sent.value.load(ordering: .relaxed)),
    "turn_ms": .double((turn * 1000).rounded() / 1000),
    "provider_only_ms": .double((providerOnly * 1000).rounded() / 1000),
    "overhead_ms": .double(((turn - providerOnly) * 1000).rounded() / 1000),
  ]
  print(line.compactText)
}

/// The `turns_sent` of the last turn's `start` event.
private final class TurnsSent: Sendable {
  let value = Atomic<Int>(0)
}

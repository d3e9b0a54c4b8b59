import Foundation
import TGPTEvents
import Testing

/// Issue 18's fault injection: turns killed (SIGKILL) or stopped (SIGTERM) at random points,
/// four at a time on eight sessions, and what the store and the survivors' output say after.
@Suite struct SignalFaultTests {
  static let turns = 200
  static let words = 30

  struct Outcome {
    var index: Int
    var signal: Int32?
    var result: Harness.Result
    var message: String { SignalFaultTests.message(index) }
  }

  static func message(_ index: Int) -> String {
    "turn \(index):" + (1...words).map { " w\($0)" }.joined()
  }

  @Test func turnsKilledOrStoppedAtRandomLeaveAConsistentStoreAndNothingSentIsLost() async throws {
    let seed = UInt64(ProcessInfo.processInfo.environment["TGPT_FAULT_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
    var random = SeededGenerator(seed: seed)
    // The events of a whole turn: start, one chunk per word, the final chunk and done.
    let plans: [(signal: Int32?, after: Int)] = (0..<Self.turns).map { _ in
      let signal: Int32? = [SIGKILL, SIGTERM, nil].randomElement(using: &random)!
      return (signal, Int.random(in: 1...(Self.words + 4), using: &random))
    }
    let env = Harness.environment(["OPENROUTER_API_KEY": "test-key"])
    let provider = ["--provider", "openrouter", "--base-url", try await FakeProviderServer.shared.url("delay=2")]
    var outcomes: [Outcome] = []
    for batch in stride(from: 0, to: Self.turns, by: 4) {
      outcomes += try await withThrowingTaskGroup(of: Outcome.self) { group in
        for index in batch..<min(batch + 4, Self.turns) {
          let plan = plans[index]
          group.addTask {
            let arguments = provider + ["-s", "fault-\(index % 8)", Self.message(index)]
            let result = try await Harness.run(
              "tgpt-session", arguments, env: env, signal: plan.signal, signalAfter: plan.after, hangGuard: 600)
            return Outcome(index: index, signal: plan.signal, result: result)
          }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
    }
    let check = try await Harness.run("tgpt-session", ["check"], env: env)
    #expect(check.status == 0, "seed \(seed): the store after the faults: \(check.text) \(check.stderr)")
    var stored: [String: [JSON]] = [:]
    for session in 0..<8 {
      stored["fault-\(session)"] = try await SessionEndToEndTests.messages("fault-\(session)", env: env)
    }
    var counts: [String: Int] = [:]
    for outcome in outcomes {
      let name = Self.expect(outcome, stored: stored["fault-\(outcome.index % 8)"] ?? [], seed: seed)
      counts[name, default: 0] += 1
    }
    // Each kind of ending happened, or the test proved less than it says.
    for kind in ["complete", "killed", "terminated"] {
      #expect(counts[kind, default: 0] >= 10, "seed \(seed): only \(counts[kind, default: 0]) turns \(kind): \(counts)")
    }
  }

  /// Checks one turn against the store; names how it ended.
  static func expect(_ outcome: Outcome, stored: [JSON], seed: UInt64) -> String {
    let result = outcome.result
    let context = "seed \(seed), turn \(outcome.index), status \(result.status): \(result.stderr)"
    let users = stored.indices.filter {
      stored[$0]["role"]?.stringValue == "user" && stored[$0]["content"]?.stringValue == outcome.message
    }
    #expect(users.count <= 1, "a turn is stored once: \(context)")
    switch result.status {
    case 0:
      Harness.expectInvariants(result, answer: outcome.message)
      guard let user = users.first, let answer = stored[safe: user + 1] else {
        Issue.record("a finished turn is stored: \(context)")
        return "complete"
      }
      #expect(answer["status"]?.stringValue == "complete", "\(context)")
      #expect(answer["content"]?.stringValue == outcome.message, "\(context)")
      return "complete"
    case 143:
      // It survived the signal long enough to end the turn itself.
      Harness.expectInvariants(result)
      #expect(result.failure?.code == .interrupted, "\(context)")
      if let user = users.first, let answer = stored[safe: user + 1] {
        #expect(answer["status"]?.stringValue == "interrupted", "\(context)")
        #expect(answer["content"]?.stringValue == result.answer, "what was sent is what is stored: \(context)")
      } else {
        #expect(result.answer.isEmpty, "text was sent for a turn that is not stored: \(context)")
      }
      return "terminated"
    case 128 + SIGKILL:
      #expect(outcome.signal == SIGKILL, "\(context)")
      #expect(result.events.filter(\.isTerminal).count <= 1, "\(context)")
      if let user = users.first, let answer = stored[safe: user + 1] {
        let content = answer["content"]?.stringValue ?? ""
        #expect(["interrupted", "complete"].contains(answer["status"]?.stringValue ?? ""), "\(context)")
        #expect(result.answer.hasPrefix(content), "the stored part was sent: \(context)")
      }
      return "killed"
    default:
      Issue.record("an unexpected exit: \(context)")
      return "other"
    }
  }
}

extension Array {
  fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

/// SplitMix64: the same faults again from the seed a failure prints (TGPT_FAULT_SEED).
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

import Synchronization
import TGPTEvents
import TGPTPostgresStore
import TGPTSession

/// The store's share of a turn, on SQLite and on PostgreSQL in one run: turns (lock, history,
/// beginTurn, finishTurn, release) one after another on one session, then `concurrent`
/// sessions at once, each running `perSession` turns. One JSON line per backend and shape:
/// turns a second, and the median and p99 of one turn's store time.
func runStoreBenchmark(
  directory: String, postgresURL: String?, sequential: Int = 300, concurrent: Int = 100,
  perSession: Int = 5
) async throws {
  var backends: [(String, any SessionStore, PostgresSessionStore?)] = [
    ("sqlite", try SQLiteSessionStore(path: directory + "/bench.db"), nil)
  ]
  if let postgresURL {
    let store = try await PostgresSessionStore.open(PostgresURL(postgresURL))
    backends.append(("postgres", store, store))
  }
  for (name, store, _) in backends {
    let one = try await timeTurns(store, sessions: 1, perSession: sequential, prefix: "seq")
    report(name, "sequential_1_session", one)
    let many = try await timeTurns(store, sessions: concurrent, perSession: perSession, prefix: "par")
    report(name, "concurrent_\(concurrent)_sessions", many)
  }
  for (_, _, postgres) in backends { await postgres?.shutdown() }
}

/// Runs the turns; each turn's time in milliseconds, and the whole run's.
private func timeTurns(_ store: any SessionStore, sessions: Int, perSession: Int, prefix: String) async throws
  -> (turns: [Double], total: Double)
{
  let clock = ContinuousClock()
  let run = "\(prefix)-\(WallClock.milliseconds())"
  let start = clock.now
  let turns = try await withThrowingTaskGroup(of: [Double].self) { group in
    for session in 0..<sessions {
      group.addTask {
        var times: [Double] = []
        for index in 0..<perSession {
          let began = clock.now
          let id = "\(run)-\(session)"
          let lease = try await store.lockTurns(of: id)
          _ = try await store.history(of: id)
          let turn = try await store.beginTurn(
            session: id, settings: SessionSettings(model: "echo", provider: "echo"), message: "question \(index)",
            now: WallClock.milliseconds())
          try await store.finishTurn(
            turn, content: "answer \(index)", status: .complete, model: "echo", usage: nil, toolCalls: nil,
            error: nil, now: WallClock.milliseconds())
          withExtendedLifetime(lease) {}
          times.append(milliseconds(began.duration(to: clock.now)))
        }
        return times
      }
    }
    var all: [Double] = []
    for try await times in group { all += times }
    return all
  }
  return (turns.sorted(), milliseconds(start.duration(to: clock.now)))
}

private func milliseconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

private func report(_ backend: String, _ shape: String, _ result: (turns: [Double], total: Double)) {
  let count = result.turns.count
  func rounded(_ value: Double) -> JSON { .double((value * 100).rounded() / 100) }
  let line: JSON = [
    "benchmark": .string("store_\(shape)"), "backend": .string(backend), "turns": .int(count),
    "turns_per_s": rounded(Double(count) / (result.total / 1000)),
    "median_ms": rounded(result.turns[count / 2]),
    "p99_ms": rounded(result.turns[min(count - 1, count * 99 / 100)]),
  ]
  print(line.compactText)
}

package import Logging
package import TGPTEvents

/// `tgpt-ws-bridge bench`: many sessions at once, each one connection sending its messages
/// one after another (each after the previous answer), as seed clients do.
package struct LoadGenerator: Sendable {
  /// The figures of a run.
  package struct Report: Sendable {
    package var sessions: Int
    package var messages: Int
    package var completed = 0
    package var failedConnections = 0
    package var events = 0
    package var seconds = 0.0
    package var firstChunk: [Double] = []
    package var complete: [Double] = []
    package var failures: [String] = []
    /// Sessions made whose deletion the server did not acknowledge.
    package var sessionsLeft = 0
    /// Connections whose token the server refused (counted as failed too).
    package var authRefused = 0
    /// When the last conversation's answers ended or it failed (before any deletion).
    var lastEnd: ContinuousClock.Instant?

    package var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }

    /// The `p`-th percentile (0…100) of `values`, in milliseconds.
    package static func percentile(_ values: [Double], _ p: Double) -> Double {
      guard !values.isEmpty else { return 0 }
      let sorted = values.sorted()
      let rank = Int((p / 100 * Double(sorted.count - 1)).rounded())
      return sorted[min(sorted.count - 1, max(0, rank))]
    }

    /// Key figures as JSON.
    package var json: JSON {
      [
        "sessions": .int(sessions), "messages_per_session": .int(messages), "completed": .int(completed),
        "expected": .int(sessions * messages), "failed_connections": .int(failedConnections), "events": .int(events),
        "seconds": .double(seconds), "events_per_second": .double(eventsPerSecond.rounded()),
        "first_chunk_ms_p50": .double(Self.percentile(firstChunk, 50)),
        "first_chunk_ms_p99": .double(Self.percentile(firstChunk, 99)),
        "complete_ms_p50": .double(Self.percentile(complete, 50)),
        "complete_ms_p99": .double(Self.percentile(complete, 99)), "sessions_left": .int(sessionsLeft),
      ]
    }

    /// Counts one session's conversation in.
    mutating func add(_ outcome: ChatProbe.Outcome) {
      if let end = outcome.answered ?? outcome.ended { lastEnd = max(lastEnd ?? end, end) }
      if outcome.failure != nil || !outcome.upgraded || outcome.authRefused {
        failedConnections += 1
        if outcome.authRefused {
          authRefused += 1
        } else if failures.count < 5 {
          failures.append(outcome.failure ?? "no upgrade")
        }
      }
      for turn in outcome.turns {
        events += turn.eventCount
        if turn.terminalType == "complete" { completed += 1 }
        if let first = turn.firstChunk { firstChunk.append(first.inMilliseconds) }
        if let total = turn.total { complete.append(total.inMilliseconds) }
      }
    }
  }

  let target: SessionsTarget
  /// What the names of the sessions this run makes start with: `bench-` and eight hex digits
  /// of this run (`tgpt-session rm --prefix` removes any left over).
  package let sessionPrefix = "bench-\(SessionIDRule.randomTag())-"
  /// The sessions made, and those the server did not acknowledge deleting.
  package let madeSessions = SessionNames()
  let token: String?
  let timeout: Duration
  let logger: Logger

  package init(target: SessionsTarget, token: String?, timeout: Duration, logger: Logger) {
    self.target = target
    self.token = token
    self.timeout = timeout
    self.logger = logger
  }

  /// Runs `sessions` connections at once, `messages` messages of `words` words each; each
  /// session is deleted when its messages are answered (also when the run is cancelled). The
  /// time counted ends with the last answer (or failure), not with the deletions.
  package func run(sessions: Int, messages: Int, words: Int) async -> Report {
    var report = Report(sessions: sessions, messages: messages)
    let text = (0..<words).map { "w\($0)" }.joined(separator: " ")
    let started = ContinuousClock.now
    await withTaskGroup(of: ChatProbe.Outcome.self) { group in
      for index in 0..<sessions {
        group.addTask {
          let lines = (0..<messages).map { ServerCheck.message("\($0): \(text)") }
          let name = sessionPrefix + String(index)
          let outcome = await ChatProbe.run(
            url: target.url(session: name), token: token, messages: lines, timeout: timeout,
            keepEvents: false, deleteSession: true, logger: logger)
          madeSessions.note(name, made: outcome.madeSession, deleted: outcome.deleted == true)
          return outcome
        }
      }
      for await outcome in group { report.add(outcome) }
    }
    report.seconds = ((report.lastEnd ?? started) - started).inSeconds
    report.sessionsLeft = madeSessions.left.count
    return report
  }
}

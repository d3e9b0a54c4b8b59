import TGPTEvents

/// The server's counters, rendered as Prometheus text for `GET /metrics` (names prefixed `tgpt_`).
package final class BridgeMetrics: Sendable {
  /// Upper bounds of the turn latency histogram, in seconds.
  package static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

  private struct Counts {
    var connectionsOpen = 0
    var connectionsTotal = 0
    var connectionsRefused: [String: Int] = [:]
    var turnsStarted = 0
    var turnsEnded = 0
    var events = 0
    var errors: [String: Int] = [:]
    var restarts = 0
    var latencyCounts = [Int](repeating: 0, count: BridgeMetrics.latencyBuckets.count + 1)
    var latencySum = 0.0
  }

  private let counts = Guarded(Counts())

  package init() {}

  /// A connection (WebSocket or HTTP) was accepted.
  package func recordConnectionOpened() {
    counts.withLock {
      $0.connectionsOpen += 1
      $0.connectionsTotal += 1
    }
  }

  /// An accepted connection ended.
  package func recordConnectionClosed() { counts.withLock { $0.connectionsOpen -= 1 } }

  /// A connection or upgrade was refused, for `reason` (auth, origin, limit, session_id).
  package func recordRefusal(_ reason: String) { counts.withLock { $0.connectionsRefused[reason, default: 0] += 1 } }

  /// An error event answered a message without reaching the child (bad input, rate limit).
  package func recordError(code: String) { counts.withLock { $0.errors[code, default: 0] += 1 } }

  func recordTurnStarted() { counts.withLock { $0.turnsStarted += 1 } }

  func recordEvent() { counts.withLock { $0.events += 1 } }

  func recordRestart() { counts.withLock { $0.restarts += 1 } }

  func recordTurnEnded(after elapsed: Duration, errorCode: String?) {
    let seconds = elapsed.inSeconds
    let bucket = Self.latencyBuckets.firstIndex { seconds <= $0 } ?? Self.latencyBuckets.count
    counts.withLock {
      $0.turnsEnded += 1
      $0.latencyCounts[bucket] += 1
      $0.latencySum += seconds
      if let errorCode { $0.errors[errorCode, default: 0] += 1 }
    }
  }

  /// Everything in the Prometheus text exposition format.
  package func prometheusText() -> String {
    let c = counts.withLock { $0 }
    var out = ""
    func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, String)]) {
      out += "# HELP tgpt_\(name) \(help)\n# TYPE tgpt_\(name) \(type)\n"
      for (labels, value) in samples { out += "tgpt_\(name)\(labels) \(value)\n" }
    }
    func labelled(_ values: [String: Int], _ label: String) -> [(String, String)] {
      values.keys.sorted().map { ("{\(label)=\"\($0)\"}", String(values[$0]!)) }
    }
    metric("connections_open", "gauge", "Connections open now.", [("", String(c.connectionsOpen))])
    metric("connections_total", "counter", "Connections accepted.", [("", String(c.connectionsTotal))])
    metric(
      "connections_refused_total", "counter", "Connections refused, by reason.",
      labelled(c.connectionsRefused, "reason"))
    metric("turns_started_total", "counter", "Messages relayed to the chat program.", [("", String(c.turnsStarted))])
    metric("turns_total", "counter", "Turns ended (complete or error).", [("", String(c.turnsEnded))])
    metric("events_total", "counter", "Events relayed from the chat program.", [("", String(c.events))])
    metric("errors_total", "counter", "Error events sent, by code.", labelled(c.errors, "code"))
    metric("child_restarts_total", "counter", "Times the chat program was restarted.", [("", String(c.restarts))])
    var cumulative = 0
    var buckets: [(String, String)] = []
    for (index, bound) in Self.latencyBuckets.enumerated() {
      cumulative += c.latencyCounts[index]
      buckets.append(("_bucket{le=\"\(bound)\"}", String(cumulative)))
    }
    cumulative += c.latencyCounts[Self.latencyBuckets.count]
    buckets.append(("_bucket{le=\"+Inf\"}", String(cumulative)))
    buckets.append(("_sum", String(c.latencySum)))
    buckets.append(("_count", String(cumulative)))
    metric("turn_duration_seconds", "histogram", "Time from a message to its terminal event.", buckets)
    return out
  }
}

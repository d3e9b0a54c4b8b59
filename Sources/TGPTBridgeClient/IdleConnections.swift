import HTTPTypes
package import Logging
import NIOWebSocket
import TGPTEvents
import WSClient

/// `bench --idle N`: opens N connections that send nothing and holds them, to measure what an
/// idle connection costs the server.
package enum IdleConnections {
  /// Opens `count` connections (at most `parallel` handshakes at a time), holds each for
  /// `hold`, then closes them. How many opened, how many failed (also those closed early by
  /// the server), and the first few failures.
  package static func hold(
    template: String, token: String?, count: Int, hold: Duration, parallel: Int = 128, logger: Logger
  ) async -> (opened: Int, failed: Int, failures: [String]) {
    let tally = Tally()
    var configuration = WebSocketClientConfiguration()
    if let token { configuration.additionalHeaders[.authorization] = "Bearer \(token)" }
    let fixed = configuration
    let prefix = "idle-\(UInt32.random(in: 0...UInt32.max))"
    await withTaskGroup(of: Void.self) { group in
      for index in 0..<count {
        // At most `parallel` handshakes in flight: wait for earlier ones to open or fail.
        while index - tally.opened.withLock({ $0 }) - tally.failures.withLock({ $0.count }) >= parallel {
          try? await Task.sleep(for: .milliseconds(2))
        }
        group.addTask {
          let url = template.replacing("{session_id}", with: "\(prefix)-\(index)")
          do {
            try await WebSocketClient.connect(url: url, configuration: fixed, logger: logger) { inbound, outbound, _ in
              tally.opened.withLock { $0 += 1 }
              // Whether we closed it: an end the hold did not ask for is the server's doing.
              // (Comparing clocks instead miscounted a close that came back quickly.)
              let closing = Guarded(false)
              let closer = Task {
                try await Task.sleep(for: hold)
                closing.withLock { $0 = true }
                try await outbound.close(.normalClosure, reason: nil)
              }
              // Reading answers the server's pings; an end before the hold is a failure.
              for try await _ in inbound {}
              closer.cancel()
              if !closing.withLock({ $0 }) { throw IdleClosedEarly() }
            }
          } catch {
            tally.failures.withLock { if $0.count < 5 { $0.append("\(error)") } else { $0.append("") } }
          }
        }
      }
    }
    let all = tally.failures.withLock { $0 }
    return (tally.opened.withLock { $0 }, all.count, all.filter { !$0.isEmpty })
  }
}

/// The server closed an idle connection before the hold was over.
struct IdleClosedEarly: Error, CustomStringConvertible {
  var description: String { "the server closed an idle connection early" }
}

/// How many idle connections opened, and why others failed.
private final class Tally: Sendable {
  let opened = Guarded(0)
  let failures = Guarded<[String]>([])
}

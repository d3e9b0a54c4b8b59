package import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import Synchronization
import TGPTBridge
package import TGPTEvents
import WSClient
import WSCompression

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `tgpt-ws-bridge connect`: stdin lines out as messages, frames in as stdout lines.
///
/// At the end of stdin it keeps reading until every message has had its terminal event (or
/// `linger` passes without a frame), then closes with 1000 — so `echo hi | tgpt-ws-bridge URL`
/// prints the whole answer.
package struct BridgeClient: Sendable {
  let settings: ClientSettings
  let logger: Logger

  package init(settings: ClientSettings, logger: Logger) {
    self.settings = settings
    self.logger = logger
  }

  /// Runs until stdin ends and every answer is in; the first failed answer (its kind, and the
  /// server's words when it refused the client), or nil when all went well. Throws a
  /// `ClientFailure` when the connection fails.
  package func run(input: LineFeed) async throws(ClientFailure) -> ClientFailure? {
    let ledger = AnswerLedger()
    let queue = OutgoingQueue()
    let reader = Task { await queue.fill(from: input, raw: settings.raw) }
    defer { reader.cancel() }
    var attempt = 0
    while true {
      do {
        let close = try await connectOnce(queue: queue, ledger: ledger)
        // Done: every answer in, or (--linger) the server went quiet and closed properly.
        if queue.finished, ledger.owed == 0 || ledger.gaveUpWaiting && close != nil {
          guard var failed = ledger.firstFailure else { return nil }
          failed.refusedConnection = failed.kind == .auth && close?.closeCode == .policyViolation
          return failed
        }
        let code = close.map { "\($0.closeCode)" } ?? "no close frame"
        if let failed = ledger.firstFailure {
          // The server said why before it closed (a wrong token: auth): that is the failure.
          throw ClientFailure(failed.kind, "the server closed the connection (\(code)) after: \(failed.message)")
        }
        throw ClientFailure(
          .unavailable, "the server closed the connection (\(code)) with \(ledger.owed) answer(s) still owed")
      } catch is OutputClosed {
        return nil
      } catch {
        let failure = await ClientFailure.classify(error, url: settings.url, headers: settings.probeHeaders)
        guard attempt < settings.reconnect, failure.kind != .usage, failure.canReconnect else {
          Self.writeEvents(ledger.abandon(failure))
          throw failure
        }
        attempt += 1
        let delay = min(Duration.seconds(30), .milliseconds(250) * (1 << min(attempt - 1, 7)))
        logger.warning("\(failure.message); reconnecting in \(delay) (attempt \(attempt) of \(settings.reconnect))")
        try? await Task.sleep(for: delay)
        queue.resendUnanswered(ledger)
      }
    }
  }

  private func connectOnce(queue: OutgoingQueue, ledger: AnswerLedger) async throws -> WebSocketCloseFrame? {
    let dropped = DroppedFrames()
    var configuration = settings.webSocketConfiguration(dropped: dropped)
    // Once the conversation has failed, a server that does not answer our close must not hold
    // the exit long.
    configuration.closeTimeout = .seconds(5)
    let fixed = configuration
    let tls = try settings.tlsConfiguration()
    let attempt = ConnectAttempt()
    let url = settings.url
    let logger = logger
    let settings = settings
    return try await withConnectTimeout(settings.connectTimeout, url: url, attempt: attempt) {
      try await WebSocketClient.connect(url: url, configuration: fixed, tlsConfiguration: tls, logger: logger) {
        inbound, outbound, _ in
        // An attempt given up on by the connect timeout must not talk beside its successor.
        guard attempt.connect() else { return }
        try await Self.converse(
          inbound, outbound, queue: queue, ledger: ledger, dropped: dropped, settings: settings, logger: logger)
      }
    }
  }

  /// Writes events on stdout (a closed stdout is no longer anyone's concern).
  static func writeEvents(_ events: [Event]) {
    for event in events {
      var line = event.line
      line.withUnsafeMutableBytes { bytes in
        do throws(ProtocolError) { try FileIO.writeAll(1, UnsafeRawBufferPointer(bytes)) } catch {}
      }
    }
  }
}

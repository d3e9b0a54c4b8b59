import NIOCore
import NIOWebSocket
import Synchronization
import TGPTBridge
import TGPTEvents
import WSClient

/// The reader of our stdout went away: nothing more to do, and not a failure.
struct OutputClosed: Error {}

extension BridgeClient {
  private enum Side { case reader, sender }

  /// One connection's conversation: frames to stdout as they come; stdin lines out; at the end
  /// of stdin, wait for the answers owed, then close with 1000 and read until the server's close.
  static func converse(
    _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, queue: OutgoingQueue,
    ledger: AnswerLedger, settings: ClientSettings
  ) async throws {
    try await withThrowingTaskGroup(of: Side.self) { group in
      group.addTask {
        for try await message in inbound.messages(maxSize: settings.maxMessageBytes) {
          var bytes: [UInt8]
          switch message {
          case .text(let text): bytes = Array(text.utf8)
          case .binary(let buffer): bytes = Array(buffer.readableBytesView)
          }
          ledger.received(EventTags.read(bytes))
          bytes.append(UInt8(ascii: "\n"))
          do throws(ProtocolError) { try FileIO.writeAll(1, bytes) } catch { throw OutputClosed() }
        }
        return .reader
      }
      group.addTask {
        while let line = await queue.next() {
          ledger.sent(line)
          try await outbound.write(.text(line.text))
        }
        while ledger.owed > 0 {
          if let linger = settings.linger, ledger.silence >= linger { break }
          try await Task.sleep(for: .milliseconds(5))
        }
        try await outbound.close(.normalClosure, reason: nil)
        return .sender
      }
      // The server closing first ends the sender too; the sender finishing waits for the
      // server's close.
      if try await group.next() == .reader {
        group.cancelAll()
        // What the sender was doing (a write, the closing handshake) no longer matters.
        while (try? await group.next()) != nil {}
      } else {
        while try await group.next() != nil {}
      }
    }
  }

  /// Runs `body`, failing with a timeout if it has not connected within `timeout`. The library
  /// cannot cancel a connect in progress, so a timed-out attempt is abandoned, not awaited.
  func withConnectTimeout<T: Sendable>(
    _ timeout: Duration, connected: Flag, _ body: @escaping @Sendable () async throws -> T
  ) async throws -> T {
    let url = settings.url
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
      let resumed = Flag()
      let lock = Mutex(())
      let finish: @Sendable (Result<T, any Error>) -> Void = { result in
        let first = lock.withLock { _ in
          if resumed.isSet { return false }
          resumed.set()
          return true
        }
        if first { continuation.resume(with: result) }
      }
      Task {
        do { finish(.success(try await body())) } catch { finish(.failure(error)) }
      }
      Task {
        try? await Task.sleep(for: timeout)
        if !connected.isSet {
          finish(.failure(ClientFailure(.timeout, "timed out connecting to \(url) after \(timeout)")))
        }
      }
    }
  }
}

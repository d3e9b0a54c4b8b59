import Logging
import NIOCore
import NIOWebSocket
import TGPTBridge
import TGPTEvents
import WSClient

/// The reader of our stdout went away: nothing more to do, and not a failure.
struct OutputClosed: Error {}

extension BridgeClient {
  private enum Side { case reader, sender, timer, watch }

  /// One connection's conversation: frames to stdout as they come; stdin lines out; at the end
  /// of stdin, wait for the answers owed, then close with 1000 and read until the server's close.
  /// A frame that is not an event, a message the library dropped, or `idleTimeout` without a
  /// frame while answers are owed ends it: each answer owed gets an `error` event at once.
  static func converse(
    _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, queue: OutgoingQueue,
    ledger: AnswerLedger, dropped: DroppedFrames, settings: ClientSettings, logger: Logger
  ) async throws {
    ledger.connected()
    do {
      try await exchange(
        inbound, outbound, queue: queue, ledger: ledger, dropped: dropped, settings: settings, logger: logger)
    } catch let failure as ClientFailure where !failure.canReconnect {
      writeEvents(ledger.abandon(failure))
      if let code = failure.closeCode { try? await outbound.close(code, reason: nil) }
      throw failure
    }
  }

  private static func exchange(
    _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, queue: OutgoingQueue,
    ledger: AnswerLedger, dropped: DroppedFrames, settings: ClientSettings, logger: Logger
  ) async throws {
    try await withThrowingTaskGroup(of: Side.self) { group in
      group.addTask {
        try await read(inbound, ledger: ledger, dropped: dropped, limit: settings.maxMessageBytes, logger: logger)
        return .reader
      }
      group.addTask {
        while let line = await queue.next() {
          ledger.sent(line)
          try await outbound.write(.text(line.text))
        }
        while ledger.owed > 0 {
          if let linger = settings.linger, ledger.silence >= linger {
            ledger.gaveUpWaiting = true
            break
          }
          try await Task.sleep(for: .milliseconds(5))
        }
        try await outbound.close(.normalClosure, reason: nil)
        return .sender
      }
      group.addTask {
        try await watch(ledger, dropped: dropped, idle: settings.idleTimeout)
        return .watch
      }
      // The server closing first ends the sender too; the sender finishing waits for the
      // server's close.
      if try await group.next() == .reader {
        group.cancelAll()
        // What the sender was doing (a write, the closing handshake) no longer matters.
        while (try? await group.next()) != nil {}
        return
      }
      // Our Close is sent; a server that never answers it must not keep us here.
      group.addTask {
        try await Task.sleep(for: .seconds(10))
        return .timer
      }
      let first = try await group.next()
      group.cancelAll()
      // Nothing is lost when every answer is in; only owed answers make it a failure.
      if first == .timer, ledger.owed > 0 {
        throw ClientFailure(.unavailable, "the server did not answer our close, with \(ledger.owed) answer(s) owed")
      }
    }
  }

  /// Frames to stdout, one line each, until the server closes.
  private static func read(
    _ inbound: WebSocketInboundStream, ledger: AnswerLedger, dropped: DroppedFrames, limit: Int, logger: Logger
  ) async throws {
    do {
      for try await message in inbound.messages(maxSize: limit) {
        // A message dropped before this one is a gap: what follows must not pass as whole.
        if let failure = dropped.failure { throw failure }
        var bytes = try InboundFrame.line(message)
        let tags = EventTags.read(bytes)
        if tags?.code == ErrorKind.auth.rawValue, tags?.type == "error",
          case .error(let refusal)? = (try? Event.decode(String(decoding: bytes, as: UTF8.self)))?.payload
        {
          ledger.noteRefusal(refusal.message)
        }
        if !ledger.received(tags) {
          let id = tags?.id.map { "id \(InboundFrame.excerpt($0))" } ?? "no id"
          logger.warning(
            "the server ended an answer that was not asked for (\(id)); \(ledger.owed) answer(s) still owed")
        }
        bytes.append(UInt8(ascii: "\n"))
        do throws(ProtocolError) { try FileIO.writeAll(1, bytes) } catch {
          if error.isOutputClosed { throw OutputClosed() }
          throw ClientFailure(.internal, "cannot write to stdout: \(error)")
        }
      }
    } catch let error where !(error is ClientFailure || error is OutputClosed) {
      throw InboundFrame.failure(error, limit: limit) ?? error
    }
    if let failure = dropped.failure { throw failure }
  }

  /// Returns only when cancelled: fails as soon as the library has dropped a message, or when
  /// answers are owed and no frame came for `idle` (unless `--linger` has given up on them).
  private static func watch(_ ledger: AnswerLedger, dropped: DroppedFrames, idle: Duration?) async throws {
    while true {
      if let failure = dropped.failure { throw failure }
      if let idle, ledger.owed > 0, !ledger.gaveUpWaiting, ledger.silence >= idle {
        throw ClientFailure.idle(idle, owed: ledger.owed)
      }
      try await Task.sleep(for: .milliseconds(100))
    }
  }
}

/// Runs `body`, failing with a timeout if it has not connected to `url` within `timeout`, or
/// as interrupted if `stopped` returns first. The library cannot cancel a connect in
/// progress, so such an attempt is abandoned: `attempt` tells its handler, should it connect
/// later, to return at once.
func withConnectTimeout<T: Sendable>(
  _ timeout: Duration, url: String, attempt: ConnectAttempt, stopped: (@Sendable () async -> Void)? = nil,
  _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
  try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
    // The timer and the stop watcher, cancelled once the outcome is known.
    let guards = Guarded<(done: Bool, tasks: [Task<Void, Never>])>((false, []))
    let finish: @Sendable (Result<T, any Error>) -> Void = { result in
      let (first, tasks) = guards.withLock { state in
        defer { state.done = true }
        return (!state.done, state.tasks)
      }
      guard first else { return }
      continuation.resume(with: result)
      tasks.forEach { $0.cancel() }
    }
    let work = Task {
      do { finish(.success(try await body())) } catch { finish(.failure(error)) }
    }
    var tasks = [
      Task {
        try? await Task.sleep(for: timeout)
        if attempt.abandon() {
          work.cancel()
          finish(.failure(ClientFailure(.timeout, "timed out connecting to \(url) after \(timeout)")))
        }
      }
    ]
    if let stopped {
      tasks.append(
        Task {
          await stopped()
          if !Task.isCancelled, attempt.abandon() {
            work.cancel()
            finish(.failure(ClientFailure(.interrupted, "stopped while connecting to \(url)")))
          }
        })
    }
    let alreadyDone = guards.withLock { state in
      state.tasks = tasks
      return state.done
    }
    if alreadyDone { tasks.forEach { $0.cancel() } }
  }
}

/// One connection attempt: connected, or abandoned by the connect timeout — never both.
final class ConnectAttempt: Sendable {
  private enum Phase { case pending, connected, abandoned }
  private let phase = Guarded(Phase.pending)

  /// Marks the attempt connected; false when it was already abandoned.
  func connect() -> Bool {
    phase.withLock { phase in
      guard phase == .pending else { return false }
      phase = .connected
      return true
    }
  }

  /// Abandons the attempt; false when it already connected.
  func abandon() -> Bool {
    phase.withLock { phase in
      guard phase == .pending else { return false }
      phase = .abandoned
      return true
    }
  }
}

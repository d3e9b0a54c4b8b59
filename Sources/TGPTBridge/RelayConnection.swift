import Synchronization

/// One client of the relay — a WebSocket connection or an HTTP request — and the event lines
/// owed to it, in order.
///
/// The queue is bounded: a client that stops reading fills it, and then the connection is
/// marked `overflowed` and its stream ends, so one stuck client never holds up the others or
/// grows the server's memory.
public final class RelayConnection: Sendable {
  /// The session this connection talks in (the path's `{session_id}`).
  public let sessionID: String
  /// Event lines (no newline) for this connection; ends on `close()` or overflow.
  public let events: AsyncStream<[UInt8]>
  /// A number unique in this server, for request ids and logs.
  public let number: Int
  private let continuation: AsyncStream<[UInt8]>.Continuation
  private let counts = Mutex(Counts())
  private let detach: @Sendable (RelayConnection) -> Void

  private struct Counts {
    var inFlight = 0
    var overflowed = false
  }

  init(sessionID: String, number: Int, queueLimit: Int, detach: @escaping @Sendable (RelayConnection) -> Void) {
    self.sessionID = sessionID
    self.number = number
    self.detach = detach
    (events, continuation) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingOldest(queueLimit))
  }

  /// Messages sent and not yet answered with a terminal event.
  public var inFlight: Int { counts.withLock { $0.inFlight } }

  /// Whether the stream ended because the client fell too far behind.
  public var overflowed: Bool { counts.withLock { $0.overflowed } }

  /// Queues one event line; on overflow the stream ends (the line is lost with the connection).
  public func deliver(_ line: [UInt8]) {
    if case .dropped = continuation.yield(line) {
      counts.withLock { $0.overflowed = true }
      continuation.finish()
    }
  }

  /// Ends the stream: events still to come for this connection are dropped.
  public func close() {
    continuation.finish()
    detach(self)
  }

  func began() { counts.withLock { $0.inFlight += 1 } }

  func ended() { counts.withLock { $0.inFlight -= 1 } }
}

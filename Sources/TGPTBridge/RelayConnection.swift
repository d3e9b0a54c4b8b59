import Synchronization

/// One client of the relay — a WebSocket connection or an HTTP request — and the event lines
/// owed to it, in order.
///
/// The queue is bounded: a client that stops reading fills it, and then the connection is
/// marked `overflowed`, its stream ends and `overflow` fires, so one stuck client never holds
/// up the others or grows the server's memory.
public final class RelayConnection: Sendable {
  /// The session this connection talks in (the path's `{session_id}`).
  public let sessionID: String
  /// Event lines (no newline) for this connection; ends on `close()` or overflow.
  public let events: AsyncStream<[UInt8]>
  /// A number unique in this server, for request ids and logs.
  public let number: Int
  /// Yields once when the client falls too far behind; ends when the connection closes.
  public let overflow: AsyncStream<Void>
  private let continuation: AsyncStream<[UInt8]>.Continuation
  private let overflowContinuation: AsyncStream<Void>.Continuation
  private let counts = Mutex(Counts())

  private struct Counts {
    var inFlight = 0
    var overflowed = false
    var goingAway = false
  }

  init(sessionID: String, number: Int, queueLimit: Int) {
    self.sessionID = sessionID
    self.number = number
    (events, continuation) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingOldest(queueLimit))
    (overflow, overflowContinuation) = AsyncStream.makeStream(of: Void.self)
  }

  /// Messages sent and not yet answered with a terminal event.
  public var inFlight: Int { counts.withLock { $0.inFlight } }

  /// Whether the stream ended because the client fell too far behind.
  public var overflowed: Bool { counts.withLock { $0.overflowed } }

  /// Whether the server is shutting down: the stream ended by `finishForShutdown()`.
  public var goingAway: Bool { counts.withLock { $0.goingAway } }

  /// Queues one event line; on overflow the stream ends (the line is lost with the connection).
  public func deliver(_ line: [UInt8]) {
    if case .dropped = continuation.yield(line) {
      counts.withLock { $0.overflowed = true }
      continuation.finish()
      overflowContinuation.yield()
      overflowContinuation.finish()
    }
  }

  /// Ends the stream: events still to come for this connection are dropped.
  public func close() {
    continuation.finish()
    overflowContinuation.finish()
  }

  /// Ends the stream after the events already queued, for a shutdown: the reader gets those,
  /// then the end, and `goingAway` is true.
  public func finishForShutdown() {
    counts.withLock { $0.goingAway = true }
    continuation.finish()
  }

  func began() { counts.withLock { $0.inFlight += 1 } }

  func ended() { counts.withLock { $0.inFlight -= 1 } }
}

import TGPTEvents

/// One client of the relay — a WebSocket connection or an HTTP request — and the event lines
/// owed to it, in order.
///
/// The queue absorbs bursts: a fast provider can send thousands of events faster than a
/// network writes them, and a client that reads is never dropped for that. A client counts as
/// stuck only when it makes no progress — no event taken off the queue — for the stall timeout
/// while events wait, or when the queue grows past its byte limit; then the connection is
/// marked `overflowed`, its stream ends and `overflow` fires, so one stuck client never holds
/// up the others or grows the server's memory without bound.
package final class RelayConnection: Sendable {
  /// How much a connection may fall behind.
  package struct Limits: Sendable {
    /// Bytes of event lines queued before the client counts as stuck, whatever its progress.
    package var maxQueuedBytes: Int
    /// How long events may wait with no progress before the client counts as stuck.
    package var stallTimeout: Duration

    package init(maxQueuedBytes: Int = 16 << 20, stallTimeout: Duration = .seconds(30)) {
      self.maxQueuedBytes = maxQueuedBytes
      self.stallTimeout = stallTimeout
    }
  }

  /// The session this connection talks in (the path's `{session_id}`).
  package let sessionID: String
  /// Whose session: the principal of the client's token, put on every line for the child;
  /// nil when the server has no principals (the child's own then applies).
  package let principal: String?
  /// Event lines (no newline) for this connection; ends on `close()` or overflow. With a sink
  /// attached, only the lines the sink passes on (`passOn`).
  package let events: AsyncStream<[UInt8]>
  /// A number unique in this server, for request ids and logs.
  package let number: Int
  /// Yields once when the client falls too far behind; ends when the connection closes.
  package let overflow: AsyncStream<Void>
  let limits: Limits
  private let continuation: AsyncStream<[UInt8]>.Continuation
  private let overflowContinuation: AsyncStream<Void>.Continuation
  private let counts = Guarded(Counts())

  private struct Counts {
    var inFlight = 0
    var overflowed = false
    var goingAway = false
    var revoked = false
    var closed = false
    var queuedBytes = 0
    /// When the client last took an event, or when events started waiting.
    var lastProgress = ContinuousClock.now
    var sink: (any RelayEventSink)?
  }

  /// The server's per-principal quotas, counting this connection (nil: no principal, or none).
  let quotas: PrincipalQuotas?

  package init(sessionID: String, principal: String?, number: Int, limits: Limits, quotas: PrincipalQuotas? = nil) {
    self.sessionID = sessionID
    self.principal = principal
    self.quotas = principal == nil ? nil : quotas
    self.number = number
    self.limits = limits
    (events, continuation) = AsyncStream.makeStream(of: [UInt8].self)
    (overflow, overflowContinuation) = AsyncStream.makeStream(of: Void.self)
  }

  /// Messages sent and not yet answered with a terminal event.
  package var inFlight: Int { counts.withLock { $0.inFlight } }

  /// Whether the stream ended because the client fell too far behind.
  package var overflowed: Bool { counts.withLock { $0.overflowed } }

  /// Whether the server is shutting down: the stream ended by `finishForShutdown()`.
  package var goingAway: Bool { counts.withLock { $0.goingAway } }

  /// Bytes of event lines queued and not yet taken by the client.
  package var queuedBytes: Int { counts.withLock { $0.queuedBytes } }

  /// Queues one event line. When the client is stuck (see the type's description) the stream
  /// ends instead and `overflow` fires (the line is lost with the connection).
  package func deliver(_ line: [UInt8]) {
    let now = ContinuousClock.now
    let (stuck, sink) = counts.withLock { counts -> (Bool, (any RelayEventSink)?) in
      guard !counts.overflowed, !counts.closed else { return (false, nil) }
      if counts.queuedBytes == 0 { counts.lastProgress = now }
      counts.queuedBytes += line.count
      // One event bigger than the whole limit (a long history) still goes to a client that
      // reads: only what waits behind it counts.
      let waiting = counts.queuedBytes > line.count
      let stuck =
        waiting
        && (counts.queuedBytes > limits.maxQueuedBytes || now - counts.lastProgress >= limits.stallTimeout)
      if stuck { counts.overflowed = true }
      return (stuck, counts.sink)
    }
    if stuck {
      endAsStuck()
    } else if let sink {
      sink.enqueue(line)
    } else {
      continuation.yield(line)
    }
  }

  /// Hands the event lines to `sink` from now on, instead of `events`; before any is delivered.
  package func attach(_ sink: any RelayEventSink) {
    counts.withLock { $0.sink = sink }
  }

  /// For the sink: a line it leaves to the reader of `events` (which writes it, then tells
  /// the sink to go on).
  package func passOn(_ line: [UInt8]) { continuation.yield(line) }

  /// For the sink: the lines have ended (see `RelayEventSink.end`).
  package func finishEvents() { continuation.finish() }

  private var sink: (any RelayEventSink)? { counts.withLock { $0.sink } }

  /// Counts the client as stuck when events have waited with no progress for the stall
  /// timeout, even if no new event comes to notice it (see `deliver`). Call it now and then.
  package func checkStall() {
    let now = ContinuousClock.now
    let stuck = counts.withLock { counts in
      guard !counts.overflowed, !counts.closed, counts.queuedBytes > 0,
        now - counts.lastProgress >= limits.stallTimeout
      else { return false }
      counts.overflowed = true
      return true
    }
    if stuck { endAsStuck() }
  }

  /// Ends the stream of a client just found stuck, and says so on `overflow`.
  private func endAsStuck() {
    sink?.end(afterQueued: false)
    continuation.finish()
    overflowContinuation.yield()
    overflowContinuation.finish()
  }

  /// The client took `bytes` of events off the queue (they were written to it): progress.
  package func taken(_ bytes: Int) {
    let now = ContinuousClock.now
    counts.withLock { counts in
      counts.queuedBytes -= bytes
      counts.lastProgress = now
    }
  }

  /// Ends the stream: events still to come for this connection are dropped.
  package func close() {
    // The sink lets go here: it holds this connection, so keeping it would keep both forever.
    let (first, sink) = counts.withLock { counts in
      defer {
        counts.closed = true
        counts.sink = nil
      }
      return (!counts.closed, counts.sink)
    }
    if first, let principal { quotas?.close(sessionID, for: principal) }
    sink?.end(afterQueued: false)
    continuation.finish()
    overflowContinuation.finish()
  }

  /// Whether the stream ended because the client's token no longer lets it in.
  package var revoked: Bool { counts.withLock { $0.revoked } }

  /// Ends the stream because the client's token was revoked: `revoked` is then true.
  package func revoke() {
    counts.withLock { $0.revoked = true }
    sink?.end(afterQueued: false)
    continuation.finish()
  }

  /// Ends the stream after the events already queued, for a shutdown: the reader gets those,
  /// then the end, and `goingAway` is true.
  package func finishForShutdown() {
    let sink = counts.withLock { counts in
      counts.goingAway = true
      return counts.sink
    }
    // The sink ends the stream once it has written what is queued.
    if let sink { sink.end(afterQueued: true) } else { continuation.finish() }
  }

  func began() { counts.withLock { $0.inFlight += 1 } }

  func ended() {
    counts.withLock { $0.inFlight -= 1 }
    if let principal { quotas?.end(for: principal) }
  }

  /// Counts a request against the principal's quotas (see `ended`), or the refusal.
  func admit() -> PrincipalQuotas.Refusal? {
    guard let quotas, let principal else { return nil }
    return quotas.begin(for: principal)
  }
}

import Dispatch
package import Logging
package import TGPTEvents

/// Relays messages from many connections to one NDJSON child program (by default
/// `tgpt-session serve`) and routes the child's events back by request id.
///
/// Each message gets an id unique in this server; the child tags every event with it, and the
/// event goes to the connection that asked, with the client's own id put back. Writes to the
/// child run on a thread of their own, reads on another, so a child that is slow to read or a
/// connection that is slow to drain never blocks anything else. When the child dies, every turn
/// in flight gets an `unavailable` error and a new child is started with backoff.
package final class ChildRelay: Sendable {
  /// How the relay runs.
  package struct Configuration: Sendable {
    /// The child's command line; the first word is looked up on PATH.
    package var command: [String]
    /// How far one connection may fall behind before it counts as stuck and is dropped.
    package var connectionLimits: RelayConnection.Limits
    /// The longest wait before restarting a child that keeps failing.
    package var maxRestartDelay: Duration
    /// What each principal may use at once (connections with a principal only); nil: no limits.
    package var quotas: PrincipalQuotas?

    package init(
      command: [String], connectionLimits: RelayConnection.Limits = .init(), maxRestartDelay: Duration = .seconds(5),
      quotas: PrincipalQuotas? = nil
    ) {
      self.command = command
      self.connectionLimits = connectionLimits
      self.maxRestartDelay = maxRestartDelay
      self.quotas = quotas
    }
  }

  struct Route {
    let connection: RelayConnection
    let clientID: String?
    let started: ContinuousClock.Instant
    /// The order it was submitted in, over the whole server.
    let order: Int
    /// Whether a cancel was passed on (once is enough; more would only fill the child's queue).
    var cancelled = false
    /// Whether a chunk went to the client: an error the relay makes itself is then partial.
    var sentChunks = false
  }

  /// A line for the child, and the request it belongs to (none for cancels).
  struct PendingLine {
    let requestID: String?
    let bytes: [UInt8]
  }

  struct State {
    var routes: [String: Route] = [:]
    var pending: [PendingLine] = []
    /// The exit status of the last child, while the next has not started.
    var lastExit: Int32?
    /// When the child running now started, and whether it has written anything yet.
    var childStarted = ContinuousClock.now
    var childSpoke = false
    var child: ChildProcess?
    var retiredInputs: [Int32] = []
    var accepting = true
    var stopping = false
    var nextRequest = 0
    var nextConnection = 0
    var failuresInARow = 0
    var drainWaiters: [AsyncStream<Void>.Continuation] = []
    /// Waiting for the child to exit once stopping.
    var exitWaiters: [AsyncStream<Void>.Continuation] = []
  }

  package let configuration: Configuration
  package let metrics: BridgeMetrics
  let logger: Logger
  let state = Guarded(State())
  let writerWake = DispatchSemaphore(value: 0)

  package init(configuration: Configuration, metrics: BridgeMetrics = BridgeMetrics(), logger: Logger) {
    self.configuration = configuration
    self.metrics = metrics
    self.logger = logger
  }

  /// Starts the child and the writer thread; fails when the child cannot be started at all.
  package func start() throws(RelayError) {
    let child = try ChildProcess.spawn(configuration.command)
    state.withLock { state in
      state.child = child
      state.childStarted = .now
    }
    startReader(for: child)
    DedicatedThread.start { [self] in writeLoop() }
  }

  /// A new connection talking in `principal`'s session `sessionID` (nil: the child's own
  /// principal); fails when it would open more sessions than the principal's quota. Its
  /// `close()` gives the place back.
  package func connect(sessionID: String, principal: String? = nil) throws(QuotaRefusal) -> RelayConnection {
    if let principal, let quotas = configuration.quotas, let refusal = quotas.open(sessionID, for: principal) {
      metrics.recordRefusal("quota")
      throw QuotaRefusal(principal: principal, refusal: refusal)
    }
    let number = state.withLock { state in
      state.nextConnection += 1
      return state.nextConnection
    }
    return RelayConnection(
      sessionID: sessionID, principal: principal, number: number, limits: configuration.connectionLimits,
      quotas: configuration.quotas)
  }

  /// Sends `message` to the child on behalf of `connection`, in the connection's session.
  /// Answers at once with an `unavailable` error while the relay is draining.
  package func submit(_ message: InputMessage, on connection: RelayConnection) {
    submit(.message(message), on: connection)
  }

  /// Sends a message, a history, a delete or a sessions request to the child on behalf of
  /// `connection`, in the connection's session (and as its principal), or passes on a cancel
  /// (see `cancel(_:on:)`).
  package func submit(_ input: ClientInput, on connection: RelayConnection) {
    let clientID: String?
    let retagged: (String) -> JSON
    switch input {
    case .cancel(let request):
      return cancel(request, on: connection)
    case .message(let message):
      clientID = message.id
      if refusedByQuota(clientID, connection) { return }
      // The session and principal are the connection's, whatever the client wrote: a client
      // never reaches a session its path and token do not name.
      retagged = { requestID in
        var outgoing = message
        outgoing.sessionID = connection.sessionID
        outgoing.principal = connection.principal
        outgoing.id = requestID
        return outgoing.json
      }
    case .history(let request):
      clientID = request.id
      if refusedByQuota(clientID, connection) { return }
      retagged = { requestID in
        HistoryRequest(id: requestID, sessionID: connection.sessionID, principal: connection.principal).json
      }
    case .delete(let request):
      clientID = request.id
      if refusedByQuota(clientID, connection) { return }
      retagged = { requestID in
        DeleteRequest(id: requestID, sessionID: connection.sessionID, principal: connection.principal).json
      }
    case .sessions(let request):
      clientID = request.id
      if refusedByQuota(clientID, connection) { return }
      // The list of the connection's principal, whatever the client wrote.
      retagged = { requestID in SessionsRequest(id: requestID, principal: connection.principal).json }
    }
    let requestID: String? = state.withLock { state in
      guard state.accepting else { return nil }
      state.nextRequest += 1
      let requestID = "c\(connection.number)-\(state.nextRequest)"
      var writer = JSONWriter()
      writer.value(retagged(requestID))
      writer.byte(UInt8(ascii: "\n"))
      state.routes[requestID] = Route(
        connection: connection, clientID: clientID, started: .now, order: state.nextRequest)
      state.pending.append(PendingLine(requestID: requestID, bytes: writer.bytes))
      return requestID
    }
    guard requestID != nil else {
      if let principal = connection.principal { connection.quotas?.end(for: principal) }
      let failure = Event.Failure(message: "the server is shutting down", code: .unavailable, retryable: true)
      connection.deliver(Event(.error(failure), id: clientID, sessionID: connection.sessionID).lineWithoutNewline)
      metrics.recordError(code: ErrorKind.unavailable.rawValue)
      return
    }
    connection.began()
    metrics.recordTurnStarted()
    writerWake.signal()
  }

  /// Answers a request over its principal's quota with a `rate_limited` error; whether it was.
  private func refusedByQuota(_ clientID: String?, _ connection: RelayConnection) -> Bool {
    guard let refusal = connection.admit() else { return false }
    let failure = QuotaRefusal(principal: connection.principal ?? "", refusal: refusal).failure
    connection.deliver(Event(.error(failure), id: clientID, sessionID: connection.sessionID).lineWithoutNewline)
    metrics.recordError(code: failure.code.rawValue)
    return true
  }

  /// Asks the child to stop the answers to `connection`'s messages with the cancel's id (the
  /// client's own id); nothing when none is in flight. Each answer still ends with its own
  /// terminal event, `interrupted`, from the child.
  package func cancel(_ request: CancelRequest, on connection: RelayConnection) {
    let queued = state.withLock { state in
      let requestIDs = state.routes.compactMap { requestID, route in
        route.connection === connection && route.clientID == request.id && !route.cancelled ? requestID : nil
      }
      for requestID in requestIDs {
        state.routes[requestID]?.cancelled = true
        state.pending.append(Self.cancelLine(requestID, connection, reason: request.reason))
      }
      return !requestIDs.isEmpty
    }
    if queued { writerWake.signal() }
  }

  /// Gives up the turns of a connection that has gone (closed, dropped, or an HTTP client that
  /// left): those not yet passed to the child are never started, and the child is asked to
  /// stop the others, which then end `interrupted` and are stored so. Nobody pays for answers
  /// nobody will read.
  package func abandon(_ connection: RelayConnection, reason: String = "the client disconnected") {
    let (unsent, queued) = state.withLock { state in
      var unsent: [Route] = []
      state.pending.removeAll { line in
        guard let requestID = line.requestID, let route = state.routes[requestID], route.connection === connection
        else { return false }
        state.routes[requestID] = nil
        unsent.append(route)
        return true
      }
      // Newest first: had the running turn's cancel come first, the turn after it could start
      // before its own cancel was read.
      let running = state.routes.filter { $0.value.connection === connection && !$0.value.cancelled }
        .sorted { $0.value.order > $1.value.order }
      for (requestID, _) in running {
        state.routes[requestID]?.cancelled = true
        state.pending.append(Self.cancelLine(requestID, connection, reason: reason))
      }
      return (unsent, !running.isEmpty)
    }
    for route in unsent {
      connection.ended()
      metrics.recordTurnEnded(after: .now - route.started, errorCode: ErrorKind.interrupted.rawValue)
    }
    if queued { writerWake.signal() }
    if !unsent.isEmpty, inFlight == 0 { releaseDrainWaiters() }
  }

  static func cancelLine(_ requestID: String, _ connection: RelayConnection, reason: String?) -> PendingLine {
    var writer = JSONWriter()
    writer.value(
      CancelRequest(id: requestID, sessionID: connection.sessionID, reason: reason, principal: connection.principal)
        .json)
    writer.byte(UInt8(ascii: "\n"))
    return PendingLine(requestID: nil, bytes: writer.bytes)
  }

}

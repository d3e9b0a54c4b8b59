import Dispatch
import Logging
import Synchronization
import TGPTEvents

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Relays messages from many connections to one NDJSON child program (by default
/// `tgpt-session serve`) and routes the child's events back by request id.
///
/// Each message gets an id unique in this server; the child tags every event with it, and the
/// event goes to the connection that asked, with the client's own id put back. Writes to the
/// child run on a thread of their own, reads on another, so a child that is slow to read or a
/// connection that is slow to drain never blocks anything else. When the child dies, every turn
/// in flight gets an `unavailable` error and a new child is started with backoff.
public final class ChildRelay: Sendable {
  /// How the relay runs.
  public struct Configuration: Sendable {
    /// The child's command line; the first word is looked up on PATH.
    public var command: [String]
    /// How far one connection may fall behind before it counts as stuck and is dropped.
    public var connectionLimits: RelayConnection.Limits
    /// The longest wait before restarting a child that keeps failing.
    public var maxRestartDelay: Duration

    public init(
      command: [String], connectionLimits: RelayConnection.Limits = .init(), maxRestartDelay: Duration = .seconds(5)
    ) {
      self.command = command
      self.connectionLimits = connectionLimits
      self.maxRestartDelay = maxRestartDelay
    }
  }

  struct Route {
    let connection: RelayConnection
    let clientID: String?
    let started: ContinuousClock.Instant
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
    var drainWaiters: [RelayWaiter] = []
    /// Waiting for the child to exit once stopping.
    var exitWaiters: [RelayWaiter] = []
  }

  public let configuration: Configuration
  public let metrics: BridgeMetrics
  let logger: Logger
  let state = Mutex(State())
  let writerWake = DispatchSemaphore(value: 0)

  public init(configuration: Configuration, metrics: BridgeMetrics = BridgeMetrics(), logger: Logger) {
    self.configuration = configuration
    self.metrics = metrics
    self.logger = logger
  }

  /// Starts the child and the writer thread; fails when the child cannot be started at all.
  public func start() throws(RelayError) {
    let child = try ChildProcess.spawn(configuration.command)
    state.withLock { state in
      state.child = child
      state.childStarted = .now
    }
    startReader(for: child)
    DedicatedThread.start { [self] in writeLoop() }
  }

  /// A new connection talking in `sessionID`.
  public func connect(sessionID: String) -> RelayConnection {
    let number = state.withLock { state in
      state.nextConnection += 1
      return state.nextConnection
    }
    return RelayConnection(sessionID: sessionID, number: number, limits: configuration.connectionLimits)
  }

  /// Sends `message` to the child on behalf of `connection`, in the connection's session.
  /// Answers at once with an `unavailable` error while the relay is draining.
  public func submit(_ message: InputMessage, on connection: RelayConnection) {
    submit(.message(message), on: connection)
  }

  /// Sends a message or a history request to the child on behalf of `connection`, in the
  /// connection's session, or passes on a cancel (see `cancel(_:on:)`).
  public func submit(_ input: ClientInput, on connection: RelayConnection) {
    let clientID: String?
    let retagged: (String) -> JSON
    switch input {
    case .cancel(let request):
      return cancel(request, on: connection)
    case .message(let message):
      clientID = message.id
      retagged = { requestID in
        var outgoing = message
        outgoing.sessionID = connection.sessionID
        outgoing.id = requestID
        return outgoing.json
      }
    case .history(let request):
      clientID = request.id
      retagged = { requestID in HistoryRequest(id: requestID, sessionID: connection.sessionID).json }
    }
    let requestID: String? = state.withLock { state in
      guard state.accepting else { return nil }
      state.nextRequest += 1
      let requestID = "c\(connection.number)-\(state.nextRequest)"
      var writer = JSONWriter()
      writer.value(retagged(requestID))
      writer.byte(UInt8(ascii: "\n"))
      state.routes[requestID] = Route(connection: connection, clientID: clientID, started: .now)
      state.pending.append(PendingLine(requestID: requestID, bytes: writer.bytes))
      return requestID
    }
    guard requestID != nil else {
      let failure = Event.Failure(message: "the server is shutting down", code: .unavailable, retryable: true)
      connection.deliver(Event(.error(failure), id: clientID, sessionID: connection.sessionID).lineWithoutNewline)
      metrics.recordError(code: ErrorKind.unavailable.rawValue)
      return
    }
    connection.began()
    metrics.recordTurnStarted()
    writerWake.signal()
  }

  /// Asks the child to stop the answers to `connection`'s messages with the cancel's id (the
  /// client's own id); nothing when none is in flight. Each answer still ends with its own
  /// terminal event, `interrupted`, from the child.
  public func cancel(_ request: CancelRequest, on connection: RelayConnection) {
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
  public func abandon(_ connection: RelayConnection, reason: String = "the client disconnected") {
    let (unsent, queued) = state.withLock { state in
      var unsent: [Route] = []
      state.pending.removeAll { line in
        guard let requestID = line.requestID, let route = state.routes[requestID], route.connection === connection
        else { return false }
        state.routes[requestID] = nil
        unsent.append(route)
        return true
      }
      var queued = false
      for (requestID, route) in state.routes where route.connection === connection && !route.cancelled {
        state.routes[requestID]?.cancelled = true
        state.pending.append(Self.cancelLine(requestID, connection, reason: reason))
        queued = true
      }
      return (unsent, queued)
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
    writer.value(CancelRequest(id: requestID, sessionID: connection.sessionID, reason: reason).json)
    writer.byte(UInt8(ascii: "\n"))
    return PendingLine(requestID: nil, bytes: writer.bytes)
  }

  /// The child's state, for `/healthz`.
  public enum Health: Sendable, Equatable {
    /// Running and answering.
    case running
    /// Just started: it has neither written anything nor stayed up half a second (a child
    /// that cannot open its store exits in that time).
    case starting
    /// Exited with this status; a new one starts after a backoff.
    case restarting(lastExit: Int32)
    /// Stopped for good (the server is shutting down).
    case stopped
  }

  /// The child's state now.
  public var health: Health {
    let now = ContinuousClock.now
    return state.withLock { state in
      if state.child != nil {
        return state.childSpoke || now - state.childStarted >= .milliseconds(500) ? .running : .starting
      }
      return state.stopping ? .stopped : .restarting(lastExit: state.lastExit ?? -1)
    }
  }

  /// Turns submitted and not yet ended, over all connections.
  public var inFlight: Int { state.withLock { $0.routes.count } }

  /// From now on, new messages are refused with an `unavailable` error.
  public func stopAccepting() { state.withLock { $0.accepting = false } }

  /// Waits until no turn is in flight, or `timeout`; true when all ended.
  public func drain(timeout: Duration) async -> Bool {
    await wait(for: .drained, timeout: timeout)
  }

  /// Stops the child: the writer closes its stdin once everything queued is written (the child
  /// finishes what it has and exits), and the child is killed if it has not exited within
  /// `grace`. With `interrupting`, the child is sent SIGTERM at once instead: it ends each turn
  /// in flight with an `interrupted` error and stores what was answered so far. Turns still
  /// open when it is gone get an `interrupted` error from the relay. Returns once the child
  /// has exited (or, killed, has not closed its output within a few seconds more: a
  /// grandchild may hold it).
  public func stop(grace: Duration = .seconds(2), interrupting: Bool = false) async {
    let child = state.withLock { state in
      state.stopping = true
      state.accepting = false
      return state.child
    }
    writerWake.signal()
    guard let child else { return }
    if interrupting { child.send(SIGTERM) }
    if await wait(for: .childExited, timeout: grace) { return }
    if !interrupting {
      child.send(SIGTERM)
      if await wait(for: .childExited, timeout: grace) { return }
    }
    child.send(SIGKILL)
    _ = await wait(for: .childExited, timeout: .seconds(5))
  }

  enum Awaited { case drained, childExited }

  /// Waits until `what` holds, or `timeout`; true when it holds. No thread is held meanwhile:
  /// the reader thread resumes the waiter when the turns end or the child exits.
  private func wait(for what: Awaited, timeout: Duration) async -> Bool {
    await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
      let waiter = RelayWaiter(continuation)
      let holds = state.withLock { state in
        switch what {
        case .drained:
          if state.routes.isEmpty { return true }
          state.drainWaiters.append(waiter)
        case .childExited:
          if state.child == nil { return true }
          state.exitWaiters.append(waiter)
        }
        return false
      }
      if holds {
        waiter.resume(true)
        return
      }
      Task {
        try? await Task.sleep(for: timeout)
        waiter.resume(false)
      }
    }
  }

  func releaseDrainWaiters() {
    let waiters = state.withLock { state in
      defer { state.drainWaiters = [] }
      return state.drainWaiters
    }
    for waiter in waiters { waiter.resume(true) }
  }

  /// The child has exited while stopping: `stop` may return.
  func releaseExitWaiters() {
    let waiters = state.withLock { state in
      defer { state.exitWaiters = [] }
      return state.exitWaiters
    }
    for waiter in waiters { waiter.resume(true) }
  }
}

extension Event {
  /// This event as one line without the newline, as a connection expects it.
  public var lineWithoutNewline: [UInt8] {
    var writer = JSONWriter()
    encode(into: &writer)
    return writer.bytes
  }
}

/// One waiting call's continuation (`drain`, `stop`), resumed exactly once: by what it waits
/// for or by the timeout, whichever comes first.
final class RelayWaiter: Sendable {
  private let continuation: Mutex<CheckedContinuation<Bool, Never>?>

  init(_ continuation: CheckedContinuation<Bool, Never>) { self.continuation = Mutex(continuation) }

  func resume(_ drained: Bool) {
    let pending = continuation.withLock { value in
      defer { value = nil }
      return value
    }
    pending?.resume(returning: drained)
  }
}

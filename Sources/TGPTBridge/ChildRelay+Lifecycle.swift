import Dispatch
import TGPTEvents

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension ChildRelay {
  /// The child's state, for `/healthz`.
  package enum Health: Sendable, Equatable {
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
  package var health: Health {
    let now = ContinuousClock.now
    return state.withLock { state in
      if state.child != nil {
        return state.childSpoke || now - state.childStarted >= .milliseconds(500) ? .running : .starting
      }
      return state.stopping ? .stopped : .restarting(lastExit: state.lastExit ?? -1)
    }
  }

  /// Turns submitted and not yet ended, over all connections.
  package var inFlight: Int { state.withLock { $0.routes.count } }

  /// From now on, new messages are refused with an `unavailable` error.
  package func stopAccepting() { state.withLock { $0.accepting = false } }

  /// Waits until no turn is in flight, or `timeout`; true when all ended.
  package func drain(timeout: Duration) async -> Bool {
    await wait(for: .drained, timeout: timeout)
  }

  /// Stops the child: the writer closes its stdin once everything queued is written (the child
  /// finishes what it has and exits), and the child is killed if it has not exited within
  /// `grace`. With `interrupting`, the child is sent SIGTERM at once instead: it ends each turn
  /// in flight with an `interrupted` error and stores what was answered so far. Turns still
  /// open when it is gone get an `interrupted` error from the relay. Returns once the child
  /// has exited (or, killed, has not closed its output within a few seconds more: a
  /// grandchild may hold it).
  package func stop(grace: Duration = .seconds(2), interrupting: Bool = false) async {
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

  /// Waits until `what` holds, or `timeout`; whether it holds then. No thread is held
  /// meanwhile: the reader thread ends the wait when the turns end or the child exits.
  private func wait(for what: Awaited, timeout: Duration) async -> Bool {
    let (signal, waiter) = AsyncStream.makeStream(of: Void.self)
    let holds: @Sendable (inout State) -> Bool = { what == .drained ? $0.routes.isEmpty : $0.child == nil }
    let held = state.withLock { state in
      if holds(&state) { return true }
      if what == .drained { state.drainWaiters.append(waiter) } else { state.exitWaiters.append(waiter) }
      return false
    }
    if held { return true }
    // Not cancelled with the caller: a shutdown that gives up on the drain still gives the
    // child its grace, as the timeouts say.
    await Task { await Race.run({ for await _ in signal {} }, cancelledAfter: timeout) }.value
    // What holds now, so a timeout that lands just after the event does not undo it.
    return state.withLock { holds(&$0) }
  }

  func releaseDrainWaiters() {
    let waiters = state.withLock { state in
      defer { state.drainWaiters = [] }
      return state.drainWaiters
    }
    for waiter in waiters { waiter.finish() }
  }

  /// The child has exited while stopping: `stop` may return.
  func releaseExitWaiters() {
    let waiters = state.withLock { state in
      defer { state.exitWaiters = [] }
      return state.exitWaiters
    }
    for waiter in waiters { waiter.finish() }
  }
}

extension Event {
  /// This event as one line without the newline, as a connection expects it.
  package var lineWithoutNewline: [UInt8] {
    var writer = JSONWriter()
    encode(into: &writer)
    return writer.bytes
  }
}

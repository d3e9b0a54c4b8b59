import Dispatch
import Logging
import TGPTEvents

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension ChildRelay {
  /// The writer thread: moves queued lines into the child's stdin, many per write. Only this
  /// thread writes to or closes a child's stdin, so a dead child's descriptor is never reused
  /// under a write.
  func writeLoop() {
    while true {
      writerWake.wait()
      let (lines, input, retired, finished) = state.withLock { state in
        let retired = state.retiredInputs
        state.retiredInputs = []
        guard let child = state.child else { return ([PendingLine](), Int32(-1), retired, state.stopping) }
        let lines = state.pending
        state.pending = []
        return (lines, child.input, retired, state.stopping)
      }
      for fd in retired { close(fd) }
      if input >= 0, !lines.isEmpty {
        var batch: [UInt8] = []
        batch.reserveCapacity(lines.reduce(0) { $0 + $1.bytes.count })
        for line in lines { batch.append(contentsOf: line.bytes) }
        // A failed write means the child is gone; the reader sees that and fails these turns.
        do throws(ProtocolError) { try FileIO.writeAll(input, batch) } catch {}
      }
      if finished {
        if input >= 0 { close(input) }
        return
      }
    }
  }

  /// Reads `child`'s events on a thread of its own and routes each to its connection; at the
  /// end of its output, fails what it left unanswered and starts another.
  func startReader(for child: ChildProcess) {
    DedicatedThread.start { [self] in
      let limit = NDJSONSplitter.defaultMaxLineBytes
      // A read that fails ends the output: what is unanswered fails (a last line without its
      // newline with it).
      try? FileIO.forEachLine(fd: child.output, maxLineBytes: limit, reportsOverlongAtEnd: true) { [self] item in
        switch item {
        case .line(let bytes, _): self.route(bytes)
        case .overlong(_, let tail): self.failOverlong(tail: tail, limit: limit)
        }
      }
      close(child.output)
      let status = child.waitForExit()
      childEnded(child, status: status)
    }
  }

  /// Routes one event line from the child to the connection that asked.
  func route(_ line: UnsafeRawBufferPointer) {
    guard let tags = EventTags.read(line), let id = tags.id else {
      logger.debug("dropped a line from the chat program without a request id")
      return
    }
    let terminal = tags.isTerminal
    let chunk = tags.type == "chunk"
    let (found, idle) = state.withLock { state in
      let found = terminal ? state.routes.removeValue(forKey: id) : state.routes[id]
      if chunk, found?.sentChunks == false { state.routes[id]?.sentChunks = true }
      if !state.childSpoke { state.childSpoke = true }
      return (found, terminal && state.routes.isEmpty && !state.drainWaiters.isEmpty)
    }
    if let found {
      found.connection.deliver(tags.retagged(line, id: found.clientID))
      metrics.recordEvent()
      if terminal {
        found.connection.ended()
        metrics.recordTurnEnded(
          after: .now - found.started, errorCode: tags.type == "error" ? tags.code ?? "internal" : nil)
      }
    }
    // Only after the terminal event is queued: a drain waiting for it then closes connections.
    if idle { releaseDrainWaiters() }
  }

  /// An event line of the child was over the relay's line limit and dropped: its turn ends now
  /// with an error that says so (the id is read from the line's end, where the child writes
  /// it), the child is asked to stop it, and its later events are dropped with the route.
  func failOverlong(tail: [UInt8], limit: Int) {
    guard let id = EventTags.trailingID(tail) else {
      logger.error("dropped an event line of over \(limit) bytes from the chat program; its request id is unknown")
      return
    }
    let (found, idle) = state.withLock { state -> (Route?, Bool) in
      guard let route = state.routes.removeValue(forKey: id) else { return (nil, false) }
      if !route.cancelled {
        state.pending.append(Self.cancelLine(id, route.connection, reason: "an event was too long to relay"))
      }
      return (route, state.routes.isEmpty && !state.drainWaiters.isEmpty)
    }
    guard let found else { return }
    writerWake.signal()
    logger.error("dropped an event line of over \(limit) bytes from the chat program for request \(id)")
    let failure = Event.Failure(
      message:
        "the answer to this request had an event over the relay's limit of \(limit >> 20) MiB (a long history?); it was dropped",
      code: .internal, retryable: false, partial: found.sentChunks)
    found.connection.deliver(
      Event(.error(failure), id: found.clientID, sessionID: found.connection.sessionID).lineWithoutNewline)
    found.connection.ended()
    metrics.recordTurnEnded(after: .now - found.started, errorCode: ErrorKind.internal.rawValue)
    if idle { releaseDrainWaiters() }
  }

  /// The child is gone: every turn in flight gets an error — `interrupted` when we stopped it,
  /// else `unavailable` — and unless we are stopping, a new child starts after a backoff that
  /// grows while children keep dying.
  func childEnded(_ child: ChildProcess, status: Int32) {
    let (orphans, stopping, failures) = state.withLock { state in
      state.child = nil
      state.lastExit = status
      if child.input >= 0 { state.retiredInputs.append(child.input) }
      let orphans = Array(state.routes.values)
      state.routes = [:]
      state.pending = []
      state.failuresInARow += 1
      return (orphans, state.stopping, state.failuresInARow)
    }
    writerWake.signal()
    if !orphans.isEmpty || !stopping {
      logger.error("the chat program exited with status \(status); \(orphans.count) turn(s) failed")
    }
    for orphan in orphans {
      let failure =
        stopping
        ? Event.Failure(
          message: "the server is shutting down", code: .interrupted, retryable: true, partial: orphan.sentChunks)
        : Event.Failure(
          message: "the chat program stopped (status \(status))", code: .unavailable, retryable: true,
          partial: orphan.sentChunks)
      let event = Event(.error(failure), id: orphan.clientID, sessionID: orphan.connection.sessionID)
      orphan.connection.deliver(event.lineWithoutNewline)
      orphan.connection.ended()
      metrics.recordTurnEnded(after: .now - orphan.started, errorCode: failure.code.rawValue)
    }
    releaseDrainWaiters()
    guard !stopping else { return releaseExitWaiters() }
    metrics.recordRestart()
    let delay = min(configuration.maxRestartDelay, .milliseconds(100) * (1 << min(failures - 1, 10)))
    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(delay.inMilliseconds))) { [self] in restart()
    }
  }

  private func restart() {
    guard !state.withLock({ $0.stopping }) else { return }
    do throws(RelayError) {
      let child = try ChildProcess.spawn(configuration.command)
      let stopping = state.withLock { state in
        if !state.stopping {
          state.child = child
          state.lastExit = nil
          state.childStarted = .now
          state.childSpoke = false
        }
        return state.stopping
      }
      if stopping {
        // `stop` came while it started: end it, and reap it so it leaves neither a zombie
        // nor an open pipe behind.
        close(child.input)
        child.send(SIGTERM)
        DedicatedThread.start {
          close(child.output)
          _ = child.waitForExit()
        }
        return
      }
      startReader(for: child)
      writerWake.signal()
      // A child that stays up for a while resets the backoff.
      DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(10)) { [self] in
        state.withLock { state in
          if state.child?.pid == child.pid { state.failuresInARow = 0 }
        }
      }
    } catch {
      logger.error("\(error)")
      childEnded(ChildProcess(pid: -1, input: -1, output: -1), status: -1)
    }
  }
}

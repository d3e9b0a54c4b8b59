import TGPTEvents

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// One running MCP server process: JSON-RPC requests out on its stdin, answers matched by id
/// from its stdout, and its end, which fails every request still waiting.
///
/// Its stdout is read by a `LineFeed` thread, its exit waited for by another, its stdin
/// written by a `LineWriter`: no task ever blocks on it.
final class MCPConnection: Sendable {
  /// How a request ended.
  enum Reply: Sendable, Equatable {
    case result(JSON)
    case failure(JSONRPC.Failure)
    /// The server ended before answering ("exited with status 1").
    case ended(String)
    case timedOut
    case cancelled
    /// The request never reached the server: it had already gone.
    case notDelivered
  }

  private struct Pending {
    let continuation: CheckedContinuation<Reply, Never>
    var timer: Task<Void, Never>?
  }

  private struct State {
    var nextID = 1
    var pending: [Int: Pending] = [:]
    var endReason: String?
    var endedAt: ContinuousClock.Instant?
  }

  let child: ChildGroup
  /// Why the server ended ("exited with status 1"), once its output has closed and it is reaped.
  let ended = Latch<String>()
  private let exitStatus = Latch<Int32>()
  private let writer: LineWriter
  private let state = Guarded(State())

  private init(child: ChildGroup, input: Int32) {
    self.child = child
    writer = LineWriter(fd: input)
  }

  /// Starts `command` (argv; the first word looked up on PATH) in a process group of its own,
  /// its stderr ours so that its complaints reach the user.
  static func spawn(server: String, command: [String]) throws(ToolError) -> MCPConnection {
    guard !command.isEmpty, !command[0].isEmpty else { throw .serverStart(server, "no command given") }
    guard let toChild = FileIO.makePipe() else { throw .serverStart(server, "cannot make a pipe: out of descriptors") }
    guard let fromChild = FileIO.makePipe() else {
      closeAll(toChild.read, toChild.write)
      throw .serverStart(server, "cannot make a pipe: out of descriptors")
    }
    defer { closeAll(toChild.read, fromChild.write) }
    let pid: pid_t
    do throws(ChildSpawn.Failure) {
      pid = try ChildSpawn.start(
        command, environment: ToolEnvironment.filtered(), stdin: .descriptor(toChild.read),
        stdout: .descriptor(fromChild.write), stderr: .inherit, processGroup: true)
    } catch {
      closeAll(toChild.write, fromChild.read)
      throw .serverStart(server, "cannot start \(error.description)")
    }
    let connection = MCPConnection(child: ChildGroup(pid: pid), input: toChild.write)
    connection.begin(reading: fromChild.read)
    return connection
  }

  /// Whether the server is still there, as far as we know.
  var isRunning: Bool { state.withLock { $0.endReason == nil } && exitStatus.value == nil }

  /// When its end was noticed.
  var endedAt: ContinuousClock.Instant? { state.withLock { $0.endedAt } }

  private func begin(reading output: Int32) {
    DedicatedThread.start { [child, exitStatus] in exitStatus.set(child.waitForExit()) }
    let feed = LineFeed(fd: output, window: 16)
    Task { [self] in
      for await item in feed.lines {
        if case .line(let bytes, _) = item { handle(bytes) }
        feed.release()
      }
      closeAll(output)
      await finish()
    }
  }

  private func handle(_ line: [UInt8]) {
    switch JSONRPC.decode(line) {
    case .response(let id, let outcome):
      switch outcome {
      case .success(let result): resolve(id, .result(result))
      case .failure(let failure): resolve(id, .failure(failure))
      }
    case .request(let id, let method):
      // A server may wait for our answer: say at once what we do not do.
      writer.send(
        method == "ping"
          ? JSONRPC.result(id: id, [:])
          : JSONRPC.error(id: id, code: JSONRPC.methodNotFound, message: "tgpt does not support \(method)"))
    case .notification, .unusable:
      break
    }
  }

  /// Its output has closed: it has exited, or is about to; one that lingers is stopped.
  private func finish() async {
    var status = await exitStatus.wait(timeout: .seconds(1))
    if status == nil {
      child.signal(SIGTERM)
      status = await exitStatus.wait(timeout: .seconds(1))
    }
    if status == nil {
      child.signal(SIGKILL)
      status = await exitStatus.wait()
    }
    writer.close()
    let why = "exited with status \(status ?? -1)"
    let waiting = state.withLock { state -> [Pending] in
      state.endReason = why
      state.endedAt = .now
      defer { state.pending = [:] }
      return Array(state.pending.values)
    }
    ended.set(why)
    for pending in waiting {
      pending.timer?.cancel()
      pending.continuation.resume(returning: .ended(why))
    }
  }

  /// Sends a request and waits for its answer, at most `timeout`. A cancelled or timed-out
  /// request is withdrawn with `notifications/cancelled`, as MCP asks.
  func request(_ method: String, params: JSON?, timeout: Duration) async -> Reply {
    let id = state.withLock { state in
      defer { state.nextID += 1 }
      return state.nextID
    }
    let reply = await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Reply, Never>) in
        let endReason = state.withLock { state -> String? in
          if let why = state.endReason { return why }
          state.pending[id] = Pending(continuation: continuation)
          return nil
        }
        if let endReason {
          continuation.resume(returning: .ended(endReason))
          return
        }
        writer.send(JSONRPC.request(id: id, method: method, params: params)) { [self] delivered in
          if !delivered { resolve(id, .notDelivered) }
        }
        let timer = Task { [self] in
          try? await Task.sleep(for: timeout)
          if !Task.isCancelled { resolve(id, .timedOut) }
        }
        let kept = state.withLock { state -> Bool in
          guard state.pending[id] != nil else { return false }
          state.pending[id]?.timer = timer
          return true
        }
        if !kept { timer.cancel() }
        if Task.isCancelled { resolve(id, .cancelled) }
      }
    } onCancel: {
      resolve(id, .cancelled)
    }
    if reply == .timedOut || reply == .cancelled {
      let reason = reply == .timedOut ? "timed out" : "cancelled by the user"
      notify("notifications/cancelled", params: ["requestId": .int(id), "reason": .string(reason)])
    }
    return reply
  }

  /// Sends a notification.
  func notify(_ method: String, params: JSON?) {
    writer.send(JSONRPC.notification(method: method, params: params))
  }

  private func resolve(_ id: Int, _ reply: Reply) {
    let pending = state.withLock { $0.pending.removeValue(forKey: id) }
    pending?.timer?.cancel()
    pending?.continuation.resume(returning: reply)
  }

  /// Stops the server as MCP's stdio transport says: close its stdin, wait for it to exit,
  /// then SIGTERM, then SIGKILL. Returns once it has ended (or a few seconds after SIGKILL).
  func shutdown(grace: Duration = .seconds(2)) async {
    writer.close()
    if await ended.wait(timeout: grace) != nil { return }
    child.signal(SIGTERM)
    if await ended.wait(timeout: grace) != nil { return }
    child.signal(SIGKILL)
    _ = await ended.wait(timeout: .seconds(5))
  }
}

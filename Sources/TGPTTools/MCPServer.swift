import TGPTEvents
package import TGPTProviders

/// A Model Context Protocol server over stdio, whose tools the model may call.
///
/// The server is a child process speaking JSON-RPC 2.0, one JSON object per line, and lives
/// as long as this object (for `serve`, the whole run). If it dies, the calls waiting on it
/// fail with an error outcome that says so, and the next call starts it again — after 0.5 s,
/// then 1, 2, 4 … up to 30 s since it went down, counting restarts since the last call that
/// succeeded — and does the handshake again.
///
/// Requests the server makes of us are answered "method not found" (or, for `ping`, with an
/// empty result), so it never waits on us; its notifications are ignored.
package final class MCPServer: Sendable {
  /// The name it is known by in messages (the config's `[mcp.NAME]`, or the command).
  package let name: String
  /// The program and its arguments.
  package let command: [String]
  /// How long a `tools/call` may take.
  package let callTimeout: Duration
  /// How long a start (spawn and handshake) may take.
  package let startTimeout: Duration

  struct State {
    var connection: MCPConnection?
    var tools: [ToolSpec]
    var ignoredTools: [String]
    /// A start under way, which every caller that needs the server waits for.
    var starting: Latch<Result<MCPConnection, ToolError>>?
    /// Restarts since the last call that succeeded.
    var restarts = 0
    /// When the server was last seen gone (or failed to start).
    var downSince: ContinuousClock.Instant?
    var stopped = false
    /// The restart waiting out its backoff or starting, which `stop` cancels.
    var restartTask: Task<Void, Never>?
  }

  let state: Guarded<State>

  private init(
    name: String, command: [String], callTimeout: Duration, startTimeout: Duration, connection: MCPConnection,
    tools: [ToolSpec], ignoredTools: [String]
  ) {
    self.name = name
    self.command = command
    self.callTimeout = callTimeout
    self.startTimeout = startTimeout
    state = Guarded(State(connection: connection, tools: tools, ignoredTools: ignoredTools))
  }

  /// Starts the server (argv, no shell; its stderr is ours) and lists its tools.
  ///
  /// Throws a `ToolError` naming the server when it cannot be started, exits, answers with an
  /// error, or has not finished the handshake within `startTimeout`.
  package static func start(
    name: String, command: [String], callTimeout: Duration = .seconds(60), startTimeout: Duration = .seconds(30)
  ) async throws(ToolError) -> MCPServer {
    let (connection, tools, ignored) = try await connect(name: name, command: command, timeout: startTimeout)
    return MCPServer(
      name: name, command: command, callTimeout: callTimeout, startTimeout: startTimeout, connection: connection,
      tools: tools, ignoredTools: ignored)
  }

  /// The server's tools, from its latest `tools/list`.
  package var tools: [ToolSpec] { state.withLock { $0.tools } }

  /// Tools the server lists under names providers refuse (not `^[A-Za-z0-9_-]{1,64}$`),
  /// left out of `tools`; a caller may warn about them.
  package var ignoredTools: [String] { state.withLock { $0.ignoredTools } }

  /// The server's process id while it runs; nil while it is down.
  package var processID: Int32? {
    state.withLock { state in
      guard let connection = state.connection, connection.isRunning else { return nil }
      return connection.child.pid
    }
  }

  /// Stops the server: closes its stdin, waits briefly for it to exit, then terminates it.
  /// Later calls fail with an error outcome.
  package func stop() async {
    let (connection, starting, restart) = state.withLock { state in
      state.stopped = true
      defer { state.connection = nil }
      return (state.connection, state.starting, state.restartTask)
    }
    // A restart still in its backoff ends now rather than after it.
    restart?.cancel()
    await connection?.shutdown()
    // A restart under way sees `stopped` and shuts its new process down before it reports.
    _ = await starting?.wait(timeout: startTimeout + .seconds(10))
  }

  /// What `liveConnection` found.
  enum Live {
    case running(MCPConnection)
    /// Why there is none, for the error outcome.
    case unavailable(String)
  }

  /// A running connection: the current one, or a new one once the backoff has passed.
  /// On failure, why, for the error outcome.
  func liveConnection() async -> Live {
    enum Next {
      case ready(MCPConnection)
      case wait(Latch<Result<MCPConnection, ToolError>>)
      case start(Latch<Result<MCPConnection, ToolError>>, after: Duration)
      case stopped
    }
    let next = state.withLock { state -> Next in
      if state.stopped { return .stopped }
      if let connection = state.connection {
        if connection.isRunning { return .ready(connection) }
        state.connection = nil
        state.downSince = connection.endedAt ?? .now
      }
      if let starting = state.starting { return .wait(starting) }
      let latch = Latch<Result<MCPConnection, ToolError>>()
      state.starting = latch
      state.restarts += 1
      let delay = Self.backoff(restart: state.restarts)
      let since = state.downSince ?? .now
      return .start(latch, after: max(.zero, since.advanced(by: delay) - .now))
    }
    let latch: Latch<Result<MCPConnection, ToolError>>
    switch next {
    case .ready(let connection): return .running(connection)
    case .stopped: return .unavailable("MCP server \(name) has been stopped")
    case .wait(let starting): latch = starting
    case .start(let starting, let delay):
      latch = starting
      // Its own task: a caller that gives up must not leave the others waiting on nothing.
      let task = Task { await restart(into: starting, after: delay) }
      state.withLock { $0.restartTask = task }
    }
    guard let result = await latch.wait() else { return .unavailable("the call was cancelled") }
    switch result {
    case .success(let connection): return .running(connection)
    case .failure(let error):
      return .unavailable("MCP server \(name) is down and did not restart: \(error.description)")
    }
  }

  private func restart(into latch: Latch<Result<MCPConnection, ToolError>>, after delay: Duration) async {
    try? await Task.sleep(for: delay)
    let stopped = state.withLock { state in
      if state.stopped { state.starting = nil }
      return state.stopped
    }
    if stopped {
      latch.set(.failure(.serverStart(name, "it was stopped while restarting")))
      return
    }
    let result: Result<MCPConnection, ToolError>
    do throws(ToolError) {
      let (connection, tools, ignored) = try await Self.connect(name: name, command: command, timeout: startTimeout)
      let keep = state.withLock { state -> Bool in
        state.starting = nil
        guard !state.stopped else { return false }
        state.connection = connection
        state.tools = tools
        state.ignoredTools = ignored
        return true
      }
      if !keep { await connection.shutdown() }
      result = keep ? .success(connection) : .failure(.serverStart(name, "it was stopped while restarting"))
    } catch {
      state.withLock { state in
        state.starting = nil
        state.downSince = .now
      }
      result = .failure(error)
    }
    latch.set(result)
  }

  /// How long after going down the `restart`th restart (1, 2, …) may start: 0.5 s, doubling,
  /// at most 30 s.
  static func backoff(restart: Int) -> Duration {
    let exponent = min(max(restart - 1, 0), 10)
    return min(.milliseconds(500 << exponent), .seconds(30))
  }

  /// A call succeeded: the next restart, if any, starts again from the shortest backoff.
  func noteSuccess() {
    state.withLock { $0.restarts = 0 }
  }
}

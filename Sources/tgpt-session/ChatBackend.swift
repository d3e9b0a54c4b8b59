import TGPTBridgeClient
import TGPTEvents
import TGPTOrchestrator
import TGPTSession

/// Where the chat's answers come from: turns run in this process on the local store, or
/// through a `tgpt-ws-bridge serve` server (`--api-url`).
protocol ChatBackend: Sendable {
  /// The local store, for the commands that read it; nil when the chat is remote.
  var store: (any SessionStore)? { get }
  /// For the banner: where the sessions are kept.
  var place: String { get }
  /// Runs one turn, showing its events, through exactly one terminal event. `stopped` returns
  /// when the user asks to stop the answer; `notice` tells of trouble on the way (a lost
  /// connection and the next try).
  func turn(
    _ request: TurnRequest, stopped: @escaping @Sendable () async -> Void, notice: @Sendable (String) -> Void,
    show: @escaping @Sendable (Event) -> Void
  ) async

  /// The session's messages, or nil when it has none yet; `stopped` returning gives up.
  func history(of session: String, stopped: @escaping @Sendable () async -> Void) async throws -> [StoredMessage]?

  /// What a turn of `session` would use with `given` settings; nil when the server decides.
  func settings(of session: String, given: SessionSettings) async -> SessionSettings?
}

/// Turns run here, as `tgpt-session -s ID "message"` runs them.
struct LocalChat: ChatBackend {
  let localStore: any SessionStore
  let runner: TurnRunner
  /// Fills in what the environment, config file and defaults decide (no key command runs).
  let describe: @Sendable (SessionSettings) -> SessionSettings?

  var store: (any SessionStore)? { localStore }
  var place: String { "local" }

  func turn(
    _ request: TurnRequest, stopped: @escaping @Sendable () async -> Void, notice: @Sendable (String) -> Void,
    show: @escaping @Sendable (Event) -> Void
  ) async {
    let runner = runner
    // The runner ends a cancelled turn with `interrupted` and stores it so.
    _ = await Race.run(
      { await runner.run(request, interruption: { "interrupted by Ctrl-C" }) { show($0) } }, cancelledWhen: stopped)
  }

  func history(of session: String, stopped: @escaping @Sendable () async -> Void) async throws -> [StoredMessage]? {
    try await localStore.session(session)?.messages
  }

  func settings(of session: String, given: SessionSettings) async -> SessionSettings? {
    let settings = await runner.settings(of: session, given: given)
    return describe(settings) ?? settings
  }
}

/// Turns sent to a `tgpt-ws-bridge serve` server, which keeps the sessions.
struct RemoteChatBackend: ChatBackend {
  let remote: RemoteChat

  var store: (any SessionStore)? { nil }
  var place: String { remote.address.displayed }

  func turn(
    _ request: TurnRequest, stopped: @escaping @Sendable () async -> Void, notice: @Sendable (String) -> Void,
    show: @escaping @Sendable (Event) -> Void
  ) async {
    let message = InputMessage(
      message: request.message, id: request.requestID, model: request.settings.model, system: request.settings.system,
      retry: request.retry, attachments: request.attachments)
    await remote.send(message, session: request.sessionID, stopped: stopped, notice: notice, show: show)
  }

  func settings(of session: String, given: SessionSettings) async -> SessionSettings? { nil }

  /// Asked of the server, which answers with the session's export.
  func history(of session: String, stopped: @escaping @Sendable () async -> Void) async throws -> [StoredMessage]? {
    guard case .other(_, let fields) = try await remote.history(session: session, stopped: stopped).payload,
      let header = fields["session"], case .array(let messages)? = fields["messages"]
    else { throw ClientFailure(.internal, "the server's history event is not in the expected form") }
    if header.isNull { return nil }
    return try SessionExport(lines: [header] + messages).messages
  }
}

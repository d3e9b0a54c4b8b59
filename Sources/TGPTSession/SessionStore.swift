package import TGPTEvents

/// Where sessions live. SQLite in the data directory by default; the protocol lets other
/// stores (PostgreSQL, for several servers) take its place.
package protocol SessionStore: Sendable {
  /// Whose sessions this store sees (`PrincipalRule`): every id given to or returned by the
  /// store is one of this principal's sessions, and no call reaches another principal's.
  var principal: String { get }

  /// The same store (same connections, same locks), seen by `principal`.
  func scoped(to principal: String) -> any SessionStore

  /// The session with all its messages in order (read at one point in time), or nil if it
  /// does not exist.
  func session(_ id: String) async throws -> SessionExport?

  /// What a turn needs: the remembered settings (empty for a new session) and the messages
  /// with their turn, role, content, status and tool calls only (no usage or model).
  func history(of id: String) async throws -> (settings: SessionSettings, messages: [StoredMessage])

  /// Starts a turn: creates the session if needed (with `settings` filled in where it has
  /// none), records the user message and an `interrupted` placeholder for the answer, in one
  /// transaction, so a process killed mid-answer leaves a consistent record.
  /// `replacingLastTurn` first removes the session's last turn (a retry of its message).
  /// `attachments` are stored with the message, each content once.
  func beginTurn(
    session id: String, settings: SessionSettings, message: String, attachments: [Attachment],
    replacingLastTurn: Bool, now: Int64
  ) async throws -> TurnRecord

  /// Records how the turn ended (the session's last-used time stays the turn's start).
  func finishTurn(
    _ turn: TurnRecord, content: String, status: MessageStatus, model: String?, usage: Usage?, toolCalls: JSON?,
    error: String?, now: Int64
  ) async throws

  /// Records a round of tool calls in a turn: the answer so far becomes a complete message
  /// holding `content` and the calls (`[{"call_id","name","arguments"}]`), the results follow
  /// it as `tool` messages, and a new `interrupted` placeholder follows them for the rest of
  /// the answer, in one transaction. Returns the record of that placeholder.
  func recordToolRound(
    _ turn: TurnRecord, content: String, model: String?, usage: Usage?, toolCalls: JSON, results: [Event.ToolResult],
    now: Int64
  ) async throws -> TurnRecord

  /// Sessions, most recently used first (`limit` of them, or all).
  func list(limit: Int?) async throws -> [SessionSummary]

  /// The ids of the sessions whose id starts with `prefix`, in order.
  func ids(withPrefix prefix: String) async throws -> [String]

  /// The most recently used session: the one whose last turn started latest (ties: the
  /// smallest id).
  func mostRecent() async throws -> String?

  /// Changes remembered settings (nil leaves a setting as it is; an empty base URL or system
  /// prompt removes it); creates the session if needed. A new provider without a base URL
  /// forgets the old provider's base URL.
  func update(_ id: String, settings: SessionSettings, now: Int64) async throws

  func remove(_ id: String) async throws
  func rename(_ id: String, to newID: String) async throws

  /// Full-text search over message content.
  func search(_ query: String, limit: Int) async throws -> [SearchHit]

  /// Creates a session from an export; fails if it exists.
  func importSession(_ export: SessionExport) async throws

  /// Checks the store's consistency; the problems found (none when it is sound).
  func check() async throws -> [String]

  /// Fails when the store can be read but not written (a file or directory without write
  /// permission): a long-running writer should stop and be restarted once it is fixed,
  /// rather than fail every turn.
  func checkWritable() async throws

  /// Waits for, and holds until released, the right to run a turn of `id`: turns of one
  /// session run one at a time, across processes too. `onWait` runs once if another holds it.
  func lockTurns(of id: String, onWait: @Sendable () -> Void) async throws -> any TurnLease
}

extension SessionStore {
  /// `beginTurn` of a new turn, following those before it.
  package func beginTurn(session id: String, settings: SessionSettings, message: String, now: Int64) async throws
    -> TurnRecord
  {
    try await beginTurn(
      session: id, settings: settings, message: message, attachments: [], replacingLastTurn: false, now: now)
  }

  /// `beginTurn` of a message without attachments.
  package func beginTurn(
    session id: String, settings: SessionSettings, message: String, replacingLastTurn: Bool, now: Int64
  ) async throws -> TurnRecord {
    try await beginTurn(
      session: id, settings: settings, message: message, attachments: [], replacingLastTurn: replacingLastTurn,
      now: now)
  }

  /// `lockTurns(of:onWait:)` with nothing to do while waiting.
  package func lockTurns(of id: String) async throws -> any TurnLease {
    try await lockTurns(of: id, onWait: {})
  }
}

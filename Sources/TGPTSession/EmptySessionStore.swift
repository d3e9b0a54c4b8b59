import TGPTEvents

/// The store of a fresh installation, before the first turn has created the real one: it has
/// no sessions, and reading it creates nothing on disk. Changes fail, naming where the store
/// would be.
public struct EmptySessionStore: SessionStore {
  /// Where the store will be once a turn creates it.
  public let path: String
  public let principal: String

  public init(path: String, principal: String = PrincipalRule.default) {
    self.path = path
    self.principal = principal
  }

  public func scoped(to principal: String) -> any SessionStore { EmptySessionStore(path: path, principal: principal) }

  public func session(_ id: String) async throws -> SessionExport? { nil }
  public func history(of id: String) async throws -> (settings: SessionSettings, messages: [StoredMessage]) {
    (SessionSettings(), [])
  }
  public func list(limit: Int?) async throws -> [SessionSummary] { [] }
  public func ids(withPrefix prefix: String) async throws -> [String] { [] }
  public func mostRecent() async throws -> String? { nil }
  public func search(_ query: String, limit: Int) async throws -> [SearchHit] { [] }
  public func check() async throws -> [String] { [] }
  public func remove(_ id: String) async throws { throw StoreError.notFound(id) }
  public func rename(_ id: String, to newID: String) async throws { throw StoreError.notFound(id) }

  public func lockTurns(of id: String, onWait: @Sendable () -> Void) async throws -> any TurnLease { NoLease() }

  public func beginTurn(
    session id: String, settings: SessionSettings, message: String, attachments: [Attachment],
    replacingLastTurn: Bool, now: Int64
  ) async throws -> TurnRecord { throw StoreError.missing(path) }
  public func finishTurn(
    _ turn: TurnRecord, content: String, status: MessageStatus, model: String?, usage: Usage?, toolCalls: JSON?,
    error: String?, now: Int64
  ) async throws { throw StoreError.missing(path) }
  public func recordToolRound(
    _ turn: TurnRecord, content: String, model: String?, usage: Usage?, toolCalls: JSON, results: [Event.ToolResult],
    now: Int64
  ) async throws -> TurnRecord { throw StoreError.missing(path) }
  public func update(_ id: String, settings: SessionSettings, now: Int64) async throws {
    throw StoreError.missing(path)
  }
  public func importSession(_ export: SessionExport) async throws { throw StoreError.missing(path) }
  public func checkWritable() async throws { throw StoreError.missing(path) }
}

/// Nothing to hold: no turn can run on a store that does not exist.
private final class NoLease: TurnLease {}

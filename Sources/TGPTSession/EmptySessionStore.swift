package import TGPTEvents

/// The store of a fresh installation, before the first turn has created the real one: it has
/// no sessions, and reading it creates nothing on disk. Changes fail, naming where the store
/// would be.
package struct EmptySessionStore: SessionStore {
  /// Where the store will be once a turn creates it.
  package let path: String
  package let principal: String

  package init(path: String, principal: String = PrincipalRule.default) {
    self.path = path
    self.principal = principal
  }

  package func scoped(to principal: String) -> any SessionStore { EmptySessionStore(path: path, principal: principal) }

  package func session(_ id: String) async throws -> SessionExport? { nil }
  package func history(of id: String) async throws -> (settings: SessionSettings, messages: [StoredMessage]) {
    (SessionSettings(), [])
  }
  package func list(limit: Int?) async throws -> [SessionSummary] { [] }
  package func ids(withPrefix prefix: String) async throws -> [String] { [] }
  package func mostRecent() async throws -> String? { nil }
  package func search(_ query: String, limit: Int) async throws -> [SearchHit] { [] }
  package func check() async throws -> [String] { [] }
  package func remove(_ id: String) async throws { throw StoreError.notFound(id) }
  package func rename(_ id: String, to newID: String) async throws { throw StoreError.notFound(id) }

  package func lockTurns(of id: String, onWait: @Sendable () -> Void) async throws -> any TurnLease { NoLease() }

  package func beginTurn(
    session id: String, settings: SessionSettings, message: String, attachments: [Attachment],
    replacingLastTurn: Bool, now: Int64
  ) async throws -> TurnRecord { throw StoreError.missing(path) }
  package func finishTurn(
    _ turn: TurnRecord, content: String, status: MessageStatus, model: String?, usage: Usage?, toolCalls: JSON?,
    error: String?, now: Int64
  ) async throws { throw StoreError.missing(path) }
  package func recordToolRound(
    _ turn: TurnRecord, content: String, model: String?, usage: Usage?, toolCalls: JSON, results: [Event.ToolResult],
    now: Int64
  ) async throws -> TurnRecord { throw StoreError.missing(path) }
  package func update(_ id: String, settings: SessionSettings, now: Int64) async throws {
    throw StoreError.missing(path)
  }
  package func importSession(_ export: SessionExport) async throws { throw StoreError.missing(path) }
  package func checkWritable() async throws { throw StoreError.missing(path) }
}

/// Nothing to hold: no turn can run on a store that does not exist.
private final class NoLease: TurnLease {}

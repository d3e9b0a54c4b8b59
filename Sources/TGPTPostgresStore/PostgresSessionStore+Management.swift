import PostgresNIO
import TGPTEvents
package import TGPTSession

/// Reading, listing and changing sessions, with the SQLite store's rules.
extension PostgresSessionStore {
  static let sessionColumns =
    "s.id, s.turns, s.created_at, s.updated_at, s.model, s.provider, s.system, s.title, s.base_url"
  typealias SessionRow = (String, Int, Int64, Int64, String?, String?, String?, String, String?)

  static func summary(_ row: SessionRow) -> SessionSummary {
    SessionSummary(
      id: row.0, turns: row.1, createdAt: row.2, updatedAt: row.3,
      settings: SessionSettings(
        model: row.4, provider: row.5, system: row.6, baseURL: row.8.flatMap { $0.isEmpty ? nil : $0 }),
      title: row.7)
  }

  package func session(_ id: String) async throws -> SessionExport? {
    let principal = principal
    // One statement, so the session and its messages are read at one point in time.
    return try await perform { connection, logger in
      let rows = try await connection.rows(
        PostgresQuery(
          unsafeSQL: """
            SELECT \(Self.sessionColumns), m.seq, m.turn, m.role, m.content, m.model, m.status, m.usage,
              m.tool_calls, m.error, m.created_at, m.attachments
            FROM session s LEFT JOIN message m ON m.principal = s.principal AND m.session_id = s.id
            WHERE s.principal = $1 AND s.id = $2 ORDER BY m.seq
            """, binds: try Self.binds(principal, id)), logger: logger)
      var summary: SessionSummary?
      var messages: [StoredMessage] = []
      var columns: [(index: Int, column: String)] = []
      for row in rows {
        let random = row.makeRandomAccess()
        if summary == nil { summary = Self.summary(try row.decode(SessionRow.self)) }
        guard let seq = try random[9].decode(Int?.self) else { continue }
        let (turn, role, content, model, status) = (
          try random[10].decode(Int.self), try random[11].decode(String.self), try random[12].decode(String.self),
          try random[13].decode(String?.self), try random[14].decode(String.self)
        )
        let (usage, toolCalls, error, createdAt) = (
          try random[15].decode(String?.self), try random[16].decode(String?.self),
          try random[17].decode(String?.self), try random[18].decode(Int64.self)
        )
        messages.append(
          StoredMessage(
            sessionID: id, seq: seq, turn: turn, role: role, content: content, model: model,
            status: MessageStatus(rawValue: status) ?? .interrupted,
            usage: usage.flatMap { try? JSON.parse($0) }.flatMap(Usage.init(json:)),
            toolCalls: toolCalls.flatMap { try? JSON.parse($0) }, error: error, createdAt: createdAt))
        if let column = try random[19].decode(String?.self) { columns.append((messages.count - 1, column)) }
      }
      try await Self.attach(columns, to: &messages, principal: principal, connection, logger)
      return summary.map { SessionExport(summary: $0, messages: messages) }
    }
  }

  package func list(limit: Int?) async throws -> [SessionSummary] {
    let principal = principal
    return try await perform { connection, logger in
      let rows = try await connection.rows(
        PostgresQuery(
          unsafeSQL: """
            SELECT \(Self.sessionColumns) FROM session s WHERE s.principal = $1
            ORDER BY s.updated_at DESC, s.id COLLATE "C" LIMIT $2
            """, binds: try Self.binds(principal, limit.map { max($0, 0) })), logger: logger)
      return try rows.map { Self.summary(try $0.decode(SessionRow.self)) }
    }
  }

  package func ids(withPrefix prefix: String) async throws -> [String] {
    let principal = principal
    return try await perform { connection, logger in
      // left(), not LIKE: ids may contain `_`, which LIKE takes for a wildcard. COLLATE "C":
      // ids sort by their bytes, as in SQLite, whatever the database's collation.
      let rows = try await connection.rows(
        """
        SELECT id FROM session WHERE principal = \(principal) AND left(id, length(\(prefix))) = \(prefix)
        ORDER BY id COLLATE "C"
        """, logger: logger)
      return try rows.map { try $0.decode(String.self) }
    }
  }

  package func mostRecent() async throws -> String? {
    let principal = principal
    return try await perform { connection, logger in
      let rows = try await connection.rows(
        """
        SELECT id FROM session WHERE principal = \(principal) ORDER BY updated_at DESC, id COLLATE "C" LIMIT 1
        """, logger: logger)
      return try rows.first?.decode(String.self)
    }
  }

  package func update(_ id: String, settings: SessionSettings, now: Int64) async throws {
    let principal = principal
    try await perform { connection, logger in
      try await connection.rows(
        """
        INSERT INTO session AS s (principal, id, created_at, updated_at, model, provider, system, base_url, turns, title)
        VALUES (\(principal), \(id), \(now), \(now), \(settings.model), \(settings.provider), \(settings.system), \
        \(settings.baseURL), 0, '')
        ON CONFLICT (principal, id) DO UPDATE SET
          model = coalesce(excluded.model, s.model),
          provider = coalesce(excluded.provider, s.provider),
          system = coalesce(excluded.system, s.system),
          base_url = CASE
            WHEN excluded.base_url IS NOT NULL THEN excluded.base_url
            WHEN excluded.provider IS NOT NULL AND excluded.provider IS DISTINCT FROM s.provider THEN NULL
            ELSE s.base_url END
        """, logger: logger)
    }
  }

  package func remove(_ id: String) async throws {
    let principal = principal
    let removed = try await transaction { connection, logger in
      // The attachments lock first, as every writer takes it before rows.
      try await connection.rows("SELECT tgpt_lock_attachments(\(principal))", logger: logger)
      let rows = try await connection.rows(
        "DELETE FROM session WHERE principal = \(principal) AND id = \(id) RETURNING 1", logger: logger)
      let count = rows.count
      if count > 0 { try await connection.rows("SELECT tgpt_prune_attachments(\(principal))", logger: logger) }
      return count
    }
    if removed == 0 { throw StoreError.notFound(id) }
  }

  package func rename(_ id: String, to newID: String) async throws {
    let principal = principal
    try await transaction { connection, logger in
      let taken = try await connection.rows(
        "SELECT 1 FROM session WHERE principal = \(principal) AND id = \(newID)", logger: logger)
      if !taken.isEmpty { throw StoreError.exists(newID) }
      // The messages follow: ON UPDATE CASCADE.
      let renamed = try await connection.rows(
        "UPDATE session SET id = \(newID) WHERE principal = \(principal) AND id = \(id) RETURNING 1", logger: logger)
      if renamed.isEmpty { throw StoreError.notFound(id) }
    }
  }

  static func binds(_ first: String, _ second: (some PostgresDynamicTypeEncodable)?) throws -> PostgresBindings {
    var binds = PostgresBindings()
    binds.append(first)
    binds.append(second)
    return binds
  }
}

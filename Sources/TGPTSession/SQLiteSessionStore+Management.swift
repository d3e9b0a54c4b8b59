import GRDB
import TGPTEvents

/// Reading, listing, changing and checking sessions.
extension SQLiteSessionStore {
  package func session(_ id: String) async throws -> SessionExport? {
    let principal = principal
    return try await read { db in
      let sessions = try StatementRows(
        db, "SELECT \(Self.sessionColumns) FROM session WHERE principal = ? AND id = ?", [principal, id])
      guard try sessions.next() else { return nil }
      let summary = Self.summary(sessions)
      let rows = try StatementRows(
        db, "SELECT \(Self.messageColumns) FROM message WHERE principal = ? AND session_id = ? ORDER BY seq",
        [principal, id])
      var messages: [StoredMessage] = []
      var columns: [(index: Int, column: String)] = []
      while try rows.next() {
        if let column = rows.text(11) { columns.append((messages.count, column)) }
        messages.append(Self.message(rows))
      }
      for (index, column) in columns {
        messages[index].attachments = try Self.attachments(column, db, principal)
      }
      return SessionExport(summary: summary, messages: messages)
    }
  }

  package func list(limit: Int?) async throws -> [SessionSummary] {
    let principal = principal
    return try await read { db in
      let rows = try StatementRows(
        db, "SELECT \(Self.sessionColumns) FROM session WHERE principal = ? ORDER BY updated_at DESC, id LIMIT ?",
        [principal, limit ?? -1])
      var sessions: [SessionSummary] = []
      while try rows.next() { sessions.append(Self.summary(rows)) }
      return sessions
    }
  }

  package func ids(withPrefix prefix: String) async throws -> [String] {
    let principal = principal
    return try await read { db in
      // substr, not LIKE: ids may contain `_`, which LIKE takes for a wildcard.
      try String.fetchAll(
        db, sql: "SELECT id FROM session WHERE principal = ?1 AND substr(id, 1, length(?2)) = ?2 ORDER BY id",
        arguments: [principal, prefix])
    }
  }

  package func mostRecent() async throws -> String? {
    let principal = principal
    return try await read { db in
      try String.fetchOne(
        db, sql: "SELECT id FROM session WHERE principal = ? ORDER BY updated_at DESC, id LIMIT 1",
        arguments: [principal])
    }
  }

  package func update(_ id: String, settings: SessionSettings, now: Int64) async throws {
    let principal = principal
    try await write { db in
      try db.execute(
        sql: """
          INSERT INTO session (principal, id, created_at, updated_at, model, provider, system, base_url, turns, title)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, '')
          ON CONFLICT(principal, id) DO UPDATE SET
            model = coalesce(excluded.model, session.model),
            provider = coalesce(excluded.provider, session.provider),
            system = coalesce(excluded.system, session.system),
            base_url = CASE
              WHEN excluded.base_url IS NOT NULL THEN excluded.base_url
              WHEN excluded.provider IS NOT NULL AND excluded.provider IS NOT session.provider THEN NULL
              ELSE session.base_url END
          """,
        arguments: [principal, id, now, now, settings.model, settings.provider, settings.system, settings.baseURL])
    }
  }

  package func remove(_ id: String) async throws {
    let principal = principal
    try await write { db in
      try db.execute(sql: "DELETE FROM session WHERE principal = ? AND id = ?", arguments: [principal, id])
      if db.changesCount == 0 { throw StoreError.notFound(id) }
      try Self.pruneAttachments(db, principal)
    }
  }

  package func rename(_ id: String, to newID: String) async throws {
    let principal = principal
    try await write { db in
      if try Self.exists(db, principal, newID) { throw StoreError.exists(newID) }
      try db.execute(
        sql: "UPDATE session SET id = ? WHERE principal = ? AND id = ?", arguments: [newID, principal, id])
      if db.changesCount == 0 { throw StoreError.notFound(id) }
    }
  }

  private static func exists(_ db: Database, _ principal: String, _ id: String) throws -> Bool {
    try Bool.fetchOne(db, sql: "SELECT 1 FROM session WHERE principal = ? AND id = ?", arguments: [principal, id])
      == true
  }

  package func importSession(_ export: SessionExport) async throws {
    let principal = principal
    try await write { db in
      let s = export.summary
      if try Self.exists(db, principal, s.id) { throw StoreError.exists(s.id) }
      try db.execute(
        sql:
          """
          INSERT INTO session (principal, id, created_at, updated_at, model, provider, system, base_url, turns, title)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          principal, s.id, s.createdAt, s.updatedAt, s.settings.model, s.settings.provider, s.settings.system,
          s.settings.baseURL, s.turns, s.title,
        ])
      for m in export.messages {
        try db.execute(
          sql: """
            INSERT INTO message (principal, session_id, seq, turn, role, content, model, status, usage, tool_calls,
              error, created_at, attachments)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            principal, s.id, m.seq, m.turn, m.role, m.content, m.model, m.status.rawValue,
            m.usage.map { $0.json.compactText },
            m.toolCalls?.compactText, m.error, m.createdAt, try Self.store(m.attachments, db, principal),
          ])
      }
    }
  }

  package func checkWritable() async throws {
    let path = String(lockPath.dropLast(".lock".count))
    // A write that changes nothing still needs a writable database: SQLite opened a file it
    // may not write read-only, and says so only at the first write.
    try await write { db in
      do {
        try db.execute(sql: "DELETE FROM grdb_migrations WHERE 0")
      } catch let error as DatabaseError {
        throw StoreError.database("cannot write \(path): \(error.message ?? "\(error)")")
      }
    }
  }

  package func check() async throws -> [String] {
    // A write transaction: FTS5's integrity check is spelled as an INSERT.
    try await write { db in
      var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
      problems += try String.fetchAll(db, sql: "PRAGMA foreign_key_check").map { "foreign key: \($0)" }
      do {
        try db.execute(sql: "INSERT INTO message_fts(message_fts, rank) VALUES ('integrity-check', 1)")
      } catch {
        problems.append("full-text index: \(error)")
      }
      let counts = try Row.fetchAll(
        db,
        sql: """
          SELECT s.principal, s.id, s.turns,
            (SELECT count(*) FROM message m WHERE m.principal = s.principal AND m.session_id = s.id AND m.role = 'user')
            AS users
          FROM session s WHERE s.turns != users
          """)
      problems += counts.map { row in
        let principal: String = row[0]
        let id: String = row[1]
        let turns: Int = row[2]
        let users: Int = row[3]
        let owner = principal == PrincipalRule.default ? "" : " of \(principal)"
        return "session \(id)\(owner) counts \(turns) turns but has \(users) user messages"
      }
      return problems + (try Self.missingAttachments(db))
    }
  }

  // MARK: - Rows

  private static let sessionColumns = "id, turns, created_at, updated_at, model, provider, system, title, base_url"

  private static func summary(_ row: StatementRows) -> SessionSummary {
    SessionSummary(
      id: row.string(0), turns: row.int(1), createdAt: row.int64(2), updatedAt: row.int64(3),
      settings: SessionSettings(
        model: row.text(4), provider: row.text(5), system: row.text(6),
        baseURL: row.text(8).flatMap { $0.isEmpty ? nil : $0 }),
      title: row.string(7))
  }

  private static let messageColumns =
    "session_id, seq, turn, role, content, model, status, usage, tool_calls, error, created_at, attachments"

  private static func message(_ row: StatementRows) -> StoredMessage {
    StoredMessage(
      sessionID: row.string(0), seq: row.int(1), turn: row.int(2), role: row.string(3), content: row.string(4),
      model: row.text(5), status: MessageStatus(rawValue: row.string(6)) ?? .interrupted,
      usage: row.text(7).flatMap { try? JSON.parse($0) }.flatMap(Usage.init(json:)),
      toolCalls: row.text(8).flatMap { try? JSON.parse($0) }, error: row.text(9), createdAt: row.int64(10))
  }
}

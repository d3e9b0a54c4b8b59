import GRDB
import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// Sessions in one SQLite file (GRDB): WAL, a busy timeout, migrations, write transactions
/// taken `IMMEDIATE` (so concurrent writers wait instead of failing with "database is
/// locked"), and an FTS5 index over message content.
public final class SQLiteSessionStore: SessionStore {
  private let queue: DatabaseQueue
  /// The directory of per-session lock files.
  public let lockDirectory: String

  /// Opens (creating and migrating if needed) the store at `path`.
  public init(path: String) throws {
    let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    lockDirectory = (directory.isEmpty ? "." : directory) + "/locks"
    try Self.makeDirectory(directory.isEmpty ? "." : directory)
    try Self.makeDirectory(lockDirectory)
    var configuration = Configuration()
    configuration.journalMode = .wal
    configuration.busyMode = .timeout(120)
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
    do {
      // Creating and migrating is done by one process at a time.
      let setup = try TurnLock.acquireBlocking(path: lockDirectory + "/store.lock")
      defer { _ = setup }
      queue = try DatabaseQueue(path: path, configuration: configuration)
      try Self.migrator.migrate(queue)
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError.database("cannot open \(path): \(error)")
    }
  }

  public func lockTurns(of id: String) async throws -> TurnLock {
    try await TurnLock.acquire(path: lockDirectory + "/" + id + ".lock")
  }

  private static func makeDirectory(_ path: String) throws {
    var built = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
      built += "/" + component
      if mkdir(built, 0o700) != 0, errno != EEXIST {
        throw StoreError.database("cannot create \(built) (errno \(errno))")
      }
    }
  }

  static let migrator: DatabaseMigrator = {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE session (
            id TEXT PRIMARY KEY NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            model TEXT, provider TEXT, system TEXT,
            turns INTEGER NOT NULL DEFAULT 0,
            title TEXT NOT NULL DEFAULT ''
          );
          CREATE INDEX session_updated ON session(updated_at);
          CREATE TABLE message (
            rowid INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES session(id) ON DELETE CASCADE ON UPDATE CASCADE,
            seq INTEGER NOT NULL,
            turn INTEGER NOT NULL,
            role TEXT NOT NULL,
            content TEXT NOT NULL,
            model TEXT,
            status TEXT NOT NULL,
            usage TEXT,
            tool_calls TEXT,
            error TEXT,
            created_at INTEGER NOT NULL,
            UNIQUE(session_id, seq)
          );
          CREATE VIRTUAL TABLE message_fts USING fts5(content, content='message', content_rowid='rowid');
          CREATE TRIGGER message_inserted AFTER INSERT ON message BEGIN
            INSERT INTO message_fts(rowid, content) VALUES (new.rowid, new.content);
          END;
          CREATE TRIGGER message_deleted AFTER DELETE ON message BEGIN
            INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
          END;
          CREATE TRIGGER message_updated AFTER UPDATE OF content ON message BEGIN
            INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
            INSERT INTO message_fts(rowid, content) VALUES (new.rowid, new.content);
          END;
          """)
    }
    return migrator
  }()

  /// Runs `body` in an IMMEDIATE transaction.
  private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    do {
      return try await queue.writeWithoutTransaction { db in
        var result: T?
        try db.inTransaction(.immediate) {
          result = try body(db)
          return .commit
        }
        return result!
      }
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError.database("\(error)")
    }
  }

  private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    do {
      return try await queue.read(body)
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError.database("\(error)")
    }
  }

  // MARK: - SessionStore

  public func session(_ id: String) async throws -> SessionExport? {
    try await read { db in
      guard let row = try Row.fetchOne(db, sql: "SELECT * FROM session WHERE id = ?", arguments: [id]) else {
        return nil
      }
      let messages = try Row.fetchAll(
        db, sql: "SELECT * FROM message WHERE session_id = ? ORDER BY seq", arguments: [id]
      ).map(Self.message)
      return SessionExport(summary: Self.summary(row), messages: messages)
    }
  }

  public func beginTurn(session id: String, settings: SessionSettings, message: String, now: Int64) async throws
    -> TurnRecord
  {
    try await write { db in
      let title = Self.title(of: message)
      try db.execute(
        sql: """
          INSERT INTO session (id, created_at, updated_at, model, provider, system, turns, title)
          VALUES (?, ?, ?, ?, ?, ?, 0, ?)
          ON CONFLICT(id) DO UPDATE SET
            model = coalesce(session.model, excluded.model),
            provider = coalesce(session.provider, excluded.provider),
            system = coalesce(session.system, excluded.system),
            title = CASE WHEN session.title = '' THEN excluded.title ELSE session.title END
          """,
        arguments: [id, now, now, settings.model, settings.provider, settings.system, title])
      let last = try Row.fetchOne(
        db,
        sql: "SELECT coalesce(max(seq), 0) AS seq, coalesce(max(turn), 0) AS turn FROM message WHERE session_id = ?",
        arguments: [id])!
      let seq: Int = last["seq"]
      let turn: Int = last["turn"] + 1
      try db.execute(
        sql:
          "INSERT INTO message (session_id, seq, turn, role, content, status, created_at) VALUES (?, ?, ?, 'user', ?, 'complete', ?)",
        arguments: [id, seq + 1, turn, message, now])
      try db.execute(
        sql:
          "INSERT INTO message (session_id, seq, turn, role, content, status, created_at) VALUES (?, ?, ?, 'assistant', '', 'interrupted', ?)",
        arguments: [id, seq + 2, turn, now])
      try db.execute(sql: "UPDATE session SET turns = turns + 1, updated_at = ? WHERE id = ?", arguments: [now, id])
      return TurnRecord(sessionID: id, turn: turn, answerSeq: seq + 2)
    }
  }

  public func finishTurn(
    _ turn: TurnRecord, content: String, status: MessageStatus, model: String?, usage: Usage?, toolCalls: JSON?,
    error: String?, now: Int64
  ) async throws {
    let usageText = usage.map { $0.json.compactText }
    let toolText = toolCalls?.compactText
    try await write { db in
      try db.execute(
        sql: """
          UPDATE message SET content = ?, status = ?, model = ?, usage = ?, tool_calls = ?, error = ?
          WHERE session_id = ? AND seq = ?
          """,
        arguments: [content, status.rawValue, model, usageText, toolText, error, turn.sessionID, turn.answerSeq])
      try db.execute(sql: "UPDATE session SET updated_at = ? WHERE id = ?", arguments: [now, turn.sessionID])
    }
  }

  public func list(limit: Int?) async throws -> [SessionSummary] {
    try await read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM session ORDER BY updated_at DESC, id LIMIT ?", arguments: [limit ?? -1]
      ).map(Self.summary)
    }
  }

  public func mostRecent() async throws -> String? {
    try await read { db in
      try String.fetchOne(db, sql: "SELECT id FROM session ORDER BY updated_at DESC, id LIMIT 1")
    }
  }

  public func update(_ id: String, settings: SessionSettings, now: Int64) async throws {
    try await write { db in
      try db.execute(
        sql: """
          INSERT INTO session (id, created_at, updated_at, model, provider, system, turns, title)
          VALUES (?, ?, ?, ?, ?, ?, 0, '')
          ON CONFLICT(id) DO UPDATE SET
            model = coalesce(excluded.model, session.model),
            provider = coalesce(excluded.provider, session.provider),
            system = coalesce(excluded.system, session.system)
          """,
        arguments: [id, now, now, settings.model, settings.provider, settings.system])
    }
  }

  public func remove(_ id: String) async throws {
    try await write { db in
      try db.execute(sql: "DELETE FROM session WHERE id = ?", arguments: [id])
      if db.changesCount == 0 { throw StoreError.notFound(id) }
    }
  }

  public func rename(_ id: String, to newID: String) async throws {
    try await write { db in
      if try Bool.fetchOne(db, sql: "SELECT 1 FROM session WHERE id = ?", arguments: [newID]) == true {
        throw StoreError.exists(newID)
      }
      try db.execute(sql: "UPDATE session SET id = ? WHERE id = ?", arguments: [newID, id])
      if db.changesCount == 0 { throw StoreError.notFound(id) }
    }
  }

  public func search(_ query: String, limit: Int) async throws -> [SearchHit] {
    // The words are quoted, so FTS syntax in them (AND, *, quotes) is taken literally.
    let terms = query.split(whereSeparator: \.isWhitespace).map {
      "\"" + String($0).replacing("\"", with: "\"\"") + "\""
    }
    guard !terms.isEmpty else { return [] }
    let match = terms.joined(separator: " ")
    return try await read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT m.session_id, m.seq, m.role, snippet(message_fts, 0, '[', ']', '…', 12) AS snippet
          FROM message_fts JOIN message m ON m.rowid = message_fts.rowid
          WHERE message_fts MATCH ? ORDER BY m.created_at DESC, m.seq LIMIT ?
          """, arguments: [match, limit]
      ).map { row in
        SearchHit(sessionID: row["session_id"], seq: row["seq"], role: row["role"], snippet: row["snippet"])
      }
    }
  }

  public func importSession(_ export: SessionExport) async throws {
    try await write { db in
      let s = export.summary
      if try Bool.fetchOne(db, sql: "SELECT 1 FROM session WHERE id = ?", arguments: [s.id]) == true {
        throw StoreError.exists(s.id)
      }
      try db.execute(
        sql:
          "INSERT INTO session (id, created_at, updated_at, model, provider, system, turns, title) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        arguments: [
          s.id, s.createdAt, s.updatedAt, s.settings.model, s.settings.provider, s.settings.system, s.turns, s.title,
        ])
      for m in export.messages {
        try db.execute(
          sql: """
            INSERT INTO message (session_id, seq, turn, role, content, model, status, usage, tool_calls, error, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            s.id, m.seq, m.turn, m.role, m.content, m.model, m.status.rawValue, m.usage.map { $0.json.compactText },
            m.toolCalls?.compactText, m.error, m.createdAt,
          ])
      }
    }
  }

  public func check() async throws -> [String] {
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
          SELECT s.id, s.turns, (SELECT count(*) FROM message m WHERE m.session_id = s.id AND m.role = 'user') AS users
          FROM session s WHERE s.turns != users
          """)
      problems += counts.map { row in
        let id: String = row["id"]
        let turns: Int = row["turns"]
        let users: Int = row["users"]
        return "session \(id) counts \(turns) turns but has \(users) user messages"
      }
      return problems
    }
  }

  // MARK: - Rows

  private static func summary(_ row: Row) -> SessionSummary {
    SessionSummary(
      id: row["id"], turns: row["turns"], createdAt: row["created_at"], updatedAt: row["updated_at"],
      settings: SessionSettings(model: row["model"], provider: row["provider"], system: row["system"]),
      title: row["title"])
  }

  private static func message(_ row: Row) -> StoredMessage {
    let usageText: String? = row["usage"]
    let toolText: String? = row["tool_calls"]
    return StoredMessage(
      sessionID: row["session_id"], seq: row["seq"], turn: row["turn"], role: row["role"], content: row["content"],
      model: row["model"], status: MessageStatus(rawValue: row["status"]) ?? .interrupted,
      usage: usageText.flatMap { try? JSON.parse($0) }.flatMap(Usage.init(json:)),
      toolCalls: toolText.flatMap { try? JSON.parse($0) }, error: row["error"], createdAt: row["created_at"])
  }

  /// The first words of a message, for `list`.
  static func title(of message: String) -> String {
    let words = message.split(whereSeparator: \.isWhitespace).prefix(12).joined(separator: " ")
    return words.count > 60 ? String(words.prefix(59)) + "…" : words
  }
}

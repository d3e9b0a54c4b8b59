import GRDB
package import TGPTEvents

#if canImport(Glibc)
  import Glibc
#endif

/// Sessions in one SQLite file (GRDB): WAL, a busy timeout, migrations, write transactions
/// taken `IMMEDIATE` (so concurrent writers wait instead of failing with "database is
/// locked"), and an FTS5 index over message content.
package final class SQLiteSessionStore: SessionStore {
  private let queue: DatabaseQueue
  private let batches: BatchedTransactions
  /// The lock file: one byte per session (see `TurnLock`).
  package let lockPath: String
  package let principal: String

  /// What opening may create when the store does not exist yet.
  package enum Creation: Sendable {
    /// Nothing: a missing store is an error (for commands that only read or change sessions).
    case never
    /// The file, in a directory that must exist (a path the user gave: a typo must not
    /// quietly make directories).
    case file
    /// The file and its missing directories (the default data directory).
    case fileAndDirectories
  }

  /// Opens (creating, as far as `creation` allows, and migrating if needed) the store at `path`,
  /// seen by `principal`.
  package init(path: String, creation: Creation = .fileAndDirectories, principal: String = PrincipalRule.default)
    throws
  {
    self.principal = principal
    let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    // Beside the database and named after it, so two stores in one directory (or /tmp) never
    // share locks.
    lockPath = path + ".lock"
    if FileIO.isDirectory(path) { throw StoreError.notAStore(path, "it is a directory") }
    switch creation {
    case .never:
      if !FileIO.exists(path) { throw StoreError.missing(path) }
    case .file:
      if !FileIO.exists(path), !FileIO.isDirectory(directory.isEmpty ? "." : directory) {
        throw StoreError.missingDirectory(directory, store: path)
      }
    case .fileAndDirectories:
      try Self.makeDirectory(directory.isEmpty ? "." : directory)
    }
    // WAL is set once, in the file, rather than by GRDB's `journalMode = .wal`, which on every
    // open asks Foundation for the WAL file's size (reading /etc/passwd) and writes a dummy
    // transaction when the WAL file is missing.
    var configuration = Configuration()
    configuration.busyMode = .timeout(120)
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
    do {
      queue = try DatabaseQueue(path: path, configuration: configuration)
      // Checked without the lock, so it may catch another process half-way through creating
      // the store: any doubt means taking the lock and doing (or finding done) the set-up.
      let (ready, newer) =
        (try? queue.read { db in
          (
            try Self.migrator.hasCompletedMigrations(db) && String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal",
            try Self.migrator.hasBeenSuperseded(db)
          )
        }) ?? (false, false)
      // A newer version's schema may mean things this one does not know (v3's principals did):
      // reading or writing it could cross what the newer version keeps apart.
      if newer {
        throw StoreError.notAStore(path, "a newer version of tgpt has changed its schema; use that version")
      }
      if !ready {
        // Creating and migrating is done by one process at a time.
        let setup = try TurnLock.acquireBlocking(path: lockPath, offset: TurnLock.setUpOffset)
        defer { withExtendedLifetime(setup) {} }
        try queue.writeWithoutTransaction { db in
          if try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") != "wal" {
            throw StoreError.database("cannot switch \(path) to WAL mode")
          }
        }
        try Self.migrator.migrate(queue)
      }
      batches = BatchedTransactions(queue: queue)
    } catch let error as StoreError {
      throw error
    } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
      throw StoreError.notAStore(path, "it is not a SQLite database")
    } catch {
      throw StoreError.database("cannot open \(path): \(error)")
    }
    // Kept open until the process ends: the last connection's close checkpoints the WAL and
    // deletes it (fsyncs, and the next command recreates it), a few milliseconds a command
    // for nothing. SQLite reuses the WAL as it is on the next open.
    Self.openStores.withLock { $0.append(queue) }
  }

  private init(sharing store: SQLiteSessionStore, principal: String) {
    queue = store.queue
    batches = store.batches
    lockPath = store.lockPath
    self.principal = principal
  }

  package func scoped(to principal: String) -> any SessionStore {
    SQLiteSessionStore(sharing: self, principal: principal)
  }

  private static let openStores = Guarded<[DatabaseQueue]>([])

  package func lockTurns(of id: String, onWait: @Sendable () -> Void) async throws -> any TurnLease {
    try await TurnLock.acquire(path: lockPath, offset: TurnLock.offset(of: principal + ":" + id), onWait: onWait)
  }

  private static func makeDirectory(_ path: String) throws {
    if let failed = FileIO.makeDirectories(path) {
      throw StoreError.database("cannot create \(failed.directory) (errno \(failed.errno))")
    }
  }

  /// Runs `body` in an IMMEDIATE transaction.
  func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    try await queue.transaction(.immediate, body)
  }

  /// Runs `body` in a read transaction (one consistent snapshot). Not GRDB's `read`, which
  /// toggles `query_only` around every call; these statements never write.
  func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    try await queue.transaction(.deferred, body)
  }

  /// Runs `body` as part of the next group commit: for the operations of turns, which many
  /// sessions in one process run at once.
  func batched<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    do {
      return try await batches.perform(body)
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError.database("\(error)")
    }
  }

  // MARK: - Turns

  package func history(of id: String) async throws -> (settings: SessionSettings, messages: [StoredMessage]) {
    let principal = principal
    return try await batched { db in
      let session = try StatementRows(
        db, "SELECT model, provider, system, base_url FROM session WHERE principal = ? AND id = ?", [principal, id])
      guard try session.next() else { return (SessionSettings(), []) }
      let settings = SessionSettings(
        model: session.text(0), provider: session.text(1), system: session.text(2),
        baseURL: session.text(3).flatMap { $0.isEmpty ? nil : $0 })
      let rows = try StatementRows(
        db,
        """
        SELECT seq, turn, role, content, status, tool_calls, attachments FROM message
        WHERE principal = ? AND session_id = ? ORDER BY seq
        """,
        [principal, id])
      var messages: [StoredMessage] = []
      var columns: [(index: Int, column: String)] = []
      while try rows.next() {
        if let column = rows.text(6) { columns.append((messages.count, column)) }
        messages.append(
          StoredMessage(
            sessionID: id, seq: rows.int(0), turn: rows.int(1), role: rows.string(2), content: rows.string(3),
            status: MessageStatus(rawValue: rows.string(4)) ?? .interrupted,
            toolCalls: rows.text(5).flatMap { try? JSON.parse($0) }, createdAt: 0))
      }
      // Read once the message rows are done: the contents come by another statement.
      for (index, column) in columns {
        messages[index].attachments = try Self.attachments(column, db, principal)
      }
      return (settings, messages)
    }
  }

  package func beginTurn(
    session id: String, settings: SessionSettings, message: String, attachments: [Attachment],
    replacingLastTurn: Bool, now: Int64
  ) async throws -> TurnRecord {
    let title = SessionTitle.of(message)
    let principal = principal
    return try await batched { db in
      if replacingLastTurn {
        try db.execute(
          sql: """
            DELETE FROM message WHERE principal = ?1 AND session_id = ?2
              AND turn = (SELECT max(turn) FROM message WHERE principal = ?1 AND session_id = ?2)
            """,
          arguments: [principal, id])
        if db.changesCount > 0 {
          try db.execute(
            sql: "UPDATE session SET turns = turns - 1 WHERE principal = ? AND id = ?", arguments: [principal, id])
          try Self.pruneAttachments(db, principal)
        }
      }
      try db.cachedStatement(
        sql: """
          INSERT INTO session (principal, id, created_at, updated_at, model, provider, system, base_url, turns, title)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
          ON CONFLICT(principal, id) DO UPDATE SET
            updated_at = excluded.updated_at,
            turns = session.turns + 1,
            model = coalesce(session.model, excluded.model),
            provider = coalesce(session.provider, excluded.provider),
            system = coalesce(session.system, excluded.system),
            base_url = CASE WHEN session.provider IS NULL OR session.provider = excluded.provider
              THEN coalesce(session.base_url, excluded.base_url) ELSE session.base_url END,
            title = CASE WHEN session.title = '' THEN excluded.title ELSE session.title END
          """
      ).execute(arguments: [
        principal, id, now, now, settings.model, settings.provider, settings.system, settings.baseURL, title,
      ])
      let last = try StatementRows(
        db, "SELECT coalesce(max(seq), 0), coalesce(max(turn), 0) FROM message WHERE principal = ? AND session_id = ?",
        [principal, id])
      _ = try last.next()
      let seq = last.int(0)
      let turn = last.int(1) + 1
      let column = try Self.store(attachments, db, principal)
      let insert = try db.cachedStatement(
        sql: """
          INSERT INTO message (principal, session_id, seq, turn, role, content, status, created_at, attachments)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      try insert.execute(arguments: [principal, id, seq + 1, turn, "user", message, "complete", now, column])
      try insert.execute(arguments: [principal, id, seq + 2, turn, "assistant", "", "interrupted", now, nil])
      return TurnRecord(sessionID: id, turn: turn, answerSeq: seq + 2)
    }
  }

  package func finishTurn(
    _ turn: TurnRecord, content: String, status: MessageStatus, model: String?, usage: Usage?, toolCalls: JSON?,
    error: String?, now: Int64
  ) async throws {
    let usageText = usage.map { $0.json.compactText }
    let toolText = toolCalls?.compactText
    let principal = principal
    try await batched { db in
      try db.cachedStatement(
        sql: """
          UPDATE message SET content = ?, status = ?, model = ?, usage = ?, tool_calls = ?, error = ?
          WHERE principal = ? AND session_id = ? AND seq = ?
          """
      ).execute(arguments: [
        content, status.rawValue, model, usageText, toolText, error, principal, turn.sessionID, turn.answerSeq,
      ])
    }
  }

  package func recordToolRound(
    _ turn: TurnRecord, content: String, model: String?, usage: Usage?, toolCalls: JSON, results: [Event.ToolResult],
    now: Int64
  ) async throws -> TurnRecord {
    let usageText = usage.map { $0.json.compactText }
    let callsText = toolCalls.compactText
    let principal = principal
    return try await batched { db in
      try db.cachedStatement(
        sql: """
          UPDATE message SET content = ?, status = 'complete', model = ?, usage = ?, tool_calls = ?, error = NULL
          WHERE principal = ? AND session_id = ? AND seq = ?
          """
      ).execute(arguments: [content, model, usageText, callsText, principal, turn.sessionID, turn.answerSeq])
      let insert = try db.cachedStatement(
        sql: """
          INSERT INTO message (principal, session_id, seq, turn, role, content, status, tool_calls, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      var seq = turn.answerSeq
      for result in results {
        seq += 1
        try insert.execute(arguments: [
          principal, turn.sessionID, seq, turn.turn, "tool", result.content, "complete", result.stored.compactText, now,
        ])
      }
      seq += 1
      try insert.execute(arguments: [
        principal, turn.sessionID, seq, turn.turn, "assistant", "", "interrupted", nil, now,
      ])
      return TurnRecord(sessionID: turn.sessionID, turn: turn.turn, answerSeq: seq)
    }
  }
}

import GRDB
import TGPTEvents

/// Complete answers by request (`tgpt-session --cache`), in a SQLite file of their own: a turn
/// whose request hashes to the key of a fresh entry is answered from it, without asking the
/// provider. Keys are made by the caller (a SHA-256 of the principal and the whole request), so
/// one principal's entries can never answer another's; rows carry the principal too, for
/// `stats` and `clear`. WAL and a busy timeout let several processes share the file; the
/// number of entries and their bytes are bounded, the oldest going first.
package final class ResponseCache: Sendable {
  package let path: String
  private let queue: DatabaseQueue
  /// At most this many entries and bytes of answers are kept.
  let maxEntries: Int
  let maxBytes: Int

  /// Opens (creating it and its directory) the cache at `path`. A file that is not a cache
  /// fails with a `StoreError`; the caller warns and goes on without one.
  package init(path: String, maxEntries: Int = 10_000, maxBytes: Int = 64 << 20) throws {
    self.path = path
    self.maxEntries = maxEntries
    self.maxBytes = maxBytes
    let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    if !directory.isEmpty, let failed = FileIO.makeDirectories(directory) {
      throw StoreError.database("cannot create \(failed.directory) (errno \(failed.errno))")
    }
    var configuration = Configuration()
    configuration.busyMode = .timeout(30)
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
    do {
      queue = try DatabaseQueue(path: path, configuration: configuration)
      try queue.writeWithoutTransaction { db in
        if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
          _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
        }
        try db.inTransaction(.immediate) {
          try db.execute(sql: Self.schema)
          return .commit
        }
      }
    } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
      throw StoreError.database("\(path) is not a response cache: \(error.message ?? "not a SQLite database")")
    } catch {
      throw StoreError.database("cannot open the response cache \(path): \(error)")
    }
  }

  static let schema = """
    CREATE TABLE IF NOT EXISTS entries (
      key TEXT PRIMARY KEY,
      principal TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      expires_ms INTEGER NOT NULL,
      bytes INTEGER NOT NULL,
      answer TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS entries_by_age ON entries(created_ms);
    CREATE TABLE IF NOT EXISTS counters (
      principal TEXT PRIMARY KEY,
      hits INTEGER NOT NULL DEFAULT 0,
      misses INTEGER NOT NULL DEFAULT 0
    );
    """

  /// The answer kept under `key` if it was made less than `ttlMs` before `now` (Unix ms);
  /// counts a hit or a miss for `principal`.
  package func lookup(key: String, principal: String, ttlMs: Int64, now: Int64) async throws -> CachedAnswer? {
    try await write { db in
      let text = try String.fetchOne(
        db, sql: "SELECT answer FROM entries WHERE key = ? AND created_ms > ? AND expires_ms > ?",
        arguments: [key, now - ttlMs, now])
      let answer = try text.flatMap { CachedAnswer(json: try JSON.parse($0)) }
      let column = answer == nil ? "misses" : "hits"
      try db.execute(
        sql: """
          INSERT INTO counters (principal, \(column)) VALUES (?, 1)
          ON CONFLICT (principal) DO UPDATE SET \(column) = \(column) + 1
          """, arguments: [principal])
      return answer
    }
  }

  /// Keeps `answer` under `key` for `ttlMs`, replacing what was there; then drops expired
  /// entries and, past the bounds, the oldest.
  package func save(key: String, principal: String, answer: CachedAnswer, ttlMs: Int64, now: Int64) async throws {
    let text = answer.json.compactText
    let (maxEntries, maxBytes) = (self.maxEntries, self.maxBytes)
    try await write { db in
      try db.execute(
        sql:
          "INSERT OR REPLACE INTO entries (key, principal, created_ms, expires_ms, bytes, answer) VALUES (?, ?, ?, ?, ?, ?)",
        arguments: [key, principal, now, now + ttlMs, text.utf8.count, text])
      try db.execute(sql: "DELETE FROM entries WHERE expires_ms <= ?", arguments: [now])
      try db.execute(
        sql: "DELETE FROM entries WHERE key IN (SELECT key FROM entries ORDER BY created_ms DESC LIMIT -1 OFFSET ?)",
        arguments: [maxEntries])
      var total = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(bytes), 0) FROM entries") ?? 0
      while total > maxBytes {
        guard let row = try Row.fetchOne(db, sql: "SELECT key, bytes FROM entries ORDER BY created_ms LIMIT 1") else {
          break
        }
        let oldest: String = row[0]
        let bytes: Int = row[1]
        try db.execute(sql: "DELETE FROM entries WHERE key = ?", arguments: [oldest])
        total -= bytes
      }
    }
  }

  /// Runs `body` in an IMMEDIATE transaction, so concurrent writers wait for each other.
  func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    try await queue.transaction(.immediate, context: "response cache \(path): ", body)
  }
}

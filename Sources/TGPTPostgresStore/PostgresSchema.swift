import Logging
import PostgresNIO
import TGPTSession

/// The store's tables, as numbered migrations that run when a store opens. Each runs in its
/// own transaction and is recorded in `tgpt_migrations`; processes that open the store at
/// once take turns (a session-level advisory lock). Migrations only add: a store written by
/// an older version keeps its data and goes on working.
enum PostgresSchema {
  /// The advisory lock that serialises set-up (a constant: "tgpt" in ASCII, then 1).
  static let setUpLock: Int64 = 0x7467_7074_0000_0001

  /// The migrations, in order; a store has applied a prefix of them.
  static let migrations: [(version: Int, name: String, sql: [String])] = [
    (1, "sessions, messages, search", version1),
    (2, "attachments", version2),
  ]

  static var latest: Int { migrations.last?.version ?? 0 }

  /// Brings the database up to date on `connection` (a dedicated one: the advisory lock is
  /// held by its session).
  static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
    func run(_ query: PostgresQuery) async throws { _ = try await connection.dedicatedQuery(query, logger: logger) }
    // Most opens find the store up to date: one query, no lock.
    if try await applied(connection, logger: logger) >= latest { return }
    try await run("SELECT pg_advisory_lock(\(setUpLock))")
    do {
      try await run(
        """
        CREATE TABLE IF NOT EXISTS tgpt_migrations (
          version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
        """)
      let done = try await applied(connection, logger: logger)
      for migration in migrations where migration.version > done {
        try await run("BEGIN")
        do {
          for statement in migration.sql { try await run(PostgresQuery(unsafeSQL: statement)) }
          try await run("INSERT INTO tgpt_migrations (version, name) VALUES (\(migration.version), \(migration.name))")
          try await run("COMMIT")
        } catch {
          try? await run("ROLLBACK")
          throw error
        }
      }
    } catch {
      try? await run("SELECT pg_advisory_unlock(\(setUpLock))")
      throw error
    }
    try await run("SELECT pg_advisory_unlock(\(setUpLock))")
  }

  /// The latest migration applied (0 for a database without the store's tables).
  static func applied(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
    do {
      let rows = try await connection.dedicatedQuery(
        "SELECT coalesce(max(version), 0) FROM tgpt_migrations", logger: logger)
      return try rows.first?.decode(Int.self) ?? 0
    } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42P01" {
      return 0  // undefined_table: a new database
    }
  }

  /// The first version: sessions keyed by (principal, id), their messages, the search index
  /// and the functions that record a turn in one statement.
  static let version1 = [
    """
    CREATE TABLE session (
      principal text NOT NULL,
      id text NOT NULL,
      created_at bigint NOT NULL,
      updated_at bigint NOT NULL,
      model text, provider text, system text, base_url text,
      turns integer NOT NULL DEFAULT 0,
      title text NOT NULL DEFAULT '',
      PRIMARY KEY (principal, id)
    )
    """,
    "CREATE INDEX session_recent ON session (principal, updated_at DESC, id)",
    // `search`: the words of the first 100,000 characters (a tsvector holds at most 1 MB),
    // split at every character that is not a letter or digit (see `search(_:limit:)`).
    """
    CREATE TABLE message (
      principal text NOT NULL,
      session_id text NOT NULL,
      seq integer NOT NULL,
      turn integer NOT NULL,
      role text NOT NULL,
      content text NOT NULL,
      model text,
      status text NOT NULL,
      usage text,
      tool_calls text,
      error text,
      created_at bigint NOT NULL,
      search tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, regexp_replace(left(content, 100000), '[^[:alnum:]]+', ' ', 'g'))) STORED,
      UNIQUE (principal, session_id, seq),
      FOREIGN KEY (principal, session_id) REFERENCES session (principal, id) ON DELETE CASCADE ON UPDATE CASCADE
    )
    """,
    "CREATE INDEX message_search ON message USING gin (search)",
    "CREATE INDEX message_recent ON message (principal, created_at DESC, seq DESC)",
    PostgresTurnFunctions.beginTurn,
    PostgresTurnFunctions.recordToolRound,
  ]

  /// Attachments: a message's references, and each content once per principal. The turn
  /// function of version 1 stays for programs of that version, which go on working.
  static let version2 = [
    "ALTER TABLE message ADD COLUMN attachments text",
    """
    CREATE TABLE attachment (
      principal text NOT NULL,
      sha256 text NOT NULL,
      media_type text NOT NULL,
      bytes bytea NOT NULL,
      PRIMARY KEY (principal, sha256)
    )
    """,
    PostgresTurnFunctions.lockAttachments,
    PostgresTurnFunctions.pruneAttachments,
    PostgresTurnFunctions.beginTurnWithAttachments,
  ]
}

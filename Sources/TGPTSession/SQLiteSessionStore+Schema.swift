import GRDB
import TGPTEvents

/// The schema, as versioned migrations. Never destructive: a store of any earlier version opens
/// with every session and message it had.
extension SQLiteSessionStore {
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
          CREATE INDEX session_recent ON session(updated_at DESC, id);
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
          -- Trigrams: substrings in any script (CJK has no spaces between words), any case.
          CREATE VIRTUAL TABLE message_fts USING fts5(
            content, content='message', content_rowid='rowid', tokenize='trigram'
          );
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
    // Never destructive: a new nullable column, so stores of older versions keep working.
    migrator.registerMigration("v2-base-url") { db in
      try db.execute(sql: "ALTER TABLE session ADD COLUMN base_url TEXT")
    }
    migrator.registerMigration("v3-principal", migrate: migrateToPrincipals)
    // Never destructive: a new nullable column and a new table.
    migrator.registerMigration("v4-attachments") { db in
      try db.execute(
        sql: """
          ALTER TABLE message ADD COLUMN attachments TEXT;
          CREATE TABLE attachment (
            principal TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            media_type TEXT NOT NULL,
            bytes BLOB NOT NULL,
            UNIQUE(principal, sha256)
          );
          """)
    }
    return migrator
  }()

  /// v3: sessions are keyed by (principal, id). SQLite cannot change a primary key in place, so
  /// both tables are rebuilt (the documented twelve-step way: new tables, copy, drop, rename),
  /// keeping every row and every message's rowid, which the full-text index refers to. What
  /// existed before principals belongs to the default principal.
  private static func migrateToPrincipals(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE TABLE session_v3 (
          principal TEXT NOT NULL,
          id TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          model TEXT, provider TEXT, system TEXT,
          turns INTEGER NOT NULL DEFAULT 0,
          title TEXT NOT NULL DEFAULT '',
          base_url TEXT,
          PRIMARY KEY (principal, id)
        );
        INSERT INTO session_v3 (principal, id, created_at, updated_at, model, provider, system, turns, title, base_url)
          SELECT ?, id, created_at, updated_at, model, provider, system, turns, title, base_url FROM session;
        CREATE TABLE message_v3 (
          rowid INTEGER PRIMARY KEY,
          principal TEXT NOT NULL,
          session_id TEXT NOT NULL,
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
          UNIQUE (principal, session_id, seq),
          FOREIGN KEY (principal, session_id) REFERENCES session (principal, id) ON DELETE CASCADE ON UPDATE CASCADE
        );
        INSERT INTO message_v3 (rowid, principal, session_id, seq, turn, role, content, model, status, usage,
            tool_calls, error, created_at)
          SELECT rowid, ?, session_id, seq, turn, role, content, model, status, usage, tool_calls, error, created_at
          FROM message;
        DROP TABLE message;
        DROP TABLE session;
        ALTER TABLE session_v3 RENAME TO session;
        ALTER TABLE message_v3 RENAME TO message;
        CREATE INDEX session_recent ON session (principal, updated_at DESC, id);
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
        """,
      arguments: [PrincipalRule.default, PrincipalRule.default])
  }
}

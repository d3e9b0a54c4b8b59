import FoundationEssentials
import GRDB
import TGPTEvents

/// Attachments in SQLite: the `attachment` table holds each content once per principal, by
/// SHA-256; a message's `attachments` column refers to it (`AttachmentColumn`).
extension SQLiteSessionStore {
  /// Stores what a message refers to (a content stored before is kept as it is) and returns
  /// the message's column.
  static func store(_ attachments: [Attachment], _ db: Database, _ principal: String) throws -> String? {
    let (column, blobs) = AttachmentColumn.encode(attachments)
    for blob in blobs {
      try db.cachedStatement(
        sql: """
          INSERT INTO attachment (principal, sha256, media_type, bytes) VALUES (?, ?, ?, ?)
          ON CONFLICT(principal, sha256) DO NOTHING
          """
      ).execute(arguments: [principal, blob.sha256, blob.mediaType, Data(blob.bytes)])
    }
    return column
  }

  /// The attachments a message's column refers to, with their contents.
  static func attachments(_ column: String?, _ db: Database, _ principal: String) throws -> [Attachment] {
    let references = AttachmentColumn.references(column)
    guard !references.isEmpty else { return [] }
    return try AttachmentColumn.resolve(references) { key in
      let rows = try StatementRows(
        db, "SELECT bytes FROM attachment WHERE principal = ? AND sha256 = ?", [principal, key])
      return try rows.next() ? rows.blob(0) : nil
    }
  }

  /// Deletes the contents no message of `principal` refers to any more (after a session or a
  /// turn was deleted).
  static func pruneAttachments(_ db: Database, _ principal: String) throws {
    try db.execute(
      sql: """
        DELETE FROM attachment WHERE principal = ?1 AND sha256 NOT IN (
          SELECT json_extract(ref.value, '$.sha256') FROM message, json_each(message.attachments) AS ref
          WHERE message.principal = ?1 AND message.attachments IS NOT NULL
            AND json_extract(ref.value, '$.sha256') IS NOT NULL)
        """,
      arguments: [principal])
  }

  /// Messages that refer to a content the store does not hold.
  static func missingAttachments(_ db: Database) throws -> [String] {
    try Row.fetchAll(
      db,
      sql: """
        SELECT message.principal, message.session_id, message.seq, json_extract(ref.value, '$.name')
        FROM message, json_each(message.attachments) AS ref
        WHERE message.attachments IS NOT NULL AND json_extract(ref.value, '$.sha256') IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM attachment a
            WHERE a.principal = message.principal AND a.sha256 = json_extract(ref.value, '$.sha256'))
        """
    ).map { row in
      let principal: String = row[0]
      let session: String = row[1]
      let seq: Int = row[2]
      let name: String = row[3] ?? "?"
      let owner = principal == PrincipalRule.default ? "" : " of \(principal)"
      return "session \(session)\(owner), message \(seq): the content of attachment \(name) is missing"
    }
  }
}

import NIOCore
import PostgresNIO
import TGPTEvents
import TGPTSession

/// Attachments in PostgreSQL: the `attachment` table holds each content once per principal,
/// by SHA-256; a message's `attachments` column refers to it (`AttachmentColumn`).
extension PostgresSessionStore {
  /// Stores contents (one kept already stays as it is), in a transaction, holding the
  /// principal's attachments lock until it ends (see `PostgresTurnFunctions.lockAttachments`).
  static func store(
    _ blobs: [AttachmentColumn.Blob], principal: String, _ connection: PostgresConnection, _ logger: Logger
  ) async throws {
    guard !blobs.isEmpty else { return }
    try await connection.rows("SELECT tgpt_lock_attachments(\(principal))", logger: logger)
    for blob in blobs {
      try await connection.rows(
        """
        INSERT INTO attachment (principal, sha256, media_type, bytes)
        VALUES (\(principal), \(blob.sha256), \(blob.mediaType), \(ByteBuffer(bytes: blob.bytes)))
        ON CONFLICT (principal, sha256) DO NOTHING
        """, logger: logger)
    }
  }

  /// Fills in the attachments of `messages` from their columns (`columns`: index and text),
  /// with one query for every content they refer to.
  static func attach(
    _ columns: [(index: Int, column: String)], to messages: inout [StoredMessage], principal: String,
    _ connection: PostgresConnection, _ logger: Logger
  ) async throws {
    guard !columns.isEmpty else { return }
    let references = columns.map { AttachmentColumn.references($0.column) }
    let keys = Array(Set(references.joined().compactMap(\.sha256)))
    var contents: [String: [UInt8]] = [:]
    if !keys.isEmpty {
      let rows = try await connection.rows(
        "SELECT sha256, bytes FROM attachment WHERE principal = \(principal) AND sha256 = ANY(\(keys))",
        logger: logger)
      for row in rows {
        let (key, bytes) = try row.decode((String, ByteBuffer).self)
        contents[key] = Array(bytes.readableBytesView)
      }
    }
    for (position, column) in columns.enumerated() {
      messages[column.index].attachments = AttachmentColumn.resolve(references[position]) { contents[$0] }
    }
  }

  /// Messages that refer to a content the store does not hold.
  static func missingAttachments(principal: String, _ connection: PostgresConnection, _ logger: Logger)
    async throws -> [String]
  {
    let rows = try await connection.rows(
      """
      SELECT m.session_id, m.seq, ref->>'name' FROM message m, json_array_elements(m.attachments::json) AS ref
      WHERE m.principal = \(principal) AND m.attachments IS NOT NULL AND ref->>'sha256' IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM attachment a WHERE a.principal = m.principal AND a.sha256 = ref->>'sha256')
      ORDER BY m.session_id COLLATE "C", m.seq
      """, logger: logger)
    var problems: [String] = []
    for row in rows {
      let (session, seq, name) = try row.decode((String, Int, String?).self)
      problems.append("session \(session), message \(seq): the content of attachment \(name ?? "?") is missing")
    }
    return problems
  }
}

import PostgresNIO
import TGPTEvents
package import TGPTSession

/// Importing, and checking the store.
extension PostgresSessionStore {
  package func importSession(_ export: SessionExport) async throws {
    let principal = principal
    let s = export.summary
    // The messages travel as one JSON array (one statement, however many there are).
    let rows = JSON.array(
      export.messages.map { m in
        var object = JSONObject()
        object["seq"] = .int(m.seq)
        object["turn"] = .int(m.turn)
        object["role"] = .string(m.role)
        object["content"] = .string(m.content)
        object["model"] = m.model.map(JSON.string) ?? .null
        object["status"] = .string(m.status.rawValue)
        object["usage"] = m.usage.map { .string($0.json.compactText) } ?? .null
        object["tool_calls"] = m.toolCalls.map { .string($0.compactText) } ?? .null
        object["error"] = m.error.map(JSON.string) ?? .null
        object["created_at"] = .int(Int(m.createdAt))
        object["attachments"] = AttachmentColumn.encode(m.attachments).column.map(JSON.string) ?? .null
        return .object(object)
      }
    ).compactText
    let blobs = export.messages.flatMap { AttachmentColumn.encode($0.attachments).blobs }
    try await transaction { connection, logger in
      // The contents first: the attachments lock is taken before any row, by every writer.
      try await Self.store(blobs, principal: principal, connection, logger)
      let inserted = try await connection.rows(
        """
        INSERT INTO session (principal, id, created_at, updated_at, model, provider, system, base_url, turns, title)
        VALUES (\(principal), \(s.id), \(s.createdAt), \(s.updatedAt), \(s.settings.model), \(s.settings.provider), \
        \(s.settings.system), \(s.settings.baseURL), \(s.turns), \(s.title))
        ON CONFLICT (principal, id) DO NOTHING RETURNING 1
        """, logger: logger)
      if inserted.isEmpty { throw StoreError.exists(s.id) }
      try await connection.rows(
        """
        INSERT INTO message (principal, session_id, seq, turn, role, content, model, status, usage, tool_calls, error,
          created_at, attachments)
        SELECT \(principal), \(s.id), x.seq, x.turn, x.role, x.content, x.model, x.status, x.usage, x.tool_calls,
          x.error, x.created_at, x.attachments
        FROM json_to_recordset(\(rows)::json) AS x(seq integer, turn integer, role text, content text, model text,
          status text, usage text, tool_calls text, error text, created_at bigint, attachments text)
        """, logger: logger)
    }
  }

  package func checkWritable() async throws {
    let endpoint = url.endpoint
    // A write that changes nothing still needs a server that accepts writes (not a standby,
    // not a read-only transaction) and the right to write the tables.
    try await perform { connection, logger in
      do {
        try await connection.rows("DELETE FROM message WHERE false", logger: logger)
      } catch let error as PSQLError where error.serverInfo != nil {
        throw StoreError.database("cannot write to \(endpoint): \(error.serverInfo?[.message] ?? "refused")")
      }
    }
  }

  package func check() async throws -> [String] {
    let principal = principal
    return try await perform { connection, logger in
      var problems: [String] = []
      let applied = try await connection.rows("SELECT coalesce(max(version), 0) FROM tgpt_migrations", logger: logger)
      let version = try applied.first?.decode(Int.self) ?? 0
      if version < PostgresSchema.latest {
        problems.append("the tables are at version \(version); this program needs \(PostgresSchema.latest)")
      }
      let invalid = try await connection.rows(
        """
        SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid IN ('session'::regclass, 'message'::regclass) AND NOT (i.indisvalid AND i.indisready)
        """, logger: logger)
      for row in invalid {
        problems.append("index \(try row.decode(String.self)) is not valid (REINDEX it)")
      }
      let counts = try await connection.rows(
        """
        SELECT s.id, s.turns, (SELECT count(*) FROM message m
          WHERE m.principal = s.principal AND m.session_id = s.id AND m.role = 'user') AS users
        FROM session s WHERE s.principal = \(principal) ORDER BY s.id COLLATE "C"
        """, logger: logger)
      for row in counts {
        let (id, turns, users) = try row.decode((String, Int, Int).self)
        guard turns != users else { continue }
        problems.append("session \(id) counts \(turns) turns but has \(users) user messages")
      }
      return problems + (try await Self.missingAttachments(principal: principal, connection, logger))
    }
  }
}

import PostgresNIO
package import TGPTEvents
package import TGPTSession

/// The operations of a turn: each is one statement (one round trip, one snapshot).
extension PostgresSessionStore {
  package func history(of id: String) async throws -> (settings: SessionSettings, messages: [StoredMessage]) {
    let principal = principal
    return try await perform { connection, logger in
      let rows = try await connection.rows(
        """
        SELECT s.model, s.provider, s.system, s.base_url, m.seq, m.turn, m.role, m.content, m.status, m.tool_calls,
          m.attachments
        FROM session s LEFT JOIN message m ON m.principal = s.principal AND m.session_id = s.id
        WHERE s.principal = \(principal) AND s.id = \(id) ORDER BY m.seq
        """, logger: logger)
      var settings: SessionSettings?
      var messages: [StoredMessage] = []
      var columns: [(index: Int, column: String)] = []
      for row in rows {
        let (model, provider, system, baseURL, seq, turn, role, content, status, toolCalls, attachments) =
          try row.decode(
            (String?, String?, String?, String?, Int?, Int?, String?, String?, String?, String?, String?).self)
        if settings == nil {
          settings = SessionSettings(
            model: model, provider: provider, system: system, baseURL: baseURL.flatMap { $0.isEmpty ? nil : $0 })
        }
        guard let seq, let turn, let role, let content else { continue }
        messages.append(
          StoredMessage(
            sessionID: id, seq: seq, turn: turn, role: role, content: content,
            status: status.flatMap(MessageStatus.init(rawValue:)) ?? .interrupted,
            toolCalls: toolCalls.flatMap { try? JSON.parse($0) }, createdAt: 0))
        if let attachments { columns.append((messages.count - 1, attachments)) }
      }
      try await Self.attach(columns, to: &messages, principal: principal, connection, logger)
      return (settings ?? SessionSettings(), messages)
    }
  }

  package func beginTurn(
    session id: String, settings: SessionSettings, message: String, attachments: [Attachment],
    replacingLastTurn: Bool, now: Int64
  ) async throws -> TurnRecord {
    let principal = principal
    let title = SessionTitle.of(message)
    let (column, blobs) = AttachmentColumn.encode(attachments)
    let begin = { @Sendable (connection: PostgresConnection, logger: Logger) async throws -> TurnRecord in
      let rows = try await connection.rows(
        """
        SELECT new_turn, new_answer_seq FROM tgpt_begin_turn(\(principal), \(id), \(now), \(settings.model), \
        \(settings.provider), \(settings.system), \(settings.baseURL), \(title), \(message), \(replacingLastTurn), \
        \(column))
        """, logger: logger)
      guard let row = rows.first else { throw StoreError.database("tgpt_begin_turn returned no row") }
      let (turn, answerSeq) = try row.decode((Int, Int).self)
      return TurnRecord(sessionID: id, turn: turn, answerSeq: answerSeq)
    }
    // Without attachments, one statement; with them, their contents first, in one transaction.
    guard !blobs.isEmpty else { return try await perform(begin) }
    return try await transaction { connection, logger in
      try await Self.store(blobs, principal: principal, connection, logger)
      return try await begin(connection, logger)
    }
  }

  package func finishTurn(
    _ turn: TurnRecord, content: String, status: MessageStatus, model: String?, usage: Usage?, toolCalls: JSON?,
    error: String?, now: Int64
  ) async throws {
    let principal = principal
    let usageText = usage.map { $0.json.compactText }
    let toolText = toolCalls?.compactText
    try await perform { connection, logger in
      try await connection.rows(
        """
        UPDATE message SET content = \(content), status = \(status.rawValue), model = \(model), usage = \(usageText), \
        tool_calls = \(toolText), error = \(error)
        WHERE principal = \(principal) AND session_id = \(turn.sessionID) AND seq = \(turn.answerSeq)
        """, logger: logger)
    }
  }

  package func recordToolRound(
    _ turn: TurnRecord, content: String, model: String?, usage: Usage?, toolCalls: JSON, results: [Event.ToolResult],
    now: Int64
  ) async throws -> TurnRecord {
    let principal = principal
    let usageText = usage.map { $0.json.compactText }
    let callsText = toolCalls.compactText
    let contents = results.map(\.content)
    let about = results.map { $0.stored.compactText }
    let placeholder = try await perform { connection, logger in
      let rows = try await connection.rows(
        """
        SELECT tgpt_record_tool_round(\(principal), \(turn.sessionID), \(turn.answerSeq), \(turn.turn), \(content), \
        \(model), \(usageText), \(callsText), \(contents), \(about), \(now))
        """, logger: logger)
      guard let row = rows.first else { throw StoreError.database("tgpt_record_tool_round returned no row") }
      return try row.decode(Int.self)
    }
    return TurnRecord(sessionID: turn.sessionID, turn: turn.turn, answerSeq: placeholder)
  }
}

package import TGPTEvents

/// What became of an answer.
package enum MessageStatus: String, Sendable, CaseIterable {
  /// The answer arrived whole.
  case complete
  /// Part of the answer arrived before a failure.
  case partial
  /// The turn failed before any answer.
  case error
  /// The turn was interrupted (Ctrl-C, SIGTERM, a killed process).
  case interrupted
}

/// One message of a session, as stored.
package struct StoredMessage: Sendable, Hashable {
  package var sessionID: String
  /// The message's place in its session (1, 2, …).
  package var seq: Int
  /// The turn it belongs to: a user message and its answer share one.
  package var turn: Int
  package var role: String
  package var content: String
  package var model: String?
  package var status: MessageStatus
  package var usage: Usage?
  /// For an `assistant` message, the tool calls it made: `[{"call_id","name","arguments"}]`.
  /// For a `tool` message, the call it answers and how the run went:
  /// `{"call_id","name","exit_code","duration_ms","is_error"}` (see `Event.ToolResult.init(stored:)`).
  package var toolCalls: JSON?
  package var error: String?
  /// Milliseconds since 1970.
  package var createdAt: Int64
  /// The images and files sent with a user message.
  package var attachments: [Attachment]

  package init(
    sessionID: String, seq: Int, turn: Int, role: String, content: String, model: String? = nil,
    status: MessageStatus = .complete, usage: Usage? = nil, toolCalls: JSON? = nil, error: String? = nil,
    createdAt: Int64, attachments: [Attachment] = []
  ) {
    self.sessionID = sessionID
    self.seq = seq
    self.turn = turn
    self.role = role
    self.content = content
    self.model = model
    self.status = status
    self.usage = usage
    self.toolCalls = toolCalls
    self.error = error
    self.createdAt = createdAt
    self.attachments = attachments
  }
}

/// A session's remembered settings.
package struct SessionSettings: Sendable, Hashable {
  package var model: String?
  package var provider: String?
  package var system: String?
  /// The provider's base URL when one was named for the session (a compatible server's), so
  /// later turns reach the same server without the flag or variable that named it. It
  /// belongs to `provider`: a new provider forgets it.
  package var baseURL: String?

  package init(model: String? = nil, provider: String? = nil, system: String? = nil, baseURL: String? = nil) {
    self.model = model
    self.provider = provider
    self.system = system
    self.baseURL = baseURL
  }
}

/// A session as listed.
package struct SessionSummary: Sendable, Hashable {
  package var id: String
  package var turns: Int
  package var createdAt: Int64
  package var updatedAt: Int64
  package var settings: SessionSettings
  /// The first words of the first message.
  package var title: String

  package init(id: String, turns: Int, createdAt: Int64, updatedAt: Int64, settings: SessionSettings, title: String) {
    self.id = id
    self.turns = turns
    self.createdAt = createdAt
    self.updatedAt = updatedAt
    self.settings = settings
    self.title = title
  }
}

/// A full-text search result.
package struct SearchHit: Sendable, Hashable {
  package var sessionID: String
  package var seq: Int
  package var role: String
  /// The matching text with the match marked by `[` and `]`.
  package var snippet: String

  package init(sessionID: String, seq: Int, role: String, snippet: String) {
    self.sessionID = sessionID
    self.seq = seq
    self.role = role
    self.snippet = snippet
  }
}

/// A turn recorded as started: its user message and a placeholder answer, which stays
/// `interrupted` unless the turn is finished.
package struct TurnRecord: Sendable, Hashable {
  package var sessionID: String
  package var turn: Int
  /// The seq of the answer placeholder.
  package var answerSeq: Int

  package init(sessionID: String, turn: Int, answerSeq: Int) {
    self.sessionID = sessionID
    self.turn = turn
    self.answerSeq = answerSeq
  }
}

extension Event.ToolResult {
  /// Reads a result back from its stored `tool` message (one after the assistant message that
  /// made the call); nil for any other message.
  package init?(stored message: StoredMessage) {
    guard message.role == "tool", let about = message.toolCalls?.objectValue else { return nil }
    self.init(
      callID: about["call_id"]?.stringValue ?? "", name: about["name"]?.stringValue ?? "", content: message.content,
      exitCode: about["exit_code"]?.intValue, durationMs: about["duration_ms"]?.intValue,
      isError: about["is_error"]?.boolValue ?? false)
  }

  /// What the `tool_calls` column of its stored message holds.
  package var stored: JSON {
    var object = JSONObject([("call_id", .string(callID)), ("name", .string(name))])
    if let exitCode { object["exit_code"] = .int(exitCode) }
    if let durationMs { object["duration_ms"] = .int(durationMs) }
    if isError { object["is_error"] = true }
    return .object(object)
  }
}

/// One event of the protocol (SPEC §3): one line of NDJSON on the wire.
///
/// `chunk`, `complete` and `error` keep the seed's shapes exactly; the other types and the
/// `id`/`session_id` tags are extensions that consumers may ignore.
package struct Event: Sendable, Hashable {
  /// What happened.
  package var payload: Payload
  /// The request id this event belongs to, when the stream carries several requests.
  package var id: String?
  /// The session this event belongs to.
  package var sessionID: String?

  package init(_ payload: Payload, id: String? = nil, sessionID: String? = nil) {
    self.payload = payload
    self.id = id
    self.sessionID = sessionID
  }

  /// The event kinds. `other` carries any type this version does not know, unchanged.
  package enum Payload: Sendable, Hashable {
    case start(Start)
    case chunk(Chunk)
    case reasoning(Reasoning)
    case toolCall(ToolCall)
    case toolOutput(ToolOutput)
    case toolResult(ToolResult)
    case retry(Retry)
    case complete(Complete)
    case error(Failure)
    case other(type: String, fields: JSONObject)
  }

  /// The wire `type` of this event.
  package var type: String {
    switch payload {
    case .start: "start"
    case .chunk: "chunk"
    case .reasoning: "reasoning"
    case .toolCall: "tool_call"
    case .toolOutput: "tool_output"
    case .toolResult: "tool_result"
    case .retry: "retry"
    case .complete: "complete"
    case .error: "error"
    case .other(let type, _): type
    }
  }

  /// Whether this event ends a turn (`complete` or `error`).
  package var isTerminal: Bool {
    switch payload {
    case .complete, .error: true
    default: false
    }
  }

  /// First event of a turn.
  package struct Start: Sendable, Hashable {
    package var model: String?
    package var provider: String?
    /// Earlier turns sent as context (tgpt-session).
    package var turnsSent: Int?
    /// Earlier turns left out to fit the context window (tgpt-session).
    package var turnsDropped: Int?
    /// The answer that follows is replayed from the response cache (`--cache`): no request
    /// was made. Written only when true.
    package var cached: Bool

    package init(
      model: String? = nil, provider: String? = nil, turnsSent: Int? = nil, turnsDropped: Int? = nil,
      cached: Bool = false
    ) {
      self.model = model
      self.provider = provider
      self.turnsSent = turnsSent
      self.turnsDropped = turnsDropped
      self.cached = cached
    }
  }

  /// A piece of the answer. The seed's shape: `content`, `finish_reason`, `model`, `usage`,
  /// `tools_used`, all always present.
  package struct Chunk: Sendable, Hashable {
    package var content: String
    package var finishReason: String?
    package var model: String?
    package var usage: Usage?
    package var toolsUsed: [String]

    package init(
      content: String, finishReason: String? = nil, model: String? = nil, usage: Usage? = nil,
      toolsUsed: [String] = []
    ) {
      self.content = content
      self.finishReason = finishReason
      self.model = model
      self.usage = usage
      self.toolsUsed = toolsUsed
    }
  }

  /// Reasoning ("thinking") text, kept apart from the answer.
  package struct Reasoning: Sendable, Hashable {
    package var content: String
    package init(content: String) { self.content = content }
  }

  /// The model asked for a tool to be run.
  package struct ToolCall: Sendable, Hashable {
    package var callID: String
    package var name: String
    /// The arguments: the parsed object when the model produced valid JSON, else its raw text.
    package var arguments: JSON

    package init(callID: String, name: String, arguments: JSON) {
      self.callID = callID
      self.name = name
      self.arguments = arguments
    }
  }

  /// A piece of a running tool's output, as it arrives (so a long tool shows its progress).
  package struct ToolOutput: Sendable, Hashable {
    package var callID: String
    package var content: String

    package init(callID: String, content: String) {
      self.callID = callID
      self.content = content
    }
  }

  /// The outcome of a tool run: what goes back to the model.
  package struct ToolResult: Sendable, Hashable {
    package var callID: String
    package var name: String
    package var content: String
    /// The executable's exit status; nil when no process ran (an MCP tool, a denied call).
    package var exitCode: Int?
    /// How long the tool ran.
    package var durationMs: Int?
    /// Whether the model is told the call failed (non-zero exit, timeout, denied, unknown tool).
    package var isError: Bool

    package init(
      callID: String, name: String, content: String, exitCode: Int? = nil, durationMs: Int? = nil,
      isError: Bool = false
    ) {
      self.callID = callID
      self.name = name
      self.content = content
      self.exitCode = exitCode
      self.durationMs = durationMs
      self.isError = isError
    }
  }

  /// The transport is waiting before trying again.
  package struct Retry: Sendable, Hashable {
    /// The attempt about to be made (2 for the first retry).
    package var attempt: Int
    package var delayMs: Int
    package var reason: String
    /// The HTTP status that caused it, if any.
    package var status: Int?

    package init(attempt: Int, delayMs: Int, reason: String, status: Int? = nil) {
      self.attempt = attempt
      self.delayMs = delayMs
      self.reason = reason
      self.status = status
    }
  }

  /// The turn ended normally. The seed's shape plus `finish_reason`, `usage`, `model`.
  package struct Complete: Sendable, Hashable {
    package var processingTimeMs: Int
    package var finishReason: String?
    package var usage: Usage?
    package var model: String?
    /// The answer was replayed from the response cache; `usage` is that of the answer when it
    /// was made. Written only when true.
    package var cached: Bool

    package init(
      processingTimeMs: Int, finishReason: String? = nil, usage: Usage? = nil, model: String? = nil,
      cached: Bool = false
    ) {
      self.processingTimeMs = processingTimeMs
      self.finishReason = finishReason
      self.usage = usage
      self.model = model
      self.cached = cached
    }
  }

  /// The turn failed. The seed's `error` and `error_details`, plus a stable `code`.
  package struct Failure: Sendable, Hashable {
    /// A one-sentence message for people.
    package var message: String
    package var details: String?
    package var code: ErrorKind
    package var retryable: Bool
    /// Whether chunks of an answer were already sent before the failure.
    package var partial: Bool
    /// The HTTP status behind the failure, if any.
    package var status: Int?

    package init(
      message: String, details: String? = nil, code: ErrorKind, retryable: Bool? = nil,
      partial: Bool = false, status: Int? = nil
    ) {
      self.message = message
      self.details = details
      self.code = code
      self.retryable = retryable ?? code.isRetryable
      self.partial = partial
      self.status = status
    }
  }
}

/// One event of the protocol (SPEC §3): one line of NDJSON on the wire.
///
/// `chunk`, `complete` and `error` keep the seed's shapes exactly; the other types and the
/// `id`/`session_id` tags are extensions that consumers may ignore.
public struct Event: Sendable, Hashable {
  /// What happened.
  public var payload: Payload
  /// The request id this event belongs to, when the stream carries several requests.
  public var id: String?
  /// The session this event belongs to.
  public var sessionID: String?

  public init(_ payload: Payload, id: String? = nil, sessionID: String? = nil) {
    self.payload = payload
    self.id = id
    self.sessionID = sessionID
  }

  /// The event kinds. `other` carries any type this version does not know, unchanged.
  public enum Payload: Sendable, Hashable {
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
  public var type: String {
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
  public var isTerminal: Bool {
    switch payload {
    case .complete, .error: true
    default: false
    }
  }

  /// First event of a turn.
  public struct Start: Sendable, Hashable {
    public var model: String?
    public var provider: String?
    /// Earlier turns sent as context (tgpt-session).
    public var turnsSent: Int?
    /// Earlier turns left out to fit the context window (tgpt-session).
    public var turnsDropped: Int?
    /// The answer that follows is replayed from the response cache (`--cache`): no request
    /// was made. Written only when true.
    public var cached: Bool

    public init(
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
  public struct Chunk: Sendable, Hashable {
    public var content: String
    public var finishReason: String?
    public var model: String?
    public var usage: Usage?
    public var toolsUsed: [String]

    public init(
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
  public struct Reasoning: Sendable, Hashable {
    public var content: String
    public init(content: String) { self.content = content }
  }

  /// The model asked for a tool to be run.
  public struct ToolCall: Sendable, Hashable {
    public var callID: String
    public var name: String
    /// The arguments: the parsed object when the model produced valid JSON, else its raw text.
    public var arguments: JSON

    public init(callID: String, name: String, arguments: JSON) {
      self.callID = callID
      self.name = name
      self.arguments = arguments
    }
  }

  /// A piece of a running tool's output, as it arrives (so a long tool shows its progress).
  public struct ToolOutput: Sendable, Hashable {
    public var callID: String
    public var content: String

    public init(callID: String, content: String) {
      self.callID = callID
      self.content = content
    }
  }

  /// The outcome of a tool run: what goes back to the model.
  public struct ToolResult: Sendable, Hashable {
    public var callID: String
    public var name: String
    public var content: String
    /// The executable's exit status; nil when no process ran (an MCP tool, a denied call).
    public var exitCode: Int?
    /// How long the tool ran.
    public var durationMs: Int?
    /// Whether the model is told the call failed (non-zero exit, timeout, denied, unknown tool).
    public var isError: Bool

    public init(
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
  public struct Retry: Sendable, Hashable {
    /// The attempt about to be made (2 for the first retry).
    public var attempt: Int
    public var delayMs: Int
    public var reason: String
    /// The HTTP status that caused it, if any.
    public var status: Int?

    public init(attempt: Int, delayMs: Int, reason: String, status: Int? = nil) {
      self.attempt = attempt
      self.delayMs = delayMs
      self.reason = reason
      self.status = status
    }
  }

  /// The turn ended normally. The seed's shape plus `finish_reason`, `usage`, `model`.
  public struct Complete: Sendable, Hashable {
    public var processingTimeMs: Int
    public var finishReason: String?
    public var usage: Usage?
    public var model: String?
    /// The answer was replayed from the response cache; `usage` is that of the answer when it
    /// was made. Written only when true.
    public var cached: Bool

    public init(
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
  public struct Failure: Sendable, Hashable {
    /// A one-sentence message for people.
    public var message: String
    public var details: String?
    public var code: ErrorKind
    public var retryable: Bool
    /// Whether chunks of an answer were already sent before the failure.
    public var partial: Bool
    /// The HTTP status behind the failure, if any.
    public var status: Int?

    public init(
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

import TGPTEvents
import TGPTProviders
import TGPTSession

/// A turn's tool exchange in the request's shape (OpenAI's, which each wire format converts):
/// an assistant message with `tool_calls`, then one `tool` message per call.
enum ToolExchange {
  /// The request messages of one stored turn. A call goes only with its result and a result
  /// only with its call: an answer whose results are missing (cut short while its tools ran)
  /// keeps just its text, and an answer with neither text nor calls is left out.
  static func messages(of turn: [StoredMessage]) -> [JSON] {
    let answered = Set(turn.compactMap { Event.ToolResult(stored: $0)?.callID })
    var offered = Set<String>()
    var messages: [JSON] = []
    for stored in turn {
      switch stored.role {
      case "assistant":
        let calls = stored.toolCalls?.arrayValue ?? []
        let whole = !calls.isEmpty && calls.allSatisfy { answered.contains($0["call_id"]?.stringValue ?? "") }
        if whole {
          for call in calls { offered.insert(call["call_id"]?.stringValue ?? "") }
          messages.append(assistant(content: stored.content, calls: calls))
        } else if !stored.content.isEmpty {
          messages.append(ChatRequest.message(role: "assistant", content: stored.content))
        }
      case "tool":
        guard let result = Event.ToolResult(stored: stored), offered.contains(result.callID) else { continue }
        messages.append(tool(result))
      default:
        messages.append(request(stored))
      }
    }
    return messages
  }

  /// A stored user message as it goes in a request, with its attachments.
  static func request(_ stored: StoredMessage) -> JSON {
    stored.role == "user"
      ? ChatRequest.userMessage(stored.content, attachments: stored.attachments)
      : ChatRequest.message(role: stored.role, content: stored.content)
  }

  /// The messages of one stored turn as plain text, for a request that offers no tools (which
  /// providers refuse to see tool blocks in): the user's message, then one answer holding the
  /// answer's text with each call and its result as a line `[tool NAME(ARGUMENTS) → RESULT]`.
  static func flattened(_ turn: [StoredMessage]) -> [JSON] {
    var messages: [JSON] = []
    var answer = ""
    var names: [String: String] = [:]
    func closeAnswer() {
      if !answer.isEmpty { messages.append(ChatRequest.message(role: "assistant", content: answer)) }
      answer = ""
    }
    for stored in turn {
      switch stored.role {
      case "assistant":
        answer += stored.content
        for call in stored.toolCalls?.arrayValue ?? [] {
          let arguments = call["arguments"].map { $0.stringValue ?? $0.compactText } ?? "{}"
          names[call["call_id"]?.stringValue ?? ""] = "\(call["name"]?.stringValue ?? "?")(\(arguments))"
        }
      case "tool":
        guard let result = Event.ToolResult(stored: stored) else { continue }
        if !answer.isEmpty, !answer.hasSuffix("\n") { answer += "\n" }
        let called = names[result.callID] ?? result.name + "(…)"
        answer += "[tool \(called) → \(result.isError ? "error: " : "")\(result.content)]\n"
      default:
        closeAnswer()
        messages.append(request(stored))
      }
    }
    closeAnswer()
    return messages
  }

  /// An assistant message that made `calls` (`[{"call_id","name","arguments"}]`, as stored).
  static func assistant(content: String, calls: [JSON]) -> JSON {
    let wireCalls: [JSON] = calls.map { call in
      let arguments = call["arguments"] ?? .object(JSONObject())
      return [
        "id": call["call_id"] ?? "", "type": "function",
        "function": ["name": call["name"] ?? "", "arguments": .string(arguments.stringValue ?? arguments.compactText)],
      ]
    }
    return .object(
      JSONObject([
        ("role", "assistant"), ("content", content.isEmpty ? .null : .string(content)),
        ("tool_calls", .array(wireCalls)),
      ]))
  }

  /// The stored form of a call: `{"call_id","name","arguments"}`.
  static func stored(_ call: Event.ToolCall) -> JSON {
    ["call_id": .string(call.callID), "name": .string(call.name), "arguments": call.arguments]
  }

  /// A `tool` message answering a call.
  static func tool(_ result: Event.ToolResult) -> JSON {
    var object = JSONObject([
      ("role", "tool"), ("tool_call_id", .string(result.callID)), ("content", .string(result.content)),
    ])
    if result.isError { object["is_error"] = true }
    return .object(object)
  }

  /// The estimated tokens `messages` take in the context.
  static func tokens(_ messages: [JSON]) -> Int {
    messages.reduce(0) {
      $0 + TokenEstimator.messageTokens(countedText(of: $1)) + ChatRequest.imageCount(of: $1) * TokenEstimator.perImage
    }
  }

  /// The text a message costs in the context: its content (the text of its parts), and its
  /// calls' names and arguments.
  static func countedText(of message: JSON) -> String {
    var text = ChatRequest.text(of: message) ?? ""
    for call in message["tool_calls"]?.arrayValue ?? [] {
      text += (call["function"]?["name"]?.stringValue ?? "") + (call["function"]?["arguments"]?.stringValue ?? "")
    }
    return text
  }
}

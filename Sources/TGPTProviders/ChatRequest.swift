package import TGPTEvents

/// What to ask the model: the messages plus generation settings, independent of any provider's
/// wire format.
package struct ChatRequest: Sendable, Hashable {
  /// Messages in the OpenAI shape (`{"role":…,"content":…}`, possibly with tool fields), kept
  /// as JSON so anything a caller sends reaches the provider unchanged.
  package var messages: [JSON]
  package var model: String?
  /// A system prompt sent before the messages.
  package var system: String?
  package var temperature: Double?
  package var maxTokens: Int?
  /// Further body fields (`--param key=JSON`, unknown fields of a `--request`); they override
  /// the fields we build.
  package var extra: JSONObject
  /// Tools the model may call.
  ///
  /// A tool exchange travels in `messages` in the OpenAI shape, whatever the provider: an
  /// assistant message with `tool_calls` (`id`, `function.name`, `function.arguments` as
  /// JSON text), then one `{"role":"tool","tool_call_id":…,"content":…}` per call, which may
  /// carry `"is_error":true`. Each wire format converts this to its provider's shape.
  package var tools: [ToolSpec]

  package init(
    messages: [JSON], model: String? = nil, system: String? = nil, temperature: Double? = nil,
    maxTokens: Int? = nil, extra: JSONObject = JSONObject(), tools: [ToolSpec] = []
  ) {
    self.messages = messages
    self.model = model
    self.system = system
    self.temperature = temperature
    self.maxTokens = maxTokens
    self.extra = extra
    self.tools = tools
  }

  /// A request of one user message.
  package init(prompt: String, model: String? = nil, system: String? = nil) {
    self.init(messages: [Self.message(role: "user", content: prompt)], model: model, system: system)
  }

  /// A `{"role":…,"content":…}` message.
  package static func message(role: String, content: String) -> JSON {
    .object(JSONObject([("role", .string(role)), ("content", .string(content))]))
  }

  /// Reads a whole request, `{"messages":[…],"model":…}` (SPEC §3). `system`, `temperature`
  /// and `max_tokens` are understood; other members (except `stream`) pass through as `extra`.
  package init(json: JSON) throws(ProviderError) {
    guard let object = json.objectValue else { throw .badInput("the request must be a JSON object") }
    guard let messages = object["messages"]?.arrayValue, !messages.isEmpty else {
      throw .badInput("the request needs a non-empty \"messages\" array")
    }
    for (index, message) in messages.enumerated() {
      guard let role = message["role"]?.stringValue, !role.isEmpty else {
        throw .badInput("message \(index + 1) of the request has no \"role\"")
      }
    }
    self.init(messages: messages)
    var rest = object
    for member in object {
      switch member.key {
      case "messages", "stream", "stream_options": rest[member.key] = nil
      case "model": model = member.value.stringValue; rest["model"] = nil
      case "system": system = member.value.stringValue; rest["system"] = nil
      case "temperature": temperature = member.value.doubleValue; rest["temperature"] = nil
      case "max_tokens", "max_completion_tokens":
        maxTokens = member.value.intValue
        rest[member.key] = nil
      default: break
      }
    }
    extra = rest
  }

  /// The text of the last user message (what the echo provider answers with).
  package var lastUserText: String? {
    for message in messages.reversed() where message["role"]?.stringValue == "user" {
      // Parts (an attached file, then the question) read as paragraphs, not run together.
      if let parts = message["content"]?.arrayValue {
        return parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n\n")
      }
      return Self.text(of: message)
    }
    return nil
  }

  /// A message's text: a string `content`, or the joined `text` parts of a content array.
  package static func text(of message: JSON) -> String? {
    switch message["content"] {
    case .string(let text)?: return text
    case .array(let parts)?:
      return parts.compactMap { $0["text"]?.stringValue }.joined()
    default: return nil
    }
  }
}

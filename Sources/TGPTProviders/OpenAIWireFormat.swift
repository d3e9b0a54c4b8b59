import TGPTEvents

/// Requests in the OpenAI chat-completions shape, for OpenRouter, OpenAI and compatible servers.
struct OpenAIWireFormat: WireFormat {
  let kind: ProviderKind
  let baseURL: String
  let apiKey: String?
  let extraHeaders: [(String, String)]
  let maxTokensField: String
  let appURL: String?
  let appTitle: String?

  func request(for chat: ChatRequest) throws(ProviderError) -> (url: String, headers: [(String, String)], body: [UInt8])
  {
    var headers: [(String, String)] = [("Content-Type", "application/json"), ("Accept", "text/event-stream")]
    if let apiKey, !apiKey.isEmpty { headers.append(("Authorization", "Bearer \(apiKey)")) }
    if kind == .openrouter {
      if let appURL, !appURL.isEmpty { headers.append(("HTTP-Referer", appURL)) }
      if let appTitle, !appTitle.isEmpty { headers.append(("X-Title", appTitle)) }
    }
    headers.append(contentsOf: extraHeaders)
    return (Self.endpoint(baseURL, "chat/completions"), headers, body(for: chat))
  }

  func makeDecoder() -> ProviderStreamDecoder { ProviderStreamDecoder(kind: kind) }

  func modelsRequest(after: String?) -> (url: String, headers: [(String, String)]) {
    var headers: [(String, String)] = [("Accept", "application/json")]
    if let apiKey, !apiKey.isEmpty { headers.append(("Authorization", "Bearer \(apiKey)")) }
    headers.append(contentsOf: extraHeaders)
    return (BaseURL.root(baseURL) + "/models", headers)
  }

  func body(for chat: ChatRequest) -> [UInt8] {
    var body = JSONObject()
    if let model = chat.model, !model.isEmpty { body["model"] = .string(model) }
    var messages: [JSON] = []
    if let system = chat.system, !system.isEmpty {
      messages.append(ChatRequest.message(role: "system", content: system))
    }
    messages.append(contentsOf: chat.messages.map(Self.withoutErrorMark))
    body["messages"] = .array(messages)
    body["stream"] = true
    // Without this, usage (and OpenRouter's cost) may never be sent.
    body["stream_options"] = ["include_usage": true]
    if let temperature = chat.temperature { body["temperature"] = .double(temperature) }
    if let maxTokens = chat.maxTokens { body[maxTokensField] = .int(maxTokens) }
    if !chat.tools.isEmpty { body["tools"] = .array(chat.tools.map(Self.tool)) }
    for member in chat.extra { body[member.key] = member.value }
    var writer = JSONWriter(capacity: 1024)
    writer.value(.object(body))
    return writer.bytes
  }

  /// A tool in the chat-completions shape, `{"type":"function","function":{…}}`.
  static func tool(_ spec: ToolSpec) -> JSON {
    [
      "type": "function",
      "function": [
        "name": .string(spec.name), "description": .string(spec.description), "parameters": spec.parameters,
      ],
    ]
  }

  /// A tool message without our `is_error` mark: OpenAI rejects unknown message fields, and
  /// the error is already in the content text.
  static func withoutErrorMark(_ message: JSON) -> JSON {
    guard case .object(var object) = message, object["role"]?.stringValue == "tool", object["is_error"] != nil else {
      return message
    }
    object["is_error"] = nil
    return .object(object)
  }

  /// Joins a base URL and a path, accepting a base that already ends with the path.
  static func endpoint(_ base: String, _ path: String) -> String {
    if base.hasSuffix("/" + path) { return base }
    return base.hasSuffix("/") ? base + path : base + "/" + path
  }
}

/// Requests for Anthropic's Messages API.
struct AnthropicWireFormat: WireFormat {
  let baseURL: String
  let apiKey: String?
  let extraHeaders: [(String, String)]
  /// Anthropic requires `max_tokens`; this is used when none is given.
  static let defaultMaxTokens = 4096

  func request(for chat: ChatRequest) throws(ProviderError) -> (url: String, headers: [(String, String)], body: [UInt8])
  {
    var headers: [(String, String)] = [
      ("Content-Type", "application/json"), ("Accept", "text/event-stream"), ("anthropic-version", "2023-06-01"),
    ]
    if let apiKey, !apiKey.isEmpty { headers.append(("x-api-key", apiKey)) }
    headers.append(contentsOf: extraHeaders)
    return (OpenAIWireFormat.endpoint(baseURL, "messages"), headers, body(for: chat))
  }

  func makeDecoder() -> ProviderStreamDecoder { ProviderStreamDecoder(kind: .anthropic) }

  /// Anthropic lists models in pages (20 by default); the largest page it allows, then `after_id`.
  func modelsRequest(after: String?) -> (url: String, headers: [(String, String)]) {
    var headers: [(String, String)] = [("Accept", "application/json"), ("anthropic-version", "2023-06-01")]
    if let apiKey, !apiKey.isEmpty { headers.append(("x-api-key", apiKey)) }
    headers.append(contentsOf: extraHeaders)
    var url = BaseURL.root(baseURL) + "/models?limit=1000"
    if let after { url += "&after_id=" + BaseURL.queryEscaped(after) }
    return (url, headers)
  }

  func body(for chat: ChatRequest) -> [UInt8] {
    var body = JSONObject()
    body["model"] = .string(chat.model ?? ProviderKind.anthropic.defaultModel ?? "")
    body["max_tokens"] = .int(chat.maxTokens ?? Self.defaultMaxTokens)
    // Anthropic takes the system prompt at the top level, not as a message.
    var systemParts: [String] = []
    if let system = chat.system, !system.isEmpty { systemParts.append(system) }
    var messages: [JSON] = []
    for message in chat.messages {
      if message["role"]?.stringValue == "system" {
        if let text = ChatRequest.text(of: message) { systemParts.append(text) }
      } else {
        messages.append(message)
      }
    }
    var system: JSON? = systemParts.isEmpty ? nil : .string(systemParts.joined(separator: "\n\n"))
    var converted = AnthropicMessages.converting(messages)
    let tools = chat.tools.map(AnthropicMessages.tool)
    AnthropicPromptCache.mark(system: &system, messages: &converted, tools: tools)
    if let system { body["system"] = system }
    body["messages"] = .array(converted)
    body["stream"] = true
    if let temperature = chat.temperature { body["temperature"] = .double(temperature) }
    if !tools.isEmpty { body["tools"] = .array(tools) }
    for member in chat.extra { body[member.key] = member.value }
    var writer = JSONWriter(capacity: 1024)
    writer.value(.object(body))
    return writer.bytes
  }
}

import TGPTEvents

/// Converts messages from the OpenAI shape `ChatRequest` carries to Anthropic's: an assistant
/// message's `tool_calls` become `tool_use` blocks, and `role:"tool"` results become
/// `tool_result` blocks in a user message.
enum AnthropicMessages {
  /// A tool in Anthropic's shape, `{"name","description","input_schema"}`.
  static func tool(_ spec: ToolSpec) -> JSON {
    ["name": .string(spec.name), "description": .string(spec.description), "input_schema": spec.parameters]
  }

  /// The messages (system messages already lifted out) in Anthropic's shape.
  ///
  /// Anthropic requires the roles to alternate, so consecutive tool results make one user
  /// message, and a plain user message right after them joins that message as text.
  static func converting(_ messages: [JSON]) -> [JSON] {
    var converted: [JSON] = []
    var results: [JSON]?
    func closeResults() {
      if let blocks = results { converted.append(["role": "user", "content": .array(blocks)]) }
      results = nil
    }
    for message in messages {
      switch message["role"]?.stringValue {
      case "tool":
        results = (results ?? []) + [toolResult(message)]
      case "user" where results != nil:
        results! += contentBlocks(message)
        closeResults()
      case "assistant":
        closeResults()
        converted.append(assistant(message))
      case "user":
        closeResults()
        converted.append(user(message))
      default:
        closeResults()
        converted.append(message)
      }
    }
    closeResults()
    return converted
  }

  /// An assistant message: with calls, a text block (when there is text) and one `tool_use`
  /// block per call; without, the message as it is (minus an empty `tool_calls`, a field
  /// Anthropic does not know).
  static func assistant(_ message: JSON) -> JSON {
    guard let calls = message["tool_calls"]?.arrayValue, !calls.isEmpty else {
      guard case .object(var object) = message, object["tool_calls"] != nil else { return message }
      object["tool_calls"] = nil
      return .object(object)
    }
    var blocks: [JSON] = []
    if let text = ChatRequest.text(of: message), !text.isEmpty {
      blocks.append(["type": "text", "text": .string(text)])
    }
    for call in calls {
      let function = call["function"]
      blocks.append([
        "type": "tool_use", "id": .string(call["id"]?.stringValue ?? ""),
        "name": .string(function?["name"]?.stringValue ?? ""), "input": input(function?["arguments"]),
      ])
    }
    return ["role": "assistant", "content": .array(blocks)]
  }

  /// A call's `input`, which Anthropic requires to be an object: the arguments text parsed,
  /// `{}` when it is empty.
  ///
  /// Arguments that are not a JSON object (the model sent broken JSON, and the loop answered
  /// with an error result) are sent as `{"_raw_arguments": TEXT}`: still an object, so the
  /// request is accepted, and the model still sees exactly what it sent.
  static func input(_ arguments: JSON?) -> JSON {
    let text: String
    switch arguments {
    case nil, .null?: return [:]
    case .object?: return arguments!
    case .string(let string)?: text = string
    case let other?: text = other.compactText
    }
    if text.allSatisfy(\.isWhitespace) { return [:] }
    if let parsed = try? JSON.parse(text), parsed.objectValue != nil { return parsed }
    return ["_raw_arguments": .string(text)]
  }

  /// A `role:"tool"` message as a `tool_result` block; `is_error` only when set.
  static func toolResult(_ message: JSON) -> JSON {
    var block = JSONObject([
      ("type", "tool_result"), ("tool_use_id", .string(message["tool_call_id"]?.stringValue ?? "")),
      ("content", .string(ChatRequest.text(of: message) ?? "")),
    ])
    if message["is_error"]?.boolValue == true { block["is_error"] = true }
    return .object(block)
  }

  /// A user message's content as blocks: its text as one text block (none when empty), or
  /// its content parts as they are.
  static func contentBlocks(_ message: JSON) -> [JSON] {
    switch message["content"] {
    case .string(let text)?: text.isEmpty ? [] : [["type": "text", "text": .string(text)]]
    case .array(let parts)?: parts.map(block)
    default: []
    }
  }

  /// A user message; content parts in the OpenAI shape become Anthropic's blocks.
  static func user(_ message: JSON) -> JSON {
    guard case .object(var object) = message, case .array? = object["content"] else { return message }
    object["content"] = .array(contentBlocks(message))
    return .object(object)
  }

  /// A content part as an Anthropic block: an `image_url` part becomes an `image` block with
  /// a base64 source (from a data URL) or a URL source; other parts stay as they are.
  static func block(_ part: JSON) -> JSON {
    guard part["type"]?.stringValue == "image_url", let url = part["image_url"]?["url"]?.stringValue else {
      return part
    }
    if url.hasPrefix("data:"), let comma = url.firstIndex(of: ","), url[..<comma].hasSuffix(";base64") {
      let mediaType = url[url.index(url.startIndex, offsetBy: 5)..<comma].dropLast(7)
      return [
        "type": "image",
        "source": [
          "type": "base64", "media_type": .string(String(mediaType)),
          "data": .string(String(url[url.index(after: comma)...])),
        ],
      ]
    }
    return ["type": "image", "source": ["type": "url", "url": .string(url)]]
  }
}

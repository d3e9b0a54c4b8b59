import TGPTEvents

/// Decodes the OpenAI chat-completions stream, as spoken by OpenAI, OpenRouter, Ollama's `/v1`,
/// llama.cpp, vLLM and LM Studio.
///
/// Handles what those servers actually send: `choices: []` on the usage chunk, `content: null`,
/// reasoning in `delta.reasoning` or `delta.reasoning_content`, tool-call fragments by index,
/// an `error` object after HTTP 200 (also with `finish_reason: "error"`), llama.cpp's `error:`
/// field, repeated finish chunks, and an optional `[DONE]`.
struct OpenAIChunkDecoder: StreamDecoder {
  private var tools = ToolCallAssembler()
  private var sawModel = false
  private var finishReason: String?
  private var sawDone = false
  /// A high surrogate that ended the last content (or reasoning) string, waiting for its pair.
  private var contentCarry: UInt32?
  private var reasoningCarry: UInt32?

  // `[DONE]` is only the transport's end: llama.cpp sends it after an aborted generation too.
  var isComplete: Bool { finishReason != nil }
  var sawEndMarker: Bool { sawDone }

  mutating func decode(_ message: SSEParser.Message, _ emit: (ProviderOutput) throws -> Void) throws {
    if message.type == "error" {
      throw Self.streamError(from: message.data)
    }
    if message.data.elementsEqual("[DONE]".utf8) {
      try flushTools(emit)
      sawDone = true
      try emit(.done)
      return
    }
    try decodeChunk(message.data, emit)
  }

  mutating func decodeWhole(_ body: UnsafeRawBufferPointer, _ emit: (ProviderOutput) throws -> Void) throws {
    try decodeChunk(body, emit)
  }

  mutating func finish(_ emit: (ProviderOutput) throws -> Void) throws {
    if contentCarry != nil {
      contentCarry = nil
      try emit(.content("\u{FFFD}"))
    }
    try flushTools(emit)
  }

  // MARK: - One chunk

  private struct ChunkParts {
    var content: String?
    var reasoning: String?
    var finish: String?
    var usage: Usage?
    var error: JSON?
    /// Where the `tool_calls` array sits in the chunk's bytes.
    var toolCalls: Range<Int>?
  }

  private mutating func decodeChunk(_ data: UnsafeRawBufferPointer, _ emit: (ProviderOutput) throws -> Void) throws {
    var parts = ChunkParts()
    var scanner = JSONScanner(data)
    do {
      guard try scanner.peekKind() == .object else {
        throw ProviderError.badStream("a data line is not a JSON object", details: Self.preview(data))
      }
      try scanner.beginObject()
      while let key = try scanner.nextKey() {
        if key.equals("choices") {
          try readChoices(&scanner, &parts)
        } else if key.equals("model"), !sawModel {
          if let model = try scanner.readOptionalString(), !model.isEmpty {
            sawModel = true
            try emit(.model(model))
          }
        } else if key.equals("usage") {
          parts.usage = Self.usage(from: try scanner.readValue())
        } else if key.equals("error") {
          let value = try scanner.readValue()
          if !value.isNull { parts.error = value }
        } else {
          try scanner.skipValue()
        }
      }
      try scanner.expectEnd()
      if let range = parts.toolCalls { try readToolCalls(UnsafeRawBufferPointer(rebasing: data[range])) }
    } catch let error as ProtocolError {
      throw ProviderError.badStream(error.description, details: Self.preview(data))
    }
    if let error = parts.error { throw Self.streamError(error) }
    if parts.finish == "error" {
      throw ProviderError.reportedInStream(
        message: "the provider ended the answer with finish_reason \"error\"", details: nil, status: nil, code: nil,
        type: nil)
    }
    if let reasoning = parts.reasoning, !reasoning.isEmpty { try emit(.reasoning(reasoning)) }
    if let content = parts.content, !content.isEmpty { try emit(.content(content)) }
    if let finish = parts.finish, finishReason == nil {
      // Some servers repeat the finish chunk; the first one counts.
      try flushTools(emit)
      finishReason = finish
      try emit(.finish(finish))
    }
    if let usage = parts.usage { try emit(.usage(usage)) }
  }

  /// Reads the choice with index 0 (or without an index); others (`n > 1`) are skipped, so
  /// alternatives are never mixed into one answer.
  private mutating func readChoices(_ scanner: inout JSONScanner, _ parts: inout ChunkParts) throws {
    guard try scanner.peekKind() == .array else {
      try scanner.skipValue()
      return
    }
    try scanner.beginArray()
    while try scanner.nextElement() {
      guard try scanner.peekKind() == .object else {
        try scanner.skipValue()
        continue
      }
      // The index may come after the delta, so a choice is read into its own parts first.
      var choice = ChunkParts()
      var index = 0
      let carries = (contentCarry, reasoningCarry)
      try scanner.beginObject()
      while let key = try scanner.nextKey() {
        if key.equals("delta") || key.equals("message") {
          try readDelta(&scanner, &choice)
        } else if key.equals("finish_reason") {
          if let reason = try scanner.readOptionalString() { choice.finish = reason }
        } else if key.equals("index") {
          index = try scanner.readValue().intValue ?? 0
        } else {
          try scanner.skipValue()
        }
      }
      if index == 0 {
        parts.content = choice.content
        parts.reasoning = choice.reasoning
        parts.finish = choice.finish ?? parts.finish
        parts.toolCalls = choice.toolCalls ?? parts.toolCalls
      } else {
        (contentCarry, reasoningCarry) = carries
      }
    }
  }

  private mutating func readDelta(_ scanner: inout JSONScanner, _ parts: inout ChunkParts) throws {
    guard try scanner.peekKind() == .object else {
      try scanner.skipValue()
      return
    }
    try scanner.beginObject()
    while let key = try scanner.nextKey() {
      if key.equals("content") {
        if try scanner.peekKind() == .string {
          let text = try scanner.readString(carry: &contentCarry)
          if parts.content == nil { parts.content = text } else { parts.content! += text }
        } else {
          try scanner.skipValue()
        }
      } else if key.equals("reasoning") || key.equals("reasoning_content") {
        if try scanner.peekKind() == .string {
          let text = try scanner.readString(carry: &reasoningCarry)
          if parts.reasoning == nil { parts.reasoning = text } else { parts.reasoning! += text }
        } else {
          try scanner.skipValue()
        }
      } else if key.equals("tool_calls") {
        // Read once the choice's index is known; the bytes, not a parsed tree, so arguments
        // cut inside a character stay exact.
        let start = scanner.offset
        try scanner.skipValue()
        parts.toolCalls = start..<scanner.offset
      } else {
        try scanner.skipValue()
      }
    }
  }

  /// Reads a `tool_calls` array: each fragment's index (its position when missing), id and
  /// name when present, and a piece of the arguments (or, from Ollama, the whole object).
  private mutating func readToolCalls(_ bytes: UnsafeRawBufferPointer) throws {
    var scanner = JSONScanner(bytes)
    guard try scanner.peekKind() == .array else { return }
    try scanner.beginArray()
    var position = 0
    while try scanner.nextElement() {
      defer { position += 1 }
      guard try scanner.peekKind() == .object else {
        try scanner.skipValue()
        continue
      }
      var fragment = ToolFragment()
      try scanner.beginObject()
      while let key = try scanner.nextKey() {
        if key.equals("index") {
          fragment.index = try scanner.readValue().intValue
        } else if key.equals("id") {
          fragment.id = try scanner.readValue().stringValue
        } else if key.equals("function"), try scanner.peekKind() == .object {
          try readFunction(&scanner, &fragment)
        } else {
          try scanner.skipValue()
        }
      }
      let index = fragment.index ?? position
      if let whole = fragment.wholeArguments {
        tools.addWhole(index: index, id: fragment.id, name: fragment.name, arguments: whole)
        continue
      }
      tools.add(index: index, id: fragment.id, name: fragment.name)
      if let literal = fragment.argumentsLiteral {
        try tools.addArguments(index: index, literal: UnsafeRawBufferPointer(rebasing: bytes[literal]))
      }
    }
  }

  private struct ToolFragment {
    var index: Int?
    var id: String?
    var name: String?
    var argumentsLiteral: Range<Int>?
    var wholeArguments: JSON?
  }

  private func readFunction(_ scanner: inout JSONScanner, _ fragment: inout ToolFragment) throws {
    try scanner.beginObject()
    while let key = try scanner.nextKey() {
      if key.equals("name") {
        fragment.name = try scanner.readValue().stringValue
      } else if key.equals("arguments") {
        switch try scanner.peekKind() {
        case .string:
          let start = scanner.offset
          try scanner.skipValue()
          fragment.argumentsLiteral = start..<scanner.offset
        case .object: fragment.wholeArguments = try scanner.readValue()
        default: try scanner.skipValue()
        }
      } else {
        try scanner.skipValue()
      }
    }
  }

  private mutating func flushTools(_ emit: (ProviderOutput) throws -> Void) throws {
    for call in tools.drain() { try emit(.toolCall(call)) }
  }

  // MARK: - Helpers

  static func usage(from value: JSON) -> Usage? {
    guard let object = value.objectValue else { return nil }
    var usage = Usage()
    usage.promptTokens = object["prompt_tokens"]?.intValue
    usage.completionTokens = object["completion_tokens"]?.intValue
    usage.totalTokens = object["total_tokens"]?.intValue
    if case .number(let cost)? = object["cost"] { usage.cost = cost }
    usage.reasoningTokens = object["completion_tokens_details"]?["reasoning_tokens"]?.intValue
    usage.cachedTokens = object["prompt_tokens_details"]?["cached_tokens"]?.intValue
    return usage
  }

  /// An error object from inside a stream: OpenAI's `{"message","type","code"}` (code a string),
  /// OpenRouter's numeric `code`, or a bare string.
  static func streamError(_ error: JSON) -> ProviderError {
    let object = error.objectValue
    let message = object?["message"]?.stringValue ?? error.stringValue ?? "the provider reported an error"
    let code: String? =
      switch object?["code"] {
      case .string(let s)?: s
      case .number(let n)?: n.text
      default: nil
      }
    let numeric = code.flatMap { Int($0) }
    return .reportedInStream(
      message: message, details: error.compactText, status: numeric, code: code, type: object?["type"]?.stringValue)
  }

  static func streamError(from data: UnsafeRawBufferPointer) -> ProviderError {
    guard let json = try? JSON.parse(data) else {
      return .reportedInStream(
        message: String(decoding: data, as: UTF8.self), details: nil, status: nil, code: nil, type: nil)
    }
    return streamError(json["error"] ?? json)
  }

  static func preview(_ data: UnsafeRawBufferPointer) -> String {
    let text = String(decoding: data.prefix(200), as: UTF8.self)
    return data.count > 200 ? text + "…" : text
  }
}

import TGPTEvents

/// Decodes the Anthropic Messages stream: text and thinking deltas, tool-use blocks whose
/// `partial_json` is joined per block index, cumulative output usage, `ping`, `event: error`,
/// and `message_stop` as the end marker.
struct AnthropicEventDecoder: StreamDecoder {
  private var tools = ToolCallAssembler()
  private var usage = Usage()
  /// `input_tokens` as Anthropic reports it (without the cache's tokens).
  private var inputTokens: Int?
  private var stopReason: String?
  private var finished = false

  /// `message_stop` ends the stream; only a `stop_reason` says the answer is whole.
  var isComplete: Bool { finished && stopReason != nil }
  var sawEndMarker: Bool { finished }

  mutating func decode(_ message: SSEParser.Message, _ emit: (ProviderOutput) throws -> Void) throws {
    let event: JSON
    do {
      event = try JSON.parse(message.data)
    } catch {
      throw ProviderError.badStream(error.description, details: OpenAIChunkDecoder.preview(message.data))
    }
    try handle(event, raw: message.data, emit)
  }

  mutating func decodeWhole(_ body: UnsafeRawBufferPointer, _ emit: (ProviderOutput) throws -> Void) throws {
    let message = try JSON.parse(body)
    if message["type"]?.stringValue == "error" { throw Self.error(message["error"] ?? message) }
    if let model = message["model"]?.stringValue { try emit(.model(model)) }
    for (index, block) in (message["content"]?.arrayValue ?? []).enumerated() {
      switch block["type"]?.stringValue {
      case "text": if let text = block["text"]?.stringValue { try emit(.content(text)) }
      case "thinking": if let text = block["thinking"]?.stringValue { try emit(.reasoning(text)) }
      case "tool_use":
        tools.addWhole(
          index: index, id: block["id"]?.stringValue, name: block["name"]?.stringValue, arguments: block["input"] ?? [:]
        )
      default: break
      }
    }
    for call in tools.drain() { try emit(.toolCall(call)) }
    readUsage(message["usage"])
    finished = true
    guard let reason = message["stop_reason"]?.stringValue else { return }
    stopReason = reason
    try emit(.finish(reason))
    try emit(.usage(totalled(usage)))
  }

  mutating func finish(_ emit: (ProviderOutput) throws -> Void) throws {
    for call in tools.drain() { try emit(.toolCall(call)) }
  }

  /// Handles one parsed event; `raw` is its bytes, for the pieces of arguments (see
  /// `StreamedJSONText`).
  private mutating func handle(
    _ event: JSON, raw: UnsafeRawBufferPointer, _ emit: (ProviderOutput) throws -> Void
  ) throws {
    switch event["type"]?.stringValue {
    case "message_start":
      if let model = event["message"]?["model"]?.stringValue { try emit(.model(model)) }
      readUsage(event["message"]?["usage"])
    case "content_block_start":
      let index = event["index"]?.intValue ?? 0
      let block = event["content_block"]
      switch block?["type"]?.stringValue {
      case "tool_use":
        let id = block?["id"]?.stringValue
        let name = block?["name"]?.stringValue
        // Anthropic starts with `"input":{}` and streams the input; a whole input is taken as is.
        if let input = block?["input"], input.objectValue?.isEmpty == false {
          tools.addWhole(index: index, id: id, name: name, arguments: input)
        } else {
          tools.add(index: index, id: id, name: name)
        }
      case "text":
        if let text = block?["text"]?.stringValue, !text.isEmpty { try emit(.content(text)) }
      default: break
      }
    case "content_block_delta":
      let index = event["index"]?.intValue ?? 0
      let delta = event["delta"]
      switch delta?["type"]?.stringValue {
      case "text_delta":
        if let text = delta?["text"]?.stringValue, !text.isEmpty { try emit(.content(text)) }
      case "thinking_delta":
        if let text = delta?["thinking"]?.stringValue, !text.isEmpty { try emit(.reasoning(text)) }
      case "input_json_delta":
        do {
          if let literal = try Self.partialJSONLiteral(in: raw) {
            try tools.addArguments(index: index, literal: UnsafeRawBufferPointer(rebasing: raw[literal]))
          }
        } catch let error as ProtocolError {
          throw ProviderError.badStream(error.description, details: OpenAIChunkDecoder.preview(raw))
        }
      default: break
      }
    case "content_block_stop":
      for call in tools.drain() { try emit(.toolCall(call)) }
    case "message_delta":
      if let reason = event["delta"]?["stop_reason"]?.stringValue { stopReason = reason }
      readUsage(event["usage"])
    case "message_stop":
      for call in tools.drain() { try emit(.toolCall(call)) }
      finished = true
      if let stopReason {
        try emit(.finish(stopReason))
        try emit(.usage(totalled(usage)))
      }
      try emit(.done)
    case "error":
      throw Self.error(event["error"] ?? event)
    default:
      break  // ping and future event types
    }
  }

  /// Where `delta.partial_json`'s string literal sits in an event's bytes.
  static func partialJSONLiteral(in raw: UnsafeRawBufferPointer) throws(ProtocolError) -> Range<Int>? {
    var scanner = JSONScanner(raw)
    try scanner.beginObject()
    while let key = try scanner.nextKey() {
      guard key.equals("delta"), try scanner.peekKind() == .object else {
        try scanner.skipValue()
        continue
      }
      try scanner.beginObject()
      while let inner = try scanner.nextKey() {
        if inner.equals("partial_json"), try scanner.peekKind() == .string {
          let start = scanner.offset
          try scanner.skipValue()
          return start..<scanner.offset
        }
        try scanner.skipValue()
      }
    }
    return nil
  }

  /// Output tokens in `message_delta` are cumulative: the latest value replaces the earlier.
  /// Anthropic's `input_tokens` leaves out the tokens read from and written to its prompt
  /// cache; the prompt is all three, as other providers count it.
  private mutating func readUsage(_ value: JSON?) {
    guard let object = value?.objectValue else { return }
    if let input = object["input_tokens"]?.intValue { inputTokens = input }
    if let output = object["output_tokens"]?.intValue { usage.completionTokens = output }
    if let read = object["cache_read_input_tokens"]?.intValue { usage.cachedTokens = read }
    if let written = object["cache_creation_input_tokens"]?.intValue { usage.cacheWriteTokens = written }
    if let inputTokens {
      usage.promptTokens = inputTokens + (usage.cachedTokens ?? 0) + (usage.cacheWriteTokens ?? 0)
    }
  }

  private func totalled(_ usage: Usage) -> Usage {
    var result = usage
    if let prompt = usage.promptTokens, let completion = usage.completionTokens {
      result.totalTokens = prompt + completion
    }
    return result
  }

  static func error(_ error: JSON) -> ProviderError {
    .reportedInStream(
      message: error["message"]?.stringValue ?? "the provider reported an error", details: error.compactText,
      status: nil, code: nil, type: error["type"]?.stringValue)
  }
}

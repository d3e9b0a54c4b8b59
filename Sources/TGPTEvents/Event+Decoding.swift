#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension Event {
  /// Decodes one event from the bytes of one JSON object.
  ///
  /// Unknown members are ignored; an unknown `type` becomes `.other` with every member kept.
  /// An `error` event without `code` (the seed's shape) gets `internal`.
  package static func decode(_ bytes: UnsafeRawBufferPointer) throws(ProtocolError) -> Event {
    var fields = Fields()
    var scanner = JSONScanner(bytes)
    guard try scanner.peekKind() == .object else {
      _ = try JSON.parse(bytes)  // say "invalid JSON" for text that is not JSON at all
      throw .badEvent("an event must be a JSON object")
    }
    try scanner.beginObject()
    while let key = try scanner.nextKey() {
      try fields.read(key, &scanner)
    }
    try scanner.expectEnd()
    guard let type = fields.type else { throw .badEvent("an event needs a string \"type\"") }
    if let payload = try fields.payload(type: type) {
      if let field = fields.mistyped { throw .badEvent("\"\(field)\" of a \(type) event must be a string") }
      return Event(payload, id: fields.id, sessionID: fields.sessionID)
    }
    // An unknown type: keep every member so filters can pass it on unchanged.
    guard case .object(let object) = try JSON.parse(bytes) else { throw .badEvent("an event must be a JSON object") }
    var rest = object
    rest["type"] = nil
    rest["id"] = nil
    rest["session_id"] = nil
    return Event(.other(type: type, fields: rest), id: fields.id, sessionID: fields.sessionID)
  }

  /// The fast path for the most common line: when `bytes` is a `chunk` event written with
  /// `type` first and `content` second (as every tgpt program writes it), appends the content's
  /// UTF-8 to `output` and returns true; otherwise (other events, other layouts, malformed
  /// lines) changes nothing and returns false, and `decode` should be used.
  package static func appendChunkContent(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) -> Bool {
    let prefix: StaticString = #"{"type":"chunk","content":"#
    let length = prefix.utf8CodeUnitCount
    guard bytes.count > length, let base = bytes.baseAddress, memcmp(base, prefix.utf8Start, length) == 0 else {
      return false
    }
    let mark = output.count
    var scanner = JSONScanner(UnsafeRawBufferPointer(rebasing: bytes[length...]))
    do throws(ProtocolError) {
      try scanner.appendString(to: &output)
      // Bytes that are not UTF-8 `decode` would replace (U+FFFD): its way, not a raw copy.
      guard output.withUnsafeBufferPointer({ UTF8Validity.isValid(UnsafeBufferPointer(rebasing: $0[mark...])) }) else {
        output.removeSubrange(mark...)
        return false
      }
      // The rest must still be a well-formed object.
      while let key = try scanner.nextKeyAfterFirst() {
        if key.equals("content") || key.equals("type") {
          output.removeSubrange(mark...)
          return false
        }
        // Members that `decode` requires to be strings get the same check here.
        if key.equals("finish_reason") || key.equals("model") || key.equals("id") || key.equals("session_id")
          || key.equals("provider") || key.equals("reason") || key.equals("call_id") || key.equals("name")
        {
          let kind = try scanner.peekKind()
          guard kind == .string || kind == .null else {
            output.removeSubrange(mark...)
            return false
          }
        }
        try scanner.skipValue()
      }
      try scanner.expectEnd()
      return true
    } catch {
      output.removeSubrange(mark...)
      return false
    }
  }

  /// Decodes one event from a line of text.
  package static func decode(_ text: String) throws(ProtocolError) -> Event {
    try text.withUTF8Bytes { buffer throws(ProtocolError) in try decode(buffer) }
  }

  /// Builds an event from a parsed JSON value (used where a tree already exists).
  package static func decode(_ json: JSON) throws(ProtocolError) -> Event {
    var writer = JSONWriter()
    writer.value(json)
    return try writer.bytes.withBytes { buffer throws(ProtocolError) in try decode(buffer) }
  }
}

/// The members any known event type may have, collected in one pass.
private struct Fields {
  var type: String?
  var id: String?
  var sessionID: String?
  var content: String?
  var finishReason: String?
  var model: String?
  var provider: String?
  var usage: Usage?
  var toolsUsed: [String] = []
  var processingTimeMs: Int?
  var error: String?
  var errorDetails: String?
  var code: String?
  var retryable: Bool?
  var partial: Bool?
  var status: Int?
  var attempt: Int?
  var delayMs: Int?
  var reason: String?
  var callID: String?
  var name: String?
  var arguments: JSON?
  var exitCode: Int?
  var durationMs: Int?
  var isError: Bool?
  var turnsSent: Int?
  var turnsDropped: Int?
  var cached: Bool?

  /// A member that a known event type needs as a string but that had another type; it is an
  /// error only if the event's type turns out to be known (other types keep every member).
  var mistyped: String?

  mutating func read(_ key: JSONScanner.Key, _ s: inout JSONScanner) throws(ProtocolError) {
    if key.equals("type") {
      type = try text(key, &s)
    } else if key.equals("content") {
      content = try text(key, &s)
    } else if key.equals("id") {
      id = try text(key, &s)
    } else if key.equals("session_id") {
      sessionID = try text(key, &s)
    } else if key.equals("finish_reason") {
      finishReason = try text(key, &s)
    } else if key.equals("model") {
      model = try text(key, &s)
    } else if key.equals("provider") {
      provider = try text(key, &s)
    } else if key.equals("usage") {
      usage = Usage(json: try s.readValue())
    } else if key.equals("tools_used") {
      toolsUsed = try s.readValue().arrayValue?.compactMap(\.stringValue) ?? []
    } else if key.equals("processing_time_ms") {
      processingTimeMs = try s.readValue().intValue
    } else if key.equals("error") {
      error = try Self.text(of: s.readValue())
    } else if key.equals("error_details") {
      errorDetails = try Self.text(of: s.readValue())
    } else if key.equals("code") {
      code = try Self.text(of: s.readValue())
    } else if key.equals("retryable") {
      retryable = try s.readValue().boolValue
    } else if key.equals("partial") {
      partial = try s.readValue().boolValue
    } else if key.equals("status") {
      status = try s.readValue().intValue
    } else if key.equals("attempt") {
      attempt = try s.readValue().intValue
    } else if key.equals("delay_ms") {
      delayMs = try s.readValue().intValue
    } else if key.equals("reason") {
      reason = try text(key, &s)
    } else if key.equals("call_id") {
      callID = try text(key, &s)
    } else if key.equals("name") {
      name = try text(key, &s)
    } else if key.equals("arguments") {
      arguments = try s.readValue()
    } else if key.equals("exit_code") {
      exitCode = try s.readValue().intValue
    } else if key.equals("duration_ms") {
      durationMs = try s.readValue().intValue
    } else if key.equals("is_error") {
      isError = try s.readValue().boolValue
    } else if key.equals("turns_sent") {
      turnsSent = try s.readValue().intValue
    } else if key.equals("turns_dropped") {
      turnsDropped = try s.readValue().intValue
    } else if key.equals("cached") {
      cached = try s.readValue().boolValue
    } else {
      try s.skipValue()
    }
  }

  /// A string or null member; anything else is remembered as mistyped and skipped.
  private mutating func text(_ key: JSONScanner.Key, _ s: inout JSONScanner) throws(ProtocolError) -> String? {
    switch try s.peekKind() {
    case .string: return try s.readString()
    case .null:
      try s.skipValue()
      return nil
    default:
      try s.skipValue()
      mistyped = mistyped ?? key.string
      return nil
    }
  }

  /// A string member as text; other JSON (an error object, say) as its compact JSON.
  private static func text(of value: JSON) -> String? {
    switch value {
    case .null: nil
    case .string(let s): s
    default: value.compactText
    }
  }

  func payload(type: String) throws(ProtocolError) -> Event.Payload? {
    switch type {
    case "start":
      return .start(
        .init(
          model: model, provider: provider, turnsSent: turnsSent, turnsDropped: turnsDropped, cached: cached ?? false))
    case "chunk":
      guard let content else { throw .badEvent("a chunk event needs \"content\"") }
      return .chunk(
        .init(content: content, finishReason: finishReason, model: model, usage: usage, toolsUsed: toolsUsed))
    case "reasoning":
      return .reasoning(.init(content: content ?? ""))
    case "tool_call":
      return .toolCall(.init(callID: callID ?? "", name: name ?? "", arguments: arguments ?? .object(JSONObject())))
    case "tool_result":
      return .toolResult(
        .init(
          callID: callID ?? "", name: name ?? "", content: content ?? "", exitCode: exitCode, durationMs: durationMs,
          isError: isError ?? false))
    case "tool_output":
      return .toolOutput(.init(callID: callID ?? "", content: content ?? ""))
    case "retry":
      return .retry(.init(attempt: attempt ?? 0, delayMs: delayMs ?? 0, reason: reason ?? "", status: status))
    case "complete":
      return .complete(
        .init(
          processingTimeMs: processingTimeMs ?? 0, finishReason: finishReason, usage: usage, model: model,
          cached: cached ?? false))
    case "error":
      let kind = code.flatMap(ErrorKind.init(rawValue:)) ?? .internal
      return .error(
        .init(
          message: error ?? "unknown error", details: errorDetails, code: kind, retryable: retryable,
          partial: partial ?? false, status: status))
    default:
      return nil
    }
  }
}

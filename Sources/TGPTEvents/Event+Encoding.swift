extension Event {
  /// Appends this event as one compact JSON object (without the newline).
  ///
  /// `type` comes first, then the payload's fields in the seed's order, then `id` and
  /// `session_id`, so seed consumers see exactly the shapes they know.
  package func encode(into w: inout JSONWriter) {
    w.raw("{\"type\":")
    switch payload {
    case .start(let s):
      w.raw("\"start\"")
      optionalString("model", s.model, &w)
      optionalString("provider", s.provider, &w)
      optionalInt("turns_sent", s.turnsSent, &w)
      optionalInt("turns_dropped", s.turnsDropped, &w)
      if s.cached { w.raw(",\"cached\":true") }
    case .chunk(let c):
      w.raw("\"chunk\",\"content\":")
      w.string(c.content)
      w.raw(",\"finish_reason\":")
      nullableString(c.finishReason, &w)
      w.raw(",\"model\":")
      nullableString(c.model, &w)
      w.raw(",\"usage\":")
      if let usage = c.usage { w.value(usage.json) } else { w.raw("null") }
      w.raw(",\"tools_used\":[")
      for (i, tool) in c.toolsUsed.enumerated() {
        if i > 0 { w.byte(UInt8(ascii: ",")) }
        w.string(tool)
      }
      w.byte(UInt8(ascii: "]"))
    case .reasoning(let r):
      w.raw("\"reasoning\",\"content\":")
      w.string(r.content)
    case .toolCall(let t):
      w.raw("\"tool_call\",\"call_id\":")
      w.string(t.callID)
      w.raw(",\"name\":")
      w.string(t.name)
      w.raw(",\"arguments\":")
      w.value(t.arguments)
    case .toolOutput(let t):
      w.raw("\"tool_output\",\"call_id\":")
      w.string(t.callID)
      w.raw(",\"content\":")
      w.string(t.content)
    case .toolResult(let t):
      w.raw("\"tool_result\",\"call_id\":")
      w.string(t.callID)
      w.raw(",\"name\":")
      w.string(t.name)
      w.raw(",\"content\":")
      w.string(t.content)
      optionalInt("exit_code", t.exitCode, &w)
      optionalInt("duration_ms", t.durationMs, &w)
      if t.isError { w.raw(",\"is_error\":true") }
    case .retry(let r):
      w.raw("\"retry\",\"attempt\":")
      w.int(r.attempt)
      w.raw(",\"delay_ms\":")
      w.int(r.delayMs)
      w.raw(",\"reason\":")
      w.string(r.reason)
      optionalInt("status", r.status, &w)
    case .complete(let c):
      w.raw("\"complete\",\"processing_time_ms\":")
      w.int(c.processingTimeMs)
      optionalString("finish_reason", c.finishReason, &w)
      if let usage = c.usage {
        w.raw(",\"usage\":")
        w.value(usage.json)
      }
      optionalString("model", c.model, &w)
      if c.cached { w.raw(",\"cached\":true") }
    case .error(let f):
      w.raw("\"error\",\"error\":")
      w.string(f.message)
      w.raw(",\"error_details\":")
      nullableString(f.details, &w)
      w.raw(",\"code\":")
      w.string(f.code.rawValue)
      w.raw(",\"retryable\":")
      f.retryable ? w.raw("true") : w.raw("false")
      w.raw(",\"partial\":")
      f.partial ? w.raw("true") : w.raw("false")
      optionalInt("status", f.status, &w)
    case .other(let type, let fields):
      w.string(type)
      for member in fields where member.key != "type" && member.key != "id" && member.key != "session_id" {
        w.byte(UInt8(ascii: ","))
        w.string(member.key)
        w.byte(UInt8(ascii: ":"))
        w.value(member.value)
      }
    }
    optionalString("id", id, &w)
    optionalString("session_id", sessionID, &w)
    w.byte(UInt8(ascii: "}"))
  }

  /// This event as one NDJSON line, newline included.
  package var line: [UInt8] {
    var writer = JSONWriter()
    encode(into: &writer)
    writer.byte(UInt8(ascii: "\n"))
    return writer.bytes
  }

  /// This event as compact JSON text, without the newline.
  package var jsonText: String {
    var writer = JSONWriter()
    encode(into: &writer)
    return String(decoding: writer.bytes, as: UTF8.self)
  }
}

private func optionalString(_ key: StaticString, _ value: String?, _ w: inout JSONWriter) {
  guard let value else { return }
  w.byte(UInt8(ascii: ","))
  w.key(key)
  w.string(value)
}

private func optionalInt(_ key: StaticString, _ value: Int?, _ w: inout JSONWriter) {
  guard let value else { return }
  w.byte(UInt8(ascii: ","))
  w.key(key)
  w.int(value)
}

private func nullableString(_ value: String?, _ w: inout JSONWriter) {
  if let value { w.string(value) } else { w.raw("null") }
}

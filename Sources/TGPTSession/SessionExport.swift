import TGPTEvents

/// A session as NDJSON: one `session` line, then one `message` line per message. Exporting an
/// imported session gives the same bytes.
public struct SessionExport: Sendable, Hashable {
  public var summary: SessionSummary
  public var messages: [StoredMessage]

  public init(summary: SessionSummary, messages: [StoredMessage]) {
    self.summary = summary
    self.messages = messages
  }

  /// The NDJSON lines, each ending in a newline.
  public var lines: [[UInt8]] {
    var result: [[UInt8]] = [Self.header(summary)]
    var writer = JSONWriter(capacity: 1024)
    for m in messages {
      writer.reset()
      writer.raw(#"{"type":"message","seq":"#)
      writer.int(m.seq)
      writer.raw(#","turn":"#)
      writer.int(m.turn)
      writer.raw(#","role":"#)
      writer.string(m.role)
      writer.raw(#","content":"#)
      writer.string(m.content)
      writer.raw(#","model":"#)
      writer.optional(m.model)
      writer.raw(#","status":"#)
      writer.string(m.status.rawValue)
      writer.raw(#","usage":"#)
      writer.value(m.usage?.json ?? .null)
      writer.raw(#","tool_calls":"#)
      writer.value(m.toolCalls ?? .null)
      writer.raw(#","error":"#)
      writer.optional(m.error)
      writer.raw(#","created_at":"#)
      writer.int(Int(m.createdAt))
      writer.raw("}\n")
      result.append(writer.bytes)
    }
    return result
  }

  /// The `session` line of `summary` (also what `list --json` prints), ending in a newline.
  public static func header(_ summary: SessionSummary) -> [UInt8] {
    var writer = JSONWriter(capacity: 256)
    writer.raw(#"{"type":"session","id":"#)
    writer.string(summary.id)
    writer.raw(#","turns":"#)
    writer.int(summary.turns)
    writer.raw(#","created_at":"#)
    writer.int(Int(summary.createdAt))
    writer.raw(#","updated_at":"#)
    writer.int(Int(summary.updatedAt))
    writer.raw(#","model":"#)
    writer.optional(summary.settings.model)
    writer.raw(#","provider":"#)
    writer.optional(summary.settings.provider)
    writer.raw(#","system":"#)
    writer.optional(summary.settings.system)
    writer.raw(#","title":"#)
    writer.string(summary.title)
    writer.raw("}\n")
    return writer.bytes
  }

  /// Reads an export back. `id` renames the session on the way in.
  public init(lines: [JSON], id: String? = nil) throws(StoreError) {
    guard let header = lines.first, header["type"]?.stringValue == "session",
      let originalID = header["id"]?.stringValue
    else { throw .badImport("the first line must be a {\"type\":\"session\",…} object") }
    let sessionID = id ?? originalID
    guard SessionID.isValid(sessionID) else { throw .invalidID(sessionID) }
    func int64(_ value: JSON?) -> Int64 { Int64(value?.intValue ?? 0) }
    let settings = SessionSettings(
      model: header["model"]?.stringValue, provider: header["provider"]?.stringValue,
      system: header["system"]?.stringValue)
    var messages: [StoredMessage] = []
    for (index, line) in lines.dropFirst().enumerated() {
      guard line["type"]?.stringValue == "message", let seq = line["seq"]?.intValue, let turn = line["turn"]?.intValue,
        let role = line["role"]?.stringValue, let content = line["content"]?.stringValue,
        let status = line["status"]?.stringValue.flatMap(MessageStatus.init(rawValue:))
      else { throw .badImport("line \(index + 2) is not a complete {\"type\":\"message\",…} object") }
      messages.append(
        StoredMessage(
          sessionID: sessionID, seq: seq, turn: turn, role: role, content: content, model: line["model"]?.stringValue,
          status: status, usage: line["usage"].flatMap(Usage.init(json:)),
          toolCalls: line["tool_calls"].flatMap { $0.isNull ? nil : $0 }, error: line["error"]?.stringValue,
          createdAt: int64(line["created_at"])))
    }
    let turns = Set(messages.filter { $0.role == "user" }.map(\.turn)).count
    summary = SessionSummary(
      id: sessionID, turns: turns, createdAt: int64(header["created_at"]), updatedAt: int64(header["updated_at"]),
      settings: settings, title: header["title"]?.stringValue ?? "")
    self.messages = messages
  }
}

extension JSONWriter {
  /// A string, or `null`.
  fileprivate mutating func optional(_ value: String?) {
    if let value { string(value) } else { raw("null") }
  }
}

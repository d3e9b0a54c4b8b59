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
    for m in messages {
      var object = JSONObject([("type", "message"), ("seq", .int(m.seq)), ("turn", .int(m.turn))])
      object["role"] = .string(m.role)
      object["content"] = .string(m.content)
      object["model"] = m.model.map(JSON.string) ?? .null
      object["status"] = .string(m.status.rawValue)
      object["usage"] = m.usage?.json ?? .null
      object["tool_calls"] = m.toolCalls ?? .null
      object["error"] = m.error.map(JSON.string) ?? .null
      object["created_at"] = .int(Int(m.createdAt))
      result.append(Self.line(.object(object)))
    }
    return result
  }

  /// The `session` line of `summary` (also what `list --json` prints), ending in a newline.
  public static func header(_ summary: SessionSummary) -> [UInt8] {
    var header = JSONObject([("type", "session"), ("id", .string(summary.id))])
    header["turns"] = .int(summary.turns)
    header["created_at"] = .int(Int(summary.createdAt))
    header["updated_at"] = .int(Int(summary.updatedAt))
    header["model"] = summary.settings.model.map(JSON.string) ?? .null
    header["provider"] = summary.settings.provider.map(JSON.string) ?? .null
    header["system"] = summary.settings.system.map(JSON.string) ?? .null
    header["title"] = .string(summary.title)
    return line(.object(header))
  }

  private static func line(_ json: JSON) -> [UInt8] {
    var writer = JSONWriter()
    writer.value(json)
    writer.byte(0x0A)
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

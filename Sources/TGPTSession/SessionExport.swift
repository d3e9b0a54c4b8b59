package import TGPTEvents

/// A session as NDJSON: one `session` line, then one `message` line per message. Exporting an
/// imported session gives the same bytes.
package struct SessionExport: Sendable, Hashable {
  package var summary: SessionSummary
  package var messages: [StoredMessage]

  package init(summary: SessionSummary, messages: [StoredMessage]) {
    self.summary = summary
    self.messages = messages
  }

  /// The NDJSON lines, each ending in a newline.
  package var lines: [[UInt8]] {
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
      // Only when there are some, so exports of other messages stay as they were.
      if !m.attachments.isEmpty {
        writer.raw(#","attachments":"#)
        writer.value(.array(m.attachments.map(\.json)))
      }
      writer.raw("}\n")
      result.append(writer.bytes)
    }
    return result
  }

  /// The `session` line of `summary` (also what `list --json` prints), ending in a newline.
  package static func header(_ summary: SessionSummary) -> [UInt8] {
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
    // Only when there is one, so exports of sessions on the built-in servers stay as they were.
    if let baseURL = summary.settings.baseURL {
      writer.raw(#","base_url":"#)
      writer.string(baseURL)
    }
    writer.raw(#","title":"#)
    writer.string(summary.title)
    writer.raw("}\n")
    return writer.bytes
  }

  /// Reads an export back. `id` renames the session on the way in.
  package init(lines: [JSON], id: String? = nil) throws(StoreError) {
    guard let header = lines.first, header["type"]?.stringValue == "session",
      let originalID = header["id"]?.stringValue
    else { throw .badImport("the first line must be a {\"type\":\"session\",…} object") }
    let sessionID = id ?? originalID
    guard SessionID.isValid(sessionID) else { throw .invalidID(sessionID) }
    func int64(_ value: JSON?) -> Int64 { Int64(value?.intValue ?? 0) }
    let settings = SessionSettings(
      model: header["model"]?.stringValue, provider: header["provider"]?.stringValue,
      system: header["system"]?.stringValue, baseURL: header["base_url"]?.stringValue)
    var messages: [StoredMessage] = []
    for (index, line) in lines.dropFirst().enumerated() {
      guard line["type"]?.stringValue == "message", let seq = line["seq"]?.intValue, let turn = line["turn"]?.intValue,
        let role = line["role"]?.stringValue, let content = line["content"]?.stringValue,
        let status = line["status"]?.stringValue.flatMap(MessageStatus.init(rawValue:))
      else { throw .badImport("line \(index + 2) is not a complete {\"type\":\"message\",…} object") }
      let attachments = try Self.attachments(line["attachments"], line: index + 2)
      messages.append(
        StoredMessage(
          sessionID: sessionID, seq: seq, turn: turn, role: role, content: content, model: line["model"]?.stringValue,
          status: status, usage: line["usage"].flatMap(Usage.init(json:)),
          toolCalls: line["tool_calls"].flatMap { $0.isNull ? nil : $0 }, error: line["error"]?.stringValue,
          createdAt: int64(line["created_at"]), attachments: attachments))
    }
    try Self.validate(messages)
    let turns = messages.filter { $0.role == "user" }.count
    summary = SessionSummary(
      id: sessionID, turns: turns, createdAt: int64(header["created_at"]), updatedAt: int64(header["updated_at"]),
      settings: settings, title: header["title"]?.stringValue ?? "")
    self.messages = messages
  }
}

extension SessionExport {
  /// What a store can hold: numbers that grow (`seq` strictly, from 1; `turn` by one at each
  /// user message, which opens its turn), and the roles turns are made of.
  fileprivate static func validate(_ messages: [StoredMessage]) throws(StoreError) {
    var lastSeq = 0
    var lastTurn = 0
    for (index, message) in messages.enumerated() {
      let line = index + 2
      guard message.seq > lastSeq else {
        throw .badImport("line \(line): seq \(message.seq) does not follow \(lastSeq)")
      }
      guard ["user", "assistant", "tool"].contains(message.role) else {
        throw .badImport("line \(line): role must be user, assistant or tool, not '\(message.role)'")
      }
      if message.role == "tool" {
        guard Event.ToolResult(stored: message) != nil else {
          throw .badImport("line \(line): a tool message needs \"tool_calls\":{\"call_id\":…,\"name\":…}")
        }
      }
      if message.role == "user" {
        guard message.turn == lastTurn + 1 else {
          throw .badImport("line \(line): a user message must open turn \(lastTurn + 1), not \(message.turn)")
        }
      } else {
        guard message.turn == lastTurn, lastTurn > 0 else {
          throw .badImport("line \(line): an answer must belong to the turn of the message before it (\(lastTurn))")
        }
      }
      lastSeq = message.seq
      lastTurn = message.turn
    }
  }
}

extension SessionExport {
  /// A message line's `attachments` (`{"name","url"}` each, as written), with their names as
  /// they were.
  fileprivate static func attachments(_ value: JSON?, line: Int) throws(StoreError) -> [Attachment] {
    guard let value, !value.isNull else { return [] }
    guard let items = value.arrayValue else { throw .badImport("line \(line): \"attachments\" must be an array") }
    return try items.map { item throws(StoreError) in
      guard let name = item["name"]?.stringValue, let url = item["url"]?.stringValue else {
        throw .badImport("line \(line): an attachment needs \"name\" and \"url\"")
      }
      do throws(AttachmentError) {
        var attachment = url.hasPrefix("data:") ? try Attachment(dataURL: url, name: name) : try Attachment(url: url)
        attachment.name = name
        return attachment
      } catch {
        throw .badImport("line \(line): \(error.description)")
      }
    }
  }
}

extension JSONWriter {
  /// A string, or `null`.
  fileprivate mutating func optional(_ value: String?) {
    if let value { string(value) } else { raw("null") }
  }
}
